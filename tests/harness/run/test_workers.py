"""``-j`` workers as processes (``pjconf.harness.run.workers``), with real ``pjconf shim``
adapters: a driven session judged in a worker, its fresh variant finished there, reports the
bytes a one-process run writes; an ``--impl`` that cannot start is exit 2 with the reason; a
worker whose run dies outright does not outlive it.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pjconf.harness import cli

SHIM = [sys.executable, "-m", "pjconf.harness", "shim"]

RUN_THAT_DIES = r"""
import os, sys
from functools import partial
from pjconf.harness.cli.run import client_for
from pjconf.harness.run.workers import WorkerProcess
from pjconf.protocol.limits import DEFAULT_LIMITS
worker = WorkerProcess(partial(client_for, sys.argv[1], 30.0, DEFAULT_LIMITS))
worker.ready()
assert worker.call("hello", {}).kind == "result"
print(worker._process.pid, flush=True)
os._exit(0)  # no cleanup at all: the worker must notice on its own
"""


def test_sessions_judged_in_workers_write_the_reports_of_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A crash-resume session and a plain one, with fresh variants: the workers finish the
    variants' expected values themselves, and the reports are byte-identical to -j 1's."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    impl = "cmd:" + shlex.join(SHIM)
    texts = {}
    for jobs in ("1", "2"):
        report = tmp_path / f"j{jobs}.json"
        argv = ["run", "-q", "--impl", impl, "--reproducible", "--seed", "workers", "-j", jobs]
        argv += ["--case", "sessions/1", "--case", "sessions/53", "--case", "hpke/1"]
        code = cli.main([*argv, "--json", str(report)])
        out = capsys.readouterr().out
        assert code == 0, out
        assert "3 also in fresh variants" not in out  # hpke has none: 2 sessions variants
        assert "2 also in fresh variants" in out, out
        texts[jobs] = (report.read_bytes(), re.sub(r"\(\d+\.\d+s\)", "(TIME)", out))
    assert texts["1"] == texts["2"]


def test_an_impl_that_cannot_start_in_a_worker_is_exit_2_with_the_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["run", "-q", "--impl", "nonsense:x", "-j", "2"]) == 2
    assert "unknown --impl 'nonsense:x'" in capsys.readouterr().err


def test_a_worker_does_not_outlive_a_run_that_dies_outright() -> None:
    impl = "cmd:" + shlex.join(SHIM)
    done = subprocess.run(
        [sys.executable, "-c", RUN_THAT_DIES, impl],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    worker = int(done.stdout.strip())
    deadline = time.monotonic() + 15
    while Path(f"/proc/{worker}").exists() and "State:\tZ" not in _status(worker):
        assert time.monotonic() < deadline, "the worker outlived its run"
        time.sleep(0.1)


def _status(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return "State:\tZ"
