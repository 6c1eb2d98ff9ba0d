"""The ``events`` family's field-codec edges: every leaf type of an event at the values where a
decoder that is almost serde's parts from it.

Each case edits one field of a session-log example (or writes a whole small event) and runs
``event.roundtrip``. The places covered: a secret key at 1, n-1 and n; a 65-byte public key that
is no point; a malformed OHTTP key configuration; a bech32 address in upper case (read, written
back lower case as rust-bitcoin displays it) or in mixed case (refused); struct fields in another
order and optional fields left out (read, written back in declaration order with ``null``);
an unknown variant whose payload another variant would accept; a unit variant given a payload
other than ``null``; a variant that needs a payload given as a bare string; an event that is
neither a string nor an object; lone surrogates in ``JsonReply``'s strings and map keys; floats in
``JsonReply.extra`` whose shortest text a naive writer spells otherwise (``1e-05`` for serde_json's
``0.00001``), at both ends of serde_json's fixed-notation range, inside arrays and nested objects;
and integers at i64's lower edge, where serde_json switches to floats.
"""

from __future__ import annotations

from pjconf.harness.vectorgen import Json
from pjconf.harness.vectorgen.session_log_texts import RECEIVER_EVENTS, SENDER_EVENTS
from pjconf.reference.crypto.secp256k1 import N

NOTES: dict[str, Json] = {
    "SecretKeyRange": {
        "description": "A secret key at the edges of [1, n-1]: 1 and n-1 are kept, n and "
        "2^256-1 refused (libsecp256k1's SecretKey::from_slice).",
        "effect": "An off-by-one range check loses a valid key or keeps one no signer can use.",
    },
    "InvalidPoint": {
        "description": "A public key of the right length (65 bytes) that is no secp256k1 "
        "point: a 05 prefix, or an x with no y on the curve.",
        "effect": "A decoder that checks only the length resumes a session whose key cannot "
        "encrypt.",
    },
    "MalformedKeyConfig": {
        "description": "ohttp_keys bytes that are no OHTTP key configuration (cut short, an "
        "unknown KEM, bytes after the suites).",
        "effect": "A decoder that keeps the bytes unparsed resumes a session it cannot use.",
    },
    "AddressCase": {
        "description": "A bech32 address in upper case (BIP 173 allows it; rust-bitcoin reads "
        "it and displays it lower case) or in mixed case (BIP 173 forbids it).",
        "effect": "Writing the address back as given changes the persisted text; accepting "
        "mixed case reads an address payjoin 1.0 refuses.",
    },
    "FieldOrder": {
        "description": "Struct fields in another order than serde writes them (a JSON object is "
        "unordered, RFC 8259 section 4): read, and written back in declaration order.",
        "effect": "A decoder that reads fields by position misreads the event.",
    },
    "OptionalFieldAbsent": {
        "description": "An Option field left out of the object: serde reads None and writes null "
        "(payjoin 1.0 itself always writes null, so this is also SerdeLeniency).",
        "effect": "A decoder that requires every field cannot read a log written before an Option "
        "field was added, which persist.rs's policy (new fields are Option, None by default) keeps "
        "readable; if it accepts, it must write the field back as null.",
    },
    "UnknownVariantPayload": {
        "description": "An unknown variant name whose payload a known variant would accept "
        '({"Started":{"Success":…}}, {"Started":"Aborted"}, Closed(Failure) with '
        "null): refused by its name.",
        "effect": "A decoder that dispatches on the payload's shape reads an event payjoin 1.0 "
        "refuses.",
    },
    "UnitPayload": {
        "description": 'A unit variant given a payload other than null ({"Cancelled":[]}, '
        '{"Closed":{"Aborted":{}}}): serde_json reads a unit variant\'s payload as ().',
        "effect": "Ignoring the payload accepts an event payjoin 1.0 refuses.",
    },
    "MissingPayload": {
        "description": 'A variant that carries data written as a bare string ("Created", '
        '"Closed", {"Closed":"Unrecognized"}).',
        "effect": "Must be refused, never read as an empty payload.",
    },
    "NotAnEnum": {
        "description": "An event that is neither a string nor an object (a number, null, "
        "true, an array holding a variant name).",
        "effect": "Must be refused as serde refuses it, never crash.",
    },
    "LoneSurrogate": {
        "description": "A JSON escape of a lone UTF-16 surrogate in a JsonReply string or "
        "extra key: no Rust String holds it, and serde_json refuses it.",
        "effect": "A decoder that keeps it writes text that is not UTF-8 into the log.",
    },
    "I64Edge": {
        "description": "An integer in JsonReply.extra at i64's lower edge: -2^63 stays an "
        "integer, -2^63-1 becomes the f64 -9.223372036854776e+18 (serde_json's Number).",
        "effect": "A writer that keeps -2^63-1 exact, or turns -2^63 into a float, changes a "
        "log payjoin wrote.",
    },
}

