"""The ``events`` family's JSON edge values: numbers where serde_json and a naive JSON library part.

A persisted event is serde_json's text, so a second implementation must read what serde_json
reads, refuse what it refuses and write numbers as it writes them. The places where that differs
from a generic JSON library: floats inside ``JsonReply.extra`` (serde_json writes ``1e+16``, not
``1e16``; ``-0`` is the float ``-0.0``; ``1e400`` is out of range, never infinity), JSON's
non-numbers (``NaN``, ``Infinity``), leading zeros, and integer fields given a float, a negative
number, negative zero or 2^64. Every answer was checked against payjoin 1.0.0-1.2.0's
``event.roundtrip`` (rust-payjoin images) when the cases were written.
"""

from __future__ import annotations

from pjconf.harness.vectorgen import Json
from pjconf.harness.vectorgen.session_log_texts import RECEIVER_EVENTS, SENDER_EVENTS

NOTES: dict[str, Json] = {
    "FloatSpelling": {
        "description": "A float (or -0) in JsonReply.extra spelt otherwise than serde_json "
        "writes it (1e16, 1E16, 1.0e16, 10000000000000000.0, -0, 4.9e-324, 1e300, 123e-20): "
        "it must be read as the same f64 and written back; payjoin 1.0 writes serde_json's "
        "spelling (1e+16, -0.0, 5e-324, 1e+300, 1.23e-18).",
        "effect": "Under payjoin-1.0 a different spelling changes the persisted bytes; a "
        "refusal loses a log payjoin wrote.",
        "alternatives": "any JSON spelling of the same f64 (RFC 8259 section 6 leaves the "
        "spelling of a number to the writer); payjoin 1.0 writes serde_json's",
    },
    "FloatCanonical": {
        "description": "A float in JsonReply.extra already in serde_json's spelling (0.1, 1.0, "
        "-0.0, 5e-324, the smallest normal, 1e+16, inside arrays and nested objects): the text "
        "must come back unchanged.",
        "effect": "A writer that prints 1.0 as 1, -0.0 as 0 or 1e+16 as 1e16 changes a log "
        "payjoin wrote.",
    },
    "NotJsonNumber": {
        "description": "A number JSON does not have (NaN, Infinity, -Infinity, a leading zero, "
        "a trailing point) or one no f64 holds (1e309, 1e400): serde_json refuses the text.",
        "effect": "An implementation that reads NaN or infinity (Python's json module does by "
        "default) accepts a log payjoin 1.0 cannot replay.",
    },
    "IntegerField": {
        "description": "An integer field (u64 fee rate, amount and vout, u32 sequence and "
        "expiration, u8 version) given 2^64, -1, -0, a float (1.0, 1e2), a leading zero or a "
        "string; and the largest value of each type, which must be kept.",
        "effect": "Wrapping, truncating or rounding corrupts the session (a fee rate of 2^64 "
        "read as 0).",
    },
    "ProtocolVersion": {
        "description": "params.v of RetrievedOriginalPayload outside payjoin 1.0's Version "
        'enum (1 and 2): 0, 3, 255, 256, -1, 1.0, "1".',
        "effect": "An implementation that keeps an unknown version resumes a session no "
        "payjoin version wrote.",
    },
}


