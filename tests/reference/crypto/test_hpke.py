"""HPKE behaviour: round trips, contexts, typed errors for every kind of bad input, the KDF.

Known answers live in ``test_hpke_vectors.py`` and the pyhpke cross-check in
``test_hpke_pyhpke.py``; this file checks what vectors cannot: properties over random inputs, and
that every misuse or forgery ends in a typed error, never a bare exception.
"""

from __future__ import annotations

import hmac

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from hypothesis import given, settings
from hypothesis import strategies as st

from pjconf.reference.crypto import hpke, secp256k1
from pjconf.reference.crypto.hpke_kdf import HKDF_SHA256
from pjconf.reference.entropy import SeededRandom
from pjconf.reference.errors import (
    InvalidArgument,
    InvalidKey,
    MessageLimitReached,
    OpenError,
    PjconfError,
    UnsupportedSuite,
)

SUITE = hpke.SECP256K1_CHACHA
RNG = SeededRandom("test_hpke")
SK_R, PK_R = SUITE.generate_key_pair(RNG.child("recipient"))
SK_S, PK_S = SUITE.generate_key_pair(RNG.child("sender"))
INFO = b"PjV2MsgA"

ikms = st.binary(min_size=32, max_size=32)
data = st.binary(max_size=300)
SLOW = settings(max_examples=40, deadline=None)


# --- public names and suites ---------------------------------------------------------------


def test_bip77_suite() -> None:
    assert (SUITE.kem_id, SUITE.kdf_id, SUITE.aead_id) == (0x0016, 0x0001, 0x0003)
    assert SUITE.suite_id == b"HPKE\x00\x16\x00\x01\x00\x03"
    assert hpke.cipher_suite(0x0016, 0x0001, 0x0003) is SUITE
    assert (SUITE.kem.nenc, SUITE.kem.npk, SUITE.kem.nsk, SUITE.kem.nsecret) == (65, 65, 32, 32)


@pytest.mark.parametrize(
    "ids", [(0x0011, 1, 3), (0x0016, 2, 3), (0x0016, 1, 4), (0x0021, 1, 1), (0x0013, 1, 3)]
)
def test_unknown_suite_is_typed(ids: tuple[int, int, int]) -> None:
    with pytest.raises(UnsupportedSuite):
        hpke.cipher_suite(*ids)


def test_generate_key_pair_is_derive_key_pair_of_nsk_random_bytes() -> None:
    rng_a, rng_b = SeededRandom(7), SeededRandom(7)
    assert SUITE.generate_key_pair(rng_a) == SUITE.derive_key_pair(rng_b.random_bytes(32))
    sk, pk = SUITE.generate_key_pair(rng_a)
    assert SUITE.public_key(sk) == pk == secp256k1.public_key(sk)


# --- round trips and contexts --------------------------------------------------------------


@SLOW
@given(ikm_r=ikms, ikm_e=ikms, info=data, aad=data, pt=data)
def test_base_round_trip(ikm_r: bytes, ikm_e: bytes, info: bytes, aad: bytes, pt: bytes) -> None:
    sk_r, pk_r = SUITE.derive_key_pair(ikm_r)
    sk_e = SUITE.derive_key_pair(ikm_e)[0]
    enc, ct = SUITE.seal(pk_r, info, aad, pt, sk_e=sk_e)
    assert len(enc) == 65
    assert len(ct) == len(pt) + 16
    assert SUITE.open(enc, sk_r, info, aad, ct) == pt
    assert SUITE.open(enc, sk_r, info, aad, ct, pk_r=pk_r) == pt