R_CREATED = RECEIVER_EVENTS["R1 Created"]
S_CREATED = SENDER_EVENTS["S1 Created"]
R_ORIGINAL = RECEIVER_EVENTS["R2 RetrievedOriginalPayload"]
REPLY = '{"GotReplyableError":{"error_code":"Unavailable","message":"m","extra":{"x":0}}}'
_ZERO_TXID = "0" * 64


def _one(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise AssertionError(f"{old!r} is not unique in the example")
    return text.replace(old, new)


def _byte_list(data: bytes) -> str:
    return "[" + ",".join(map(str, data)) + "]"


def _array_after(text: str, key: str) -> str:
    """The ``[…]`` text of the byte array that follows ``key`` (no nested arrays)."""
    start = text.index(key) + len(key)
    return text[start : text.index("]", start) + 1]


def _reply(extra: str = '{"x":0}', message: str = "m") -> str:
    return (
        '{"GotReplyableError":{"error_code":"Unavailable","message":"'
        + message
        + '","extra":'
        + extra
        + "}}"
    )


def _sender_reply_key(value: int) -> str:
    old = '"reply_key":' + _array_after(S_CREATED, '"reply_key":')
    return _one(S_CREATED, old, '"reply_key":' + _byte_list(value.to_bytes(32, "big")))


def _receiver_public(edit: bytes) -> str:
    """R1 Created with its receiver public key replaced by ``edit`` (65 bytes)."""
    key = _array_after(R_CREATED, '"receiver_key":[' + _array_after(R_CREATED, '"receiver_key":[')
                       + ",")  # fmt: skip
    return _one(R_CREATED, key, _byte_list(edit))


def _ohttp(text: str, edit: bytes) -> str:
    return _one(text, '"ohttp_keys":' + _array_after(text, '"ohttp_keys":'),
                '"ohttp_keys":' + _byte_list(edit))  # fmt: skip


def _ohttp_bytes(text: str) -> bytes:
    return bytes(int(b) for b in _array_after(text, '"ohttp_keys":')[1:-1].split(","))


def _reversed_created() -> str:
    """R1 Created with its fields in reverse order (each field's text kept)."""
    body = R_CREATED[len('{"Created":{') : -2]
    fields, depth, start = [], 0, 0
    for i, c in enumerate(body):
        depth += c in "[{"
        depth -= c in "]}"
        if c == "," and depth == 0:
            fields.append(body[start:i])
            start = i + 1
    fields.append(body[start:])
    return '{"Created":{' + ",".join(reversed(fields)) + "}}"


Case = tuple[str, str, list[str], str]
"""(role, comment, flags, event text)."""


def refused_cases() -> list[Case]:
    """Texts payjoin 1.0 refuses (DecodeError)."""
    x_not_on_curve = b"\x04" + bytes(64)  # y^2 = 7 has no solution with y = 0
    r_public_05 = b"\x05" + bytes.fromhex(_receiver_public_hex())[1:]
    keys = _ohttp_bytes(R_CREATED)
    s_pubkey = '"receiver_pubkey":' + _array_after(S_CREATED, '"receiver_pubkey":')
    upper = "TB1Q6D3A2W975YNY0ASUVD9A67NER4NKS58FF0Q8G4"
    mixed = "tb1q6d3a2w975yny0asuvd9a67ner4nks58ff0q8G4"
    return [
        ("sender", "Created: reply secret key n", ["SecretKeyRange"], _sender_reply_key(N)),
        ("sender", "Created: reply secret key 2^256-1", ["SecretKeyRange"],
         _sender_reply_key(2**256 - 1)),
        ("receiver", "Created: a 65-byte receiver public key with prefix 05", ["InvalidPoint"],
         _receiver_public(r_public_05)),
        ("sender", "Created: receiver_pubkey 04 followed by 64 zero bytes (no such point)",
         ["InvalidPoint"], _one(S_CREATED, s_pubkey,
                                '"receiver_pubkey":' + _byte_list(x_not_on_curve))),
        ("receiver", "RetrievedOriginalPayload: a 65-byte reply key that is no point",
         ["InvalidPoint"], _one(R_ORIGINAL, '"reply_key":null',
                                '"reply_key":' + _byte_list(x_not_on_curve))),
        ("receiver", "Created: ohttp_keys cut one byte short", ["MalformedKeyConfig"],
         _ohttp(R_CREATED, keys[:-1])),
        ("receiver", "Created: ohttp_keys with a byte after the suites", ["MalformedKeyConfig"],
         _ohttp(R_CREATED, keys + b"\x00")),
        ("sender", "Created: ohttp_keys with KEM 0x0010 (P-256)", ["MalformedKeyConfig"],
         _ohttp(S_CREATED, _ohttp_bytes(S_CREATED)[:1] + b"\x00\x10"
                + _ohttp_bytes(S_CREATED)[3:])),
        ("receiver", "Created: a bech32 address in mixed case", ["AddressCase"],
         _one(R_CREATED, upper.lower(), mixed)),
        ("receiver", "unknown variant Started with a Closed outcome as its payload",
         ["UnknownVariant", "UnknownVariantPayload"],
         '{"Started":{"Success":"' + _ZERO_TXID + '"}}'),
        ("sender", 'unknown variant Started with "Aborted" as its payload',
         ["UnknownVariant", "UnknownVariantPayload"], '{"Started":"Aborted"}'),
        ("receiver", "Closed with an unknown unit outcome Failure given null",
         ["UnknownVariant", "UnknownVariantPayload"], '{"Closed":{"Failure":null}}'),
        ("receiver", "GotReplyableError with an unknown error_code",
         ["UnknownVariant"], _one(REPLY, '"Unavailable"', '"Bogus"')),
        ("receiver", 'the unit variant Cancelled given []', ["UnitPayload"], '{"Cancelled":[]}'),
        ("receiver", "the unit variant ProtocolFailed given 1", ["UnitPayload"],
         '{"ProtocolFailed":1}'),
        ("receiver", "the unit outcome Aborted given []", ["UnitPayload"],
         '{"Closed":{"Aborted":[]}}'),
        ("sender", "the unit outcome Aborted given {}", ["UnitPayload"],
         '{"Closed":{"Aborted":{}}}'),
        ("receiver", "the unit error_code Unavailable given []", ["UnitPayload"],
         _one(REPLY, '"Unavailable"', '{"Unavailable":[]}')),
        ("receiver", 'bare "Created"', ["MissingPayload"], '"Created"'),
        ("receiver", 'bare "GotReplyableError"', ["MissingPayload"], '"GotReplyableError"'),
        ("receiver", 'bare "Closed"', ["MissingPayload"], '"Closed"'),
        ("receiver", "Closed(Unrecognized) without its txid", ["MissingPayload"],
         '{"Closed":"Unrecognized"}'),
        ("sender", 'bare "Created"', ["MissingPayload"], '"Created"'),
        ("sender", 'bare "Closed"', ["MissingPayload"], '"Closed"'),
        ("sender", 'Closed("Success") without its PSBT', ["MissingPayload"],
         '{"Closed":"Success"}'),
        ("receiver", "an event that is the number 1", ["NotAnEnum"], "1"),
        ("receiver", "an event that is null", ["NotAnEnum"], "null"),
        ("sender", "an event that is true", ["NotAnEnum"], "true"),
        ("receiver", 'an event that is ["Cancelled"]', ["NotAnEnum"], '["Cancelled"]'),
        ("receiver", "Closed whose outcome is the number 5", ["NotAnEnum"], '{"Closed":5}'),
        ("receiver", "JsonReply.message holding a lone high surrogate", ["LoneSurrogate"],
         _reply(message="a\\ud800b")),
        ("receiver", "JsonReply.extra key that is a lone low surrogate", ["LoneSurrogate"],
         _reply('{"\\udc00":1}')),
        ("receiver", "JsonReply.extra value holding a lone surrogate in a nested array",
         ["LoneSurrogate"], _reply('{"x":["\\ud800"]}')),
        ("receiver", "JsonReply.extra holding a 401-digit integer (no f64 holds it)",
         ["NotJsonNumber"], _reply('{"x":1' + "0" * 400 + "}")),
        ("receiver", "JsonReply.extra holding a 4400-digit integer (past Python's int/str limit)",
         ["NotJsonNumber"], _reply('{"x":9' + "9" * 4399 + "}")),
    ]  # fmt: skip


def _receiver_public_hex() -> str:
    key = _array_after(R_CREATED, '"receiver_key":[' + _array_after(R_CREATED, '"receiver_key":[')
                       + ",")  # fmt: skip
    return bytes(int(b) for b in key[1:-1].split(",")).hex()


def kept_cases() -> list[Case]:
    """Texts payjoin 1.0 reads and writes back unchanged."""
    return [
        ("sender", "Created: reply secret key 1", ["SecretKeyRange"], _sender_reply_key(1)),
        ("sender", "Created: reply secret key n-1", ["SecretKeyRange"], _sender_reply_key(N - 1)),
        *(("receiver", f"extra holds {v}", ["FloatCanonical"], _reply('{"x":' + v + "}"))
          for v in CANONICAL),
        ("receiver", "extra holds -9223372036854775808 (i64::MIN, an integer)", ["I64Edge"],
         _reply('{"x":-9223372036854775808}')),
    ]  # fmt: skip


CANONICAL = ["0.00001", "-0.00001", "0.000015", "0.0001", "0.000123456789", "1e-6", "1.5e-7",
             "1e-9", "1e-10", "1000000000000000.0", "1234567890123456.0", "-1.0", "2.0",
             "[0.00001]", "[1,[2,[1e-7]]]", '{"a":{"b":1e-6}}', '[{"a":0.00002}]']  # fmt: skip
"""serde_json's own spelling of floats Python's ``repr`` writes otherwise (``1e-05``, ``1e-07``)
or at the ends of its fixed-notation range (1e-5 and 1e15)."""

RESPELT = ["1e-5", "1E-5", "0.000001", "1E15", "1.5E-7", "0.1e-8", "1000000000000000e0"]
"""Spellings serde_json writes otherwise around the same edges."""


def respelt_cases() -> list[Case]:
    """Texts payjoin 1.0 reads and writes back otherwise (expected: the reference's text)."""
    upper = "TB1Q6D3A2W975YNY0ASUVD9A67NER4NKS58FF0Q8G4"
    no_options = _one(_one(R_CREATED, '"amount":null,', ""), ',"reply_key":null', "")
    return [
        *(("receiver", f"extra holds {v} (respelt)", ["FloatSpelling"],
           _reply('{"x":' + v + "}")) for v in RESPELT),
        ("receiver", "extra holds -9223372036854775809 (i64::MIN - 1: an f64)",
         ["FloatSpelling", "I64Edge"],
         _reply('{"x":-9223372036854775809}')),
        ("receiver", "Created: a bech32 address in upper case", ["AddressCase"],
         _one(R_CREATED, upper.lower(), upper)),
        ("receiver", "Created with its fields in reverse order", ["FieldOrder"],
         _reversed_created()),
        ("receiver", "Created without its two Option fields (amount, reply_key)",
         ["SerdeLeniency", "OptionalFieldAbsent"], no_options),
        ("receiver", "RetrievedOriginalPayload without reply_key (an Option)",
         ["SerdeLeniency", "OptionalFieldAbsent"], _one(R_ORIGINAL, ',"reply_key":null', "")),
    ]  # fmt: skip
