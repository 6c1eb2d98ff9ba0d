"""Hypothesis strategies for PSBTs with every field rust-bitcoin 0.32 models.

Keys are real curve points (derived from small secrets), signatures strict DER, preimages hash
to their keys and tap trees are built in DFS order, so every PSBT drawn is one rust-bitcoin
accepts; shared by the fast round-trip suite and the interop suite against the crate.
"""

from __future__ import annotations

import hashlib
from typing import Any

from hypothesis import strategies as st

from pjconf.reference.bitcoin.encoding import hash160, ripemd160, sha256, sha256d
from pjconf.reference.bitcoin.psbt import Input, Output, Psbt
from pjconf.reference.bitcoin.psbt_types import (
    ECDSA_SIGHASH_TYPES,
    TAP_SIGHASH_TYPES,
    ControlBlock,
    EcdsaSignature,
    KeySource,
    ProprietaryKey,
    RawKey,
    TaprootSignature,
    Xpub,
    build_tap_tree,
)
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from pjconf.reference.crypto.secp256k1 import public_key

_KEYS = [hashlib.sha256(b"psbt-key" + bytes([i])).digest() for i in range(24)]
COMPRESSED = [public_key(k, compressed=True) for k in _KEYS]
UNCOMPRESSED = [public_key(k, compressed=False) for k in _KEYS]
XONLY = [k[1:] for k in COMPRESSED]

small_bytes = st.binary(max_size=40)
hash32 = st.binary(min_size=32, max_size=32)
u32 = st.integers(0, 2**32 - 1)
scripts = st.one_of(
    st.binary(max_size=60),
    st.sampled_from(
        [
            bytes.fromhex("0014") + bytes(20),
            bytes.fromhex("0020") + bytes(32),
            bytes.fromhex("5120") + bytes(32),
            bytes.fromhex("a914") + bytes(20) + b"\x87",
            bytes.fromhex("76a914") + bytes(20) + bytes.fromhex("88ac"),
        ]
    ),
)
witness = st.lists(small_bytes, max_size=4).map(tuple)


