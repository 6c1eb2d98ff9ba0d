"""HPKE's AEAD layer (RFC 9180 §7.3), on ``cryptography``.

An :class:`Aead` only knows sizes and how to key a cipher; nonces and sequence numbers belong to
the context in :mod:`.hpke`. The export-only mode (0xFFFF) is an AEAD with no key at all, so that
a context can still be built for it and refuses to seal or open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

from pjconf.reference.errors import UnsupportedSuite


class Cipher(Protocol):
    """A keyed AEAD, as ``cryptography`` shapes them."""

    def encrypt(
        self, nonce: bytes, data: bytes | memoryview, associated_data: bytes | None
    ) -> bytes: ...

    def decrypt(
        self, nonce: bytes, data: bytes | memoryview, associated_data: bytes | None
    ) -> bytes: ...


@dataclass(frozen=True, eq=False)
class Aead:
    """An AEAD algorithm: its identifier, sizes, and a factory for keyed ciphers."""

    aead_id: int
    name: str
    nk: int
    """Nk: key size; 0 for export-only."""
    nn: int
    """Nn: nonce size; 0 for export-only."""
    nt: int
    """Nt: tag size; 0 for export-only."""
    factory: Callable[[bytes], Cipher] | None
    """Builds a keyed cipher; None for export-only."""

    @property
    def export_only(self) -> bool:
        return self.factory is None

    def cipher(self, key: bytes) -> Cipher:
        """A cipher keyed once per context, so that sealing a message does no key setup."""
        if self.factory is None:
            raise UnsupportedSuite(f"{self.name} cannot seal or open, only export")
        return self.factory(key)


AES_128_GCM = Aead(0x0001, "AES-128-GCM", nk=16, nn=12, nt=16, factory=AESGCM)
AES_256_GCM = Aead(0x0002, "AES-256-GCM", nk=32, nn=12, nt=16, factory=AESGCM)
CHACHA20_POLY1305 = Aead(0x0003, "ChaCha20-Poly1305", nk=32, nn=12, nt=16, factory=ChaCha20Poly1305)
EXPORT_ONLY = Aead(0xFFFF, "export-only", nk=0, nn=0, nt=0, factory=None)

AEADS: dict[int, Aead] = {
    a.aead_id: a for a in (AES_128_GCM, AES_256_GCM, CHACHA20_POLY1305, EXPORT_ONLY)
}
