"""Receiver logs across implementations: payjoin 1.0's ``replay_event_log`` (the Rust adapter's
``replay``) against the reference's.

(a) Every log the receiver replay tests build (the 15 x 15 ``process_event`` table, first events,
bad payloads, the quirks, v1 and substituted sessions) replays in the crate to the same
``state``, ``status``, ``closed``, ``fallback_tx`` and ``expired``, or fails with the same error
kind, ``closed`` flag and expiry fallback; the error text matches the crate's up to the payloads
the reference elides as ``{ .. }`` (each must stand for one balanced ``{...}`` of the crate's).
(b) Sessions the crate's live receiver runs (``session.new_receiver`` and ``session.call``,
against the fake mailbox of ``session/test_sender_support.py`` and a reference sender) write logs
the reference replays alike after every step.

The Rust adapter reads the system clock, so the reference gets ``now`` = the current second and
the logs expire in 2065 (``FAR``), or in 1989 for the expiry family.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from reference.session.receiver.receiver_logs import (
    FAR,
    MAX_FEE_RATE,
    bad_payloads,
    one_of_each,
    prefixes,
    quirk_logs,
    texts,
    walk,
)
from reference.session.sender.test_sender_support import (
    CONFIG,
    DIRECTORY,
    ORIGINAL,
    PAY,
    PAYEE,
    RATE,
    RELAY,
    FakeMailbox,
)

from pjconf.harness.implementations.client import Client, InProcessClient, Reply
from pjconf.harness.implementations.docker import DockerClient
from pjconf.reference.adapter.ops import reference_adapter
from pjconf.reference.bip77.uri import PjParamV2, format_uri, parse_uri
from pjconf.reference.bitcoin import address
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.bitcoin.tx import Transaction
from pjconf.reference.entropy import FixedClock, SeededRandom
from pjconf.reference.payjoin.params import OutputSubstitution
from pjconf.reference.persist import InMemoryPersister
from pjconf.reference.session.json_codec import decode_receiver_event
from pjconf.reference.session.receiver.events import Created, ReceiverEvent
from pjconf.reference.session.receiver.machine import WantsOutputs
from pjconf.reference.session.receiver.replay import SessionHistory, replay_event_log
from pjconf.reference.session.sender.errors import ReplayError
from pjconf.reference.session.sender.machine import SenderBuilder
from pjconf.reference.session.sender.wire import Request

pytestmark = [pytest.mark.docker, pytest.mark.rust]

PAST = 600_000_000  # 1989: expired for the crate's clock too
COMPARED = ("state", "status", "closed", "fallback_tx", "expired")
REFERENCE = InProcessClient(reference_adapter())
ELIDED = "{ .. }"
V1_QUERY = "v=1&additionalfeeoutputindex=1&maxadditionalfeecontribution=1000"


# -- matching texts with elided payloads ----------------------------------------------------------


def _balanced_end(text: str, start: int) -> int:
    """The index after the bracket group opening at ``start`` (``-1`` if it never closes)."""
    depth, quoted, i = 0, False, start
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def elided_match(ours: str, theirs: str) -> bool:
    """``ours`` equals ``theirs`` where each ``{ .. }`` of ``ours`` stands for one balanced
    ``{...}`` of ``theirs``, and everywhere else character for character."""
    i = j = 0
    while i < len(ours):
        if ours.startswith(ELIDED, i):
            if j >= len(theirs) or theirs[j] != "{":
                return False
            j = _balanced_end(theirs, j)
            if j < 0:
                return False
            i += len(ELIDED)
        elif j < len(theirs) and ours[i] == theirs[j]:
            i, j = i + 1, j + 1
        else:
            return False
    return j == len(theirs)


@pytest.mark.parametrize(
    ("ours", "theirs", "match"),
    [
        ("A(S { .. })", 'A(S { x: "}", y: [1, {2}] })', True),
        ("A(S { .. })", "A(S { x: 1 }) ", False),
        ("A(S { .. }, 1)", "A(S { x: 1 }, 2)", False),
        ("A(S { .. })", "A(S(x))", False),
        ("A", "A", True),
    ],
)
def test_elided_match(ours: str, theirs: str, match: bool) -> None:
    assert elided_match(ours, theirs) is match


# -- one log, both implementations ---------------------------------------------------------------


def _now() -> int:
    return int(time.time())


def _reference_error(events: list[str], now: int) -> ReplayError:
    """The reference's ReplayError itself, for what the op's error reply does not carry."""
    persister: InMemoryPersister[ReceiverEvent] = InMemoryPersister()
    for text in events:
        persister.save_event(decode_receiver_event(text))
    with pytest.raises(ReplayError) as info:
        replay_event_log(persister, clock=FixedClock(now))
    return info.value


def same_replay(rust: Client, events: list[str]) -> Reply:
    """Replay ``events`` in both; the results, or the errors, must agree."""
    now = _now()
    ours = REFERENCE.call("replay", {"role": "receiver", "events": events, "now": now})
    theirs = rust.call("replay", {"role": "receiver", "events": events})
    assert ours.kind == theirs.kind, (ours, theirs)
    if ours.kind == "result":
        assert {k: ours.value[k] for k in COMPARED} == {k: theirs.value[k] for k in COMPARED}
        return ours
    assert ours.value["kind"] == theirs.value["kind"], (ours, theirs)
    assert elided_match(ours.value["message"], theirs.value["message"]), (
        ours.value["message"],
        theirs.value["message"],
    )
    error = _reference_error(events, now)
    fallback = error.expiry_fallback_tx()
    assert fallback is None or isinstance(fallback, Transaction)
    ours_fallback = None if fallback is None else fallback.serialize().hex()
    assert (error.closed, ours_fallback) == (theirs.value["closed"], theirs.value["fallback_tx"])
    return ours


W = walk(FAR)
PREFIXES = prefixes(W)
EVENTS = one_of_each(W)
TABLE = {f"{s}+{e}": [*PREFIXES[s], EVENTS[e]] for s in PREFIXES for e in EVENTS}
FIRSTS = {f"first {e}": [EVENTS[e], EVENTS["Created"]] for e in EVENTS if e != "Created"}
PAYLOADS = {f"payload {i}": log for i, log in enumerate(bad_payloads(W))}
OTHER_WALKS = {
    "v1": walk(FAR, version=1, seed="v1"),
    "substituted": walk(FAR, substitute=True, seed="substituted"),
    "contribution at owned vout": walk(FAR, contribution=(1000, 0), seed="owned"),
    "contribution out of range": walk(FAR, contribution=(1000, 9), seed="range"),
}
WALKS = {f"{n} to {s}": log for n, w in OTHER_WALKS.items() for s, log in prefixes(w).items()}
LOGS: dict[str, list[ReceiverEvent]] = {
    "empty": [],
    **TABLE,
    **FIRSTS,
    **PAYLOADS,
    **quirk_logs(W),
    **WALKS,
}
EXPIRED_WALK = walk(PAST)
EXPIRED = {**prefixes(EXPIRED_WALK), **quirk_logs(EXPIRED_WALK)}


@pytest.mark.parametrize("name", list(LOGS))
def test_reference_logs_replay_alike_in_the_crate(rust: DockerClient, name: str) -> None:
    same_replay(rust, texts(LOGS[name]))


@pytest.mark.parametrize("name", list(EXPIRED))
def test_expired_logs_replay_alike_in_the_crate(rust: DockerClient, name: str) -> None:
    """Expired before ``now``: the same Expired error and fallback, or (Closed) the same
    result with the same ``status``."""
    reply = same_replay(rust, texts(EXPIRED[name]))
    if reply.kind == "result":
        assert reply.value["expired"] is True


def test_the_table_errors_are_not_all_alike() -> None:
    """The agreement above is not vacuous: the families hold each outcome kind."""
    kinds = set()
    for log in LOGS.values():
        reply = REFERENCE.call("replay", {"role": "receiver", "events": texts(log), "now": 0})
        kinds.add(reply.value["kind"] if reply.kind == "error" else reply.value["state"])
    assert {"NoEvents", "InvalidFirstEvent", "InvalidEvent", "InvalidEventPayload"} <= kinds
    assert len(kinds) >= 18  # the four errors and the 14 states


# -- the crate's live receiver ---------------------------------------------------------------------


def ok(reply: Reply) -> dict[str, Any]:
    assert reply.kind == "result", reply
    return reply.value


class LiveReceiver:
    """A receiver session in the Rust adapter, with a mailbox and the sender's Original PSBT."""

    def __init__(self, rust: DockerClient, *, v1: bool = False) -> None:
        self.rust = rust
        self.mailbox = FakeMailbox()
        args = {
            "address": address.encode(PAYEE, address.Network.REGTEST),
            "directory": DIRECTORY,
            "ohttp_keys": CONFIG.encode().hex(),
            "expiration": FAR,
            "amount": PAY,
            "max_fee_rate": MAX_FEE_RATE,
        }
        out = ok(rust.call("session.new_receiver", args))
        self.handle, self.pj_uri = out["handle"], out["pj_uri"]
        self.trace: list[str] = [out["state"]]
        pj = parse_uri(self.pj_uri).pj
        assert isinstance(pj, PjParamV2)
        if v1:  # a BIP 78 sender's plaintext body in the mailbox
            body = f"{ORIGINAL.to_base64()}\n{V1_QUERY}"
            self.mailbox.boxes[pj.mailbox] = body.encode()
        else:
            self._send_v2()

    def _send_v2(self) -> None:
        builder = SenderBuilder.new(ORIGINAL, self.pj_uri)
        sender = builder.build_recommended(RATE, rng=SeededRandom("rust-receiver/sender"))
        request, _ = sender.save(InMemoryPersister()).create_v2_post_request(
            RELAY, rng=SeededRandom("rust-receiver/msg-a")
        )
        self.mailbox.handle(request)

    def roundtrip(self) -> dict[str, Any]:
        req = ok(self.rust.call("session.request", {"handle": self.handle, "relay": RELAY}))
        body = self.mailbox.handle(
            Request(req["url"], req["content_type"], bytes.fromhex(req["body"]))
        )
        args = {"handle": self.handle, "context": req["context"], "body": body.hex()}
        return self._note(ok(self.rust.call("session.response", args)))

    def call(self, method: str, **args: Any) -> dict[str, Any]:
        request = {"handle": self.handle, "method": method, "args": args}
        return self._note(ok(self.rust.call("session.call", request)))

    def _note(self, out: dict[str, Any]) -> dict[str, Any]:
        self.trace.append(out["state"])
        return out

    def log(self) -> dict[str, Any]:
        return ok(self.rust.call("session.events", {"handle": self.handle}))


