"""Hybrid Public Key Encryption, RFC 9180: all four modes, contexts, export, fixed ephemerals.

BIP 77 encrypts its end-to-end messages with HPKE over DHKEM(secp256k1, HKDF-SHA256),
HKDF-SHA256 and ChaCha20-Poly1305 (:data:`SECP256K1_CHACHA`): Base mode for message A, Auth mode
for message B. OHTTP uses the same suite in Base mode plus the exporter. The code is generic over
KEM, KDF and AEAD so that the same key schedule can be checked against independent
implementations on the registered X25519 and P-256 suites.

Layers, bottom up: :mod:`.hpke_kdf` (labeled HKDF), :mod:`.hpke_aead` (the ciphers),
:mod:`.hpke_kem` (DHKEM), and here the key schedule, the contexts and the suites. Every failure
is a typed error from :mod:`pjconf.reference.errors`.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from typing import NamedTuple

from cryptography.exceptions import InvalidTag

from pjconf.reference.crypto.hpke_aead import AEADS, Aead
from pjconf.reference.crypto.hpke_kdf import HKDF_SHA256, Kdf, extract_label
from pjconf.reference.crypto.hpke_kem import KEMS, DhKem
from pjconf.reference.entropy import SYSTEM_RANDOM, RandomSource
from pjconf.reference.errors import (
    InvalidArgument,
    MessageLimitReached,
    OpenError,
    PjconfError,
    UnsupportedSuite,
)

__all__ = [
    "SECP256K1_CHACHA",
    "CipherSuite",
    "Context",
    "KeySchedule",
    "Mode",
    "Role",
    "cipher_suite",
]


class Mode(enum.IntEnum):
    """The four HPKE modes; the value is the byte that starts the key schedule context."""

    BASE = 0
    PSK = 1
    AUTH = 2
    AUTH_PSK = 3

    @property
    def uses_psk(self) -> bool:
        return bool(self & 1)  # RFC 9180 numbers the modes so: bit 0 is PSK, bit 1 is Auth

    @property
    def uses_auth(self) -> bool:
        return bool(self & 2)


class Role(enum.Enum):
    """Which side a context is on. A sender only seals and a recipient only opens: both sides
    share one key and nonce sequence, so a context used both ways would reuse nonces."""

    SENDER = "sender"
    RECIPIENT = "recipient"


class KeySchedule(NamedTuple):
    """Every value RFC 9180's ``KeySchedule`` derives, kept whole for vectors and debugging."""

    mode: Mode
    shared_secret: bytes
    key_schedule_context: bytes
    secret: bytes
    key: bytes
    base_nonce: bytes
    exporter_secret: bytes


class _ScheduleInputs(NamedTuple):
    """The parts of the key schedule fixed by (suite, mode, psk_id, info), built once per info.

    A message's own inputs are its shared secret and PSK; everything else that the schedule
    hashes is here, so a message costs its five HMACs and almost no byte-string assembly.
    """

    key_schedule_context: bytes
    secret_label: bytes
    """``"HPKE-v1" || suite_id || "secret"``, the PSK goes after it."""
    key_input: bytes
    """HMAC inputs (:meth:`Kdf.one_block_expand_input`) of the three expansions of ``secret``."""
    base_nonce_input: bytes
    exporter_input: bytes


@functools.lru_cache(maxsize=64)
def _schedule_inputs(suite: CipherSuite, mode: int, psk_id: bytes, info: bytes) -> _ScheduleInputs:
    kdf, sid, aead = suite.kdf, suite.suite_id, suite.aead
    psk_id_hash = kdf.labeled_extract(sid, b"", b"psk_id_hash", psk_id)
    info_hash = kdf.labeled_extract(sid, b"", b"info_hash", info)
    ks_context = bytes([mode]) + psk_id_hash + info_hash

    def expansion(label: bytes, length: int) -> bytes:
        # Export-only suites have Nk = Nn = 0; their key and nonce are empty and never hashed.
        return kdf.one_block_expand_input(sid, label, ks_context, length) if length else b""

    return _ScheduleInputs(
        ks_context,
        extract_label(sid, b"secret"),
        expansion(b"key", aead.nk),
        expansion(b"base_nonce", aead.nn),
        expansion(b"exp", kdf.nh),
    )


