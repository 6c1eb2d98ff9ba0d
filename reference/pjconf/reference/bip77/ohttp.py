"""Oblivious HTTP (RFC 9458) encapsulation, as rust-payjoin 1.0 uses it through bitcoin-ohttp 0.6.

The generic functions work for any HPKE suite the key configuration names, so the same code
reproduces RFC 9458 Appendix A (X25519, AES-128-GCM) and BIP 77's secp256k1/ChaCha20-Poly1305:

- request  = hdr ‖ enc ‖ Seal(aad="", plaintext), hdr = key_id ‖ kem ‖ kdf ‖ aead, and
  info = "message/bhttp request" ‖ 0x00 ‖ hdr (RFC 9458 §4.3);
- response = nonce ‖ AEAD(key, iv, aad="", plaintext), where secret =
  Export("message/bhttp response", max(Nn, Nk)), prk = HKDF-Extract(enc ‖ nonce, secret),
  key = HKDF-Expand(prk, "key", Nk), iv = HKDF-Expand(prk, "nonce", Nn) — plain HKDF, not the
  labelled HPKE forms (RFC 9458 §4.4).

Those are ``encapsulate_*``/``decapsulate_*``, size-agnostic. BIP 77's fixed sizes live only in
the thin ``seal_*``/``open_*`` wrappers, named after the adapter protocol's ``ohttp.*`` ops: every
request and response is 8192 bytes; the BHTTP request is padded to 8104 bytes with random bytes
(as rust-payjoin does) or zeros (for vectors), the BHTTP response to 8144 with zeros (as
payjoin-mailroom does); the client accepts a response of exactly 8192 bytes only, while the
gateway, like bitcoin-ohttp, checks no request length.

The state kept between a request and its response is the same on both sides (suite, the
request's ``enc`` and the exported secret), so :class:`RequestContext` (client) and
:class:`ServerResponseContext` (gateway) share one byte serialization, documented on
:class:`ExchangeContext`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import ClassVar, Literal, NamedTuple, Self

from cryptography.exceptions import InvalidTag

from pjconf.reference.bip77.ohttp_keys import BIP77_SUITE, KEM_SECP256K1, OhttpKeyConfig
from pjconf.reference.crypto import hpke
from pjconf.reference.crypto.hpke_aead import Cipher
from pjconf.reference.entropy import SYSTEM_RANDOM, RandomSource
from pjconf.reference.errors import (
    InvalidArgument,
    InvalidKey,
    InvalidSize,
    OpenError,
    ParseError,
    PayloadTooLarge,
    UnknownKeyId,
    UnsupportedSuite,
)

REQUEST_LABEL = b"message/bhttp request"
RESPONSE_LABEL = b"message/bhttp response"
HEADER_SIZE = 7
"""key_id (1) ‖ kem_id (2) ‖ kdf_id (2) ‖ aead_id (2)."""

ENCAPSULATED_MESSAGE_BYTES = 8192
"""BIP 77: every OHTTP request and response body."""
PADDED_BHTTP_REQ_BYTES = 8104
"""BIP 77: 8192 - (7 + 65 + 16), the padded BHTTP request."""
PADDED_BHTTP_RES_BYTES = 8144
"""BIP 77: 8192 - (32 + 16), the padded BHTTP response."""

Padding = Literal["random", "zero"]


@functools.lru_cache(maxsize=64)
def _header_and_info(key_id: int, kem_id: int, kdf_id: int, aead_id: int) -> tuple[bytes, bytes]:
    """A request's header and HPKE info, the same for every request to one key: built once."""
    header = request_header(key_id, kem_id, kdf_id, aead_id)
    return header, request_info(header)


def request_header(key_id: int, kem_id: int, kdf_id: int, aead_id: int) -> bytes:
    """The 7-byte header that starts a request and is bound into the HPKE info."""
    return (
        key_id.to_bytes(1, "big")
        + kem_id.to_bytes(2, "big")
        + kdf_id.to_bytes(2, "big")
        + aead_id.to_bytes(2, "big")
    )


