"""Persist actions, optional outcomes and the adapter protocol's effect classes.

``outcome_class`` is the bridge the harness uses: from what a transition persisted and what its
``save`` gave back, the effect class a live ``session.call`` must report (docs/adapter-protocol.md,
"Live sessions"), which the harness then checks against the log diff.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Generic, TypeAlias, TypeVar

from pjconf.reference.errors import InvalidArgument
from pjconf.reference.persist.errors import PersistedError, PersistedErrorKind

N = TypeVar("N")
C = TypeVar("C")


class PersistAction(enum.Enum):
    """payjoin's ``PersistActions``: what ``save`` does to the persister before the outcome."""

    NOOP = "NoOp"
    SAVE = "Save"
    SAVE_AND_CLOSE = "SaveAndClose"


@dataclass(frozen=True)
class Progress(Generic[N]):
    """``OptionalTransitionOutcome::Progress``: the transition produced a next value."""

    next: N


@dataclass(frozen=True)
class Stasis(Generic[C]):
    """``OptionalTransitionOutcome::Stasis``: nothing new; resume from the current state."""

    current: C


OptionalTransitionOutcome: TypeAlias = Progress[N] | Stasis[C]
"""payjoin's ``OptionalTransitionOutcome<NextState, CurrentState>``."""


class EffectClass(enum.StrEnum):
    """The adapter protocol's ``outcome`` values, each with what the log must do."""

    PROGRESS = "progress"  # one event more; open
    STASIS = "stasis"  # unchanged
    TRANSIENT = "transient"  # unchanged; open
    REPLYABLE = "replyable"  # one event more; open
    FATAL = "fatal"  # one event more; closed
    TERMINAL = "terminal"  # one event more; closed


def outcome_class(action: PersistAction, result: object) -> EffectClass:
    """The effect class of a saved transition: its action and the value (or error) ``save`` gave.

    ``result`` is what ``save`` returned, or the :class:`PersistedError` it raised. A storage
    error has no effect class (the outcome is unknown), nor does a combination no payjoin 1.0
    transition can produce; both raise :class:`InvalidArgument`. ``Save`` with a plain fatal
    error (the unreachable ``ReplyableError`` arm of the ``…WithNoResults`` types) is classed by
    its log effect: replyable.
    """
    if isinstance(result, PersistedError):
        kind = result.classification
        if kind is PersistedErrorKind.STORAGE:
            raise InvalidArgument("a storage error has no effect class: the outcome is unknown")
        if action is PersistAction.NOOP and kind is PersistedErrorKind.TRANSIENT:
            return EffectClass.TRANSIENT
        if action is PersistAction.SAVE and kind is not PersistedErrorKind.TRANSIENT:
            return EffectClass.REPLYABLE
        if action is PersistAction.SAVE_AND_CLOSE and kind is PersistedErrorKind.FATAL:
            return EffectClass.FATAL
    elif action is PersistAction.NOOP and isinstance(result, Stasis):
        return EffectClass.STASIS
    elif action is PersistAction.SAVE and not isinstance(result, Stasis):
        return EffectClass.PROGRESS
    elif action is PersistAction.SAVE_AND_CLOSE and not isinstance(result, Stasis):
        return EffectClass.TERMINAL
    raise InvalidArgument(f"no payjoin 1.0 transition gives {action.value} with {result!r}")
