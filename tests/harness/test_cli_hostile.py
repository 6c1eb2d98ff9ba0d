"""``pjconf run`` against adapters that misbehave: never a crash, a hang or a memory blow-up.

Each run is a real ``pjconf run`` process against a real misbehaving adapter process (issue 12):
the cases become ERRORs with a one-line reason, every report is written, the harness's memory
stays bounded, a signal or the deadline ends the run with partial reports and exit status 3,
and no adapter process outlives the run.
"""

from __future__ import annotations

import json
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from harness.hostile_adapters import MISBEHAVIOURS, command, survivors, wrapper

from pjconf.harness import cli
from pjconf.harness.corpus.load import load_corpus
from pjconf.harness.corpus.paths import vectors_dir

PJCONF = [sys.executable, "-m", "pjconf.harness", "run"]


def _impl(argv: list[str]) -> str:
    return "cmd:" + shlex.join(argv)


def _reports(tmp_path: Path) -> list[str]:
    return [
        *("--json", str(tmp_path / "run.json")),
        *("--junit", str(tmp_path / "run.xml")),
        *("--html", str(tmp_path / "run.html")),
    ]


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PJCONF, *args], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.parametrize("mode", MISBEHAVIOURS)
def test_a_misbehaving_adapter_is_errors_with_reasons_and_every_report(
    tmp_path: Path, mode: str
) -> None:
    pids = tmp_path / "pids"
    done = _run(
        *("--impl", _impl(command(tmp_path, mode, pids=pids))),
        *("--family", "hpke", "--timeout", "1"),
        *_reports(tmp_path),
    )
    assert done.returncode == 1, done.stderr[-3000:]
    assert "Traceback" not in done.stdout + done.stderr
    document = json.loads((tmp_path / "run.json").read_text())
    cases = document["cases"]
    assert {c["verdict"] for c in cases} == {"ERROR"}
    first = cases[0]["detail"]
    assert "\n" not in first
    assert len(first) < 200
    assert cases[-1]["detail"].startswith("unresponsive: 3 consecutive failures")
    assert (tmp_path / "run.json").stat().st_size < 200_000
    assert "<error" in (tmp_path / "run.xml").read_text()
    assert "ERROR" in (tmp_path / "run.html").read_text()
    assert survivors(pids) == []


