"""secp256k1 keys and ECDH, on libsecp256k1 (through btclib-secp256k1).

Three encodings of a point appear in BIP 77 and must not be mixed up: 33-byte compressed (URI
parameters, the reply key inside message A, ShortIds), 65-byte uncompressed (everything inside
HPKE, OHTTP key configs) and 64-byte ElligatorSwift (the ``enc`` of messages A and B on the wire,
see :mod:`.ellswift`). Functions here take either of the first two and say which they return.

Parsing is as lenient as libsecp256k1's ``ec_pubkey_parse`` (so as rust-payjoin): it also takes
the 65-byte "hybrid" forms ``06``/``07``. Everything emitted is canonical.
"""

from __future__ import annotations

from dataclasses import dataclass

from btclib_secp256k1 import CData, ecdh, keys

from pjconf.reference.entropy import RandomSource
from pjconf.reference.errors import InvalidKey

P = 2**256 - 2**32 - 977
"""The field prime."""
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
"""The group order."""

SECRET_KEY_SIZE = 32
COMPRESSED_SIZE = 33
UNCOMPRESSED_SIZE = 65


def check_secret_key(secret: bytes) -> None:
    """Raise :class:`InvalidKey` unless ``secret`` is 32 bytes encoding a scalar in [1, n-1]."""
    if len(secret) != SECRET_KEY_SIZE:
        raise InvalidKey(f"secret key must be {SECRET_KEY_SIZE} bytes, got {len(secret)}")
    if not 0 < int.from_bytes(secret, "big") < N:
        raise InvalidKey("secret key is not in [1, n-1]")


def public_key(secret: bytes, *, compressed: bool = False) -> bytes:
    """The public key ``secret * G``: 65 bytes, or 33 with ``compressed``."""
    try:
        return keys.pubkey_from_prvkey(secret, compressed=compressed)
    except ValueError:
        # libsecp256k1 checks the scalar itself; checking it again first would cost every call,
        # so the reason is worked out only for a key it refused.
        check_secret_key(secret)
        raise InvalidKey("secret key refused by libsecp256k1") from None


def _parse_point(data: bytes) -> CData:
    """libsecp256k1's parsed point for a 33- or 65-byte key; :class:`InvalidKey` otherwise."""
    if len(data) not in (COMPRESSED_SIZE, UNCOMPRESSED_SIZE):
        raise InvalidKey(f"public key must be 33 or 65 bytes, got {len(data)}")
    try:
        return keys.parse(data)
    except ValueError:
        raise InvalidKey("bytes are not a valid secp256k1 public key") from None


def parse_public_key(data: bytes, *, compressed: bool = False) -> bytes:
    """Validate a 33- or 65-byte public key and return it re-serialized (65 bytes by default)."""
    return keys.serialize(_parse_point(data), compressed=compressed)


def check_compressed_key(data: bytes) -> None:
    """Raise :class:`InvalidKey` unless ``data`` is a valid 33-byte compressed key.

    A valid compressed key is already canonical, so unlike :func:`parse_public_key` nothing is
    re-serialized: this is the cheap check for a key carried inside a message.
    """
    if len(data) != COMPRESSED_SIZE or data[0] not in (2, 3):
        raise InvalidKey("expected a 33-byte compressed public key")
    try:
        keys.parse(data)
    except ValueError:
        raise InvalidKey("bytes are not a valid secp256k1 public key") from None


def compress(public: bytes) -> bytes:
    """The 33-byte form of a valid public key given in either form."""
    return parse_public_key(public, compressed=True)


def uncompress(public: bytes) -> bytes:
    """The 65-byte form of a valid public key given in either form."""
    return parse_public_key(public, compressed=False)


def ecdh_x(secret: bytes, public: bytes) -> bytes:
    """The 32-byte big-endian x coordinate of ``secret * public``, in constant time.

    This is HPKE's ``DH`` for the secp256k1 KEM (Ndh = 32). It is *not* libsecp256k1's default
    ECDH hash (SHA-256 of the compressed point), which is a different function.
    """
    try:
        shared = ecdh.shared_point(public, secret, compressed=True)
    except ValueError:
        # As in public_key: libsecp256k1 validates both keys, and the reason is found only here.
        check_secret_key(secret)
        if len(public) not in (COMPRESSED_SIZE, UNCOMPRESSED_SIZE):
            raise InvalidKey(f"public key must be 33 or 65 bytes, got {len(public)}") from None
        raise InvalidKey("bytes are not a valid secp256k1 public key") from None
    return shared[1:]


@dataclass(frozen=True)
class PublicKey:
    """A validated public key in both serializations.

    Parsing a compressed key costs a square root, so a key that is used for many messages is
    parsed once into this value, as rust-payjoin parses it once into an ``HpkePublicKey``.
    """

    uncompressed: bytes
    """65 bytes, ``04 || x || y``: the form inside HPKE and OHTTP key configurations."""
    compressed: bytes
    """33 bytes, ``02``/``03 || x``: the form in URIs, message A's plaintext and ShortIds."""

    @classmethod
    def parse(cls, data: bytes) -> PublicKey:
        """Validate a 33- or 65-byte key (:class:`InvalidKey` if it is not a point)."""
        point = _parse_point(data)
        return cls(keys.serialize(point, compressed=False), keys.serialize(point, compressed=True))


def as_public_key(key: PublicKey | bytes) -> PublicKey:
    """``key`` itself if already parsed, else the result of parsing it."""
    return key if isinstance(key, PublicKey) else PublicKey.parse(key)


@dataclass(frozen=True)
class KeyPair:
    """A secret key with its public key kept beside it, as rust-payjoin's ``HpkeKeyPair`` does.

    Keeping the public key saves a generator multiplication on every decryption, where HPKE's
    key schedule needs the recipient's own public key.
    """

    secret: bytes
    public_key: PublicKey

    @classmethod
    def from_secret(cls, secret: bytes) -> KeyPair:
        uncompressed = public_key(secret)
        return cls(secret, PublicKey(uncompressed, compress(uncompressed)))

    @classmethod
    def generate(cls, rng: RandomSource) -> KeyPair:
        """A fresh key pair: rejection-sample 32 random bytes until they are a valid scalar."""
        while True:
            candidate = rng.random_bytes(SECRET_KEY_SIZE)
            if 0 < int.from_bytes(candidate, "big") < N:
                return cls.from_secret(candidate)

    @property
    def public(self) -> bytes:
        """65-byte uncompressed."""
        return self.public_key.uncompressed

    @property
    def public_compressed(self) -> bytes:
        return self.public_key.compressed
