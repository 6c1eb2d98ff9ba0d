"""The ``bip77_messages`` family: messages A and B, byte for byte, and every way to break them.

Encryption cases fix the HPKE ephemeral key (``sk_e``) and use rust-payjoin's zero ElligatorSwift
randomness, so the 7168 bytes are exactly what rust-payjoin would send with that ephemeral key.
Decryption cases are normative for every implementation; encryption cases are byte-exact only for
implementations that can inject the ephemeral key.
"""

from __future__ import annotations

import hashlib

from pjconf.harness.vectorgen import CaseIds, Json, envelope, flip_bit
from pjconf.harness.vectorgen.fixtures import BIP78_PROPOSAL_PSBT, SERIALIZED_BODY_V2, named_key
from pjconf.reference.bip77 import messages
from pjconf.reference.crypto import ellswift, hpke
from pjconf.reference.crypto.secp256k1 import KeyPair

FAMILY = "bip77_messages"
PATH = "crypto/bip77_messages.json"

NOTES: dict[str, Json] = {
    "FixedEphemeral": {
        "description": "The HPKE ephemeral secret is given as sk_e; ElligatorSwift uses rnd32 = 0.",
        "effect": "Byte-exact only for implementations that can inject the ephemeral key.",
    },
    "MaxBody": {
        "description": "The body fills the padded plaintext exactly (7055 bytes A, 7088 bytes B).",
        "effect": "An off-by-one in the padding arithmetic.",
    },
    "Oversize": {
        "description": "The body is one byte longer than the message can carry.",
        "effect": "Must be refused with PayloadTooLarge, never truncated.",
    },
    "WrongKey": {
        "description": "Decryption with a key the message was not sealed for.",
        "effect": "Must fail authentication (OpenError).",
    },
    "Tampered": {
        "description": "One bit flipped in the ElligatorSwift part or in the ciphertext.",
        "effect": "Must fail authentication (OpenError); ElligatorSwift decoding is total.",
    },
    "Truncated": {
        "description": "The message is cut short.",
        "effect": "Shorter than 64 bytes: PayloadTooShort; otherwise OpenError.",
    },
    "ShortAuthenticPlaintext": {
        "description": "An authentic message A (sealed to the receiver's key, which the URI "
        "publishes) whose plaintext is too short to hold the 33-byte reply key.",
        "effect": "Must be refused (PayloadTooShort). rust-payjoin 1.0 slices the plaintext "
        "unchecked and panics: anyone holding the pj URI can crash a receiver with it.",
    },
    "MinimalPlaintext": {
        "description": "An authentic message at its minimum: message A whose plaintext is the "
        "33-byte reply key alone (opens, with an empty body), one byte less (PayloadTooShort), "
        "and message B whose plaintext is empty (64 + 16 bytes: opens to nothing).",
        "effect": "An off-by-one in the reply-key slicing refuses a well-formed message or "
        "reads a key out of 32 bytes; BIP 77 pads every real message, so only a hostile sender "
        "sends these.",
    },
    "ErrorReply": {
        "description": "Message B carrying a JSON error object instead of a Proposal PSBT.",
        "effect": "The sender must be able to read replyable errors.",
    },
}

SOURCES: list[Json] = [
    {
        "name": "BIP 78 test vectors (Original PSBT, Payjoin proposal)",
        "url": "https://github.com/bitcoin/bips/blob/master/bip-0078.mediawiki",
        "revision": "7fe0b034",
        "note": "The message bodies; rust-payjoin's test_serialize_v2 pins body A as 436 bytes.",
    },
    {
        "name": "pjconf shared research: bip77-derived-vectors.json",
        "url": "shared/spec/bip77-derived-vectors.json",
        "revision": "2026-11-28",
        "note": "Independent derivation with the same keys; the SHA-256 of each message agrees.",
    },
]

RECEIVER = named_key("receiver")
REPLY = named_key("reply")
EPHEMERAL_A = named_key("ephemeral A")
EPHEMERAL_B = named_key("ephemeral B")
STRANGER = named_key("stranger")

ERROR_BODY = b'{"errorCode":"unavailable","message":"Receiver error"}'


