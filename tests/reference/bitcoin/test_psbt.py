"""BIP 174 PSBTs: the BIP 78 vectors byte for byte, canonical order, and typed errors."""

from __future__ import annotations

import base64
from dataclasses import replace

import pytest
from psbt_fixtures import BIP78_PSBTS

from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.bitcoin.psbt_types import PsbtError, build_tap_tree
from pjconf.reference.errors import ParseError

# Known facts about the BIP 78 vectors (BIP 78 "Test vectors"; fee of the original is 332 sat).
EXPECTED = {
    "original": ("1dbe7702bdacba091911f0ba0c62fd6d1789960d456a58abed5e0c908e9c5a6f", 1, 2, 332),
    "proposal": ("d2ad48f1e1733a3c6dbf2eefada5bf2b40ca91c93c238919f21063152dfdf897", 2, 2, 514),
    "receiver-input-contribution": (
        "d2ad48f1e1733a3c6dbf2eefada5bf2b40ca91c93c238919f21063152dfdf897",
        2,
        2,
        None,
    ),
}


@pytest.mark.parametrize("name", sorted(BIP78_PSBTS))
def test_bip78_vectors(name: str) -> None:
    b64 = BIP78_PSBTS[name]
    p = Psbt.from_base64(b64)
    assert p.to_base64() == b64
    assert p.serialize() == base64.b64decode(b64)
    txid, n_in, n_out, fee = EXPECTED[name]
    assert p.unsigned_tx.txid_hex() == txid
    assert (len(p.inputs), len(p.outputs)) == (n_in, n_out)
    if fee is None:
        with pytest.raises(PsbtError) as e:
            p.fee()
        assert e.value.reason == "MissingUtxo"
        assert e.value.path == "inputs[0]"
    else:
        assert p.fee() == fee


def test_trailing_bytes_after_the_last_output_map_are_ignored() -> None:
    raw = base64.b64decode(BIP78_PSBTS["original"])
    assert Psbt.deserialize(raw + bytes(7000)).serialize() == raw


def test_fee_rate_in_sat_per_kwu() -> None:
    p = Psbt.from_base64(BIP78_PSBTS["proposal"])
    weight = p.extract_tx().weight()
    assert p.fee_rate_sat_per_kwu(weight) == 514 * 1000 // weight


@pytest.mark.parametrize(
    ("side", "reason"),
    [("outputs", "FeeOverflow"), ("balanced", None), ("negative", "NegativeFee")],
)
def test_fee_sums_are_u64_as_in_rust_bitcoin(side: str, reason: str | None) -> None:
    """rust-bitcoin adds amounts with ``checked_add``: a sum past ``u64::MAX`` is an error."""
    p = Psbt.from_base64(BIP78_PSBTS["original"])
    outputs = list(p.unsigned_tx.outputs)
    fee = p.fee()
    if side == "outputs":
        outputs[0] = replace(outputs[0], value=2**64 - 1)
    elif side == "negative":
        outputs[0] = replace(outputs[0], value=outputs[0].value + fee + 1)
    else:
        outputs[0] = replace(outputs[0], value=outputs[0].value + fee)
    tampered = replace(p, unsigned_tx=replace(p.unsigned_tx, outputs=tuple(outputs)))
    if reason is None:
        assert tampered.fee() == 0
        return
    with pytest.raises(PsbtError) as e:
        tampered.fee()
    assert e.value.reason == reason


def test_explicit_version_zero_is_dropped_like_rust() -> None:
    raw = base64.b64decode(BIP78_PSBTS["original"])
    global_end = raw.index(b"\x00\x01\x01", 5)  # the global map's separator, then input 0
    with_version = raw[:global_end] + bytes.fromhex("01fb0400000000") + raw[global_end:]
    assert Psbt.deserialize(with_version).serialize() == raw
    bumped = raw[:global_end] + bytes.fromhex("01fb0402000000") + raw[global_end:]
    with pytest.raises(PsbtError) as e:
        Psbt.deserialize(bumped)
    assert (e.value.reason, e.value.path) == ("InvalidVersion", "global.version")


def _raw(name: str) -> bytes:
    return base64.b64decode(BIP78_PSBTS[name])


@pytest.mark.parametrize(
    ("mutate", "reason", "path"),
    [
        (lambda r: b"psbx" + r[4:], "InvalidMagic", ""),
        (lambda r: r[:4] + b"\xfe" + r[5:], "InvalidSeparator", ""),
        (lambda r: r[:40], "UnexpectedEnd", "global"),
        # witness_utxo value of input 0 truncated by one byte (its length prefix 0x20 -> 0x1f).
        (
            lambda r: r.replace(bytes.fromhex("010120a81bd705"), bytes.fromhex("01011fa81bd705")),
            None,
            None,
        ),
    ],
)
def test_typed_errors(mutate: object, reason: str | None, path: str | None) -> None:
    assert callable(mutate)
    with pytest.raises(ParseError) as e:
        Psbt.deserialize(mutate(_raw("original")))
    if reason is not None:
        assert e.value.reason == reason
        assert getattr(e.value, "path", "") == path


def test_duplicate_key_names_its_place() -> None:
    raw = _raw("original")
    # Insert a second witness_utxo into input 0 by repeating the first one.
    start = raw.index(bytes.fromhex("010120"))
    entry = raw[start : start + 3 + 0x20]
    dup = raw[: start + len(entry)] + entry + raw[start + len(entry) :]
    with pytest.raises(PsbtError) as e:
        Psbt.deserialize(dup)
    assert (e.value.reason, e.value.path) == ("DuplicateKey", "inputs[0].witness_utxo")


def test_bad_witness_utxo_value_names_its_place() -> None:
    raw = _raw("original")
    start = raw.index(bytes.fromhex("010120"))
    # Shrink the value's length and drop its last byte: the TxOut no longer parses.
    bad = (
        raw[:start]
        + bytes.fromhex("01011f")
        + raw[start + 3 : start + 3 + 0x1F]
        + raw[start + 3 + 0x20 :]
    )
    with pytest.raises(PsbtError) as e:
        Psbt.deserialize(bad)
    assert e.value.path == "inputs[0].witness_utxo"


def test_tap_tree_is_rebuilt_in_rust_bitcoin_order() -> None:
    tree = build_tap_tree([(1, 0xC0, b"\x51"), (2, 0xC0, b"\x52"), (2, 0xC2, b"\x53")])
    # Combining puts the smaller hash first, so the order differs from the DFS input order.
    assert [(x.depth, x.script) for x in tree.leaves] == [(2, b"\x53"), (2, b"\x52"), (1, b"\x51")]
    for bad in ([(1, 0xC0, b"")], [(0, 0xC0, b""), (0, 0xC0, b"")], [(0, 0xC1, b"")], []):
        with pytest.raises(ParseError):
            build_tap_tree(bad)


def test_base64_must_be_canonical() -> None:
    b64 = BIP78_PSBTS["original"]
    for bad in (b64.rstrip("="), b64 + "=", "!" + b64[1:]):
        with pytest.raises(ParseError) as e:
            Psbt.from_base64(bad)
        assert e.value.reason == "InvalidBase64"
