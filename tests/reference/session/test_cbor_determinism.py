"""CBOR envelopes are RFC 8949 §4.2.1 deterministic: bytewise key order, whatever the input order.

cbor2's ``canonical=True`` sorts keys length-first (§4.2.3); that is bytewise order only because
every map of the format has text keys. These tests check both halves of that argument.
"""

from __future__ import annotations

import random
from typing import Any

import cbor2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference.session.event_strategies import receiver_events, sender_events

from pjconf.reference.session import cbor_codec

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _maps(value: Any) -> list[dict[Any, Any]]:
    if isinstance(value, dict):
        return [value, *(m for v in value.values() for m in _maps(v))]
    if isinstance(value, list):
        return [m for v in value for m in _maps(v)]
    return []


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


def _check(data: bytes, seed: int) -> None:
    value = cbor2.loads(data)
    for m in _maps(value):
        keys = list(m)
        assert all(isinstance(k, str) for k in keys)  # homogeneous: one major type
        encoded = [cbor2.dumps(k) for k in keys]
        assert encoded == sorted(encoded)  # bytewise, §4.2.1
    assert cbor_codec.dumps(_shuffled(value, random.Random(seed))) == data


@SETTINGS
@given(receiver_events(), st.integers(0, 2**64 - 1), st.integers())
def test_receiver_envelopes_are_deterministic(event: Any, seq: int, seed: int) -> None:
    _check(cbor_codec.encode_receiver_event(event, seq), seed)


@SETTINGS
@given(sender_events(), st.integers(0, 2**64 - 1), st.integers())
def test_sender_envelopes_are_deterministic(event: Any, seq: int, seed: int) -> None:
    _check(cbor_codec.encode_sender_event(event, seq), seed)


def test_length_first_and_bytewise_differ_only_across_major_types() -> None:
    """Why homogeneity matters: cbor2 puts -1 before 24, bytewise order puts 24 first."""
    assert cbor2.dumps({24: 0, -1: 0}, canonical=True).hex() == "a22000181800"
