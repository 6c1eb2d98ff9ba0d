"""The ``ellswift`` family: BIP 324's published vectors re-expressed, and libsecp256k1's encoder.

BIP 324 pins only the x coordinate a 64-byte string decodes to, and no encoder output at all.
BIP 77 needs more: the full point (its y enters HPKE's ``kem_context``) and, for byte-exact
messages, the bytes rust-payjoin's deterministic encoder gives. This family adds both, every
value computed twice (libsecp256k1 and :mod:`pjconf.reference.crypto.ellswift_spec`) and
generation fails if the two disagree.

The published CSV files are read from the checkout's ``tests/data/published/bip-0324/`` (copies
of bips@7fe0b034); regenerating the family needs them, checking the committed file does not.
"""

from __future__ import annotations

import csv

from pjconf.harness.corpus.paths import published_dir
from pjconf.harness.vectorgen import NEEDS_CHECKOUT, Json, MissingSource, envelope
from pjconf.reference.crypto import ellswift, secp256k1
from pjconf.reference.crypto import ellswift_spec as spec
from pjconf.reference.entropy import SeededRandom
from pjconf.reference.errors import InvalidKey

FAMILY = "ellswift"
PATH = "crypto/ellswift.json"
MODULE = "pjconf.harness.vectorgen.ellswift"

BIPS_REVISION = "7fe0b034"
BIPS_URL = "https://github.com/bitcoin/bips/tree/master/bip-0324"
DECODE_CSV = "ellswift_decode_test_vectors.csv"
INVERSE_CSV = "xswiftec_inv_test_vectors.csv"

DECODE_BASE, INVERSE_BASE, ENCODE_BASE, INVALID_BASE = 1, 1001, 2001, 3001
"""tcId ranges, one per group, so that adding a case to one group renumbers no other."""

SOURCES: list[Json] = [
    {
        "name": f"BIP 324 bip-0324/{name}",
        "url": BIPS_URL,
        "revision": BIPS_REVISION,
        "note": "values re-expressed, not copied",
    }
    for name in (DECODE_CSV, INVERSE_CSV)
]

DECODE_ANNOTATIONS = {
    "u%p=0": "UZeroModP",
    "t%p=0": "TZeroModP",
    "u>=p": "UNotReduced",
    "t>=p": "TNotReduced",
    "(u'^3+t'^2+7)%p=0": "TDoubled",
    "(u'^3-t'^2+7)%p=0": "XNumeratorZero",
    "valid_x(x3)": "X3Valid",
    "valid_x(x2)": "X2Valid",
    "valid_x(x1)": "X1Valid",
}
"""The decode CSV's comment annotations, as flags."""

INVERSE_ANNOTATIONS = {
    "ok": "InverseFound",
    "bad[valid_x(-x-u)]": "InverseX3Precedence",
    "bad[non_square(s)]": "InverseNonSquareS",
    "bad[non_square(q)]": "InverseNonSquareQ",
    "bad[s=0]": "InverseSZero",
    "bad[r=0]": "InverseRZero",
    "info[v=0]": "InverseVZero",
    "info[q=0]": "InverseQZero",
    "info[X=0]": "XNumeratorZero",
}
"""The inverse CSV's per-case annotations, as flags."""


def _note(description: str, effect: str) -> Json:
    return {"description": description, "effect": effect}


