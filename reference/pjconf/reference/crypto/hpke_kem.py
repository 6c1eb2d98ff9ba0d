"""HPKE's DHKEM (RFC 9180 §4.1) over three Diffie-Hellman groups.

The KEM is written once, over a small :class:`DhGroup` interface; each group only says how to
make a public key, how to run DH, and how its keys are derived from seed bytes. secp256k1 runs on
libsecp256k1 (through :mod:`.secp256k1`: about eight times faster than OpenSSL's secp256k1);
X25519 and P-256 run on ``cryptography`` and exist to cross-check the generic code against other
HPKE implementations and the RFC 9458 example.

secp256k1 is DHKEM(secp256k1, HKDF-SHA256) from draft-wahby-cfrg-hpke-kem-secp256k1: 65-byte
uncompressed keys, DH = the 32-byte x coordinate, DeriveKeyPair by rejection sampling with
bitmask 0xff. Public keys are parsed as leniently as libsecp256k1 parses them (so as
bitcoin-hpke does): the 65-byte "hybrid" forms ``06``/``07`` are accepted, and the KEM context
always carries the canonical ``04`` form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from pjconf.reference.crypto import secp256k1
from pjconf.reference.crypto.hpke_kdf import HKDF_SHA256, Kdf, extract_label
from pjconf.reference.entropy import RandomSource
from pjconf.reference.errors import InvalidKey


class DhGroup(Protocol):
    """What DHKEM needs from a group; every failure is :class:`InvalidKey`."""

    nsk: int
    npk: int
    order: int | None
    """Group order for DeriveKeyPair's rejection sampling; None where any Nsk bytes are a key."""
    bitmask: int

    def public_key(self, sk: bytes) -> bytes:
        """The serialized public key of a secret key."""
        ...

    def dh(self, sk: bytes, pk: bytes) -> bytes:
        """The shared DH value; validates ``pk`` and refuses an all-zero result."""
        ...

    def canonical(self, pk: bytes) -> bytes:
        """The serialization the KEM context binds, of a key that :meth:`dh` accepted."""
        ...


def _check_length(what: str, value: bytes, size: int) -> None:
    if len(value) != size:
        raise InvalidKey(f"{what} must be {size} bytes, got {len(value)}")


def _nonzero(shared: bytes) -> bytes:
    """RFC 9180 §7.1.4: an all-zero DH output must abort the KEM."""
    if not any(shared):
        raise InvalidKey("DH output is all zero")
    return shared


class Secp256k1Group:
    """secp256k1 on libsecp256k1: the curve of BIP 77 and of OHTTP as payjoin deploys it."""

    nsk = 32
    npk = 65
    order: int | None = secp256k1.N
    bitmask = 0xFF

    def public_key(self, sk: bytes) -> bytes:
        return secp256k1.public_key(sk)

    def dh(self, sk: bytes, pk: bytes) -> bytes:
        _check_length("public key", pk, self.npk)  # ecdh_x would also take 33 bytes
        return _nonzero(secp256k1.ecdh_x(sk, pk))  # no point has x = 0; checked all the same

    def canonical(self, pk: bytes) -> bytes:
        # libsecp256k1 accepted the key, so its x and y are right whatever the prefix said.
        return pk if pk[0] == 0x04 else b"\x04" + pk[1:]


_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


