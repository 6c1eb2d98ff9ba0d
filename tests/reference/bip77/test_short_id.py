"""ShortIds: SHA-256 of the compressed key cut to 8 bytes, 13 upper-case bech32 characters."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from helpers import uri_cases
from hypothesis import given
from hypothesis import strategies as st

from pjconf.reference.bip77 import bech32
from pjconf.reference.bip77.short_id import format_short_id, parse_short_id, short_id
from pjconf.reference.crypto.secp256k1 import KeyPair, N, uncompress
from pjconf.reference.errors import InvalidKey, ParseError

RUST_PK = bytes.fromhex("03db28458c699c002fe03bd4a020d037b7f286e2d65b04ebb6cb808f50f20c1596")


def test_short_id_vectors(corpus: Path) -> None:
    cases = uri_cases(corpus, "ShortId")
    assert cases
    for case in cases:
        assert case["op"] == "short_id"
        pk = bytes.fromhex(case["args"]["pk"])
        got = {"id": short_id(pk).hex(), "text": format_short_id(short_id(pk))}
        assert got == case["expected"], case["comment"]


def test_short_id_text_vectors(corpus: Path) -> None:
    cases = uri_cases(corpus, "ShortIdParse")
    assert cases
    for case in cases:
        try:
            got: dict[str, Any] = {"expected": {"id": parse_short_id(case["args"]["text"]).hex()}}
        except ParseError as exc:
            got = {"error": {"kind": exc.kind, "reason": exc.reason}}
        assert got == {k: case[k] for k in ("expected", "error") if k in case}, case["comment"]


def test_rust_payjoin_values() -> None:
    """v2.rs BIP 21 tests: the RK1 key's ShortId is the URI's path (the URI is self-consistent)."""
    assert short_id(RUST_PK).hex() == "59a584597637f9c1"
    assert format_short_id(short_id(RUST_PK)) == "TXJCGKTKXLUUZ"
    assert format_short_id(bytes(8)) == "QQQQQQQQQQQQQ"  # directory.rs short_id_conversion


def test_research_vectors(derived: dict[str, Any]) -> None:
    for name, mailbox in (("receiver", "receiver_mailbox"), ("reply", "reply_mailbox")):
        pk = bytes.fromhex(derived["keys"][name]["pk_compressed"])
        assert short_id(pk).hex() == derived[mailbox]["short_id_hex"]
        assert format_short_id(short_id(pk)) == derived[mailbox]["short_id_str"]
        assert parse_short_id(derived[mailbox]["short_id_str"]) == short_id(pk)


def test_uncompressed_keys_hash_compressed() -> None:
    assert short_id(uncompress(RUST_PK)) == short_id(RUST_PK)
    assert short_id(RUST_PK) == hashlib.sha256(RUST_PK).digest()[:8]


@pytest.mark.parametrize("pk", [b"", bytes(33), b"\x02" + bytes(31) + b"\x05", bytes(65)])
def test_invalid_keys(pk: bytes) -> None:
    with pytest.raises(InvalidKey):
        short_id(pk)


@pytest.mark.parametrize("alias", ["TXJCGKTKXLUUR", "TXJCGKTKXLUUZQ", "X1TXJCGKTKXLUUZ"])
def test_aliases_decode_to_the_same_id(alias: str) -> None:
    assert parse_short_id(alias) == short_id(RUST_PK)
    assert format_short_id(parse_short_id(alias)) == "TXJCGKTKXLUUZ"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("txjcgktkxluuz", "MixedCase"),
        ("TXJCGKTKXLUU", "IncorrectLength"),
        ("TXJCGKTKXLUUZQQ", "IncorrectLength"),
        ("", "IncorrectLength"),
        ("TXJCGKTKXLUUB", "InvalidChar"),
        ("TXJCGKTKX/UUZ", "InvalidChar"),
    ],
)
def test_parse_errors(text: str, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_short_id(text)
    assert info.value.reason == reason


def test_format_refuses_other_lengths() -> None:
    with pytest.raises(ParseError) as info:
        format_short_id(bytes(9))
    assert info.value.reason == "IncorrectLength"


_IDS = st.binary(min_size=8, max_size=8)


@given(raw=_IDS)
def test_format_parse_round_trip(raw: bytes) -> None:
    text = format_short_id(raw)
    assert len(text) == 13
    assert text == text.upper()
    assert parse_short_id(text) == raw


@given(raw=_IDS, extra=st.sampled_from(bech32.CHARSET.upper()))
def test_every_alias_of_an_id(raw: bytes, extra: str) -> None:
    """The padding bit of the 13th character and any 14th character are ignored."""
    text = format_short_id(raw)
    flipped = bech32.CHARSET.upper()[bech32.CHARSET.upper().index(text[-1]) ^ 1]
    assert parse_short_id(text[:-1] + flipped) == raw
    assert parse_short_id(text + extra) == raw


@given(secret=st.integers(min_value=1, max_value=N - 1))
def test_short_id_of_random_keys(secret: int) -> None:
    pair = KeyPair.from_secret(secret.to_bytes(32, "big"))
    expected = hashlib.sha256(pair.public_compressed).digest()[:8]
    assert short_id(pair.public) == short_id(pair.public_compressed) == expected