@SLOW
@given(ikm_r=ikms, ikm_s=ikms, info=data, aad=data, pt=data)
def test_auth_round_trip(ikm_r: bytes, ikm_s: bytes, info: bytes, aad: bytes, pt: bytes) -> None:
    sk_r, pk_r = SUITE.derive_key_pair(ikm_r)
    sk_s, pk_s = SUITE.derive_key_pair(ikm_s)
    auth = hpke.Mode.AUTH
    enc, ct = SUITE.seal(pk_r, info, aad, pt, mode=auth, sk_s=sk_s, rng=SeededRandom(ikm_s))
    assert SUITE.open(enc, sk_r, info, aad, ct, mode=auth, pk_s=pk_s) == pt
    # the sender's own public key, when given, changes nothing
    enc2, ct2 = SUITE.seal(
        pk_r, info, aad, pt, mode=auth, sk_s=sk_s, pk_s=pk_s, rng=SeededRandom(ikm_s)
    )
    assert (enc2, ct2) == (enc, ct)


_SEALED = SUITE.seal(PK_R, INFO, b"aad", b"a message of some length", rng=RNG.child("sealed"))


@SLOW
@given(index=st.integers(min_value=0), mask=st.integers(min_value=1, max_value=255))
def test_tampering_any_ciphertext_byte_is_open_error(index: int, mask: int) -> None:
    enc, ct = _SEALED
    tampered = bytearray(ct)
    tampered[index % len(ct)] ^= mask
    with pytest.raises(OpenError):
        SUITE.open(enc, SK_R, INFO, b"aad", bytes(tampered), pk_r=PK_R)


def test_every_enc_bit_flip_is_typed() -> None:
    """Each of the 520 one-bit changes to enc leaves the curve (InvalidKey), except the prefix
    04 -> 06, SEC1's hybrid form, which libsecp256k1 reads as the same point when y is even."""
    enc, ct = _SEALED
    accepted = []
    for index in range(65):
        for bit in range(8):
            tampered = bytearray(enc)
            tampered[index] ^= 1 << bit
            try:
                SUITE.open(bytes(tampered), SK_R, INFO, b"aad", ct)
                accepted.append(bytes(tampered[:1]))
            except InvalidKey:
                pass
    y_is_even = enc[64] % 2 == 0
    assert accepted == ([b"\x06"] if y_is_even else [])


@pytest.mark.parametrize("mode", list(hpke.Mode))
@pytest.mark.parametrize("kem", [0x0016, 0x0020, 0x0010])
def test_multi_message_contexts_in_every_mode(kem: int, mode: hpke.Mode) -> None:
    suite = hpke.cipher_suite(kem, 0x0001, 0x0001)
    rng = SeededRandom(f"{kem}/{mode}")
    sk_r, pk_r = suite.generate_key_pair(rng)
    sk_s, pk_s = suite.generate_key_pair(rng)
    psk = {"psk": b"p" * 32, "psk_id": b"id"} if mode.uses_psk else {}
    sender_key = sk_s if mode.uses_auth else None
    enc, sender = suite.setup_sender(pk_r, b"i", mode=mode, sk_s=sender_key, rng=rng, **psk)
    recipient = suite.setup_recipient(
        enc, sk_r, b"i", mode=mode, pk_s=pk_s if mode.uses_auth else None, **psk
    )
    cts = [sender.seal(b"%d" % i, b"same plaintext") for i in range(4)]
    assert len(set(cts)) == 4  # a fresh nonce per message
    with pytest.raises(OpenError):  # out of order: seq 1 under seq 0's nonce
        recipient.open(b"1", cts[1])
    assert recipient.seq == 0  # a failed open does not move the sequence on
    assert [recipient.open(b"%d" % i, ct) for i, ct in enumerate(cts)] == [b"same plaintext"] * 4
    assert sender.seq == recipient.seq == 4
    assert sender.export(b"ctx", 64) == recipient.export(b"ctx", 64)
    assert sender.exporter_secret == recipient.exporter_secret


def test_nonce_is_base_nonce_xor_seq() -> None:
    enc, sender = SUITE.setup_sender(PK_R, INFO, rng=RNG.child("nonce"))
    recipient = SUITE.setup_recipient(enc, SK_R, INFO, pk_r=PK_R)
    cipher = SUITE.aead.cipher(sender.key)
    sender.seq = 0x0102
    ct = sender.seal(b"", b"x")
    nonce = (int.from_bytes(sender.base_nonce, "big") ^ 0x0102).to_bytes(12, "big")
    assert cipher.decrypt(nonce, ct, b"") == b"x"
    recipient.seq = 0x0102
    assert recipient.open(b"", ct) == b"x"


