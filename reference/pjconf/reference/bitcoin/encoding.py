"""Consensus encoding primitives: CompactSize, little-endian integers, hashes and a byte reader.

The :class:`Reader` turns every short read or malformed length into a typed
:class:`~pjconf.reference.errors.ParseError`, so callers parsing bytes from a peer never see an
``IndexError`` or ``struct.error``.
"""

from __future__ import annotations

import hashlib
import re

from pjconf.reference.errors import ParseError

MAX_VEC_SIZE = 4_000_000
"""rust-bitcoin's cap on one length-prefixed value (and on one PSBT map)."""


def compact_size(n: int) -> bytes:
    """Bitcoin's CompactSize (rust-bitcoin ``VarInt``), always in its minimal form."""
    if n < 0xFD:
        return bytes((n,))
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    if n <= 0xFFFF_FFFF:
        return b"\xfe" + n.to_bytes(4, "little")
    return b"\xff" + n.to_bytes(8, "little")


def var_bytes(data: bytes) -> bytes:
    """``CompactSize(len) ‖ data``: how consensus encoding writes a byte vector."""
    return compact_size(len(data)) + data


def u32le(n: int) -> bytes:
    return (n & 0xFFFF_FFFF).to_bytes(4, "little")


def i32le(n: int) -> bytes:
    return n.to_bytes(4, "little", signed=True)


def u64le(n: int) -> bytes:
    return n.to_bytes(8, "little")


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def sha256d(data: bytes) -> bytes:
    """Double SHA-256: txids, wtxids, base58check checksums."""
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def ripemd160(data: bytes) -> bytes:
    return hashlib.new("ripemd160", data).digest()


def hash160(data: bytes) -> bytes:
    """RIPEMD-160 of SHA-256: P2PKH/P2WPKH key hashes and P2SH script hashes."""
    return ripemd160(hashlib.sha256(data).digest())


def tagged_hash(tag: str, data: bytes) -> bytes:
    """BIP 340 tagged hash: ``SHA256(SHA256(tag) ‖ SHA256(tag) ‖ data)``."""
    tag_hash = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(tag_hash + tag_hash + data).digest()


def display_hex(hash_bytes: bytes) -> str:
    """Hash bytes in display order (byte-reversed), as txids and block hashes are shown."""
    return hash_bytes[::-1].hex()


def from_display_hex(text: str) -> bytes:
    """Inverse of :func:`display_hex`; raises ``ParseError('InvalidHex')``."""
    return parse_hex(text)[::-1]


_HEX_DIGITS = re.compile("[0-9a-fA-F]*")


def parse_hex(text: str) -> bytes:
    """Hex in either case (rust-bitcoin's ``FromHex`` accepts both); typed errors, no ValueError."""
    if _HEX_DIGITS.fullmatch(text) is None:  # bytes.fromhex alone also skips whitespace
        raise ParseError("InvalidHex", "not a hex string")
    if len(text) % 2:
        raise ParseError("InvalidHex", f"odd-length hex string ({len(text)} characters)")
    return bytes.fromhex(text)


class Reader:
    """A cursor over bytes whose every failure is a ``ParseError`` (never ``IndexError``)."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data = data
        self.pos = pos

    def remaining(self) -> int:
        return len(self.data) - self.pos

    def at_end(self) -> bool:
        return self.pos >= len(self.data)

    def read(self, n: int) -> bytes:
        end = self.pos + n
        if n < 0 or end > len(self.data):
            raise ParseError(
                "UnexpectedEnd",
                f"needed {n} bytes at offset {self.pos}, only {self.remaining()} left",
            )
        out = self.data[self.pos : end]
        self.pos = end
        return out

    def u8(self) -> int:
        if self.pos >= len(self.data):
            raise ParseError("UnexpectedEnd", f"needed 1 byte at offset {self.pos}, none left")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def u16(self) -> int:
        return int.from_bytes(self.read(2), "little")

    def u32(self) -> int:
        return int.from_bytes(self.read(4), "little")

    def i32(self) -> int:
        return int.from_bytes(self.read(4), "little", signed=True)

    def u64(self) -> int:
        return int.from_bytes(self.read(8), "little")

    def compact_size(self) -> int:
        """A CompactSize; non-minimal forms are rejected like rust-bitcoin's ``VarInt``."""
        first = self.u8()
        if first < 0xFD:
            return first
        if first == 0xFD:
            n, minimum = self.u16(), 0xFD
        elif first == 0xFE:
            n, minimum = self.u32(), 0x1_0000
        else:
            n, minimum = self.u64(), 0x1_0000_0000
        if n < minimum:
            raise ParseError("NonMinimalCompactSize", f"CompactSize {n} is not minimally encoded")
        return n

    def var_bytes(self) -> bytes:
        """A CompactSize-prefixed byte vector (at most ``MAX_VEC_SIZE`` bytes)."""
        n = self.compact_size()
        if n > MAX_VEC_SIZE:
            raise ParseError("OversizedVector", f"vector of {n} bytes exceeds {MAX_VEC_SIZE}")
        return self.read(n)

    def count(self, item_min_size: int) -> int:
        """A CompactSize element count, refused when it could not fit in what is left."""
        n = self.compact_size()
        if n * item_min_size > self.remaining():
            raise ParseError(
                "UnexpectedEnd",
                f"{n} elements need at least {n * item_min_size} bytes, {self.remaining()} left",
            )
        return n
