"""``pjconf compat`` as a user runs it: exit statuses, the notes file, the page and artifact."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from harness.compat.broken import ReportsNoFallback

from pjconf.harness.cli import compat as compat_cli
from pjconf.harness.cli import main
from pjconf.harness.compat.notes import load
from pjconf.harness.implementations.client import Client
from pjconf.protocol.limits import Limits

ROOT = Path(__file__).resolve().parents[3]
SMALL = ["--role", "receiver", "--path", "cancel/WantsInputs"]
TWO = ["--impl", "reference", "--impl", "reference"]


def compat(argv: list[str]) -> int:
    return main(["compat", *argv])


@pytest.fixture
def broken_b(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--impl cmd:broken`` is a reference that replays receivers without their fallback."""
    real = compat_cli.make_client

    def make(spec: str, timeout: float, limits: Limits) -> Client:
        return ReportsNoFallback() if spec == "cmd:broken" else real(spec, timeout, limits)

    monkeypatch.setattr(compat_cli, "make_client", make)


def test_agreement_exits_0_and_writes_a_page_that_regenerates_byte_identically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page, artifact = tmp_path / "compat.md", tmp_path / "compat.json"
    argv = [*TWO, *SMALL, "--json", str(artifact), "--markdown", str(page)]
    assert compat(argv) == 0
    first = page.read_bytes()
    assert compat(argv) == 0
    assert page.read_bytes() == first
    text = first.decode()
    assert f"pjconf compat {' '.join(argv)}\n" in text
    assert "None: every handover and every replay agreed." in text
    document = json.loads(artifact.read_text())
    schema = json.loads((ROOT / "docs" / "compat.v1.schema.json").read_text())
    jsonschema.validate(document, schema)
    assert document["format"] == "pjconf/compat/v1"
    assert document["ok"] is True
    assert {p["writer"] for p in document["pairs"]} == {
        "pjconf-reference@0.1.0",
        "pjconf-reference@0.1.0#2",
    }
    assert "OK: 0 difference(s)" in capsys.readouterr().err


@pytest.mark.usefixtures("broken_b")
def test_a_difference_exits_1_with_a_reproduce_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "compat.md"
    assert (
        compat(["--impl", "reference", "--impl", "cmd:broken", *SMALL, "--markdown", str(page)])
        == 1
    )
    err = capsys.readouterr().err
    fail = [line for line in err.splitlines() if line.startswith("pjconf compat: FAIL replay/")]
    assert fail
    reproduce = (
        " -- reproduce: pjconf compat --impl reference --impl cmd:broken --role receiver "
        "--path cancel/WantsInputs"
    )
    assert all(line.endswith(reproduce) for line in fail)
    unexplained = [line for line in err.splitlines() if "unexplained: replay/" in line]
    assert unexplained
    assert all(line.endswith(reproduce) for line in unexplained)
    assert "**unexplained**" in page.read_text()


@pytest.mark.usefixtures("broken_b")
def test_explained_differences_exit_0_and_keep_their_explanation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes, page = tmp_path / "notes.json", tmp_path / "compat.md"
    notes.write_text(
        json.dumps(
            {
                "format": "pjconf/compat-notes/v1",
                "notes": {"replay/*": "CHANGELOG 9.9: replay forgets the fallback"},
            }
        )
    )
    argv = ["--impl", "reference", "--impl", "cmd:broken", *SMALL, "--notes", str(notes)]
    assert compat([*argv, "--markdown", str(page)]) == 0
    text = page.read_text()
    assert "- explanation: CHANGELOG 9.9: replay forgets the fallback" in text
    assert "**unexplained**" not in text
    assert "explained)" in text
    assert "unexplained:" not in capsys.readouterr().err