Script = Callable[[LiveReceiver], None]


def _checked(r: LiveReceiver) -> None:
    r.roundtrip()
    r.call("check_broadcast_suitability", can_broadcast=True)
    r.call("check_inputs_not_owned", owned_outpoints=[])
    r.call("check_no_inputs_seen_before", seen_outpoints=[])
    r.call("identify_receiver_outputs", receiver_scripts=[PAYEE.hex()])


def success(r: LiveReceiver) -> None:
    _checked(r)
    r.call("commit_outputs")
    r.call("commit_inputs")
    r.call("apply_fee_range")
    proposal = r.call("finalize_proposal", signing_keys=[])["value"]["psbt"]
    r.roundtrip()
    r.call("check_for_transaction", found_txids=[])  # not yet seen: stasis
    txid = Psbt.from_base64(proposal).unsigned_tx.txid_hex()
    r.call("check_for_transaction", found_txids=[txid])


def owned_input_then_cancel(r: LiveReceiver) -> None:
    r.roundtrip()
    r.call("check_broadcast_suitability", can_broadcast=True)
    outpoint = ORIGINAL.unsigned_tx.inputs[0].previous_output
    r.call("check_inputs_not_owned", owned_outpoints=[f"{outpoint.txid[::-1].hex()}:0"])
    r.call("cancel")
    r.call("close")


