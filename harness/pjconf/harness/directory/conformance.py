"""The ``directory`` family's implementation side: a directory URL answering cases over HTTP.

``pjconf run --directory URL`` runs the ``directory`` family through :class:`DirectoryClient`,
which looks to the runner like any other implementation (:class:`~pjconf.harness.
implementations.client.Client`): ``hello`` names the directory, and each case's op,
``directory.exchange``, is a list of HTTP steps the client sends and observes. So verdicts,
reports, reproduce lines and the witness rule are exactly ``pjconf run``'s.

A step is plain HTTP (``send: http``: method, path, headers, body) or an OHTTP request built at
run time (``send: ohttp``: the inner method, target path and body, sealed to the key
configuration the directory serves, then optionally damaged), sent to the gateway or through the
relay. ``$mailbox1``... in a target are fresh ShortIds drawn for each case, so a case never meets
what an earlier run left in a persistent directory. Every step but the last must match its
``expect``; the last is the case's answer:

- a result: what was observed (``status``, ``content_type``, ``length``, ``problem``,
  ``inner_status``, ``inner_body``, ``mailbox``, ``held``, ``key_config``);
- an error ``ClientError`` (a 4xx, outer or inner: ``layer``, ``status``, ``problem``): a
  refusal, what an ``invalid`` case expects;
- an error the checker never takes for a refusal (``ServerError``, ``BadAnswer``,
  ``DirectoryStepFailed``): a 5xx, an answer a client cannot open, a step that went wrong.

A directory that does not answer HTTP at all is a malfunction (ERROR), as a crashed adapter is.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pjconf.harness.directory.http_exchange import Answer, Unreachable, origin, send
from pjconf.harness.implementations.client import Reply
from pjconf.harness.implementations.reference import (
    PjconfError,
    RandomSource,
    SealedRequest,
    format_short_id,
    seal_target_request,
    usable_key_config,
)
from pjconf.protocol.wire import JsonObject

OP = "directory.exchange"
"""The op of every ``directory`` case: the harness's own, answered by :class:`DirectoryClient`."""
KEYS_PATH = "/.well-known/ohttp-gateway"
OHTTP_REQUEST_TYPE = "message/ohttp-req"
OHTTP_RESPONSE_TYPE = "message/ohttp-res"
PROBLEM_TYPE = "application/problem+json"
DEFAULT_LONG_POLL_MAX = 3.0
"""Seconds a held GET is given before the case takes "no answer yet" as the long poll holding."""
MAILBOXES = 3
"""``$mailbox1`` .. ``$mailbox3``: the fresh mailboxes one case may name."""

REFUSAL = "ClientError"
NOT_A_REFUSAL = ("ServerError", "BadAnswer", "DirectoryStepFailed")
"""Error kinds that report a broken directory or case, never a refusal (see the checker)."""


class DirectoryUnavailable(Exception):
    """The directory's key configuration could not be fetched: the run cannot start."""


@dataclass(frozen=True)
class DirectoryTarget:
    """Where the cases go: the directory, the relay in front of it (default: the directory,
    which is its own relay for ``pjconf directory serve`` and payjoin-mailroom), how long a
    held GET is given, and the timeout of one request."""

    directory: str
    relay: str | None = None
    long_poll_max: float = DEFAULT_LONG_POLL_MAX
    timeout: float = 10.0

    @property
    def base(self) -> str:
        return self.directory.rstrip("/")


class DirectoryClient:
    """The directory at ``target`` as a :class:`Client` of the ``directory`` family."""

    def __init__(self, target: DirectoryTarget, rng: RandomSource) -> None:
        self.target = target
        self.rng = rng
        try:
            answer = send(
                target.base,
                "GET",
                path=_path_prefix(target.base) + KEYS_PATH,
                headers={"Accept": "application/ohttp-keys"},
                body=b"",
                timeout=target.timeout,
            )
        except Unreachable as e:
            raise DirectoryUnavailable(f"directory {target.directory}: {e}") from None
        if answer.status != 200:
            raise DirectoryUnavailable(
                f"directory {target.directory}: GET {KEYS_PATH} answered {answer.status}"
            )
        self.keys = answer.body

    def call(self, op: str, args: JsonObject) -> Reply:
        if op == "hello":
            return Reply(
                "result",
                {"implementation": "directory", "version": self.target.directory, "ops": [OP]},
            )
        if op != OP:
            return Reply("unimplemented", {"message": f"a directory answers {OP} only"})
        try:
            return _Case(self, args).run()
        except Unreachable as e:
            return Reply("malfunction", {"message": str(e)})
        except (KeyError, TypeError, ValueError, IndexError) as e:
            return Reply("malfunction", {"message": f"malformed directory case: {e!r}"})

    def close(self) -> None:
        return None


