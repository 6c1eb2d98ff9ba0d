"""The readable spec implementation against BIP 324's inverse vectors and against libsecp256k1."""

from __future__ import annotations

import csv
from itertools import product
from pathlib import Path

import pytest

from pjconf.reference.crypto import ellswift, secp256k1
from pjconf.reference.crypto import ellswift_spec as spec
from pjconf.reference.entropy import SeededRandom

P = spec.P


def test_sqrt_minus_3_is_the_computed_root() -> None:
    assert spec.sqrt(-3) == spec.SQRT_MINUS_3
    assert spec.SQRT_MINUS_3**2 % P == P - 3


def test_bip324_inverse_vectors(published: Path) -> None:
    """All 32 rows x 8 cases of xswiftec_inv, and every t found maps back to x."""
    path = published / "bip-0324" / "xswiftec_inv_test_vectors.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 32
    found = 0
    for row in rows:
        u, x = int(row["u"], 16), int(row["x"], 16)
        for case in range(8):
            t = spec.xswiftec_inv(x, u, case)
            published_t = row[f"case{case}_t"]
            assert (t.to_bytes(32, "big").hex() if t is not None else "") == published_t, (
                f"u={row['u']} case {case}"
            )
            if t is not None:
                found += 1
                assert spec.xswiftec(u, t) == x
    assert found > 0


def test_encoder_matches_libsecp256k1() -> None:
    """250 seeded (key, rnd32) pairs, every other one with rnd32 = 0 as Rust uses."""
    rng = SeededRandom("test_ellswift_spec/encode")
    for index in range(250):
        secret = int.from_bytes(rng.random_bytes(32)) % (secp256k1.N - 1) + 1
        public = secp256k1.public_key(secret.to_bytes(32, "big"), compressed=index % 3 != 0)
        rnd32 = bytes(32) if index % 2 == 0 else rng.random_bytes(32)
        assert spec.encode(public, rnd32) == ellswift.encode(public, rnd32), (index, public.hex())


def test_encoder_edge_keys() -> None:
    for secret in (1, 2, 3, secp256k1.N - 2, secp256k1.N - 1):
        public = secp256k1.public_key(secret.to_bytes(32, "big"), compressed=True)
        assert spec.encode(public) == ellswift.encode(public), secret


def test_encode_trace_is_consistent() -> None:
    public = secp256k1.public_key((7).to_bytes(32, "big"))
    trace = spec.encode_trace(public)
    assert trace.encoding == trace.u32 + trace.t.to_bytes(32, "big")
    assert 0 <= trace.branch < 8
    assert trace.attempts >= 1
    x = int.from_bytes(public[1:33])
    assert spec.xswiftec_inv(x, int.from_bytes(trace.u32), trace.branch) in (
        trace.t,
        P - trace.t,
    )


def test_decoder_matches_libsecp256k1_on_random_strings() -> None:
    rng = SeededRandom("test_ellswift_spec/decode")
    for _ in range(300):
        encoding = rng.random_bytes(64)
        assert spec.decode(encoding) == ellswift.decode(encoding), encoding.hex()


def _edge_field_values() -> list[int]:
    """u or t values at the edges: 0 and 1 in every 256-bit spelling, and the top of the range."""
    return [0, 1, 2, P - 1, P, P + 1, 2**256 - 1, 0x12345]


def _special_pairs() -> list[tuple[int, int]]:
    """(u, t) with u^3 + t^2 + 7 = 0 (t doubled) and u^3 - t^2 + 7 = 0 (X = 0), also unreduced."""
    pairs: list[tuple[int, int]] = []
    for u in range(1, 40):
        for target in (-spec.g(u), spec.g(u)):
            t = spec.sqrt(target)
            if t is None:
                continue
            for value in (t, P - t):
                pairs.append((u, value))
                if value + P < 2**256:
                    pairs.append((u, value + P))
                if u + P < 2**256:
                    pairs.append((u + P, value))
    return pairs


@pytest.mark.parametrize(
    ("u", "t"),
    [*product(_edge_field_values(), repeat=2), *_special_pairs()],
)
def test_decoder_matches_libsecp256k1_on_edge_inputs(u: int, t: int) -> None:
    encoding = u.to_bytes(32, "big") + t.to_bytes(32, "big")
    assert spec.decode(encoding) == ellswift.decode(encoding)


def test_special_pairs_exercise_both_degenerate_cases() -> None:
    pairs = _special_pairs()
    assert any((spec.g(u) + t * t) % P == 0 for u, t in pairs)
    assert any((spec.g(u) - t * t) % P == 0 for u, t in pairs)


def test_remap() -> None:
    assert spec.remap(0, 0) == (1, 1)
    assert spec.remap(P, P) == (1, 1)
    u, t = next((u, t) for u, t in _special_pairs() if (spec.g(u) + t * t) % P == 0)
    assert spec.remap(u, t) == (u % P, 2 * t % P)
