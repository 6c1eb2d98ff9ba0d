"""``pjconf run`` end to end: exit status, expectations, exclusions, report files, JSON on stdout.

Most runs are in-process (``cli.main``) against the reference and the committed corpus; the ones
that need an implementation lacking ops start a small adapter process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from pjconf.harness import cli
from pjconf.harness.run import expectations
from pjconf.reference.entropy import FixedClock

PARTIAL_ADAPTER = """\
import sys
from pjconf.reference.adapter.dispatch import InProcessAdapter
from pjconf.reference.adapter.ops import reference_adapter
from pjconf.reference.adapter.serve import serve
handlers = {k: v for k, v in reference_adapter().handlers.items() if not k.startswith("hpke.")}
sys.exit(serve(InProcessAdapter("partial", "0.1", handlers), sys.stdin, sys.stdout))
"""


def _main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(["run", *argv], clock=FixedClock(1_700_000_000))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _expectations(tmp_path: Path, entry: dict[str, Any], name: str = "pjconf-reference") -> str:
    path = tmp_path / "expectations.json"
    path.write_text(json.dumps({"format": expectations.FORMAT, "implementations": {name: entry}}))
    return str(path)


URI_ONLY = ("--family", "uri", "--no-variants")
"""What the expectation and selection tests run: one quick family is enough to exercise them (the
whole corpus runs once, in the clean-run test, and again in .ci/run)."""


def test_a_clean_reference_run_is_green_and_shows_no_expectation_columns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = _main(capsys, "-q")
    assert status == 0
    assert "KNOWN_FAILURE" not in out
    assert "status" in out.splitlines()[1]
    assert out.rstrip().endswith("pjconf run: ok")


def test_json_to_stdout_is_only_json_with_every_status_and_the_families(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = _main(capsys, "--json", "-", "--family", "uri", "--family", "hpke")
    assert status == 0
    document = json.loads(out)  # nothing but the report on stdout
    assert "pjconf run: ok" in err  # the table went to stderr
    assert set(document["counts"]) >= {"KNOWN_FAILURE", "UNEXPECTED_PASS", "PASS", "FAIL"}
    assert sorted(document["families"]) == ["hpke", "uri"]
    assert document["families"]["uri"]["counts"]["PASS"] > 0
    assert document["date"] == "2023-11-14T22:13:20Z"
    assert document["corpus"]["version"].startswith("pjconf ")


def test_a_known_failure_that_passes_warns_and_fails_only_when_strict(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _expectations(tmp_path, {"known_failures": {"uri/1": "pretend it is broken"}})
    status, out, err = _main(capsys, "-q", *URI_ONLY, "--expectations", path)
    assert status == 0
    assert "UNEXPECTED_PASS uri/1" in out
    assert "pretend it is broken" in out
    assert "UNEXPECTED_PASS" in out.splitlines()[2]  # the table grew the column
    assert "warning: 1 known failure(s) now pass" in err

    status, out, _ = _main(capsys, "-q", *URI_ONLY, "--expectations", path, "--strict-expectations")
    assert status == 1
    assert "1 UNEXPECTED_PASS" in out.splitlines()[-1]


@pytest.mark.parametrize(
    ("entry", "text"),
    [
        ({"known_failures": {"uri/99999": "gone"}}, "stale expectation: known_failures"),
        ({"disabled": {"nosuch/*": "gone"}}, "stale expectation: disabled"),
        ({"excluded_families": {"nosuch": "gone"}}, "stale expectation: excluded_families"),
    ],
)
def test_stale_expectations_fail_the_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, entry: dict[str, Any], text: str
) -> None:
    status, out, _ = _main(
        capsys, "-q", *URI_ONLY, "--expectations", _expectations(tmp_path, entry)
    )
    assert status == 1
    assert text in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"format": expectations.FORMAT, "implementations": {"other": {}}}, "no entry"),
        ({"format": "nope", "implementations": {}}, "format"),
    ],
)
def test_an_unusable_expectations_file_stops_before_running(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: object, message: str
) -> None:
    path = tmp_path / "e.json"
    path.write_text(json.dumps(content))
    status, out, err = _main(capsys, "-q", "--expectations", str(path))
    assert status == 2
    assert message in err
    assert out == ""


def test_disabled_cases_skip_with_their_reason_in_the_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _expectations(tmp_path, {"disabled": {"uri/1": "flaky parser"}})
    status, out, _ = _main(capsys, "-q", "--family", "uri", "--expectations", path, "--json", "-")
    assert status == 0
    disabled = next(c for c in json.loads(out)["cases"] if c["name"] == "uri/1")
    assert (disabled["verdict"], disabled["reason"]) == ("SKIP", "flaky parser")


@pytest.mark.parametrize(
    ("argv", "note"),
    [
        (["--family", "uri", "-k", "no-such-text-anywhere"], "uri: NOTHING RAN - no case selected"),
        ([*URI_ONLY, "--exclude-family", "nosuch"], "--exclude-family 'nosuch' is no family"),
    ],
    # An unknown --family cannot start the run at all: tests/harness/test_cli_errors.py.
    ids=["k-empties-a-named-family", "unknown-exclusion"],
)
def test_vacuous_selections_are_red(
    capsys: pytest.CaptureFixture[str], argv: list[str], note: str
) -> None:
    status, out, _ = _main(capsys, "-q", *argv)
    assert status == 1
    assert note in out


def test_an_explicitly_excluded_family_is_listed_and_not_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The slowest families are left out too, so the run takes seconds.
    fewer = ("--exclude-family", "sessions", "--exclude-family", "replay", "--no-variants")
    status, out, _ = _main(capsys, "-q", "--exclude-family", "events", *fewer, "--json", "-")
    document = json.loads(out)
    assert status == 0
    assert "events" not in document["families"]
    assert "uri" in document["families"]
    assert document["excluded"] == {
        name: "--exclude-family" for name in ("events", "sessions", "replay")
    }
    assert not any(c["family"] == "events" for c in document["cases"])


def _partial(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "partial_adapter.py"
    script.write_text(PARTIAL_ADAPTER)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pjconf.harness",
            "run",
            "-q",
            "--impl",
            f"cmd:{sys.executable} {script}",
            "--family",
            "hpke",
            "--family",
            "uri",
            *argv,
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_implementation_without_a_familys_ops_reports_it_not_run(tmp_path: Path) -> None:
    done = _partial(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    row = next(line for line in done.stdout.splitlines() if line.startswith("hpke "))
    assert row.split()[-2:] == ["NOT", "RUN"]
    assert "hpke: NOT RUN - the implementation's hello lists none of its ops" in done.stdout
    assert "hpke.open" in done.stdout


@pytest.mark.parametrize("how", ["flag", "expectations"])
def test_excluding_the_family_that_cannot_run_makes_the_run_green(tmp_path: Path, how: str) -> None:
    if how == "flag":
        extra = ["--exclude-family", "hpke"]
    else:
        entry = {"excluded_families": {"hpke": "no HPKE ops in this adapter"}}
        extra = ["--expectations", _expectations(tmp_path, entry, name="partial@0.1")]
    done = _partial(tmp_path, *extra)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "hpke: excluded" in done.stdout


def test_junit_and_html_files_are_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    junit, page = tmp_path / "r.xml", tmp_path / "r.html"
    status, _, _ = _main(
        capsys, "-q", "--family", "uri", "--junit", str(junit), "--html", str(page)
    )
    assert status == 0
    root = ET.parse(junit).getroot()
    assert [s.get("name") for s in root.iter("testsuite")] == ["uri"]
    assert "2023-11-14T22:13:20Z" in page.read_text(encoding="utf-8")


def test_an_unwritable_report_path_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, _, err = _main(capsys, "-q", "--family", "uri", "--html", str(tmp_path / "no" / "x"))
    assert status == 2
    assert "cannot write" in err


def test_source_date_epoch_sets_the_report_date(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert cli.main(["run", "-q", "--family", "uri", "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["date"] == "1970-01-02T00:00:00Z"


def test_junit_is_byte_identical_for_the_same_run_and_date(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first, second = tmp_path / "1.xml", tmp_path / "2.xml"
    for path in (first, second):
        run = ("-q", "--family", "hpke", "--reproducible", "--junit", str(path))
        assert _main(capsys, *run)[0] == 0
    assert first.read_bytes() == second.read_bytes()


def test_case_selects_exactly_the_named_cases(capsys: pytest.CaptureFixture[str]) -> None:
    """``-k uri/1`` also matches uri/10..uri/19; ``--case uri/1`` is that one case."""
    assert cli.main(["run", "--case", "uri/1", "--case", "events/2", "--list"]) == 0
    listed = [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()]
    assert sorted(listed) == ["events/2", "uri/1"]


def test_an_unknown_case_name_stops_the_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "--case", "uri/999999"]) == 2
    assert "no case named uri/999999" in capsys.readouterr().err


def test_a_reader_that_goes_away_is_no_traceback() -> None:
    """``pjconf run --list | head -1``: the closed pipe ends the command quietly."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pjconf.harness", "run", "--list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert first.startswith(b"bhttp/1\t")
    assert b"Traceback" not in err


@pytest.mark.parametrize("profile", ["bip77", "payjoin-1.0"])
def test_the_profile_is_in_the_header_the_reports_and_the_rerun_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, profile: str
) -> None:
    report = tmp_path / "r.json"
    junit_file = tmp_path / "r.xml"
    status, out, _ = _main(
        capsys,
        "--profile",
        profile,
        "--family",
        "uri",
        "--json",
        str(report),
        "--junit",
        str(junit_file),
    )
    assert status == 0
    assert out.splitlines()[0].endswith(f"profile {profile}")
    document = json.loads(report.read_text())
    assert document["profile"] == profile
    assert ("--profile" in document["rerun"]) == (profile != "bip77")
    props = {p.get("name"): p.get("value") for p in ET.parse(junit_file).iter("property")}
    assert props["profile"] == profile
    acceptable = document["counts"]["ACCEPTABLE"]
    assert acceptable > (20 if profile == "bip77" else 0)


def test_an_unknown_profile_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["run", "--profile", "strict"])
    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
