"""What an implementation's ``hello`` says it can do, and the cases that need it.

Some verdicts hold only for an implementation that takes the harness's ``now``: a session that
expired in 1989, asked with a ``now`` from 1988, is live only to one that honours ``now``. An
implementation that reads its own clock (rust-payjoin) answers by the wall clock, which is right
for it and wrong for the case, so such a case is a SKIP for it, never a PASS and never a FAIL.
"""

from __future__ import annotations

from collections.abc import Mapping

from pjconf.harness.corpus.load import Case

INJECTED_CLOCK = "InjectedClock"
"""The flag of a case whose ``now`` and the wall clock disagree about expiry."""
CLOCK = "clock"
"""The ``hello`` field (bool) saying the implementation honours an injected ``now``."""


def injects_clock(hello: Mapping[str, object]) -> bool:
    """``hello`` says ``"clock": true``; absent means the implementation reads its own clock."""
    return hello.get(CLOCK) is True


def missing_capability(case: Case, clock: bool) -> str | None:
    """Why ``case`` cannot be judged on this implementation (None: it can)."""
    if INJECTED_CLOCK in case.flags and not clock:
        return (
            "needs an injectable clock (the case's now and the wall clock disagree about "
            'expiry; hello does not say "clock": true)'
        )
    return None
