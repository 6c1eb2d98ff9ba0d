"""The directory's OHTTP key configuration (RFC 9458 §3.1) as BIP 77 and rust-payjoin use it.

Two encodings exist:

- the full config, ``key_id (1) ‖ kem_id (2) ‖ pk (65) ‖ suites_len (2) ‖ (kdf (2) ‖ aead (2))*``,
  74 bytes for the single BIP 77 suite. The directory serves it at
  ``/.well-known/ohttp-gateway`` **without** the 2-byte length prefix that RFC 9458 §3.2 puts
  in front of each entry of an ``application/ohttp-keys`` body;
- the compact form of the ``OH1`` URI parameter, ``key_id (1) ‖ compressed pk (33)``, from which
  the full config is rebuilt with the fixed KEM and suite (BIP 77's text says "2-byte Key
  Identifier"; the code and the BIP's own example use one byte).

:meth:`OhttpKeyConfig.decode` is bitcoin-ohttp 0.6's ``KeyConfig::decode``, which is what
rust-payjoin's ``OhttpKeys::decode`` calls: one unprefixed config, nothing after it. A
length-prefixed body is therefore *not* accepted; Rust reads its first bytes as key id 0 and
KEM ``0x4a01`` and reports an unsupported KEM, and so does this module. Use :func:`decode_list`
for a real RFC 9458 list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pjconf.reference.crypto.secp256k1 import compress, uncompress
from pjconf.reference.errors import InvalidKey, ParseError, UnsupportedSuite

KEM_SECP256K1 = 0x0016
"""DHKEM(secp256k1, HKDF-SHA256)."""
KDF_HKDF_SHA256 = 0x0001
AEAD_AES_128_GCM = 0x0001
AEAD_AES_256_GCM = 0x0002
AEAD_CHACHA20_POLY1305 = 0x0003

BIP77_SUITE = (KDF_HKDF_SHA256, AEAD_CHACHA20_POLY1305)
"""The only suite a BIP 77 directory should offer, and the one the ``OH1`` form implies."""

KNOWN_KDFS = frozenset({0x0001, 0x0002, 0x0003})
KNOWN_AEADS = frozenset({0x0001, 0x0002, 0x0003})
"""Ids bitcoin-ohttp can name. Any other id makes the *whole* config unsupported."""

SUPPORTED_SUITES = frozenset({(KDF_HKDF_SHA256, AEAD_AES_128_GCM), BIP77_SUITE})
"""Suites bitcoin-ohttp 0.6 keeps when decoding; the others are silently dropped.