class Context:
    """One HPKE encryption context: a key, a base nonce, a sequence number and an exporter.

    Built from the key schedule's ``secret``, it finishes the schedule: the key and base nonce at
    once, the exporter secret on first use (only OHTTP exports, and a message should not pay for
    it). Message ``seq`` is sealed under ``base_nonce XOR I2OSP(seq, Nn)``; ``seq`` moves on only
    after a successful seal or open, so a forged message does not desynchronise a recipient.
    """

    __slots__ = (
        "_cipher",
        "_exporter_secret",
        "_inputs",
        "_suite",
        "base_nonce",
        "key",
        "role",
        "secret",
        "seq",
    )

    def __init__(
        self, suite: CipherSuite, role: Role, inputs: _ScheduleInputs, secret: bytes
    ) -> None:
        hmac, aead = suite.kdf.hmac, suite.aead
        self._suite = suite
        self._inputs = inputs
        self.role = role
        self.secret = secret
        self.seq = 0
        # Two one-block LabeledExpands of `secret`; the suite checked that Nk and Nn fit a block.
        self.key = hmac(secret, inputs.key_input)[: aead.nk] if aead.nk else b""
        self.base_nonce = hmac(secret, inputs.base_nonce_input)[: aead.nn] if aead.nn else b""
        self._cipher = None if aead.factory is None else aead.factory(self.key)
        self._exporter_secret: bytes | None = None

    @property
    def key_schedule_context(self) -> bytes:
        return self._inputs.key_schedule_context

    @property
    def exporter_secret(self) -> bytes:
        if self._exporter_secret is None:
            self._exporter_secret = self._suite.kdf.hmac(self.secret, self._inputs.exporter_input)
        return self._exporter_secret

    def seal(self, aad: bytes, pt: bytes | memoryview) -> bytes:
        """Encrypt ``pt`` as the next message; returns ciphertext and tag."""
        if self._cipher is None or self.role is not Role.SENDER:
            raise self._refusal()
        ct = self._cipher.encrypt(self._nonce() if self.seq else self.base_nonce, pt, aad)
        self.seq += 1
        return ct

    def open(self, aad: bytes, ct: bytes | memoryview) -> bytes:
        """Decrypt the next message; :class:`OpenError` if it is not authentic."""
        if self._cipher is None or self.role is not Role.RECIPIENT:
            raise self._refusal()
        try:
            pt = self._cipher.decrypt(self._nonce() if self.seq else self.base_nonce, ct, aad)
        except InvalidTag:  # wrong key, nonce or AAD, or tampered or truncated bytes
            raise OpenError("HPKE open failed: the ciphertext is not authentic") from None
        self.seq += 1
        return pt

    def export(self, exporter_context: bytes, length: int) -> bytes:
        """A secret of ``length`` bytes bound to this context and ``exporter_context``."""
        suite = self._suite
        return suite.kdf.labeled_expand(
            suite.suite_id, self.exporter_secret, b"sec", exporter_context, length
        )

    def _refusal(self) -> PjconfError:
        if self._cipher is None:
            return UnsupportedSuite(f"AEAD {self._suite.aead.name} can only export")
        verb = "open" if self.role is Role.SENDER else "seal"
        return InvalidArgument(f"a {self.role.value} context cannot {verb}")

    def _nonce(self) -> bytes:
        """The nonce of message ``seq`` > 0; message 0's is ``base_nonce`` itself, which seal and
        open use directly (a single-shot message then skips two int conversions and a call)."""
        seq, nn = self.seq, self._suite.aead.nn
        if seq >= (1 << (8 * nn)) - 1:
            raise MessageLimitReached("the context's sequence number is exhausted")
        return (int.from_bytes(self.base_nonce, "big") ^ seq).to_bytes(nn, "big")


def _as_mode(mode: Mode | int) -> Mode:
    try:
        return Mode(mode)
    except ValueError:
        raise InvalidArgument(f"unknown HPKE mode {mode!r}") from None