def test_corpus_reports_are_shown_under_their_label(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    report.write_text(
        json.dumps(
            {
                "implementation": {"implementation": "rust-payjoin", "version": "1.1.0"},
                "ok": False,
                "counts": {"PASS": 90, "FAIL": 2, "SKIP": 1},
                "verified": {"cases": 90, "corpusRunnable": 100, "share": 90.0},
            }
        )
    )
    page = tmp_path / "compat.md"
    argv = [*TWO, *SMALL, "--corpus", f"rust-payjoin@1.1.0/bip77={report}"]
    assert compat([*argv, "--markdown", str(page)]) == 0
    assert (
        "| rust-payjoin@1.1.0/bip77 | rust-payjoin 1.1.0 | 90 | 2 | 1 | 90/100 (90.0%) | no |"
        in page.read_text()
    )


def _report(path: Path, version: str, verdicts: dict[str, str]) -> Path:
    cases = [
        {"name": name, "verdict": v, "judged": "FAIL" if v == "KNOWN_FAILURE" else None}
        for name, v in verdicts.items()
    ]
    path.write_text(
        json.dumps(
            {
                "implementation": {"implementation": "rust-payjoin", "version": version},
                "ok": True,
                "profile": "bip77",
                "counts": {"PASS": 1},
                "cases": cases,
            }
        )
    )
    return path


def test_cases_judged_differently_within_a_profile_are_listed_with_their_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _report(
        tmp_path / "old.json",
        "1.0.0",
        {"uri/44": "KNOWN_FAILURE", "uri/1": "PASS", "ohttp/3": "SKIP", "uri/2": "PASS"},
    )
    new = _report(
        tmp_path / "new.json", "1.1.0", {"uri/44": "PASS", "uri/1": "PASS", "ohttp/3": "PASS"}
    )
    notes = tmp_path / "notes.json"
    notes.write_text(
        json.dumps(
            {
                "format": "pjconf/compat-notes/v1",
                "notes": {"corpus/bip77/uri/44": "1.1.0 rejects malformed ports (#1896)"},
            }
        )
    )
    page, artifact = tmp_path / "compat.md", tmp_path / "compat.json"
    argv = [*TWO, *SMALL, "--notes", str(notes), "--corpus", f"a={old}", "--corpus", f"b={new}"]
    assert compat([*argv, "--markdown", str(page), "--json", str(artifact)]) == 0
    text = page.read_text()
    # uri/44 went from a (known) FAIL to PASS; the SKIP and the case only one report has are no
    # difference.
    assert "| `uri/44` | bip77 | a: FAIL, b: PASS | 1.1.0 rejects malformed ports (#1896) |" in text
    for unchanged in ("`ohttp/3`", "`uri/2`", "`uri/1`"):
        assert unchanged not in text
    differences = json.loads(artifact.read_text())["corpusDifferences"]
    assert [d["key"] for d in differences] == ["corpus/bip77/uri/44"]
    assert "explains nothing" not in capsys.readouterr().err


def test_an_unexplained_corpus_difference_is_shown_but_does_not_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _report(tmp_path / "old.json", "1.0.0", {"uri/162": "ACCEPTABLE"})
    new = _report(tmp_path / "new.json", "1.1.0", {"uri/162": "FAIL"})
    page = tmp_path / "compat.md"
    argv = [*TWO, *SMALL, "--corpus", f"a={old}", "--corpus", f"b={new}"]
    assert compat([*argv, "--markdown", str(page)]) == 0
    assert "| `uri/162` | bip77 | a: ACCEPTABLE, b: FAIL | **unexplained** |" in page.read_text()
    assert "corpus difference without an explanation: corpus/bip77/uri/162" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--impl", "reference"], "two or more --impl"),
        ([*TWO, "--path", "nowhere"], "unknown --path nowhere"),
        ([*TWO, "--impl", "bogus:x"], "unknown --impl"),
        ([*TWO, "--notes", "/nonexistent/notes.json"], "cannot read the notes file"),
        ([*TWO, "--corpus", "no-equals-sign"], "expected LABEL=FILE"),
    ],
)
def test_bad_usage_exits_2(argv: list[str], says: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert compat(argv) == 2
    assert says in capsys.readouterr().err


def test_a_notes_file_in_another_format_is_bad_usage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.json"
    notes.write_text('{"notes": {}}')
    assert compat([*TWO, "--notes", str(notes)]) == 2
    assert "format must be 'pjconf/compat-notes/v1'" in capsys.readouterr().err


def test_the_committed_notes_file_is_valid() -> None:
    load(ROOT / "docs" / "compat-notes.json")
