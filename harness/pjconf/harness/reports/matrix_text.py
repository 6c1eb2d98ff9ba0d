"""The matrix for a CI log: implementations numbered, family totals side by side, then every
disagreement (bounded) with the command that reproduces each failing cell. Plain text, no
colours; the HTML page and the JSON hold the rest."""

from __future__ import annotations

from pjconf.harness.reports.matrix_model import FamilyCell, Matrix, Row
from pjconf.harness.run.checker import Verdict

MAX_DISAGREEMENTS = 100
"""Disagreements listed in the log; the rest are counted (the JSON and HTML have them all)."""

_OK = (Verdict.PASS.value, Verdict.ACCEPTABLE.value, Verdict.UNEXPECTED_PASS.value)
_FAIL = (Verdict.FAIL.value, Verdict.ERROR.value)


def _family_cell(cell: FamilyCell | None) -> str:
    if cell is None:
        return "-"
    if cell.state == "excluded":
        return "excluded"
    ok = sum(cell.counts.get(v, 0) for v in _OK)
    fail = sum(cell.counts.get(v, 0) for v in _FAIL)
    known = cell.counts.get(Verdict.KNOWN_FAILURE.value, 0)
    skip = cell.counts.get(Verdict.SKIP.value, 0)
    text = f"{ok}/{fail}/{known}/{skip}"
    return text if cell.state == "ok" else f"{text} {cell.state}"


def table(matrix: Matrix) -> str:
    """Family rows, one column per implementation (``ok/fail/known/skip`` and the state when
    it is not ok), then how many cases agree, disagree (known) and were judged by fewer than
    two."""
    numbers = [f"[{i}]" for i in range(1, len(matrix.columns) + 1)]
    header = ["family", "cases", *numbers, "agree", "disagree", "known", "incomplete"]
    rows = [
        [
            f.name,
            str(len(f.rows)),
            *(_family_cell(c) for c in f.cells),
            str(f.count("agree")),
            str(f.count("disagree")),
            str(f.known),
            str(f.count("incomplete")),
        ]
        for f in matrix.families
    ]
    total = [
        "total",
        str(len(matrix.rows)),
        *("ok" if c.ok else "FAILED" for c in matrix.columns),
        str(matrix.count("agree")),
        str(matrix.count("disagree")),
        str(matrix.known),
        str(matrix.count("incomplete")),
    ]
    widths = [max(len(r[i]) for r in [header, *rows, total]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    rule = "-" * len(line(header))
    legend = [
        f"[{i}] {c.label} ({c.impl})" + ("" if c.ok else " FAILED" if not c.partial else " partial")
        for i, c in enumerate(matrix.columns, 1)
    ]
    return "\n".join(
        [
            *legend,
            "cells: verified/failed/known failures/skipped per family",
            line(header),
            rule,
            *map(line, rows),
            rule,
            line(total),
        ]
    )


def _disagreement(row: Row) -> list[str]:
    verdicts = "  ".join(
        f"[{i}] {'-' if c is None else c.verdict.value}" for i, c in enumerate(row.cells, 1)
    )
    lines = [f"{'known' if row.known else 'DISAGREE'} {row.name} [{row.op}]: {verdicts}"]
    for i, cell in enumerate(row.cells, 1):
        if cell is not None and cell.reproduce and cell.verdict is not Verdict.KNOWN_FAILURE:
            lines.append(f"  [{i}] reproduce: {cell.reproduce}")
    return lines


def disagreements(matrix: Matrix, limit: int = MAX_DISAGREEMENTS) -> str:
    rows = matrix.disagreements()
    lines = [line for row in rows[:limit] for line in _disagreement(row)]
    if len(rows) > limit:
        lines.append(f"... and {len(rows) - limit} more disagreements (see the JSON or HTML)")
    return "\n".join(lines)


def verdict_line(matrix: Matrix, prog: str) -> str:
    counts = (
        f"{len(matrix.rows)} cases: {matrix.count('agree')} agree, {matrix.count('disagree')} "
        f"disagree ({matrix.known} known failures), {matrix.count('incomplete')} incomplete"
    )
    failed = [
        f"[{i}] {'partial' if c.partial else 'FAILED'}"
        for i, c in enumerate(matrix.columns, 1)
        if not c.ok
    ]
    state = "ok" if not failed else "FAILED (" + ", ".join(failed) + ")"
    return f"{prog} matrix: {state}; {counts}"


def render(matrix: Matrix, prog: str) -> str:
    parts = [table(matrix)]
    listed = disagreements(matrix)
    if listed:
        parts.append(listed)
    parts.append(verdict_line(matrix, prog))
    return "\n\n".join(parts) + "\n"
