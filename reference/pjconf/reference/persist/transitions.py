"""The nine transition kinds of payjoin 1.0 (``persist.rs``), with the same names and effects.

A state-changing call returns one of these; nothing happens until ``save(persister)`` (or
``save_async``) runs the planned persist action **first** and only then releases the outcome:
the next value, or a raised error. A storage failure replaces the outcome. A transition is
single-use: a second ``save`` raises :class:`AlreadySaved` and touches no persister.

Rust returns ``Result``; here ``save`` returns the success value and raises the error. The three
kinds whose Rust ``save`` has a bare storage error (``NextStateTransition``,
``MaybeTerminalTransition``, ``TerminalTransition``) raise :class:`StorageError` itself; the
others raise :class:`PersistedError`, a storage failure as ``PersistedError.storage``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from pjconf.reference.persist.errors import AlreadySaved, PersistedError, StorageError
from pjconf.reference.persist.outcome import (
    OptionalTransitionOutcome,
    PersistAction,
    Progress,
    Stasis,
    outcome_class,
)
from pjconf.reference.persist.protocols import AsyncSessionPersister, SessionPersister

E = TypeVar("E")
"""Event."""
N = TypeVar("N")
"""Next state (or success value)."""
R = TypeVar("R")
"""What ``save`` returns."""
A = TypeVar("A")
"""API error."""
ES = TypeVar("ES")
"""Error state."""
CS = TypeVar("CS")
"""Current state."""
T = TypeVar("T")
"""A value returned after saving, not persisted."""

AnyPersistedError = PersistedError[Any, Any, Any]


@dataclass(frozen=True)
class _Returns(Generic[R]):
    value: R


@dataclass(frozen=True)
class _Plan(Generic[E, R]):
    """payjoin's ``deconstruct()``: the persist action and the outcome it guards."""

    action: PersistAction
    events: tuple[E, ...]  # () for NoOp, else the one event
    result: _Returns[R] | AnyPersistedError


class _Transition(Generic[E, R]):
    """Shared ``save`` / ``save_async``: act first, then release; consume on first use."""

    _storage_as_persisted_error: ClassVar[bool] = True

    def __init__(
        self, action: PersistAction, events: tuple[E, ...], result: _Returns[R] | AnyPersistedError
    ) -> None:
        self._plan: _Plan[E, R] | None = _Plan(action, events, result)
        self.action = action
        """The persist action ``save`` will run (readable after saving, for the harness)."""
        self.effect = outcome_class(
            action, result.value if isinstance(result, _Returns) else result
        )
        """The effect class this transition has if its persistence succeeds."""

    def _take(self) -> _Plan[E, R]:
        plan, self._plan = self._plan, None
        if plan is None:
            raise AlreadySaved(f"{type(self).__name__} already saved or moved")
        return plan

    def _storage_failure(self, error: StorageError) -> Exception:
        if self._storage_as_persisted_error:
            return PersistedError[Any, Any, Any].storage(error)
        return error

    @staticmethod
    def _release(plan: _Plan[E, R]) -> R:
        if isinstance(plan.result, _Returns):
            return plan.result.value
        raise plan.result

    def save(self, persister: SessionPersister[E]) -> R:
        """Run the persist action on ``persister``, then return the value or raise the error."""
        plan = self._take()
        try:
            if plan.action is not PersistAction.NOOP:
                persister.save_event(plan.events[0])
                if plan.action is PersistAction.SAVE_AND_CLOSE:
                    persister.close()  # never reached when save_event failed
        except StorageError as error:
            raise self._storage_failure(error) from error
        return self._release(plan)

    async def save_async(self, persister: AsyncSessionPersister[E]) -> R:
        """:meth:`save` against an async persister: the same actions in the same order."""
        plan = self._take()
        try:
            if plan.action is not PersistAction.NOOP:
                await persister.save_event(plan.events[0])
                if plan.action is PersistAction.SAVE_AND_CLOSE:
                    await persister.close()
        except StorageError as error:
            raise self._storage_failure(error) from error
        return self._release(plan)