class P256Group:
    """NIST P-256 on ``cryptography``; only for cross-checks."""

    nsk = 32
    npk = 65
    order: int | None = _P256_ORDER
    bitmask = 0xFF
    _curve: ClassVar[ec.EllipticCurve] = ec.SECP256R1()

    def _secret(self, sk: bytes) -> ec.EllipticCurvePrivateKey:
        _check_length("secret key", sk, self.nsk)
        scalar = int.from_bytes(sk, "big")
        if not 0 < scalar < _P256_ORDER:
            raise InvalidKey("secret key is not in [1, n-1]")
        return ec.derive_private_key(scalar, self._curve)

    def public_key(self, sk: bytes) -> bytes:
        point = self._secret(sk).public_key()
        return point.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)

    def dh(self, sk: bytes, pk: bytes) -> bytes:
        _check_length("public key", pk, self.npk)
        if pk[0] != 0x04:
            raise InvalidKey("P-256 public key must be uncompressed (0x04)")
        try:
            peer = ec.EllipticCurvePublicKey.from_encoded_point(self._curve, pk)
        except ValueError:
            raise InvalidKey("bytes are not a valid P-256 public key") from None
        return _nonzero(self._secret(sk).exchange(ec.ECDH(), peer))

    def canonical(self, pk: bytes) -> bytes:
        return pk


class X25519Group:
    """X25519 on ``cryptography``; RFC 9458's worked example uses it."""

    nsk = 32
    npk = 32
    order: int | None = None
    bitmask = 0xFF

    def _secret(self, sk: bytes) -> x25519.X25519PrivateKey:
        _check_length("secret key", sk, self.nsk)
        return x25519.X25519PrivateKey.from_private_bytes(sk)

    def public_key(self, sk: bytes) -> bytes:
        return self._secret(sk).public_key().public_bytes_raw()

    def dh(self, sk: bytes, pk: bytes) -> bytes:
        _check_length("public key", pk, self.npk)
        peer = x25519.X25519PublicKey.from_public_bytes(pk)
        try:
            return self._secret(sk).exchange(peer)
        except ValueError:  # cryptography's refusal of an all-zero (low-order) result
            raise InvalidKey("DH output is all zero") from None

    def canonical(self, pk: bytes) -> bytes:
        return pk