NOTES: dict[str, Json] = {
    "Bip324Vector": _note(
        "A published BIP 324 vector (bips revision 7fe0b034), re-expressed.",
        "The implementation disagrees with BIP 324 itself.",
    ),
    "YParityFromT": _note(
        "The expected point includes y, which BIP 324 does not define: libsecp256k1 takes the "
        "square root of x^3+7 whose parity is that of (t mod p).",
        "Right x but wrong y: BIP 77 hashes the 65-byte point into HPKE's kem_context, so "
        "every message A or B from rust-payjoin fails to open.",
    ),
    "UZeroModP": _note(
        "u = 0 mod p, which the decoder remaps to u = 1.",
        "The u = 0 remapping is missing or wrong.",
    ),
    "TZeroModP": _note(
        "t = 0 mod p, which the decoder remaps to t = 1; y takes the parity of t mod p = 0 (even).",
        "The t = 0 remapping is missing, or y's parity is taken after remapping.",
    ),
    "UNotReduced": _note(
        "u >= p as a 256-bit integer; it must be reduced mod p, not rejected.",
        "Non-canonical u is rejected or not reduced.",
    ),
    "TNotReduced": _note(
        "t >= p as a 256-bit integer; it must be reduced mod p, and y takes the parity of t mod p.",
        "Non-canonical t is rejected, or y's parity is read from the unreduced bytes.",
    ),
    "TDoubled": _note(
        "u'^3 + t'^2 + 7 = 0 mod p, where the decoder doubles t.",
        "The t = 2t remapping is missing (division by zero or a wrong x).",
    ),
    "XNumeratorZero": _note(
        "u'^3 - t'^2 + 7 = 0 mod p, so X = 0 and the x1 and x2 candidates coincide.",
        "A degenerate-case bug in the map or its inverse.",
    ),
    "X3Valid": _note("The candidate x3 = u + 4Y^2 is a valid x coordinate.", "Wrong x."),
    "X2Valid": _note("The candidate x2 = (-X/Y - u)/2 is a valid x coordinate.", "Wrong x."),
    "X1Valid": _note("The candidate x1 = (X/Y - u)/2 is a valid x coordinate.", "Wrong x."),
    "InverseFound": _note(
        "xswiftec_inv has an answer t for this (u, x, case).", "Wrong t, or none where one exists."
    ),
    "InverseX3Precedence": _note(
        "Cases 0, 1, 4, 5 when -x-u is a valid x: x3 would win on decoding, so there is no t.",
        "The encoder could emit a t that decodes to another x.",
    ),
    "InverseNonSquareS": _note(
        "No t because s (w^2) is not a square.", "A t is returned that does not decode to x."
    ),
    "InverseNonSquareQ": _note(
        "No t because -s(4g(u) + 3su^2), whose root r is needed, is not a square.",
        "A t is returned that does not decode to x.",
    ),
    "InverseSZero": _note(
        "No t because s = x - u = 0 in the x3 cases.", "Division by zero or a bogus t."
    ),
    "InverseRZero": _note(
        "No t in case 3 or 7 because r = 0 would repeat the answer of case 2 or 6.",
        "The encoder's choice of t is biased.",
    ),
    "InverseVZero": _note("v = 0 on the way to t (informational).", "A degenerate-case bug."),
    "InverseQZero": _note("q = 0, so r = 0 (informational).", "A degenerate-case bug."),
    "LibsecpEncoder": _note(
        "The exact bytes of libsecp256k1's secp256k1_ellswift_encode. Other encoders (BIP 324's "
        "randomized one, or another PRNG) give different encodings that are equally valid on the "
        "wire.",
        "Not an interop failure by itself: only an implementation claiming byte-exactness with "
        "rust-payjoin must match. Check that decode(ell64) gives pk either way.",
    ),
    "ZeroRnd32": _note(
        "rnd32 is 32 zero bytes, as rust-secp256k1 0.29 passes: rust-payjoin's own encoding.",
        "Messages are not byte-identical to rust-payjoin's for the same ephemeral key.",
    ),
    "NonzeroRnd32": _note(
        "rnd32 is not zero: checks that rnd32 enters the PRNG prefix as libsecp256k1 puts it.",
        "rnd32 is ignored or placed wrongly.",
    ),
    "EdgeKey": _note(
        "A key at an edge of the scalar range (1, 2, n-2, n-1).",
        "Key handling at the range ends is wrong.",
    ),
    "UncompressedInput": _note(
        "The key is given as 65 uncompressed bytes; the PRNG still hashes its 33-byte form.",
        "The encoder hashes the key in the form it was given.",
    ),
    "KnownBip77Key": _note(
        "An ephemeral key of the research note's derived BIP 77 messages (§7.4), whose encoding "
        "was computed there with the C code rust-payjoin links.",
        "Message A/B vectors of this project will not reproduce.",
    ),
    "LongSearch": _note(
        "The encoder needed 4 or more (u, case) attempts.",
        "The PRNG counter or the nibble order of the case pool is wrong.",
    ),
    "TNegated": _note(
        "The t found had the wrong parity and was replaced by p - t.",
        "The final parity fix-up is missing or inverted.",
    ),
    "InvalidPoint": _note(
        "33 bytes that are not a point: x^3 + 7 has no square root.",
        "An invalid key is accepted (and encoded as some other point).",
    ),
    "XNotReduced": _note(
        "33 bytes whose x is >= p.", "A non-canonical x is accepted instead of rejected."
    ),
    "BadPrefix": _note(
        "33 bytes whose first byte is not 02 or 03.", "A malformed key is accepted."
    ),
}
for _case in range(8):
    NOTES[f"EncoderBranch{_case}"] = _note(
        f"The encoder's successful attempt used case {_case} of xswiftec_inv.",
        "A wrong inverse formula or case selection for this branch.",
    )