@st.composite
def der_signatures(draw: st.DrawFn) -> bytes:
    def integer() -> bytes:
        value = draw(st.integers(1, 2**255))
        body = value.to_bytes((value.bit_length() + 7) // 8, "big")
        if body[0] & 0x80:
            body = b"\x00" + body
        return bytes((2, len(body))) + body

    body = integer() + integer()
    return bytes((0x30, len(body))) + body


key_sources = st.builds(
    KeySource, st.binary(min_size=4, max_size=4), st.lists(u32, max_size=5).map(tuple)
)
ecdsa_sigs = st.builds(
    EcdsaSignature, der_signatures(), st.sampled_from(sorted(ECDSA_SIGHASH_TYPES))
)
tap_sigs = st.builds(
    TaprootSignature,
    st.binary(min_size=64, max_size=64),
    st.sampled_from(sorted(TAP_SIGHASH_TYPES)),
)
leaf_versions = st.sampled_from([0xC0, 0xC2, 0x02, 0xFE])
control_blocks = st.builds(
    ControlBlock,
    leaf_versions,
    st.integers(0, 1),
    st.sampled_from(XONLY),
    st.lists(hash32, max_size=3).map(tuple),
)
proprietary = st.dictionaries(
    st.builds(ProprietaryKey, st.binary(max_size=6), st.integers(0, 255), st.binary(max_size=6)),
    small_bytes,
    max_size=2,
).map(lambda d: tuple(d.items()))


def _unknown(reserved: set[int]) -> Any:
    types = st.integers(0, 255).filter(lambda t: t not in reserved and t != 0xFC)
    return st.dictionaries(st.builds(RawKey, types, small_bytes), small_bytes, max_size=2).map(
        lambda d: tuple(d.items())
    )


def _pairs(keys: Any, values: Any, max_size: int = 3) -> Any:
    return st.dictionaries(keys, values, max_size=max_size).map(lambda d: tuple(d.items()))


@st.composite
def tap_trees(draw: st.DrawFn) -> Any:
    """A complete tree: split a random number of leaves recursively, record DFS depths."""
    leaves: list[tuple[int, int, bytes]] = []

    def grow(depth: int, budget: int) -> None:
        if budget == 1 or depth == 4:
            leaves.append((depth, draw(leaf_versions), draw(st.binary(max_size=8))))
            return
        left = draw(st.integers(1, budget - 1))
        grow(depth + 1, left)
        grow(depth + 1, budget - left)

    grow(0, draw(st.integers(1, 5)))
    return build_tap_tree(leaves)


def _preimages(fn: Any) -> Any:
    return st.lists(small_bytes, max_size=2, unique=True).map(
        lambda vs: tuple((fn(v), v) for v in vs)
    )


origins = st.tuples(st.lists(hash32, max_size=2).map(tuple), key_sources)
prev_txs = st.builds(
    Transaction,
    st.integers(-(2**31), 2**31 - 1),
    st.lists(
        st.builds(TxIn, st.builds(OutPoint, hash32, u32), small_bytes, u32, witness),
        min_size=1,
        max_size=2,
    ).map(tuple),
    st.lists(st.builds(TxOut, st.integers(0, 2**40), scripts), max_size=3).map(tuple),
    u32,
)
opt = st.none


inputs = st.builds(
    Input,
    non_witness_utxo=opt() | prev_txs,
    witness_utxo=opt() | st.builds(TxOut, st.integers(0, 2**40), scripts),
    partial_sigs=_pairs(st.sampled_from(COMPRESSED + UNCOMPRESSED), ecdsa_sigs),
    sighash_type=opt() | u32,
    redeem_script=opt() | scripts,
    witness_script=opt() | scripts,
    bip32_derivation=_pairs(st.sampled_from(COMPRESSED), key_sources),
    final_script_sig=opt() | scripts,
    final_script_witness=opt() | witness,
    ripemd160_preimages=_preimages(ripemd160),
    sha256_preimages=_preimages(sha256),
    hash160_preimages=_preimages(hash160),
    hash256_preimages=_preimages(sha256d),
    tap_key_sig=opt() | tap_sigs,
    tap_script_sigs=_pairs(st.tuples(st.sampled_from(XONLY), hash32), tap_sigs),
    tap_scripts=_pairs(control_blocks, st.tuples(st.binary(max_size=10), leaf_versions)),
    tap_key_origins=_pairs(st.sampled_from(XONLY), origins),
    tap_internal_key=opt() | st.sampled_from(XONLY),
    tap_merkle_root=opt() | hash32,
    proprietary=proprietary,
    unknown=_unknown({*range(0x00, 0x09), *range(0x0A, 0x0E), *range(0x13, 0x19)}),
)
outputs = st.builds(
    Output,
    redeem_script=opt() | scripts,
    witness_script=opt() | scripts,
    bip32_derivation=_pairs(st.sampled_from(COMPRESSED), key_sources),
    tap_internal_key=opt() | st.sampled_from(XONLY),
    tap_tree=opt() | tap_trees(),
    tap_key_origins=_pairs(st.sampled_from(XONLY), origins),
    proprietary=proprietary,
    unknown=_unknown({0, 1, 2, 5, 6, 7}),
)
xpubs = st.builds(
    lambda net, depth, parent, child, key, chain: Xpub.parse(
        net + bytes((depth,)) + parent + child.to_bytes(4, "big") + chain + key
    ),
    st.sampled_from([bytes.fromhex("0488b21e"), bytes.fromhex("043587cf")]),
    st.integers(0, 255),
    st.binary(min_size=4, max_size=4),
    u32,
    st.sampled_from(COMPRESSED),
    hash32,
)


@st.composite
def psbts(draw: st.DrawFn, max_inputs: int = 3, max_outputs: int = 3) -> Psbt:
    n_in = draw(st.integers(1, max_inputs))
    n_out = draw(st.integers(0, max_outputs))
    tx = Transaction(
        draw(st.integers(-(2**31), 2**31 - 1)),
        tuple(TxIn(draw(st.builds(OutPoint, hash32, u32)), b"", draw(u32)) for _ in range(n_in)),
        tuple(draw(st.builds(TxOut, st.integers(0, 2**40), scripts)) for _ in range(n_out)),
        draw(u32),
    )
    return Psbt(
        tx,
        0,
        draw(_pairs(xpubs, key_sources, 2)),
        draw(proprietary),
        draw(_unknown({0x00, 0x01, 0xFB})),
        tuple(draw(inputs) for _ in range(n_in)),
        tuple(draw(outputs) for _ in range(n_out)),
    )
