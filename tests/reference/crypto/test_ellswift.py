"""The fast path (libsecp256k1) against BIP 324's published vectors, and its typed errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pjconf.reference.crypto import ellswift, secp256k1
from pjconf.reference.crypto import ellswift_spec as spec
from pjconf.reference.errors import InvalidArgument, InvalidKey, ParseError

GENERATOR = secp256k1.public_key((1).to_bytes(32, "big"), compressed=True)


def read_csv(published: Path, name: str) -> list[dict[str, str]]:
    with (published / "bip-0324" / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_constants() -> None:
    assert ellswift.ELLSWIFT_SIZE == 64
    assert bytes(32) == ellswift.ZERO_RND32


def test_bip324_decode_vectors(published: Path) -> None:
    """All 76 rows: x as BIP 324 says, and y as the spec's parity rule says."""
    rows = read_csv(published, "ellswift_decode_test_vectors.csv")
    assert len(rows) == 76
    for row in rows:
        ell = bytes.fromhex(row["ellswift"])
        point = ellswift.decode(ell)
        assert point[1:33].hex() == row["x"], row["comment"]
        assert point == spec.decode(ell), row["comment"]
        t = int.from_bytes(ell[32:]) % spec.P
        assert point[64] & 1 == t & 1, row["comment"]


def test_bip324_packet_encoding_keys(published: Path) -> None:
    """The ElligatorSwift keys of BIP 324's packet vectors decode to their stated x."""
    rows = read_csv(published, "packet_encoding_test_vectors.csv")
    assert rows
    for row in rows:
        ours = ellswift.decode(bytes.fromhex(row["in_ellswift_ours"]))
        theirs = ellswift.decode(bytes.fromhex(row["in_ellswift_theirs"]))
        assert ours[1:33].hex() == row["mid_x_ours"], row["in_idx"]
        assert theirs[1:33].hex() == row["mid_x_theirs"], row["in_idx"]
        sk = bytes.fromhex(row["in_priv_ours"])
        assert secp256k1.public_key(sk)[1:33].hex() == row["mid_x_ours"], row["in_idx"]


def test_default_rnd32_is_zero() -> None:
    assert ellswift.encode(GENERATOR) == ellswift.encode(GENERATOR, bytes(32))


def test_key_form_does_not_matter() -> None:
    """The encoder hashes the compressed form whatever form it was given."""
    secret = bytes(31) + b"\x05"
    compressed = secp256k1.public_key(secret, compressed=True)
    full = secp256k1.public_key(secret)
    hybrid = bytes([6 + (full[64] & 1)]) + full[1:]
    rnd = bytes(range(32))
    assert ellswift.encode(compressed, rnd) == ellswift.encode(full, rnd)
    assert ellswift.encode(hybrid, rnd) == ellswift.encode(full, rnd)
    assert spec.encode(hybrid, rnd) == ellswift.encode(full, rnd)


def test_rnd32_changes_the_encoding() -> None:
    one = ellswift.encode(GENERATOR, bytes(32))
    other = ellswift.encode(GENERATOR, b"\x01" + bytes(31))
    assert one != other
    assert ellswift.decode(one) == ellswift.decode(other) == secp256k1.uncompress(GENERATOR)


BAD_KEYS = [
    pytest.param(b"", id="empty"),
    pytest.param(GENERATOR[1:], id="32-bytes"),
    pytest.param(GENERATOR + b"\x00", id="34-bytes"),
    pytest.param(bytes(64), id="64-bytes"),
    pytest.param(bytes(33), id="zero-prefix"),
    pytest.param(b"\x02" + bytes(32), id="x=0"),
    pytest.param(b"\x02" + spec.P.to_bytes(32, "big"), id="x=p"),
    pytest.param(b"\x05" + GENERATOR[1:], id="prefix-05"),
    pytest.param(b"\x04" + GENERATOR[1:], id="prefix-04-on-33"),
    pytest.param(b"\x04" + bytes(64), id="uncompressed-not-on-curve"),
    pytest.param(
        bytes([7 - (secp256k1.uncompress(GENERATOR)[64] & 1)])
        + secp256k1.uncompress(GENERATOR)[1:],
        id="hybrid-wrong-parity",
    ),
]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_encode_rejects_bad_keys(key: bytes) -> None:
    with pytest.raises(InvalidKey) as raised:
        ellswift.encode(key)
    assert raised.value.kind == "InvalidKey"
    with pytest.raises(InvalidKey):
        spec.encode(key)


@pytest.mark.parametrize("length", [0, 31, 33, 64])
def test_encode_rejects_bad_rnd32(length: int) -> None:
    with pytest.raises(InvalidArgument) as raised:
        ellswift.encode(GENERATOR, bytes(length))
    assert raised.value.kind == "InvalidArgument"
    with pytest.raises(InvalidArgument):
        spec.encode(GENERATOR, bytes(length))


@pytest.mark.parametrize("length", [0, 32, 63, 65, 128])
def test_decode_rejects_wrong_length(length: int) -> None:
    for decoder in (ellswift.decode, spec.decode):
        with pytest.raises(ParseError) as raised:
            decoder(bytes(length))
        assert raised.value.kind == "ParseError"
        assert raised.value.reason == "EllswiftLength"


secrets = st.integers(min_value=1, max_value=secp256k1.N - 1).map(lambda k: k.to_bytes(32, "big"))


@settings(max_examples=200, deadline=None)
@given(secret=secrets, rnd32=st.binary(min_size=32, max_size=32), compressed=st.booleans())
def test_decode_inverts_encode(secret: bytes, rnd32: bytes, compressed: bool) -> None:
    public = secp256k1.public_key(secret, compressed=compressed)
    assert ellswift.decode(ellswift.encode(public, rnd32)) == secp256k1.uncompress(public)


@settings(max_examples=200, deadline=None)
@given(encoding=st.binary(min_size=64, max_size=64))
def test_decode_is_total(encoding: bytes) -> None:
    point = ellswift.decode(encoding)
    assert len(point) == 65
    assert secp256k1.uncompress(point) == point
    assert spec.decode(encoding) == point
