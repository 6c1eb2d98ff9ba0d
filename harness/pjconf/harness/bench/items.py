"""What ``pjconf bench`` times: an op, the arguments it is timed on, and how the untimed first
answer of ``bench`` is checked, so that what was timed is what was meant.

Crypto-core inputs are vector cases (one ``valid`` case per op, chosen for being an everyday
input rather than an edge), checked by the runner's own checker. Event, replay and whole-session
inputs are made by the reference (a seeded session, driven as the corpus's session families
are), and an implementation's answer must equal the reference's on the fields that every
implementation shares. Replay logs grow from 10 to 1,000 events by repeating the log's closing
event, the shape of the ``hostile`` family's long log (``LongLog``), which payjoin 1.0 and the
reference replay alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from pjconf.harness.bench.floors import Floor, floor_of
from pjconf.harness.corpus.load import Case
from pjconf.harness.implementations.client import Client, Reply
from pjconf.harness.implementations.reference import (
    SESSION_WHOLE,
    reference_client,
    session_whole_args,
)
from pjconf.harness.run.checker import Verdict, judge
from pjconf.harness.vectorgen.session_logs import drive_reference, prefixes, replay_args
from pjconf.protocol.events import variant_name
from pjconf.protocol.wire import JsonObject

Check = Callable[[JsonObject], str | None]
"""Judges the untimed first result of ``bench``: None when it is the answer meant, else why not."""

GROUPS = ("crypto", "events", "replay", "session")
CRYPTO_OPS = (
    "hpke.seal",
    "hpke.open",
    "bip77.msg_a.seal",
    "bip77.msg_a.open",
    "bip77.msg_b.seal",
    "bip77.msg_b.open",
    "ellswift.encode",
    "ellswift.decode",
    "ohttp.request.seal",
    "ohttp.request.open",
    "ohttp.response.seal",
    "ohttp.response.open",
    "bhttp.request.encode",
    "bhttp.request.decode",
    "ohttp.keys.decode",
    "uri.parse",
    "short_id",
)
"""The crypto core, in the order the table shows it."""
LOG_LENGTHS = (10, 100, 1000)
"""Events in the replayed logs: how replay's cost grows with a log's length."""
SEED = "pjconf-bench"
"""Seeds the session whose events, logs and payment the benchmarks replay and run."""
REPLAY_PATHS = {"receiver": "cancel/WantsInputs", "sender": "success"}
"""The driven path whose closed log each role's replay benchmarks start from: the longest
closed log of at most 10 events (receiver 9, sender 3), so every length repeats its close."""
ROUNDTRIP_EVENTS = (
    ("receiver", "Created"),
    ("receiver", "FinalizedProposal"),
    ("sender", "Created"),
)
"""The events whose decode-and-encode is timed: the smallest and the largest (it holds a PSBT)."""
REPLAY_FIELDS = ("state", "status", "closed", "fallback_tx", "expired")
ROUNDTRIP_FIELDS = ("event",)
WHOLE_FIELDS = ("receiver", "sender")
"""The fields of each op's answer that every implementation must give as the reference does (a
whole session's payjoin txid differs: the receiver's input goes to a random position)."""

_PREFERRED = ("Bip77", "DerivedVector", "KnownBip77Key", "BitcoinHpkeKat")
_UNUSUAL = (
    "Zero",
    "Edge",
    "Max",
    "Min",
    "Boundary",
    "AuthMode",
    "LongSearch",
    "NotReduced",
    "Doubled",
    "Uncompressed",
    "ErrorReply",
    "Legacy",
    "Uppercase",
    "Unknown",
    "Bip78Fallback",
    "Trailers",
    "Truncated",
    "NonMinimal",
)
"""Flag fragments of an edge case: an everyday input is preferred to time."""


@dataclass(frozen=True)
class Item:
    """One benchmark: ``op`` timed on ``args``."""

    name: str
    group: str
    op: str
    args: JsonObject
    source: str
    """Where the input comes from (a vector case's name, or the reference's session)."""
    check: Check = field(compare=False)
    floor: Floor | None = field(default=None, compare=False)
    events: int = 0
    """The replayed log's length (replay benchmarks only)."""
    role: str = ""


def _everyday(case: Case) -> tuple[int, int, int]:
    unusual = sum(1 for flag in case.flags for part in _UNUSUAL if part in flag)
    preferred = sum(1 for flag in case.flags if flag in _PREFERRED)
    return unusual, -preferred, case.tc_id


def input_case(cases: Iterable[Case], op: str) -> Case | None:
    """The ``valid`` case of ``op`` to time it on: self-contained, least unusual."""
    candidates = [c for c in cases if c.op == op and c.result == "valid" and not c.setup]
    return min(candidates, key=_everyday, default=None)


def _case_check(case: Case) -> Check:
    def check(result: JsonObject) -> str | None:
        outcome = judge(case, Reply("result", result))
        if outcome.verdict in (Verdict.PASS, Verdict.ACCEPTABLE):
            return None
        return f"not the answer of vector {case.name}: {outcome.detail}"

    return check


