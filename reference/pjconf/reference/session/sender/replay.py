"""Replaying a sender's event log (``send/v2/session.rs``): the state, the history, the status.

Replay folds the log with the crate's ``process_event`` table, which is more permissive than the
live path (``Closed`` is accepted after any state). On a fold error the persister is closed, as
the crate does; a load error and an expired session leave it open. Replay never writes events.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from pjconf.reference.bip77.uri import is_expired
from pjconf.reference.bitcoin.tx import Transaction
from pjconf.reference.entropy import SYSTEM_CLOCK, Clock
from pjconf.reference.persist import AsyncSessionPersister, SessionPersister
from pjconf.reference.session.replay_log import (
    check_expiry,
    fold,
    load_and_fold,
    load_and_fold_async,
)
from pjconf.reference.session.sender.errors import ReplayError
from pjconf.reference.session.sender.events import (
    Aborted,
    Cancelled,
    Closed,
    Created,
    PjParam,
    PostedOriginalPsbt,
    SenderEvent,
    SessionOutcome,
    Success,
)
from pjconf.reference.session.sender.machine import (
    ClosedSession,
    PendingFallback,
    PollingForProposal,
    SendSession,
    WithReplyKey,
    fallback_of,
)

# -- Rust Debug, for the error texts ---------------------------------------------------------


def debug_outcome(outcome: SessionOutcome) -> str:
    """``{:?}`` of a ``SessionOutcome``; a PSBT's fields are elided (``Psbt { .. }``)."""
    return "Aborted" if isinstance(outcome, Aborted) else "Success(Psbt { .. })"


def debug_event(event: SenderEvent) -> str:
    """``{:?}`` of an event: exact for the payload-free ones, payloads elided as ``{ .. }``."""
    if isinstance(event, Created):
        return "Created(SessionContext { .. })"
    if isinstance(event, PostedOriginalPsbt):
        return "PostedOriginalPsbt"
    if isinstance(event, Cancelled):
        return "Cancelled"
    return f"Closed({debug_outcome(event.outcome)})"


def debug_state(state: SendSession) -> str:
    """``{:?}`` of a ``SendSession``: exact for ``Closed(Aborted)``, contexts elided."""
    if isinstance(state, ClosedSession):
        return f"Closed({debug_outcome(state.outcome)})"
    name = type(state).__name__
    inner = (
        "PendingFallback { fallback_tx: Transaction { .. } }"
        if isinstance(state, PendingFallback)
        else name
    )
    return f"{name}(Sender {{ state: {inner}, session_context: SessionContext {{ .. }} }})"


# -- the fold -------------------------------------------------------------------------------------


def invalid_event(event: SenderEvent, state: SendSession | None) -> ReplayError:
    if state is None:
        return ReplayError(
            "InvalidFirstEvent", f"Invalid first event ({debug_event(event)}) for session"
        )
    return ReplayError(
        "InvalidEvent",
        f"Invalid event ({debug_event(event)}) for session ({debug_state(state)})",
    )


def process_event(state: SendSession, event: SenderEvent) -> SendSession:
    """``SendSession::process_event``: the crate's table, any other pair ``InvalidEvent``."""
    if isinstance(state, WithReplyKey) and isinstance(event, PostedOriginalPsbt):
        return PollingForProposal(state.session_context)
    if isinstance(state, PollingForProposal) and isinstance(event, Closed):
        return ClosedSession(event.outcome)
    if isinstance(state, WithReplyKey | PollingForProposal) and isinstance(event, Cancelled):
        ctx = state.session_context
        return PendingFallback(ctx, fallback_tx=fallback_of(ctx))
    if isinstance(event, Closed):
        return ClosedSession(event.outcome)
    raise invalid_event(event, state)


def _first_state(first: SenderEvent) -> SendSession:
    if not isinstance(first, Created):
        raise invalid_event(first, None)
    return WithReplyKey(first.context)


def replay_events(events: Iterable[SenderEvent]) -> tuple[SendSession, list[SenderEvent]]:
    """Fold a log: it must start with ``Created``; returns the state and the events read."""
    return fold(events, _first_state, process_event)


class SessionStatus(enum.StrEnum):
    """The sender's ``SessionStatus`` (no ``PendingFallback``: a cancelled log is Active)."""

    EXPIRED = "Expired"
    ACTIVE = "Active"
    FAILED = "Failed"
    COMPLETED = "Completed"


@dataclass(frozen=True)
class SessionHistory:
    """Read-only queries over a replayed log (only replay builds one, as in the crate)."""

    events: tuple[SenderEvent, ...]

    def _created(self) -> Created:
        return next(e for e in self.events if isinstance(e, Created))

    def fallback_tx(self) -> Transaction:
        """The Original PSBT's transaction from ``Created``: always present for a sender."""
        return fallback_of(self._created().context)

    def pj_param(self) -> PjParam:
        return self._created().context.pj_param

    def status(self, clock: Clock | None = None) -> SessionStatus:
        """The last event decides; a terminal ``Closed`` beats expiry."""
        last = self.events[-1]
        if isinstance(last, Closed):
            if isinstance(last.outcome, Success):
                return SessionStatus.COMPLETED
            return SessionStatus.FAILED
        if is_expired(self.pj_param().expiration, clock or SYSTEM_CLOCK):
            return SessionStatus.EXPIRED
        return SessionStatus.ACTIVE


def _history(state: SendSession, events: list[SenderEvent], clock: Clock) -> SessionHistory:
    """``construct_history``: a non-closed session past its expiration is an ``Expired`` error."""
    history = SessionHistory(tuple(events))
    closed = isinstance(state, ClosedSession)
    check_expiry(closed, history.pj_param().expiration, history.fallback_tx, clock)
    return history


def replay_event_log(
    persister: SessionPersister[SenderEvent], *, clock: Clock | None = None
) -> tuple[SendSession, SessionHistory]:
    """Load, fold and check expiry (:mod:`.replay_log`: a fold error closes the persister)."""
    state, seen = load_and_fold(persister, replay_events)
    return state, _history(state, seen, clock or SYSTEM_CLOCK)


async def replay_event_log_async(
    persister: AsyncSessionPersister[SenderEvent], *, clock: Clock | None = None
) -> tuple[SendSession, SessionHistory]:
    """:func:`replay_event_log` against an async persister, with the same rules."""
    state, seen = await load_and_fold_async(persister, replay_events)
    return state, _history(state, seen, clock or SYSTEM_CLOCK)
