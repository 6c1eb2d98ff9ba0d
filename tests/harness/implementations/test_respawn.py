"""The respawn extension from the harness's side, against real processes: ``pjconf shim
--supervise`` (a supervisor over a child ``pjconf shim``) and small scripted adapters.

A crash through ``pjconf.respawn`` must stay a crash: the child process that held the session is
SIGKILLed and gone, a new one knows nothing of it, and the crash-resume cases pass with no
restart of the process the harness started. An adapter that announces the extension but does
not deliver costs a restart, never a wrong verdict.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from pjconf.harness.corpus.load import Case, load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.implementations.client import ProcessClient
from pjconf.harness.implementations.reference import sender_payment
from pjconf.harness.run.runner import run
from pjconf.harness.sessions.drive import driver_for

SUPERVISED = [sys.executable, "-m", "pjconf.harness", "shim", "--supervise"]

BROKEN_PROMISE = r"""
import json, sys
for line in sys.stdin:
    req = json.loads(line)
    if req["op"] == "hello":
        result = {"protocol": 1, "implementation": "promises", "version": "0", "respawn": True}
        answer = {"id": req["id"], "result": result}
    elif req["op"] == "pjconf.respawn":
        answer = {"id": req["id"], "error": {"kind": "InternalError", "message": "cannot"}}
    else:
        answer = {"id": req["id"], "result": {"pid": __import__("os").getpid()}}
    print(json.dumps(answer), flush=True)
"""


def _children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (Linux's /proc children lists)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _gone(pid: int) -> bool:
    """Whether ``pid`` has exited and been reaped (a zombie still holds its pid)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in status


def _adapter_pid(client: ProcessClient) -> int:
    channel = client._channel  # the running process, as a test may look at it
    assert channel is not None
    pid: int = channel._process.pid  # type: ignore[attr-defined]
    return pid


def test_a_respawn_kills_the_child_and_its_sessions_with_it() -> None:
    client = ProcessClient(SUPERVISED, timeout=30)
    try:
        hello = client.call("hello", {})
        assert hello.kind == "result"
        assert hello.value["respawn"] is True
        assert client.respawn
        seed = "pjconf/test-respawn"
        driver = driver_for(client, "receiver", seed, sender_payment(f"{seed}/payment", "p2wpkh"))
        driver.new_receiver()
        handle = driver.handles["receiver"]
        assert client.call("session.events", {"handle": handle}).kind == "result"
        supervisor = _adapter_pid(client)
        [before] = _children(supervisor)

        client.kill()  # the crash a crash-resume case makes at a persistence point

        assert (client.respawns, client.restarts) == (1, 0)
        assert _adapter_pid(client) == supervisor  # the process the harness started lives on
        assert _gone(before)  # the child that held the session was killed and reaped
        [after] = _children(supervisor)
        assert after != before
        lost = client.call("session.events", {"handle": handle})
        assert lost.kind == "error", lost  # the new child never heard of that session
        assert client.call("hello", {}).value["respawn"] is True
    finally:
        client.close()


def test_closing_a_supervised_adapter_leaves_no_process() -> None:
    client = ProcessClient(SUPERVISED, timeout=30)
    assert client.call("hello", {}).kind == "result"
    client.kill()
    supervisor = _adapter_pid(client)
    [child] = _children(supervisor)
    client.close()
    deadline = time.monotonic() + 10
    while not (_gone(supervisor) and _gone(child)):
        assert time.monotonic() < deadline, "the supervisor or its child outlived close()"
        time.sleep(0.05)


def test_an_adapter_that_does_not_keep_its_promise_is_restarted(tmp_path: Path) -> None:
    script = tmp_path / "promises.py"
    script.write_text(BROKEN_PROMISE)
    client = ProcessClient([sys.executable, str(script)], timeout=10)
    try:
        assert client.call("hello", {}).kind == "result"
        assert client.respawn
        first = client.call("ping", {}).value["pid"]
        client.kill()  # pjconf.respawn answered with an error: a restart instead
        assert not client.respawn  # and no second try
        assert client.call("ping", {}).value["pid"] != first
        assert (client.respawns, client.restarts) == (0, 1)
        assert _gone(first)
    finally:
        client.close()


def test_without_the_announcement_a_crash_is_a_restart() -> None:
    """``pjconf shim`` alone does not announce respawn: the client never sends the op."""
    client = ProcessClient([sys.executable, "-m", "pjconf.harness", "shim"], timeout=30)
    try:
        hello = client.call("hello", {})
        assert "respawn" not in hello.value
        assert not client.respawn
        first = _adapter_pid(client)
        client.kill()
        assert client.call("hello", {}).kind == "result"
        assert _adapter_pid(client) != first
        assert client.restarts == 1
        assert client.respawns == 0
    finally:
        client.close()


def _crash_cases(*names: str) -> list[Case]:
    by_name = {c.name: c for c in load_corpus(vectors_dir())}
    return [by_name[n] for n in names]


def test_crash_resume_cases_pass_on_respawns_alone() -> None:
    """The crash-resume sessions against supervised adapters: every crash a respawn, none a
    restart, and each worker's respawns are its own cases' crashes (the hello of the first
    adapter tells the others, as ``pjconf run -j`` does)."""
    chosen = _crash_cases("sessions/53", "sessions/54")
    workers = 2
    clients = [ProcessClient(SUPERVISED, timeout=30) for _ in range(workers)]
    try:
        hello = clients[0].call("hello", {})
        for helper in clients[1:]:
            helper.adopt_hello(hello.value)
        result = run(clients[0], chosen, helpers=clients[1:])
    finally:
        for client in clients:
            client.close()
    assert [o.verdict.value for o in result.outcomes] == ["PASS", "PASS"], result.outcomes
    expected = sum(int((c.expected or {})["restarts"]) for c in chosen)
    assert sum(c.respawns for c in clients) == expected
    assert [c.restarts for c in clients] == [0] * workers
    assert all(c.respawns for c in clients)  # with two workers, each had one crash case


def test_the_supervisor_ends_with_its_child(tmp_path: Path) -> None:
    """A child that dies on its own (not respawned) ends the supervisor: the harness sees the
    adapter exit, as it would without a supervisor."""
    client = ProcessClient(SUPERVISED, timeout=30)
    try:
        assert client.call("hello", {}).kind == "result"
        supervisor = _adapter_pid(client)
        [child] = _children(supervisor)
        os.kill(child, 9)
        reply = client.call("hello", {})
        assert reply.kind == "malfunction", reply
        deadline = time.monotonic() + 10
        while not _gone(supervisor):
            assert time.monotonic() < deadline, "the supervisor outlived its child"
            time.sleep(0.05)
    finally:
        client.close()