def _intermediates(message: bytes, ephemeral: KeyPair, ctx: hpke.Context) -> Json:
    return {
        "enc_uncompressed": ephemeral.public.hex(),
        "enc_ellswift": ellswift.encode(ephemeral.public).hex(),
        "key": ctx.key.hex(),
        "base_nonce": ctx.base_nonce.hex(),
        "sha256": hashlib.sha256(message).hexdigest(),
    }


def _short_message_a(plaintext: bytes) -> bytes:
    """A message A with a well-formed envelope around a plaintext of any length (not padded)."""
    enc, ctx = hpke.SECP256K1_CHACHA.setup_sender(
        RECEIVER.public, messages.INFO_A, sk_e=EPHEMERAL_A.secret
    )
    return ellswift.encode(enc) + ctx.seal(b"", plaintext)


def _message_a_group(ids: CaseIds) -> Json:
    tests: list[Json] = []
    suite = hpke.SECP256K1_CHACHA
    bodies = [
        (
            "the BIP 78 Original PSBT request body, as rust-payjoin serializes it",
            SERIALIZED_BODY_V2,
            [],
        ),
        ("an empty body (the sender's poll request carries one)", b"", []),
        ("a body of exactly 7055 bytes", b"\x07" * messages.PADDED_PLAINTEXT_A_LENGTH, ["MaxBody"]),
    ]
    first_message = b""
    for comment, body, flags in bodies:
        message = messages.seal_message_a(
            body, RECEIVER.public_compressed, REPLY.public_compressed, sk_e=EPHEMERAL_A.secret
        )
        first_message = first_message or message
        _, ctx = suite.setup_sender(RECEIVER.public, messages.INFO_A, sk_e=EPHEMERAL_A.secret)
        padded = body + bytes(messages.PADDED_PLAINTEXT_A_LENGTH - len(body))
        tests.append(
            {
                "tcId": ids(),
                "comment": f"seal: {comment}",
                "flags": ["FixedEphemeral", *flags],
                "result": "valid",
                "op": "bip77.msg_a.seal",
                "args": {
                    "receiver_pk": RECEIVER.public_compressed.hex(),
                    "reply_pk": REPLY.public_compressed.hex(),
                    "body": body.hex(),
                    "sk_e": EPHEMERAL_A.secret.hex(),
                },
                "expected": {"msg": message.hex()},
                "intermediates": _intermediates(message, EPHEMERAL_A, ctx),
            }
        )
        tests.append(
            {
                "tcId": ids(),
                "comment": f"open: {comment}",
                "flags": list(flags),
                "result": "valid",
                "op": "bip77.msg_a.open",
                "args": {"receiver_sk": RECEIVER.secret.hex(), "msg": message.hex()},
                "expected": {"reply_pk": REPLY.public_compressed.hex(), "plaintext": padded.hex()},
            }
        )
    tests.append(
        {
            "tcId": ids(),
            "comment": "seal: a body one byte over 7055",
            "flags": ["Oversize"],
            "result": "invalid",
            "op": "bip77.msg_a.seal",
            "args": {
                "receiver_pk": RECEIVER.public_compressed.hex(),
                "reply_pk": REPLY.public_compressed.hex(),
                "body": (b"\x07" * (messages.PADDED_PLAINTEXT_A_LENGTH + 1)).hex(),
                "sk_e": EPHEMERAL_A.secret.hex(),
            },
            "error": {"kind": "PayloadTooLarge"},
        }
    )
    broken = [
        (
            "an authentic 10-byte plaintext, shorter than the reply key",
            RECEIVER,
            _short_message_a(b"0123456789"),
            ["ShortAuthenticPlaintext"],
            "PayloadTooShort",
        ),
        (
            "open with a key it was not sealed for",
            STRANGER,
            first_message,
            ["WrongKey"],
            "OpenError",
        ),
        (
            "bit flipped at byte 3 (ElligatorSwift u)",
            RECEIVER,
            flip_bit(first_message, 3),
            ["Tampered"],
            "OpenError",
        ),
        (
            "bit flipped at byte 40 (ElligatorSwift t)",
            RECEIVER,
            flip_bit(first_message, 40),
            ["Tampered"],
            "OpenError",
        ),
        (
            "bit flipped at byte 7165 (the tag)",
            RECEIVER,
            flip_bit(first_message, 7165),
            ["Tampered"],
            "OpenError",
        ),
        (
            "bit flipped at byte 100 (the ciphertext)",
            RECEIVER,
            flip_bit(first_message, 100),
            ["Tampered"],
            "OpenError",
        ),
        ("one byte appended", RECEIVER, first_message + b"\x00", ["Tampered"], "OpenError"),
        ("last byte cut", RECEIVER, first_message[:-1], ["Truncated"], "OpenError"),
        (
            "only the 64-byte ElligatorSwift part",
            RECEIVER,
            first_message[:64],
            ["Truncated"],
            "OpenError",
        ),
        (
            "63 bytes: not even the ElligatorSwift part",
            RECEIVER,
            first_message[:63],
            ["Truncated"],
            "PayloadTooShort",
        ),
        ("an empty message", RECEIVER, b"", ["Truncated"], "PayloadTooShort"),
    ]
    for comment, key, message, flags, kind in broken:
        tests.append(
            {
                "tcId": ids(),
                "comment": f"open: {comment}",
                "flags": flags,
                "result": "invalid",
                "op": "bip77.msg_a.open",
                "args": {"receiver_sk": key.secret.hex(), "msg": message.hex()},
                "error": {"kind": kind},
            }
        )
    return {"type": "MessageA", "info": messages.INFO_A.decode(), "tests": tests}