def _one(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise AssertionError(f"{old!r} is not unique in the example")
    return text.replace(old, new)


def _reply(value: str) -> str:
    return (
        '{"GotReplyableError":{"error_code":"Unavailable","message":"m","extra":{"x":'
        + value
        + "}}}"
    )


RESPELT = ["1e16", "1E16", "1.0e16", "10000000000000000.0", "-0", "4.9e-324", "1e300",
           "1.7976931348623157e308", "123e-20", "100000000000000000000", "1e-400",
           "18446744073709551616", "[1e16,-0]"]  # fmt: skip
"""Spellings serde_json writes otherwise (the expected text is the reference's, which is
serde_json's)."""
CANONICAL = ["0.1", "1.0", "-0.0", "0.0", "1.5", "5e-324", "2.2250738585072014e-308",
             "1e+16", "1.7976931348623157e+308", "0.30000000000000004", "-1", "1",
             "18446744073709551615", "[1e+16,0.1,-0.0]", "[[5e-324]]",
             '{"a":[1.0,{"b":-0.0}]}']  # fmt: skip
REFUSED = ["NaN", "Infinity", "-Infinity", "1e309", "-1e309", "1e400", "01", "-01", "00", "1.",
           ".5", "+1", "[1,NaN]"]  # fmt: skip


def float_cases() -> tuple[list[str], list[str], list[tuple[str, str, list[str], str]]]:
    """(respelt extras, canonical extras, refused (role, comment, flags, text))."""
    respelt = [_reply(v) for v in RESPELT]
    canonical = [_reply(v) for v in CANONICAL]
    refused = [("receiver", f"extra holds {v}", ["NotJsonNumber"], _reply(v)) for v in REFUSED]
    return respelt, canonical, refused


def integer_cases() -> tuple[list[tuple[str, str, list[str], str]], list[tuple[str, str, str]]]:
    """(refused (role, comment, flags, text), kept (role, comment, text)) for integer fields."""
    created = RECEIVER_EVENTS["R1 Created"]
    original = RECEIVER_EVENTS["R2 RetrievedOriginalPayload"]
    outputs = RECEIVER_EVENTS["R7 IdentifiedReceiverOutputs"]
    committed = RECEIVER_EVENTS["R8 CommittedOutputs"]
    sender = SENDER_EVENTS["S1 Created"]
    u64_over = "18446744073709551616"
    fields = [
        ("receiver", "Created.max_fee_rate", created, '"max_fee_rate":250}', '"max_fee_rate":{}}}',
         [u64_over, "-1", "-0", "0250", "250.0", "2.5e2", "1e2", "null", '"250"'],
         ["18446744073709551615", "0"]),
        ("receiver", "params.additional_fee_contribution amount", original,
         '"additional_fee_contribution":[182,0]', '"additional_fee_contribution":[{},0]',
         [u64_over, "-1"], ["18446744073709551615"]),
        ("receiver", "params.additional_fee_contribution vout", original,
         '"additional_fee_contribution":[182,0]', '"additional_fee_contribution":[182,{}]',
         [u64_over, "-1"], ["18446744073709551615"]),
        ("receiver", "IdentifiedReceiverOutputs vout", outputs, "[1]", "[{}]",
         [u64_over, "-1", "1.0", "01"], ["18446744073709551615"]),
        ("receiver", "CommittedOutputs.change_vout", committed, '"change_vout":1',
         '"change_vout":{}', [u64_over, "-1", "1.0"], []),
        ("receiver", "txin.sequence (u32)", original, '"sequence":4294967294',
         '"sequence":{}', ["4294967296", "-1"], ["4294967295"]),
        ("receiver", "txout.value", committed, '"value":95983068,', '"value":{},',
         [u64_over, "-1"], ["18446744073709551615", "2100000000000001"]),
        ("sender", "pj_param.expiration (u32)", sender, '"expiration":1736218741',
         '"expiration":{}', ["4294967296", "-1", "0", "18446744073709551615"], ["4294967295"]),
        ("sender", "fee_contribution.max_amount", sender, '"max_amount":91', '"max_amount":{}',
         [u64_over, "-1"], ["18446744073709551615"]),
        ("sender", "fee_contribution.vout", sender, '"vout":0}', '"vout":{}}}',
         [u64_over, "-1"], []),
        ("sender", "min_fee_rate", sender, '"min_fee_rate":250,', '"min_fee_rate":{},',
         [u64_over, "-1"], []),
        ("receiver", "params.v", original, '"v":1,', '"v":{},',
         ["0", "3", "255", "256", "-1", "1.0", '"1"', "01", "1e0", u64_over], ["2"]),
    ]  # fmt: skip
    refused: list[tuple[str, str, list[str], str]] = []
    kept: list[tuple[str, str, str]] = []
    for role, name, text, old, pattern, bad, good in fields:
        flag = "ProtocolVersion" if name == "params.v" else "IntegerField"
        for value in bad:
            edited = _one(text, old, pattern.format(value))
            refused.append((role, f"{name} = {value}", [flag], edited))
        for value in good:
            kept.append((role, f"{name} = {value}", _one(text, old, pattern.format(value))))
    return refused, kept
