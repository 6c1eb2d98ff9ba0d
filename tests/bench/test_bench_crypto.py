"""Message A/B and OHTTP request costs beside their libsecp256k1 floor, measured in one run.

Each group has the operation and a ``floor``: exactly the elliptic-curve work the operation
cannot avoid, called straight on libsecp256k1. The ratio operation/floor (``bash ci/bench.sh``
prints it) is what the reference adds on top: hashing, the AEAD, padding and Python. Targets:
within 1.5x for message A seal/open, message B seal/open, OHTTP request seal.

The floors assume what rust-payjoin also assumes: keys are parsed once into typed values
(``HpkePublicKey``; here :class:`PublicKey`), and a receiver keeps its public key beside its
secret key (``HpkeKeyPair``). What a message itself carries must be parsed on every message, so
opening message A includes parsing the reply key it contains, in the operation and in its floor.
"""

from __future__ import annotations

import os

import pytest
from btclib_secp256k1 import ecdh, ellswift, keys
from pytest_benchmark.fixture import BenchmarkFixture

from pjconf.reference.bip77 import messages, ohttp
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.crypto.secp256k1 import KeyPair
from pjconf.reference.entropy import SeededRandom

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


def test_msg_a_seal(benchmark: BenchmarkFixture) -> None:
    benchmark.group = "msg_a.seal"
    msg = benchmark(messages.seal_message_a, BODY_A, RECEIVER.public_key, REPLY.public_key)
    assert len(msg) == messages.PADDED_MESSAGE_BYTES


def test_msg_a_seal_floor(benchmark: BenchmarkFixture) -> None:
    """Ephemeral key generation, one ECDH, one ElligatorSwift encoding."""
    benchmark.group = "msg_a.seal"
    benchmark.extra_info["floor"] = True
    benchmark(_floor_keygen_ecdh_ellswift, RECEIVER.public, 1)


def test_msg_a_open(benchmark: BenchmarkFixture) -> None:
    benchmark.group = "msg_a.open"
    msg = messages.seal_message_a(BODY_A, RECEIVER.public_compressed, REPLY.public_compressed)
    reply_pk, _ = benchmark(messages.open_message_a, msg, RECEIVER)
    assert reply_pk == REPLY.public_compressed


def test_msg_a_open_floor(benchmark: BenchmarkFixture) -> None:
    """One ElligatorSwift decoding, one ECDH, parsing the 33-byte reply key the message carries."""
    benchmark.group = "msg_a.open"
    benchmark.extra_info["floor"] = True
    ell = bytes(os.urandom(64))
    reply_compressed = REPLY.public_compressed

    def floor() -> None:
        ecdh.shared_point(ellswift.decode(ell, compressed=False), RECEIVER.secret)
        keys.parse(reply_compressed)

    benchmark(floor)


# --- message B -------------------------------------------------------------------------------


def test_msg_b_seal(benchmark: BenchmarkFixture) -> None:
    benchmark.group = "msg_b.seal"
    msg = benchmark(messages.seal_message_b, BODY_B, RECEIVER, REPLY.public_key)
    assert len(msg) == messages.PADDED_MESSAGE_BYTES


def test_msg_b_seal_floor(benchmark: BenchmarkFixture) -> None:
    """Ephemeral key generation, two ECDH (ephemeral and static), one encoding."""
    benchmark.group = "msg_b.seal"
    benchmark.extra_info["floor"] = True
    benchmark(_floor_keygen_ecdh_ellswift, REPLY.public, 2)


def test_msg_b_open(benchmark: BenchmarkFixture) -> None:
    benchmark.group = "msg_b.open"
    msg = messages.seal_message_b(BODY_B, RECEIVER, REPLY.public_compressed)
    plaintext = benchmark(messages.open_message_b, msg, REPLY, RECEIVER.public_key)
    assert plaintext.startswith(BODY_B)


def test_msg_b_open_floor(benchmark: BenchmarkFixture) -> None:
    """One ElligatorSwift decoding, two ECDH."""
    benchmark.group = "msg_b.open"
    benchmark.extra_info["floor"] = True
    ell = bytes(os.urandom(64))

    def floor() -> None:
        ecdh.shared_point(ellswift.decode(ell, compressed=False), REPLY.secret)
        ecdh.shared_point(RECEIVER.public, REPLY.secret)

    benchmark(floor)


# --- OHTTP request ---------------------------------------------------------------------------


def test_ohttp_request_seal(benchmark: BenchmarkFixture) -> None:
    benchmark.group = "ohttp.request.seal"
    request, _ = benchmark(ohttp.seal_request, CONFIG, BHTTP_GET)
    assert len(request) == 8192


def test_ohttp_request_seal_floor(benchmark: BenchmarkFixture) -> None:
    """Ephemeral key generation and one ECDH (the OHTTP enc is the plain 65-byte point)."""
    benchmark.group = "ohttp.request.seal"
    benchmark.extra_info["floor"] = True

    def floor() -> None:
        sk = os.urandom(32)
        keys.pubkey_from_prvkey(sk, compressed=False)
        ecdh.shared_point(GATEWAY.public, sk)

    benchmark(floor)


def test_ohttp_request_open(benchmark: BenchmarkFixture) -> None:
    benchmark.group = "ohttp.request.open"
    request, _ = ohttp.seal_request(CONFIG, BHTTP_GET)
    benchmark(ohttp.open_request, GATEWAY.secret, CONFIG, request)


def test_ohttp_request_open_floor(benchmark: BenchmarkFixture) -> None:
    """One ECDH."""
    benchmark.group = "ohttp.request.open"
    benchmark.extra_info["floor"] = True
    benchmark(ecdh.shared_point, REPLY.public, GATEWAY.secret)
