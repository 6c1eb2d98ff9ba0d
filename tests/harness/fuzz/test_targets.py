"""The fuzzing-engine entry points, run here without atheris: every seed of the exported corpus
goes through its group's ``TestOneInput`` without a finding (the reference against itself), a
planted difference raises, and the dictionary is in libFuzzer's format. ClusterFuzzLite itself
cannot run here; ``.clusterfuzzlite/build.sh`` is checked against the groups it must build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from harness.fuzz.fuzz_support import long_plaintext_mutant

from pjconf.harness.fuzz import targets
from pjconf.harness.fuzz.export import DICTIONARY_FILE, dictionary, export_seeds
from pjconf.harness.implementations.reference import reference_client

ROOT = Path(__file__).resolve().parents[3]
CFL = ROOT / ".clusterfuzzlite"
DICT_LINE = re.compile(r'^"(?:[\x20-\x21\x23-\x5b\x5d-\x7e]|\\x[0-9a-f]{2})+"$')


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("seeds")
    assert export_seeds(folder) > 1000
    return folder


def test_every_seed_runs_through_its_entry_point(seeds: Path) -> None:
    groups = targets.groups()
    assert {p.name for p in seeds.iterdir() if p.is_dir()} == set(groups)
    for group in groups:
        entry = targets.entry_point(group)
        files = sorted((seeds / group).glob("*.json"))
        assert files, group
        for path in files:
            entry(path.read_bytes())  # raises FuzzFinding on a difference or a crash


def test_input_that_is_no_request_is_uninteresting() -> None:
    entry = targets.entry_point("events")
    for data in (
        b"",
        b"\xff\xfe",
        b"[]",
        b'{"op": "event.roundtrip"}',
        b'{"op":"uri.parse","args":{}}',
        b"[" * 100_000,
    ):
        entry(data)


def test_a_difference_raises(monkeypatch: pytest.MonkeyPatch, seeds: Path) -> None:
    monkeypatch.setattr(targets, "_clients", lambda: (long_plaintext_mutant(), reference_client()))
    opened = [
        p.read_bytes()
        for p in sorted((seeds / "messages").glob("*.json"))
        if b"bip77.msg_b.open" in p.read_bytes()
    ]
    found = []
    for data in opened:
        try:
            targets.test_one_input("messages", data)
        except targets.FuzzFinding as exc:
            found.append(str(exc))
    assert found
    assert all(text.startswith("bip77.msg_b.open: result -> result") for text in found)


def test_main_runs_files_and_refuses_an_unknown_group(seeds: Path) -> None:
    files = [str(p) for p in sorted((seeds / "uri").glob("*.json"))[:5]]
    assert targets.main(["uri", *files]) == 0
    assert targets.main(["nonsense"]) == 2


def test_the_dictionary_is_well_formed_and_committed(seeds: Path) -> None:
    lines = dictionary().splitlines()
    assert len(lines) > 100
    assert all(DICT_LINE.match(line) for line in lines), [
        line for line in lines if not DICT_LINE.match(line)
    ]
    assert (seeds / DICTIONARY_FILE).read_text() == dictionary()
    assert (CFL / DICTIONARY_FILE).read_text() == dictionary()
    for token in ('"\\x22GotReplyableError\\x22"', '"bip77.msg_a.open"', '"pj="'):
        assert token in lines


def test_the_clusterfuzzlite_build_makes_every_group() -> None:
    build = (CFL / "build.sh").read_text()
    (listed,) = re.findall(r'^GROUPS="([^"]*)"', build, re.MULTILINE)
    assert set(listed.split()) == set(targets.groups())
    assert "pjconf fuzz --export-seeds" in build
    assert (CFL / "project.yaml").read_text().strip() == "language: python"
