"""rust-bitcoin 0.32's serde JSON of a ``Psbt``, both directions, losslessly.

payjoin 1.0's session events carry PSBTs (and ``TxIn``/``TxOut``/``psbt::Input``) as
rust-bitcoin's serde derive writes them, not as base64. The encoders return plain dicts and
lists in serde's field order; :func:`dumps` writes them as ``serde_json::to_string`` does.

Every leaf was checked against the crate (the adapter's ``psbt.to_json``/``psbt.from_json``).
Where that differs from a naive reading: maps keyed by non-string types are written in the
key type's ``Ord`` (``partial_sigs`` puts uncompressed keys first), hash256 preimage keys are
byte-reversed like txids, and a ``ControlBlock`` is a struct with numeric ``leaf_version`` and
``output_key_parity``.

Decoding follows serde (missing ``Option`` fields are ``None``, missing maps are errors). serde
ignores unknown fields; with ``strict=True`` (the default) they are a :class:`DecodeError`
instead, because in a conformance harness an unexpected field is a finding, not noise.

JSON text is read with serde_json's limits (:func:`parse_json_text`), so no input escapes as a
``RecursionError`` or ``ValueError``: at most 127 nested arrays and objects (serde_json's
recursion limit), ``NaN``/``Infinity`` refused, a lone surrogate refused wherever a string is
read, and an integer literal of more than 4300 digits (Python's int/str conversion limit, far
beyond any f64) kept as an :class:`OversizedNumber` that every typed reader refuses as out of
range. serde_json skips an unknown field's value without a depth limit; here the limit holds
everywhere, a deliberate choice so that nothing downstream ever walks a deeper tree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from pjconf.reference.bitcoin.encoding import from_display_hex, parse_hex
from pjconf.reference.bitcoin.psbt import Input, Output, Psbt
from pjconf.reference.bitcoin.psbt_types import (
    ECDSA_SIGHASH_TYPES,
    PREIMAGE_HASHES,
    TAP_SIGHASH_TYPES,
    ControlBlock,
    EcdsaSignature,
    KeySource,
    ProprietaryKey,
    PsbtError,
    RawKey,
    TaprootSignature,
    TapTree,
    Xpub,
    build_tap_tree,
    check_bitcoin_public_key,
    check_der,
    check_leaf_version,
    check_xonly,
    compressed_form,
    parse_path,
)
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from pjconf.reference.errors import ParseError

Json = Any
T = TypeVar("T")

_ECDSA_BY_NAME = {v: k for k, v in ECDSA_SIGHASH_TYPES.items()}
_TAP_BY_NAME = {v: k for k, v in TAP_SIGHASH_TYPES.items()}
_PREIMAGE_FIELDS = tuple(name for name, _ in PREIMAGE_HASHES.values())


class DecodeError(PsbtError):
    """JSON that serde (or, in strict mode, pjconf) refuses; ``path`` names the place."""

    kind: ClassVar[str] = "DecodeError"


def dumps(value: Json) -> str:
    """``serde_json::to_string``'s exact text for the dicts and lists built here."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# --- encoding ---------------------------------------------------------------------------------


def txout_to_json(o: TxOut) -> Json:
    return {"value": o.value, "script_pubkey": o.script_pubkey.hex()}


def txin_to_json(i: TxIn) -> Json:
    return {
        "previous_output": str(i.previous_output),
        "script_sig": i.script_sig.hex(),
        "sequence": i.sequence,
        "witness": [w.hex() for w in i.witness],
    }


def tx_to_json(tx: Transaction) -> Json:
    return {
        "version": tx.version,
        "lock_time": tx.lock_time,
        "input": [txin_to_json(i) for i in tx.inputs],
        "output": [txout_to_json(o) for o in tx.outputs],
    }


def _ks(k: KeySource) -> Json:
    return [k.fingerprint.hex(), k.path_str()]


def _hex_or_none(b: bytes | None) -> Json:
    return None if b is None else b.hex()


