"""Message A/B and OHTTP request costs beside their libsecp256k1 floor, measured in one run.

Each group has the operation and a ``floor``: exactly the elliptic-curve work the operation
cannot avoid, called straight on libsecp256k1. The ratio operation/floor (``bash ci/bench.sh``
prints it) is what the reference adds on top: hashing, the AEAD, padding and Python. Targets:
within 1.5x for message A seal/open, message B seal/open, OHTTP request seal.

Each operation's benchmark also records ``paired_ratio`` (the ``record_paired_ratio`` fixture of
this directory's conftest): the same ratio from interleaved rounds of operation and floor, which
a noisy machine moves far less.

The floors assume what rust-payjoin also assumes: keys are parsed once into typed values
(``HpkePublicKey``; here :class:`PublicKey`), and a receiver keeps its public key beside its
secret key (``HpkeKeyPair``). What a message itself carries must be parsed on every message, so
opening message A includes parsing the reply key it contains, in the operation and in its floor.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from btclib_secp256k1 import ecdh, ellswift, keys
from pytest_benchmark.fixture import BenchmarkFixture

from pjconf.reference.bip77 import messages, ohttp
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.crypto.secp256k1 import KeyPair
from pjconf.reference.entropy import SeededRandom

RecordPairedRatio = Callable[[Callable[[], object], Callable[[], object]], None]
"""The ``record_paired_ratio`` fixture of this directory's conftest: ``record(op, floor)``."""

pytestmark = pytest.mark.benchmark_suite

RNG = SeededRandom("bench")
RECEIVER = KeyPair.generate(RNG)
REPLY = KeyPair.generate(RNG)
GATEWAY = KeyPair.generate(RNG)
BODY_A = b"cHNidP8B" * 54 + b"\nv=2"  # the size of a small Original PSBT request
BODY_B = bytes(range(256)) * 2
CONFIG = OhttpKeyConfig(key_id=1, kem_id=0x0016, pk=GATEWAY.public, suites=[(1, 3)])
BHTTP_GET = bytes.fromhex(
    "0003474554056874747073087061796a6f2e696e0e2f54594a4c5043464c5156545151000000"
)


def _floor_keygen_ecdh_ellswift(peer_pk: bytes, dh_count: int) -> bytes:
    sk = os.urandom(32)
    pk = keys.pubkey_from_prvkey(sk, compressed=False)
    for _ in range(dh_count):
        ecdh.shared_point(peer_pk, sk)
    return bytes(ellswift.encode(pk, bytes(32)))


# --- message A -------------------------------------------------------------------------------


def _floor_msg_a_seal() -> None:
    """Ephemeral key generation, one ECDH, one ElligatorSwift encoding."""
    _floor_keygen_ecdh_ellswift(RECEIVER.public, 1)


def _msg_a_seal() -> bytes:
    return messages.seal_message_a(BODY_A, RECEIVER.public_key, REPLY.public_key)


def test_msg_a_seal(benchmark: BenchmarkFixture, record_paired_ratio: RecordPairedRatio) -> None:
    benchmark.group = "msg_a.seal"
    benchmark.extra_info["target_ratio"] = 1.5
    msg = benchmark(_msg_a_seal)
    assert len(msg) == messages.PADDED_MESSAGE_BYTES
    record_paired_ratio(_msg_a_seal, _floor_msg_a_seal)


def test_msg_a_seal_floor(benchmark: BenchmarkFixture) -> None:
    """Ephemeral key generation, one ECDH, one ElligatorSwift encoding."""
    benchmark.group = "msg_a.seal"
    benchmark.extra_info["floor"] = True
    benchmark(_floor_msg_a_seal)


MSG_A = messages.seal_message_a(BODY_A, RECEIVER.public_compressed, REPLY.public_compressed)
ELL = bytes(os.urandom(64))
REPLY_COMPRESSED = REPLY.public_compressed


def _floor_msg_a_open() -> None:
    """One ElligatorSwift decoding, one ECDH, parsing the 33-byte reply key the message carries."""
    ecdh.shared_point(ellswift.decode(ELL, compressed=False), RECEIVER.secret)
    keys.parse(REPLY_COMPRESSED)


def _msg_a_open() -> tuple[bytes, bytes]:
    return messages.open_message_a(MSG_A, RECEIVER)


def test_msg_a_open(benchmark: BenchmarkFixture, record_paired_ratio: RecordPairedRatio) -> None:
    benchmark.group = "msg_a.open"
    benchmark.extra_info["target_ratio"] = 1.5
    reply_pk, _ = benchmark(_msg_a_open)
    assert reply_pk == REPLY.public_compressed
    record_paired_ratio(_msg_a_open, _floor_msg_a_open)


