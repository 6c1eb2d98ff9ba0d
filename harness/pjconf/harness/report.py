"""Rendering a run: a summary table for people, JSON for machines."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pjconf.harness.checker import Verdict
from pjconf.harness.runner import RunResult

_COLUMNS = (Verdict.PASS, Verdict.FAIL, Verdict.SKIP, Verdict.ACCEPTABLE, Verdict.ERROR)


def summary_table(run: RunResult) -> str:
    counts: dict[str, dict[Verdict, int]] = defaultdict(lambda: dict.fromkeys(_COLUMNS, 0))
    for outcome in run.outcomes:
        counts[outcome.case.family][outcome.verdict] += 1
    header = ["family", *(v.value for v in _COLUMNS)]
    rows = [[family, *(str(c[v]) for v in _COLUMNS)] for family, c in sorted(counts.items())]
    rows.append(["total", *(str(run.count(v)) for v in _COLUMNS)])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))])

    rule = "-" * len(line(header))
    return "\n".join([line(header), rule, *map(line, rows[:-1]), rule, line(rows[-1])])


def problems(run: RunResult) -> str:
    """Every FAIL and ERROR with what was expected and the inputs that reproduce it."""
    blocks = []
    for outcome in run.outcomes:
        if outcome.verdict not in (Verdict.FAIL, Verdict.ERROR):
            continue
        case = outcome.case
        blocks.append(
            f"{outcome.verdict.value} {case.name} [{case.op}] {case.comment}\n"
            f"  {outcome.detail}\n"
            f"  reproduce: pjconf run -k '{case.name}'"
        )
    return "\n".join(blocks)


def to_json(run: RunResult, implementation: dict[str, Any]) -> dict[str, Any]:
    return {
        "implementation": implementation,
        "ok": run.ok,
        "counts": {v.value: run.count(v) for v in _COLUMNS},
        "notRunnable": run.not_runnable,
        "cases": [
            {
                "name": o.case.name,
                "family": o.case.family,
                "tcId": o.case.tc_id,
                "op": o.case.op,
                "comment": o.case.comment,
                "flags": list(o.case.flags),
                "verdict": o.verdict.value,
                "detail": o.detail,
                "args": o.case.args if o.verdict in (Verdict.FAIL, Verdict.ERROR) else None,
                "got": o.got,
            }
            for o in run.outcomes
        ],
    }
