"""BIP 174 PSBTs (version 0), byte-exact with rust-bitcoin 0.32.

rust-bitcoin keeps every keyed field in a ``BTreeMap`` and writes fields in a fixed order, so its
serialization is canonical: parsing canonical bytes and serializing gives the same bytes. The
models here keep the same fields, sort keyed fields by rust-bitcoin's ``Ord`` of their keys (see
:mod:`.psbt_types`), and refuse what rust-bitcoin refuses (duplicate keys, bad keys and values),
with a :class:`~.psbt_types.PsbtError` naming the place. Like rust-bitcoin,
:meth:`Psbt.deserialize` ignores bytes after the last output map: BIP 77 pads message B's PSBT.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, TypeVar

from pjconf.reference.bitcoin.encoding import (
    MAX_VEC_SIZE,
    Reader,
    compact_size,
    hash160,
    ripemd160,
    sha256,
    sha256d,
    u32le,
    var_bytes,
)
from pjconf.reference.bitcoin.psbt_types import (
    PREIMAGE_HASHES,
    ControlBlock,
    EcdsaSignature,
    KeySource,
    ProprietaryKey,
    PsbtError,
    RawKey,
    TaprootSignature,
    TapTree,
    Xpub,
    bitcoin_key_sort_key,
    check_bitcoin_public_key,
    check_leaf_version,
    check_xonly,
    compressed_form,
)
from pjconf.reference.bitcoin.tx import (
    Transaction,
    TxIn,
    TxOut,
    deserialize_witness,
    serialize_witness,
)
from pjconf.reference.errors import ParseError

MAGIC = b"psbt\xff"

K = TypeVar("K")
V = TypeVar("V")
Pairs = tuple[tuple[K, V], ...]

U64_LIMIT = 2**64
"""rust-bitcoin sums amounts in ``u64``; a sum reaching this overflows."""


def _sorted(pairs: Iterable[tuple[K, V]], key: Callable[[K], Any]) -> tuple[tuple[K, V], ...]:
    return tuple(sorted(pairs, key=lambda kv: key(kv[0])))


def _ident(b: Any) -> Any:
    return b


def _same(b: bytes) -> bytes:
    return b


@dataclass(frozen=True, slots=True)
class Input:
    """A PSBT input map: rust-bitcoin ``psbt::Input``'s 21 fields, in its order."""

    non_witness_utxo: Transaction | None = None
    witness_utxo: TxOut | None = None
    partial_sigs: Pairs[bytes, EcdsaSignature] = ()
    sighash_type: int | None = None
    redeem_script: bytes | None = None
    witness_script: bytes | None = None
    bip32_derivation: Pairs[bytes, KeySource] = ()
    final_script_sig: bytes | None = None
    final_script_witness: tuple[bytes, ...] | None = None
    ripemd160_preimages: Pairs[bytes, bytes] = ()
    sha256_preimages: Pairs[bytes, bytes] = ()
    hash160_preimages: Pairs[bytes, bytes] = ()
    hash256_preimages: Pairs[bytes, bytes] = ()
    tap_key_sig: TaprootSignature | None = None
    tap_script_sigs: Pairs[tuple[bytes, bytes], TaprootSignature] = ()
    tap_scripts: Pairs[ControlBlock, tuple[bytes, int]] = ()
    tap_key_origins: Pairs[bytes, tuple[tuple[bytes, ...], KeySource]] = ()
    tap_internal_key: bytes | None = None
    tap_merkle_root: bytes | None = None
    proprietary: Pairs[ProprietaryKey, bytes] = ()
    unknown: Pairs[RawKey, bytes] = ()

    def __post_init__(self) -> None:
        # Map order is serialization order: keep every map sorted as rust-bitcoin's BTreeMap is.
        for name, key in _INPUT_MAP_ORDER:
            object.__setattr__(self, name, _sorted(getattr(self, name), key))