def _published(name: str) -> list[dict[str, str]]:
    root = published_dir()
    if root is None:
        raise MissingSource(NEEDS_CHECKOUT)
    path = root / "bip-0324" / name
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _require(condition: bool, what: str) -> None:
    """Stop generation on a disagreement; unlike ``assert``, ``python -O`` keeps it."""
    if not condition:
        raise ValueError(f"ellswift vectors: {what}")


def _hex32(value: int) -> str:
    return value.to_bytes(32, "big").hex()


def decode_group() -> Json:
    tests: list[Json] = []
    for index, row in enumerate(_published(DECODE_CSV)):
        ell = bytes.fromhex(row["ellswift"])
        u, t = int.from_bytes(ell[:32]), int.from_bytes(ell[32:])
        candidates = zip(("x3", "x2", "x1"), spec.xswiftec_candidates(u, t), strict=True)
        formula, x = next((name, x) for name, x in candidates if spec.is_valid_x(x))
        pk = ellswift.decode(ell)
        _require(x == spec.xswiftec(u, t) == int(row["x"], 16), f"BIP 324 decode row {index}")
        _require(pk == spec.decode(ell), f"decode row {index}: libsecp256k1 vs spec")
        annotations = row["comment"].split(";")
        tests.append(
            {
                "tcId": DECODE_BASE + index,
                "comment": row["comment"],
                "flags": ["Bip324Vector", "YParityFromT"]
                + [DECODE_ANNOTATIONS[a] for a in annotations],
                "result": "valid",
                "op": "ellswift.decode",
                "args": {"ell64": ell.hex()},
                "expected": {"pk": pk.hex()},
                "intermediates": {"x": row["x"], "formula": formula},
            }
        )
    return {"type": "EllswiftDecode", "source": f"bip-0324/{DECODE_CSV}", "tests": tests}


def inverse_group() -> Json:
    tests: list[Json] = []
    tc_id = INVERSE_BASE
    for row in _published(INVERSE_CSV):
        u, x = int(row["u"], 16), int(row["x"], 16)
        for case, comment in enumerate(row["comment"].split(";")):
            label, annotations = comment.split(":", 1)
            _require(label == f"case{case}", f"inverse comment {comment}")
            published = row[f"case{case}_t"] or None
            t = spec.xswiftec_inv(x, u, case)
            ours = None if t is None else _hex32(t)
            _require(ours == published, f"BIP 324 inverse u={row['u']} case {case}")
            _require(t is None or spec.xswiftec(u, t) == x, f"round trip u={row['u']} {case}")
            tests.append(
                {
                    "tcId": tc_id,
                    "comment": comment,
                    "flags": ["Bip324Vector"]
                    + [INVERSE_ANNOTATIONS[a] for a in annotations.split("&")],
                    "result": "valid",
                    "args": {"u": row["u"], "x": row["x"], "case": case},
                    "expected": {"t": published},
                }
            )
            tc_id += 1
    return {"type": "EllswiftInverse", "source": f"bip-0324/{INVERSE_CSV}", "tests": tests}


