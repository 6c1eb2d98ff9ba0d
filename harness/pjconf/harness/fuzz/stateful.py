"""PLACEHOLDER for the stateful engine (session paths with invariants after every step).

The stateful engine is written on another branch, with this exact signature; this stand-in only
lets ``pjconf fuzz --engine all`` run on this branch, and is replaced by that module when the
branches merge. It explores nothing and says so.
"""

from __future__ import annotations

from collections.abc import Callable

from pjconf.harness.fuzz.model import Budget, Finding, Stats
from pjconf.harness.implementations.client import Client

AVAILABLE = False
"""False while this is the stand-in: ``pjconf fuzz`` prints that the stateful part did not run."""


def explore_sessions(
    iut: Client,
    oracle: Client,
    *,
    budget: Budget,
    seed: str,
    crash: bool,
    restart: Callable[[], Client] | None,
    known: frozenset[str],
    on_progress: Callable[[Stats], None] | None,
) -> tuple[list[Finding], Stats]:
    return [], Stats()