_INPUT_MAP_ORDER: tuple[tuple[str, Callable[[Any], Any]], ...] = (
    ("partial_sigs", bitcoin_key_sort_key),
    ("bip32_derivation", _ident),
    ("ripemd160_preimages", _ident),
    ("sha256_preimages", _ident),
    ("hash160_preimages", _ident),
    ("hash256_preimages", _ident),
    ("tap_script_sigs", _ident),
    ("tap_scripts", ControlBlock.sort_key),
    ("tap_key_origins", _ident),
    ("proprietary", _ident),
    ("unknown", _ident),
)


@dataclass(frozen=True, slots=True)
class Output:
    """A PSBT output map: rust-bitcoin ``psbt::Output``'s 8 fields, in its order."""

    redeem_script: bytes | None = None
    witness_script: bytes | None = None
    bip32_derivation: Pairs[bytes, KeySource] = ()
    tap_internal_key: bytes | None = None
    tap_tree: TapTree | None = None
    tap_key_origins: Pairs[bytes, tuple[tuple[bytes, ...], KeySource]] = ()
    proprietary: Pairs[ProprietaryKey, bytes] = ()
    unknown: Pairs[RawKey, bytes] = ()

    def __post_init__(self) -> None:
        for name in ("bip32_derivation", "tap_key_origins", "proprietary", "unknown"):
            object.__setattr__(self, name, _sorted(getattr(self, name), _ident))


@dataclass(frozen=True, slots=True)
class Psbt:
    """A version 0 PSBT: the unsigned transaction, global fields and one map per input/output."""

    unsigned_tx: Transaction
    version: int = 0
    xpub: Pairs[Xpub, KeySource] = ()
    proprietary: Pairs[ProprietaryKey, bytes] = ()
    unknown: Pairs[RawKey, bytes] = ()
    inputs: tuple[Input, ...] = field(default=())
    outputs: tuple[Output, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "xpub", _sorted(self.xpub, Xpub.sort_key))
        object.__setattr__(self, "proprietary", _sorted(self.proprietary, _ident))
        object.__setattr__(self, "unknown", _sorted(self.unknown, _ident))

    # -- binary ---------------------------------------------------------------------------------

    def serialize(self) -> bytes:
        """BIP 174 binary, in rust-bitcoin's field order."""
        parts = [MAGIC, _global_map(self)]
        parts += [_input_map(i) for i in self.inputs]
        parts += [_output_map(o) for o in self.outputs]
        return b"".join(parts)

    @classmethod
    def deserialize(cls, data: bytes) -> Psbt:
        """Parse BIP 174 binary; bytes after the last output map are ignored (as in Rust)."""
        return _parse(Reader(data))

    def to_base64(self) -> str:
        return base64.b64encode(self.serialize()).decode()

    @classmethod
    def from_base64(cls, text: str) -> Psbt:
        """rust-bitcoin's ``Psbt::from_str``: strict, canonically padded standard base64."""
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise PsbtError("InvalidBase64", "", "not valid base64") from None
        if base64.b64encode(raw).decode() != text:
            raise PsbtError("InvalidBase64", "", "non-canonical base64 (padding or trailing bits)")
        return cls.deserialize(raw)

    def extract_tx(self) -> Transaction:
        """The unsigned tx with each input's final scriptSig and witness filled in.

        rust-bitcoin's ``extract_tx_unchecked_fee_rate``: a missing final field becomes empty.
        A PSBT read from JSON (a session event) may hold more or fewer input maps than its
        transaction has inputs, which the binary form cannot; the crate pairs them with a
        plain ``zip``, so surplus maps are ignored and an input without a map is kept as the
        unsigned transaction has it. Found by ``pjconf fuzz`` (the ``replay`` of such a log).
        """
        txins = self.unsigned_tx.inputs
        filled = tuple(
            TxIn(
                txin.previous_output,
                inp.final_script_sig or b"",
                txin.sequence,
                inp.final_script_witness or (),
            )
            for txin, inp in zip(txins, self.inputs, strict=False)
        )
        return replace(self.unsigned_tx, inputs=filled + txins[len(filled) :])

    # -- amounts --------------------------------------------------------------------------------

    def spent_utxo(self, index: int) -> TxOut:
        """The output input ``index`` spends, from ``witness_utxo`` or ``non_witness_utxo``."""
        inp = self.inputs[index]
        if inp.witness_utxo is not None:
            return inp.witness_utxo
        if inp.non_witness_utxo is not None:
            vout = self.unsigned_tx.inputs[index].previous_output.vout
            if vout < len(inp.non_witness_utxo.outputs):
                return inp.non_witness_utxo.outputs[vout]
            raise PsbtError(
                "MissingUtxo", f"inputs[{index}].non_witness_utxo", f"has no output {vout}"
            )
        raise PsbtError(
            "MissingUtxo", f"inputs[{index}]", "neither witness_utxo nor non_witness_utxo"
        )

    def fee(self) -> int:
        """Inputs minus outputs in satoshis (needs every input's UTXO); negative is an error.

        As rust-bitcoin's ``Psbt::fee``: each sum is a ``u64`` that must not overflow (checked at
        every addition, inputs first, so a missing UTXO after an overflowing one is not reached).
        """
        total_in = 0
        for i in range(len(self.inputs)):
            total_in += self.spent_utxo(i).value
            if total_in >= U64_LIMIT:
                raise PsbtError("FeeOverflow", "", "integer overflow in fee calculation")
        total_out = 0
        for output in self.unsigned_tx.outputs:
            total_out += output.value
            if total_out >= U64_LIMIT:
                raise PsbtError("FeeOverflow", "", "integer overflow in fee calculation")
        if total_in < total_out:
            raise PsbtError("NegativeFee", "", f"outputs {total_out} exceed inputs {total_in}")
        return total_in - total_out

    def fee_rate_sat_per_kwu(self, weight: int) -> int:
        """``fee * 1000 / weight``, floored (rust-bitcoin ``Amount / Weight``)."""
        return self.fee() * 1000 // weight