def _check_mode_inputs(mode: Mode, *, has_auth_key: bool, psk: bytes, psk_id: bytes) -> None:
    """RFC 9180 ``VerifyPSKInputs``, plus the same rule for the sender's static key."""
    if bool(psk) != bool(psk_id):
        raise InvalidArgument("psk and psk_id must be given together")
    if bool(psk) != mode.uses_psk:
        problem = "was given a PSK" if psk else "needs a PSK"
        raise InvalidArgument(f"mode {mode.name} {problem}")
    if has_auth_key != mode.uses_auth:
        problem = "was given a sender key" if has_auth_key else "needs the sender's key"
        raise InvalidArgument(f"mode {mode.name} {problem}")


@dataclass(frozen=True, eq=False)
class CipherSuite:
    """An HPKE suite: a KEM, a KDF and an AEAD, named by their three identifiers."""

    kem: DhKem
    kdf: Kdf
    aead: Aead
    suite_id: bytes = field(init=False)

    def __post_init__(self) -> None:
        ids = (self.kem_id, self.kdf_id, self.aead_id)
        object.__setattr__(self, "suite_id", b"HPKE" + b"".join(i.to_bytes(2, "big") for i in ids))
        if max(self.aead.nk, self.aead.nn) > self.kdf.nh:  # so each is one HMAC (Context)
            raise UnsupportedSuite(f"{self.aead.name} keys or nonces are longer than one block")

    @property
    def kem_id(self) -> int:
        return self.kem.kem_id

    @property
    def kdf_id(self) -> int:
        return self.kdf.kdf_id

    @property
    def aead_id(self) -> int:
        return self.aead.aead_id

    # Keys

    def derive_key_pair(self, ikm: bytes) -> tuple[bytes, bytes]:
        """DeriveKeyPair: ``(sk, pk)``, ``pk`` serialized as the KEM does (65 bytes for EC)."""
        return self.kem.derive_key_pair(ikm)

    def generate_key_pair(self, rng: RandomSource) -> tuple[bytes, bytes]:
        """A fresh key pair: DeriveKeyPair of Nsk random bytes, as bitcoin-hpke generates."""
        return self.kem.derive_key_pair(rng.random_bytes(self.kem.nsk))

    def public_key(self, sk: bytes) -> bytes:
        return self.kem.public_key(sk)

    # Key schedule and contexts

    def key_schedule(
        self,
        mode: Mode,
        shared_secret: bytes,
        info: bytes,
        *,
        psk: bytes = b"",
        psk_id: bytes = b"",
    ) -> KeySchedule:
        """RFC 9180 ``KeySchedule`` with every intermediate value, for vectors and debugging."""
        mode = _as_mode(mode)
        ctx = self._context(Role.SENDER, mode, shared_secret, info, psk=psk, psk_id=psk_id)
        return KeySchedule(
            mode,
            shared_secret,
            ctx.key_schedule_context,
            ctx.secret,
            ctx.key,
            ctx.base_nonce,
            ctx.exporter_secret,
        )

    def _context(
        self,
        role: Role,
        mode: Mode,
        shared_secret: bytes,
        info: bytes,
        *,
        psk: bytes,
        psk_id: bytes,
    ) -> Context:
        """The key schedule's first half (context and ``secret``); the context does the rest."""
        inputs = _schedule_inputs(self, int(mode), psk_id, info)
        secret = self.kdf.extract(shared_secret, inputs.secret_label + psk)
        return Context(self, role, inputs, secret)

    def setup_sender(
        self,
        pk_r: bytes,
        info: bytes,
        *,
        mode: Mode = Mode.BASE,
        sk_s: bytes | None = None,
        psk: bytes = b"",
        psk_id: bytes = b"",
        sk_e: bytes | None = None,
        rng: RandomSource | None = None,
        pk_s: bytes | None = None,
    ) -> tuple[bytes, Context]:
        """``(enc, context)`` for sending to ``pk_r``.

        ``sk_e`` fixes the ephemeral key (vectors, tests); otherwise it is drawn from ``rng``
        (default: the system CSPRNG). ``pk_s`` may accompany ``sk_s`` to save a generator
        multiplication; it is trusted to be ``sk_s``'s public key.
        """
        if type(mode) is not Mode:
            mode = _as_mode(mode)
        if mode or psk or psk_id or sk_s is not None:  # plain Base mode has nothing to check
            _check_mode_inputs(mode, has_auth_key=sk_s is not None, psk=psk, psk_id=psk_id)
        pk_e = None
        if sk_e is None:
            sk_e, pk_e = self.kem.ephemeral_key_pair(rng or SYSTEM_RANDOM)
        shared_secret, enc = self.kem.encap(pk_r, sk_e, pk_e=pk_e, sk_s=sk_s, pk_s=pk_s)
        return enc, self._context(Role.SENDER, mode, shared_secret, info, psk=psk, psk_id=psk_id)

    def setup_recipient(
        self,
        enc: bytes,
        sk_r: bytes,
        info: bytes,
        *,
        mode: Mode = Mode.BASE,
        pk_r: bytes | None = None,
        pk_s: bytes | None = None,
        psk: bytes = b"",
        psk_id: bytes = b"",
    ) -> Context:
        """The context that opens what ``setup_sender`` sealed.

        Pass ``pk_r`` (the recipient's own public key) to skip decapsulation's only generator
        multiplication; ``pk_s`` is the sender's key in the Auth modes.
        """
        if type(mode) is not Mode:
            mode = _as_mode(mode)
        if mode or psk or psk_id or pk_s is not None:
            _check_mode_inputs(mode, has_auth_key=pk_s is not None, psk=psk, psk_id=psk_id)
        shared_secret = self.kem.decap(enc, sk_r, pk_r=pk_r, pk_s=pk_s)
        return self._context(Role.RECIPIENT, mode, shared_secret, info, psk=psk, psk_id=psk_id)

    # Single-shot

    def seal(
        self,
        pk_r: bytes,
        info: bytes,
        aad: bytes,
        pt: bytes,
        *,
        mode: Mode = Mode.BASE,
        sk_s: bytes | None = None,
        psk: bytes = b"",
        psk_id: bytes = b"",
        sk_e: bytes | None = None,
        rng: RandomSource | None = None,
        pk_s: bytes | None = None,
    ) -> tuple[bytes, bytes]:
        """Single-shot encryption: ``(enc, ct)``."""
        enc, ctx = self.setup_sender(
            pk_r, info, mode=mode, sk_s=sk_s, psk=psk, psk_id=psk_id, sk_e=sk_e, rng=rng, pk_s=pk_s
        )
        return enc, ctx.seal(aad, pt)

    def open(
        self,
        enc: bytes,
        sk_r: bytes,
        info: bytes,
        aad: bytes,
        ct: bytes,
        *,
        mode: Mode = Mode.BASE,
        pk_r: bytes | None = None,
        pk_s: bytes | None = None,
        psk: bytes = b"",
        psk_id: bytes = b"",
    ) -> bytes:
        """Single-shot decryption."""
        ctx = self.setup_recipient(
            enc, sk_r, info, mode=mode, pk_r=pk_r, pk_s=pk_s, psk=psk, psk_id=psk_id
        )
        return ctx.open(aad, ct)


@functools.cache
def cipher_suite(kem_id: int, kdf_id: int, aead_id: int) -> CipherSuite:
    """The suite named by three HPKE identifiers; :class:`UnsupportedSuite` if one is unknown."""
    kem, aead = KEMS.get(kem_id), AEADS.get(aead_id)
    kdf = HKDF_SHA256 if kdf_id == HKDF_SHA256.kdf_id else None
    if kem is None or kdf is None or aead is None:
        ids = f"KEM 0x{kem_id:04x}, KDF 0x{kdf_id:04x}, AEAD 0x{aead_id:04x}"
        raise UnsupportedSuite(f"HPKE suite {ids} is not offered")
    return CipherSuite(kem, kdf, aead)


SECP256K1_CHACHA = cipher_suite(0x0016, 0x0001, 0x0003)
"""DHKEM(secp256k1, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305: BIP 77's and OHTTP's suite."""
