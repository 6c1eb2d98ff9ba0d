"""The expectations files .ci/run uses for every rust-payjoin version: valid, naming real cases,
and each entry written up in the findings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pjconf.harness.corpus.load import load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.corpus.profiles import PROFILES
from pjconf.harness.fuzz.known import load_known
from pjconf.harness.run import expectations

ROOT = Path(__file__).resolve().parents[3]
FUZZ_SUFFIX = ".fuzz.json"
"""``pjconf fuzz``'s known differences (format ``pjconf/fuzz-known/v1``), beside each run file."""
FILES = sorted(
    p
    for p in (ROOT / "ci" / "expectations").glob("rust-payjoin-*.json")
    if not p.name.endswith(FUZZ_SUFFIX)
)
VERSIONS = sorted(p.name for p in (ROOT / "adapters" / "rust-payjoin" / "versions").iterdir())
FINDINGS = (ROOT / "docs" / "rust-payjoin-findings.md").read_text(encoding="utf-8")


def _version(path: Path) -> str:
    return path.stem.removeprefix("rust-payjoin-")


def test_every_built_version_has_an_expectations_file() -> None:
    assert VERSIONS, "no adapters/rust-payjoin/versions/*"
    assert [_version(p) for p in FILES] == VERSIONS


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("path", FILES, ids=_version)
def test_the_expectations_load_and_name_existing_cases(path: Path, profile: str) -> None:
    expect = expectations.load(path, "rust-payjoin", _version(path), profile)
    names = {case.name for case in load_corpus(vectors_dir())}
    assert expect.known_failures
    assert set(expect.known_failures) <= names
    for reason in expect.known_failures.values():
        found = re.match(r"finding (\d+): ", reason)
        assert found, f"{reason!r} does not start with 'finding N: '"
        number = found.group(1)
        assert f"| {number} |" in FINDINGS, f"finding {number} is not in the findings"


@pytest.mark.parametrize("version", VERSIONS)
def test_every_version_has_fuzz_known_differences_each_classified(version: str) -> None:
    """``tests/interop/test_fuzz_rust.py`` runs ``pjconf fuzz`` with these files; here, without
    Docker: the file loads, lists each key once, and each reason says what the key is (a
    ``finding:`` with its row on the findings page, or an ``adapter:`` fault)."""
    path = ROOT / "ci" / "expectations" / f"rust-payjoin-{version}{FUZZ_SUFFIX}"
    entries = json.loads(path.read_text(encoding="utf-8"))["known"]
    keys = [entry["key"] for entry in entries]
    assert len(keys) == len(set(keys)) == len(load_known(path))
    for entry in entries:
        kind, _, why = entry["reason"].partition(": ")
        assert kind in ("finding", "adapter"), entry
        row = re.search(r"row (\d+)", why)
        if kind == "finding":
            assert row, entry
            assert f"\n| {row.group(1)} |" in FINDINGS, entry