PEAK_RSS = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def test_an_endless_line_keeps_the_harness_under_300_mb(tmp_path: Path) -> None:
    """The whole corpus against an adapter that answers every request with one endless line;
    the peak RSS of the largest process below a fresh parent (the harness) is measured."""
    argv = [*PJCONF, "-q", "--impl", _impl(command(tmp_path, "endless_line"))]
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, *argv, *_reports(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    peak_mb = int(done.stdout) / 1024  # ru_maxrss is in KiB on Linux
    print(f"peak harness RSS against an endless line: {peak_mb:.0f} MB")
    assert peak_mb < 300
    assert json.loads((tmp_path / "run.json").read_text())["counts"]["ERROR"] > 1000


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_run_with_partial_reports_and_status_3(
    tmp_path: Path, sig: signal.Signals
) -> None:
    pids = tmp_path / "pids"
    impl = _impl(wrapper(tmp_path, "hang_after_hello", pids))
    run = subprocess.Popen(
        [*PJCONF, "--impl", impl, "--timeout", "30", *_reports(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert run.stderr is not None
    assert run.stderr.readline().startswith("[pjconf] bhttp: ")  # hello answered, cases sent
    time.sleep(0.5)
    started = time.monotonic()
    run.send_signal(sig)
    out, err = run.communicate(timeout=30)
    assert time.monotonic() - started < 10
    assert run.returncode == 3, err
    assert "Traceback" not in out + err
    assert re.search(rf"interrupted \({sig.name}\): (\d+) of \1 cases not run, this report", out)
    document = json.loads((tmp_path / "run.json").read_text())
    assert (document["partial"], document["interrupted"], document["ok"]) == (
        True,
        sig.name,
        False,
    )
    assert document["families"]["bhttp"]["state"] == "INTERRUPTED"
    assert f"interrupted ({sig.name})" in (tmp_path / "run.xml").read_text()
    assert "Partial report" in (tmp_path / "run.html").read_text()
    assert survivors(pids) == []


def test_the_deadline_stops_the_run_with_partial_reports(tmp_path: Path) -> None:
    started = time.monotonic()
    done = _run(
        *("--impl", _impl(command(tmp_path, "hang_after_hello"))),
        *("--timeout", "30", "--deadline", "2"),
        *_reports(tmp_path),
    )
    assert time.monotonic() - started < 15
    assert done.returncode == 3, done.stderr[-3000:]
    assert "interrupted (--deadline 2s)" in done.stdout
    assert json.loads((tmp_path / "run.json").read_text())["interrupted"] == "--deadline 2s"


def test_a_wrapper_run_leaves_no_orphans_and_logs_progress(tmp_path: Path) -> None:
    """The whole corpus through a wrapper script whose adapter hangs after hello: the breaker
    ends it after five timeouts, and no process of it survives."""
    pids = tmp_path / "pids"
    done = _run(
        *("--impl", _impl(wrapper(tmp_path, "hang_after_hello", pids))),
        *("--timeout", "1"),
        *_reports(tmp_path),
    )
    assert done.returncode == 1
    assert survivors(pids) == []
    assert len(pids.read_text().split()) == 2 * 5  # five timeouts: a start for each
    assert "[pjconf] bhttp: 31 cases" in done.stderr
    # its hello has no "clock": true, so the InjectedClock cases are skipped, not sent
    transitions = sum(1 for c in load_corpus(vectors_dir()) if c.family == "transitions")
    assert (
        f"[pjconf] transitions done {transitions}/{transitions} SKIP 11 ERROR {transitions - 11}"
        in done.stderr
    )
    document = json.loads((tmp_path / "run.json").read_text())
    assert document["givenUp"].startswith("unresponsive: no answer in 3 families in a row")


def test_quiet_silences_the_progress_lines(tmp_path: Path) -> None:
    done = _run("-q", "--family", "hpke")
    assert done.returncode == 0
    assert done.stderr == ""
    loud = _run("--family", "hpke")
    assert loud.stderr.splitlines()[0] == "[pjconf] hpke: 30 cases"


def test_bad_limit_options_are_usage_errors() -> None:
    for option in ("--max-depth", "--max-line-bytes", "--deadline", "--timeout"):
        done = _run(option, "0")
        assert done.returncode == 2
        assert "Traceback" not in done.stderr


def test_reports_keep_only_an_excerpt_of_a_big_wrong_answer(tmp_path: Path) -> None:
    """1 MiB answers are within the line limit, and wrong: each FAIL keeps 2 KiB of one."""
    done = _run(
        *("--impl", _impl(command(tmp_path, "big_but_allowed"))),
        *("--family", "hpke", "--timeout", "5"),
        *_reports(tmp_path),
    )
    assert done.returncode == 1
    document = json.loads((tmp_path / "run.json").read_text())
    got = [c["got"] for c in document["cases"] if c["verdict"] == "FAIL"]
    assert got
    assert all(g["truncated"] is True and g["chars"] > 1 << 20 for g in got)
    assert all(len(g["excerpt"]) == 2048 for g in got)
    for name in ("run.json", "run.xml", "run.html"):
        assert (tmp_path / name).stat().st_size < 1_000_000


def test_the_deadline_also_stops_an_in_process_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The reference runs in this process and cannot be killed: the runner notices the stop
    between two cases."""
    report = tmp_path / "run.json"
    assert cli.main(["run", "--deadline", "0.3", "--json", str(report)]) == 3
    out = capsys.readouterr().out
    assert "interrupted (--deadline 0.3s)" in out
    assert "INTERRUPTED" in out
    document = json.loads(report.read_text())
    assert document["partial"] is True
    assert sum(f.get("notReached", 0) for f in document["families"].values()) > 0
