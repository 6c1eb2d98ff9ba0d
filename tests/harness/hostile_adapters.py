"""Adapters that misbehave in one way each, for the runner's robustness tests (issue 12).

Each is a small real Python process written into the test's ``tmp_path``: it answers ``hello``
and ``ping`` properly (so a test can tell that the harness recovered) and misbehaves on every
other request in the way its name says. ``pids`` files record the pids of every process started,
so a test can check that none survives.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ADAPTER = r"""
import json, os, subprocess, sys, time
MODE = sys.argv[1]
started = [os.getpid()]
if MODE == "leaves_helper":  # a helper process that outlives a clean shutdown
    helper = [sys.executable, "-c", "import time; time.sleep(3600)"]
    started.append(subprocess.Popen(helper, stdin=subprocess.DEVNULL).pid)
if len(sys.argv) > 2:
    with open(sys.argv[2], "a") as pids:
        pids.write("".join(f"{pid}\n" for pid in started))
out = sys.stdout.buffer
def send(data):
    out.write(data)
    out.flush()
for line in sys.stdin.buffer:
    req = json.loads(line)
    rid = req["id"]
    if req["op"] in ("hello", "ping", "shutdown"):
        result = {"protocol": 1, "implementation": "hostile-" + MODE, "version": "0"}
        send(json.dumps({"id": rid, "result": result if req["op"] == "hello" else {}}).encode())
        send(b"\n")
        if req["op"] == "shutdown":
            break
        continue
    if MODE == "deep_json":
        send(b'{"id":%d,"result":{"x":' % rid + b"[" * 100_000 + b"]" * 100_000 + b"}}\n")
    elif MODE == "huge_integer":
        send(b'{"id":%d,"result":{"x":%s}}\n' % (rid, b"9" * 5000))
    elif MODE == "endless_line":
        chunk = b"x" * 65536
        while True:
            send(chunk)
    elif MODE == "eight_mib_answers":
        send(b'{"id":%d,"result":{"x":"' % rid + b"a" * (8 << 20) + b'"}}\n')
    elif MODE == "not_utf8":
        send(b'{"id":%d,"result":{"x":"\xff\xfe"}}\n' % rid)
    elif MODE == "big_but_allowed":
        send(b'{"id":%d,"result":{"x":"' % rid + b"b" * (1 << 20) + b'"}}\n')
    elif MODE == "hang_after_hello":
        time.sleep(3600)
    elif MODE == "deaf_to_eof":
        os.close(0)
        while True:
            time.sleep(1)
"""

MISBEHAVIOURS = (
    "deep_json",
    "huge_integer",
    "endless_line",
    "eight_mib_answers",
    "not_utf8",
    "hang_after_hello",
)
"""One per class the review found; each must be one ERROR per case, never a crash."""

WRAPPER = """#!/bin/sh
# A wrapper that does not exec: the adapter runs as its child, in its process group.
echo $$ >> "$2"
{python} {adapter} "$@"
"""


def adapter_script(tmp_path: Path) -> Path:
    script = tmp_path / "hostile_adapter.py"
    script.write_text(ADAPTER)
    return script


def command(tmp_path: Path, mode: str, *, pids: Path | None = None) -> list[str]:
    """The command line of the ``mode`` adapter (recording pids in ``pids`` if given)."""
    extra = [str(pids)] if pids is not None else []
    return [sys.executable, str(adapter_script(tmp_path)), mode, *extra]


def wrapper(tmp_path: Path, mode: str, pids: Path) -> list[str]:
    """A shell script that starts the ``mode`` adapter as its child (not ``exec``): killing only
    the shell would orphan the adapter."""
    script = tmp_path / "wrapper.sh"
    script.write_text(WRAPPER.format(python=sys.executable, adapter=adapter_script(tmp_path)))
    script.chmod(0o755)
    return [str(script), mode, str(pids)]


def alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a zombie waiting for its reaper is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return not Path("/proc").is_dir()
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def survivors(pids: Path) -> list[int]:
    """The recorded pids still running."""
    if not pids.exists():
        return []
    return [pid for pid in map(int, pids.read_text().split()) if alive(pid)]