@dataclass(frozen=True, eq=False)
class DhKem:
    """DHKEM(group, KDF): Encap/Decap, with the Auth variants folded in by an optional sender key.

    Auth mode adds a second DH with the sender's static key and appends the sender's public key to
    the KEM context; everything else is shared, so one method does both.
    """

    kem_id: int
    name: str
    group: DhGroup
    kdf: Kdf = HKDF_SHA256
    suite_id: bytes = field(init=False)
    _eae_prk_label: bytes = field(init=False, repr=False)
    _shared_secret_input: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        suite_id = b"KEM" + self.kem_id.to_bytes(2, "big")
        object.__setattr__(self, "suite_id", suite_id)
        # ExtractAndExpand's labels are constant: built once, each message only appends to them.
        object.__setattr__(self, "_eae_prk_label", extract_label(suite_id, b"eae_prk"))
        shared_secret_input = self.kdf.one_block_expand_input(
            suite_id, b"shared_secret", b"", self.kdf.nh
        )
        # The input ends with the block counter 0x01; the KEM context goes in before it.
        object.__setattr__(self, "_shared_secret_input", shared_secret_input[:-1])

    @property
    def nsecret(self) -> int:
        return self.kdf.nh

    @property
    def nenc(self) -> int:
        return self.group.npk

    @property
    def npk(self) -> int:
        return self.group.npk

    @property
    def nsk(self) -> int:
        return self.group.nsk

    def derive_key_pair(self, ikm: bytes) -> tuple[bytes, bytes]:
        """RFC 9180 §7.1.3 DeriveKeyPair: ``(sk, pk)`` from seed bytes, deterministically."""
        prk = self.kdf.labeled_extract(self.suite_id, b"", b"dkp_prk", ikm)
        order = self.group.order
        if order is None:
            sk = self.kdf.labeled_expand(self.suite_id, prk, b"sk", b"", self.nsk)
            return sk, self.group.public_key(sk)
        bitmask = self.group.bitmask
        for counter in range(256):
            sk = self.kdf.labeled_expand(
                self.suite_id, prk, b"candidate", bytes([counter]), self.nsk
            )
            if bitmask != 0xFF:
                sk = bytes([sk[0] & bitmask]) + sk[1:]
            if 0 < int.from_bytes(sk, "big") < order:
                return sk, self.group.public_key(sk)
        raise InvalidKey("DeriveKeyPair found no valid scalar in 256 candidates")

    def public_key(self, sk: bytes) -> bytes:
        return self.group.public_key(sk)

    def ephemeral_key_pair(self, rng: RandomSource) -> tuple[bytes, bytes]:
        """A uniformly random key pair for one encapsulation.

        Any uniform sampling interoperates (the recipient sees only ``enc``), so this samples the
        scalar directly, by rejection against the group order, and skips DeriveKeyPair's two
        HMACs; :meth:`derive_key_pair` stays the RFC's derivation for keys that need one.
        """
        order = self.group.order
        while True:
            sk = rng.random_bytes(self.nsk)
            if order is None or 0 < int.from_bytes(sk, "big") < order:
                return sk, self.group.public_key(sk)

    def encap(
        self,
        pk_r: bytes,
        sk_e: bytes,
        *,
        pk_e: bytes | None = None,
        sk_s: bytes | None = None,
        pk_s: bytes | None = None,
    ) -> tuple[bytes, bytes]:
        """Encap (or AuthEncap with ``sk_s``) with a given ephemeral: ``(shared_secret, enc)``.

        ``pk_e``/``pk_s`` may be passed when the caller has them, to skip a generator
        multiplication each; they are trusted to match their secret keys.
        """
        dh = self.group.dh(sk_e, pk_r)
        enc = pk_e if pk_e is not None else self.group.public_key(sk_e)
        _check_length("ephemeral public key", enc, self.nenc)
        kem_context = enc + self.group.canonical(pk_r)
        if sk_s is not None:
            dh += self.group.dh(sk_s, pk_r)
            if pk_s is None:
                pk_s = self.group.public_key(sk_s)
            _check_length("sender public key", pk_s, self.npk)
            kem_context += self.group.canonical(pk_s)
        return self._extract_and_expand(dh, kem_context), enc

    def decap(
        self,
        enc: bytes,
        sk_r: bytes,
        *,
        pk_r: bytes | None = None,
        pk_s: bytes | None = None,
    ) -> bytes:
        """Decap (or AuthDecap with ``pk_s``): the shared secret.

        ``pk_r`` is the recipient's own public key; passing it saves the only generator
        multiplication of decapsulation. It is trusted (only its length is checked): a wrong one
        yields a wrong secret, and the AEAD then refuses to open.
        """
        group = self.group
        dh = group.dh(sk_r, enc)
        if pk_r is None:
            pk_r = group.public_key(sk_r)
        else:
            _check_length("recipient public key", pk_r, group.npk)
        kem_context = group.canonical(enc) + group.canonical(pk_r)
        if pk_s is not None:
            dh += group.dh(sk_r, pk_s)
            kem_context += group.canonical(pk_s)
        return self._extract_and_expand(dh, kem_context)

    def _extract_and_expand(self, dh: bytes, kem_context: bytes) -> bytes:
        """LabeledExtract("eae_prk") then a one-block LabeledExpand("shared_secret", Nsecret)."""
        kdf = self.kdf
        prk = kdf.extract(b"", self._eae_prk_label + dh)
        return kdf.hmac(prk, self._shared_secret_input + kem_context + b"\x01")


DHKEM_SECP256K1 = DhKem(0x0016, "DHKEM(secp256k1, HKDF-SHA256)", Secp256k1Group())
DHKEM_P256 = DhKem(0x0010, "DHKEM(P-256, HKDF-SHA256)", P256Group())
DHKEM_X25519 = DhKem(0x0020, "DHKEM(X25519, HKDF-SHA256)", X25519Group())

KEMS: dict[int, DhKem] = {k.kem_id: k for k in (DHKEM_SECP256K1, DHKEM_P256, DHKEM_X25519)}