# --- serialization ----------------------------------------------------------------------------


def _pair(type_value: int, key: bytes, value: bytes) -> bytes:
    return compact_size(len(key) + 1) + bytes((type_value,)) + key + var_bytes(value)


def _tail(proprietary: Pairs[ProprietaryKey, bytes], unknown: Pairs[RawKey, bytes]) -> list[bytes]:
    out = [_pair(0xFC, k.to_key_data(), v) for k, v in proprietary]
    out += [_pair(k.type_value, k.key, v) for k, v in unknown]
    return out


def _global_map(p: Psbt) -> bytes:
    out = [_pair(0x00, b"", p.unsigned_tx.serialize_without_witness())]
    out += [_pair(0x01, x.encoded, ks.serialize()) for x, ks in p.xpub]
    if p.version > 0:
        out.append(_pair(0xFB, b"", u32le(p.version)))
    out += _tail(p.proprietary, p.unknown)
    return b"".join(out) + b"\x00"


def _origins(value: tuple[tuple[bytes, ...], KeySource]) -> bytes:
    hashes, source = value
    return compact_size(len(hashes)) + b"".join(hashes) + source.serialize()


def _input_map(i: Input) -> bytes:
    out: list[bytes] = []
    if i.non_witness_utxo is not None:
        out.append(_pair(0x00, b"", i.non_witness_utxo.serialize()))
    if i.witness_utxo is not None:
        out.append(_pair(0x01, b"", i.witness_utxo.serialize()))
    out += [_pair(0x02, k, s.serialize()) for k, s in i.partial_sigs]
    if i.sighash_type is not None:
        out.append(_pair(0x03, b"", u32le(i.sighash_type)))
    if i.redeem_script is not None:
        out.append(_pair(0x04, b"", i.redeem_script))
    if i.witness_script is not None:
        out.append(_pair(0x05, b"", i.witness_script))
    out += [_pair(0x06, k, ks.serialize()) for k, ks in i.bip32_derivation]
    if i.final_script_sig is not None:
        out.append(_pair(0x07, b"", i.final_script_sig))
    if i.final_script_witness is not None:
        out.append(_pair(0x08, b"", serialize_witness(i.final_script_witness)))
    for type_value, (name, _) in PREIMAGE_HASHES.items():
        out += [_pair(type_value, h, pre) for h, pre in getattr(i, name)]
    if i.tap_key_sig is not None:
        out.append(_pair(0x13, b"", i.tap_key_sig.serialize()))
    out += [_pair(0x14, xo + lh, s.serialize()) for (xo, lh), s in i.tap_script_sigs]
    out += [_pair(0x15, cb.serialize(), sc + bytes((lv,))) for cb, (sc, lv) in i.tap_scripts]
    out += [_pair(0x16, xo, _origins(v)) for xo, v in i.tap_key_origins]
    if i.tap_internal_key is not None:
        out.append(_pair(0x17, b"", i.tap_internal_key))
    if i.tap_merkle_root is not None:
        out.append(_pair(0x18, b"", i.tap_merkle_root))
    out += _tail(i.proprietary, i.unknown)
    return b"".join(out) + b"\x00"


