"""BIP 77 end-to-end messages A (sender to receiver) and B (receiver to sender).

Both are exactly 7168 bytes: a 64-byte ElligatorSwift encoding of the HPKE ephemeral key, then a
ChaCha20-Poly1305 ciphertext of a zero-padded plaintext. The fixed size and the ElligatorSwift
``enc`` make every message look like uniform random bytes to the directory.

Message A is HPKE Base mode to the receiver's key (from the URI's ``RK1``); its plaintext carries
the sender's reply key first, so the receiver can answer. Message B is HPKE Auth mode from the
receiver's key to that reply key, so the sender knows the answer came from the receiver.

Sizes and info strings follow rust-payjoin 1.0 (``payjoin/src/core/hpke.rs``).
"""

from __future__ import annotations

from pjconf.reference.crypto import ellswift, hpke
from pjconf.reference.crypto.secp256k1 import (
    COMPRESSED_SIZE,
    KeyPair,
    PublicKey,
    as_public_key,
    check_compressed_key,
)
from pjconf.reference.entropy import RandomSource
from pjconf.reference.errors import PayloadTooLarge, PayloadTooShort

PADDED_MESSAGE_BYTES = 7168
POLY1305_TAG_SIZE = 16
PADDED_PLAINTEXT_A_LENGTH = PADDED_MESSAGE_BYTES - (
    ellswift.ELLSWIFT_SIZE + COMPRESSED_SIZE + POLY1305_TAG_SIZE
)
"""7055: the most body bytes message A carries (its AEAD plaintext is the reply key plus these)."""
PADDED_PLAINTEXT_B_LENGTH = PADDED_MESSAGE_BYTES - (ellswift.ELLSWIFT_SIZE + POLY1305_TAG_SIZE)
"""7088: the most body bytes message B carries."""

INFO_A = b"PjV2MsgA"
INFO_B = b"PjV2MsgB"

_SUITE = hpke.SECP256K1_CHACHA


def _padded(prefix: bytes, body: bytes, length: int) -> bytes:
    """``prefix || body`` zero-padded to ``len(prefix) + length``, in one copy of the 7 KB."""
    if len(body) > length:
        raise PayloadTooLarge(len(body), length)
    return b"".join((prefix, body, bytes(length - len(body))))


def _split(message: bytes) -> tuple[bytes, memoryview]:
    """Split a message into its 65-byte HPKE ``enc`` and ciphertext.

    Like rust-payjoin, only the 64-byte ElligatorSwift prefix is required; the ciphertext may have
    any length and a wrong length shows up as an authentication failure. The ciphertext is a view
    (the AEAD reads it in place), which saves copying 7 KB.
    """
    if len(message) < ellswift.ELLSWIFT_SIZE:
        raise PayloadTooShort(len(message), ellswift.ELLSWIFT_SIZE)
    enc = ellswift.decode(message[: ellswift.ELLSWIFT_SIZE])
    return enc, memoryview(message)[ellswift.ELLSWIFT_SIZE :]


def seal_message_a(
    body: bytes,
    receiver_pk: PublicKey | bytes,
    reply_pk: PublicKey | bytes,
    *,
    sk_e: bytes | None = None,
    rng: RandomSource | None = None,
) -> bytes:
    """Encrypt ``body`` (the Original PSBT request) to the receiver, carrying the reply key.

    Keys may be given as bytes (33 or 65) or, to skip parsing them again, as :class:`PublicKey`.
    """
    plaintext = _padded(as_public_key(reply_pk).compressed, body, PADDED_PLAINTEXT_A_LENGTH)
    receiver = as_public_key(receiver_pk)
    enc, ctx = _SUITE.setup_sender(receiver.uncompressed, INFO_A, sk_e=sk_e, rng=rng)
    return ellswift.encode(enc) + ctx.seal(b"", plaintext)


def open_message_a(message: bytes, receiver: KeyPair) -> tuple[bytes, bytes]:
    """Decrypt message A: the sender's 33-byte reply key and the 7055 padded body bytes."""
    enc, ciphertext = _split(message)
    ctx = _SUITE.setup_recipient(enc, receiver.secret, INFO_A, pk_r=receiver.public)
    plaintext = ctx.open(b"", ciphertext)
    if len(plaintext) < COMPRESSED_SIZE:
        raise PayloadTooShort(len(plaintext), COMPRESSED_SIZE)
    reply_pk = plaintext[:COMPRESSED_SIZE]
    check_compressed_key(reply_pk)
    return reply_pk, plaintext[COMPRESSED_SIZE:]


def seal_message_b(
    body: bytes,
    receiver: KeyPair,
    reply_pk: PublicKey | bytes,
    *,
    sk_e: bytes | None = None,
    rng: RandomSource | None = None,
) -> bytes:
    """Encrypt ``body`` (a Proposal PSBT or an error object) to the sender's reply key."""
    enc, ctx = _SUITE.setup_sender(
        as_public_key(reply_pk).uncompressed,
        INFO_B,
        mode=hpke.Mode.AUTH,
        sk_s=receiver.secret,
        pk_s=receiver.public,
        sk_e=sk_e,
        rng=rng,
    )
    return ellswift.encode(enc) + ctx.seal(b"", _padded(b"", body, PADDED_PLAINTEXT_B_LENGTH))


def open_message_b(message: bytes, reply: KeyPair, receiver_pk: PublicKey | bytes) -> bytes:
    """Decrypt message B with the reply key, authenticating the receiver; 7088 padded bytes."""
    enc, ciphertext = _split(message)
    ctx = _SUITE.setup_recipient(
        enc,
        reply.secret,
        INFO_B,
        mode=hpke.Mode.AUTH,
        pk_r=reply.public,
        pk_s=as_public_key(receiver_pk).uncompressed,
    )
    return ctx.open(b"", ciphertext)