def _transient(error: A, current: CS) -> PersistedError[A, Any, CS]:
    return PersistedError[A, Any, CS].transient(error, current)


def _fatal(error: A) -> PersistedError[A, Any, Any]:
    return PersistedError[A, Any, Any].fatal(error)


class NextStateTransition(_Transition[E, N]):
    """Always progresses: ``success(e, next)`` → Save → ``next``. Storage failure: StorageError."""

    _storage_as_persisted_error = False

    @classmethod
    def success(cls, event: E, next_state: N) -> NextStateTransition[E, N]:
        return cls(PersistAction.SAVE, (event,), _Returns(next_state))


class MaybeTransientTransition(_Transition[E, N], Generic[E, N, A, CS]):
    """Progress, or a transient rejection that persists nothing and hands back the state."""

    @classmethod
    def success(cls, event: E, next_state: N) -> MaybeTransientTransition[E, N, A, CS]:
        return cls(PersistAction.SAVE, (event,), _Returns(next_state))

    @classmethod
    def transient(cls, error: A, current_state: CS) -> MaybeTransientTransition[E, N, A, CS]:
        return cls(PersistAction.NOOP, (), _transient(error, current_state))


class MaybeFatalTransition(_Transition[E, N], Generic[E, N, A, ES, CS]):
    """Progress, fatal (saved and closed), transient, or replyable (saved, left open)."""

    @classmethod
    def success(cls, event: E, next_state: N) -> MaybeFatalTransition[E, N, A, ES, CS]:
        return cls(PersistAction.SAVE, (event,), _Returns(next_state))

    @classmethod
    def fatal(cls, event: E, error: A) -> MaybeFatalTransition[E, N, A, ES, CS]:
        return cls(PersistAction.SAVE_AND_CLOSE, (event,), _fatal(error))

    @classmethod
    def transient(cls, error: A, current_state: CS) -> MaybeFatalTransition[E, N, A, ES, CS]:
        return cls(PersistAction.NOOP, (), _transient(error, current_state))

    @classmethod
    def replyable_error(
        cls, event: E, error_state: ES, error: A
    ) -> MaybeFatalTransition[E, N, A, ES, CS]:
        fatal = PersistedError[A, ES, CS].fatal_with_state(error, error_state)
        return cls(PersistAction.SAVE, (event,), fatal)


class MaybeFatalTransitionWithNoResults(
    _Transition[E, OptionalTransitionOutcome[N, CS]], Generic[E, N, CS, A]
):
    """Progress, stasis (nothing yet), fatal or transient: a mailbox poll's transition."""

    @classmethod
    def success(cls, event: E, next_state: N) -> MaybeFatalTransitionWithNoResults[E, N, CS, A]:
        return cls(PersistAction.SAVE, (event,), _Returns(Progress(next_state)))

    @classmethod
    def no_results(cls, current_state: CS) -> MaybeFatalTransitionWithNoResults[E, N, CS, A]:
        return cls(PersistAction.NOOP, (), _Returns(Stasis(current_state)))

    @classmethod
    def fatal(cls, event: E, error: A) -> MaybeFatalTransitionWithNoResults[E, N, CS, A]:
        return cls(PersistAction.SAVE_AND_CLOSE, (event,), _fatal(error))

    @classmethod
    def transient(
        cls, error: A, current_state: CS
    ) -> MaybeFatalTransitionWithNoResults[E, N, CS, A]:
        return cls(PersistAction.NOOP, (), _transient(error, current_state))


class MaybeSuccessTransitionWithNoResults(
    _Transition[E, OptionalTransitionOutcome[N, CS]], Generic[E, N, CS, A]
):
    """Like the above, but success *ends* the session: ``success(value, e)`` saves and closes."""

    @classmethod
    def success(
        cls, success_value: N, event: E
    ) -> MaybeSuccessTransitionWithNoResults[E, N, CS, A]:
        return cls(PersistAction.SAVE_AND_CLOSE, (event,), _Returns(Progress(success_value)))

    @classmethod
    def no_results(cls, current_state: CS) -> MaybeSuccessTransitionWithNoResults[E, N, CS, A]:
        return cls(PersistAction.NOOP, (), _Returns(Stasis(current_state)))

    @classmethod
    def fatal(cls, event: E, error: A) -> MaybeSuccessTransitionWithNoResults[E, N, CS, A]:
        return cls(PersistAction.SAVE_AND_CLOSE, (event,), _fatal(error))

    @classmethod
    def transient(
        cls, error: A, current_state: CS
    ) -> MaybeSuccessTransitionWithNoResults[E, N, CS, A]:
        return cls(PersistAction.NOOP, (), _transient(error, current_state))


