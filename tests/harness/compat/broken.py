"""Implementations that break compatibility on purpose, each in one way, around the reference."""

from __future__ import annotations

from pjconf.harness.compat.model import Member
from pjconf.harness.implementations.client import Client, InProcessClient, Reply
from pjconf.harness.implementations.reference import reference_client
from pjconf.protocol.wire import JsonObject


class Wrapped:
    """The reference, with one op's answer changed by :meth:`alter`."""

    def __init__(self) -> None:
        self.inner: InProcessClient = reference_client()

    def call(self, op: str, args: JsonObject) -> Reply:
        return self.alter(op, args, self.inner.call(op, self.before(op, args)))

    def before(self, op: str, args: JsonObject) -> JsonObject:
        return args

    def alter(self, op: str, args: JsonObject, reply: Reply) -> Reply:
        return reply

    def close(self) -> None:
        self.inner.close()


class ForgetsTheLastEvent(Wrapped):
    """Resumes a receiver from all but the last event of its log: the wrong state."""

    def before(self, op: str, args: JsonObject) -> JsonObject:
        events = args.get("events")
        if op == "session.resume" and args.get("role") == "receiver" and isinstance(events, list):
            return {**args, "events": events[:-1] or events}
        return args


class ReportsNoFallback(Wrapped):
    """Replays every receiver log as if no fallback transaction were known."""

    def alter(self, op: str, args: JsonObject, reply: Reply) -> Reply:
        if op == "replay" and reply.kind == "result" and args.get("role") == "receiver":
            return Reply("result", {**reply.value, "fallback_tx": None})
        return reply


class RenamesCancelled(Wrapped):
    """Writes its receiver's ``Cancelled`` event under another name (what a renamed event
    variant in a new version would do); its own log still reads back."""

    def alter(self, op: str, args: JsonObject, reply: Reply) -> Reply:
        if reply.kind != "result":
            return reply
        return Reply("result", _renamed(reply.value))

    def before(self, op: str, args: JsonObject) -> JsonObject:
        events = args.get("events")
        if isinstance(events, list):
            return {
                **args,
                "events": [str(e).replace('"Abandoned"', '"Cancelled"') for e in events],
            }
        return args


def _renamed(value: JsonObject) -> JsonObject:
    out = dict(value)
    for key in ("events", "appended"):
        if isinstance(out.get(key), list):
            out[key] = [str(e).replace('"Cancelled"', '"Abandoned"') for e in out[key]]
    return out


def member(label: str, client: Client | None = None, spec: str = "reference") -> Member:
    return Member(label, spec, client if client is not None else reference_client())
