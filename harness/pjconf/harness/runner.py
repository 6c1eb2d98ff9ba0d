"""Running the corpus against one implementation and collecting outcomes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pjconf.harness.adapters.client import Client
from pjconf.harness.checker import Outcome, Verdict, judge
from pjconf.harness.corpus import Case


@dataclass
class RunResult:
    outcomes: list[Outcome] = field(default_factory=list)
    not_runnable: int = 0
    """Reference-only cases: the protocol has no op that can express them."""

    def count(self, verdict: Verdict) -> int:
        return sum(1 for o in self.outcomes if o.verdict is verdict)

    @property
    def ok(self) -> bool:
        """Green only when something ran and nothing failed or broke (no vacuous pass)."""
        ran = self.count(Verdict.PASS) + self.count(Verdict.ACCEPTABLE)
        return ran > 0 and self.count(Verdict.FAIL) == 0 and self.count(Verdict.ERROR) == 0


def select(
    cases: Iterable[Case],
    *,
    keyword: str | None = None,
    families: set[str] | None = None,
    shard: tuple[int, int] | None = None,
) -> list[Case]:
    """Filter by ``-k`` substring, by family, and take shard ``i`` of ``n`` (1-based)."""
    chosen = [
        c
        for c in cases
        if (families is None or c.family in families)
        and (keyword is None or keyword.lower() in _haystack(c))
    ]
    if shard is not None:
        index, total = shard
        chosen = chosen[index - 1 :: total]
    return chosen


def _haystack(case: Case) -> str:
    return " ".join([case.name, case.op or "", case.comment, *case.flags]).lower()


def run(
    client: Client,
    cases: Iterable[Case],
    *,
    progress: Callable[[int, Outcome], None] | None = None,
) -> RunResult:
    outcome_list = RunResult()
    for case in cases:
        if case.op is None:
            outcome_list.not_runnable += 1
            continue
        outcome = judge(case, client.call(case.op, case.args))
        outcome_list.outcomes.append(outcome)
        if progress is not None:
            progress(len(outcome_list.outcomes), outcome)
    return outcome_list
