"""``pjconf shim --supervise``: the respawn extension (docs/adapter-protocol.md, "Respawn") for
any adapter command, the reference's among them.

A supervisor sits between the harness and a child adapter process. It copies request lines to
the child and the child's answer lines back, unchanged but for two things: it answers
``pjconf.respawn`` itself, by SIGKILLing the child, reaping it and starting a fresh one, and it
adds ``"respawn": true`` to the child's ``hello`` answer, since it is the supervisor that makes
the promise. The crash stays real (the old process and all it held in memory are gone); what
is saved is whatever the harness would spend to start the container or process around it.

The supervisor keeps no protocol state beyond the ids of pending ``hello`` requests. When the
child ends on its own (``shutdown``, end of input, a crash nobody asked for) the supervisor
ends too, so the harness sees the adapter exit as it would without one.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import threading
from typing import BinaryIO

RESPAWN_OP = "pjconf.respawn"
PIECE = 1 << 20
"""Bytes read at most at once: a longer line is relayed in pieces, unparsed (memory stays
bounded; the child judges the line, as it would unsupervised)."""


class _Child:
    """One child adapter process and the thread relaying its answers."""

    def __init__(self, command: list[str], supervisor: Supervisor, generation: int) -> None:
        # Same process group as the supervisor: a harness that kills the group kills both.
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.relay = threading.Thread(
            target=supervisor.relay, args=(self.process, generation), daemon=True
        )
        self.relay.start()

    def send(self, line: bytes) -> bool:
        stdin = self.process.stdin
        assert stdin is not None
        try:
            stdin.write(line)
            stdin.flush()
        except (OSError, ValueError):
            return False
        return True

    def kill(self) -> None:
        """SIGKILL, reap, and wait until every answer it wrote has been relayed."""
        self.process.kill()
        self.process.wait()
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        self.relay.join()


class Supervisor:
    """Relays one stdin/stdout pair to a child adapter that it respawns on request."""

    def __init__(self, command: list[str], stdout: BinaryIO) -> None:
        self._command = command
        self._stdout = stdout
        self._write_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._generation = 0
        self._pending_hellos: set[int] = set()
        self.respawns = 0

    def _write(self, line: bytes) -> None:
        with self._write_lock:
            try:
                self._stdout.write(line)
                self._stdout.flush()
            except (OSError, ValueError):
                os._exit(0)  # nobody reads us any more

    def relay(self, process: subprocess.Popen[bytes], generation: int) -> None:
        """The child's answers to our stdout; the child's own end is the supervisor's end."""
        assert process.stdout is not None
        whole = True  # the piece read next starts a line
        while piece := process.stdout.readline(PIECE):
            self._write(self._announced(piece) if whole and piece.endswith(b"\n") else piece)
            whole = piece.endswith(b"\n")
        with self._state_lock:
            current = generation == self._generation
        if current:
            process.wait()
            os._exit(0)

    def _announced(self, line: bytes) -> bytes:
        """``line`` with ``respawn: true`` in it when it answers a pending ``hello``."""
        with self._state_lock:
            if not self._pending_hellos:
                return line
        try:
            answer = json.loads(line)
        except ValueError:
            return line
        if not isinstance(answer, dict) or type(answer.get("id")) is not int:
            return line
        with self._state_lock:
            if answer["id"] not in self._pending_hellos:
                return line
            self._pending_hellos.discard(answer["id"])
        if not isinstance(answer.get("result"), dict):
            return line
        answer["result"]["respawn"] = True
        return json.dumps(answer, separators=(",", ":")).encode("utf-8") + b"\n"

    def _note_request(self, line: bytes) -> int | None:
        """The id of ``line`` when it is a ``pjconf.respawn`` request (it is then ours to
        answer); notes a ``hello`` request's id. Only lines naming either op are parsed."""
        if b"hello" not in line and RESPAWN_OP.encode() not in line:
            return None
        try:
            request = json.loads(line)
        except ValueError:
            return None
        if not isinstance(request, dict) or type(request.get("id")) is not int:
            return None  # not a valid request: the child answers it as such
        if request.get("op") == "hello":
            with self._state_lock:
                self._pending_hellos.add(request["id"])
        return request["id"] if request.get("op") == RESPAWN_OP else None

    def serve(self, stdin: BinaryIO) -> int:
        child = _Child(self._command, self, self._generation)
        whole = True
        while line := stdin.readline(PIECE):
            complete = whole and line.endswith(b"\n")
            whole = line.endswith(b"\n")
            respawn_id = self._note_request(line) if complete else None
            if respawn_id is None:
                if not child.send(line):
                    break  # the child is gone: its relay ends the supervisor
                continue
            with self._state_lock:
                self._generation += 1
                self._pending_hellos.clear()
            child.kill()
            child = _Child(self._command, self, self._generation)
            self.respawns += 1
            answer = {"id": respawn_id, "result": {"respawned": True, "respawns": self.respawns}}
            self._write(json.dumps(answer, separators=(",", ":")).encode("utf-8") + b"\n")
        # End of input: the child's too; it exits as it would unsupervised, and so do we.
        with contextlib.suppress(OSError):
            if child.process.stdin is not None:
                child.process.stdin.close()
        child.relay.join()
        return child.process.wait()


def supervise(command: list[str], stdin: BinaryIO, stdout: BinaryIO) -> int:
    """Serve ``command`` (an adapter) on ``stdin``/``stdout`` with respawns; its exit status."""
    return Supervisor(command, stdout).serve(stdin)