def _output_map(o: Output) -> bytes:
    out: list[bytes] = []
    if o.redeem_script is not None:
        out.append(_pair(0x00, b"", o.redeem_script))
    if o.witness_script is not None:
        out.append(_pair(0x01, b"", o.witness_script))
    out += [_pair(0x02, k, ks.serialize()) for k, ks in o.bip32_derivation]
    if o.tap_internal_key is not None:
        out.append(_pair(0x05, b"", o.tap_internal_key))
    if o.tap_tree is not None:
        out.append(_pair(0x06, b"", o.tap_tree.serialize()))
    out += [_pair(0x07, xo, _origins(v)) for xo, v in o.tap_key_origins]
    out += _tail(o.proprietary, o.unknown)
    return b"".join(out) + b"\x00"


# --- parsing ----------------------------------------------------------------------------------


def _read_pairs(r: Reader, path: str) -> list[tuple[int, bytes, bytes]]:
    """One map's raw ``(type, key data, value)`` pairs, up to its 0x00 separator."""
    pairs: list[tuple[int, bytes, bytes]] = []
    start = r.pos
    try:
        while True:
            key_len = r.compact_size()
            if key_len == 0:
                return pairs
            if key_len - 1 > MAX_VEC_SIZE:
                raise ParseError("OversizedVector", f"key of {key_len} bytes")
            type_value = r.u8()
            key = r.read(key_len - 1)
            value = r.var_bytes()
            if r.pos - start > MAX_VEC_SIZE:
                raise ParseError("OversizedVector", f"map exceeds {MAX_VEC_SIZE} bytes")
            pairs.append((type_value, key, value))
    except PsbtError:
        raise
    except ParseError as e:
        raise PsbtError(e.reason, path, str(e)) from None


