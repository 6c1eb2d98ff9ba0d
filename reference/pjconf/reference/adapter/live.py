"""What the reference's live sessions share, whichever role: handles, contexts, argument readers,
the error-kind rule, creation, resume and requests (:class:`RoleOps`) and the report of one saved
transition.

A live session is a log (:class:`InMemoryPersister`), the typestate it is in and the randomness
of its draws. :func:`step` saves a transition on the log and reports it as ``session.call`` /
``session.response`` do; :func:`edited` and :func:`refused` report a plain (unpersisted) edit.
Conventions the protocol leaves open follow the Rust adapter (``adapters/rust-payjoin/src/
live.rs``): handle and context names, ``InvalidState`` for a method of another typestate,
contexts single use and bound to the session that made them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pjconf.protocol.wire import ArgumentError, JsonObject, arg_int
from pjconf.reference.entropy import SYSTEM_CLOCK, Clock, FixedClock, RandomSource, SeededRandom
from pjconf.reference.errors import PjconfError
from pjconf.reference.persist import PersistAction, PersistedError, outcome_class
from pjconf.reference.persist.memory import InMemoryPersister
from pjconf.reference.session.receiver.errors import Error as ReceiveError
from pjconf.reference.session.receiver.errors import ProtocolError
from pjconf.reference.session.sender.errors import CreateRequestError, ResponseError
from pjconf.reference.session.sender.wire import OhttpResponse


class SessionOpError(PjconfError):
    """A live-session op refused before any transition ran: ``InvalidState`` (the method is not
    one of the current typestate's), ``Expired`` (a request past the session's expiration) or
    ``CreateRequestError``. The kinds are the Rust adapter's (``live.rs``)."""

    kind = "InvalidState"

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind  # type: ignore[misc]


def request_error(error: CreateRequestError) -> SessionOpError:
    """``Expired`` past the expiration, else ``CreateRequestError`` (as live.rs names them; the
    receiver's requests raise the sender's error type, as the crate's do)."""
    return SessionOpError("Expired" if error.is_expired() else "CreateRequestError", str(error))


# -- error kinds -----------------------------------------------------------------------------------

_RESPONSE_OWN_VARIANTS = ("WellKnown", "Unrecognized")
"""``send::ResponseError``'s public arms besides ``Validation``, which holds every other
failure of a poll (decapsulation, a reply that is not JSON, a bad PSBT, a failed check)."""


def error_kind(error: object) -> str:
    """The protocol's ``kind`` of a payjoin API error (docs/adapter-protocol.md, "Error kinds of
    live sessions"): the crate's public error type, then ``::Variant`` when that type is a
    public enum (``receive::Error``, ``receive::ProtocolError``, ``send::ResponseError``). The
    crate's opaque structs (``ImplementationError``, ``DecapsulationError``, ...) name the type
    alone, whatever internal variant the reference records."""
    if isinstance(error, ResponseError):
        variant = error.variant if error.variant in _RESPONSE_OWN_VARIANTS else "Validation"
        return f"ResponseError::{variant}"
    if isinstance(error, ReceiveError | ProtocolError):
        return f"{type(error).__name__}::{error.variant}"
    return type(error).__name__


def error_text(error: PjconfError) -> str:
    """``str()`` of a crate-texted error; a payjoin-module error without its ``Variant: ``
    prefix (its message is the crate's Display)."""
    variant = getattr(error, "variant", None)
    text = str(error)
    return text.removeprefix(f"{variant}: ") if isinstance(variant, str) else text


# -- arguments -------------------------------------------------------------------------------------


def handle_arg(args: JsonObject, name: str) -> str:
    """A handle: a string (a number is accepted and read as its decimal text, as live.rs does)."""
    value = args.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ArgumentError(f"`{name}` must be a string")
    return value


def clock_arg(args: JsonObject) -> Clock:
    """The injected clock: ``now`` (Unix seconds) when given, else the system clock."""
    return SYSTEM_CLOCK if args.get("now") is None else FixedClock(arg_int(args, "now"))


