"""ElligatorSwift in plain Python: what the 64 bytes of a BIP 77 ``enc`` mean.

This is the readable specification, not the code the protocol runs (that is :mod:`.ellswift`, on
libsecp256k1). It is written from BIP 324's mathematics and from the description of
libsecp256k1's encoder in the project's research note (bip77-crypto-core.md §2.3), and the tests
check it against libsecp256k1 byte for byte. It is variable-time: never give it a secret.

Three layers, each a function below:

- the field and the curve: integers mod ``P``, ``g(x) = x^3 + 7``, square roots;
- BIP 324's maps: :func:`xswiftec` (``(u, t)`` to an x coordinate) and its inverse
  :func:`xswiftec_inv` (``(x, u, case)`` to ``t`` or nothing);
- libsecp256k1's choices, which BIP 324 leaves open but rust-payjoin inherits: the y of a
  decoded point (:func:`decode`) and the deterministic encoder (:func:`encode`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pjconf.reference.errors import InvalidArgument, InvalidKey, ParseError

# --- the field and the curve -------------------------------------------------------------------

P = 2**256 - 2**32 - 977
"""The field prime of secp256k1 (SEC 2), repeated here so that this module needs no library."""
B = 7
"""The curve is y^2 = x^3 + 7."""

ELLSWIFT_SIZE = 64
FIELD_SIZE = 32
RND32_SIZE = 32
ZERO_RND32 = bytes(RND32_SIZE)


def g(x: int) -> int:
    """The right-hand side of the curve equation: x is a valid x coordinate iff g(x) is square."""
    return (x * x * x + B) % P


def inv(a: int) -> int:
    """The multiplicative inverse; every caller has made sure ``a`` is not zero."""
    return pow(a, -1, P)


def sqrt(a: int) -> int | None:
    """A square root of ``a`` mod P, or None if ``a`` is not a square.

    P = 3 mod 4, so ``a^((P+1)/4)`` is a root whenever one exists; which of the two roots it
    gives is fixed, and :data:`SQRT_MINUS_3` below depends on that choice.
    """
    a %= P
    root = pow(a, (P + 1) // 4, P)
    return root if root * root % P == a else None


def is_valid_x(x: int) -> bool:
    """Whether some point of the curve has x coordinate ``x``."""
    return sqrt(g(x)) is not None


SQRT_MINUS_3 = 0x0A2D2BA93507F1DF233770C2A797962CC61F6D15DA14ECD47D8D27AE1CD5F852
"""The square root of -3 that ``sqrt`` gives (libsecp256k1's ``c0``; BIP 324's ``MINUS_3_SQRT``).

The other root would swap the x1 and x2 formulas, so decoding depends on this exact value.
"""
HALF = inv(2)
C1 = (SQRT_MINUS_3 - 1) * HALF % P
"""(sqrt(-3) - 1) / 2, the constant of the map from (v, w) back to t."""


def lift_y(x: int, odd: bool) -> int:
    """The y with parity ``odd`` of the point with x coordinate ``x`` (which must be valid).

    y is never 0 on secp256k1 (no point of order 2), so the two roots always differ in parity.
    """
    y = sqrt(g(x))
    if y is None:
        raise ValueError("not a valid x coordinate")
    return y if (y & 1) == odd else P - y


# --- BIP 324: decoding (u, t) to x -------------------------------------------------------------


def remap(u: int, t: int) -> tuple[int, int]:
    """BIP 324's remapping of the inputs on which the SwiftEC map is undefined.

    u = 0 becomes 1, t = 0 becomes 1, and a t with u^3 + t^2 + 7 = 0 (which would make Y zero)
    is doubled. Every 64-byte string therefore decodes: there is nothing to reject.
    """
    u, t = u % P, t % P
    if u == 0:
        u = 1
    if t == 0:
        t = 1
    if (g(u) + t * t) % P == 0:
        t = 2 * t % P
    return u, t


def xswiftec_candidates(u: int, t: int) -> tuple[int, int, int]:
    """The three candidates ``(x3, x2, x1)`` of BIP 324's map, in the order they are tried.

    With X = (u^3 + 7 - t^2) / 2t and Y = (X + t) / (sqrt(-3) u): x3 = u + 4Y^2,
    x2 = (-X/Y - u) / 2, x1 = (X/Y - u) / 2. Exactly one or all three are valid x coordinates.
    """
    u, t = remap(u, t)
    big_x = (g(u) - t * t) * inv(2 * t) % P
    big_y = (big_x + t) * inv(SQRT_MINUS_3 * u) % P
    x_over_y = big_x * inv(big_y) % P
    x3 = (u + 4 * big_y * big_y) % P
    x2 = (-x_over_y - u) * HALF % P
    x1 = (x_over_y - u) * HALF % P
    return x3, x2, x1


def xswiftec(u: int, t: int) -> int:
    """BIP 324's ``xswiftec``: the first valid candidate in the order x3, x2, x1."""
    for x in xswiftec_candidates(u, t):
        if is_valid_x(x):
            return x
    raise AssertionError("unreachable: one candidate is always valid")


