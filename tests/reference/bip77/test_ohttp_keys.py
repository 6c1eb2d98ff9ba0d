"""OHTTP key configurations: the 74-byte config, its 34-byte OH1 form, bitcoin-ohttp's decoding."""

from __future__ import annotations

import contextlib
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from helpers import outcome, unpinned, uri_cases
from hypothesis import given
from hypothesis import strategies as st

from pjconf.reference.bip77 import bech32
from pjconf.reference.bip77.ohttp_keys import (
    BIP77_SUITE,
    SUPPORTED_SUITES,
    OhttpKeyConfig,
    decode_list,
)
from pjconf.reference.crypto.secp256k1 import KeyPair, N
from pjconf.reference.errors import PjconfError, UnsupportedSuite

# payjoin-ffi's unit test config = the key of rust-payjoin's v2.rs test_ohttp_get_set OH1 string.
FFI_CONFIG = bytes.fromhex(
    "01001604ba48c49c3d4a92a3ad00ecc63a024da10ced02180c73ec12d8a7ad2cc91bb483824fe2bee8d28bfe"
    "2eb2fc6453bc4d31cd851e8a6540e86c5382af588d370957000400010003"
)
RUST_OH = "OH1QYPM5JXYNS754Y4R45QWE336QFX6ZR8DQGVQCULVZTV20TFVEYDMFQC"
GATEWAY = KeyPair.from_secret(bytes(31) + b"\x07")


def _decoded(data: bytes) -> dict[str, Any]:
    config = OhttpKeyConfig.decode(data)
    return {
        "key_id": config.key_id,
        "kem_id": config.kem_id,
        "pk": config.pk.hex(),
        "suites": [list(s) for s in config.suites],
    }


def _rebuilt(compact: bytes) -> dict[str, Any]:
    return {"bytes": OhttpKeyConfig.from_compact(compact).encode().hex()}


def test_decode_vectors(corpus: Path) -> None:
    cases = uri_cases(corpus, "OhttpKeysDecode")
    assert cases
    for case in cases:
        assert case["op"] == "ohttp.keys.decode"
        got = outcome(partial(_decoded, bytes.fromhex(case["args"]["bytes"])))
        assert unpinned(got, case) == {k: case[k] for k in ("expected", "error") if k in case}, (
            case["comment"]
        )


def test_compact_vectors(corpus: Path) -> None:
    cases = uri_cases(corpus, "OhttpKeysCompact")
    assert cases
    for case in cases:
        data = bytes.fromhex(case["args"]["compact"])
        got = outcome(partial(_rebuilt, data))
        assert got == {k: case[k] for k in ("expected", "error") if k in case}, case["comment"]


def test_rust_payjoin_oh1_is_the_ffi_config() -> None:
    """v2.rs test_ohttp_get_set's OH1 rebuilds payjoin-ffi's 74-byte config, and back."""
    hrp, compact = bech32.decode(RUST_OH)
    assert hrp == "OH"
    config = OhttpKeyConfig.from_compact(compact)
    assert config.encode() == FFI_CONFIG
    assert len(config.encode()) == 74
    assert OhttpKeyConfig.decode(FFI_CONFIG) == config
    assert config.to_compact() == compact
    assert bech32.encode_upper("OH", config.to_compact()) == RUST_OH


def test_research_vectors(derived: dict[str, Any]) -> None:
    values = derived["ohttp_key_config"]
    gateway = KeyPair.from_secret(bytes.fromhex(values["gateway_sk"]))
    config = OhttpKeyConfig.decode(bytes.fromhex(values["key_config_hex"]))
    assert config == OhttpKeyConfig.bip77(1, gateway.public)
    assert bech32.encode_upper("OH", config.to_compact()) == values["oh_param"]


def test_decode_keeps_supported_suites_in_order() -> None:
    base = FFI_CONFIG[:68]
    listed = base + bytes.fromhex("001000010002000100010002000300010003")
    config = OhttpKeyConfig.decode(listed)
    assert config.suites == ((1, 1), (1, 3))  # AES-256-GCM and HKDF-SHA384 dropped


@pytest.mark.parametrize(
    ("data", "error", "reason"),
    [
        (b"", "ParseError", "Truncated"),
        (FFI_CONFIG[:2], "ParseError", "Truncated"),
        (FFI_CONFIG[:3], "ParseError", "Truncated"),
        (FFI_CONFIG[:69], "ParseError", "Truncated"),
        (FFI_CONFIG[:72], "ParseError", "Truncated"),
        (FFI_CONFIG + b"\x00", "ParseError", "TrailingBytes"),
        (FFI_CONFIG[:68] + b"\x00\x00", "ParseError", "InvalidSuiteList"),
        (FFI_CONFIG[:68] + b"\x00\x02\x00\x01", "ParseError", "InvalidSuiteList"),
        (FFI_CONFIG[:4] + bytes(64) + FFI_CONFIG[68:], "ParseError", "InvalidPublicKey"),
        (FFI_CONFIG[:1] + b"\x00\x20" + FFI_CONFIG[3:], "UnsupportedSuite", None),
        (FFI_CONFIG[:-2] + b"\x00\x02", "UnsupportedSuite", None),  # AES-256-GCM only
        (FFI_CONFIG[:-2] + b"\xff\xff", "UnsupportedSuite", None),  # unknown AEAD id
        (FFI_CONFIG[:-4] + b"\x00\x04\x00\x03", "UnsupportedSuite", None),  # unknown KDF id
        (b"\x00\x4a" + FFI_CONFIG, "UnsupportedSuite", None),  # RFC 9458 §3.2 length prefix
    ],
)
def test_decode_errors(data: bytes, error: str, reason: str | None) -> None:
    with pytest.raises(PjconfError) as info:
        OhttpKeyConfig.decode(data)
    assert info.value.kind == error
    assert getattr(info.value, "reason", None) == reason


