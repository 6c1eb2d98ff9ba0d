"""A misbehaving adapter process is an ERROR for that case, never a crash of the harness.

Each fake adapter below is a tiny real Python process misbehaving in one way; the client must
report a malfunction, restart the process on the next call, and go on.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from pjconf.harness.implementations.client import ProcessClient

ECHO_THEN = """
import json, sys, time
for n, line in enumerate(sys.stdin):
    req = json.loads(line)
    if req["op"] == "shutdown":
        print(json.dumps({{"id": req["id"], "result": {{}}}}), flush=True); break
    if req["op"] == "misbehave":
        {action}
    print(json.dumps({{"id": req["id"], "result": {{"op": req["op"]}}}}), flush=True)
"""

ACTIONS = {
    "crash": "sys.exit(3)",
    "hang": "time.sleep(30)",
    "garbage": "print('this is not json', flush=True); continue",
    "wrong_id": "print(json.dumps({'id': -1, 'result': {}}), flush=True); continue",
    "no_shape": "print(json.dumps({'id': req['id']}), flush=True); continue",
}


def _adapter(tmp_path: Path, action: str) -> ProcessClient:
    script = tmp_path / f"{action}.py"
    script.write_text(textwrap.dedent(ECHO_THEN.format(action=ACTIONS[action])))
    return ProcessClient([sys.executable, str(script)], timeout=1.0)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_misbehaviour_is_a_malfunction_and_the_next_call_works(tmp_path: Path, action: str) -> None:
    client = _adapter(tmp_path, action)
    try:
        assert client.call("ping", {}).kind == "result"
        bad = client.call("misbehave", {})
        assert bad.kind == "malfunction", bad
        after = client.call("ping", {})
        assert after.kind == "result"
        assert after.value == {"op": "ping"}
    finally:
        client.close()


def test_a_dead_process_is_restarted_and_counted(tmp_path: Path) -> None:
    client = _adapter(tmp_path, "crash")
    try:
        client.call("misbehave", {})
        client.call("ping", {})
        assert client.restarts == 1
    finally:
        client.close()


def test_a_missing_command_is_a_malfunction_not_an_exception(tmp_path: Path) -> None:
    client = ProcessClient([sys.executable, str(tmp_path / "absent.py")], timeout=1.0)
    assert client.call("hello", {}).kind == "malfunction"
    client.close()


def test_kill_is_a_crash_the_next_call_recovers_from(tmp_path: Path) -> None:
    """``kill`` (the driver's crash at a persistence point) sends no shutdown: the process dies
    with its memory, and the next call starts a new one."""
    client = _adapter(tmp_path, "crash")
    try:
        assert client.call("ping", {}).kind == "result"
        client.kill()
        client.kill()  # killing a dead adapter is harmless
        assert client.call("ping", {}).value == {"op": "ping"}
        assert client.restarts == 1
    finally:
        client.close()
