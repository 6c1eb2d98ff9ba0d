"""The ``events`` family: payjoin 1.0 session events, byte for byte, and the texts to refuse.

Every case runs ``event.roundtrip``: decode one ``SessionEvent`` JSON text for a role and write
it back. A valid event must come back unchanged (that is what payjoin 1.0's
``serde_json::to_string(serde_json::from_str(text))`` does), and its CBOR envelope (pjconf's
versioned log format, ``seq`` 0) is given in ``intermediates`` for CBOR implementations. The
texts are the session-log research examples (crate-verified) and seeded events of every variant;
the hostile group holds what serde refuses, and the lenient group what serde accepts beyond the
canonical form (an implementation may refuse it, but if it accepts it must normalise it).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pjconf.harness.vectorgen import CaseIds, Json, envelope
from pjconf.harness.vectorgen import events_field_edges as field_edges
from pjconf.harness.vectorgen.events_json_edges import NOTES as EDGE_NOTES
from pjconf.harness.vectorgen.events_json_edges import float_cases, integer_cases
from pjconf.harness.vectorgen.session_log_texts import (
    RECEIVER_EVENTS,
    SENDER_EVENTS,
)
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.bip77.url import parse_url
from pjconf.reference.bitcoin import address
from pjconf.reference.bitcoin.tx import TxOut
from pjconf.reference.crypto.secp256k1 import N, public_key
from pjconf.reference.entropy import SeededRandom
from pjconf.reference.payjoin.params import OutputSubstitution, Params
from pjconf.reference.session import cbor_codec, json_codec
from pjconf.reference.session.receiver import events as r
from pjconf.reference.session.sender import events as s
from pjconf.reference.session.serde_values import DecodeError

FAMILY = "events"
PATH = "session/events.json"

NOTES: dict[str, Json] = {
    "SessionLogExample": {
        "description": "A text of the session-log research (§4.3), verified against payjoin 1.0.",
        "effect": "The implementation does not read or write payjoin 1.0's persisted format.",
    },
    "Seeded": {
        "description": "An event built from a seeded stream (pjconf SeededRandom), values at "
        "the edges of their types (u64 and u32 limits, every network, every option).",
        "effect": "A field written in the wrong form, order or width.",
    },
    "EveryOutcome": {
        "description": "Closed with one particular SessionOutcome; each outcome has a case.",
        "effect": "An outcome spelled as another enum form (unit string vs newtype object).",
    },
    "EmptyTupleVariant": {
        "description": 'A variant declared X() in Rust: serde writes {"X":[]}, never "X".',
        "effect": "Mixing up empty tuple and unit variants breaks logs written by payjoin.",
    },
    "UnitVariant": {
        "description": 'A unit variant: serde writes the bare string "X".',
        "effect": "As EmptyTupleVariant, the other way round.",
    },
    "UnknownVariant": {
        "description": "A variant name payjoin 1.0 does not have.",
        "effect": "Must be refused (DecodeError), not skipped.",
    },
    "MissingField": {
        "description": "A required struct field is absent.",
        "effect": "Must be refused; only Option fields may be absent.",
    },
    "WrongShape": {
        "description": "A variant in the wrong enum form (bare string for an empty tuple, "
        "a sequence for a struct variant).",
        "effect": "Must be refused as serde refuses it.",
    },
    "RcEra": {
        "description": "A form written by a payjoin 1.0 release candidate, changed before 1.0.0 "
        '({"Closed":"Failure"}, CommittedOutputs as a bare list of outputs).',
        "effect": "Must be refused: the 1.0.0 format does not read it.",
    },
    "WrongRole": {
        "description": "A sender event given as a receiver event, or the other way round.",
        "effect": "Must be refused: the two SessionEvent enums are different types.",
    },
    "MalformedJson": {
        "description": "Truncated JSON, trailing bytes, or bytes that are not JSON at all.",
        "effect": "Must be refused (DecodeError), never crash.",
    },
    "OutOfRange": {
        "description": "An integer too large for its field (u64, u32, u8) or a secret key "
        "outside [1, n-1].",
        "effect": "Must be refused, never wrapped or truncated.",
    },
    "WrongKeyLength": {
        "description": "A key or id of the wrong byte length.",
        "effect": "Must be refused, never padded or cut.",
    },
    "Whitespace": {
        "description": "The event text has JSON whitespace between tokens and around it.",
        "effect": "Must be accepted and written back compactly, as serde_json does.",
    },
    "FloatRoundTrip": {
        "description": "A float inside JsonReply.extra whose shortest decimal form only a "
        "correctly rounded parser reads back exactly.",
        "effect": "The text must come back unchanged. serde_json's default (not correctly "
        "rounded) float parser moves it by one ulp, so payjoin 1.0 alters the persisted value.",
    },
    "DuplicateKey": {
        "description": "A struct field or an enum tag given twice in one JSON object.",
        "effect": 'serde refuses both ("duplicate field", and an enum object must have one '
        "key); a decoder that lets the last value win accepts a log payjoin 1.0 cannot replay.",
    },
    "StructAsSequence": {
        "description": "A struct variant given as a JSON array of its fields in declaration "
        "order, which serde's derived Deserialize reads (payjoin 1.0 accepts it).",
        "effect": "acceptable: payjoin never writes it; if accepted, expected is the output.",
    },
    "SerdeLeniency": {
        "description": "Input serde accepts beyond the canonical form: an unknown extra field "
        '(payjoin does not deny unknown fields), {"X":null} for a unit variant, an absent '
        "Option field.",
        "effect": "acceptable: an implementation may refuse it; if it accepts, the re-encoded "
        "event must be the canonical text in expected.",
    },
    **EDGE_NOTES,
    **field_edges.NOTES,
}

SOURCES: list[Json] = [
    {
        "name": "pjconf shared research: rust-payjoin-session-log.md, §4.3 concrete examples",
        "url": "shared/spec/rust-payjoin-session-log.md",
        "revision": "904d264fd2afa925044a2fcc3389af78fc847dbe",
        "note": "rust-payjoin HEAD, byte-identical to payjoin-1.0.0 for payjoin/src; the 26 "
        "texts (PSBT placeholders filled with BIP 78's Original PSBT) round-trip through "
        "payjoin 1.0.0 unchanged.",
    },
    {
        "name": "payjoin 1.0.0: receive/v2/session.rs and send/v2/session.rs (SessionEvent)",
        "url": "https://github.com/payjoin/rust-payjoin",
        "revision": "60d0adbf",
        "note": "The serde derives that define the format; refusals follow serde_json.",
    },
]

ROLES = ("receiver", "sender")


def _decode(role: str, text: str) -> Any:
    if role == "receiver":
        return json_codec.decode_receiver_event(text)
    return json_codec.decode_sender_event(text)


def _encode(role: str, event: Any) -> str:
    if role == "receiver":
        return json_codec.encode_receiver_event(event)
    return json_codec.encode_sender_event(event)


def _cbor(role: str, event: Any) -> str:
    if role == "receiver":
        return cbor_codec.encode_receiver_event(event).hex()
    return cbor_codec.encode_sender_event(event).hex()


def _canonical(role: str, text: str) -> tuple[str, str]:
    """The re-encoded text and its CBOR envelope; a generator bug if the codec refuses it."""
    event = _decode(role, text)
    return _encode(role, event), _cbor(role, event)


def _valid(ids: CaseIds, role: str, comment: str, flags: list[str], text: str) -> Json:
    return _roundtrip(ids, role, comment, flags, text, canonical=True)


def _roundtrip(
    ids: CaseIds, role: str, comment: str, flags: list[str], text: str, *, canonical: bool
) -> Json:
    """A text the codec reads; ``canonical``: it must write it back as given, else otherwise
    (expected is then the re-encoded text)."""
    out, cbor = _canonical(role, text)
    if (out == text) != canonical:
        raise AssertionError(f"{comment}: canonical is {out == text}, expected {canonical}: {out}")
    return {
        "tcId": ids(),
        "comment": comment,
        "flags": flags,
        "result": "valid",
        "op": "event.roundtrip",
        "args": {"role": role, "event": text},
        "expected": {"event": out},
        "intermediates": {"cbor_envelope": cbor},
    }


def _invalid(ids: CaseIds, role: str, comment: str, flags: list[str], text: str) -> Json:
    try:
        _decode(role, text)
    except DecodeError:
        pass
    else:
        raise AssertionError(f"{comment}: the reference accepts it; the vector expects an error")
    return {
        "tcId": ids(),
        "comment": comment,
        "flags": flags,
        "result": "invalid",
        "op": "event.roundtrip",
        "args": {"role": role, "event": text},
        "error": {"kind": "DecodeError"},
    }


def _acceptable(ids: CaseIds, case: tuple[Any, ...]) -> Json:
    """``canonical``: what an implementation that accepts must write (default: the reference's)."""
    role, comment, flags, text, *rest = case
    out, cbor = _canonical(role, rest[0] if rest else text)
    return {
        "tcId": ids(),
        "comment": comment,
        "flags": flags,
        "result": "acceptable",
        "op": "event.roundtrip",
        "args": {"role": role, "event": text},
        "expected": {"event": out},
        "error": {"kind": "DecodeError"},
        "intermediates": {"cbor_envelope": cbor},
    }


# --- seeded events of every variant ------------------------------------------------------------


class _Draw:
    """Typed draws from one seeded stream."""

    def __init__(self, label: str) -> None:
        self.rng = SeededRandom(b"pjconf/vectors/events/" + label.encode())

    def raw(self, n: int) -> bytes:
        return self.rng.random_bytes(n)

    def below(self, limit: int) -> int:
        return int.from_bytes(self.raw(16), "big") % limit

    def secret(self) -> bytes:
        return (1 + self.below(N - 1)).to_bytes(32, "big")

    def public(self) -> bytes:
        return public_key(self.secret())

    def ohttp_keys(self) -> OhttpKeyConfig:
        return OhttpKeyConfig.bip77(self.below(256), public_key(self.secret(), compressed=True))


_U64_MAX = 2**64 - 1
_U32_MAX = 2**32 - 1


def _examples() -> tuple[Any, Any, r.InputPair]:
    """The example PSBT, a second PSBT (the payjoin of R9) and R9's input pair, as values."""
    finalized = json_codec.decode_receiver_event(RECEIVER_EVENTS["R11 FinalizedProposal"])
    committed = json_codec.decode_receiver_event(RECEIVER_EVENTS["R9 CommittedInputs"])
    assert isinstance(finalized, r.FinalizedProposal)
    assert isinstance(committed, r.CommittedInputs)
    psbt = finalized.psbt
    pair = committed.receiver_inputs[0]
    unsigned = psbt.unsigned_tx
    payjoin = dataclasses.replace(
        psbt,
        unsigned_tx=dataclasses.replace(
            unsigned, inputs=(*unsigned.inputs, pair.txin), lock_time=0, version=1
        ),
        inputs=(*psbt.inputs, pair.psbtin),
    )
    return psbt, payjoin, pair


def seeded_receiver_events() -> list[tuple[str, r.ReceiverEvent]]:
    psbt, payjoin, pair = _examples()
    d = _Draw("receiver")
    secret = d.secret()
    scripts = [
        b"\x00\x14" + d.raw(20),
        b"\x00\x20" + d.raw(32),
        b"\x51\x20" + d.raw(32),
        b"\x76\xa9\x14" + d.raw(20) + b"\x88\xac",
        b"\xa9\x14" + d.raw(20) + b"\x87",
    ]
    contexts = [
        r.SessionContext(
            address=address.encode(scripts[i], network),
            directory=parse_url(url),
            ohttp_keys=d.ohttp_keys(),
            expiration=expiration,
            amount=amount,
            receiver_key=r.HpkeKeyPair(secret, public_key(secret)),
            reply_key=None,
            max_fee_rate=fee,
        )
        for i, (network, url, expiration, amount, fee) in enumerate(
            [
                (address.Network.BITCOIN, "https://payjo.in/", _U32_MAX, _U64_MAX, _U64_MAX),
                (address.Network.SIGNET, "http://localhost:8080/dir/", 500_000_000, 0, 0),
                (address.Network.REGTEST, "https://d.example:1234/a?b=c", 1_900_000_000, 1, 1),
                (address.Network.BITCOIN, "https://payjo.in/", 1_800_000_123, 546, 2500),
                (address.Network.TESTNET, "https://payjo.in/", 1_800_000_000, None, 250),
            ]
        )
    ]
    events: list[tuple[str, r.ReceiverEvent]] = [
        (f"Created ({c.address[:4]}…, amount {c.amount})", r.Created(c)) for c in contexts
    ]
    for v, substitution, contribution, reply in [
        (2, OutputSubstitution.DISABLED, None, d.public()),
        (1, OutputSubstitution.ENABLED, (_U64_MAX, _U64_MAX), None),
    ]:
        params = Params(v, substitution, contribution, d.below(2**64))
        events.append(
            (
                f"RetrievedOriginalPayload (v={v}, reply key {'set' if reply else 'none'})",
                r.RetrievedOriginalPayload(r.OriginalPayload(psbt, params), reply),
            )
        )
    events += [
        ("CheckedBroadcastSuitability", r.CheckedBroadcastSuitability()),
        ("CheckedInputsNotOwned", r.CheckedInputsNotOwned()),
        ("CheckedNoInputsSeenBefore", r.CheckedNoInputsSeenBefore()),
        ("IdentifiedReceiverOutputs, none", r.IdentifiedReceiverOutputs(())),
        (
            "IdentifiedReceiverOutputs, several up to u64::MAX",
            r.IdentifiedReceiverOutputs((0, d.below(2**32), _U64_MAX)),
        ),
        (
            "CommittedOutputs, seeded outputs of every script type",
            r.CommittedOutputs(
                tuple(TxOut(d.below(2**64), script) for script in scripts), _U64_MAX
            ),
        ),
        ("CommittedOutputs, no outputs", r.CommittedOutputs((), 0)),
        ("CommittedInputs, two receiver inputs", r.CommittedInputs((pair, pair), payjoin)),
        ("AppliedFeeRange", r.AppliedFeeRange(r.ReceiverPsbtContext(psbt, payjoin))),
        ("FinalizedProposal", r.FinalizedProposal(payjoin)),
    ]
    extra = {"a": [1, -2, None, True], "nested": {"x": "y", "z": []}, "u64": _U64_MAX}
    events += [
        (
            f"GotReplyableError {code.value}",
            r.GotReplyableError(r.JsonReply(code, message, extra if i == 1 else {})),
        )
        for i, (code, message) in enumerate(
            [
                (r.ErrorCode.UNAVAILABLE, ""),
                (r.ErrorCode.NOT_ENOUGH_MONEY, 'quote " backslash \\ newline \n tab \t'),
                (r.ErrorCode.VERSION_UNSUPPORTED, "non-ASCII: é ₿ 😀 \u007f"),
                (r.ErrorCode.ORIGINAL_PSBT_REJECTED, "\u0000\u001f control"),
            ]
        )
    ]
    events += [
        ("PostedPayjoinProposal", r.PostedPayjoinProposal()),
        ("Cancelled", r.Cancelled()),
        ("ProtocolFailed", r.ProtocolFailed()),
        ("Closed(Success), seeded txid", r.Closed(r.Success(d.raw(32)))),
        ("Closed(Aborted)", r.Closed(r.Aborted())),
        ("Closed(FallbackBroadcasted)", r.Closed(r.FallbackBroadcasted())),
        ("Closed(PayjoinProposalSent)", r.Closed(r.PayjoinProposalSent())),
        ("Closed(Unrecognized), seeded txid", r.Closed(r.Unrecognized(d.raw(32)))),
    ]
    return events


def seeded_sender_events() -> list[tuple[str, s.SenderEvent]]:
    psbt, payjoin, _ = _examples()
    d = _Draw("sender")
    events: list[tuple[str, s.SenderEvent]] = []
    for url, substitution, contribution, fee in [
        (
            "https://payjo.in/TXJCGKTKXLUUZ#EX1WKV8CEC-OH1QYPM59NK2LXXS4890SUAXXYT25Z2VAPHP0X7YEYCJ"
            "XGWAG6UG9ZU6NQ-RK1Q0DJS3VVDXWQQTLQ8022QGXSX7ML9PHZ6EDSF6AKEWQG758JPS2EV",
            OutputSubstitution.DISABLED,
            None,
            0,
        ),
        (
            "http://localhost:3000/ABCDEFGHJKLMN",
            OutputSubstitution.ENABLED,
            s.AdditionalFeeContribution(_U64_MAX, _U64_MAX),
            _U64_MAX,
        ),
    ]:
        pj = s.PjParam(parse_url(url), d.raw(8), d.below(2**32), d.ohttp_keys(), d.public())
        ctx = s.SenderContext(psbt, substitution, contribution, fee, b"\x00\x14" + d.raw(20))
        events.append(
            (f"Created ({url.split('/')[2]})", s.Created(s.SessionContext(pj, ctx, d.secret())))
        )
    events += [
        ("PostedOriginalPsbt", s.PostedOriginalPsbt()),
        ("Cancelled", s.Cancelled()),
        ("Closed(Success), a proposal with a receiver input", s.Closed(s.Success(payjoin))),
        ("Closed(Aborted)", s.Closed(s.Aborted())),
    ]
    return events


def _flags_for(name: str) -> list[str]:
    if name.startswith("Closed"):
        return ["EveryOutcome"]
    variant = name.replace(",", " ").split(" ", maxsplit=1)[0]
    if variant in (
        "CheckedBroadcastSuitability",
        "CheckedInputsNotOwned",
        "CheckedNoInputsSeenBefore",
        "PostedPayjoinProposal",
        "PostedOriginalPsbt",
    ):
        return ["EmptyTupleVariant"]
    if variant in ("Cancelled", "ProtocolFailed"):
        return ["UnitVariant"]
    return []


def _roundtrip_group(ids: CaseIds, role: str) -> Json:
    examples = RECEIVER_EVENTS if role == "receiver" else SENDER_EVENTS
    tests = [
        _valid(ids, role, f"session-log example {name}", ["SessionLogExample"], text)
        for name, text in examples.items()
    ]
    seeded: list[tuple[str, Any]] = list(
        seeded_receiver_events() if role == "receiver" else seeded_sender_events()
    )
    for name, event in seeded:
        flags = ["Seeded", *_flags_for(name)]
        if role == "sender" and name == "Cancelled":
            flags = ["Seeded", "EmptyTupleVariant"]
        tests.append(_valid(ids, role, f"seeded {name}", flags, _encode(role, event)))
    if role == "receiver":
        text = '{"CheckedInputsNotOwned":[]}'
        case = _valid(ids, role, "insignificant JSON whitespace", ["Whitespace"], text)
        case["args"]["event"] = ' {\n "CheckedInputsNotOwned" : [ ]\t}\r\n'
        tests.append(case)
    return {"type": "EventRoundtrip", "role": role, "tests": tests}


R_CREATED = RECEIVER_EVENTS["R1 Created"]
S_CREATED = SENDER_EVENTS["S1 Created"]
_SECRET_25 = '"receiver_key":[[25,'
_TXOUT = '{"value":2000000,"script_pubkey":"a914774096dbcf486743c22f4347e9b469febe8b677a87"}'


def _replace(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise AssertionError(f"{old!r} is not unique in the example")
    return text.replace(old, new)


def _hostile_cases() -> list[tuple[str, str, list[str], str]]:
    """(role, comment, flags, text) of everything payjoin 1.0 refuses."""
    receiver_public = R_CREATED[R_CREATED.index("],[4,32,") + 2 : R_CREATED.index(']],"reply_key"')]
    receiver_pubkey = S_CREATED[S_CREATED.index('"receiver_pubkey":[') + 19 :]
    receiver_pubkey = receiver_pubkey[: receiver_pubkey.index("]")]
    return [
        ("receiver", "unknown variant Started", ["UnknownVariant"], '{"Started":[]}'),
        ("receiver", "unknown unit variant Started", ["UnknownVariant"], '"Started"'),
        ("sender", "unknown variant Started", ["UnknownVariant"], '{"Started":[]}'),
        (
            "receiver",
            "variant names are case-sensitive: created",
            ["UnknownVariant"],
            R_CREATED.replace('{"Created":', '{"created":', 1),
        ),
        (
            "receiver",
            "Created without directory",
            ["MissingField"],
            _replace(R_CREATED, '"directory":"https://example.com/",', ""),
        ),
        (
            "receiver",
            "Created without max_fee_rate",
            ["MissingField"],
            _replace(R_CREATED, ',"max_fee_rate":250', ""),
        ),
        (
            "receiver",
            "CommittedOutputs without change_vout",
            ["MissingField"],
            _replace(RECEIVER_EVENTS["R8 CommittedOutputs"], ',"change_vout":1', ""),
        ),
        (
            "sender",
            "Created without reply_key",
            ["MissingField"],
            S_CREATED[: S_CREATED.index(',"reply_key":')] + "}}",
        ),
        (
            "receiver",
            'bare string "CheckedInputsNotOwned" for an empty tuple variant',
            ["WrongShape", "EmptyTupleVariant"],
            '"CheckedInputsNotOwned"',
        ),
        (
            "receiver",
            '"PostedPayjoinProposal" as a bare string',
            ["WrongShape", "EmptyTupleVariant"],
            '"PostedPayjoinProposal"',
        ),
        (
            "receiver",
            "an empty tuple variant with an element",
            ["WrongShape", "EmptyTupleVariant"],
            '{"CheckedInputsNotOwned":[1]}',
        ),
        (
            "sender",
            '"PostedOriginalPsbt" as a bare string',
            ["WrongShape", "EmptyTupleVariant"],
            '"PostedOriginalPsbt"',
        ),
        ("receiver", "an object with two variants", ["WrongShape"], '{"Cancelled":null,"A":[]}'),
        ("receiver", "an event that is an array", ["WrongShape"], "[]"),
        (
            "receiver",
            'rc-era {"Closed":"Failure"}',
            ["RcEra", "UnknownVariant"],
            '{"Closed":"Failure"}',
        ),
        (
            "sender",
            'rc-era {"Closed":"Failure"}',
            ["RcEra", "UnknownVariant"],
            '{"Closed":"Failure"}',
        ),
        (
            "receiver",
            "rc-era CommittedOutputs as a newtype list of outputs",
            ["RcEra", "WrongShape"],
            '{"CommittedOutputs":[' + _TXOUT + "]}",
        ),
        ("receiver", "Closed(Success) without its txid", ["WrongShape"], '{"Closed":"Success"}'),
        (
            "receiver",
            "the sender's Created as a receiver event (its 32-byte reply_key is no public key)",
            ["WrongRole"],
            S_CREATED,
        ),
        (
            "sender",
            "the receiver's Created as a sender event",
            ["WrongRole", "MissingField"],
            R_CREATED,
        ),
        (
            "receiver",
            "the sender's PostedOriginalPsbt as a receiver event",
            ["WrongRole", "UnknownVariant"],
            SENDER_EVENTS["S2 PostedOriginalPsbt"],
        ),
        (
            "receiver",
            "the sender's Cancelled (empty tuple) as a receiver event (unit)",
            ["WrongRole", "WrongShape"],
            SENDER_EVENTS["S3 Cancelled"],
        ),
        (
            "sender",
            "the receiver's Cancelled (unit) as a sender event (empty tuple)",
            ["WrongRole", "WrongShape"],
            RECEIVER_EVENTS["R13 Cancelled"],
        ),
        (
            "sender",
            "the receiver's Closed(FallbackBroadcasted) as a sender event",
            ["WrongRole", "UnknownVariant"],
            RECEIVER_EVENTS["R15 Closed FallbackBroadcasted"],
        ),
        (
            "receiver",
            "the sender's Closed(Success(psbt)) as a receiver event",
            ["WrongRole", "WrongShape"],
            SENDER_EVENTS["S5 Closed Success"],
        ),
        (
            "sender",
            "the receiver's Closed(Success(txid)) as a sender event",
            ["WrongRole", "WrongShape"],
            RECEIVER_EVENTS["R15 Closed Success"],
        ),
        ("receiver", "Created cut 7 characters short", ["MalformedJson"], R_CREATED[:-7]),
        ("sender", "Created cut 1 character short", ["MalformedJson"], S_CREATED[:-1]),
        ("receiver", "an empty text", ["MalformedJson"], ""),
        (
            "receiver",
            "trailing bytes after the event",
            ["MalformedJson"],
            '{"CheckedInputsNotOwned":[]}x',
        ),
        (
            "receiver",
            "garbage: NUL, DEL and replacement characters",
            ["MalformedJson"],
            "\x00\x7f\ufffd\x01",
        ),
        (
            "sender",
            "garbage: a CBOR envelope read as text",
            ["MalformedJson"],
            "\xa4av\x01drolefsender",
        ),
        (
            "receiver",
            "IdentifiedReceiverOutputs: 2^64 does not fit a usize/u64",
            ["OutOfRange"],
            '{"IdentifiedReceiverOutputs":[18446744073709551616]}',
        ),
        (
            "receiver",
            "IdentifiedReceiverOutputs: a negative index",
            ["OutOfRange"],
            '{"IdentifiedReceiverOutputs":[-1]}',
        ),
        (
            "receiver",
            "Created: max_fee_rate 2^64",
            ["OutOfRange"],
            _replace(R_CREATED, '"max_fee_rate":250', '"max_fee_rate":18446744073709551616'),
        ),
        (
            "receiver",
            "Created: expiration 2^32 does not fit a u32",
            ["OutOfRange"],
            _replace(R_CREATED, '"expiration":1800000000', '"expiration":4294967296'),
        ),
        (
            "receiver",
            "Created: a key byte of 256",
            ["OutOfRange"],
            _replace(R_CREATED, _SECRET_25, '"receiver_key":[[256,'),
        ),
        (
            "receiver",
            "Created: an all-zero secret key",
            ["OutOfRange"],
            _replace(
                R_CREATED,
                R_CREATED[R_CREATED.index(_SECRET_25) : R_CREATED.index("],[4,32,")],
                '"receiver_key":[[' + ",".join(["0"] * 32),
            ),
        ),
        (
            "sender",
            "Created: expiration 2^32",
            ["OutOfRange"],
            _replace(S_CREATED, '"expiration":1736218741', '"expiration":4294967296'),
        ),
        (
            "receiver",
            "Created: a 31-byte secret key",
            ["WrongKeyLength"],
            _replace(R_CREATED, '"receiver_key":[[25,19,', '"receiver_key":[[19,'),
        ),
        (
            "receiver",
            "Created: a 64-byte public key",
            ["WrongKeyLength"],
            _replace(R_CREATED, receiver_public, receiver_public.rsplit(",", 1)[0]),
        ),
        (
            "receiver",
            "RetrievedOriginalPayload: a 32-byte reply key",
            ["WrongKeyLength"],
            _replace(
                RECEIVER_EVENTS["R2 RetrievedOriginalPayload"],
                '"reply_key":null',
                '"reply_key":[' + ",".join(["7"] * 32) + "]",
            ),
        ),
        (
            "receiver",
            "RetrievedOriginalPayload: a 33-byte compressed reply key (payjoin reads 65 only)",
            ["WrongKeyLength"],
            _replace(
                RECEIVER_EVENTS["R2 RetrievedOriginalPayload"],
                '"reply_key":null',
                '"reply_key":[2' + ",7" * 32 + "]",
            ),
        ),
        (
            "sender",
            "Created: a 7-byte mailbox id",
            ["WrongKeyLength"],
            _replace(
                S_CREATED, '"id":[89,165,132,89,118,55,249,193]', '"id":[89,165,132,89,118,55,249]'
            ),
        ),
        (
            "sender",
            "Created: a 9-byte mailbox id",
            ["WrongKeyLength"],
            _replace(
                S_CREATED,
                '"id":[89,165,132,89,118,55,249,193]',
                '"id":[89,165,132,89,118,55,249,193,0]',
            ),
        ),
        (
            "sender",
            "Created: a 64-byte receiver_pubkey",
            ["WrongKeyLength"],
            _replace(S_CREATED, receiver_pubkey, receiver_pubkey.rsplit(",", 1)[0]),
        ),
        (
            "sender",
            "Created: a 33-byte reply secret key",
            ["WrongKeyLength"],
            _replace(S_CREATED, '"reply_key":[144,', '"reply_key":[1,144,'),
        ),
        (
            "receiver",
            "Closed(Success): a 31-byte txid",
            ["WrongKeyLength"],
            '{"Closed":{"Success":"' + "0" * 62 + '"}}',
        ),
    ]


def _lenient_cases() -> list[tuple[Any, ...]]:
    return [
        (
            "receiver",
            "Created with an unknown extra field (payjoin ignores it)",
            ["SerdeLeniency"],
            R_CREATED[:-2] + ',"future_field":[1,2,3]}}',
        ),
        (
            "sender",
            "Created with an unknown extra field inside psbt_ctx and at the top",
            ["SerdeLeniency"],
            _replace(S_CREATED, '"psbt_ctx":{', '"psbt_ctx":{"extra":null,')[:-2] + ',"x":{}}}',
        ),
        (
            "receiver",
            "CommittedOutputs as a sequence of its fields (serde's derive reads struct variants "
            "from sequences; payjoin accepts, the reference refuses)",
            ["SerdeLeniency", "StructAsSequence"],
            '{"CommittedOutputs":[[],1]}',
            '{"CommittedOutputs":{"outputs":[],"change_vout":1}}',
        ),
        (
            "receiver",
            '{"Cancelled":null} for the unit variant',
            ["SerdeLeniency"],
            '{"Cancelled":null}',
        ),
        (
            "receiver",
            '{"ProtocolFailed":null} for the unit variant',
            ["SerdeLeniency"],
            '{"ProtocolFailed":null}',
        ),
        (
            "receiver",
            '{"Closed":{"Aborted":null}} for the unit outcome',
            ["SerdeLeniency"],
            '{"Closed":{"Aborted":null}}',
        ),
        (
            "sender",
            '{"Closed":{"Aborted":null}} for the unit outcome',
            ["SerdeLeniency"],
            '{"Closed":{"Aborted":null}}',
        ),
    ]


def _hostile_group(ids: CaseIds) -> Json:
    tests = [_invalid(ids, *case) for case in _hostile_cases()]
    return {"type": "EventDecodeError", "tests": tests}


def _lenient_group(ids: CaseIds) -> Json:
    tests = [_acceptable(ids, case) for case in _lenient_cases()]
    return {"type": "EventLenient", "tests": tests}


def _duplicate_key_cases() -> list[tuple[str, str, list[str], str]]:
    """Keys repeated inside one object: refused for struct fields and enum tags, as serde does."""
    success = '"Success":"' + "0" * 64 + '"'
    return [
        (
            "receiver",
            "Created with max_fee_rate given twice",
            ["DuplicateKey"],
            R_CREATED.replace('"max_fee_rate":250', '"max_fee_rate":250,"max_fee_rate":1', 1),
        ),
        (
            "receiver",
            "Closed with its Success tag given twice",
            ["DuplicateKey"],
            '{"Closed":{' + success + "," + success + "}}",
        ),
    ]


def _float_group(ids: CaseIds) -> Json:
    """Found by the interop property test: 2.7892570206071026e-253 came back 2.789257020607102e-253
    (0x1.05c142c86ac77p-839 read as ...ac76p-839)."""
    text = (
        '{"GotReplyableError":{"error_code":"Unavailable","message":"m",'
        '"extra":{"x":2.7892570206071026e-253}}}'
    )
    comment = "a float in JsonReply.extra that only a correctly rounded parser keeps exact"
    return {
        "type": "EventRoundtrip",
        "role": "receiver",
        "tests": [_valid(ids, "receiver", comment, ["FloatRoundTrip"], text)],
    }


def _duplicate_key_group(ids: CaseIds) -> Json:
    tests = [_invalid(ids, *case) for case in _duplicate_key_cases()]
    return {"type": "EventDecodeError", "tests": tests}


def _respelt(ids: CaseIds, role: str, comment: str, flags: list[str], text: str) -> Json:
    """A text the codec reads but writes otherwise: expected is the re-encoded text."""
    return _roundtrip(ids, role, comment, flags, text, canonical=False)


def _json_edge_group(ids: CaseIds) -> Json:
    """Numbers at serde_json's edges: floats in extra, non-numbers, integer fields."""
    respelt, canonical, refused_floats = float_cases()
    refused_ints, kept = integer_cases()
    extra = '"extra":{"x":'
    tests = [
        *(_respelt(ids, "receiver", f"extra holds {t[t.index(extra) + 13 : -3]} (respelt)",
                   ["FloatSpelling"], t) for t in respelt),
        *(_valid(ids, "receiver", f"extra holds {t[t.index(extra) + 13 : -3]}",
                 ["FloatCanonical"], t) for t in canonical),
        *(_invalid(ids, *case) for case in refused_floats),
        *(_invalid(ids, *case) for case in refused_ints),
        *(_valid(ids, role, comment, ["IntegerField"], text) for role, comment, text in kept),
    ]  # fmt: skip
    return {"type": "EventJsonEdges", "tests": tests}


def _field_edge_group(ids: CaseIds) -> Json:
    """Every field codec at its edges (:mod:`.events_field_edges`): keys, key configs, address
    case, field order and absent options, enum payload shapes, lone surrogates, float spellings
    serde_json and Python part on, i64's lower edge."""
    tests = [
        *(_invalid(ids, *case) for case in field_edges.refused_cases()),
        *(_valid(ids, *case) for case in field_edges.kept_cases()),
        *(_respelt(ids, *case) for case in field_edges.respelt_cases()),
    ]
    return {"type": "EventJsonEdges", "tests": tests}


def generate() -> Json:
    ids = CaseIds()
    groups = [
        _roundtrip_group(ids, "receiver"),
        _roundtrip_group(ids, "sender"),
        _hostile_group(ids),
        _lenient_group(ids),
        _duplicate_key_group(ids),  # groups are appended, so earlier tcIds stay as published
        _float_group(ids),
        _json_edge_group(ids),
        _field_edge_group(ids),
    ]
    return envelope(FAMILY, module=__name__, sources=SOURCES, notes=NOTES, groups=groups)
