"""PSBT parse/serialize and serde-JSON encode/decode of a large PSBT, next to embit's parse.

The PSBT has 50 inputs, each with a witness UTXO, a P2WPKH partial signature, a BIP 32
derivation and a final witness, and 50 outputs with derivations: the size of a big
consolidation. embit (pure Python, the usual Python PSBT library) parsing the same bytes is the
yardstick; its ratio is recorded as ``paired_ratio`` on the parse benchmark.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from embit import psbt as embit_psbt
from pytest_benchmark.fixture import BenchmarkFixture

from pjconf.reference.bitcoin import psbt_json
from pjconf.reference.bitcoin.psbt import Input, Output, Psbt
from pjconf.reference.bitcoin.psbt_types import EcdsaSignature, KeySource
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from pjconf.reference.crypto.secp256k1 import public_key

pytestmark = pytest.mark.benchmark_suite

RecordPairedRatio = Callable[[Callable[[], object], Callable[[], object]], None]

N = 50
_KEYS = [
    public_key(hashlib.sha256(b"bench" + bytes([i])).digest(), compressed=True) for i in range(N)
]
_DER = bytes.fromhex(
    "304402207c43e03a75ea7e473f76be1cb6ea54f4023667e0f44b8bc05ff6aa01fc2324d302203ff463d8f599de"
    "01235244e584344d010d205f04ceeedf67f95d78a59ea89635"
)


def _large_psbt() -> Psbt:
    origin = KeySource(bytes.fromhex("d34db33f"), (0x80000054, 0x80000000, 0x80000000, 0, 7))
    ins, outs, maps_in, maps_out = [], [], [], []
    for i in range(N):
        spk = b"\x00\x14" + hashlib.new("ripemd160", _KEYS[i]).digest()
        ins.append(TxIn(OutPoint(hashlib.sha256(bytes([i])).digest(), i), b"", 0xFFFFFFFD))
        outs.append(TxOut(10_000 + i, spk))
        maps_in.append(
            Input(
                witness_utxo=TxOut(100_000 + i, spk),
                partial_sigs=((_KEYS[i], EcdsaSignature(_DER, 1)),),
                bip32_derivation=((_KEYS[i], origin),),
                final_script_witness=(_DER + b"\x01", _KEYS[i]),
            )
        )
        maps_out.append(Output(bip32_derivation=((_KEYS[i], origin),)))
    tx = Transaction(2, tuple(ins), tuple(outs), 0)
    return Psbt(tx, inputs=tuple(maps_in), outputs=tuple(maps_out))


PSBT = _large_psbt()
RAW = PSBT.serialize()
JSON = psbt_json.dumps_psbt(PSBT)


def _embit_parse() -> object:
    return embit_psbt.PSBT.parse(RAW)


def test_parse(benchmark: BenchmarkFixture, record_paired_ratio: RecordPairedRatio) -> None:
    benchmark.group = "psbt.parse"
    assert benchmark(Psbt.deserialize, RAW) == PSBT
    record_paired_ratio(lambda: Psbt.deserialize(RAW), _embit_parse)


def test_parse_embit_floor(benchmark: BenchmarkFixture) -> None:
    benchmark.group = "psbt.parse"
    benchmark.extra_info["floor"] = True
    benchmark(_embit_parse)


def test_serialize(benchmark: BenchmarkFixture) -> None:
    benchmark.group = "psbt.serialize"
    assert benchmark(PSBT.serialize) == RAW


def test_json_encode(benchmark: BenchmarkFixture) -> None:
    benchmark.group = "psbt.json"
    assert benchmark(psbt_json.dumps_psbt, PSBT) == JSON


def test_json_decode(benchmark: BenchmarkFixture) -> None:
    benchmark.group = "psbt.json"
    assert benchmark(psbt_json.loads_psbt, JSON) == PSBT
