"""The score: per module, how many mutants each status took, and the two scores."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pjconf.harness.mutation.runner import Result, Status
from pjconf.harness.mutation.survivors import Listed

FORMAT = "pjconf/mutation-report/v1"


@dataclass
class Row:
    module: str
    mutants: int = 0
    killed: int = 0
    survived: int = 0
    not_covered: int = 0
    timeouts: int = 0
    equivalent: int = 0
    unreachable: int = 0
    unjudged: int = 0
    gap: int = 0
    """Listed in the survivors file (each also counted as survived or not covered)."""

    @property
    def caught(self) -> int:
        return self.killed + self.timeouts

    @property
    def raw(self) -> float:
        """Caught over every mutant."""
        return 100.0 * self.caught / self.mutants if self.mutants else 100.0

    @property
    def adjusted(self) -> float:
        """Caught over the mutants not listed as equivalent, unreachable or unjudged."""
        counted = self.mutants - self.equivalent - self.unreachable - self.unjudged
        return 100.0 * self.caught / counted if counted else 100.0


def table(results: Iterable[Result], listed: dict[str, Listed]) -> list[Row]:
    """One row per module, in the order the modules first appear, then a ``total`` row."""
    rows: dict[str, Row] = {}
    total = Row("total")
    for result in results:
        row = rows.setdefault(result.mutant.module, Row(result.mutant.module))
        for target in (row, total):
            _count(target, result, listed.get(result.mutant.id))
    return [*rows.values(), total]


def _count(row: Row, result: Result, listing: Listed | None) -> None:
    row.mutants += 1
    if result.status is Status.KILLED:
        row.killed += 1
    elif result.status is Status.TIMEOUT:
        row.timeouts += 1
    else:
        if result.status is Status.SURVIVED:
            row.survived += 1
        else:
            row.not_covered += 1
        if listing is not None:
            setattr(row, listing.cls, getattr(row, listing.cls) + 1)


def killed_but_listed(results: Iterable[Result], listed: dict[str, Listed]) -> list[Result]:
    """Listed mutants a case killed: an ``equivalent`` or ``unreachable`` listing that is wrong,
    or a ``gap`` a case now closes. Either way the listing must go (timeouts prove nothing)."""
    return [r for r in results if r.status is Status.KILLED and r.mutant.id in listed]


def unlisted_survivors(results: Iterable[Result], listed: dict[str, Listed]) -> list[Result]:
    """Survivors and uncovered mutants the survivors file does not explain: behaviour gaps."""
    return [
        r
        for r in results
        if r.status in (Status.SURVIVED, Status.NOT_COVERED) and r.mutant.id not in listed
    ]


def markdown(rows: Sequence[Row]) -> str:
    head = (
        "| module | mutants | killed | survived | not covered | timeouts | equivalent "
        "| unreachable | unjudged | listed gaps | raw score | score (non-equivalent, reachable) |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    body = "".join(
        f"| {r.module} | {r.mutants} | {r.killed} | {r.survived} | {r.not_covered} "
        f"| {r.timeouts} | {r.equivalent} | {r.unreachable} | {r.unjudged} | {r.gap} "
        f"| {r.raw:.0f}% "
        f"| {r.adjusted:.0f}% |\n"
        for r in rows
    )
    return head + body


def as_json(
    results: Sequence[Result],
    rows: Sequence[Row],
    listed: dict[str, Listed],
    meta: dict[str, object],
) -> str:
    mutants = [
        {
            "id": r.mutant.id,
            "module": r.mutant.module,
            "operator": r.mutant.operator,
            "line": r.mutant.line,
            "text": r.mutant.text,
            "change": r.mutant.description,
            "status": r.status.value,
            "listed": listed[r.mutant.id].cls if r.mutant.id in listed else None,
            "cases": r.cases,
            "failed": r.failed,
            "seconds": round(r.seconds, 2),
        }
        for r in results
    ]
    scores = [
        {**vars(row), "raw_score": round(row.raw, 1), "score": round(row.adjusted, 1)}
        for row in rows
    ]
    document = {"format": FORMAT, **meta, "modules": scores, "mutants": mutants}
    return json.dumps(document, indent=1, sort_keys=False) + "\n"