def _same_as(expected: JsonObject, fields: Sequence[str], what: str) -> Check:
    def check(result: JsonObject) -> str | None:
        got = {k: result.get(k) for k in fields}
        wrong = [k for k in fields if got[k] != expected[k]]
        if not wrong:
            return None
        shown = ", ".join(f"{k}={_short(got[k])} (reference {_short(expected[k])})" for k in wrong)
        return f"not the reference's answer to {what}: {shown}"

    return check


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def crypto_items(cases: Sequence[Case]) -> list[Item]:
    """One item per crypto-core op that has a ``valid`` case to time it on."""
    items = []
    for op in CRYPTO_OPS:
        case = input_case(cases, op)
        if case is None:
            continue
        items.append(
            Item(op, "crypto", op, case.args, case.name, _case_check(case), floor_of(op, case.args))
        )
    return items


@dataclass(frozen=True)
class _Logs:
    """Each role's closed log of the replay path, and the success path's full logs."""

    closed: dict[str, tuple[str, ...]]
    full: dict[str, tuple[str, ...]]


def _logs() -> _Logs:
    def last(path: str, role: str) -> tuple[str, ...]:
        logs = prefixes(path, drive_reference(path, seed=SEED))
        return [log for log in logs if log.role == role][-1].events

    closed = {role: last(path, role) for role, path in REPLAY_PATHS.items()}
    full = {role: last("success", role) for role in ("receiver", "sender")}
    return _Logs(closed, full)


def _expected(reference: Client, op: str, args: JsonObject) -> JsonObject:
    reply = reference.call(op, args)
    if reply.kind != "result":
        raise AssertionError(f"the reference refused its own benchmark input ({op}): {reply}")
    return reply.value


def growing_log(events: Sequence[str], length: int) -> list[str]:
    """``events`` (a closed log of at most ``length`` events) with its last event repeated until
    the log is ``length`` long."""
    if len(events) > length:
        raise ValueError(f"a log of {len(events)} events cannot grow to {length}")
    return [*events, *[events[-1]] * (length - len(events))]


def session_items(reference: Client, groups: Iterable[str]) -> list[Item]:
    """The event, replay and whole-session items of ``groups``, each input answered by the
    reference (``reference``) once to know what every implementation must answer."""
    wanted = set(groups)
    items: list[Item] = []
    logs = _logs() if wanted & {"events", "replay"} else None
    if logs is not None and "events" in wanted:
        for role, variant in ROUNDTRIP_EVENTS:
            (text,) = [t for t in logs.full[role] if variant_name(t) == variant]
            args: JsonObject = {"role": role, "event": text}
            expected = _expected(reference, "event.roundtrip", args)
            what = f"{role} {variant} (success path)"
            check = _same_as(expected, ROUNDTRIP_FIELDS, what)
            name = f"event.roundtrip/{role}/{variant}"
            items.append(Item(name, "events", "event.roundtrip", args, what, check, role=role))
    if logs is not None and "replay" in wanted:
        for role in ("receiver", "sender"):
            for length in LOG_LENGTHS:
                args = replay_args(role, growing_log(logs.closed[role], length))
                expected = _expected(reference, "replay", args)
                what = (
                    f"{role} log of path {REPLAY_PATHS[role]} ({len(logs.closed[role])} events) "
                    f"grown to {length} by repeating its close"
                )
                check = _same_as(expected, REPLAY_FIELDS, what)
                name = f"replay/{role}/{length}"
                items.append(
                    Item(name, "replay", "replay", args, what, check, events=length, role=role)
                )
    if "session" in wanted:
        args = session_whole_args(SEED)
        expected = _expected(reference, SESSION_WHOLE, args)
        what = "one payjoin v2 session, builder to Closed(Success) on both sides"
        check = _same_as(expected, WHOLE_FIELDS, what)
        items.append(Item(SESSION_WHOLE, "session", SESSION_WHOLE, args, what, check))
    return items


def all_items(cases: Sequence[Case], groups: Iterable[str]) -> list[Item]:
    """Every item of ``groups``, in table order."""
    wanted = list(groups)
    items = crypto_items(cases) if "crypto" in wanted else []
    return items + session_items(reference_client(seed=SEED), wanted)


def catalog() -> dict[str, tuple[str, str]]:
    """Every item's name -> (group, op), known without building any input."""
    names: dict[str, tuple[str, str]] = {op: ("crypto", op) for op in CRYPTO_OPS}
    for role, variant in ROUNDTRIP_EVENTS:
        names[f"event.roundtrip/{role}/{variant}"] = ("events", "event.roundtrip")
    for role in REPLAY_PATHS:
        for length in LOG_LENGTHS:
            names[f"replay/{role}/{length}"] = ("replay", "replay")
    names[SESSION_WHOLE] = ("session", SESSION_WHOLE)
    return names


class UnknownSelection(ValueError):
    """An ``--ops`` word that names no group, op or item."""


def select_names(words: Iterable[str]) -> list[str]:
    """The item names ``words`` select, in table order: a group (``crypto``), an op (``replay``:
    all of its items), an item (``replay/sender/100``) or the start of one's name before a ``/``
    (``replay/sender``). No words: every item."""
    known = catalog()
    chosen: set[str] = set()
    for word in words:
        found = {
            name
            for name, (group, op) in known.items()
            if word in (group, op, name) or name.startswith(f"{word}/")
        }
        if not found:
            raise UnknownSelection(word)
        chosen |= found
    return [name for name in known if name in chosen] if chosen else list(known)