def seed_arg(args: JsonObject, default: RandomSource) -> RandomSource:
    """``seed`` gives a session its own stream; without one it draws from the adapter's."""
    seed = args.get("seed")
    if seed is None:
        return default
    if isinstance(seed, bool) or not isinstance(seed, int | str):
        raise ArgumentError("`seed` must be a string or an integer")
    return SeededRandom(seed)


def event_texts(args: JsonObject) -> list[str]:
    texts = args.get("events")
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise ArgumentError("`events` must be a list of JSON texts")
    return list(texts)


def opt_int(args: JsonObject, name: str) -> int | None:
    return None if args.get(name) is None else arg_int(args, name)


# -- sessions --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    """How one role's sessions are written and read back: event codec, replay, state names,
    and the ``Closed`` event and typestate that end a log."""

    name: str
    encode: Callable[[Any], str]
    decode: Callable[[str], Any]
    replay: Callable[..., tuple[Any, Any]]
    """The role's ``replay_event_log(persister, *, clock)``."""
    state_names: dict[type, str]
    closed_event: type[Any]
    closed_session: type[Any]

    def closed_state(self, events: list[Any]) -> Any:
        """The ``Closed`` typestate a closing transition leaves (it hands back no state): every
        transition of either role that closes its log writes ``Closed`` last."""
        last = events[-1] if events else None
        if not isinstance(last, self.closed_event):
            raise AssertionError("a transition left no typestate but the log is not closed")
        return self.closed_session(last.outcome)


@dataclass
class LiveSession:
    """One live session: its role, its log, its current typestate, the randomness of its draws."""

    role: Role
    persister: InMemoryPersister[Any]
    state: Any
    rng: RandomSource

    encoded: list[str] = field(default_factory=list, repr=False, compare=False)
    """The log's first events as texts, so far: a log only grows (and its events are frozen),
    and ``session.events`` is asked before and after every step of a driven session, so
    each event is encoded once rather than at every read."""

    def texts(self, start: int = 0) -> list[str]:
        events = self.persister.events
        self.encoded.extend(self.role.encode(e) for e in events[len(self.encoded) :])
        return self.encoded[start : len(events)]

    @property
    def state_name(self) -> str:
        return self.role.state_names[type(self.state)]

    def wrong_state(self, method: str) -> SessionOpError:
        return SessionOpError(
            "InvalidState", f"{method} is not a method of the {self.state_name} typestate"
        )


@dataclass
class SessionTable:
    """The handles of one adapter instance, and the single-use OHTTP contexts of its requests."""

    sessions: dict[str, LiveSession] = field(default_factory=dict)
    contexts: dict[str, tuple[str, OhttpResponse]] = field(default_factory=dict)
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def insert(self, session: LiveSession) -> str:
        handle = f"{session.role.name}-{next(self.counter)}"
        self.sessions[handle] = session
        return handle

    def get(self, args: JsonObject) -> tuple[str, LiveSession]:
        handle = handle_arg(args, "handle")
        session = self.sessions.get(handle)
        if session is None:
            raise ArgumentError(f"`handle`: no session {handle!r}")
        return handle, session

    def new_context(self, handle: str, ctx: OhttpResponse) -> str:
        context = f"pjconf-reference-session-ctx-{next(self.counter)}"
        self.contexts[context] = (handle, ctx)
        return context

    def check_context(self, handle: str, context: str) -> None:
        """Refuse a context that is unknown, used, or another session's (it stays unused)."""
        owner = self.contexts.get(context)
        if owner is None:
            raise ArgumentError("`context`: unknown or already used (contexts are single use)")
        if owner[0] != handle:
            raise ArgumentError("`context`: belongs to another session")

    def take_context(self, context: str) -> OhttpResponse:
        return self.contexts.pop(context)[1]

    def drop(self, handle: str) -> None:
        self.sessions.pop(handle, None)
        self.contexts = {k: v for k, v in self.contexts.items() if v[0] != handle}