# The research note's derived BIP 77 messages (bip77-crypto-core.md §7.4): ephemeral secret keys
# and the encodings computed there with the C code rust-payjoin links.
KNOWN_ENCODINGS = (
    (
        "message A ephemeral key",
        "7ae54a81b5ed5bacbf5f9ff56f9e074c3a0bf3564411491197636abd8f09f930",
        "07150afe409ff6282993e4bf8aa542ddda14a302ed0355b48dd38e36789cc158"
        "95ef757ec43396b081e91f3abc0b81d4ccd58e262957d44e25c6747bebacd727",
    ),
    (
        "message B ephemeral key",
        "85318ddd8bf7e9ab6f6a2f5e96ac84566f1edd3a5d811f46f8b45410abaa8ecd",
        "167eca02e06acf2efcc6b54abfef1eb1f1ffff76dccefee081d9c392739494d2"
        "d166b60bb5651cc4fae01a085b29f62cb5191f59490cea715b7ca6c141033636",
    ),
)

RANDOM_KEYS = 14
NONZERO_RND32 = (bytes([0xFF] * 32), bytes([1]) + bytes(31), bytes(31) + bytes([0x80]))


def _encode_case(
    tc_id: int, comment: str, secret: int, rnd32: bytes, flags: list[str], *, full: bool = False
) -> Json:
    """One encode case, computed by libsecp256k1 and by the spec, which must agree."""
    sk = secret.to_bytes(32, "big")
    pk = secp256k1.public_key(sk, compressed=not full)
    trace = spec.encode_trace(pk, rnd32)
    ell = ellswift.encode(pk, rnd32)
    _require(ell == trace.encoding, f"libsecp256k1 and the spec disagree on {comment}")
    _require(ellswift.decode(ell) == secp256k1.uncompress(pk), f"round trip of {comment}")
    flags = ["LibsecpEncoder", "ZeroRnd32" if rnd32 == bytes(32) else "NonzeroRnd32", *flags]
    flags.append(f"EncoderBranch{trace.branch}")
    if trace.attempts >= 4:
        flags.append("LongSearch")
    if trace.negated:
        flags.append("TNegated")
    return {
        "tcId": tc_id,
        "comment": comment,
        "flags": flags,
        "result": "valid",
        "op": "ellswift.encode",
        "args": {"pk": pk.hex(), "rnd32": rnd32.hex()},
        "expected": {"ell64": ell.hex()},
        "intermediates": {
            "sk": sk.hex(),
            "pk_uncompressed": secp256k1.uncompress(pk).hex(),
            "u": trace.u32.hex(),
            "t": _hex32(trace.t),
            "branch": trace.branch,
            "attempts": trace.attempts,
        },
    }


def _branch_keys(rng: SeededRandom) -> list[tuple[int, int]]:
    """For each case 0..7, the first seeded key whose zero-rnd32 encoding ends in that case."""
    found: dict[int, int] = {}
    while len(found) < 8:
        secret = int.from_bytes(rng.random_bytes(32)) % (secp256k1.N - 1) + 1
        pk = secp256k1.public_key(secret.to_bytes(32, "big"), compressed=True)
        found.setdefault(spec.encode_trace(pk).branch, secret)
    return sorted(found.items())