def _ecdsa(s: EcdsaSignature) -> Json:
    return {"signature": s.der.hex(), "sighash_type": ECDSA_SIGHASH_TYPES[s.sighash_type]}


def _tap_sig(s: TaprootSignature) -> Json:
    return {"signature": s.signature.hex(), "sighash_type": TAP_SIGHASH_TYPES[s.sighash_type]}


def _origins(v: tuple[tuple[bytes, ...], KeySource]) -> Json:
    return [[h.hex() for h in v[0]], _ks(v[1])]


def _proprietary(pairs: tuple[tuple[ProprietaryKey, bytes], ...]) -> Json:
    return [
        [{"prefix": k.prefix.hex(), "subtype": k.subtype, "key": k.key.hex()}, v.hex()]
        for k, v in pairs
    ]


def _unknown(pairs: tuple[tuple[RawKey, bytes], ...]) -> Json:
    return [[{"type_value": k.type_value, "key": k.key.hex()}, v.hex()] for k, v in pairs]


def _control_block(cb: ControlBlock) -> Json:
    return {
        "leaf_version": cb.leaf_version,
        "output_key_parity": cb.output_key_parity,
        "internal_key": cb.internal_key.hex(),
        "merkle_branch": [h.hex() for h in cb.merkle_branch],
    }


def _tap_tree(t: TapTree) -> Json:
    out: list[Json] = []
    for leaf in t.leaves:
        out += [leaf.depth, {"Script": [leaf.script.hex(), leaf.leaf_version]}]
    return out


def input_to_json(i: Input) -> Json:
    """A ``psbt::Input``: 21 keys in declaration order."""
    out: dict[str, Json] = {
        "non_witness_utxo": None if i.non_witness_utxo is None else tx_to_json(i.non_witness_utxo),
        "witness_utxo": None if i.witness_utxo is None else txout_to_json(i.witness_utxo),
        "partial_sigs": {k.hex(): _ecdsa(s) for k, s in i.partial_sigs},
        "sighash_type": None if i.sighash_type is None else {"inner": i.sighash_type},
        "redeem_script": _hex_or_none(i.redeem_script),
        "witness_script": _hex_or_none(i.witness_script),
        "bip32_derivation": [[k.hex(), _ks(v)] for k, v in i.bip32_derivation],
        "final_script_sig": _hex_or_none(i.final_script_sig),
        "final_script_witness": None
        if i.final_script_witness is None
        else [w.hex() for w in i.final_script_witness],
    }
    for name in _PREIMAGE_FIELDS:
        # sha256d (hash256) displays byte-reversed, like a txid; the others display as stored.
        show = (lambda h: h[::-1].hex()) if name == "hash256_preimages" else bytes.hex
        out[name] = {show(h): pre.hex() for h, pre in getattr(i, name)}
    out |= {
        "tap_key_sig": None if i.tap_key_sig is None else _tap_sig(i.tap_key_sig),
        "tap_script_sigs": [[[x.hex(), h.hex()], _tap_sig(s)] for (x, h), s in i.tap_script_sigs],
        "tap_scripts": [[_control_block(c), [s.hex(), v]] for c, (s, v) in i.tap_scripts],
        "tap_key_origins": [[x.hex(), _origins(v)] for x, v in i.tap_key_origins],
        "tap_internal_key": _hex_or_none(i.tap_internal_key),
        "tap_merkle_root": _hex_or_none(i.tap_merkle_root),
        "proprietary": _proprietary(i.proprietary),
        "unknown": _unknown(i.unknown),
    }
    return out


