"""Base58 and base58check (P2PKH and P2SH addresses)."""

from __future__ import annotations

from pjconf.reference.bitcoin.encoding import sha256d
from pjconf.reference.errors import ParseError

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_VALUES = {c: i for i, c in enumerate(ALPHABET)}


def encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, rem = divmod(n, 58)
        out.append(ALPHABET[rem])
    zeros = len(data) - len(data.lstrip(b"\x00"))
    return "1" * zeros + "".join(reversed(out))


def decode(text: str) -> bytes:
    n = 0
    for c in text:
        value = _VALUES.get(c)
        if value is None:
            raise ParseError("InvalidBase58Char", f"{c!r} is not a base58 character")
        n = n * 58 + value
    zeros = len(text) - len(text.lstrip("1"))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\x00" * zeros + body


def encode_check(payload: bytes) -> str:
    return encode(payload + sha256d(payload)[:4])


def decode_check(text: str) -> bytes:
    raw = decode(text)
    if len(raw) < 4:
        raise ParseError("TooShort", "base58check data shorter than its checksum")
    payload, checksum = raw[:-4], raw[-4:]
    if sha256d(payload)[:4] != checksum:
        raise ParseError("InvalidChecksum", "base58check checksum mismatch")
    return payload
