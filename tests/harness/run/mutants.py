"""Mutants of the reference adapter, shared by the tests that prove a harness command catches
them (``pjconf run``: test_run_catches_mutants.py; ``pjconf fuzz``: tests/harness/fuzz/).

Each mutant is the reference with one op's answers corrupted.
"""

from __future__ import annotations

from collections.abc import Callable

from pjconf.protocol.wire import JsonObject
from pjconf.reference.adapter.dispatch import InProcessAdapter
from pjconf.reference.adapter.ops import reference_adapter

Mutation = Callable[[JsonObject], JsonObject]


def flip_first_byte(field: str) -> Mutation:
    def mutate(result: JsonObject) -> JsonObject:
        value = result[field]
        return {**result, field: f"{int(value[:2], 16) ^ 1:02x}{value[2:]}"}

    return mutate


def mutant(op: str, mutate: Mutation) -> InProcessAdapter:
    handlers = dict(reference_adapter().handlers)
    original = handlers[op]
    handlers[op] = lambda args: mutate(original(args))
    return InProcessAdapter("mutant", "0", handlers)


def refuse_everything(result: JsonObject) -> JsonObject:
    raise ValueError("refuses")


# -- session mutants ------------------------------------------------------------------------------


def other_state(result: JsonObject) -> JsonObject:
    state = result.get("state")
    return {**result, "state": "Monitor" if state != "Monitor" else "Initialized"}


def extra_event(result: JsonObject) -> JsonObject:
    appended = result.get("appended") or []
    return {**result, "appended": [*appended, *(appended[:1] or ['"Cancelled"'])]}


def never_closed(result: JsonObject) -> JsonObject:
    return {**result, "closed": False}


def flip_event_byte(result: JsonObject) -> JsonObject:
    text = result["event"]
    return {**result, "event": text[:-2] + ("0" if text[-2] != "0" else "1") + text[-1]}


SESSION_MUTANTS = [
    # (op, mutation, the case ops that must FAIL, a case that must be among them)
    # A wrong replay state also breaks every driven session; session.new_sender's refusals keep
    # their witnesses (run/witness.py): the builder's accepted boundary cases.
    ("replay", other_state, {"replay", "session.drive"}, "replay/1"),
    ("session.call", extra_event, {"session.call", "session.drive"}, None),
    ("session.call", never_closed, {"session.call", "session.drive"}, "Close"),
    ("session.call", other_state, {"session.call", "session.drive"}, "Accepts"),
    (
        "session.resume",
        other_state,
        {"session.call", "session.drive", "session.request"},
        "WalletError",
    ),
    ("event.roundtrip", flip_event_byte, {"event.roundtrip"}, "events/1"),
]
