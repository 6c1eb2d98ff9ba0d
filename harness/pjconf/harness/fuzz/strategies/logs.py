"""``replay``: logs of both roles with every mutation the ``hostile`` family knows, and more.

The seeds are the corpus's replay logs (every prefix of every driven path). A drawn log is cut,
has an event replaced by garbage, duplicated, swapped with its neighbour, appended after the end
(the same log's events or the other role's), renamed to an unknown variant, stripped of a field
of its ``Created`` context, replaced by the other role's log, given numbers past their Rust
types, lengthened by repeated ``Closed`` events, or has one event edited as JSON; ``now`` moves
across the expiry now and then.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pjconf.harness.fuzz.draw import Draw
from pjconf.harness.fuzz.seeds import seeds
from pjconf.harness.fuzz.strategies import Target, Tools
from pjconf.harness.fuzz.strategies.mutate import (
    INTERESTING_NUMBERS,
    compact,
    json_value,
    mutate_json,
    mutate_text,
)
from pjconf.protocol.wire import JsonObject

OP = "replay"
GARBAGE = ("", "\u0000\u00ff garbage", "null", "42", "{}", "[]", '"Closed"', '{"Teleported":[]}')


@dataclass(frozen=True)
class Log:
    events: tuple[str, ...]
    now: int
    """The seed's clock, kept as it is: an implementation whose library reads the real clock
    for expiry (payjoin 1.0 does) sees the same verdict only at the corpus's ``now``."""


@cache
def _logs(root: Path | None, left_out: frozenset[str]) -> dict[str, list[Log]]:
    found: dict[str, list[Log]] = {"receiver": [], "sender": []}
    for args in seeds(OP, root, left_out):
        events, role, now = args.get("events"), args.get("role"), args.get("now")
        if role in found and isinstance(events, list) and isinstance(now, int):
            found[str(role)].append(Log(tuple(str(e) for e in events), now))
    return found


def _context(role: str, created: Any) -> Any:
    """The object holding a ``Created`` event's session fields (the sender's sits deeper)."""
    if not isinstance(created, dict) or not isinstance(created.get("Created"), dict):
        return None
    inner = created["Created"]
    return (
        inner.get("pj_param")
        if role == "sender" and isinstance(inner.get("pj_param"), dict)
        else inner
    )


def _mangle_created(draw: Draw, role: str, text: str) -> str:
    try:
        value = json.loads(text)
    except ValueError:  # an earlier mutation broke it already
        return text
    context = _context(role, value)
    if not isinstance(context, dict) or not context:
        return text
    field = draw.pick(sorted(context))
    if draw.boolean():
        del context[field]
    else:
        context[field] = draw.pick(INTERESTING_NUMBERS) if draw.boolean() else json_value(draw)
    return compact(value)


def _mutate(draw: Draw, role: str, events: list[str], logs: dict[str, list[Log]]) -> list[str]:
    n = len(events)
    at = draw.below(n) if n else 0
    kind = draw.below(12)
    if kind == 0 and n:  # Truncated
        text = events[at]
        return [*events[:at], text[: draw.below(len(text) + 1)], *events[at + 1 :]]
    if kind == 1:  # Garbage
        return [*events[:at], draw.pick(GARBAGE), *events[at:]]
    if kind == 2 and n:  # Duplicated
        return [*events[: at + 1], events[at], *events[at + 1 :]]
    if kind == 3 and n > 1:  # Reordered
        at = min(at, n - 2)
        return [*events[:at], events[at + 1], events[at], *events[at + 2 :]]
    other = logs["sender" if role == "receiver" else "receiver"]
    if kind == 4:  # AfterClosed, the same or the other role's events
        pool = list(draw.pick(other).events) if other and draw.chance(3) else events
        return [*events, draw.pick(pool)] if pool else events
    if kind == 5 and n:  # MissingField / HugeNumber in Created
        return [_mangle_created(draw, role, events[0]), *events[1:]]
    if kind == 6:  # WrongRole
        return list(draw.pick(other).events) if other else events
    if kind == 7 and n:  # LongLog
        return [*events, *[events[-1]] * (1 + draw.below(200))]
    if kind == 8 and n:  # an event edited as text
        return [*events[:at], mutate_text(draw, events[at]), *events[at + 1 :]]
    if kind == 9 and n:  # cut the log short
        return events[: draw.below(n)]
    if n:  # an event edited as JSON
        try:
            edited = compact(mutate_json(draw, json.loads(events[at])))
        except ValueError:
            return events
        return [*events[:at], edited, *events[at + 1 :]]
    return events


def replay_args(draw: Draw, tools: Tools) -> JsonObject:
    logs = _logs(tools.vectors, tools.left_out)
    role = draw.pick(("receiver", "sender"))
    seed = draw.pick(logs[role])
    events = list(seed.events)
    for _ in range(draw.below(3)):
        events = _mutate(draw, role, events, logs)
    return {"role": role, "events": events, "now": seed.now}


def aspect(args: JsonObject) -> str:
    return str(args.get("role", ""))


TARGETS = [Target(OP, "logs", replay_args, aspect)]