def test_error_order_follows_bitcoin_ohttp() -> None:
    """Suites are checked before trailing bytes, trailing bytes before the public key."""
    bad_key = FFI_CONFIG[:4] + bytes(64) + FFI_CONFIG[68:]
    with pytest.raises(PjconfError) as info:
        OhttpKeyConfig.decode(bad_key + b"\x00")
    assert getattr(info.value, "reason", None) == "TrailingBytes"
    with pytest.raises(UnsupportedSuite):
        OhttpKeyConfig.decode(FFI_CONFIG[:-2] + b"\xff\xff\x00")


def test_hybrid_key_is_re_encoded() -> None:
    pk = OhttpKeyConfig.decode(FFI_CONFIG).pk
    hybrid = bytes([6 + (pk[-1] & 1)]) + pk[1:]
    assert OhttpKeyConfig.decode(FFI_CONFIG[:3] + hybrid + FFI_CONFIG[68:]).pk == pk


@pytest.mark.parametrize(
    ("compact", "reason"),
    [
        (b"", "IncorrectLength"),
        (b"\x01" + GATEWAY.public_compressed + b"\x00", "IncorrectLength"),
        (b"\x01" + GATEWAY.public, "IncorrectLength"),
        (b"\x01\x04" + GATEWAY.public_compressed[1:], "InvalidPublicKey"),
        (b"\x01\x02" + bytes(31) + b"\x05", "InvalidPublicKey"),
    ],
)
def test_from_compact_errors(compact: bytes, reason: str) -> None:
    with pytest.raises(PjconfError) as info:
        OhttpKeyConfig.from_compact(compact)
    assert getattr(info.value, "reason", None) == reason


def test_decode_list() -> None:
    good = OhttpKeyConfig.bip77(7, GATEWAY.public).encode()
    x25519 = bytes.fromhex(
        "01002031e1f05a740102115220e9af918f738674aec95f54db6e04eb705aae8e79815500080001000100010003"
    )
    body = b"".join(len(c).to_bytes(2, "big") + c for c in (x25519, good))
    assert decode_list(body) == [OhttpKeyConfig.decode(good)]
    assert decode_list(b"") == []
    for broken in (body[:-1], body + b"\x00"):
        with pytest.raises(PjconfError):
            decode_list(broken)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"key_id": 256},
        {"key_id": -1},
        {"kem_id": 0x10000},
        {"pk": b"\x04" + bytes(63)},
        {"suites": [(1, 0x10000)]},
    ],
)
def test_constructor_refuses_values_that_do_not_encode(kwargs: dict[str, Any]) -> None:
    fields: dict[str, Any] = {"key_id": 1, "kem_id": 0x16, "pk": GATEWAY.public, "suites": [(1, 3)]}
    with pytest.raises(PjconfError) as info:
        OhttpKeyConfig(**(fields | kwargs))
    assert getattr(info.value, "reason", None) == "InvalidKeyConfig"


def test_suites_are_stored_as_tuples() -> None:
    config = OhttpKeyConfig(1, 0x16, GATEWAY.public, [(1, 3)])
    assert config.suites == (BIP77_SUITE,)
    assert hash(config) == hash(OhttpKeyConfig.bip77(1, GATEWAY.public))


_SECRETS = st.integers(min_value=1, max_value=N - 1).map(lambda n: n.to_bytes(32, "big"))
_SUITES = st.lists(st.sampled_from(sorted(SUPPORTED_SUITES)), min_size=1, max_size=4)


@given(key_id=st.integers(0, 255), secret=_SECRETS, suites=_SUITES)
def test_encode_decode_round_trip(
    key_id: int, secret: bytes, suites: list[tuple[int, int]]
) -> None:
    config = OhttpKeyConfig(key_id, 0x0016, KeyPair.from_secret(secret).public, suites)
    encoded = config.encode()
    assert len(encoded) == 70 + 4 * len(suites)
    assert OhttpKeyConfig.decode(encoded) == config


@given(key_id=st.integers(0, 255), secret=_SECRETS)
def test_compact_round_trip(key_id: int, secret: bytes) -> None:
    config = OhttpKeyConfig.bip77(key_id, KeyPair.from_secret(secret).public)
    compact = config.to_compact()
    assert len(compact) == 34
    assert OhttpKeyConfig.from_compact(compact) == config
    assert len(config.encode()) == 74


@given(data=st.binary(max_size=90))
def test_decode_of_random_bytes_fails_typed(data: bytes) -> None:
    with contextlib.suppress(PjconfError):
        OhttpKeyConfig.decode(data)


@given(index=st.integers(0, 73), value=st.integers(0, 255))
def test_decode_of_mutated_config_fails_typed(index: int, value: int) -> None:
    mutated = FFI_CONFIG[:index] + bytes([value]) + FFI_CONFIG[index + 1 :]
    with contextlib.suppress(PjconfError):
        OhttpKeyConfig.decode(mutated)
