"""Leaf values of the event model to and from serde's data model, with typed, located errors.

Both codecs share this layer: an event becomes a tree of dicts (in field order), lists, ints,
strings and ``None``, exactly what serde writes, and the JSON codec prints it. The CBOR codec
uses the same tree with one change (``cbor=True``): the byte arrays serde writes as arrays of
numbers (keys, ids, OHTTP configs) become CBOR byte strings. Decoding goes through the cursor of
:mod:`~pjconf.reference.bitcoin.psbt_json` in serde's lenient mode (unknown fields ignored).
"""

from __future__ import annotations

import decimal
import enum
import math
from collections.abc import Callable
from typing import Any, TypeVar

from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.bip77.uri import LOCK_TIME_THRESHOLD
from pjconf.reference.bip77.url import Url, parse_url
from pjconf.reference.bitcoin import address as btc_address
from pjconf.reference.bitcoin.psbt_json import (
    DecodeError,
    OversizedNumber,
    _At,
    duplicate_keys,
    int_text,
    shown,
)
from pjconf.reference.crypto.secp256k1 import N, uncompress
from pjconf.reference.errors import PjconfError

__all__ = ["At", "DecodeError"]

At = _At
Json = Any
E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")

I64_MIN, U64_LIMIT = -(2**63), 2**64


def at_root(value: Json) -> At:
    """A cursor on a whole event, lenient like serde: unknown fields are ignored."""
    return _At(value, "", False)


# --- enums ------------------------------------------------------------------------------------


def variant(at: At, names: frozenset[str]) -> tuple[str, At | None]:
    """An externally tagged enum: ``"X"`` (returns no payload) or ``{"X": payload}``."""
    v = at.value
    if isinstance(v, str):
        if v not in names:
            raise at.err("UnknownVariant", f"unknown variant {v!r}")
        return v, None
    if not isinstance(v, dict):
        raise at.err("InvalidType", "expected an enum: a string or an object with one key")
    if len(v) != 1 or duplicate_keys(v):
        count = len(v) + len(duplicate_keys(v))
        raise at.err("InvalidType", f"an enum object has exactly one key, got {count}")
    ((name, payload),) = v.items()
    if name not in names:
        raise at.err("UnknownVariant", f"unknown variant {shown(name)}")
    return name, at.child(payload, name)


def unit_payload(at: At, name: str, payload: At | None) -> None:
    """A unit variant: serde also reads ``{"X": null}``."""
    if payload is not None and payload.value is not None:
        raise payload.err("InvalidType", f"{name} is a unit variant: expected null")


def empty_tuple_payload(at: At, name: str, payload: At | None) -> None:
    """``X()``: only ``{"X": []}``; the bare string is serde's "expected tuple variant"."""
    if payload is None:
        raise at.err("InvalidType", f"invalid type: unit variant, expected tuple variant {name}")
    payload.items(0)


def needs_payload(at: At, name: str, payload: At | None) -> At:
    if payload is None:
        raise at.err("InvalidType", f"invalid type: unit variant, expected a payload for {name}")
    return payload


def unit_enum(at: At, enum_type: type[E]) -> E:
    """A fieldless Rust enum written by its variant names (``"Enabled"``, ``"Unavailable"``)."""
    by_name = {str(m.value): m for m in enum_type}
    name, payload = variant(at, frozenset(by_name))
    unit_payload(at, name, payload)
    return by_name[name]


# --- leaves -----------------------------------------------------------------------------------


def byte_array(at: At, size: int | None = None) -> bytes:
    """``Vec<u8>``/``[u8; N]``: an array of numbers in JSON, a byte string in CBOR."""
    if isinstance(at.value, bytes):
        data = at.value
        if size is not None and len(data) != size:
            raise at.err("InvalidLength", f"expected {size} bytes, got {len(data)}")
        return data
    v = at.value
    if isinstance(v, list) and (size is None or len(v) == size) and set(map(type, v)) <= {int}:
        try:
            return bytes(v)  # the fast path; a bad element is located below
        except ValueError:
            pass
    return bytes(item.uint(8) for item in at.items(size))


def bytes_out(data: bytes, cbor: bool) -> Json:
    return data if cbor else list(data)


def leaf(at: At, fn: Callable[[], T]) -> T:
    """Run a reference parser; its typed error becomes a ``DecodeError`` at this place."""
    try:
        return fn()
    except DecodeError:
        raise
    except PjconfError as e:
        raise at.err(getattr(e, "reason", e.kind), e.message) from None