def output_to_json(o: Output) -> Json:
    """A ``psbt::Output``: 8 keys in declaration order."""
    return {
        "redeem_script": _hex_or_none(o.redeem_script),
        "witness_script": _hex_or_none(o.witness_script),
        "bip32_derivation": [[k.hex(), _ks(v)] for k, v in o.bip32_derivation],
        "tap_internal_key": _hex_or_none(o.tap_internal_key),
        "tap_tree": None if o.tap_tree is None else _tap_tree(o.tap_tree),
        "tap_key_origins": [[x.hex(), _origins(v)] for x, v in o.tap_key_origins],
        "proprietary": _proprietary(o.proprietary),
        "unknown": _unknown(o.unknown),
    }


def psbt_to_json(p: Psbt) -> Json:
    """A ``Psbt`` as rust-bitcoin's serde derive writes it."""
    return {
        "unsigned_tx": tx_to_json(p.unsigned_tx),
        "version": p.version,
        "xpub": {x.to_base58(): _ks(k) for x, k in p.xpub},
        "proprietary": _proprietary(p.proprietary),
        "unknown": _unknown(p.unknown),
        "inputs": [input_to_json(i) for i in p.inputs],
        "outputs": [output_to_json(o) for o in p.outputs],
    }


# --- decoding ---------------------------------------------------------------------------------


class JsonObject(dict[str, Any]):
    """A parsed JSON object that remembers which of its keys occurred more than once.

    serde refuses a struct field or an enum tag given twice but lets a map's later entry win, so
    the decoder must know about duplicates that a plain ``dict`` would silently merge.
    """

    duplicates: frozenset[str] = frozenset()