def _message_b_group(ids: CaseIds) -> Json:
    tests: list[Json] = []
    suite = hpke.SECP256K1_CHACHA
    bodies = [
        ("the BIP 78 Payjoin proposal PSBT, binary", BIP78_PROPOSAL_PSBT, []),
        ("a JSON error reply", ERROR_BODY, ["ErrorReply"]),
        ("a body of exactly 7088 bytes", b"\x08" * messages.PADDED_PLAINTEXT_B_LENGTH, ["MaxBody"]),
    ]
    first_message = b""
    for comment, body, flags in bodies:
        message = messages.seal_message_b(
            body, RECEIVER, REPLY.public_compressed, sk_e=EPHEMERAL_B.secret
        )
        first_message = first_message or message
        _, ctx = suite.setup_sender(
            REPLY.public,
            messages.INFO_B,
            mode=hpke.Mode.AUTH,
            sk_s=RECEIVER.secret,
            sk_e=EPHEMERAL_B.secret,
        )
        padded = body + bytes(messages.PADDED_PLAINTEXT_B_LENGTH - len(body))
        tests.append(
            {
                "tcId": ids(),
                "comment": f"seal: {comment}",
                "flags": ["FixedEphemeral", *flags],
                "result": "valid",
                "op": "bip77.msg_b.seal",
                "args": {
                    "receiver_sk": RECEIVER.secret.hex(),
                    "reply_pk": REPLY.public_compressed.hex(),
                    "body": body.hex(),
                    "sk_e": EPHEMERAL_B.secret.hex(),
                },
                "expected": {"msg": message.hex()},
                "intermediates": _intermediates(message, EPHEMERAL_B, ctx),
            }
        )
        tests.append(
            {
                "tcId": ids(),
                "comment": f"open: {comment}",
                "flags": list(flags),
                "result": "valid",
                "op": "bip77.msg_b.open",
                "args": {
                    "reply_sk": REPLY.secret.hex(),
                    "receiver_pk": RECEIVER.public_compressed.hex(),
                    "msg": message.hex(),
                },
                "expected": {"plaintext": padded.hex()},
            }
        )
    tests.append(
        {
            "tcId": ids(),
            "comment": "seal: a body one byte over 7088",
            "flags": ["Oversize"],
            "result": "invalid",
            "op": "bip77.msg_b.seal",
            "args": {
                "receiver_sk": RECEIVER.secret.hex(),
                "reply_pk": REPLY.public_compressed.hex(),
                "body": (b"\x08" * (messages.PADDED_PLAINTEXT_B_LENGTH + 1)).hex(),
                "sk_e": EPHEMERAL_B.secret.hex(),
            },
            "error": {"kind": "PayloadTooLarge"},
        }
    )
    broken = [
        (
            "open with a reply key it was not sealed for",
            STRANGER,
            RECEIVER,
            first_message,
            ["WrongKey"],
            "OpenError",
        ),
        (
            "authenticate against the wrong receiver key",
            REPLY,
            STRANGER,
            first_message,
            ["WrongKey"],
            "OpenError",
        ),
        (
            "bit flipped at byte 3 (ElligatorSwift u)",
            REPLY,
            RECEIVER,
            flip_bit(first_message, 3),
            ["Tampered"],
            "OpenError",
        ),
        (
            "bit flipped at byte 7165 (the tag)",
            REPLY,
            RECEIVER,
            flip_bit(first_message, 7165),
            ["Tampered"],
            "OpenError",
        ),
        ("last byte cut", REPLY, RECEIVER, first_message[:-1], ["Truncated"], "OpenError"),
        ("63 bytes", REPLY, RECEIVER, first_message[:63], ["Truncated"], "PayloadTooShort"),
    ]
    for comment, reply, receiver, message, flags, kind in broken:
        tests.append(
            {
                "tcId": ids(),
                "comment": f"open: {comment}",
                "flags": flags,
                "result": "invalid",
                "op": "bip77.msg_b.open",
                "args": {
                    "reply_sk": reply.secret.hex(),
                    "receiver_pk": receiver.public_compressed.hex(),
                    "msg": message.hex(),
                },
                "error": {"kind": kind},
            }
        )
    return {"type": "MessageB", "info": messages.INFO_B.decode(), "tests": tests}


