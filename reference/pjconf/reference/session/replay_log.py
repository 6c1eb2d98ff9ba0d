"""What replaying a log does around the fold, the same for both roles (``replay_event_log``).

Load the events, fold them, and check the expiry of a session still open. A load failure is a
``PersistenceFailure`` and leaves the persister open; a fold error closes the persister and is
raised (a failing close is raised as ``PersistenceFailure`` instead); an expired session leaves
it open. The fold (the role's ``process_event`` table) is passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from pjconf.reference.bip77.uri import is_expired
from pjconf.reference.entropy import Clock
from pjconf.reference.persist import AsyncSessionPersister, SessionPersister, StorageError
from pjconf.reference.session.sender.errors import ReplayError

__all__ = ["check_expiry", "fold", "load_and_fold", "load_and_fold_async"]

E = TypeVar("E")
S = TypeVar("S")
Fold = Callable[[Iterable[E]], tuple[S, list[E]]]
"""``replay_events``: the state a log folds to, and the events read."""


def fold(
    events: Iterable[E], start: Callable[[E], S], step: Callable[[S, E], S]
) -> tuple[S, list[E]]:
    """``replay_events``: ``NoEvents`` for an empty log; ``start`` makes the first state from
    the first event (refusing anything but ``Created``), ``step`` is ``process_event``. Returns
    the state and the events read."""
    it = iter(events)
    first = next(it, None)
    if first is None:
        raise ReplayError("NoEvents", "No events found in session")
    state = start(first)
    seen = [first]
    for event in it:
        seen.append(event)
        state = step(state, event)
    return state, seen


def _persistence(error: StorageError) -> ReplayError:
    return ReplayError("PersistenceFailure", f"Persistence failure: {error}")


def load_and_fold(persister: SessionPersister[E], fold: Fold[E, S]) -> tuple[S, list[E]]:
    """Load and fold; on a fold error close the persister first."""
    try:
        events = list(persister.load())
    except StorageError as e:
        raise _persistence(e) from None
    try:
        return fold(events)
    except ReplayError as error:
        try:
            persister.close()
        except StorageError as e:
            raise _persistence(e) from None
        error.closed = True
        raise


async def load_and_fold_async(
    persister: AsyncSessionPersister[E], fold: Fold[E, S]
) -> tuple[S, list[E]]:
    """:func:`load_and_fold` against an async persister, with the same rules."""
    try:
        events = list(await persister.load())
    except StorageError as e:
        raise _persistence(e) from None
    try:
        return fold(events)
    except ReplayError as error:
        try:
            await persister.close()
        except StorageError as e:
            raise _persistence(e) from None
        error.closed = True
        raise


def check_expiry(
    closed: bool, expiration: int, fallback_tx: Callable[[], object | None], clock: Clock
) -> None:
    """``construct_history``: a session not closed and past its expiration is an ``Expired``
    error carrying the fallback transaction (asked for only then)."""
    if not closed and is_expired(expiration, clock):
        raise ReplayError(
            "Expired",
            f"Session expired at Time(Time({expiration}))",
            expiration=expiration,
            fallback_tx=fallback_tx(),
        )