def decode_point(encoding: bytes) -> tuple[int, int]:
    """The point ``(x, y)`` a 64-byte encoding stands for.

    u and t are big-endian and reduced mod P (values >= P are allowed). x is BIP 324's; y is
    libsecp256k1's rule, which BIP 324 does not state: the root of x^3 + 7 whose parity is that
    of ``t mod P`` (before the remapping). BIP 77 hashes the full point into HPKE's
    ``kem_context``, so a different y breaks every message.
    """
    if len(encoding) != ELLSWIFT_SIZE:
        raise ParseError(
            "EllswiftLength",
            f"an ElligatorSwift encoding is {ELLSWIFT_SIZE} bytes, got {len(encoding)}",
        )
    u = int.from_bytes(encoding[:FIELD_SIZE], "big")
    t = int.from_bytes(encoding[FIELD_SIZE:], "big")
    x = xswiftec(u, t)
    return x, lift_y(x, (t % P) & 1 == 1)


def decode(encoding: bytes) -> bytes:
    """The 65-byte uncompressed public key a 64-byte encoding stands for (total)."""
    x, y = decode_point(encoding)
    return b"\x04" + x.to_bytes(FIELD_SIZE, "big") + y.to_bytes(FIELD_SIZE, "big")


# --- BIP 324: the inverse, x and u to t --------------------------------------------------------


def xswiftec_inv(x: int, u: int, case: int) -> int | None:
    """BIP 324's ``xswiftec_inv``: a t with ``xswiftec(u, t) == x`` by formula ``case``, or None.

    ``x`` must be a valid x coordinate and ``u`` a nonzero field element. The eight cases are
    the ways back through the map, in the substitution v = x1, w = 2Y (so that x1 = v,
    x2 = -u - v, x3 = u + w^2 and t = w (C1 u - v)):

    - bit 1 clear: x was x1 or x2. Refused when -u - x is valid, since then x3 is valid too and
      the decoder would return it instead. v = x, w^2 = s = -g(u) / (u^2 + u x + x^2).
    - bit 1 set: x was x3, so s = w^2 = x - u, and v solves the curve relation:
      v = (r/s - u) / 2 with r = sqrt(-s (4 g(u) + 3 s u^2)).
    - bit 0 set: use the other solution v -> -u - v (x2 instead of x1, or the other root r);
      for x3 it is refused when r = 0, because it would repeat case 2 or 6.
    - bit 2 set: use the other square root w -> -w.
    """
    x, u = x % P, u % P
    if case & 2 == 0:
        if is_valid_x(-x - u):
            return None
        v = x
        s = -g(u) * inv(u * u + u * v + v * v) % P
    else:
        s = (x - u) % P
        if s == 0:
            return None
        r = sqrt(-s * (4 * g(u) + 3 * s * u * u))
        if r is None:
            return None
        if case & 1 and r == 0:
            return None
        v = (r * inv(s) - u) * HALF % P
    w = sqrt(s)
    if w is None:
        return None
    if case & 1:
        v = (-u - v) % P
    if case & 4:
        w = P - w
    return w * (C1 * u - v) % P


# --- libsecp256k1: parsing a key and the deterministic encoder ---------------------------------

ENCODE_TAG = b"secp256k1_ellswift_encode"


