"""bech32 without checksum: published values, rust-bech32 0.11 leniency, typed errors."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pytest
from helpers import outcome, uri_cases
from hypothesis import given
from hypothesis import strategies as st

from pjconf.reference.bip77 import bech32
from pjconf.reference.errors import ParseError

STUFF = bytes([0, 1, 2, 3, 31, 32, 33, 95, 0, 96, 127, 128, 129, 254, 255, 0])


def _decoded(text: str) -> dict[str, Any]:
    hrp, data = bech32.decode(text)
    return {"hrp": hrp, "data": data.hex()}


def test_encode_vectors(corpus: Path) -> None:
    cases = uri_cases(corpus, "Bech32Encode")
    assert cases
    for case in cases:
        text = bech32.encode_upper(case["args"]["hrp"], bytes.fromhex(case["args"]["data"]))
        assert {"text": text} == case["expected"], case["comment"]


def test_decode_vectors(corpus: Path) -> None:
    cases = uri_cases(corpus, "Bech32Decode")
    assert cases
    for case in cases:
        got = outcome(partial(_decoded, case["args"]["text"]))
        want = {k: case[k] for k in ("expected", "error") if k in case}
        assert got == want, case["comment"]


@pytest.mark.parametrize(
    ("hrp", "data", "text"),
    [
        # rust-payjoin bech32.rs bech32_for_qr (value computed in the research notes, §7.1).
        ("STUFF", STUFF, "STUFF1QQQSYQCLYQS47QRQ07QGRLHLQQ"),
        # rust-payjoin v2.rs test_exp_get_set: 1720547781 little-endian.
        ("EX", bytes.fromhex("c5798d66"), "EX1C4UC6ES"),
        (
            "RK",
            bytes.fromhex("03db28458c699c002fe03bd4a020d037b7f286e2d65b04ebb6cb808f50f20c1596"),
            "RK1Q0DJS3VVDXWQQTLQ8022QGXSX7ML9PHZ6EDSF6AKEWQG758JPS2EV",
        ),
        (
            "OH",
            bytes.fromhex("0103ba48c49c3d4a92a3ad00ecc63a024da10ced02180c73ec12d8a7ad2cc91bb483"),
            "OH1QYPM5JXYNS754Y4R45QWE336QFX6ZR8DQGVQCULVZTV20TFVEYDMFQC",
        ),
        ("x", b"", "X1"),
    ],
)
def test_published_values(hrp: str, data: bytes, text: str) -> None:
    assert bech32.encode_upper(hrp, data) == text
    assert bech32.decode(text) == (hrp.upper(), data)
    assert bech32.decode(text.lower()) == (hrp.lower(), data)


def test_length_is_hrp_plus_one_plus_ceil_8n_over_5() -> None:
    """The property rust-payjoin's bech32_for_qr asserts: no checksum characters."""
    text = bech32.encode_upper("STUFF", STUFF)
    assert len(text) == len("STUFF") + 1 + -(-len(STUFF) * 8 // 5)


@pytest.mark.parametrize(
    ("text", "data"),
    [
        ("X1", b""),
        ("X1Q", b""),  # 5 bits: dropped
        ("X1QQ", b"\x00"),  # 10 bits: 2 dropped
        ("X1QQQ", b"\x00"),  # 15 bits: 7 dropped, a whole group of five among them
        ("X1QL", b"\x07"),  # 00000 11111: the padding bits '11' are not checked
        ("X1LL", b"\xff"),
    ],
)
def test_leftover_and_padding_bits_are_ignored(text: str, data: bytes) -> None:
    assert bech32.decode(text) == ("X", data)


def test_appending_characters_still_decodes() -> None:
    """rust-payjoin's bech32_for_qr: 'QQPP' appended decodes, to other bytes."""
    text = bech32.encode_upper("STUFF", STUFF)
    hrp, data = bech32.decode(text + "QQPP")
    assert hrp == "STUFF"
    assert data != STUFF
    assert data.startswith(STUFF)


def test_separator_is_the_last_one() -> None:
    assert bech32.decode("EX1010") == ("EX10", b"")
    assert bech32.decode("A1B1QQ") == ("A1B", b"\x00")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("EX1B", "InvalidChar"),
        ("EX1I", "InvalidChar"),
        ("EX1O", "InvalidChar"),
        ("EX1-", "InvalidChar"),
        ("EX1\u00e9", "InvalidChar"),
        ("QQQB", "InvalidChar"),  # no separator, but the invalid character is found first
        ("Ex1B", "InvalidChar"),  # invalid data characters win over mixed case
        ("Ex1C4UC6ES", "MixedCase"),
        ("EX1c4uc6es", "MixedCase"),
        ("QQQQ", "MissingSeparator"),
        ("", "MissingSeparator"),
        ("1QQQQ", "InvalidHrp"),
        ("A" * 84 + "1QQ", "InvalidHrp"),
        ("A B1QQ", "InvalidHrp"),
        ("\u00e91QQ", "InvalidHrp"),
        ("\x7f1QQ", "InvalidHrp"),
    ],
)
def test_decode_errors(text: str, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        bech32.decode(text)
    assert info.value.reason == reason
    assert info.value.kind == "ParseError"


def test_longest_hrp_is_accepted() -> None:
    assert bech32.decode("A" * 83 + "1QQ") == ("A" * 83, b"\x00")


@pytest.mark.parametrize(
    ("hrp", "reason"), [("", "InvalidHrp"), ("a b", "InvalidHrp"), ("aB", "MixedCase")]
)
def test_encode_refuses_bad_hrps(hrp: str, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        bech32.encode_upper(hrp, b"\x00")
    assert info.value.reason == reason


_HRP_CHARS = st.sampled_from([chr(c) for c in range(33, 127)])
_HRPS = st.text(_HRP_CHARS, min_size=1, max_size=83).filter(lambda h: h in (h.lower(), h.upper()))


@given(hrp=_HRPS, data=st.binary(max_size=120))
def test_encode_decode_round_trip(hrp: str, data: bytes) -> None:
    text = bech32.encode_upper(hrp, data)
    assert text == text.upper()
    assert len(text) == len(hrp) + 1 + -(-len(data) * 8 // 5)
    assert bech32.decode(text) == (hrp.upper(), data)
    assert bech32.decode(text.lower()) == (hrp.lower(), data)


@given(data=st.binary(max_size=200))
def test_regrouping_round_trip(data: bytes) -> None:
    assert bech32.fes_to_bytes(bech32.bytes_to_fes(data)) == data


@given(text=st.text(max_size=60))
def test_decode_fails_only_with_parse_errors(text: str) -> None:
    try:
        hrp, data = bech32.decode(text)
    except ParseError:
        return
    assert text.lower().startswith(hrp.lower())
    assert len(data) == (len(text) - len(hrp) - 1) * 5 // 8
