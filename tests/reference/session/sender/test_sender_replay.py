"""Sender replay: every valid sequence, every invalid pair with the crate's exact text, expiry,
persistence failures (and whether the persister is closed), and the session history."""

from __future__ import annotations

import asyncio

import pytest
from reference.session.failing_persisters import Failing
from reference.session.sender.test_sender_support import (
    EXPIRATION,
    NOW,
    ORIGINAL,
    clock,
    new_sender,
)

from pjconf.reference.persist import InMemoryAsyncPersister, InMemoryPersister
from pjconf.reference.session.sender.errors import ReplayError
from pjconf.reference.session.sender.events import (
    Aborted,
    Cancelled,
    Closed,
    Created,
    PostedOriginalPsbt,
    SenderEvent,
    Success,
)
from pjconf.reference.session.sender.machine import (
    ClosedSession,
    PendingFallback,
    PollingForProposal,
    SendSession,
    WithReplyKey,
)
from pjconf.reference.session.sender.replay import (
    SessionHistory,
    SessionStatus,
    replay_event_log,
    replay_event_log_async,
)

SENDER, _LOG = new_sender()
CTX = SENDER.session_context
CREATED = Created(CTX)
POSTED = PostedOriginalPsbt()
CANCELLED = Cancelled()
ABORTED = Closed(Aborted())
SUCCESS = Closed(Success(ORIGINAL))
FALLBACK = ORIGINAL.extract_tx()

W = WithReplyKey(CTX)
P = PollingForProposal(CTX)
F = PendingFallback(CTX, fallback_tx=FALLBACK)

VALID: list[tuple[list[SenderEvent], SendSession]] = [
    ([CREATED], W),
    ([CREATED, POSTED], P),
    ([CREATED, CANCELLED], F),
    ([CREATED, POSTED, CANCELLED], F),
    ([CREATED, POSTED, SUCCESS], ClosedSession(Success(ORIGINAL))),
    ([CREATED, POSTED, ABORTED], ClosedSession(Aborted())),
    ([CREATED, ABORTED], ClosedSession(Aborted())),
    ([CREATED, CANCELLED, ABORTED], ClosedSession(Aborted())),
    # P6: replay is more permissive than the live path
    ([CREATED, SUCCESS], ClosedSession(Success(ORIGINAL))),
    ([CREATED, CANCELLED, SUCCESS], ClosedSession(Success(ORIGINAL))),
    ([CREATED, POSTED, SUCCESS, ABORTED], ClosedSession(Aborted())),
    ([CREATED, ABORTED, SUCCESS], ClosedSession(Success(ORIGINAL))),
]


def log_of(events: list[SenderEvent]) -> InMemoryPersister[SenderEvent]:
    persister: InMemoryPersister[SenderEvent] = InMemoryPersister()
    for e in events:
        persister.save_event(e)
    return persister


@pytest.mark.parametrize(("events", "state"), VALID)
def test_valid_sequences(events: list[SenderEvent], state: SendSession) -> None:
    persister = log_of(events)
    got, history = replay_event_log(persister, clock=clock())
    assert got == state
    assert history.events == tuple(events)
    assert not persister.closed  # replay never closes a good log
    assert len(persister.events) == len(events)  # and never writes


CTX_DEBUG = "session_context: SessionContext { .. } })"
INVALID_FIRST = [
    (POSTED, "Invalid first event (PostedOriginalPsbt) for session"),
    (CANCELLED, "Invalid first event (Cancelled) for session"),
    (ABORTED, "Invalid first event (Closed(Aborted)) for session"),
    (SUCCESS, "Invalid first event (Closed(Success(Psbt { .. }))) for session"),
]
_POLL = "PollingForProposal(Sender { state: PollingForProposal, " + CTX_DEBUG
_WITH = "WithReplyKey(Sender { state: WithReplyKey, " + CTX_DEBUG
_PEND = "PendingFallback(Sender { state: PendingFallback { fallback_tx: Transaction { .. } }, "
_CREATED = "Created(SessionContext { .. })"
_DONE = "Closed(Success(Psbt { .. }))"
INVALID_PAIRS: list[tuple[list[SenderEvent], SenderEvent, str]] = [
    ([CREATED], CREATED, f"{_CREATED}) for session ({_WITH})"),
    ([CREATED, POSTED], CREATED, f"{_CREATED}) for session ({_POLL})"),
    ([CREATED, POSTED], POSTED, f"PostedOriginalPsbt) for session ({_POLL})"),
    ([CREATED, CANCELLED], CREATED, f"{_CREATED}) for session ({_PEND}"),
    ([CREATED, CANCELLED], POSTED, f"PostedOriginalPsbt) for session ({_PEND}"),
    ([CREATED, CANCELLED], CANCELLED, f"Cancelled) for session ({_PEND}"),
    ([CREATED, ABORTED], CREATED, f"{_CREATED}) for session (Closed(Aborted))"),
    ([CREATED, ABORTED], POSTED, "PostedOriginalPsbt) for session (Closed(Aborted))"),
    ([CREATED, ABORTED], CANCELLED, "Cancelled) for session (Closed(Aborted))"),
    ([CREATED, POSTED, SUCCESS], POSTED, f"PostedOriginalPsbt) for session ({_DONE})"),
    ([CREATED, POSTED, SUCCESS], CREATED, f"{_CREATED}) for session ({_DONE})"),
    ([CREATED, POSTED, SUCCESS], CANCELLED, f"Cancelled) for session ({_DONE})"),
]


