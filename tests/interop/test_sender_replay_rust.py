"""Sender logs across implementations: payjoin 1.0's ``replay_event_log`` (the Rust adapter's
``replay``) against the reference's.

(a) Logs the reference writes (every valid sequence of ``session/test_sender_replay.py``, and the
logs of live sessions run through the shim's ``session.*`` ops) replay in the crate to the same
``state``, ``status``, ``closed`` and ``fallback_tx``; invalid ones to the same error kind.
(b) Sessions the crate runs (``session.new_sender`` on a pj URI the reference made, driven against
the fake mailbox of ``session/test_sender_support.py``) write logs the reference replays to the
same state and status, and reach the same outcomes and checked proposal as the shim does.

The Rust adapter cannot inject ``now``, so every session expires far in the future.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from reference.session.sender.test_sender_support import (
    ORIGINAL,
    RATE,
    RELAY,
    FakeMailbox,
    act_as_receiver,
    new_sender,
    pj_uri,
    reply_error,
)

from pjconf.harness.implementations.client import Client, InProcessClient, Reply
from pjconf.harness.implementations.docker import DockerClient
from pjconf.reference.adapter.ops import reference_adapter
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.session.json_codec import encode_sender_event
from pjconf.reference.session.sender.events import (
    Aborted,
    Cancelled,
    Closed,
    Created,
    PostedOriginalPsbt,
    SenderEvent,
    Success,
)
from pjconf.reference.session.sender.wire import Request

pytestmark = [pytest.mark.docker, pytest.mark.rust]

FAR = 3_000_000_000  # 2065: the crate reads the system clock
COMPARED = ("state", "status", "closed", "fallback_tx")

_SENDER, _ = new_sender("interop", expiration=FAR)
CREATED = Created(_SENDER.session_context)
POSTED = PostedOriginalPsbt()
CANCELLED = Cancelled()
ABORTED = Closed(Aborted())
SUCCESS = Closed(Success(ORIGINAL))

VALID: list[list[SenderEvent]] = [
    [CREATED],
    [CREATED, POSTED],
    [CREATED, CANCELLED],
    [CREATED, POSTED, CANCELLED],
    [CREATED, POSTED, SUCCESS],
    [CREATED, POSTED, ABORTED],
    [CREATED, ABORTED],
    [CREATED, CANCELLED, ABORTED],
    [CREATED, SUCCESS],
    [CREATED, CANCELLED, SUCCESS],
    [CREATED, POSTED, SUCCESS, ABORTED],
    [CREATED, ABORTED, SUCCESS],
]
INVALID: list[list[SenderEvent]] = [
    [],
    [POSTED],
    [CANCELLED, POSTED],
    [ABORTED],
    [SUCCESS],
    [CREATED, CREATED],
    [CREATED, POSTED, POSTED],
    [CREATED, CANCELLED, CANCELLED],
    [CREATED, CANCELLED, POSTED],
    [CREATED, ABORTED, CANCELLED],
    [CREATED, POSTED, SUCCESS, POSTED],
]

REFERENCE = InProcessClient(reference_adapter())


def ok(reply: Reply) -> dict[str, Any]:
    assert reply.kind == "result", reply
    return reply.value


def replay(client: Client, texts: list[str]) -> Reply:
    return client.call("replay", {"role": "sender", "events": texts})


def same_replay(rust: DockerClient, texts: list[str]) -> dict[str, Any]:
    ours, theirs = ok(replay(REFERENCE, texts)), ok(replay(rust, texts))
    assert {k: ours[k] for k in COMPARED} == {k: theirs[k] for k in COMPARED}
    assert ours["expired"] is theirs["expired"] is False
    return ours


def _id(events: list[SenderEvent]) -> str:
    return "-".join(type(e).__name__ for e in events) or "empty"


@pytest.mark.parametrize("events", VALID, ids=_id)
def test_reference_logs_replay_alike_in_the_crate(
    rust: DockerClient, events: list[SenderEvent]
) -> None:
    same_replay(rust, [encode_sender_event(e) for e in events])


@pytest.mark.parametrize("events", INVALID, ids=_id)
def test_invalid_reference_logs_fail_alike(rust: DockerClient, events: list[SenderEvent]) -> None:
    texts = [encode_sender_event(e) for e in events]
    ours, theirs = replay(REFERENCE, texts), replay(rust, texts)
    assert (ours.kind, ours.value["kind"]) == (theirs.kind, theirs.value["kind"])
    # the reference elides payloads in its Debug texts (``Psbt { .. }``); the crate prints them
    head = ours.value["message"].split("(", 1)[0]
    assert theirs.value["message"].startswith(head)


# -- live sessions, driven by either implementation ----------------------------------------------


def drive(client: Client, seed: str, script: Callable[[Client, str, FakeMailbox], None]) -> str:
    args = {"psbt": ORIGINAL.to_base64(), "pj_uri": pj_uri(FAR), "min_fee_rate": RATE}
    handle = ok(client.call("session.new_sender", {**args, "seed": seed}))["handle"]
    script(client, handle, FakeMailbox())
    return str(handle)


def roundtrip(client: Client, handle: str, mailbox: FakeMailbox) -> dict[str, Any]:
    req = ok(client.call("session.request", {"handle": handle, "relay": RELAY}))
    body = mailbox.handle(Request(req["url"], req["content_type"], bytes.fromhex(req["body"])))
    args = {"handle": handle, "context": req["context"], "body": body.hex()}
    return ok(client.call("session.response", args))


def call(client: Client, handle: str, method: str) -> dict[str, Any]:
    return ok(client.call("session.call", {"handle": handle, "method": method, "args": {}}))


Trace = list[tuple[str, str, bool]]


def _outcomes(out: list[dict[str, Any]]) -> Trace:
    return [(o["outcome"], o["state"], o["closed"]) for o in out]


def success(trace: list[dict[str, Any]]) -> Callable[[Client, str, FakeMailbox], None]:
    def run(client: Client, handle: str, mailbox: FakeMailbox) -> None:
        trace.append(roundtrip(client, handle, mailbox))
        trace.append(roundtrip(client, handle, mailbox))  # 202
        act_as_receiver(mailbox)
        trace.append(roundtrip(client, handle, mailbox))

    return run


def error_reply(trace: list[dict[str, Any]]) -> Callable[[Client, str, FakeMailbox], None]:
    def run(client: Client, handle: str, mailbox: FakeMailbox) -> None:
        trace.append(roundtrip(client, handle, mailbox))
        reply_error(mailbox)
        trace.append(roundtrip(client, handle, mailbox))

    return run


def transient_then_fatal(trace: list[dict[str, Any]]) -> Callable[[Client, str, FakeMailbox], None]:
    def run(client: Client, handle: str, mailbox: FakeMailbox) -> None:
        mailbox.resize = 100
        trace.append(roundtrip(client, handle, mailbox))
        mailbox.override = 503
        trace.append(roundtrip(client, handle, mailbox))
        mailbox.override = 403
        trace.append(roundtrip(client, handle, mailbox))

    return run


def cancel_close(
    polling: bool, trace: list[dict[str, Any]]
) -> Callable[[Client, str, FakeMailbox], None]:
    def run(client: Client, handle: str, mailbox: FakeMailbox) -> None:
        if polling:
            trace.append(roundtrip(client, handle, mailbox))
        trace.append(call(client, handle, "cancel"))
        trace.append(call(client, handle, "close"))

    return run


SCRIPTS: dict[str, Callable[[list[dict[str, Any]]], Callable[[Client, str, FakeMailbox], None]]] = {
    "success": success,
    "error_reply": error_reply,
    "transient_then_fatal": transient_then_fatal,
    "cancel_close": lambda t: cancel_close(False, t),
    "poll_cancel_close": lambda t: cancel_close(True, t),
}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_live_sessions_agree(rust: DockerClient, name: str) -> None:
    """The same script on both: the same outcomes, states and checked proposal; each log
    replays alike in both implementations."""
    theirs: list[dict[str, Any]] = []
    ours: list[dict[str, Any]] = []
    rust_handle = drive(rust, name, SCRIPTS[name](theirs))
    shim = InProcessClient(reference_adapter())
    shim_handle = drive(shim, name, SCRIPTS[name](ours))
    assert _outcomes(ours) == _outcomes(theirs)
    assert [len(o["appended"]) for o in ours] == [len(o["appended"]) for o in theirs]
    assert ["value" in o for o in ours] == ["value" in o for o in theirs]
    for mine, other in zip(ours, theirs, strict=True):
        if "value" in mine:
            assert Psbt.from_base64(mine["value"]["psbt"]) == Psbt.from_base64(
                other["value"]["psbt"]
            )
    rust_log = ok(rust.call("session.events", {"handle": rust_handle}))
    shim_log = ok(shim.call("session.events", {"handle": shim_handle}))
    assert rust_log["closed"] == shim_log["closed"]
    for log in (rust_log["events"], shim_log["events"]):  # (b) and (a)
        replayed = same_replay(rust, log)
        assert replayed["state"] == rust_log["state"] == shim_log["state"]
    for client, log in ((shim, rust_log["events"]), (rust, shim_log["events"])):
        resumed = ok(client.call("session.resume", {"role": "sender", "events": log}))
        assert (resumed["state"], resumed["closed"]) == (rust_log["state"], rust_log["closed"])
    ok(rust.call("session.drop", {"handle": rust_handle}))
