"""ElligatorSwift (BIP 324) for BIP 77's ``enc``, on libsecp256k1 (through btclib-secp256k1).

BIP 77 sends the HPKE ephemeral key of messages A and B as 64 ElligatorSwift bytes so that the
whole 7168-byte message looks uniformly random; HPKE itself still works on the 65-byte point.
This module is the path the protocol code takes. :mod:`.ellswift_spec` is the same thing in
readable Python, and says what the bytes mean.

Two libsecp256k1 behaviours matter for byte-exact interop with rust-payjoin, and both hold here
because this *is* libsecp256k1: decoding picks y with the parity of ``t mod p``, and encoding
is a deterministic function of ``(key, rnd32)``, with rust-secp256k1 0.29 passing 32 zero bytes.
"""

from __future__ import annotations

from btclib_secp256k1 import ellswift as _libsecp

from pjconf.reference.errors import InvalidArgument, InvalidKey, ParseError

ELLSWIFT_SIZE = 64
RND32_SIZE = 32
ZERO_RND32 = bytes(RND32_SIZE)
"""What rust-secp256k1 0.29 passes, making Rust's encoding a function of the key."""

_KEY_SIZES = (33, 65)


def encode(public_key: bytes, rnd32: bytes = ZERO_RND32) -> bytes:
    """The 64-byte encoding of a 33- or 65-byte public key, chosen by ``rnd32``.

    With the default zero ``rnd32`` the output is byte-identical to rust-payjoin's. Any other
    ``rnd32`` gives another, equally valid encoding of the same key.
    """
    if len(rnd32) != RND32_SIZE:
        raise InvalidArgument(f"rnd32 must be {RND32_SIZE} bytes, got {len(rnd32)}")
    if len(public_key) not in _KEY_SIZES:
        raise InvalidKey(f"public key must be 33 or 65 bytes, got {len(public_key)}")
    try:
        return bytes(_libsecp.encode(public_key, rnd32))
    except ValueError:
        raise InvalidKey("bytes are not a valid secp256k1 public key") from None


def decode(encoding: bytes) -> bytes:
    """The 65-byte uncompressed point of a 64-byte encoding. Every 64 bytes decode."""
    if len(encoding) != ELLSWIFT_SIZE:
        raise ParseError(
            "EllswiftLength",
            f"an ElligatorSwift encoding is {ELLSWIFT_SIZE} bytes, got {len(encoding)}",
        )
    return bytes(_libsecp.decode(encoding, compressed=False))