class _MapBuilder:
    """Collects one map's fields, refusing duplicates like rust-bitcoin's ``insert_pair``."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.single: dict[str, Any] = {}
        self.maps: dict[str, dict[Any, Any]] = {}

    def err(self, reason: str, name: str, message: str) -> PsbtError:
        return PsbtError(reason, f"{self.path}.{name}", message)

    def put(self, name: str, key: bytes, parse: Callable[[bytes], Any], value: bytes) -> None:
        """A key type without key data: at most once, and its key data must be empty."""
        if key:
            raise self.err("InvalidKey", name, "this key type takes no key data")
        if name in self.single:
            raise self.err("DuplicateKey", name, "duplicate key")
        self.single[name] = self._guard(name, parse, value)

    def put_map(
        self,
        name: str,
        key: bytes,
        parse_key: Callable[[bytes], Any],
        parse_value: Callable[[bytes], Any],
        value: bytes,
    ) -> None:
        """A keyed field: the key is parsed (and checked for duplicates) before the value."""
        if not key and name not in ("proprietary", "unknown"):
            raise self.err("InvalidKey", name, "this key type needs key data")
        entries = self.maps.setdefault(name, {})
        k = self._guard(name, parse_key, key)
        if k in entries:
            raise self.err("DuplicateKey", name, f"duplicate key {key.hex()}")
        entries[k] = self._guard(name, parse_value, value)

    def _guard(self, name: str, parse: Callable[[bytes], Any], data: bytes) -> Any:
        try:
            return parse(data)
        except PsbtError:
            raise
        except ParseError as e:
            raise self.err(e.reason, name, str(e)) from None

    def fields(self) -> dict[str, Any]:
        return {**self.single, **{k: tuple(v.items()) for k, v in self.maps.items()}}


def _parse(r: Reader) -> Psbt:
    try:
        magic = r.read(5)
    except ParseError:
        raise PsbtError("InvalidMagic", "", "shorter than the PSBT magic") from None
    if magic[:4] != b"psbt":
        raise PsbtError("InvalidMagic", "", "missing 'psbt' magic")
    if magic[4] != 0xFF:
        raise PsbtError("InvalidSeparator", "", "magic not followed by 0xff")
    g = _MapBuilder("global")
    for type_value, key, value in _read_pairs(r, "global"):
        if type_value == 0x00:
            g.put("unsigned_tx", key, _unsigned_tx, value)
        elif type_value == 0x01:
            if not key:
                raise g.err("InvalidXpub", "xpub", "xpub key must carry the extended key")
            g.put_map("xpub", key, Xpub.parse, _xpub_value, value)
        elif type_value == 0xFB:
            g.put("version", key, _version, value)
        else:
            _put_tail(g, type_value, key, value)
    fields = g.fields()
    if "unsigned_tx" not in fields:
        raise PsbtError("MustHaveUnsignedTx", "global", "no unsigned transaction")
    tx: Transaction = fields.pop("unsigned_tx")
    for n, txin in enumerate(tx.inputs):
        if txin.script_sig:
            raise PsbtError("UnsignedTxHasScriptSigs", f"unsigned_tx.input[{n}]", "has a scriptSig")
        if txin.witness:  # pragma: no cover - legacy decoding cannot produce one
            raise PsbtError("UnsignedTxHasScriptWitnesses", f"unsigned_tx.input[{n}]", "witness")
    inputs = tuple(_parse_input(r, f"inputs[{n}]") for n in range(len(tx.inputs)))
    outputs = tuple(_parse_output(r, f"outputs[{n}]") for n in range(len(tx.outputs)))
    return Psbt(tx, inputs=inputs, outputs=outputs, **fields)


def _put_tail(b: _MapBuilder, type_value: int, key: bytes, value: bytes) -> None:
    if type_value == 0xFC:
        b.put_map("proprietary", key, ProprietaryKey.parse, _same, value)
    else:
        b.put_map("unknown", key, partial(RawKey, type_value), _same, value)


def _unsigned_tx(value: bytes) -> Transaction:
    """The global unsigned tx: always legacy serialization, and all of the value."""
    r = Reader(value)
    version = r.i32()
    inputs = tuple(TxIn.read(r) for _ in range(r.count(41)))
    outputs = tuple(TxOut.read(r) for _ in range(r.count(9)))
    tx = Transaction(version, inputs, outputs, r.u32())
    if not r.at_end():
        raise ParseError("PartialDataConsumption", "bytes left after the unsigned transaction")
    return tx


def _xpub_value(value: bytes) -> KeySource:
    if not value or len(value) % 4:
        raise ParseError("InvalidXpub", "incorrect length of global xpub derivation data")
    return KeySource.parse(value)


def _version(value: bytes) -> int:
    if len(value) != 4:
        raise ParseError("InvalidVersion", "global version value must be 4 bytes")
    version = int.from_bytes(value, "little")
    if version != 0:
        raise ParseError("InvalidVersion", "PSBT versions greater than 0 are not supported")
    return version


def _preimage(type_value: int, key: bytes, value: bytes) -> bytes:
    name, size = PREIMAGE_HASHES[type_value]
    if len(key) != size:
        raise ParseError("InvalidHash", f"hash of {len(key)} bytes, expected {size}")
    digest = {0x0A: ripemd160, 0x0B: sha256, 0x0C: hash160, 0x0D: sha256d}[type_value](value)
    if digest != key:
        raise ParseError("InvalidPreimageHashPair", f"{name} value does not hash to its key")
    return value


def _bitcoin_key(key: bytes) -> bytes:
    check_bitcoin_public_key(key)
    return key


def _xonly(data: bytes) -> bytes:
    check_xonly(data)
    return data


def _hash32(data: bytes) -> bytes:
    if len(data) != 32:
        raise ParseError("InvalidHash", f"hash of {len(data)} bytes, expected 32")
    return data


def _script_sig_key(key: bytes) -> tuple[bytes, bytes]:
    if len(key) < 32:
        raise ParseError("UnexpectedEnd", "tap script sig key shorter than an x-only key")
    return _xonly(key[:32]), _hash32(key[32:])


def _leaf_script(value: bytes) -> tuple[bytes, int]:
    if not value:
        raise ParseError("UnexpectedEnd", "empty tap leaf script value")
    check_leaf_version(value[-1])
    return value[:-1], value[-1]


def _key_origins(value: bytes) -> tuple[tuple[bytes, ...], KeySource]:
    r = Reader(value)
    hashes = tuple(r.read(32) for _ in range(r.count(32)))
    return hashes, KeySource.parse(value[r.pos :])


def _sighash_type(value: bytes) -> int:
    if len(value) != 4:
        raise ParseError("InvalidSighashType", f"sighash type of {len(value)} bytes")
    return int.from_bytes(value, "little")


def _parse_input(r: Reader, path: str) -> Input:
    b = _MapBuilder(path)
    for t, key, value in _read_pairs(r, path):
        if t == 0x00:
            b.put("non_witness_utxo", key, Transaction.deserialize, value)
        elif t == 0x01:
            b.put("witness_utxo", key, TxOut.deserialize, value)
        elif t == 0x02:
            b.put_map("partial_sigs", key, _bitcoin_key, EcdsaSignature.parse, value)
        elif t == 0x03:
            b.put("sighash_type", key, _sighash_type, value)
        elif t == 0x04:
            b.put("redeem_script", key, _same, value)
        elif t == 0x05:
            b.put("witness_script", key, _same, value)
        elif t == 0x06:
            b.put_map("bip32_derivation", key, compressed_form, KeySource.parse, value)
        elif t == 0x07:
            b.put("final_script_sig", key, _same, value)
        elif t == 0x08:
            b.put("final_script_witness", key, deserialize_witness, value)
        elif t in PREIMAGE_HASHES:
            name = PREIMAGE_HASHES[t][0]
            b.put_map(name, key, _same, partial(_preimage, t, key), value)
        elif t == 0x13:
            b.put("tap_key_sig", key, TaprootSignature.parse, value)
        elif t == 0x14:
            b.put_map("tap_script_sigs", key, _script_sig_key, TaprootSignature.parse, value)
        elif t == 0x15:
            b.put_map("tap_scripts", key, ControlBlock.parse, _leaf_script, value)
        elif t == 0x16:
            b.put_map("tap_key_origins", key, _xonly, _key_origins, value)
        elif t == 0x17:
            b.put("tap_internal_key", key, _xonly, value)
        elif t == 0x18:
            b.put("tap_merkle_root", key, _hash32, value)
        else:
            _put_tail(b, t, key, value)
    return Input(**b.fields())


def _parse_output(r: Reader, path: str) -> Output:
    b = _MapBuilder(path)
    for t, key, value in _read_pairs(r, path):
        if t == 0x00:
            b.put("redeem_script", key, _same, value)
        elif t == 0x01:
            b.put("witness_script", key, _same, value)
        elif t == 0x02:
            b.put_map("bip32_derivation", key, compressed_form, KeySource.parse, value)
        elif t == 0x05:
            b.put("tap_internal_key", key, _xonly, value)
        elif t == 0x06:
            b.put("tap_tree", key, TapTree.parse, value)
        elif t == 0x07:
            b.put_map("tap_key_origins", key, _xonly, _key_origins, value)
        else:
            _put_tail(b, t, key, value)
    return Output(**b.fields())


def with_inputs(psbt: Psbt, inputs: Iterable[Input]) -> Psbt:
    """A copy of ``psbt`` with other input maps (a convenience for tests and builders)."""
    return replace(psbt, inputs=tuple(inputs))


__all__ = ["MAGIC", "Input", "Output", "Psbt", "PsbtError", "TxIn", "with_inputs"]
