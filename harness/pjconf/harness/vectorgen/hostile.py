"""The ``hostile`` family: corrupt and malicious logs, each of which must fail closed.

A store can hand an implementation anything: a record cut short by a crash, bytes that are not
JSON, events duplicated or reordered by a buggy sync, an event appended after the session
closed, a variant from another release, a missing field, the other role's log, numbers past
their type. Each case replays such a log (``replay``) and expects the error kind payjoin 1.0
gives: ``DecodeError`` for what serde refuses, ``InvalidEvent``/``InvalidFirstEvent`` for what
``process_event`` refuses. Where payjoin 1.0 accepts a mangled log (a duplicated ``Closed``, a
missing ``Option`` field) the case says so and expects the state it replays to.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pjconf.harness.vectorgen import CaseIds, Json, envelope, texts
from pjconf.harness.vectorgen.session_logs import (
    ROLES,
    Replayer,
    drive_reference,
    prefixes,
    replay_args,
)
from pjconf.protocol.events import variant_name

FAMILY = "hostile"
PATH = "session/hostile.json"
SEED = "pjconf/hostile"

NOTES: dict[str, Json] = {
    texts.FLAG: texts.NOTE,
    "Truncated": {
        "description": "An event text cut short, as a crash mid-write leaves it.",
        "effect": "Must be refused (DecodeError); reading a prefix as an event is data loss.",
    },
    "Garbage": {
        "description": "An event that is not JSON, or JSON that is no event (null, a number, "
        "an empty object, an array, a BOM, trailing bytes).",
        "effect": "Must be refused (DecodeError), never crash.",
    },
    "Duplicated": {
        "description": "One event of a valid log written twice in a row.",
        "effect": "Refused where process_event refuses the pair; payjoin 1.0 accepts a "
        "repeated Closed (the last one wins).",
    },
    "Reordered": {
        "description": "Two adjacent events of a valid log swapped.",
        "effect": "Must be refused (InvalidEvent or InvalidFirstEvent).",
    },
    "AfterClosed": {
        "description": "An event appended after Closed.",
        "effect": "Refused (InvalidEvent), except GotReplyableError, which payjoin 1.0 ignores "
        "after Closed, and another Closed.",
    },
    "UnknownVariant": {
        "description": "An event variant payjoin 1.0 does not have.",
        "effect": "Must be refused (DecodeError), not skipped.",
    },
    "MissingField": {
        "description": "Created with one field of its context removed.",
        "effect": "Refused (DecodeError) unless the field is an Option, which serde reads as None.",
    },
    "WrongRole": {
        "description": "The other role's events replayed as this role's log.",
        "effect": "Must be refused (DecodeError): the two SessionEvent enums differ.",
    },
    "HugeNumber": {
        "description": "A number past its Rust type (u32 expiration, u64 amounts and fee "
        "rates), negative, or fractional.",
        "effect": "Must be refused (DecodeError), never wrapped or truncated.",
    },
    "LongLog": {
        "description": "A closed log followed by a thousand more Closed events (accepted: the "
        "last one wins).",
        "effect": "An implementation with a fixed log limit, or quadratic replay, fails here.",
    },
    "InputMapCount": {
        "description": "The Original PSBT inside an event with one input map more, or one "
        "fewer, than its transaction has inputs: a PSBT the binary form cannot carry but the "
        "JSON of a session event can.",
        "effect": "Must never crash the replay. payjoin 1.0 reads it and pairs maps with inputs "
        "as rust-bitcoin's extract_tx does (surplus maps ignored, an input without a map kept "
        "as unsigned); refusing it is as good (BIP 174: one input map per input).",
    },
    "ClosedFromAnyState": {
        "description": "payjoin 1.0 quirk: another Closed after Closed is accepted and the last "
        "one wins (session-log P6); the live path never writes two.",
        "effect": "A stricter implementation refuses a log no binding writes.",
    },
    "IgnoredAfterClosed": {
        "description": "payjoin 1.0 quirk: GotReplyableError after Closed is ignored.",
        "effect": "A stricter implementation refuses a log no binding writes.",
    },
}

SOURCES: list[Json] = [
    {
        "name": "payjoin 1.0.0: receive/v2/session.rs, send/v2/session.rs; serde_json 1.0",
        "url": "https://github.com/payjoin/rust-payjoin",
        "revision": "60d0adbf",
        "note": "Error kinds as payjoin 1.0 reports them through the adapter protocol.",
    },
]

Mangle = Callable[[Any], None]


def _edit(text: str, mangle: Mangle) -> str:
    value = json.loads(text)
    mangle(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _context_of(role: str, created: Any) -> Any:
    return created["Created"] if role == "receiver" else created["Created"]["pj_param"]


_AFTER_CLOSED_QUIRK = ("Duplicated", "AfterClosed", "LongLog")
"""The groups whose accepted logs go on after Closed, which only payjoin 1.0's leniency allows."""


