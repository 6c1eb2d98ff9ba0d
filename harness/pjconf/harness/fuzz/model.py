"""What the fuzz engines share: a budget, a finding, and the counters a run reports.

The stateless engine (one op, one input, two implementations) and the stateful one (session paths
with invariants after every step) both produce :class:`Finding` objects; the command saves them as
vector files in the corpus format, so ``pjconf run --vectors DIR`` replays each one.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from pjconf.protocol.wire import JsonObject

_BUDGET = re.compile(r"^(\d+(?:\.\d+)?)(s|m)?$")


class BudgetError(ValueError):
    """A ``--budget`` that is neither a duration (``60s``, ``2m``) nor a case count (``5000``)."""


@dataclass(frozen=True)
class Budget:
    """How long a fuzz run may go on: wall seconds, or a number of cases (steps for sessions)."""

    seconds: float | None = None
    cases: int | None = None

    @classmethod
    def parse(cls, text: str) -> Budget:
        match = _BUDGET.match(text.strip())
        if match is None:
            raise BudgetError(
                f"budget {text!r}: give seconds ('60s', '2m') or a case count ('5000')"
            )
        number, unit = match.groups()
        if unit == "s":
            return cls(seconds=float(number))
        if unit == "m":
            return cls(seconds=float(number) * 60)
        if "." in number:
            raise BudgetError(f"budget {text!r}: a case count is a whole number")
        return cls(cases=int(number))

    def split(self, share: float) -> Budget:
        """This budget's ``share`` (0..1], for one engine of several run one after the other."""
        return Budget(
            seconds=None if self.seconds is None else self.seconds * share,
            cases=None if self.cases is None else max(1, int(self.cases * share)),
        )


@dataclass
class Spend:
    """What has been spent of a :class:`Budget`; ``monotonic`` is injectable for tests."""

    budget: Budget
    started: float = field(default_factory=time.monotonic)
    cases: int = 0

    def exhausted(self, now: float | None = None) -> bool:
        if self.budget.cases is not None and self.cases >= self.budget.cases:
            return True
        if self.budget.seconds is not None:
            elapsed = (time.monotonic() if now is None else now) - self.started
            return elapsed >= self.budget.seconds
        return False


@dataclass(frozen=True)
class Finding:
    """One disagreement (or broken invariant), shrunk, ready to be saved and reported.

    ``key`` identifies the finding across runs (same op and same kind of difference gives the same
    key), so an expectations file can list it as known and a later run does not report it again.
    ``family`` and ``group`` say where the saved case goes: the vector file ``family`` of the
    saved corpus, in a test group with the ``group`` parameters (at least ``type``). ``case`` is a
    corpus test case without ``tcId`` (``comment``, ``flags``, ``result``, ``op``, ``args``,
    optional ``setup``, and ``expected`` or ``error``), whose expectation is the oracle's answer.
    """

    engine: str  # "stateless" | "stateful"
    target: str  # the op, or "session/<role>" for a stateful finding
    key: str
    summary: str  # one line: what differed, as a user reads it in a CI log
    family: str
    group: JsonObject
    case: JsonObject
    detail: str = ""  # the IUT's answer against the oracle's, several lines allowed


@dataclass
class Stats:
    """Counters for progress lines and the summary."""

    cases: int = 0
    steps: int = 0
    findings: int = 0
    known: int = 0
    elapsed: float = 0.0

    def rate(self) -> float:
        """Per second of the engine's own unit: session steps where there are any, else cases."""
        done = self.steps or self.cases
        return done / self.elapsed if self.elapsed > 0 else 0.0
