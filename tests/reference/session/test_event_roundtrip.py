"""Every event variant of both roles: JSON and CBOR round trips, and the crate's own texts."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference.session.event_strategies import receiver_variants, sender_variants

from pjconf.harness.vectorgen.session_log_texts import RECEIVER_EVENTS, SENDER_EVENTS
from pjconf.reference.session import cbor_codec, json_codec
from pjconf.reference.session.receiver.events import ReceiverEvent
from pjconf.reference.session.sender.events import SenderEvent

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", sorted(RECEIVER_EVENTS))
def test_receiver_examples_reencode_identically(name: str) -> None:
    text = RECEIVER_EVENTS[name]
    event = json_codec.decode_receiver_event(text)
    assert json_codec.encode_receiver_event(event) == text
    seq, back = cbor_codec.decode_receiver_event(cbor_codec.encode_receiver_event(event, 7))
    assert seq == 7
    assert json_codec.encode_receiver_event(back) == text


@pytest.mark.parametrize("name", sorted(SENDER_EVENTS))
def test_sender_examples_reencode_identically(name: str) -> None:
    text = SENDER_EVENTS[name]
    event = json_codec.decode_sender_event(text)
    assert json_codec.encode_sender_event(event) == text
    seq, back = cbor_codec.decode_sender_event(cbor_codec.encode_sender_event(event, 2**64 - 1))
    assert seq == 2**64 - 1
    assert json_codec.encode_sender_event(back) == text


def _check_receiver(event: ReceiverEvent) -> None:
    text = json_codec.encode_receiver_event(event)
    decoded = json_codec.decode_receiver_event(text)
    assert decoded == event
    assert json_codec.encode_receiver_event(decoded) == text
    data = cbor_codec.encode_receiver_event(decoded)
    _, from_cbor = cbor_codec.decode_receiver_event(data)
    assert from_cbor == event
    assert cbor_codec.encode_receiver_event(from_cbor) == data
    assert json_codec.encode_receiver_event(from_cbor) == text


def _check_sender(event: SenderEvent) -> None:
    text = json_codec.encode_sender_event(event)
    decoded = json_codec.decode_sender_event(text)
    assert decoded == event
    assert json_codec.encode_sender_event(decoded) == text
    data = cbor_codec.encode_sender_event(decoded)
    _, from_cbor = cbor_codec.decode_sender_event(data)
    assert from_cbor == event
    assert cbor_codec.encode_sender_event(from_cbor) == data
    assert json_codec.encode_sender_event(from_cbor) == text


@pytest.mark.parametrize("variant", sorted(receiver_variants()))
def test_receiver_variant_round_trips(variant: str) -> None:
    @FAST
    @given(receiver_variants()[variant])
    def run(event: Any) -> None:
        _check_receiver(event)

    run()


@pytest.mark.parametrize("variant", sorted(sender_variants()))
def test_sender_variant_round_trips(variant: str) -> None:
    @FAST
    @given(sender_variants()[variant])
    def run(event: Any) -> None:
        _check_sender(event)

    run()


def test_every_variant_has_a_strategy() -> None:
    names = {n.split("(")[0] for n in receiver_variants()}
    assert len(names) == 15
    assert sum(n.startswith("Closed(") for n in receiver_variants()) == 5
    assert set(sender_variants()) == {
        "Created",
        "PostedOriginalPsbt",
        "Cancelled",
        "Closed(Success)",
        "Closed(Aborted)",
    }


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1.0"),
        (-0.0, "-0.0"),
        (0.1, "0.1"),
        (1e-5, "0.00001"),
        (1.5e-6, "1.5e-6"),
        (1e15, "1000000000000000.0"),
        (1e16, "1e+16"),
        (1.2345e300, "1.2345e+300"),
        (123.456, "123.456"),
    ],
)
def test_float_text_matches_serde_json(value: float, text: str) -> None:
    assert json_codec.dumps({"x": [value]}) == '{"x":[' + text + "]}"


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_text_reads_back(value: float) -> None:
    assert float(json_codec.dumps(value)) == value