def _original_psbt(role: str, event: Any) -> Any | None:
    """The Original PSBT (JSON) an event of ``role`` carries, or None."""
    if role == "sender" and "Created" in event:
        return event["Created"]["psbt_ctx"]["original_psbt"]
    if role == "receiver" and "RetrievedOriginalPayload" in event:
        return event["RetrievedOriginalPayload"]["original"]["psbt"]
    return None


def _resized_input_maps(role: str, events: list[str], more: bool) -> list[str]:
    """``events`` with one input map added to (a copy of the first) or dropped from the
    Original PSBT."""

    def resize(value: Any) -> None:
        psbt = _original_psbt(role, value)
        if psbt is not None:
            if more:
                psbt["inputs"].append(psbt["inputs"][0])
            else:
                psbt["inputs"].pop()

    return [
        _edit(e, resize) if _original_psbt(role, json.loads(e)) is not None else e for e in events
    ]


def _after_closed_quirk(last: str) -> str:
    return (
        "IgnoredAfterClosed" if variant_name(last) == "GotReplyableError" else "ClosedFromAnyState"
    )


def generate() -> Json:
    ids = CaseIds()
    replayer = Replayer(SEED)
    transcript = drive_reference("success", seed=SEED)
    full = {
        role: next(log for log in reversed(prefixes("success", transcript)) if log.role == role)
        for role in ROLES
    }
    groups: dict[str, list[Json]] = {}

    def add(flag: str, role: str, comment: str, events: list[str]) -> None:
        case = replayer.case(ids, f"{role}: {comment}", [flag], replay_args(role, events))
        if case["result"] == "valid" and flag in _AFTER_CLOSED_QUIRK:
            case["flags"].append(_after_closed_quirk(events[-1]))
        groups.setdefault(flag, []).append(case)

    for role in ROLES:
        events = list(full[role].events)
        other = list(full["sender" if role == "receiver" else "receiver"].events)
        last = events[-1]
        half = last[: len(last) // 2]
        add("Truncated", role, "the last event cut in half", [*events[:-1], half])
        add("Truncated", role, "Created cut one byte short", [events[0][:-1], *events[1:]])
        add("Truncated", role, "an empty event text", [*events, ""])
        for label, junk in (
            ("not JSON", "\u0000\u00ff garbage"),
            ("null", "null"),
            ("a number", "42"),
            ("an empty object", "{}"),
            ("an empty array", "[]"),
            ("a byte-order mark before the event", "\ufeff" + last),
            ("trailing bytes after the event", last + " x"),
            ("two events in one record", last + last),
        ):
            add("Garbage", role, label, [*events, junk])
        for i in range(1, len(events)):
            label = f"event {i} ({variant_name(events[i])}) written twice"
            add("Duplicated", role, label, [*events[: i + 1], events[i], *events[i + 1 :]])
        add("Duplicated", role, "Created written twice", [events[0], *events])
        for i in range(len(events) - 1):
            swapped = [*events[:i], events[i + 1], events[i], *events[i + 2 :]]
            label = f"events {i} and {i + 1} swapped"
            add("Reordered", role, label, swapped)
        seen: dict[str, str] = {}
        for text in events + other:
            seen.setdefault(variant_name(text), text)
        for variant, text in sorted(seen.items()):
            if variant != "Created" and text in events:
                add("AfterClosed", role, f"{variant} after Closed", [*events, text])
        add("UnknownVariant", role, "an event named Teleported", [*events, '{"Teleported":[]}'])
        rc_era = '{"Closed":"Failure"}'
        add("UnknownVariant", role, "an rc-era Closed(Failure)", [*events[:-1], rc_era])
        created = json.loads(events[0])
        for field in list(_context_of(role, created)):

            def drop(value: Any, field: str = field, role: str = role) -> None:
                del _context_of(role, value)[field]

            add("MissingField", role, f"Created without {field}", [_edit(events[0], drop)])
        add("WrongRole", role, "the other role's log", other)
        add("WrongRole", role, "the other role's Created first", [other[0], *events[1:]])
        for label, number in (
            ("2^32", 2**32),
            ("2^64", 2**64),
            ("10^30", 10**30),
            ("-1", -1),
            ("1.5", 1.5),
        ):

            def expiration(value: Any, number: Any = number, role: str = role) -> None:
                _context_of(role, value)["expiration"] = number

            add("HugeNumber", role, f"expiration {label}", [_edit(events[0], expiration)])
        if role == "receiver":
            for field in ("amount", "max_fee_rate"):

                def too_big(value: Any, field: str = field) -> None:
                    value["Created"][field] = 2**64

                add("HugeNumber", role, f"{field} 2^64", [_edit(events[0], too_big)])
        add("LongLog", role, "1,001 Closed events", [*events, *[last] * 1000])
    for role in ROLES:  # after every older group, so that their tcIds stay
        events = list(full[role].events)
        for more, label in ((True, "one input map more than"), (False, "one input map fewer than")):
            comment = f"the Original PSBT has {label} its transaction has inputs"
            add("InputMapCount", role, comment, _resized_input_maps(role, events, more))
    ordered = [{"type": flag, "tests": tests} for flag, tests in groups.items()]
    return envelope(FAMILY, module=__name__, sources=SOURCES, notes=NOTES, groups=ordered)