It keeps AES-128-GCM although it can only encrypt with ChaCha20-Poly1305, so a config listing
AES-128-GCM first breaks Rust clients (BIP 77 research notes §9 #21); later bitcoin-ohttp
revisions keep ChaCha20-Poly1305 only.
"""

PK_SIZE = 65
CONFIG_SIZE = 74
COMPACT_SIZE = 34
_HEADER = 1 + 2 + PK_SIZE  # key_id, kem_id, pk


Suite = tuple[int, int]


@dataclass(frozen=True)
class OhttpKeyConfig:
    """One OHTTP key configuration: for BIP 77, ``pk`` is the 65-byte uncompressed gateway key.

    ``suites`` lists ``(kdf_id, aead_id)`` pairs, first preferred; any sequence is accepted and
    stored as a tuple, so the config stays hashable. Other KEMs (RFC 9458 Appendix A's X25519)
    can be represented for the generic OHTTP code, but :meth:`decode` refuses them.
    """

    key_id: int
    kem_id: int
    pk: bytes
    suites: Sequence[Suite]

    def __post_init__(self) -> None:
        object.__setattr__(self, "suites", tuple((int(k), int(a)) for k, a in self.suites))
        if not 0 <= self.key_id <= 0xFF:
            raise ParseError("InvalidKeyConfig", f"key id {self.key_id} does not fit one byte")
        if not 0 <= self.kem_id <= 0xFFFF:
            raise ParseError("InvalidKeyConfig", f"KEM id {self.kem_id} does not fit two bytes")
        if self.kem_id == KEM_SECP256K1 and len(self.pk) != PK_SIZE:
            raise ParseError("InvalidKeyConfig", "a secp256k1 key config holds a 65-byte key")
        if len(self.suites) > 0x3FFF:
            raise ParseError("InvalidKeyConfig", "a key config lists at most 16383 suites")
        for kdf, aead in self.suites:
            if not (0 <= kdf <= 0xFFFF and 0 <= aead <= 0xFFFF):
                raise ParseError("InvalidKeyConfig", f"suite ({kdf}, {aead}) does not fit u16s")

    @classmethod
    def bip77(cls, key_id: int, pk: bytes) -> OhttpKeyConfig:
        """The config a BIP 77 directory serves: secp256k1 KEM, HKDF-SHA256/ChaCha20-Poly1305."""
        try:
            full = uncompress(pk)
        except InvalidKey as exc:
            raise ParseError("InvalidPublicKey", exc.message) from None
        return cls(key_id, KEM_SECP256K1, full, (BIP77_SUITE,))

    def encode(self) -> bytes:
        """The RFC 9458 §3.1 bytes, without a length prefix (74 bytes for the BIP 77 suite)."""
        out = bytearray([self.key_id])
        out += self.kem_id.to_bytes(2, "big") + self.pk
        out += (4 * len(self.suites)).to_bytes(2, "big")
        for kdf, aead in self.suites:
            out += kdf.to_bytes(2, "big") + aead.to_bytes(2, "big")
        return bytes(out)

    @classmethod
    def decode(cls, data: bytes) -> OhttpKeyConfig:
        """Parse one unprefixed config as bitcoin-ohttp 0.6 does, check by check.

        Order matters for which error a broken input gets: KEM, public-key length, suite list
        length, suite ids, trailing bytes, then the public key itself. Unsupported suites are
        dropped; a config left with none raises :class:`UnsupportedSuite` (bitcoin-ohttp 0.6
        returns it with an empty suite list, unusable; later revisions also refuse it).
        """
        if len(data) < 3:
            raise ParseError("Truncated", f"a key config needs at least 3 bytes, got {len(data)}")
        key_id = data[0]
        kem_id = int.from_bytes(data[1:3], "big")
        if kem_id != KEM_SECP256K1:
            raise UnsupportedSuite(f"KEM 0x{kem_id:04x} is not DHKEM(secp256k1, HKDF-SHA256)")
        if len(data) < _HEADER + 2:
            raise ParseError("Truncated", f"key config of {len(data)} bytes ends before its suites")
        pk = data[3:_HEADER]
        suites_len = int.from_bytes(data[_HEADER : _HEADER + 2], "big")
        end = _HEADER + 2 + suites_len
        if len(data) < end:
            raise ParseError("Truncated", f"suite list of {suites_len} bytes is cut short")
        if suites_len == 0 or suites_len % 4:
            raise ParseError("InvalidSuiteList", f"suite list length {suites_len}")
        suites: list[Suite] = []
        for offset in range(_HEADER + 2, end, 4):
            kdf = int.from_bytes(data[offset : offset + 2], "big")
            aead = int.from_bytes(data[offset + 2 : offset + 4], "big")
            if kdf not in KNOWN_KDFS or aead not in KNOWN_AEADS:
                raise UnsupportedSuite(f"unknown suite (KDF 0x{kdf:04x}, AEAD 0x{aead:04x})")
            suites.append((kdf, aead))
        if len(data) != end:
            raise ParseError("TrailingBytes", f"{len(data) - end} bytes after the key config")
        kept = tuple(s for s in suites if s in SUPPORTED_SUITES)
        if not kept:
            raise UnsupportedSuite("no suite of this key config is supported")
        try:
            full = uncompress(pk)
        except InvalidKey as exc:
            raise ParseError("InvalidPublicKey", exc.message) from None
        return cls(key_id, kem_id, full, kept)

    def to_compact(self) -> bytes:
        """The 34-byte ``OH1`` payload: key id and compressed gateway key (suites are implied)."""
        return bytes([self.key_id]) + compress(self.pk)

    @classmethod
    def from_compact(cls, data: bytes) -> OhttpKeyConfig:
        """Rebuild the full config from an ``OH1`` payload (rust-payjoin's ``OhttpKeys::try_from``).

        The key must be a 33-byte compressed key (``IncorrectLength`` / ``InvalidPublicKey``).
        """
        if len(data) != COMPACT_SIZE:
            raise ParseError("IncorrectLength", f"OH1 payload is {len(data)} bytes, not 34")
        return cls.bip77(data[0], data[1:])


def decode_list(data: bytes) -> list[OhttpKeyConfig]:
    """An RFC 9458 §3.2 ``application/ohttp-keys`` body: length-prefixed configs.

    Like bitcoin-ohttp's ``decode_list``, configs this implementation cannot use are skipped
    and any other defect fails the whole list. rust-payjoin never calls this; it is here for
    clients that want to accept an RFC-conformant directory too.
    """
    configs: list[OhttpKeyConfig] = []
    offset = 0
    while offset < len(data):
        if offset + 2 > len(data):
            raise ParseError("Truncated", "key config list ends inside a length prefix")
        length = int.from_bytes(data[offset : offset + 2], "big")
        entry = data[offset + 2 : offset + 2 + length]
        if len(entry) != length:
            raise ParseError("Truncated", "key config list entry is cut short")
        offset += 2 + length
        try:
            configs.append(OhttpKeyConfig.decode(entry))
        except UnsupportedSuite:
            continue
    return configs