def request_info(header: bytes) -> bytes:
    """HPKE ``info``: the request label, a zero byte and the header."""
    return REQUEST_LABEL + b"\x00" + header


def _suite(kem_id: int, kdf_id: int, aead_id: int) -> hpke.CipherSuite:
    suite = hpke.cipher_suite(kem_id, kdf_id, aead_id)
    if suite.aead.export_only:
        raise UnsupportedSuite("OHTTP needs an AEAD, not export-only")
    return suite


def _secret_size(suite: hpke.CipherSuite) -> int:
    return max(suite.aead.nn, suite.aead.nk)


class ExchangeContext:
    """What opens (client) or seals (gateway) the response to one request.

    Serialized by :meth:`to_bytes` as ``0x01 ‖ kem_id (2) ‖ kdf_id (2) ‖ aead_id (2) ‖ len(enc)
    (1) ‖ enc ‖ secret``, where ``secret`` (the rest, max(Nn, Nk) bytes) is the request's
    ``Export("message/bhttp response", max(Nn, Nk))``. Both sides of one exchange serialize to
    the same bytes. Immutable, compared by value.

    The secret is given, or computed on first use from the request's HPKE context (see
    :meth:`deferred`), as bitcoin-ohttp computes it only when the response is handled: a request
    that is sent and then abandoned does not pay for the export's two HMACs. The HPKE context is
    dropped once the secret exists; it can only seal (client) or open (gateway) the request
    itself, never the other way, and is never serialized.
    """

    __slots__ = ("_exporter", "_secret", "aead_id", "enc", "kdf_id", "kem_id")

    FORMAT_VERSION: ClassVar[int] = 1

    kem_id: int
    kdf_id: int
    aead_id: int
    enc: bytes

    def __init__(self, kem_id: int, kdf_id: int, aead_id: int, enc: bytes, secret: bytes) -> None:
        self.kem_id, self.kdf_id, self.aead_id, self.enc = kem_id, kdf_id, aead_id, enc
        self._secret: bytes | None = secret
        self._exporter: hpke.Context | None = None

    @classmethod
    def deferred(cls, suite: hpke.CipherSuite, enc: bytes, exporter: hpke.Context) -> Self:
        """A context whose secret ``exporter`` exports when it is first needed."""
        ctx = cls(suite.kem_id, suite.kdf_id, suite.aead_id, enc, b"")
        ctx._secret, ctx._exporter = None, exporter
        return ctx

    @property
    def secret(self) -> bytes:
        if self._secret is None:
            assert self._exporter is not None
            size = _secret_size(_suite(self.kem_id, self.kdf_id, self.aead_id))
            self._secret = self._exporter.export(RESPONSE_LABEL, size)
            self._exporter = None
        return self._secret

    def _fields(self) -> tuple[int, int, int, bytes, bytes]:
        return (self.kem_id, self.kdf_id, self.aead_id, self.enc, self.secret)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, ExchangeContext)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        ids = f"kem_id={self.kem_id}, kdf_id={self.kdf_id}, aead_id={self.aead_id}"
        return f"{type(self).__name__}({ids}, enc={self.enc!r}, secret=<{len(self.secret)} bytes>)"

    def to_bytes(self) -> bytes:
        """The serialization above (the adapter protocol's ``context``, as hex)."""
        return (
            bytes([self.FORMAT_VERSION])
            + b"".join(i.to_bytes(2, "big") for i in (self.kem_id, self.kdf_id, self.aead_id))
            + bytes([len(self.enc)])
            + self.enc
            + self.secret
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Self:
        """Parse :meth:`to_bytes` output; anything else is ``ParseError(InvalidContext)``."""
        if len(data) < 8 or data[0] != cls.FORMAT_VERSION:
            raise ParseError("InvalidContext", "not a pjconf OHTTP context (version 1)")
        enc_len = data[7]
        enc, secret = data[8 : 8 + enc_len], data[8 + enc_len :]
        if len(enc) != enc_len or not secret:
            raise ParseError("InvalidContext", "context is truncated")
        kem_id, kdf_id, aead_id = (int.from_bytes(data[i : i + 2], "big") for i in (1, 3, 5))
        return cls(kem_id, kdf_id, aead_id, enc, secret)


class RequestContext(ExchangeContext):
    """The client's state after sealing a request: what opens the response."""

    __slots__ = ()


class ServerResponseContext(ExchangeContext):
    """The gateway's state after opening a request: what seals the response."""

    __slots__ = ()


# -- requests ----------------------------------------------------------------------------------


def _choose_suite(config: OhttpKeyConfig, suite: tuple[int, int] | None) -> tuple[int, int]:
    """bitcoin-ohttp's client takes the config's first suite; ``suite`` picks another."""
    if suite is None:
        if not config.suites:
            raise UnsupportedSuite("the key configuration lists no symmetric suite")
        return config.suites[0]
    if suite not in config.suites:
        raise UnsupportedSuite(f"suite {suite} is not in the key configuration")
    return suite


class _Sender(NamedTuple):
    """A request set up up to its plaintext: ``header ‖ enc`` starts it, ``hpke_ctx`` seals it."""

    prefix: bytes
    enc: bytes
    hpke_ctx: hpke.Context
    suite: hpke.CipherSuite


def _setup_sender(
    config: OhttpKeyConfig,
    suite: tuple[int, int] | None,
    sk_e: bytes | None,
    rng: RandomSource | None,
) -> _Sender:
    kdf_id, aead_id = _choose_suite(config, suite)
    cipher_suite = _suite(config.kem_id, kdf_id, aead_id)
    header, info = _header_and_info(config.key_id, config.kem_id, kdf_id, aead_id)
    enc, ctx = cipher_suite.setup_sender(config.pk, info, sk_e=sk_e, rng=rng)
    return _Sender(header + enc, enc, ctx, cipher_suite)


def _finish_request(sender: _Sender, plaintext: bytes) -> tuple[bytes, RequestContext]:
    ciphertext = sender.hpke_ctx.seal(b"", plaintext)
    context = RequestContext.deferred(sender.suite, sender.enc, sender.hpke_ctx)
    return sender.prefix + ciphertext, context


def encapsulate_request(
    config: OhttpKeyConfig,
    plaintext: bytes,
    *,
    suite: tuple[int, int] | None = None,
    sk_e: bytes | None = None,
    rng: RandomSource | None = None,
) -> tuple[bytes, RequestContext]:
    """Encapsulate ``plaintext`` (any length) to the gateway of ``config``."""
    return _finish_request(_setup_sender(config, suite, sk_e, rng), plaintext)


def decapsulate_request(
    gateway_sk: bytes, config: OhttpKeyConfig, request: bytes
) -> tuple[bytes, ServerResponseContext]:
    """Decapsulate a request as bitcoin-ohttp's ``Server::decapsulate`` does, checks in its order.

    A header shorter than 7 bytes or a missing ``enc`` is ``ParseError(Truncated)``; another key
    id is :class:`UnknownKeyId`; another KEM, or a (KDF, AEAD) pair the config does not list, is
    :class:`UnsupportedSuite`; an ``enc`` that is not a public key, a wrong gateway key, or any
    changed byte is :class:`OpenError`. No length is required: the BIP 77 gateway checks none.
    """
    if len(request) < HEADER_SIZE:
        raise ParseError("Truncated", f"request of {len(request)} bytes has no full header")
    key_id = request[0]
    kem_id, kdf_id, aead_id = (int.from_bytes(request[i : i + 2], "big") for i in (1, 3, 5))
    if key_id != config.key_id:
        raise UnknownKeyId(f"key id {key_id} is not the gateway's ({config.key_id})")
    if kem_id != config.kem_id:
        raise UnsupportedSuite(f"KEM {kem_id:#06x} is not the gateway's ({config.kem_id:#06x})")
    if (kdf_id, aead_id) not in config.suites:
        raise UnsupportedSuite(f"suite ({kdf_id:#06x}, {aead_id:#06x}) is not offered")
    suite = _suite(kem_id, kdf_id, aead_id)
    enc_end = HEADER_SIZE + suite.kem.nenc
    if len(request) < enc_end:
        raise ParseError("Truncated", "request ends inside enc")
    enc, ciphertext = request[HEADER_SIZE:enc_end], request[enc_end:]
    try:
        ctx = suite.setup_recipient(
            enc, gateway_sk, request_info(request[:HEADER_SIZE]), pk_r=config.pk
        )
    except InvalidKey as exc:
        suite.kem.public_key(gateway_sk)  # a malformed gateway key stays the caller's InvalidKey
        raise OpenError(f"enc is not a public key: {exc.message}") from None
    plaintext = ctx.open(b"", ciphertext)
    return plaintext, ServerResponseContext.deferred(suite, enc, ctx)


# -- responses ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseKeys:
    """The AEAD key and nonce of one response (RFC 9458 §4.4), kept for vectors' intermediates."""

    prk: bytes
    key: bytes
    nonce: bytes


def response_keys(context: ExchangeContext, response_nonce: bytes) -> ResponseKeys:
    """HKDF-Extract(enc ‖ response_nonce, secret), then Expand "key" (Nk) and "nonce" (Nn)."""
    suite = _suite(context.kem_id, context.kdf_id, context.aead_id)
    if len(context.secret) != _secret_size(suite):
        raise ParseError("InvalidContext", "secret size does not match the AEAD")
    prk = suite.kdf.extract(context.enc + response_nonce, context.secret)
    key = suite.kdf.expand(prk, b"key", suite.aead.nk)
    nonce = suite.kdf.expand(prk, b"nonce", suite.aead.nn)
    return ResponseKeys(prk, key, nonce)


def _response_cipher(context: ExchangeContext, response_nonce: bytes) -> tuple[Cipher, bytes]:
    keys = response_keys(context, response_nonce)
    aead = _suite(context.kem_id, context.kdf_id, context.aead_id).aead
    return aead.cipher(keys.key), keys.nonce


def response_nonce_size(context: ExchangeContext) -> int:
    """max(Nn, Nk) of the exchange's AEAD: 32 for ChaCha20-Poly1305, 16 for AES-128-GCM."""
    return _secret_size(_suite(context.kem_id, context.kdf_id, context.aead_id))


def encapsulate_response(
    context: ExchangeContext,
    plaintext: bytes,
    *,
    response_nonce: bytes | None = None,
    rng: RandomSource | None = None,
) -> bytes:
    """Encapsulate a response: a fresh (or the given) nonce, then the AEAD ciphertext."""
    size = response_nonce_size(context)
    if response_nonce is None:
        response_nonce = (rng or SYSTEM_RANDOM).random_bytes(size)
    elif len(response_nonce) != size:
        raise InvalidArgument(f"response nonce must be {size} bytes, got {len(response_nonce)}")
    cipher, nonce = _response_cipher(context, response_nonce)
    return response_nonce + cipher.encrypt(nonce, plaintext, b"")


def decapsulate_response(context: ExchangeContext, response: bytes) -> bytes:
    """Decapsulate a response of any length (bitcoin-ohttp's ``ClientResponse::decapsulate``).

    No more than the nonce is ``ParseError(Truncated)``; anything else that fails is
    :class:`OpenError`.
    """
    size = response_nonce_size(context)
    if len(response) <= size:
        raise ParseError("Truncated", f"response of {len(response)} bytes has no ciphertext")
    cipher, nonce = _response_cipher(context, response[:size])
    try:
        return cipher.decrypt(nonce, response[size:], b"")
    except InvalidTag:
        raise OpenError("OHTTP response is not authentic") from None


# -- BIP 77 sizes --------------------------------------------------------------------------------


def seal_request(
    config: OhttpKeyConfig,
    bhttp_message: bytes,
    *,
    pad: Padding = "random",
    sk_e: bytes | None = None,
    rng: RandomSource | None = None,
) -> tuple[bytes, RequestContext]:
    """The 8192-byte request rust-payjoin sends: the BHTTP message padded to 8104 bytes.

    Padding is random, as in rust-payjoin (drawn after the ephemeral key, as it does), or zeros
    with ``pad="zero"`` for reproducible vectors. A longer message is :class:`PayloadTooLarge`.
    Like bitcoin-ohttp's client, the config's *first* suite is used, and it must be BIP 77's.
    """
    if config.kem_id != KEM_SECP256K1:
        raise UnsupportedSuite("BIP 77 requests use DHKEM(secp256k1, HKDF-SHA256)")
    if _choose_suite(config, None) != BIP77_SUITE:
        raise UnsupportedSuite(
            "rust-payjoin takes the config's first suite and can only seal with "
            "HKDF-SHA256/ChaCha20-Poly1305"
        )
    if len(bhttp_message) > PADDED_BHTTP_REQ_BYTES:
        raise PayloadTooLarge(len(bhttp_message), PADDED_BHTTP_REQ_BYTES)
    rng = rng or SYSTEM_RANDOM
    sender = _setup_sender(config, None, sk_e, rng)
    fill = PADDED_BHTTP_REQ_BYTES - len(bhttp_message)
    padding = bytes(fill) if pad == "zero" else rng.random_bytes(fill)
    return _finish_request(sender, bhttp_message + padding)


def open_request(
    gateway_sk: bytes, config: OhttpKeyConfig, request: bytes
) -> tuple[bytes, ServerResponseContext]:
    """The gateway's side of :func:`seal_request`: the whole 8104-byte padded BHTTP plaintext.

    Exactly :func:`decapsulate_request`: payjoin-mailroom checks no length (bitcoin-ohttp reads
    whatever follows ``enc`` as ciphertext), so a request of another size fails only as
    :class:`OpenError`. Parse the BHTTP message from the front with ``bhttp.decode_request``.
    """
    return decapsulate_request(gateway_sk, config, request)


def seal_response(
    context: ExchangeContext,
    bhttp_message: bytes,
    *,
    response_nonce: bytes | None = None,
    rng: RandomSource | None = None,
    truncate: bool = False,
) -> bytes:
    """The 8192-byte response payjoin-mailroom sends: the BHTTP message zero-padded to 8144.

    A longer message is :class:`PayloadTooLarge`; ``truncate=True`` instead cuts it to 8144 bytes
    as the mailroom does (``Vec::resize``), which leaves the client an unreadable message.
    """
    if response_nonce_size(context) != ENCAPSULATED_MESSAGE_BYTES - PADDED_BHTTP_RES_BYTES - 16:
        raise UnsupportedSuite("BIP 77 responses need a 32-byte nonce (max(Nn, Nk) = 32)")
    if len(bhttp_message) > PADDED_BHTTP_RES_BYTES and not truncate:
        raise PayloadTooLarge(len(bhttp_message), PADDED_BHTTP_RES_BYTES)
    padded = bhttp_message[:PADDED_BHTTP_RES_BYTES].ljust(PADDED_BHTTP_RES_BYTES, b"\x00")
    return encapsulate_response(context, padded, response_nonce=response_nonce, rng=rng)


def open_response(context: ExchangeContext, response: bytes) -> bytes:
    """The 8144 padded BHTTP bytes of a response, which must be exactly 8192 bytes long."""
    if len(response) != ENCAPSULATED_MESSAGE_BYTES:
        raise InvalidSize(len(response), ENCAPSULATED_MESSAGE_BYTES)
    return decapsulate_response(context, response)