def test_msg_a_open_floor(benchmark: BenchmarkFixture) -> None:
    """One ElligatorSwift decoding, one ECDH, parsing the 33-byte reply key the message carries."""
    benchmark.group = "msg_a.open"
    benchmark.extra_info["floor"] = True
    benchmark(_floor_msg_a_open)


# --- message B -------------------------------------------------------------------------------


def _floor_msg_b_seal() -> None:
    """Ephemeral key generation, two ECDH (ephemeral and static), one encoding."""
    _floor_keygen_ecdh_ellswift(REPLY.public, 2)


def _msg_b_seal() -> bytes:
    return messages.seal_message_b(BODY_B, RECEIVER, REPLY.public_key)


def test_msg_b_seal(benchmark: BenchmarkFixture, record_paired_ratio: RecordPairedRatio) -> None:
    benchmark.group = "msg_b.seal"
    benchmark.extra_info["target_ratio"] = 1.5
    msg = benchmark(_msg_b_seal)
    assert len(msg) == messages.PADDED_MESSAGE_BYTES
    record_paired_ratio(_msg_b_seal, _floor_msg_b_seal)


def test_msg_b_seal_floor(benchmark: BenchmarkFixture) -> None:
    """Ephemeral key generation, two ECDH (ephemeral and static), one encoding."""
    benchmark.group = "msg_b.seal"
    benchmark.extra_info["floor"] = True
    benchmark(_floor_msg_b_seal)


MSG_B = messages.seal_message_b(BODY_B, RECEIVER, REPLY.public_compressed)


def _floor_msg_b_open() -> None:
    """One ElligatorSwift decoding, two ECDH."""
    ecdh.shared_point(ellswift.decode(ELL, compressed=False), REPLY.secret)
    ecdh.shared_point(RECEIVER.public, REPLY.secret)


def _msg_b_open() -> bytes:
    return messages.open_message_b(MSG_B, REPLY, RECEIVER.public_key)


def test_msg_b_open(benchmark: BenchmarkFixture, record_paired_ratio: RecordPairedRatio) -> None:
    benchmark.group = "msg_b.open"
    benchmark.extra_info["target_ratio"] = 1.5
    plaintext = benchmark(_msg_b_open)
    assert plaintext.startswith(BODY_B)
    record_paired_ratio(_msg_b_open, _floor_msg_b_open)


def test_msg_b_open_floor(benchmark: BenchmarkFixture) -> None:
    """One ElligatorSwift decoding, two ECDH."""
    benchmark.group = "msg_b.open"
    benchmark.extra_info["floor"] = True
    benchmark(_floor_msg_b_open)


# --- OHTTP request ---------------------------------------------------------------------------


def _floor_ohttp_request_seal() -> None:
    """Ephemeral key generation and one ECDH (the OHTTP enc is the plain 65-byte point)."""
    sk = os.urandom(32)
    keys.pubkey_from_prvkey(sk, compressed=False)
    ecdh.shared_point(GATEWAY.public, sk)


def _ohttp_request_seal() -> tuple[bytes, ohttp.RequestContext]:
    return ohttp.seal_request(CONFIG, BHTTP_GET)


def test_ohttp_request_seal(
    benchmark: BenchmarkFixture, record_paired_ratio: RecordPairedRatio
) -> None:
    benchmark.group = "ohttp.request.seal"
    benchmark.extra_info["target_ratio"] = 1.5
    request, _ = benchmark(_ohttp_request_seal)
    assert len(request) == 8192
    record_paired_ratio(_ohttp_request_seal, _floor_ohttp_request_seal)


def test_ohttp_request_seal_floor(benchmark: BenchmarkFixture) -> None:
    """Ephemeral key generation and one ECDH (the OHTTP enc is the plain 65-byte point)."""
    benchmark.group = "ohttp.request.seal"
    benchmark.extra_info["floor"] = True
    benchmark(_floor_ohttp_request_seal)


REQUEST, _ = ohttp.seal_request(CONFIG, BHTTP_GET)


def _floor_ohttp_request_open() -> None:
    """One ECDH."""
    ecdh.shared_point(REPLY.public, GATEWAY.secret)


def _ohttp_request_open() -> tuple[bytes, ohttp.ServerResponseContext]:
    return ohttp.open_request(GATEWAY.secret, CONFIG, REQUEST)


def test_ohttp_request_open(
    benchmark: BenchmarkFixture, record_paired_ratio: RecordPairedRatio
) -> None:
    benchmark.group = "ohttp.request.open"
    benchmark(_ohttp_request_open)
    record_paired_ratio(_ohttp_request_open, _floor_ohttp_request_open)


def test_ohttp_request_open_floor(benchmark: BenchmarkFixture) -> None:
    """One ECDH."""
    benchmark.group = "ohttp.request.open"
    benchmark.extra_info["floor"] = True
    benchmark(_floor_ohttp_request_open)
