"""Shrinking a failing random session to a minimal list of actions.

This is delta debugging (Zeller and Hildebrandt's ddmin) over the recorded actions, then one
pass that replaces each twisted action (a fault, a refusal, a failing callback) by its plain
form. It is our own rather than Hypothesis' stateful shrinking because the engine is a seeded
generator, not a ``RuleBasedStateMachine`` (see :mod:`.stateful` for why), and because the
session's own rules make shrinking cheap: an action that no longer applies once an earlier one
is removed is skipped when the candidate is driven (``session_steps.applies``), so every
candidate is a valid session and no candidate is wasted on an impossible one. A candidate is
kept when driving it fails with the same finding key; what is kept is the list of actions that
were actually driven, which ends with the failing one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from pjconf.harness.fuzz.session_steps import Action

Attempt = Callable[[list[Action]], list[Action] | None]
"""Drive a candidate: the actions driven up to and including the failing one when it fails
with the same finding, else None."""

MAX_ATTEMPTS = 400
"""Candidates one shrink may drive (a session of 40 actions needs well under 200)."""


def shrink(
    actions: list[Action], attempt: Attempt, *, max_attempts: int = MAX_ATTEMPTS
) -> list[Action]:
    """The smallest list found that still fails the same way (``actions`` must fail)."""
    budget = [max_attempts]

    def tried(candidate: list[Action]) -> list[Action] | None:
        if budget[0] <= 0 or not candidate:
            return None
        budget[0] -= 1
        return attempt(candidate)

    current = _ddmin(actions, tried)
    index = 0
    while index < len(current):
        action = current[index]
        if action.twist:
            plain = [*current[:index], replace(action, twist=""), *current[index + 1 :]]
            got = tried(plain)
            if got is not None and len(got) <= len(current):
                current = got
        index += 1
    return current


def _ddmin(actions: list[Action], tried: Attempt) -> list[Action]:
    current, parts = actions, 2
    while len(current) >= 2:
        size = -(-len(current) // parts)
        for start in range(0, len(current), size):
            got = tried(current[:start] + current[start + size :])
            if got is not None and len(got) < len(current):
                current, parts = got, max(parts - 1, 2)
                break
        else:
            if parts >= len(current):
                return current
            parts = min(len(current), parts * 2)
    return current