class RoleOps:
    """What the ``session.*`` ops of either role share: the adapter's handle table and
    randomness, the results of ``new_*`` and ``resume``, and that of a request."""

    role: ClassVar[Role]

    def __init__(self, table: SessionTable, rng: RandomSource) -> None:
        self.table = table
        self.rng = rng

    def opened(
        self, persister: InMemoryPersister[Any], state: Any, rng: RandomSource
    ) -> JsonObject:
        """A session just created (its first transition saved) under a new handle."""
        session = LiveSession(self.role, persister, state, rng)
        handle = self.table.insert(session)
        return {"handle": handle, "state": session.state_name, "appended": session.texts()}

    def resume(self, args: JsonObject) -> JsonObject:
        """A session replayed from ``events`` under a new handle; a log that replays to
        ``Closed`` is closed (payjoin writes ``Closed`` only with ``SaveAndClose``)."""
        persister: InMemoryPersister[Any] = InMemoryPersister()
        for text in event_texts(args):
            persister.save_event(self.role.decode(text))
        state, _ = self.role.replay(persister, clock=clock_arg(args))
        if isinstance(state, self.role.closed_session):
            persister.close()
        session = LiveSession(self.role, persister, state, seed_arg(args, self.rng))
        handle = self.table.insert(session)
        return {"handle": handle, "state": session.state_name, "closed": persister.closed}

    def requested(self, handle: str, req: Any, ctx: OhttpResponse, created_by: str) -> JsonObject:
        """``session.request``'s result: the request, and a new context for its response."""
        return {
            "url": req.url,
            "method": "POST",  # every OHTTP request goes to the relay as a POST
            "content_type": req.content_type,
            "body": req.body.hex(),
            "context": self.table.new_context(handle, ctx),
            "created_by": created_by,
        }


# -- reports ---------------------------------------------------------------------------------------

OnValue = Callable[[Any], tuple[Any, JsonObject | None]]
"""What ``save`` returned -> (the next typestate or None when the session closed, ``value``)."""


def _report(session: LiveSession, outcome: str, before: int) -> JsonObject:
    return {
        "outcome": outcome,
        "appended": session.texts(before),
        "closed": session.persister.closed,
        "state": session.state_name,
    }


def step(session: LiveSession, transition: Any, on_value: OnValue) -> JsonObject:
    """Save ``transition`` on the session's log and report it as ``session.call`` does.

    ``outcome`` is :func:`outcome_class` of the transition's persist action and what ``save``
    gave back; a rejection hands back its transient or error state, and a transition that
    leaves none closed the session.
    """
    before = len(session.persister.events)
    action: PersistAction = transition.action
    error: JsonObject | None = None
    value: JsonObject | None = None
    try:
        saved = transition.save(session.persister)
    except PersistedError as e:
        outcome = outcome_class(action, e)
        api = e.api_error()
        error = {"kind": error_kind(api), "message": str(api)}
        following = e.transient_state() if e.is_transient() else e.fatal_state()
    else:
        outcome = outcome_class(action, saved)
        following, value = on_value(saved)
    if following is None:
        following = session.role.closed_state(session.persister.events)
    session.state = following
    out = _report(session, str(outcome), before)
    if error is not None:
        out["error"] = error
    if value is not None:
        out["value"] = value
    return out


def edited(session: LiveSession, state: Any) -> JsonObject:
    """A plain edit that went through: nothing persisted (``stasis``), the edited typestate."""
    session.state = state
    return _report(session, "stasis", len(session.persister.events))


def refused(session: LiveSession, kind: str, error: PjconfError) -> JsonObject:
    """A plain edit the crate refused: ``transient``, the typestate handed back unedited."""
    out = _report(session, "transient", len(session.persister.events))
    out["error"] = {"kind": kind, "message": error_text(error)}
    return out
