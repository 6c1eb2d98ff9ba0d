"""How the harness talks to an implementation under test, wherever it runs.

Every runner (in-process reference, a local command, later a Docker container) is a
:class:`Client`: ``call(op, args)`` returns a :class:`Reply` and never raises for anything the
implementation does. A crash, a timeout, bad JSON, a wrong id, a line longer than the line limit,
bytes that are not UTF-8, or JSON nested deeper or holding longer numbers than
:class:`~pjconf.protocol.limits.Limits` allow becomes a ``malfunction`` reply at once (the harness
reports ERROR), and the next call restarts the process.

An adapter whose ``hello`` announces ``"respawn": true`` is crashed in place:
:meth:`LineClient.kill` sends it ``pjconf.respawn`` and its supervisor SIGKILLs the adapter
process and starts a fresh one (docs/adapter-protocol.md, "Respawn"): a restart, minus
starting the container or process around the adapter.

A local adapter runs in a process group of its own and is killed as a group (``os.killpg``) on
every timeout, malfunction and exit, so an adapter started through a wrapper script leaves no
children behind; a :class:`~pjconf.harness.implementations.watchdog.Watchdog` kills the group
even if the harness itself is killed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import queue
import shlex
import signal
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol, cast, runtime_checkable

from pjconf.harness.excerpt import excerpt
from pjconf.harness.implementations.pump import Item, LineQueue
from pjconf.harness.implementations.watchdog import Watchdog
from pjconf.protocol.limits import DEFAULT_LIMITS, LimitExceeded, Limits, decode_json
from pjconf.protocol.lines import CHUNK, Oversized
from pjconf.protocol.wire import JsonObject, Request, encode_line

ReplyKind = Literal["result", "error", "unimplemented", "malfunction"]

RESPAWN_OP = "pjconf.respawn"
"""The control op of the respawn extension: the adapter's supervisor kills and replaces it."""

SHUTDOWN_GRACE = 2.0
"""Seconds an adapter gets to answer ``shutdown`` before it is killed (nothing is judged then)."""


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
        got = excerpt(repr(response_id), 80)
        return Reply("malfunction", {"message": f"response id {got} != {request_id}"})
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


@runtime_checkable
class Abortable(Protocol):
    """A client another thread can stop at once (a signal, a deadline)."""

    def abort(self, reason: str) -> None: ...


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
        try:
            answer = decode_json(encode_line(response))
        except (ValueError, TypeError, RecursionError) as exc:
            return Reply("malfunction", {"message": f"answer cannot be encoded: {exc}"})
        return classify(answer, self._next_id)

    def close(self) -> None:
        return None


class Channel(Protocol):
    """A running adapter: request lines go in, answer lines come out on ``lines``."""

    lines: LineQueue

    def send(self, line: bytes) -> None:
        """Write one request line; OSError if the adapter can no longer read."""
        ...

    def kill(self) -> None:
        """Stop the adapter now and release what it holds (safe to call twice, from any
        thread)."""
        ...


def request_line(request: JsonObject) -> bytes:
    """One request as UTF-8; a string no UTF-8 can carry (a lone surrogate) goes ``\\u``
    escaped."""
    try:
        return (encode_line(request) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(request, separators=(",", ":")) + "\n").encode("ascii")