class _StepFailed(Exception):
    """A step could not be sent as the case describes it (no usable key configuration)."""


class _Case:
    """One case's steps, with its own fresh mailboxes and background requests."""

    def __init__(self, client: DirectoryClient, args: JsonObject) -> None:
        self.client = client
        self.target = client.target
        self.steps: list[dict[str, Any]] = list(args["steps"])
        self.names: dict[str, str] = {}
        for i in range(1, MAILBOXES + 1):
            name = format_short_id(client.rng.random_bytes(8))
            self.names[f"$mailbox{i}"] = name
            self.names[f"$lowermailbox{i}"] = name.lower()
        self.background: dict[int, _Background] = {}

    def run(self) -> Reply:
        # Every request is built (and sealed, the slow part) before the first is sent, so the
        # delays between steps are the case's, not the time sealing took.
        prepared: list[_Request | None] = []
        for index, step in enumerate(self.steps):
            try:
                prepared.append(None if "join" in step else self._prepare(step))
            except _StepFailed as e:
                return _error("DirectoryStepFailed", f"step {index + 1}: {e}", {})
        observed: JsonObject = {}
        for index, (step, request) in enumerate(zip(self.steps, prepared, strict=True)):
            observed = self._step(index, step, request)
            if index < len(self.steps) - 1:
                wrong = {k: observed.get(k) for k, v in step.get("expect", {}).items()
                         if observed.get(k) != v}  # fmt: skip
                if wrong:
                    message = f"step {index + 1} gave {wrong}, expected {step['expect']}"
                    return _error("DirectoryStepFailed", message, observed)
        return _verdict(observed)

    def _step(self, index: int, step: dict[str, Any], request: _Request | None) -> JsonObject:
        if request is None:
            return self.background[int(step["join"])].result(
                self.target.timeout + self.target.long_poll_max
            )
        delay = float(step.get("delay", 0))
        if delay:
            threading.Event().wait(delay)
        if step.get("background"):
            self.background[index] = _Background(request.send)
            return {}
        return request.send()

    def _prepare(self, step: dict[str, Any]) -> _Request:
        sealed: SealedRequest | None = None
        if step["send"] == "ohttp":
            try:
                sealed = self._seal(step)
            except PjconfError as e:
                raise _StepFailed(f"cannot seal to the served key configuration: {e}") from None
            body = _damaged(sealed.body, step.get("damage"))
            method = "POST"
            headers = {"Content-Type": step.get("content_type", OHTTP_REQUEST_TYPE)}
        else:
            method = str(step["method"])
            body = bytes.fromhex(step.get("body", "")) + bytes(int(step.get("fill", 0)))
            headers = dict(step.get("headers", {}))
        if step.get("via") == "relay":
            url = (self.target.relay or self.target.directory).rstrip("/")
            gateway = step.get("gateway", "directory")
            named = origin(self.target.directory) if gateway == "directory" else str(gateway)
            path = f"{_path_prefix(url)}/{named}/"
        else:
            url = self.target.base
            default = KEYS_PATH if sealed is not None else "/"
            path = _path_prefix(url) + str(step.get("path", default))
        hold = step.get("hold")
        # A background GET is held while later steps wake it: its window is its own.
        cap = self.target.timeout if step.get("background") else self.target.long_poll_max
        window = None if hold is None else min(float(hold), cap)
        return _Request(step, url, method, path, headers, body, sealed, window, self.target.timeout)

    def _seal(self, step: dict[str, Any]) -> SealedRequest:
        target = str(step["target"])
        for name, value in self.names.items():
            target = target.replace(name, value)
        key_id = None
        if "key_id_offset" in step and self.client.keys:
            key_id = (self.client.keys[0] + int(step["key_id_offset"])) % 256
        return seal_target_request(
            self.client.keys,
            str(step["method"]),
            self.target.base + target,
            bytes.fromhex(step.get("body", "")),
            rng=self.client.rng,
            key_id=key_id,
        )


