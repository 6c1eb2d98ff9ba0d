"""The matrix as data: one row per case, one cell per implementation, and where they disagree.

Two implementations *agree* on a case when both judged it (neither SKIP nor absent) and both
were conformant (PASS, ACCEPTABLE, UNEXPECTED_PASS) or both were not (FAIL, ERROR,
KNOWN_FAILURE); PASS beside ACCEPTABLE is agreement, since both answers are allowed. A row where
fewer than two implementations judged the case is *incomplete*: nothing was compared. A
disagreement is *known* when every non-conformant cell of it is a KNOWN_FAILURE, that is, each
implementation's expectations file already says so.

Everything here is ordered (columns as given, rows and families in corpus order) and free of
times, so the same reports always make the same matrix.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from pjconf.harness.reports.matrix_columns import Column
from pjconf.harness.run.checker import Verdict

Agreement = Literal["agree", "disagree", "incomplete"]

CONFORMANT = frozenset({Verdict.PASS, Verdict.ACCEPTABLE, Verdict.UNEXPECTED_PASS})
NONCONFORMANT = frozenset({Verdict.FAIL, Verdict.ERROR, Verdict.KNOWN_FAILURE})
WITH_REPRODUCE = frozenset({*NONCONFORMANT, Verdict.UNEXPECTED_PASS})
"""Cells that carry the command reproducing them."""


@dataclass(frozen=True)
class Cell:
    """One implementation's verdict on one case, as its report gives it."""

    verdict: Verdict
    judged: str | None
    reason: str
    detail: str
    reproduce: str | None

    @property
    def conformant(self) -> bool | None:
        """True, False, or None for a SKIP (the case was not judged)."""
        if self.verdict in CONFORMANT:
            return True
        if self.verdict in NONCONFORMANT:
            return False
        return None


@dataclass(frozen=True)
class Row:
    name: str
    family: str
    tc_id: int
    op: str | None
    comment: str
    cells: tuple[Cell | None, ...]
    """Per column; None when the case is not in that implementation's run."""

    @property
    def agreement(self) -> Agreement:
        judged = {c.conformant for c in self.cells if c is not None and c.conformant is not None}
        judged_by = sum(1 for c in self.cells if c is not None and c.conformant is not None)
        if judged_by < 2:
            return "incomplete"
        return "agree" if len(judged) == 1 else "disagree"

    @property
    def known(self) -> bool:
        """A disagreement every failing implementation lists as a known failure."""
        failing = [c for c in self.cells if c is not None and c.conformant is False]
        return (
            self.agreement == "disagree"
            and bool(failing)
            and all(c.verdict is Verdict.KNOWN_FAILURE for c in failing)
        )

    @property
    def failing_everywhere(self) -> bool:
        return self.agreement == "agree" and all(
            c.conformant is False for c in self.cells if c is not None and c.conformant is not None
        )


@dataclass(frozen=True)
class FamilyCell:
    """A family in one implementation's run: its state (or ``excluded``) and counts."""

    state: str
    reason: str
    counts: dict[str, int]


@dataclass(frozen=True)
class Family:
    name: str
    cells: tuple[FamilyCell | None, ...]
    """Per column; None when the family was not selected in that run."""
    rows: tuple[Row, ...]

    def count(self, agreement: Agreement) -> int:
        return sum(1 for r in self.rows if r.agreement == agreement)

    @property
    def known(self) -> int:
        return sum(1 for r in self.rows if r.known)


@dataclass(frozen=True)
class Matrix:
    columns: tuple[Column, ...]
    families: tuple[Family, ...]

    @property
    def rows(self) -> list[Row]:
        return [row for family in self.families for row in family.rows]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.columns)

    @property
    def partial(self) -> bool:
        return any(c.partial for c in self.columns)

    @property
    def profile(self) -> str:
        return str(self.columns[0].report.get("profile", "bip77"))

    @property
    def corpus(self) -> dict[str, Any]:
        return dict(self.columns[0].report.get("corpus") or {})

    @property
    def date(self) -> str:
        return min((str(c.report.get("date") or "") for c in self.columns), default="")

    def count(self, agreement: Agreement) -> int:
        return sum(family.count(agreement) for family in self.families)

    @property
    def known(self) -> int:
        return sum(family.known for family in self.families)

    def disagreements(self) -> list[Row]:
        """Unexplained disagreements first, then the known ones, each in corpus order."""
        rows = [r for r in self.rows if r.agreement == "disagree"]
        return [r for r in rows if not r.known] + [r for r in rows if r.known]


def build(columns: Iterable[Column], corpus_order: Iterable[str]) -> Matrix:
    """The matrix of ``columns``; ``corpus_order`` names every case in corpus order."""
    cols = tuple(columns)
    order = {name: index for index, name in enumerate(corpus_order)}
    entries = [{str(c.get("name")): c for c in col.report.get("cases") or []} for col in cols]
    names = sorted({n for e in entries for n in e}, key=lambda n: (order.get(n, len(order)), n))
    rows = [_row(name, [e.get(name) for e in entries], cols) for name in names]
    family_names = list(dict.fromkeys(r.family for r in rows))
    for col in cols:
        for name in [*(col.report.get("families") or {}), *(col.report.get("excluded") or {})]:
            if name not in family_names:
                family_names.append(name)
    families = tuple(
        Family(
            name,
            tuple(_family_cell(col, name) for col in cols),
            tuple(r for r in rows if r.family == name),
        )
        for name in family_names
    )
    return Matrix(cols, families)


def _row(name: str, entries: list[dict[str, Any] | None], cols: tuple[Column, ...]) -> Row:
    first = next(e for e in entries if e is not None)
    cells = tuple(
        None if entry is None else _cell(entry, col)
        for entry, col in zip(entries, cols, strict=True)
    )
    return Row(
        name=name,
        family=str(first.get("family", name.partition("/")[0])),
        tc_id=int(first.get("tcId") or 0),
        op=first.get("op"),
        comment=str(first.get("comment") or ""),
        cells=cells,
    )


def _cell(entry: dict[str, Any], col: Column) -> Cell:
    verdict = Verdict(str(entry.get("verdict")))
    judged = entry.get("judged")
    return Cell(
        verdict=verdict,
        judged=str(judged) if judged else None,
        reason=str(entry.get("reason") or ""),
        detail=str(entry.get("detail") or ""),
        reproduce=_reproduce(str(entry.get("name")), col) if verdict in WITH_REPRODUCE else None,
    )


def _reproduce(name: str, col: Column) -> str:
    """The command that runs this case again as the column's run did (its seed when the case
    had a fresh variant and the run, or all its shards, used one seed)."""
    words = ["pjconf", "run", *(str(w) for w in col.report.get("rerun") or ()), "--case", name]
    variants = col.report.get("variants") or {}
    if variants.get("seed") and name in (variants.get("cases") or ()):
        words += ["--seed", str(variants["seed"])]
    return shlex.join(words)


def _family_cell(col: Column, family: str) -> FamilyCell | None:
    entry = (col.report.get("families") or {}).get(family)
    if entry is not None:
        counts = {str(k): int(v) for k, v in (entry.get("counts") or {}).items()}
        return FamilyCell(str(entry.get("state")), str(entry.get("reason") or ""), counts)
    excluded = (col.report.get("excluded") or {}).get(family)
    if excluded is not None:
        return FamilyCell("excluded", str(excluded), {})
    return None