def not_broadcastable_then_cancel(r: LiveReceiver) -> None:
    r.roundtrip()
    r.call("check_broadcast_suitability", can_broadcast=False)
    r.call("cancel")


def cancel_when_initialized(r: LiveReceiver) -> None:
    r.roundtrip()  # the Original PSBT is there, but the session gives up
    r.call("cancel")


def cancel_wants_outputs(r: LiveReceiver) -> None:
    _checked(r)
    r.call("cancel")
    r.call("close")


SCRIPTS: dict[str, tuple[Script, bool]] = {
    "success": (success, False),
    "owned input, cancel, close": (owned_input_then_cancel, False),
    "not broadcastable, cancel": (not_broadcastable_then_cancel, False),
    "cancel with the original payload": (cancel_when_initialized, False),
    "cancel wanting outputs, close": (cancel_wants_outputs, False),
    "v1 sender, cancel wanting outputs, close": (cancel_wants_outputs, True),
}


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_crate_written_logs_replay_alike(rust: DockerClient, name: str) -> None:
    """After every step of a session the crate runs, its log replays in the reference to the
    state the crate's session is in, with the crate's own replay agreeing on every field."""
    script, v1 = SCRIPTS[name]
    receiver = LiveReceiver(rust, v1=v1)
    script(receiver)
    log = receiver.log()
    events = log["events"]
    assert len(events) >= 2
    states = []
    for end in range(1, len(events) + 1):
        reply = same_replay(rust, events[:end])
        assert reply.kind == "result", reply
        states.append(reply.value["state"])
    assert states[-1] == log["state"] == receiver.trace[-1]
    assert set(states) <= set(receiver.trace)  # no state the live session was never in
    ok(rust.call("session.drop", {"handle": receiver.handle}))