def encode_group() -> Json:
    n = secp256k1.N
    rng = SeededRandom("pjconf/ellswift/encode")
    cases: list[tuple[str, int, bytes, list[str], bool]] = [
        ("sk = 1 (the generator)", 1, bytes(32), ["EdgeKey"], False),
        ("sk = 2", 2, bytes(32), ["EdgeKey"], False),
        ("sk = n-2 (x of sk = 2, other parity)", n - 2, bytes(32), ["EdgeKey"], False),
        ("sk = n-1 (x of the generator, other parity)", n - 1, bytes(32), ["EdgeKey"], False),
    ]
    for name, secret_hex, expected in KNOWN_ENCODINGS:
        secret = int(secret_hex, 16)
        pk = secp256k1.public_key(bytes.fromhex(secret_hex), compressed=True)
        _require(ellswift.encode(pk).hex() == expected, f"research note's {name}")
        cases.append((f"BIP 77 {name}", secret, bytes(32), ["KnownBip77Key"], False))
    for case, secret in _branch_keys(rng.child("branches")):
        cases.append((f"a key whose encoding ends in case {case}", secret, bytes(32), [], False))
    keys = rng.child("keys")
    for index in range(RANDOM_KEYS):
        secret = int.from_bytes(keys.random_bytes(32)) % (n - 1) + 1
        cases.append((f"seeded key {index}", secret, bytes(32), [], False))
    for index in range(2):
        secret = int.from_bytes(keys.random_bytes(32)) % (n - 1) + 1
        comment = f"seeded key {RANDOM_KEYS + index}, given uncompressed"
        cases.append((comment, secret, bytes(32), ["UncompressedInput"], True))
    for index, rnd32 in enumerate(NONZERO_RND32):
        cases.append((f"sk = 1 with rnd32 #{index}", 1, rnd32, ["EdgeKey"], False))
    randomized = rng.child("rnd32")
    for index in range(2):
        secret = int.from_bytes(keys.random_bytes(32)) % (n - 1) + 1
        cases.append(
            (f"seeded key, seeded rnd32 {index}", secret, randomized.random_bytes(32), [], False)
        )
    tests = [
        _encode_case(ENCODE_BASE + i, comment, secret, rnd32, flags, full=full)
        for i, (comment, secret, rnd32, flags, full) in enumerate(cases)
    ]
    return {
        "type": "EllswiftEncode",
        "encoder": "libsecp256k1 secp256k1_ellswift_encode",
        "tests": tests,
    }


def _not_a_point() -> bytes:
    """The first x = 1, 2, ... for which x^3 + 7 is not a square, as a 02-prefixed key."""
    x = 1
    while spec.is_valid_x(x):
        x += 1
    return b"\x02" + x.to_bytes(32, "big")


def invalid_group() -> Json:
    generator_x = secp256k1.public_key((1).to_bytes(32, "big"), compressed=True)[1:]
    invalid: list[tuple[str, bytes, str]] = [
        ("00 || 0: prefix 00 (the point at infinity is not a key)", bytes(33), "BadPrefix"),
        ("02 || 0 (x = 0, 7 is not a square mod p)", b"\x02" + bytes(32), "InvalidPoint"),
        ("02 || smallest x with no point", _not_a_point(), "InvalidPoint"),
        ("03 || p", b"\x03" + spec.P.to_bytes(32, "big"), "XNotReduced"),
        ("02 || ff..ff", b"\x02" + bytes([0xFF] * 32), "XNotReduced"),
        ("05 || x(G)", b"\x05" + generator_x, "BadPrefix"),
        ("04 || x(G): uncompressed prefix on 33 bytes", b"\x04" + generator_x, "BadPrefix"),
    ]
    tests: list[Json] = []
    for index, (comment, key, flag) in enumerate(invalid):
        for encoder in (ellswift.encode, spec.encode):
            try:
                encoder(key, bytes(32))
            except InvalidKey:
                continue
            raise ValueError(f"ellswift vectors: {comment} was accepted")
        tests.append(
            {
                "tcId": INVALID_BASE + index,
                "comment": comment,
                "flags": [flag],
                "result": "invalid",
                "op": "ellswift.encode",
                "args": {"pk": key.hex(), "rnd32": bytes(32).hex()},
                "error": {"kind": "InvalidKey"},
            }
        )
    return {"type": "EllswiftEncode", "encoder": "any", "tests": tests}


def generate() -> Json:
    return envelope(
        FAMILY,
        module=MODULE,
        sources=SOURCES,
        notes=NOTES,
        groups=[decode_group(), inverse_group(), encode_group(), invalid_group()],
    )