def test_no_events_closes_the_persister() -> None:
    persister = log_of([])
    with pytest.raises(ReplayError, match=r"^No events found in session$") as info:
        replay_event_log(persister, clock=clock())
    assert info.value.variant == info.value.kind == "NoEvents"
    assert persister.closed
    assert info.value.closed


@pytest.mark.parametrize(("first", "message"), INVALID_FIRST)
def test_invalid_first_event(first: SenderEvent, message: str) -> None:
    persister = log_of([first, POSTED])
    with pytest.raises(ReplayError) as info:
        replay_event_log(persister, clock=clock())
    assert (info.value.kind, str(info.value)) == ("InvalidFirstEvent", message)
    assert persister.closed


@pytest.mark.parametrize(("prefix", "event", "message"), INVALID_PAIRS)
def test_invalid_pairs(prefix: list[SenderEvent], event: SenderEvent, message: str) -> None:
    persister = log_of([*prefix, event])
    with pytest.raises(ReplayError) as info:
        replay_event_log(persister, clock=clock())
    assert info.value.kind == "InvalidEvent"
    assert str(info.value).startswith("Invalid event (" + message)
    assert persister.closed
    assert not info.value.is_expired()


def test_every_invalid_pair_is_listed() -> None:
    """The table is complete: every (state, event) pair is either valid or in INVALID_PAIRS."""
    prefixes: dict[str, list[SenderEvent]] = {
        "W": [CREATED],
        "P": [CREATED, POSTED],
        "F": [CREATED, CANCELLED],
        "CA": [CREATED, ABORTED],
        "CS": [CREATED, POSTED, SUCCESS],
    }
    invalid = {(tuple(p), e) for p, e, _ in INVALID_PAIRS}
    for prefix in prefixes.values():
        for event in (CREATED, POSTED, CANCELLED, ABORTED, SUCCESS):
            if (tuple(prefix), event) in invalid:
                with pytest.raises(ReplayError, match=r"^Invalid event \("):
                    replay_event_log(log_of([*prefix, event]), clock=clock())
            else:
                replay_event_log(log_of([*prefix, event]), clock=clock())


@pytest.mark.parametrize(("events", "state"), VALID)
def test_expiry(events: list[SenderEvent], state: SendSession) -> None:
    persister = log_of(events)
    if isinstance(state, ClosedSession):  # terminal beats expiry
        assert replay_event_log(persister, clock=clock(EXPIRATION))[0] == state
        return
    with pytest.raises(ReplayError) as info:
        replay_event_log(persister, clock=clock(EXPIRATION))
    error = info.value
    assert str(error) == f"Session expired at Time(Time({EXPIRATION}))"
    assert error.is_expired()
    assert error.expiry_fallback_tx() == FALLBACK
    assert not persister.closed
    assert len(persister.events) == len(events)
    assert replay_event_log(persister, clock=clock(EXPIRATION - 1))[0] == state  # P10


def test_load_failure_is_persistence_failure_and_does_not_close() -> None:
    persister = Failing[SenderEvent]([CREATED], load=True, close=False)
    with pytest.raises(ReplayError, match=r"^Persistence failure: disk on fire$") as info:
        replay_event_log(persister)
    assert info.value.kind == "PersistenceFailure"
    assert not persister.closed


def test_close_failure_replaces_the_replay_error() -> None:
    persister = Failing[SenderEvent]([POSTED], load=False, close=True)
    with pytest.raises(ReplayError, match=r"^Persistence failure: cannot close$"):
        replay_event_log(persister)


def test_async_replay_matches() -> None:
    async def run(events: list[SenderEvent]) -> tuple[SendSession, SessionHistory]:
        persister: InMemoryAsyncPersister[SenderEvent] = InMemoryAsyncPersister()
        for e in events:
            await persister.save_event(e)
        return await replay_event_log_async(persister, clock=clock())

    for events, state in VALID:
        assert asyncio.run(run(events))[0] == state
    with pytest.raises(ReplayError, match=r"^No events found in session$"):
        asyncio.run(run([]))


@pytest.mark.parametrize(
    ("events", "now", "status"),
    [
        ([CREATED], NOW, SessionStatus.ACTIVE),
        ([CREATED, POSTED], NOW, SessionStatus.ACTIVE),
        ([CREATED, CANCELLED], NOW, SessionStatus.ACTIVE),  # no PendingFallback status (P9)
        ([CREATED, POSTED], EXPIRATION, SessionStatus.EXPIRED),
        ([CREATED, CANCELLED], EXPIRATION, SessionStatus.EXPIRED),
        ([CREATED, POSTED, SUCCESS], EXPIRATION, SessionStatus.COMPLETED),
        ([CREATED, ABORTED], EXPIRATION, SessionStatus.FAILED),
        ([CREATED, SUCCESS, ABORTED], NOW, SessionStatus.FAILED),  # the last event decides
    ],
)
def test_history_status(events: list[SenderEvent], now: int, status: SessionStatus) -> None:
    history = SessionHistory(tuple(events))
    assert history.status(clock(now)) is status
    assert history.fallback_tx() == FALLBACK
    assert history.pj_param() == CTX.pj_param