def public_key(at: At) -> bytes:
    """``HpkePublicKey``: 65 bytes that libsecp256k1 parses (hybrid ``06``/``07`` too)."""
    data = byte_array(at)
    if len(data) != 65:
        raise at.err("InvalidPublicKey", f"Invalid public key: {len(data)} bytes, expected 65")
    return leaf(at, lambda: uncompress(data))


def secret_key(at: At) -> bytes:
    data = byte_array(at)
    if len(data) != 32 or not 0 < int.from_bytes(data, "big") < N:
        raise at.err("InvalidSecretKey", "Invalid secret key")
    return data


def ohttp_keys(at: At) -> OhttpKeyConfig:
    data = byte_array(at)
    return leaf(at, lambda: OhttpKeyConfig.decode(data))


def url(at: At) -> Url:
    return at.parse(parse_url)


def address(at: At) -> str:
    """Any network's address (``assume_checked``), kept as rust-bitcoin displays it."""
    text = at.parse(lambda s: (btc_address.decode(s), s)[1])
    lowered = text.lower()
    if any(lowered.startswith(hrp + "1") for hrp in ("bc", "tb", "bcrt")):
        return lowered
    return text


def time(at: At) -> int:
    seconds = at.uint(32)
    if seconds < LOCK_TIME_THRESHOLD:
        raise at.err("InvalidTime", f"{seconds} is a block height, not a time")
    return seconds


def text(at: At) -> str:
    """A Rust ``String``: lone surrogates (which JSON escapes can spell) are refused."""
    return at.text()


def _check_str(at: At, s: str) -> None:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        raise at.err("InvalidUnicode", "lone surrogate in a string") from None


def optional(at: At, fields: dict[str, Json], name: str, fn: Callable[[At], T]) -> T | None:
    sub = at.field(fields, name, optional=True)
    return None if sub is None else fn(sub)


# --- serde_json::Value ------------------------------------------------------------------------


def json_value(at: At) -> Json:
    """A ``serde_json::Value``: integers beyond i64/u64 become floats, as serde_json reads them.

    A number no f64 holds (``1e400``, a 400-digit integer, a CBOR bignum of 2^1100, NaN or
    infinity from CBOR) is serde_json's "number out of range".
    """
    v = at.value
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, float):
        if not math.isfinite(v):
            raise at.err("InvalidValue", "number out of range: JSON has no NaN or infinity")
        return v
    if isinstance(v, int):
        return v if I64_MIN <= v < U64_LIMIT else _f64(at, v)
    if isinstance(v, OversizedNumber):
        raise at.err("InvalidValue", f"number out of range: an integer of {v.digits} digits")
    if isinstance(v, str):
        return at.text()
    if isinstance(v, list):
        return [json_value(item) for item in at.items()]
    if isinstance(v, dict):
        return json_map(at)
    raise at.err("InvalidType", f"not a JSON value: {type(v).__name__}")


def _f64(at: At, v: int) -> float:
    try:
        return float(v)
    except OverflowError:
        raise at.err("InvalidValue", f"number out of range: {int_text(v)} exceeds f64") from None


def json_map(at: At) -> dict[str, Json]:
    """A ``serde_json::Map`` (a ``BTreeMap``): keys sorted by code point, i.e. UTF-8 bytes."""
    out = {}
    for key, sub in sorted(at.entries(), key=lambda kv: kv[0]):
        if not isinstance(key, str):
            raise sub.err("InvalidType", "a map key must be a string")
        _check_str(sub, key)
        out[key] = json_value(sub)
    return out


def has_float(v: Json) -> bool:
    if isinstance(v, float):
        return True
    if isinstance(v, list):
        return any(has_float(x) for x in v)
    if isinstance(v, dict):
        return any(has_float(x) for x in v.values())
    return False


def format_f64(f: float) -> str:
    """serde_json 1.0.154's float text (zmij): shortest digits, fixed for 1e-5 <= |f| < 1e16."""
    if f == 0:
        return "-0.0" if str(f).startswith("-") else "0.0"
    sign, digits_t, exponent = decimal.Decimal(repr(f)).normalize().as_tuple()
    digits = "".join(map(str, digits_t))
    assert isinstance(exponent, int)
    point = exponent + len(digits)  # the decimal point sits after this many digits
    dec_exp = point - 1
    prefix = "-" if sign else ""
    if -5 <= dec_exp <= 15:
        if point <= 0:
            body = "0." + "0" * -point + digits
        elif point >= len(digits):
            body = digits + "0" * (point - len(digits)) + ".0"
        else:
            body = digits[:point] + "." + digits[point:]
        return prefix + body
    mantissa = digits if len(digits) == 1 else digits[0] + "." + digits[1:]
    return f"{prefix}{mantissa}e{'+' if dec_exp >= 0 else '-'}{abs(dec_exp)}"
