"""HPKE's KDF layer: HKDF (RFC 5869) and the labeled forms of RFC 9180 §4.

Every secret in HPKE comes out of ``LabeledExtract``/``LabeledExpand``, which prefix the input
with ``"HPKE-v1" || suite_id || label`` so that no two uses of the KDF can collide.

HMAC is RFC 2104 written out on ``hashlib`` rather than ``hmac.digest``: a message costs about ten
HMACs, each under a fresh secret, and ``hmac.digest`` spends most of its time setting up an
OpenSSL context. Here a key's two padded blocks are hashed once (:class:`Prf`) and each HMAC under
it is two ``copy()``-and-finish steps, which keeps HPKE's own cost small beside the elliptic-curve
work it wraps. The tests check :class:`Prf` against ``hmac.digest``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Protocol

from pjconf.reference.errors import InvalidArgument

_VERSION_LABEL = b"HPKE-v1"
_IPAD = bytes(b ^ 0x36 for b in range(256))
_OPAD = bytes(b ^ 0x5C for b in range(256))


class _Hash(Protocol):
    """The part of a ``hashlib`` object HMAC needs."""

    def update(self, data: bytes, /) -> None: ...

    def digest(self) -> bytes: ...

    def copy(self) -> _Hash: ...

    @property
    def block_size(self) -> int: ...

    @property
    def digest_size(self) -> int: ...


class Prf:
    """HMAC under one key (RFC 2104), with the key's inner and outer blocks hashed up front."""

    __slots__ = ("_inner", "_outer")

    def __init__(self, new: Callable[[bytes], _Hash], block_size: int, key: bytes) -> None:
        if len(key) > block_size:
            key = new(key).digest()
        key = key.ljust(block_size, b"\x00")
        self._inner = new(key.translate(_IPAD))
        self._outer = new(key.translate(_OPAD))

    def __call__(self, message: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()


class Kdf:
    """An HKDF instance, named by its HPKE identifier and built on one ``hashlib`` hash.

    Expansions take the PRK either as bytes or as a :class:`Prf` from :meth:`keyed`, so that
    several expansions of one secret (the key schedule makes three) share the key setup.
    """

    __slots__ = ("_block_size", "_new", "_zero_salt", "hash_name", "kdf_id", "nh")

    def __init__(self, kdf_id: int, new: Callable[[bytes], _Hash], hash_name: str) -> None:
        self.kdf_id = kdf_id
        self.hash_name = hash_name
        self._new = new
        self._block_size = new(b"").block_size
        self.nh = new(b"").digest_size
        """Nh: the hash output size, which is also the size of every extracted secret."""
        self._zero_salt = Prf(new, self._block_size, bytes(self.nh))

    def keyed(self, key: bytes) -> Prf:
        """HMAC keyed with ``key``, for several messages under one key."""
        return Prf(self._new, self._block_size, key)

    def hmac(self, key: bytes, message: bytes) -> bytes:
        """One HMAC: two hashes over the padded key, with no object kept."""
        new, block_size = self._new, self._block_size
        if len(key) > block_size:
            key = new(key).digest()
        key = key.ljust(block_size, b"\x00")
        return new(key.translate(_OPAD) + new(key.translate(_IPAD) + message).digest()).digest()

    def extract(self, salt: bytes, ikm: bytes) -> bytes:
        """HKDF-Extract; an empty salt means Nh zero bytes (RFC 5869), whose setup is cached."""
        return self.hmac(salt, ikm) if salt else self._zero_salt(ikm)

    def expand(self, prk: bytes | Prf, info: bytes, length: int) -> bytes:
        """HKDF-Expand to ``length`` bytes, at most 255 * Nh."""
        if not 0 <= length <= 255 * self.nh:
            raise InvalidArgument(f"HKDF-Expand length must be in [0, {255 * self.nh}]")
        if length == 0:
            return b""
        if isinstance(prk, bytes):
            prk = self.keyed(prk)
        blocks = [b""]
        for counter in range(1, -(-length // self.nh) + 1):
            blocks.append(prk(blocks[-1] + info + bytes([counter])))
        return b"".join(blocks)[:length]

    def labeled_extract(self, suite_id: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
        """RFC 9180 ``LabeledExtract``."""
        return self.extract(salt, extract_label(suite_id, label) + ikm)

    def labeled_expand(
        self, suite_id: bytes, prk: bytes | Prf, label: bytes, info: bytes, length: int
    ) -> bytes:
        """RFC 9180 ``LabeledExpand``: the length is bound into the info as two bytes."""
        if not 0 <= length <= 0xFFFF:
            raise InvalidArgument("LabeledExpand length must fit in two bytes")
        labeled_info = length.to_bytes(2, "big") + _VERSION_LABEL + suite_id + label + info
        if 0 < length <= self.nh:
            # One output block, T(1) = HMAC(prk, info || 0x01): every length HPKE itself uses.
            block = labeled_info + b"\x01"
            out = prk(block) if isinstance(prk, Prf) else self.hmac(prk, block)
            return out[:length]
        return self.expand(prk, labeled_info, length)

    def one_block_expand_input(
        self, suite_id: bytes, label: bytes, info: bytes, length: int
    ) -> bytes:
        """What ``LabeledExpand(prk, label, info, length)`` hashes when its output is one block.

        ``hmac(prk, <this>)[:length]`` is then the whole expansion. The key schedule's infos are
        fixed per HPKE info, so it builds these once and each message pays for the HMAC alone.
        """
        if not 0 < length <= self.nh:
            raise InvalidArgument(f"a one-block expansion is 1 to {self.nh} bytes, not {length}")
        return length.to_bytes(2, "big") + _VERSION_LABEL + suite_id + label + info + b"\x01"


def extract_label(suite_id: bytes, label: bytes) -> bytes:
    """``"HPKE-v1" || suite_id || label``: what ``LabeledExtract`` puts before its input."""
    return _VERSION_LABEL + suite_id + label


HKDF_SHA256 = Kdf(0x0001, hashlib.sha256, "sha256")
"""KDF 0x0001, the only KDF BIP 77 and OHTTP use."""
