"""The shim's ``replay`` op on receiver logs: the reference's replay behind the protocol, with
the Rust adapter's field conventions (``fallback_tx`` hex or null, ``status`` as the crate's
Debug, ``expired`` from ``Created``'s expiration)."""

from __future__ import annotations

from typing import Any

import pytest
from reference.session.receiver.receiver_logs import FAR, NO_FALLBACK, prefixes, texts, walk
from reference.session.sender.test_sender_support import EXPIRATION, NOW, ORIGINAL

from pjconf.harness.implementations.client import InProcessClient, Reply
from pjconf.reference.adapter.ops import reference_adapter
from pjconf.reference.session.receiver.events import Cancelled, IdentifiedReceiverOutputs

CLIENT = InProcessClient(reference_adapter())
W = walk()
PREFIXES = prefixes(W)
FALLBACK = ORIGINAL.extract_tx().serialize().hex()


def call(events: list[str], now: int | None = NOW) -> Reply:
    args: dict[str, Any] = {"role": "receiver", "events": events}
    if now is not None:
        args["now"] = now
    return CLIENT.call("replay", args)


EXPECTED = {
    "Initialized": ("Initialized", "Active", None),
    "UncheckedOriginalPayload": ("UncheckedOriginalPayload", "Active", None),
    "MaybeInputsOwned": ("MaybeInputsOwned", "Active", FALLBACK),
    "Monitor": ("Monitor", "Active", FALLBACK),
    "HasReplyableError": ("HasReplyableError", "Active", FALLBACK),
    NO_FALLBACK: ("HasReplyableError", "Active", None),
    "PendingFallback": ("PendingFallback", "PendingFallback", FALLBACK),
    "Closed": ("Closed", "Failed", None),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_receiver_logs_replay_to_state_status_and_fallback(name: str) -> None:
    reply = call(texts(PREFIXES[name]))
    assert reply.kind == "result", reply
    state, status, fallback = EXPECTED[name]
    assert reply.value == {
        "state": state,
        "status": status,
        "closed": False,
        "fallback_tx": fallback,
        "expired": False,
    }


def test_a_complete_session_is_closed_and_completed() -> None:
    reply = call(texts(W.complete), now=EXPIRATION + 10)  # Closed beats expiry
    assert reply.kind == "result", reply
    assert reply.value == {
        "state": "Closed",
        "status": "Completed",
        "closed": False,
        "fallback_tx": FALLBACK,
        "expired": True,
    }


def test_without_now_the_system_clock_decides() -> None:
    reply = call(texts(prefixes(walk(FAR))["Monitor"]), now=None)
    assert (reply.kind, reply.value["expired"]) == ("result", False)


@pytest.mark.parametrize("name", ["Initialized", "Monitor", "PendingFallback"])
def test_a_log_at_its_expiration_is_an_expired_error(name: str) -> None:
    reply = call(texts(PREFIXES[name]), now=EXPIRATION)
    assert (reply.kind, reply.value["kind"]) == ("error", "Expired")
    assert reply.value["message"] == f"Session expired at Time(Time({EXPIRATION}))"


@pytest.mark.parametrize(
    ("events", "kind"),
    [
        ([], "NoEvents"),
        (texts([Cancelled()]), "InvalidFirstEvent"),
        (texts([*PREFIXES["Initialized"], Cancelled()]), "InvalidEvent"),
        (
            texts([*PREFIXES["OutputsUnknown"], IdentifiedReceiverOutputs(())]),
            "InvalidEventPayload",
        ),
        (["{not json"], "DecodeError"),
        (['{"CheckedInputsNotOwned":null}'], "DecodeError"),
    ],
)
def test_invalid_logs_are_the_crates_replay_errors(events: list[str], kind: str) -> None:
    reply = call(events)
    assert (reply.kind, reply.value["kind"]) == ("error", kind)


def test_the_sender_path_is_unchanged() -> None:
    reply = CLIENT.call("replay", {"role": "sender", "events": [], "now": NOW})
    assert (reply.kind, reply.value["kind"]) == ("error", "NoEvents")
