"""``pjconf directory serve`` as a real process: the listening line, a clean stop on SIGTERM
with a long poll in flight, mailboxes surviving kill -9, and start-up refusals."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from directory.servers import ROOT, SEED, gateway, mailbox, start_process

PAYLOAD = b"\x07" * 7168


def test_stored_mailboxes_survive_kill_9_and_a_restart_on_the_same_store(tmp_path: Path) -> None:
    store = tmp_path / "mailboxes.sqlite"
    first = start_process("--store", str(store), "--long-poll", "0")
    try:
        assert gateway(first.served, first.served.seal("POST", mailbox(1), PAYLOAD)) == (200, b"")
    finally:
        assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    second = start_process("--store", str(store), "--long-poll", "0")
    try:
        assert second.served.keys == first.served.keys  # the same --seed, the same gateway key
        assert gateway(second.served, second.served.seal("GET", mailbox(1))) == (200, PAYLOAD)
        assert gateway(second.served, second.served.seal("GET", mailbox(2))) == (202, b"")
    finally:
        assert second.stop() == 0


def test_sigterm_answers_the_long_polls_in_flight_closes_the_store_and_exits_0(
    tmp_path: Path,
) -> None:
    store = tmp_path / "mailboxes.sqlite"
    running = start_process("--store", str(store), "--long-poll", "60")
    answers: list[tuple[int, bytes]] = []
    held = threading.Thread(
        target=lambda: answers.append(
            gateway(running.served, running.served.seal("GET", mailbox(3)))
        )
    )
    held.start()
    time.sleep(0.5)  # the GET is waiting on the empty mailbox by now
    gateway(running.served, running.served.seal("POST", mailbox(4), PAYLOAD))  # a served request
    assert running.stop(signal.SIGTERM, timeout=20) == 0
    held.join(5)
    assert answers == [(202, b"")]
    assert running.proc.stderr is not None
    events = [json.loads(line)["event"] for line in running.proc.stderr.read().splitlines()]
    assert events[-2:] == ["stopping", "stopped"] or events[-1] == "stopped"
    assert not Path(f"{store}-wal").exists() or Path(f"{store}-wal").stat().st_size == 0
    with sqlite3.connect(store) as db:  # closed cleanly: readable, the POST is in it
        assert db.execute("SELECT count(*) FROM mailboxes").fetchone() == (1,)


def _serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pjconf.harness", "directory", "serve", *args],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
        check=False,
    )


def test_a_store_that_cannot_be_opened_or_a_bad_key_file_exits_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    bad_store = _serve("--seed", SEED, "--store", str(blocker / "mailboxes.sqlite"))
    assert bad_store.returncode == 2
    assert "cannot open the mailbox store" in bad_store.stderr
    assert "Traceback" not in bad_store.stderr
    key = tmp_path / "key"
    key.write_text("zz")
    bad_key = _serve("--key-file", str(key))
    assert bad_key.returncode == 2
    assert "bad --key-file" in bad_key.stderr