def _short_message_b(plaintext: bytes) -> bytes:
    """An authentic message B around a plaintext of any length (not padded)."""
    enc, ctx = hpke.SECP256K1_CHACHA.setup_sender(
        REPLY.public,
        messages.INFO_B,
        mode=hpke.Mode.AUTH,
        sk_s=RECEIVER.secret,
        sk_e=EPHEMERAL_B.secret,
    )
    return ellswift.encode(enc) + ctx.seal(b"", plaintext)


def _boundary_groups(ids: CaseIds) -> list[Json]:
    """Authentic messages at the shortest plaintext each must (not) open with."""
    reply = REPLY.public_compressed
    if messages.open_message_a(_short_message_a(reply), RECEIVER) != (reply, b""):
        raise AssertionError("the reference does not open a message A of the reply key alone")
    if messages.open_message_b(_short_message_b(b""), REPLY, RECEIVER.public_compressed) != b"":
        raise AssertionError("the reference does not open an empty message B")
    a_tests: list[Json] = [
        {
            "tcId": ids(),
            "comment": "open: an authentic plaintext of exactly the 33-byte reply key",
            "flags": ["MinimalPlaintext"],
            "result": "valid",
            "op": "bip77.msg_a.open",
            "args": {"receiver_sk": RECEIVER.secret.hex(), "msg": _short_message_a(reply).hex()},
            "expected": {"reply_pk": reply.hex(), "plaintext": ""},
        },
        {
            "tcId": ids(),
            "comment": "open: an authentic plaintext of 32 bytes, one short of the reply key",
            "flags": ["MinimalPlaintext", "ShortAuthenticPlaintext"],
            "result": "invalid",
            "op": "bip77.msg_a.open",
            "args": {
                "receiver_sk": RECEIVER.secret.hex(),
                "msg": _short_message_a(reply[:32]).hex(),
            },
            "error": {"kind": "PayloadTooShort"},
        },
    ]
    b_tests: list[Json] = []
    for comment, message, result in (
        ("an authentic empty plaintext: 80 bytes", _short_message_b(b""), {"plaintext": ""}),
        ("79 bytes: the tag of an empty plaintext cut", _short_message_b(b"")[:-1], None),
    ):
        args = {
            "reply_sk": REPLY.secret.hex(),
            "receiver_pk": RECEIVER.public_compressed.hex(),
            "msg": message.hex(),
        }
        case: Json = {"tcId": ids(), "comment": f"open: {comment}", "flags": ["MinimalPlaintext"]}
        if result is None:
            case.update(result="invalid", op="bip77.msg_b.open", args=args)
            case["error"] = {"kind": "OpenError"}
        else:
            case.update(result="valid", op="bip77.msg_b.open", args=args, expected=result)
        b_tests.append(case)
    return [
        {"type": "MessageA", "info": messages.INFO_A.decode(), "tests": a_tests},
        {"type": "MessageB", "info": messages.INFO_B.decode(), "tests": b_tests},
    ]


def generate() -> Json:
    ids = CaseIds()
    groups = [_message_a_group(ids), _message_b_group(ids), *_boundary_groups(ids)]
    return envelope(FAMILY, module=__name__, sources=SOURCES, notes=NOTES, groups=groups)