def parse_point(public_key: bytes) -> tuple[int, int]:
    """``(x, y)`` of a 33-byte compressed or 65-byte key, as leniently as libsecp256k1.

    Like ``secp256k1_ec_pubkey_parse`` it takes the hybrid prefixes 06/07 when the parity they
    claim is right. Anything else raises :class:`InvalidKey`.
    """
    prefix, body = public_key[:1], public_key[1:]
    if len(public_key) == 33 and prefix in (b"\x02", b"\x03"):
        x = int.from_bytes(body, "big")
        if x >= P or not is_valid_x(x):
            raise InvalidKey("compressed key has no point on the curve")
        return x, lift_y(x, prefix == b"\x03")
    if len(public_key) == 65 and prefix in (b"\x04", b"\x06", b"\x07"):
        x = int.from_bytes(body[:FIELD_SIZE], "big")
        y = int.from_bytes(body[FIELD_SIZE:], "big")
        if x >= P or y >= P or y * y % P != g(x):
            raise InvalidKey("uncompressed key is not a point on the curve")
        if prefix != b"\x04" and (y & 1) != (prefix == b"\x07"):
            raise InvalidKey("hybrid key prefix disagrees with the parity of y")
        return x, y
    raise InvalidKey(f"not a 33-byte compressed or 65-byte uncompressed key ({len(public_key)})")


@dataclass(frozen=True)
class EncodeTrace:
    """How the encoder reached its output: what a debugger of a mismatching encoder wants."""

    encoding: bytes
    u32: bytes
    """The first half of the output: a raw hash, kept as is even when it is >= P."""
    t: int
    """The second half, after the negation that gives it the parity of y."""
    negated: bool
    """Whether xswiftec_inv's t had the wrong parity and was replaced by P - t."""
    branch: int
    """The ``case`` of :func:`xswiftec_inv` that succeeded."""
    attempts: int
    """How many (u, branch) pairs were tried, the successful one included."""


def encode_trace(public_key: bytes, rnd32: bytes = ZERO_RND32) -> EncodeTrace:
    """libsecp256k1's ``secp256k1_ellswift_encode``, with the path it took.

    A hash-based PRNG draws, in turn, a u and a ``case`` until :func:`xswiftec_inv` has an
    answer: that is BIP 324's ElligatorSwift with its random choices made reproducible. The
    PRNG is SHA-256 over a prefix ``T || T || ser33(P) || 0x00*31 || rnd32`` (T the SHA-256 of
    the tag) followed by a 4-byte little-endian counter. Cases come four bits at a time from
    "pool" hashes, read from the last nibble to the first; each u is a hash of its own.
    rust-secp256k1 0.29 passes rnd32 = 0, so Rust's encoding is a function of the key.
    """
    if len(rnd32) != RND32_SIZE:
        raise InvalidArgument(f"rnd32 must be {RND32_SIZE} bytes, got {len(rnd32)}")
    x, y = parse_point(public_key)
    compressed = bytes([2 + (y & 1)]) + x.to_bytes(FIELD_SIZE, "big")
    tag = hashlib.sha256(ENCODE_TAG).digest()
    prefix = hashlib.sha256(tag + tag + compressed + bytes(31) + rnd32)

    counter = 0

    def prng() -> bytes:
        nonlocal counter
        block = prefix.copy()
        block.update(counter.to_bytes(4, "little"))
        counter += 1
        return block.digest()

    pool = b""
    nibbles_left = 0
    attempts = 0
    while True:
        if nibbles_left == 0:
            pool = prng()
            nibbles_left = 2 * len(pool)
        nibbles_left -= 1
        branch = (pool[nibbles_left >> 1] >> (4 * (nibbles_left & 1))) & 7
        u32 = prng()
        attempts += 1
        t = xswiftec_inv(x, int.from_bytes(u32, "big"), branch)
        if t is not None:
            break
    negated = (t & 1) != (y & 1)
    if negated:
        t = P - t
    encoding = u32 + t.to_bytes(FIELD_SIZE, "big")
    return EncodeTrace(encoding, u32, t, negated, branch, attempts)


def encode(public_key: bytes, rnd32: bytes = ZERO_RND32) -> bytes:
    """The 64-byte encoding libsecp256k1 gives ``public_key`` with randomness ``rnd32``."""
    return encode_trace(public_key, rnd32).encoding
