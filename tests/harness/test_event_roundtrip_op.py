"""The reference's ``event.roundtrip`` op and the ``events`` family's copy of the log examples."""

from __future__ import annotations

from session_log_examples import RECEIVER_EVENTS, SENDER_EVENTS

from pjconf.harness.adapters.reference import reference_adapter
from pjconf.harness.protocol import Request
from pjconf.harness.vectorgen import events


def _call(op: str, args: dict[str, object]) -> dict[str, object]:
    return reference_adapter().handle(Request(1, op, args))


def test_the_family_holds_the_26_crate_verified_texts() -> None:
    assert events.RECEIVER_EVENTS == RECEIVER_EVENTS
    assert events.SENDER_EVENTS == SENDER_EVENTS
    assert len(RECEIVER_EVENTS) + len(SENDER_EVENTS) == 26


def test_hello_lists_the_op() -> None:
    ops = _call("hello", {})["result"]
    assert isinstance(ops, dict)
    assert "event.roundtrip" in ops["ops"]


def test_roundtrip_and_decode_error_with_path() -> None:
    ok = _call("event.roundtrip", {"role": "sender", "event": '{"Cancelled":[]}'})
    assert ok["result"] == {"event": '{"Cancelled":[]}'}
    bad = _call("event.roundtrip", {"role": "receiver", "event": '{"Closed":"Failure"}'})
    assert bad["error"] == {
        "kind": "DecodeError",
        "message": "UnknownVariant: Closed: unknown variant 'Failure'",
        "reason": "UnknownVariant",
    }
    wrong = _call("event.roundtrip", {"role": "both", "event": "{}"})
    assert isinstance(wrong["error"], dict)
    assert wrong["error"]["kind"] == "InvalidArgument"
