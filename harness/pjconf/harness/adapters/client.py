"""How the harness talks to an implementation under test, wherever it runs.

Every runner (in-process reference, a local command, later a Docker container) is a
:class:`Client`: ``call(op, args)`` returns a :class:`Reply` and never raises for anything the
implementation does. A crash, a timeout, bad JSON or a wrong id becomes a ``malfunction`` reply
(the harness reports ERROR), and the next call restarts the process.
"""

from __future__ import annotations

import json
import os
import queue
import shlex
import subprocess
import threading
from dataclasses import dataclass
from typing import Literal, Protocol

from pjconf.harness.adapters.base import InProcessAdapter
from pjconf.harness.protocol import JsonObject, Request, encode_line

ReplyKind = Literal["result", "error", "unimplemented", "malfunction"]


@dataclass(frozen=True)
class Reply:
    kind: ReplyKind
    value: JsonObject
    """The result object, the error object, or ``{"message": ...}``."""


def classify(response: object, request_id: int) -> Reply:
    """Turn a decoded response into a :class:`Reply`, enforcing the protocol's shapes."""
    if not isinstance(response, dict):
        return Reply("malfunction", {"message": "response is not a JSON object"})
    if response.get("id") != request_id:
        return Reply(
            "malfunction", {"message": f"response id {response.get('id')!r} != {request_id}"}
        )
    if response.get("unimplemented") is True:
        return Reply("unimplemented", {"message": str(response.get("message", ""))})
    if isinstance(response.get("result"), dict):
        return Reply("result", response["result"])
    err = response.get("error")
    if isinstance(err, dict) and isinstance(err.get("kind"), str):
        return Reply("error", err)
    return Reply("malfunction", {"message": "response has no result, error or unimplemented"})


class Client(Protocol):
    """One implementation under test."""

    def call(self, op: str, args: JsonObject) -> Reply: ...

    def close(self) -> None: ...


class InProcessClient:
    """The reference (or any :class:`InProcessAdapter`) called directly, with no pipe."""

    def __init__(self, adapter: InProcessAdapter) -> None:
        self._adapter = adapter
        self._next_id = 0

    def call(self, op: str, args: JsonObject) -> Reply:
        self._next_id += 1
        # Round-trip through JSON so an in-process run sees exactly what a pipe would carry.
        request = json.loads(encode_line({"id": self._next_id, "op": op, "args": args}))
        response = self._adapter.handle(Request(self._next_id, op, request["args"]))
        return classify(json.loads(encode_line(response)), self._next_id)

    def close(self) -> None:
        return None


class ProcessClient:
    """An adapter process speaking the protocol on stdin/stdout (``--impl cmd:<command>``)."""

    def __init__(self, command: list[str] | str, *, timeout: float = 10.0) -> None:
        self.command = shlex.split(command) if isinstance(command, str) else list(command)
        self.timeout = timeout
        self._process: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._next_id = 0
        self._ever_started = False
        self.restarts = 0
        """How many times the process had to be started again after dying or being killed."""

    def _start(self) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if os.environ.get("PJCONF_ADAPTER_STDERR") else subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        self._lines = queue.Queue()
        threading.Thread(target=self._pump, args=(process, self._lines), daemon=True).start()
        return process

    @staticmethod
    def _pump(process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    def call(self, op: str, args: JsonObject) -> Reply:
        if self._process is None or self._process.poll() is not None:
            if self._ever_started:
                self.restarts += 1
            self._process = self._start()
            self._ever_started = True
        self._next_id += 1
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(
                encode_line({"id": self._next_id, "op": op, "args": args}) + "\n"
            )
            self._process.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            self._kill()
            return Reply("malfunction", {"message": f"adapter stdin closed: {exc}"})
        try:
            line = self._lines.get(timeout=self.timeout)
        except queue.Empty:
            self._kill()
            return Reply("malfunction", {"message": f"no answer within {self.timeout:g}s"})
        if line is None:
            self._kill()
            return Reply("malfunction", {"message": "adapter exited without answering"})
        try:
            response = json.loads(line)
        except json.JSONDecodeError:
            self._kill()
            return Reply("malfunction", {"message": f"answer is not JSON: {line[:200]!r}"})
        return classify(response, self._next_id)

    def close(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            try:
                self.call("shutdown", {})
                self._process.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                pass
        self._kill()