class LineClient:
    """The protocol over any :class:`Channel`: one request, one answer line, within a timeout.

    The channel is opened on first use and again after any malfunction, so one crash, hang or
    garbled answer costs one ERROR and the run goes on. ``restarts`` counts the reopenings.
    :meth:`abort` (from any thread) kills the adapter and makes every later call a malfunction
    at once, so a stopped run does not wait on it.
    """

    def __init__(
        self,
        open_channel: Callable[[], Channel],
        *,
        timeout: float,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self._open_channel = open_channel
        self.timeout = timeout
        self.limits = limits
        self._channel: Channel | None = None
        self._lock = threading.Lock()
        self._stopped = ""
        self._next_id = 0
        self._ever_started = False
        self.restarts = 0
        """How many times the adapter had to be started again after dying or being killed."""
        self.respawn = False
        """Whether :meth:`kill` asks the adapter's supervisor to respawn it (its ``hello``
        announced ``respawn``; see :meth:`adopt_hello`)."""
        self.respawns = 0
        """How many crashes were respawns (no restart of the process or container)."""

    def _drop(self, channel: Channel) -> None:
        with self._lock:
            if self._channel is channel:
                self._channel = None
        channel.kill()

    def _malfunction(self, channel: Channel, message: str) -> Reply:
        self._drop(channel)
        return Reply("malfunction", {"message": message})

    def _channel_for_call(self) -> Channel | Reply:
        with self._lock:
            if self._stopped:
                return Reply("malfunction", {"message": self._stopped})
            if self._channel is None:
                if self._ever_started:
                    self.restarts += 1
                try:
                    self._channel = self._open_channel()
                except OSError as exc:
                    return Reply("malfunction", {"message": f"cannot start the adapter: {exc}"})
                self._ever_started = True
            return self._channel

    def call(self, op: str, args: JsonObject) -> Reply:
        reply = self._call(op, args, self.timeout)
        if op == "hello" and reply.kind == "result":
            self.adopt_hello(reply.value)
        return reply

    def adopt_hello(self, hello: JsonObject) -> None:
        """Use what ``hello`` announced: ``respawn``. A ``-j`` run's extra adapters of the same
        implementation are told the first one's hello rather than asked again."""
        self.respawn = hello.get("respawn") is True

    def _call(self, op: str, args: JsonObject, timeout: float) -> Reply:
        channel = self._channel_for_call()
        if isinstance(channel, Reply):
            return channel
        self._next_id += 1
        try:
            channel.send(request_line({"id": self._next_id, "op": op, "args": args}))
        except OSError as exc:
            return self._malfunction(channel, f"adapter stdin closed: {exc}")
        try:
            item = channel.lines.get(timeout)
        except queue.Empty:
            return self._malfunction(channel, f"no answer within {timeout:g}s")
        reply = self._reply(item)
        if reply.kind == "malfunction":
            return self._malfunction(channel, str(reply.value["message"]))
        return reply

    def _reply(self, item: Item) -> Reply:
        """What one answer line says, within the limits; never raises."""
        if item is None:
            return Reply("malfunction", {"message": "adapter exited without answering"})
        if isinstance(item, Oversized):
            return Reply("malfunction", {"message": f"answer {item}"})
        try:
            text = item.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = f"byte {item[exc.start]:#04x} at offset {exc.start}"
            return Reply("malfunction", {"message": f"answer is not UTF-8 ({bad})"})
        try:
            response = decode_json(text, self.limits)
        except LimitExceeded as exc:
            return Reply("malfunction", {"message": f"answer {exc}"})
        except ValueError:
            return Reply("malfunction", {"message": f"answer is not JSON: {excerpt(text, 200)}"})
        return classify(response, self._next_id)

    def abort(self, reason: str) -> None:
        """Kill the adapter now; this and every later call is a malfunction saying ``reason``."""
        with self._lock:
            self._stopped = reason or "stopped"
            channel, self._channel = self._channel, None
        if channel is not None:
            channel.kill()

    def kill(self) -> None:
        """Kill the adapter without a shutdown (a crash); the next request starts it again.

        With ``respawn``, the adapter's supervisor kills it (SIGKILL) and starts a fresh one
        in the same process group or container, and the channel stays open. Any other answer
        to ``pjconf.respawn`` (an error, none in time) ends respawning for this client and
        the crash is a restart, as without the extension."""
        if self.respawn and self._respawned():
            return
        self._kill_channel()

    def _kill_channel(self) -> None:
        with self._lock:
            channel, self._channel = self._channel, None
        if channel is not None:
            channel.kill()

    def _respawned(self) -> bool:
        with self._lock:
            running = self._channel is not None and not self._stopped
        if not running:
            return False  # nothing to respawn: the next call starts the adapter anyway
        reply = self._call(RESPAWN_OP, {}, self.timeout)
        if reply.kind == "result" and reply.value.get("respawned") is True:
            self.respawns += 1
            return True
        self.respawn = False
        return False

    def close(self) -> None:
        """``shutdown`` (briefly awaited), then the adapter is killed whatever it answered."""
        with self._lock:
            running = self._channel is not None and not self._stopped
        if running:
            self._call("shutdown", {}, min(self.timeout, SHUTDOWN_GRACE))
        self._kill_channel()


class _ProcessChannel:
    """A local adapter process, leading a process group of its own."""

    def __init__(self, command: list[str], limits: Limits, watchdog: Watchdog) -> None:
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if os.environ.get("PJCONF_ADAPTER_STDERR") else subprocess.DEVNULL,
            start_new_session=True,
        )
        self._watchdog = watchdog
        watchdog.guard_group(self._process.pid)
        self.lines = LineQueue(limits.max_line_bytes)
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        stdout = cast(io.BufferedReader, self._process.stdout)
        try:
            while chunk := stdout.read1(CHUNK):
                if not self.lines.feed(chunk):
                    return
        except (OSError, ValueError):
            pass  # the pipe was closed under us: the end of the output
        finally:
            with contextlib.suppress(OSError):
                stdout.close()
        self.lines.end()

    def send(self, line: bytes) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            stdin.write(line)
            stdin.flush()
        except ValueError as exc:  # closed by a concurrent kill
            raise OSError(str(exc)) from None

    def kill(self) -> None:
        self.lines.close()
        # The group id is the leader's pid, which cannot be reused before the leader is reaped
        # (below), so this never signals a stranger.
        with contextlib.suppress(OSError):
            os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait()
        self._watchdog.release_group(self._process.pid)
        if self._process.stdin is not None:
            with contextlib.suppress(OSError, ValueError):
                self._process.stdin.close()


class ProcessClient(LineClient):
    """An adapter process speaking the protocol on stdin/stdout (``--impl cmd:<command>``)."""

    def __init__(
        self, command: list[str] | str, *, timeout: float = 10.0, limits: Limits = DEFAULT_LIMITS
    ) -> None:
        self.command = shlex.split(command) if isinstance(command, str) else list(command)
        self._watchdog = Watchdog()
        super().__init__(
            lambda: _ProcessChannel(self.command, limits, self._watchdog),
            timeout=timeout,
            limits=limits,
        )

    def close(self) -> None:
        super().close()
        self._watchdog.close()