def test_message_limit() -> None:
    _, sender = SUITE.setup_sender(PK_R, INFO, rng=RNG.child("limit"))
    sender.seq = (1 << 96) - 2
    sender.seal(b"", b"last")
    with pytest.raises(MessageLimitReached):
        sender.seal(b"", b"one too many")


def test_roles_are_enforced() -> None:
    """A recipient context never seals, a sender never opens: the two share one nonce space."""
    enc, sender = SUITE.setup_sender(PK_R, INFO, rng=RNG.child("roles"))
    recipient = SUITE.setup_recipient(enc, SK_R, INFO)
    ct = sender.seal(b"", b"x")
    with pytest.raises(InvalidArgument):
        recipient.seal(b"", b"x")
    with pytest.raises(InvalidArgument):
        sender.open(b"", ct)
    assert recipient.open(b"", ct) == b"x"


def test_export_only_suite() -> None:
    suite = hpke.cipher_suite(0x0016, 0x0001, 0xFFFF)
    enc, sender = suite.setup_sender(PK_R, INFO, rng=RNG.child("export"))
    recipient = suite.setup_recipient(enc, SK_R, INFO)
    assert sender.key == sender.base_nonce == b""
    assert sender.export(b"", 32) == recipient.export(b"", 32)
    with pytest.raises(UnsupportedSuite):
        sender.seal(b"", b"x")
    with pytest.raises(UnsupportedSuite):
        recipient.open(b"", b"x" * 16)


def test_export_lengths() -> None:
    _, ctx = SUITE.setup_sender(PK_R, INFO, rng=RNG.child("lengths"))
    assert len(ctx.export(b"", 255 * 32)) == 255 * 32
    assert ctx.export(b"c", 0) == b""
    # LabeledExpand binds the length: a shorter export is not a prefix of a longer one
    assert ctx.export(b"c", 100)[:40] != ctx.export(b"c", 40)
    for bad in (-1, 255 * 32 + 1):
        with pytest.raises(InvalidArgument):
            ctx.export(b"c", bad)


# --- typed errors for bad keys and bad mode arguments --------------------------------------

NOT_A_POINT = b"\x04" + bytes(64)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: SUITE.seal(NOT_A_POINT, INFO, b"", b""), InvalidKey),
        (lambda: SUITE.seal(secp256k1.compress(PK_R), INFO, b"", b""), InvalidKey),
        (lambda: SUITE.seal(PK_R[:64], INFO, b"", b""), InvalidKey),
        (lambda: SUITE.seal(PK_R, INFO, b"", b"", sk_e=bytes(32)), InvalidKey),
        (lambda: SUITE.seal(PK_R, INFO, b"", b"", sk_e=b"\x01" * 31), InvalidKey),
        (lambda: SUITE.open(NOT_A_POINT, SK_R, INFO, b"", b""), InvalidKey),
        (
            lambda: SUITE.open(_SEALED[0], secp256k1.N.to_bytes(32, "big"), INFO, b"", b""),
            InvalidKey,
        ),
        (lambda: SUITE.open(_SEALED[0], SK_R, INFO, b"", b"", pk_r=PK_R[:33]), InvalidKey),
        (lambda: SUITE.open(_SEALED[0], SK_S, INFO, b"aad", _SEALED[1]), OpenError),
        (lambda: SUITE.public_key(bytes(32)), InvalidKey),
        (lambda: hpke.cipher_suite(0x0020, 1, 1).seal(b"\x00" * 32, b"", b"", b""), InvalidKey),
        (lambda: hpke.cipher_suite(0x0020, 1, 1).seal(b"\x00" * 31, b"", b"", b""), InvalidKey),
        (lambda: hpke.cipher_suite(0x0010, 1, 1).seal(NOT_A_POINT, b"", b"", b""), InvalidKey),
        (lambda: hpke.cipher_suite(0x0010, 1, 1).seal(PK_R, b"", b"", b""), InvalidKey),
        (lambda: hpke.cipher_suite(0x0010, 1, 1).public_key(b"\xff" * 32), InvalidKey),
    ],
)
def test_bad_keys_are_typed(call: object, error: type[PjconfError]) -> None:
    assert callable(call)
    with pytest.raises(error):
        call()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mode": hpke.Mode.AUTH},  # no sender key
        {"mode": hpke.Mode.AUTH_PSK, "sk_s": SK_S},  # no PSK
        {"mode": hpke.Mode.PSK},  # no PSK
        {"mode": hpke.Mode.PSK, "psk": b"k" * 32},  # psk without psk_id
        {"mode": hpke.Mode.PSK, "psk_id": b"id"},  # psk_id without psk
        {"psk": b"k" * 32, "psk_id": b"id"},  # PSK in Base mode
        {"sk_s": SK_S},  # sender key in Base mode
        {"mode": hpke.Mode.PSK, "sk_s": SK_S, "psk": b"k", "psk_id": b"i"},  # sender key in PSK
        {"mode": 4},
        {"mode": -1},
    ],
)
def test_mode_mismatch_on_seal_is_invalid_argument(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgument):
        SUITE.seal(PK_R, INFO, b"", b"", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mode": hpke.Mode.AUTH},  # no sender key
        {"pk_s": PK_S},  # sender key in Base mode
        {"mode": hpke.Mode.PSK},
        {"psk": b"k" * 32, "psk_id": b"id"},
    ],
)
def test_mode_mismatch_on_open_is_invalid_argument(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgument):
        SUITE.open(_SEALED[0], SK_R, INFO, b"aad", _SEALED[1], **kwargs)  # type: ignore[arg-type]