class MaybeFatalOrSuccessTransition(
    _Transition[E, OptionalTransitionOutcome[None, CS]], Generic[E, CS, A]
):
    """``Progress(None)`` that closes, stasis, transient, or fatal (a test-only constructor in
    the crate, offered here so the harness can probe it)."""

    @classmethod
    def success(cls, event: E) -> MaybeFatalOrSuccessTransition[E, CS, A]:
        return cls(PersistAction.SAVE_AND_CLOSE, (event,), _Returns(Progress(None)))

    @classmethod
    def no_results(cls, current_state: CS) -> MaybeFatalOrSuccessTransition[E, CS, A]:
        return cls(PersistAction.NOOP, (), _Returns(Stasis(current_state)))

    @classmethod
    def transient(cls, error: A, current_state: CS) -> MaybeFatalOrSuccessTransition[E, CS, A]:
        return cls(PersistAction.NOOP, (), _transient(error, current_state))

    @classmethod
    def fatal(cls, event: E, error: A) -> MaybeFatalOrSuccessTransition[E, CS, A]:
        return cls(PersistAction.SAVE_AND_CLOSE, (event,), _fatal(error))


class MaybeTerminalTransition(_Transition[E, N | None]):
    """Advance (``next``) or terminate (``None``, closed); no API error, only storage."""

    _storage_as_persisted_error = False

    @classmethod
    def advance(cls, event: E, next_state: N) -> MaybeTerminalTransition[E, N]:
        return cls(PersistAction.SAVE, (event,), _Returns(next_state))

    @classmethod
    def terminate(cls, event: E) -> MaybeTerminalTransition[E, N]:
        return cls(PersistAction.SAVE_AND_CLOSE, (event,), _Returns(None))


class MaybeTerminalSuccessTransition(_Transition[E, N | None], Generic[E, N, A, CS]):
    """Advance, terminate, fatal-advance (saved, open, the next state as the error state),
    fatal-terminate (saved, closed) or transient."""

    @classmethod
    def advance(cls, event: E, next_state: N) -> MaybeTerminalSuccessTransition[E, N, A, CS]:
        return cls(PersistAction.SAVE, (event,), _Returns(next_state))

    @classmethod
    def terminate(cls, event: E) -> MaybeTerminalSuccessTransition[E, N, A, CS]:
        return cls(PersistAction.SAVE_AND_CLOSE, (event,), _Returns(None))

    @classmethod
    def fatal_advance(
        cls, event: E, next_state: N, error: A
    ) -> MaybeTerminalSuccessTransition[E, N, A, CS]:
        fatal = PersistedError[A, N, CS].fatal_with_state(error, next_state)
        return cls(PersistAction.SAVE, (event,), fatal)

    @classmethod
    def fatal_terminate(cls, event: E, error: A) -> MaybeTerminalSuccessTransition[E, N, A, CS]:
        return cls(PersistAction.SAVE_AND_CLOSE, (event,), _fatal(error))

    @classmethod
    def transient(cls, error: A, current_state: CS) -> MaybeTerminalSuccessTransition[E, N, A, CS]:
        return cls(PersistAction.NOOP, (), _transient(error, current_state))


class TerminalTransition(_Transition[E, T]):
    """Always ends the session: saves, closes, then returns ``value`` (which is not persisted)."""

    _storage_as_persisted_error = False

    @classmethod
    def new(cls, event: E, value: T) -> TerminalTransition[E, T]:
        return cls(PersistAction.SAVE_AND_CLOSE, (event,), _Returns(value))
