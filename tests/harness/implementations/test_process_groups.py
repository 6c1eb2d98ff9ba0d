"""An adapter is killed whole: started through a wrapper script, it leaves no process behind.

The adapters here run as the child of a shell script that does not ``exec`` them, the case that
left 31 orphans after one run: killing the shell alone orphans the adapter. Every check reads
the pids the processes recorded themselves.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from harness.hostile_adapters import survivors, wrapper

from pjconf.harness.implementations.client import ProcessClient


def _gone_within(pids: Path, seconds: float) -> list[int]:
    """The recorded processes still running after waiting up to ``seconds`` for them to go."""
    deadline = time.monotonic() + seconds
    while (left := survivors(pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def test_a_timeout_kills_the_wrapper_and_its_child(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    client = ProcessClient(wrapper(tmp_path, "hang_after_hello", pids), timeout=1.0)
    try:
        assert client.call("hello", {}).kind == "result"
        assert len(survivors(pids)) == 2  # the shell and the adapter it started
        assert client.call("work", {}).kind == "malfunction"
        assert _gone_within(pids, 2) == []
    finally:
        client.close()


def test_closing_the_client_leaves_no_process(tmp_path: Path) -> None:
    """The adapter exits on ``shutdown``, but a helper it started would run on: the whole
    group is killed on exit."""
    pids = tmp_path / "pids"
    client = ProcessClient(wrapper(tmp_path, "leaves_helper", pids), timeout=1.0)
    assert client.call("ping", {}).kind == "result"
    assert len(survivors(pids)) == 3  # the shell, the adapter, its helper
    client.close()
    assert _gone_within(pids, 2) == []


HARNESS = """
import json, sys
from pjconf.harness.implementations.client import ProcessClient
client = ProcessClient(json.loads(sys.argv[1]), timeout=60)
assert client.call("ping", {}).kind == "result"
print("ready", flush=True)
client.call("work", {})  # the adapter stops reading and never answers: killed while waiting
"""


def test_an_adapter_dies_with_a_harness_killed_by_sigkill(tmp_path: Path) -> None:
    """SIGKILL runs no cleanup in the harness: the watchdog sidecar kills the adapter group."""
    pids = tmp_path / "pids"
    harness = subprocess.Popen(
        [sys.executable, "-c", HARNESS, json.dumps(wrapper(tmp_path, "deaf_to_eof", pids))],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert harness.stdout is not None
        assert harness.stdout.readline().strip() == "ready"
        time.sleep(0.3)  # the request is sent; the adapter has closed its input
        assert len(survivors(pids)) == 2
        os.kill(harness.pid, signal.SIGKILL)
        harness.wait(timeout=10)
        assert _gone_within(pids, 10) == []
    finally:
        if harness.poll() is None:
            harness.kill()
            harness.wait()
        for pid in survivors(pids):  # only on failure: leave nothing running either way
            os.kill(pid, signal.SIGKILL)