def test_mode_given_as_an_int() -> None:
    enc, ct = SUITE.seal(PK_R, INFO, b"", b"x", mode=2, sk_s=SK_S)  # type: ignore[arg-type]
    assert SUITE.open(enc, SK_R, INFO, b"", ct, mode=hpke.Mode.AUTH, pk_s=PK_S) == b"x"


def test_wrong_sender_and_wrong_mode_are_open_errors() -> None:
    auth = hpke.Mode.AUTH
    enc, ct = SUITE.seal(PK_R, INFO, b"", b"x", mode=auth, sk_s=SK_S, rng=RNG.child("auth"))
    with pytest.raises(OpenError):
        SUITE.open(enc, SK_R, INFO, b"", ct, mode=auth, pk_s=PK_R)
    with pytest.raises(OpenError):
        SUITE.open(enc, SK_R, INFO, b"", ct)
    with pytest.raises(OpenError):
        SUITE.open(enc, SK_R, b"other info", b"", ct, mode=auth, pk_s=PK_S)


# --- the KDF underneath ---------------------------------------------------------------------


@given(key=st.binary(max_size=200), message=st.binary(max_size=300))
def test_hmac_matches_the_standard_library(key: bytes, message: bytes) -> None:
    expected = hmac.digest(key, message, "sha256")
    assert HKDF_SHA256.hmac(key, message) == expected
    assert HKDF_SHA256.keyed(key)(message) == expected


@given(
    prk=st.binary(min_size=32, max_size=32),
    info=st.binary(max_size=100),
    length=st.integers(min_value=1, max_value=255 * 32),
)
def test_expand_matches_cryptography(prk: bytes, info: bytes, length: int) -> None:
    expected = HKDFExpand(hashes.SHA256(), length, info).derive(prk)
    assert HKDF_SHA256.expand(prk, info, length) == expected
    assert HKDF_SHA256.expand(HKDF_SHA256.keyed(prk), info, length) == expected


def test_labeled_expand_one_block_and_many_agree() -> None:
    prk = bytes(range(32))
    long = HKDF_SHA256.labeled_expand(b"sid", prk, b"label", b"info", 100)
    assert len(long) == 100
    with pytest.raises(InvalidArgument):
        HKDF_SHA256.labeled_expand(b"sid", prk, b"label", b"info", 1 << 16)