def json_object(pairs: list[tuple[str, Any]]) -> JsonObject:
    """``object_pairs_hook`` for :func:`json.loads`: last value wins, duplicates remembered."""
    obj = JsonObject(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        repeated: set[str] = set()
        for key, _ in pairs:
            (repeated if key in seen else seen).add(key)
        obj.duplicates = frozenset(repeated)
    return obj


def duplicate_keys(value: Json) -> frozenset[str]:
    return value.duplicates if isinstance(value, JsonObject) else frozenset()


# --- JSON text with serde_json's limits -------------------------------------------------------

MAX_NESTING = 127
"""serde_json's recursion limit: a budget of 128 that refuses the 128th nested array or object."""

MAX_INT_DIGITS = 4300
"""Python's int/str conversion limit (``sys.get_int_max_str_digits``), left at its default."""


class OversizedNumber:
    """An integer literal too long to convert (more than :data:`MAX_INT_DIGITS` digits).

    It is far beyond u64 and f64, so serde_json refuses it wherever it reads a number ("number
    out of range") and skips it only in an unknown field; keeping it unconverted lets the
    reader do the same instead of failing on the conversion.
    """

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"<integer of {self.digits} digits>"


def _int_or_oversized(literal: str) -> int | float | OversizedNumber:
    """An integer literal as serde_json reads it: ``-0`` is the float -0.0 (serde_json keeps the
    sign of a negative zero, so it is no integer: refused by an integer field, written back as
    ``-0.0``), and one of more than ``MAX_INT_DIGITS`` digits stays unconverted."""
    if literal == "-0":
        return -0.0
    digits = len(literal) - literal.startswith("-")
    return OversizedNumber(digits) if digits > MAX_INT_DIGITS else int(literal)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_HOOKS: dict[str, Any] = {"parse_constant": _reject_constant, "object_pairs_hook": json_object}
_READERS = json.JSONDecoder(**_HOOKS), json.JSONDecoder(**_HOOKS, parse_int=_int_or_oversized)
"""The usual reader, and one that keeps over-long integers unconverted and reads ``-0`` as a
float (a little slower, so only for a text that may hold either)."""
_LONG_DIGIT_RUN = re.compile(f"[0-9]{{{MAX_INT_DIGITS + 1}}}|-0(?![0-9.eE])")
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*+"?|[\[\]{}]', re.DOTALL)
"""A JSON string (possibly unterminated, matched without backtracking) or a bracket."""


def nesting_depth_exceeds(text: str, limit: int = MAX_NESTING) -> bool:
    """Whether arrays and objects nest deeper than ``limit`` in ``text``, brackets inside strings
    not counted; a linear scan with no recursion, so it is safe on any input."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


def parse_json_text(text: str, path: str = "") -> Json:
    """JSON text to a tree as serde_json reads it; any refusal is a ``DecodeError`` at ``path``.

    The depth is checked before parsing and over-long integers are not converted, so the
    ``RecursionError``/``ValueError`` guard around the parser is a last line, not the rule.
    """
    if nesting_depth_exceeds(text):
        raise DecodeError(
            "InvalidJson", path, f"recursion limit exceeded: nesting deeper than {MAX_NESTING}"
        )
    plain, careful = _READERS
    reader = careful if _LONG_DIGIT_RUN.search(text) else plain
    try:
        return reader.decode(text)
    except json.JSONDecodeError as e:
        raise DecodeError("InvalidJson", path, str(e)) from None
    except (ValueError, RecursionError) as e:
        raise DecodeError("InvalidJson", path, str(e) or type(e).__name__) from None


def shown(value: object) -> str:
    """``repr`` for an error message; a value too long to print (a huge int) is described."""
    try:
        return repr(value)
    except ValueError:
        return f"<{type(value).__name__} too long to print>"


def int_text(value: int) -> str:
    """An integer for an error message: its digits, or its size when it has thousands."""
    if value.bit_length() > 14_000:  # about 4200 digits, inside Python's int/str limit
        return f"an integer of {value.bit_length()} bits"
    return str(value)


def _repeated(fields: dict[str, Json], name: str) -> bool:
    """Whether ``name`` occurred twice in the parsed object (cheap for the usual none)."""
    if isinstance(fields, JsonObject) and fields.duplicates:
        return name in fields.duplicates
    return False


class _At:
    """A JSON value and its path, with typed accessors that raise :class:`DecodeError`.

    A child keeps its parent and its name; the path text is built only when asked for (an error
    names it), because a PSBT has thousands of values that decode fine.
    """

    __slots__ = ("_name", "_parent", "_path", "strict", "value")

    def __init__(
        self,
        value: Json,
        path: str | None,
        strict: bool,
        parent: _At | None = None,
        name: str | int = "",
    ) -> None:
        self.value, self._path, self.strict = value, path, strict
        self._parent, self._name = parent, name

    @property
    def path(self) -> str:
        if self._path is None:
            assert self._parent is not None
            base, name = self._parent.path, self._name
            sub = f"{base}[{name}]" if isinstance(name, int) else f"{base}.{name}"
            self._path = sub.lstrip(".")
        return self._path

    def err(self, reason: str, message: str) -> DecodeError:
        return DecodeError(reason, self.path or "$", message)

    def child(self, value: Json, name: str | int) -> _At:
        return _At(value, None, self.strict, self, name)

    def with_value(self, value: Json) -> _At:
        """Another value at this same path (a map key is reported where its entry is)."""
        return _At(value, self._path, self.strict, self._parent, self._name)

    def obj(self, fields: tuple[str, ...]) -> dict[str, Json]:
        if not isinstance(self.value, dict):
            raise self.err("InvalidType", "expected an object")
        if self.strict:
            extra = [k for k in self.value if k not in fields]
            if extra:
                raise self.err("UnknownField", f"unknown field {extra[0]!r}")
        return self.value

    def field(self, fields: dict[str, Json], name: str, optional: bool = False) -> _At | None:
        if _repeated(fields, name):  # serde refuses a known field given twice
            raise self.child(None, name).err("DuplicateField", f"duplicate field {name!r}")
        if name not in fields:
            if optional:
                return None
            raise self.child(None, name).err("MissingField", f"missing field {name!r}")
        if optional and fields[name] is None:
            return None
        return self.child(fields[name], name)

    def req(self, fields: dict[str, Json], name: str) -> _At:
        at = self.field(fields, name)
        assert at is not None
        return at

    def items(self, length: int | None = None) -> list[_At]:
        if not isinstance(self.value, list):
            raise self.err("InvalidType", "expected an array")
        if length is not None and len(self.value) != length:
            raise self.err("InvalidLength", f"expected {length} elements, got {len(self.value)}")
        return [self.child(v, n) for n, v in enumerate(self.value)]

    def entries(self) -> list[tuple[str, _At]]:
        if not isinstance(self.value, dict):
            raise self.err("InvalidType", "expected an object")
        return [(k, self.child(v, k)) for k, v in self.value.items()]

    def _integer(self, kind: str) -> int:
        v = self.value
        if isinstance(v, OversizedNumber):
            raise self.err("InvalidValue", f"number out of range: {v.digits} digits exceed {kind}")
        if not isinstance(v, int) or isinstance(v, bool):
            raise self.err("InvalidType", "expected an integer")
        return v

    def uint(self, bits: int) -> int:
        v = self._integer(f"u{bits}")
        if not 0 <= v < 1 << bits:
            raise self.err("InvalidValue", f"{int_text(v)} does not fit in u{bits}")
        return v

    def i32(self) -> int:
        v = self._integer("i32")
        if not -(2**31) <= v < 2**31:
            raise self.err("InvalidValue", f"{int_text(v)} does not fit in i32")
        return v

    def text(self) -> str:
        """A string; a lone surrogate (which a JSON escape can spell) is refused, as serde does."""
        v = self.value
        if not isinstance(v, str):
            raise self.err("InvalidType", "expected a string")
        if not v.isascii():
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raise self.err("InvalidUnicode", "lone surrogate in a string") from None
        return v

    def hex(self, size: int | None = None) -> bytes:
        return self.parse(lambda s: _sized(parse_hex(s), size))

    def parse(self, fn: Callable[[str], T]) -> T:
        text = self.text()
        try:
            return fn(text)
        except ParseError as e:
            raise self.err(e.reason, str(e)) from None


def _sized(b: bytes, size: int | None) -> bytes:
    if size is not None and len(b) != size:
        raise ParseError("InvalidLength", f"expected {size} bytes, got {len(b)}")
    return b


def _leaf(at: _At, fn: Callable[[], T]) -> T:
    try:
        return fn()
    except PsbtError:
        raise
    except ParseError as e:
        raise at.err(e.reason, str(e)) from None


def txout_from_json(at: _At) -> TxOut:
    f = at.obj(("value", "script_pubkey"))
    return TxOut(at.req(f, "value").uint(64), at.req(f, "script_pubkey").hex())


def txin_from_json(at: _At) -> TxIn:
    f = at.obj(("previous_output", "script_sig", "sequence", "witness"))
    return TxIn(
        at.req(f, "previous_output").parse(OutPoint.parse),
        at.req(f, "script_sig").hex(),
        at.req(f, "sequence").uint(32),
        tuple(w.hex() for w in at.req(f, "witness").items()),
    )


def tx_from_json(at: _At) -> Transaction:
    f = at.obj(("version", "lock_time", "input", "output"))
    return Transaction(
        at.req(f, "version").i32(),
        tuple(txin_from_json(i) for i in at.req(f, "input").items()),
        tuple(txout_from_json(o) for o in at.req(f, "output").items()),
        at.req(f, "lock_time").uint(32),
    )


def _ks_from(at: _At) -> KeySource:
    fp, path = at.items(2)
    return KeySource(fp.hex(4), path.parse(parse_path))


def _sighash_name(at: _At, table: dict[str, int]) -> int:
    name = at.text()
    if name not in table:
        raise at.err("InvalidSighashType", f"unknown sighash type {name!r}")
    return table[name]


def _ecdsa_from(at: _At) -> EcdsaSignature:
    f = at.obj(("signature", "sighash_type"))
    der = at.req(f, "signature").parse(lambda s: check_der(parse_hex(s)))
    return EcdsaSignature(der, _sighash_name(at.req(f, "sighash_type"), _ECDSA_BY_NAME))


def _tap_sig_from(at: _At) -> TaprootSignature:
    f = at.obj(("signature", "sighash_type"))
    sig = at.req(f, "signature").hex(64)
    return TaprootSignature(sig, _sighash_name(at.req(f, "sighash_type"), _TAP_BY_NAME))


def _xonly_from(at: _At) -> bytes:
    return at.parse(lambda s: _checked_xonly(parse_hex(s)))


def _checked_xonly(b: bytes) -> bytes:
    check_xonly(b)
    return b


def _origins_from(at: _At) -> tuple[tuple[bytes, ...], KeySource]:
    hashes, ks = at.items(2)
    return tuple(h.hex(32) for h in hashes.items()), _ks_from(ks)


def _pairs(at: _At, key: Callable[[_At], Any], value: Callable[[_At], Any]) -> tuple[Any, ...]:
    """A ``btreemap_as_seq`` field: ``[[key, value], ...]``; duplicates refused when strict."""
    out: dict[Any, Any] = {}
    for item in at.items():
        k_at, v_at = item.items(2)
        k = key(k_at)
        if k in out and at.strict:
            raise item.err("DuplicateKey", "duplicate key")
        out[k] = value(v_at)
    return tuple(out.items())


def _pairs_field(
    at: _At, f: dict[str, Json], name: str, key: Callable[[_At], Any], value: Callable[[_At], Any]
) -> tuple[Any, ...]:
    """:func:`_pairs` of field ``name``; an empty ``[]`` (most of them) needs no walk."""
    v = f.get(name)
    if type(v) is list and not v and not _repeated(f, name):
        return ()
    return _pairs(at.req(f, name), key, value)


def _map_field(
    at: _At, f: dict[str, Json], name: str, key: Callable[[_At], Any], value: Callable[[_At], Any]
) -> tuple[Any, ...]:
    """:func:`_map` of field ``name``; an empty ``{}`` (most of them) needs no walk."""
    v = f.get(name)
    if isinstance(v, dict) and not v and not _repeated(f, name):
        return ()
    return _map(at.req(f, name), key, value)


def _map(at: _At, key: Callable[[_At], Any], value: Callable[[_At], Any]) -> tuple[Any, ...]:
    """A JSON-object map (string keys); ``json.loads`` already kept the last duplicate."""
    out: dict[Any, Any] = {}
    for name, v_at in at.entries():
        k = key(v_at.with_value(name))
        if k in out and at.strict:
            raise v_at.err("DuplicateKey", "duplicate key")
        out[k] = value(v_at)
    return tuple(out.items())


def _prop_key(at: _At) -> ProprietaryKey:
    f = at.obj(("prefix", "subtype", "key"))
    return ProprietaryKey(
        at.req(f, "prefix").hex(), at.req(f, "subtype").uint(8), at.req(f, "key").hex()
    )


def _raw_key(at: _At) -> RawKey:
    f = at.obj(("type_value", "key"))
    return RawKey(at.req(f, "type_value").uint(8), at.req(f, "key").hex())


def _hex(at: _At) -> bytes:
    return at.hex()


def _opt(at: _At, f: dict[str, Json], name: str, fn: Callable[[_At], T]) -> T | None:
    if f.get(name) is None and not _repeated(f, name):  # absent or null: no walk
        return None
    sub = at.field(f, name, optional=True)
    return None if sub is None else fn(sub)


def _control_block_from(at: _At) -> ControlBlock:
    f = at.obj(("leaf_version", "output_key_parity", "internal_key", "merkle_branch"))
    lv_at = at.req(f, "leaf_version")
    version = lv_at.uint(8)
    _leaf(lv_at, lambda: check_leaf_version(version))
    parity = at.req(f, "output_key_parity").uint(1)
    branch = tuple(h.hex(32) for h in at.req(f, "merkle_branch").items())
    if len(branch) > 128:
        raise at.err("InvalidControlBlock", "merkle branch longer than 128")
    return ControlBlock(version, parity, _xonly_from(at.req(f, "internal_key")), branch)


def _leaf_script_from(at: _At) -> tuple[bytes, int]:
    script, version = at.items(2)
    v = version.uint(8)
    _leaf(version, lambda: check_leaf_version(v))
    return script.hex(), v


def _tap_tree_from(at: _At) -> TapTree:
    items = at.items()
    if len(items) % 2:
        raise at.err("InvalidTapTree", "missing tap_leaf")
    leaves = []
    for depth_at, leaf_at in zip(items[::2], items[1::2], strict=True):
        depth = depth_at.uint(8)
        f = leaf_at.obj(("Script", "Hidden"))
        if len(f) != 1:
            raise leaf_at.err("InvalidTapTree", 'expected {"Script": ...} or {"Hidden": ...}')
        if "Script" not in f:
            raise leaf_at.err("InvalidTapTree", "a PSBT tap tree cannot have hidden nodes")
        script, version = leaf_at.child(f["Script"], "Script").items(2)
        leaves.append((depth, version.uint(8), script.hex()))
    return _leaf(at, lambda: build_tap_tree(leaves))


def _secp_key_from(at: _At) -> bytes:
    return at.parse(lambda s: compressed_form(parse_hex(s)))


def _bitcoin_key_from(at: _At) -> bytes:
    def check(s: str) -> bytes:
        b = parse_hex(s)
        check_bitcoin_public_key(b)
        return b

    return at.parse(check)


def _preimages(at: _At, f: dict[str, Json], name: str) -> tuple[Any, ...]:
    size = 32 if name in ("sha256_preimages", "hash256_preimages") else 20
    reverse = name == "hash256_preimages"
    pairs = _map_field(at, f, name, lambda k: k.hex(size)[::-1] if reverse else k.hex(size), _hex)
    # rust-bitcoin's serde does not re-check that each value hashes to its key.
    return pairs


INPUT_FIELDS = (
    "non_witness_utxo",
    "witness_utxo",
    "partial_sigs",
    "sighash_type",
    "redeem_script",
    "witness_script",
    "bip32_derivation",
    "final_script_sig",
    "final_script_witness",
    *_PREIMAGE_FIELDS,
    "tap_key_sig",
    "tap_script_sigs",
    "tap_scripts",
    "tap_key_origins",
    "tap_internal_key",
    "tap_merkle_root",
    "proprietary",
    "unknown",
)
OUTPUT_FIELDS = (
    "redeem_script",
    "witness_script",
    "bip32_derivation",
    "tap_internal_key",
    "tap_tree",
    "tap_key_origins",
    "proprietary",
    "unknown",
)
PSBT_FIELDS = ("unsigned_tx", "version", "xpub", "proprietary", "unknown", "inputs", "outputs")


def _script_sig_key(at: _At) -> tuple[bytes, bytes]:
    x, h = at.items(2)
    return _xonly_from(x), h.hex(32)


def _sighash_inner(at: _At) -> int:
    f = at.obj(("inner",))
    return at.req(f, "inner").uint(32)


def input_from_json(at: _At) -> Input:
    f = at.obj(INPUT_FIELDS)
    kw: dict[str, Any] = {
        "non_witness_utxo": _opt(at, f, "non_witness_utxo", tx_from_json),
        "witness_utxo": _opt(at, f, "witness_utxo", txout_from_json),
        "partial_sigs": _map_field(at, f, "partial_sigs", _bitcoin_key_from, _ecdsa_from),
        "sighash_type": _opt(at, f, "sighash_type", _sighash_inner),
        "redeem_script": _opt(at, f, "redeem_script", _hex),
        "witness_script": _opt(at, f, "witness_script", _hex),
        "bip32_derivation": _pairs_field(at, f, "bip32_derivation", _secp_key_from, _ks_from),
        "final_script_sig": _opt(at, f, "final_script_sig", _hex),
        "final_script_witness": _opt(
            at, f, "final_script_witness", lambda w: tuple(x.hex() for x in w.items())
        ),
    }
    for name in _PREIMAGE_FIELDS:
        kw[name] = _preimages(at, f, name)
    kw |= {
        "tap_key_sig": _opt(at, f, "tap_key_sig", _tap_sig_from),
        "tap_script_sigs": _pairs_field(at, f, "tap_script_sigs", _script_sig_key, _tap_sig_from),
        "tap_scripts": _pairs_field(at, f, "tap_scripts", _control_block_from, _leaf_script_from),
        "tap_key_origins": _pairs_field(at, f, "tap_key_origins", _xonly_from, _origins_from),
        "tap_internal_key": _opt(at, f, "tap_internal_key", _xonly_from),
        "tap_merkle_root": _opt(at, f, "tap_merkle_root", lambda h: h.hex(32)),
        "proprietary": _pairs_field(at, f, "proprietary", _prop_key, _hex),
        "unknown": _pairs_field(at, f, "unknown", _raw_key, _hex),
    }
    return Input(**kw)


def output_from_json(at: _At) -> Output:
    f = at.obj(OUTPUT_FIELDS)
    return Output(
        redeem_script=_opt(at, f, "redeem_script", _hex),
        witness_script=_opt(at, f, "witness_script", _hex),
        bip32_derivation=_pairs_field(at, f, "bip32_derivation", _secp_key_from, _ks_from),
        tap_internal_key=_opt(at, f, "tap_internal_key", _xonly_from),
        tap_tree=_opt(at, f, "tap_tree", _tap_tree_from),
        tap_key_origins=_pairs_field(at, f, "tap_key_origins", _xonly_from, _origins_from),
        proprietary=_pairs_field(at, f, "proprietary", _prop_key, _hex),
        unknown=_pairs_field(at, f, "unknown", _raw_key, _hex),
    )


def psbt_from_at(at: _At) -> Psbt:
    f = at.obj(PSBT_FIELDS)
    return Psbt(
        unsigned_tx=tx_from_json(at.req(f, "unsigned_tx")),
        version=at.req(f, "version").uint(32),
        xpub=_map_field(at, f, "xpub", lambda k: k.parse(Xpub.from_base58), _ks_from),
        proprietary=_pairs_field(at, f, "proprietary", _prop_key, _hex),
        unknown=_pairs_field(at, f, "unknown", _raw_key, _hex),
        inputs=tuple(input_from_json(i) for i in at.req(f, "inputs").items()),
        outputs=tuple(output_from_json(o) for o in at.req(f, "outputs").items()),
    )


def psbt_from_json(value: Json, *, strict: bool = True) -> Psbt:
    """Decode rust-bitcoin's serde JSON of a ``Psbt`` (already parsed with ``json.loads``)."""
    return psbt_from_at(_At(value, "", strict))


def input_from_json_value(value: Json, *, strict: bool = True) -> Input:
    return input_from_json(_At(value, "", strict))


def txin_from_json_value(value: Json, *, strict: bool = True) -> TxIn:
    return txin_from_json(_At(value, "", strict))


def loads_psbt(text: str, *, strict: bool = True) -> Psbt:
    """Parse JSON text into a ``Psbt``; bad JSON (see :func:`parse_json_text`) is a
    ``DecodeError`` too."""
    return psbt_from_json(parse_json_text(text), strict=strict)


def dumps_psbt(p: Psbt) -> str:
    return dumps(psbt_to_json(p))


__all__ = [
    "DecodeError",
    "PsbtError",
    "dumps",
    "dumps_psbt",
    "from_display_hex",
    "input_to_json",
    "loads_psbt",
    "output_to_json",
    "psbt_from_json",
    "psbt_to_json",
    "tx_to_json",
    "txin_to_json",
    "txout_to_json",
]