def test_crate_written_v1_payload_has_substitution_off(rust: DockerClient) -> None:
    """The live path forces output substitution off for a v1 sender before persisting; the
    reference reads it back that way, and leaves the reply key unset."""
    receiver = LiveReceiver(rust, v1=True)
    _checked(receiver)
    persister: InMemoryPersister[ReceiverEvent] = InMemoryPersister()
    for text in receiver.log()["events"]:
        persister.save_event(decode_receiver_event(text))
    state, _ = replay_event_log(persister, clock=FixedClock(_now()))
    assert isinstance(state, WantsOutputs)
    assert state.inner.output_substitution is OutputSubstitution.DISABLED
    assert state.inner.original.params.v == 1
    assert state.session_context.reply_key is None
    ok(rust.call("session.drop", {"handle": receiver.handle}))


@pytest.mark.parametrize(
    ("directory", "amount"),
    [
        (DIRECTORY, PAY),
        ("https://dir.example/sub/", None),
        ("https://dir.example/a/b", PAY),
        ("https://dir.example:8443", None),
        ("HTTPS://Dir.Example/x?q=1#f", 1),
    ],
)
def test_pj_uri_from_history_is_the_crates(
    rust: DockerClient, directory: str, amount: int | None
) -> None:
    """``SessionHistory::pj_uri`` of the crate's own ``Created`` prints the URI its receiver
    printed (the mailbox joined onto any directory path, ``pjos=0``, the amount if any)."""
    args: dict[str, Any] = {
        "address": address.encode(PAYEE, address.Network.REGTEST),
        "directory": directory,
        "ohttp_keys": CONFIG.encode().hex(),
        "expiration": FAR,
    }
    if amount is not None:
        args["amount"] = amount
    out = ok(rust.call("session.new_receiver", args))
    created = decode_receiver_event(out["appended"][0])
    assert isinstance(created, Created)
    assert format_uri(SessionHistory((created,)).pj_uri()) == out["pj_uri"]
    ok(rust.call("session.drop", {"handle": out["handle"]}))
