"""``pjconf directory serve --workers 2``: long polls woken across worker processes, a clean stop
of every worker on SIGTERM, no orphan and no lost POST when the parent is killed with kill -9,
and --workers needing --store."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from directory.servers import ROOT, SEED, Process, Served, http, mailbox, start_process

from pjconf.reference.server.client import SealedRequest

PAYLOAD = b"\x09" * 7168
PAIRS = 8
"""Mailboxes whose GET and POST each go on a new connection, which the kernel gives to either
worker: with 8, the chance that none crosses workers is 2 in 65536."""


def _send(served: Served, sealed: SealedRequest) -> tuple[int, bytes, str]:
    """The inner status and body, and the pid (hex) of the worker that answered."""
    status, headers, answer = http(
        served.url + "/", sealed.body, {"Content-Type": "message/ohttp-req"}, timeout=30
    )
    assert status == 200, (status, answer[:200])
    inner_status, body = sealed.open(answer)
    return inner_status, body, headers["X-Request-Id"].split("-")[0]


def _workers(running: Process) -> set[int]:
    children = Path(f"/proc/{running.proc.pid}/task/{running.proc.pid}/children")
    return {int(pid) for pid in children.read_text().split()}


def test_a_long_poll_held_by_one_worker_is_woken_by_a_post_to_the_other(tmp_path: Path) -> None:
    running = start_process(
        "--store", str(tmp_path / "m.sqlite"), "--workers", "2", "--long-poll", "20"
    )
    served = running.served
    try:
        assert len(_workers(running)) == 2
        answers: dict[int, tuple[int, bytes, str]] = {}

        def hold(n: int) -> None:
            answers[n] = _send(served, served.seal("GET", mailbox(100 + n)))

        held = [threading.Thread(target=hold, args=(n,)) for n in range(PAIRS)]
        for thread in held:
            thread.start()
        time.sleep(1.0)  # every GET is waiting on its empty mailbox by now
        assert not answers
        posted_at = time.monotonic()
        posters = {
            n: _send(served, served.seal("POST", mailbox(100 + n), PAYLOAD))[2]
            for n in range(PAIRS)
        }
        for thread in held:
            thread.join(10)
        waited = time.monotonic() - posted_at
        assert sorted(answers) == list(range(PAIRS))
        assert all(answers[n][:2] == (200, PAYLOAD) for n in range(PAIRS))
        assert waited < 5  # woken, not timed out at 20 s
        crossed = [n for n in range(PAIRS) if answers[n][2] != posters[n]]
        assert crossed, "every GET and its POST landed on one worker: nothing crossed"
    finally:
        assert running.stop() == 0


def test_sigterm_stops_every_worker_cleanly_and_killing_the_parent_loses_nothing(
    tmp_path: Path,
) -> None:
    store = str(tmp_path / "m.sqlite")
    first = start_process("--store", store, "--workers", "2", "--long-poll", "0")
    workers = _workers(first)
    assert first.stop() == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)

    second = start_process("--store", store, "--workers", "2", "--long-poll", "0")
    workers = _workers(second)
    posted = second.served.seal("POST", mailbox(200), PAYLOAD)
    assert _send(second.served, posted)[:2] == (200, b"")
    second.proc.kill()  # kill -9 of the parent
    second.proc.wait(5)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers), "a worker outlived its parent"
    third = start_process("--store", store, "--workers", "2", "--long-poll", "0")
    try:
        got = _send(third.served, third.served.seal("GET", mailbox(200)))
        assert got[:2] == (200, PAYLOAD)
    finally:
        assert third.stop() == 0


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie awaiting its reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_several_workers_without_a_store_file_is_a_usage_error() -> None:
    command = [sys.executable, "-m", "pjconf.harness", "directory", "serve", "--seed", SEED]
    done = subprocess.run(
        [*command, "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 2
    assert "--workers above 1 needs --store" in done.stderr
    assert "Traceback" not in done.stderr
