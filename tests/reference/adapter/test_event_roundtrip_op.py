"""The reference's ``event.roundtrip`` op, and the log examples inside the ``events`` family."""

from __future__ import annotations

import json
from pathlib import Path

from pjconf.harness.vectorgen import events
from pjconf.harness.vectorgen.session_log_texts import RECEIVER_EVENTS, SENDER_EVENTS
from pjconf.protocol.wire import Request
from pjconf.reference.adapter.ops import reference_adapter


def _call(op: str, args: dict[str, object]) -> dict[str, object]:
    return reference_adapter().handle(Request(1, op, args))


def test_the_corpus_holds_the_26_crate_verified_texts(corpus: Path) -> None:
    document = json.loads((corpus / events.PATH).read_text(encoding="utf-8"))
    round_trips = {
        (case["args"]["role"], case["args"]["event"])
        for group in document["testGroups"]
        for case in group["tests"]
        if case["result"] == "valid" and case["expected"]["event"] == case["args"]["event"]
    }
    texts = {("receiver", t) for t in RECEIVER_EVENTS.values()}
    texts |= {("sender", t) for t in SENDER_EVENTS.values()}
    assert len(texts) == 26
    assert texts <= round_trips


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
