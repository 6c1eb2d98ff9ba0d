"""Messages A and B: sizes, byte-exact vectors, round trips, and typed failures."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pjconf.harness.vectorgen.fixtures import BIP78_PROPOSAL_PSBT, SERIALIZED_BODY_V2, named_key
from pjconf.reference.bip77 import messages
from pjconf.reference.crypto.secp256k1 import KeyPair
from pjconf.reference.entropy import SeededRandom
from pjconf.reference.errors import OpenError, PayloadTooLarge, PayloadTooShort

RECEIVER = named_key("receiver")
REPLY = named_key("reply")


def test_the_size_constants_are_rust_payjoins() -> None:
    assert messages.PADDED_MESSAGE_BYTES == 7168
    assert messages.PADDED_PLAINTEXT_A_LENGTH == 7055
    assert messages.PADDED_PLAINTEXT_B_LENGTH == 7088
    assert len(SERIALIZED_BODY_V2) == 436


def test_research_vectors_reproduce(derived: dict[str, Any]) -> None:
    """The messages equal those of the independent derivation in tests/data/derived, byte for
    byte."""
    a, b = derived["message_a"], derived["message_b"]
    msg_a = messages.seal_message_a(
        SERIALIZED_BODY_V2,
        RECEIVER.public_compressed,
        REPLY.public_compressed,
        sk_e=named_key("ephemeral A").secret,
    )
    msg_b = messages.seal_message_b(
        BIP78_PROPOSAL_PSBT, RECEIVER, REPLY.public_compressed, sk_e=named_key("ephemeral B").secret
    )
    assert msg_a.hex() == a["hex"]
    assert msg_b.hex() == b["hex"]
    assert msg_a[:64].hex() == a["enc_ellswift"]
    # The decrypt direction is the normative one: these bytes must open.
    reply_pk, body = messages.open_message_a(bytes.fromhex(a["hex"]), RECEIVER)
    assert reply_pk == REPLY.public_compressed
    assert body.rstrip(b"\0") == SERIALIZED_BODY_V2
    plain = messages.open_message_b(bytes.fromhex(b["hex"]), REPLY, RECEIVER.public_compressed)
    assert plain[: len(BIP78_PROPOSAL_PSBT)] == BIP78_PROPOSAL_PSBT


def test_two_seals_of_one_body_share_no_bytes_position() -> None:
    """Fresh ephemerals make messages look random: no byte position is stable across seals."""
    rng = SeededRandom("uniformity")
    sealed = [
        messages.seal_message_a(
            b"same", RECEIVER.public_compressed, REPLY.public_compressed, rng=rng
        )
        for _ in range(16)
    ]
    constant = [i for i in range(messages.PADDED_MESSAGE_BYTES) if len({m[i] for m in sealed}) == 1]
    assert constant == []


@settings(max_examples=25, deadline=None)
@given(body=st.binary(max_size=messages.PADDED_PLAINTEXT_A_LENGTH), seed=st.integers(0, 2**64))
def test_message_a_round_trip(body: bytes, seed: int) -> None:
    rng = SeededRandom(seed)
    receiver, reply = KeyPair.generate(rng), KeyPair.generate(rng)
    msg = messages.seal_message_a(
        body, receiver.public_compressed, reply.public_compressed, rng=rng
    )
    assert len(msg) == messages.PADDED_MESSAGE_BYTES
    reply_pk, padded = messages.open_message_a(msg, receiver)
    assert reply_pk == reply.public_compressed
    assert padded == body + bytes(messages.PADDED_PLAINTEXT_A_LENGTH - len(body))


@settings(max_examples=25, deadline=None)
@given(body=st.binary(max_size=messages.PADDED_PLAINTEXT_B_LENGTH), seed=st.integers(0, 2**64))
def test_message_b_round_trip(body: bytes, seed: int) -> None:
    rng = SeededRandom(seed)
    receiver, reply = KeyPair.generate(rng), KeyPair.generate(rng)
    msg = messages.seal_message_b(body, receiver, reply.public_compressed, rng=rng)
    assert len(msg) == messages.PADDED_MESSAGE_BYTES
    padded = messages.open_message_b(msg, reply, receiver.public_compressed)
    assert padded == body + bytes(messages.PADDED_PLAINTEXT_B_LENGTH - len(body))


@settings(max_examples=40, deadline=None)
@given(position=st.integers(0, messages.PADDED_MESSAGE_BYTES - 1), bit=st.integers(0, 7))
def test_any_flipped_bit_fails_authentication(position: int, bit: int) -> None:
    msg = bytearray(
        messages.seal_message_a(b"body", RECEIVER.public_compressed, REPLY.public_compressed)
    )
    msg[position] ^= 1 << bit
    with pytest.raises(OpenError):
        messages.open_message_a(bytes(msg), RECEIVER)


def test_oversize_bodies_are_refused_not_truncated() -> None:
    with pytest.raises(PayloadTooLarge) as info:
        messages.seal_message_a(bytes(7056), RECEIVER.public_compressed, REPLY.public_compressed)
    assert (info.value.actual, info.value.maximum) == (7056, 7055)
    with pytest.raises(PayloadTooLarge):
        messages.seal_message_b(bytes(7089), RECEIVER, REPLY.public_compressed)


@pytest.mark.parametrize("length", [0, 1, 63])
def test_shorter_than_the_ellswift_part_is_too_short(length: int) -> None:
    with pytest.raises(PayloadTooShort):
        messages.open_message_a(bytes(length), RECEIVER)
    with pytest.raises(PayloadTooShort):
        messages.open_message_b(bytes(length), REPLY, RECEIVER.public_compressed)


def test_message_b_authenticates_the_receiver() -> None:
    msg = messages.seal_message_b(b"proposal", RECEIVER, REPLY.public_compressed)
    impostor = named_key("stranger")
    with pytest.raises(OpenError):
        messages.open_message_b(msg, REPLY, impostor.public_compressed)