@dataclass(frozen=True)
class _Request:
    """One step, built and ready to send."""

    step: dict[str, Any]
    url: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    sealed: SealedRequest | None
    window: float | None
    timeout: float

    def send(self) -> JsonObject:
        answer = send(
            self.url,
            self.method,
            path=self.path,
            headers=self.headers,
            body=self.body,
            timeout=self.timeout,
            hold=self.window,
        )
        return _observe(answer, self.sealed, self.step)


class _Background:
    """A step sent on its own thread (a GET to be held while later steps run)."""

    def __init__(self, send_it: Callable[[], JsonObject]) -> None:
        self._box: list[JsonObject | Exception] = []

        def run() -> None:
            try:
                self._box.append(send_it())
            except Exception as e:  # handed to the joining step, which raises it
                self._box.append(e)

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def result(self, timeout: float) -> JsonObject:
        self._thread.join(timeout)
        if not self._box:
            raise Unreachable(f"a held request got no answer within {timeout:g}s")
        found = self._box[0]
        if isinstance(found, Exception):
            raise found
        return found


def _path_prefix(url: str) -> str:
    """The path of a directory URL given with one (``https://host/dir``), without a final /."""
    rest = url.split("://", 1)[-1]
    return "/" + rest.split("/", 1)[1].rstrip("/") if "/" in rest else ""


def _damaged(body: bytes, damage: dict[str, Any] | None) -> bytes:
    """The encapsulated request cut to ``truncate`` bytes, with ``append`` zero bytes added,
    or with the byte at ``flip`` changed."""
    if not damage:
        return body
    if "truncate" in damage:
        body = body[: int(damage["truncate"])]
    if "append" in damage:
        body = body + bytes(int(damage["append"]))
    if "flip" in damage:
        index = int(damage["flip"])
        body = body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1 :]
    return body


def _observe(answer: Answer, sealed: SealedRequest | None, step: dict[str, Any]) -> JsonObject:
    """What a case compares: the outer answer and, for an OHTTP answer, what it opens to."""
    mailbox_get = sealed is not None and step.get("method") == "GET"
    if answer.held:
        return {"held": True, "mailbox": "empty"} if mailbox_get else {"held": True}
    got: JsonObject = {
        "status": answer.status,
        "content_type": answer.content_type,
        "length": len(answer.body),
    }
    if answer.content_type == PROBLEM_TYPE:
        got["problem"] = _problem_type(answer.body)
    if step.get("read") == "key_config":
        got["key_config"] = usable_key_config(answer.body)
    if sealed is None or not 200 <= answer.status < 300:
        return got
    try:
        inner_status, inner_body = sealed.open(answer.body)
    except PjconfError as e:
        got["unopenable"] = f"{e.kind}: {e}"
        return got
    got["inner_status"] = inner_status
    got["inner_body"] = inner_body.hex()
    if mailbox_get:
        got["mailbox"] = {200: "payload", 202: "empty"}.get(inner_status, "other")
    return got


def _problem_type(body: bytes) -> str:
    """The ``type`` of an RFC 9457 problem document (empty when there is none)."""
    try:
        document = json.loads(body)
    except ValueError:
        return ""
    kind = document.get("type") if isinstance(document, dict) else None
    return kind if isinstance(kind, str) else ""


def _verdict(got: JsonObject) -> Reply:
    """The last step's observation as the case's answer: a result, or an error by status."""
    if got.get("held"):
        return Reply("result", got)
    if "unopenable" in got:
        return _error("BadAnswer", f"an answer a client cannot open: {got['unopenable']}", got)
    status = int(got["status"])
    inner = got.get("inner_status")
    for layer, code in (("outer", status), ("inner", inner)):
        if isinstance(code, int) and code >= 500:
            return _error("ServerError", f"{layer} status {code}", got, layer)
        if isinstance(code, int) and code >= 400:
            return _error(REFUSAL, f"{layer} status {code}", got, layer)
    return Reply("result", got)


def _error(kind: str, message: str, got: JsonObject, layer: str = "") -> Reply:
    error: JsonObject = {"kind": kind, "message": message}
    if layer:
        error["layer"] = layer
        error["status"] = got["status"] if layer == "outer" else got["inner_status"]
    if got.get("problem"):
        error["problem"] = got["problem"]
    return Reply("error", error)
