"""Plain replay across implementations: every prefix of a log one implementation wrote, replayed
by another, must come out as the writer's own replay of it does."""

from __future__ import annotations

from typing import Final

from pjconf.harness.excerpt import excerpt
from pjconf.harness.implementations.client import Client
from pjconf.harness.sessions.drive import NOW
from pjconf.harness.sessions.driver import Role
from pjconf.protocol.wire import JsonObject

FIELDS: Final = ("state", "status", "closed", "fallback_tx", "expired")
"""What two replays of one log must agree on (``replay``'s result in the adapter protocol)."""


def replayed(client: Client, role: Role, events: list[str]) -> JsonObject:
    """What ``client`` makes of ``events``: the compared fields, or the kind of its refusal
    (an error's kind; ``unimplemented``; a malfunction's message)."""
    reply = client.call("replay", {"role": role, "events": events, "now": NOW})
    if reply.kind == "result":
        return {name: reply.value.get(name) for name in FIELDS}
    if reply.kind == "error":
        return {"error": reply.value.get("kind")}
    return {reply.kind: str(reply.value.get("message", ""))}


def disagreement(writer: JsonObject, reader: JsonObject) -> str | None:
    """None when the two replays agree, else what differs, the writer's side first."""
    if writer == reader:
        return None
    if set(writer) != set(reader):  # one replayed, the other refused (or both, differently)
        return f"the writer's replay gives {_said(writer)}, the reader's {_said(reader)}"
    return "; ".join(
        f"{key}: {_value(writer[key])} (writer) vs {_value(reader[key])} (reader)"
        for key in writer
        if writer[key] != reader[key]
    )


def _said(replay: JsonObject) -> str:
    if "state" in replay:
        return f"state {replay['state']!r} (status {replay.get('status')!r})"
    return ", ".join(f"{kind} {_value(text)}" for kind, text in replay.items())


def _value(value: object) -> str:
    """A value as the page shows it: a transaction's hex is cut short."""
    return excerpt(repr(value), 40)


def prefixes(events: list[str]) -> list[list[str]]:
    """Every non-empty prefix, shortest first: each is a log as it stood at a save."""
    return [events[:n] for n in range(1, len(events) + 1)]
