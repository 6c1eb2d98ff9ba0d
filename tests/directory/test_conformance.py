"""The ``directory`` family (``pjconf run --directory URL``) against ``pjconf directory serve`` in
a thread: a sound directory passes, a broken one fails exactly the cases that pin what it broke,
the reports are ``pjconf run``'s, and runs without ``--directory`` leave the family alone."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from directory.servers import Served, thread_server

from pjconf.harness.cli import main
from pjconf.harness.corpus.load import cases_of, load_file
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.reference.server import app

CORPUS = load_file(vectors_dir() / "network" / "directory.json")
CASES = list(cases_of(CORPUS))


def _flagged(flag: str) -> set[str]:
    return {c.name for c in CASES if flag in c.flags}


def _run(served: Served, tmp_path: Path, *more: str) -> tuple[int, dict[str, Any]]:
    report = tmp_path / "run.json"
    status = main(
        ["run", "--directory", served.url, "--long-poll-max", "0.5", "-q", "--seed", "t",
         "--json", str(report), *more]
    )  # fmt: skip
    return status, json.loads(report.read_text())


def _verdicts(report: dict[str, Any]) -> dict[str, str]:
    return {case["name"]: case["verdict"] for case in report["cases"]}


def test_pjconf_directory_serve_passes_every_case_with_the_same_reports_as_pjconf_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junit, html = tmp_path / "run.xml", tmp_path / "run.html"
    with thread_server(long_poll=3.0) as served:
        status, report = _run(served, tmp_path, "--junit", str(junit), "--html", str(html))
    verdicts = _verdicts(report)
    assert status == 0, capsys.readouterr().out
    assert set(verdicts) == {c.name for c in CASES}
    assert set(verdicts.values()) <= {"PASS", "ACCEPTABLE"}
    assert list(verdicts.values()).count("PASS") >= 20
    # Exactly the cases the text leaves open are ACCEPTABLE.
    acceptable = {name for name, verdict in verdicts.items() if verdict == "ACCEPTABLE"}
    assert acceptable == {c.name for c in CASES if c.result == "acceptable"}
    assert report["implementation"]["implementation"] == "directory"
    assert report["families"]["directory"]["state"] == "ok"
    suites = ET.parse(junit).getroot()
    assert sum(int(s.get("tests", "0")) for s in suites.iter("testsuite")) == len(CASES)
    assert "directory/1" in html.read_text()
    out = capsys.readouterr().out
    assert f"pjconf run: directory {served.url}" in out
    assert out.rstrip().endswith("pjconf run: ok")


@contextmanager
def _broken(monkeypatch: pytest.MonkeyPatch, fault: str) -> Iterator[None]:
    """The server with one fault: ``oversized`` reads the first 8192 bytes of any body and
    ignores the rest; ``open-relay`` forwards to any gateway."""
    if fault == "oversized":

        async def first_bytes(request: web.BaseRequest, limit: int, timeout: float) -> bytes:
            return (await request.read())[:limit]

        monkeypatch.setattr(app, "read_bounded", first_bytes)
    else:
        monkeypatch.setattr(app.Directory, "allows", lambda self, origin: True)
    yield


@pytest.mark.parametrize(
    ("fault", "broken"),
    [
        ("oversized", {c.name for c in CASES if "Oversized" in c.flags and "damage" in
                       c.args["steps"][0]}),
        ("open-relay", _flagged("RelayOtherGateway")),
    ],
)  # fmt: skip
def test_a_broken_directory_fails_exactly_the_cases_that_pin_its_fault(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fault: str,
    broken: set[str],
) -> None:
    assert broken
    with _broken(monkeypatch, fault), thread_server(long_poll=3.0) as served:
        status, report = _run(served, tmp_path)
    verdicts = _verdicts(report)
    assert status == 1
    assert {name for name, verdict in verdicts.items() if verdict == "FAIL"} == broken
    assert report["rerun"][:2] == ["--directory", served.url]
    out = capsys.readouterr().out
    for name in broken:
        assert (
            f"reproduce: pjconf run --directory {served.url} --long-poll-max 0.5 --case {name}"
            in out
        )


def test_a_directory_without_long_polls_passes_bip77_and_fails_only_the_mailroom_pins(
    tmp_path: Path,
) -> None:
    with thread_server(long_poll=0.0) as served:
        lenient, _ = _run(served, tmp_path)
        pinned, report = _run(served, tmp_path, "--profile", "payjoin-1.0")
    assert lenient == 0
    failed = {name for name, verdict in _verdicts(report).items() if verdict == "FAIL"}
    # The relay's 403 where payjoin-mailroom answers 404 is pjconf's documented choice.
    assert failed == _flagged("LongPollWake") | _flagged("LongPollHold") | _flagged(
        "RelayOtherGateway"
    )
    assert pinned == 1


def test_an_unreachable_directory_is_a_clean_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--directory", "http://127.0.0.1:9", "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pjconf: directory http://127.0.0.1:9")
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_runs_without_directory_leave_the_family_out(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--family", "directory"]) == 2
    assert "--directory URL" in capsys.readouterr().err
    assert main(["run", "--case", "directory/1"]) == 2
    capsys.readouterr()
    assert main(["run", "--list"]) == 0
    listed = capsys.readouterr().out
    assert "directory/" not in listed
    assert "hostile/" in listed
    assert main(["run", "--impl", "reference", "--directory", "http://127.0.0.1:9"]) == 2
    assert main(["run", "--relay", "http://127.0.0.1:9"]) == 2
