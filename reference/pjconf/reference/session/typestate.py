"""The consumption rule both typestate machines share.

In the crate a state-changing method takes ``self`` by value, so a used state cannot be used
again: the compiler refuses. Here a state carries a flag, outside equality and repr, that the
first transition clears; any later use raises :class:`StateConsumed`. A transient rejection or a
stasis hands back :func:`fresh`, an equal copy with its own flag.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from pjconf.reference.session.sender.errors import StateConsumed

__all__ = ["Typestate", "fresh"]

C = TypeVar("C")


def _live() -> list[bool]:
    return [True]


@dataclass(frozen=True)
class Typestate(Generic[C]):
    """A role's session context, and the consumption flag."""

    session_context: C
    _alive: list[bool] = field(default_factory=_live, compare=False, repr=False, kw_only=True)

    def _check(self) -> None:
        if not self._alive[0]:
            raise StateConsumed(f"this {type(self).__name__} was already consumed by a transition")

    def _take(self) -> C:
        """Check, then consume: what a state-changing method does first."""
        self._check()
        self._alive[0] = False
        return self.session_context


S = TypeVar("S", bound=Typestate[Any])


def fresh(state: S) -> S:
    """An equal, unconsumed copy of ``state``."""
    return replace(state, _alive=[True])
