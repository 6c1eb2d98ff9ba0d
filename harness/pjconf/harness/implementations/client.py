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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from pjconf.protocol.wire import JsonObject, Request, encode_line

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
    response_id = response.get("id")
    # Exactly the integer sent: JSON's 1.0 or true compare equal to 1 in Python, not on the wire.
    if type(response_id) is not int or response_id != request_id:
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


class Handles(Protocol):
    """An adapter living in this process: one parsed request in, one answer object out."""

    def handle(self, request: Request) -> JsonObject: ...


class InProcessClient:
    """An adapter in this process (the reference's), called directly with no pipe."""

    def __init__(self, adapter: Handles) -> None:
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


class Channel(Protocol):
    """A running adapter: lines go in, answer lines come out on ``lines`` (None at its end)."""

    lines: queue.Queue[str | None]

    def send(self, line: str) -> None:
        """Write one request line; OSError if the adapter can no longer read."""
        ...

    def kill(self) -> None:
        """Stop the adapter now and release what it holds."""
        ...


class LineClient:
    """The protocol over any :class:`Channel`: one request, one answer line, within a timeout.

    The channel is opened on first use and again after any malfunction, so one crash, hang or
    garbled answer costs one ERROR and the run goes on. ``restarts`` counts the reopenings.
    """

    def __init__(self, open_channel: Callable[[], Channel], *, timeout: float) -> None:
        self._open_channel = open_channel
        self.timeout = timeout
        self._channel: Channel | None = None
        self._next_id = 0
        self._ever_started = False
        self.restarts = 0
        """How many times the adapter had to be started again after dying or being killed."""

    def _malfunction(self, message: str) -> Reply:
        if self._channel is not None:
            self._channel.kill()
            self._channel = None
        return Reply("malfunction", {"message": message})

    def call(self, op: str, args: JsonObject) -> Reply:
        if self._channel is None:
            if self._ever_started:
                self.restarts += 1
            try:
                self._channel = self._open_channel()
            except OSError as exc:
                return Reply("malfunction", {"message": f"cannot start the adapter: {exc}"})
            self._ever_started = True
        self._next_id += 1
        channel = self._channel
        try:
            channel.send(encode_line({"id": self._next_id, "op": op, "args": args}) + "\n")
        except OSError as exc:
            return self._malfunction(f"adapter stdin closed: {exc}")
        try:
            line = channel.lines.get(timeout=self.timeout)
        except queue.Empty:
            return self._malfunction(f"no answer within {self.timeout:g}s")
        if line is None:
            return self._malfunction("adapter exited without answering")
        try:
            response = json.loads(line)
        except json.JSONDecodeError:
            return self._malfunction(f"answer is not JSON: {line[:200]!r}")
        reply = classify(response, self._next_id)
        if reply.kind == "malfunction":
            return self._malfunction(str(reply.value["message"]))
        return reply

    def kill(self) -> None:
        """Kill the adapter without a shutdown (a crash); the next request starts it again."""
        if self._channel is not None:
            self._channel.kill()
            self._channel = None

    def close(self) -> None:
        if self._channel is None:
            return
        self.call("shutdown", {})
        if self._channel is not None:
            self._channel.kill()
            self._channel = None


class _ProcessChannel:
    def __init__(self, command: list[str]) -> None:
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if os.environ.get("PJCONF_ADAPTER_STDERR") else subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def send(self, line: str) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(line)
        self._process.stdin.flush()

    def kill(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()


class ProcessClient(LineClient):
    """An adapter process speaking the protocol on stdin/stdout (``--impl cmd:<command>``)."""

    def __init__(self, command: list[str] | str, *, timeout: float = 10.0) -> None:
        self.command = shlex.split(command) if isinstance(command, str) else list(command)
        super().__init__(lambda: _ProcessChannel(self.command), timeout=timeout)
