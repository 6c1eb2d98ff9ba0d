"""The columns of a matrix report: JSON reports grouped by implementation, each group merged.

The rule that decides what joins what, in one place for ``pjconf report merge`` and for
``pjconf run`` with several ``--impl``: two reports belong to one column when they name the same
implementation (``name version`` from hello) and the same ``--impl``; the reports of a column
are the shards of one run and are merged as ``pjconf report merge`` merges them (same corpus,
expectations, profile and strictness, no case judged two ways). Columns must share the corpus
(its sha256) and the profile, since a row compares one case judged by one rule set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pjconf.harness.corpus.load import Case
from pjconf.harness.reports import merge


class MatrixError(Exception):
    """Reports that cannot be joined into one matrix (different corpora or profiles)."""


@dataclass(frozen=True)
class Column:
    """One implementation of the matrix: its label, its ``--impl``, and its whole report."""

    label: str
    impl: str
    report: dict[str, Any]
    """The JSON report of the implementation's (merged) run, recomputed as ``pjconf run``
    writes it: counts, family states, ``ok`` and ``problems`` are the whole run's."""
    sources: tuple[str, ...] = ()
    """The report files merged into this column (empty for a column ``pjconf run`` made)."""

    @property
    def ok(self) -> bool:
        return bool(self.report.get("ok")) and not self.partial

    @property
    def partial(self) -> bool:
        return bool(self.report.get("partial"))


def key(report: dict[str, Any]) -> tuple[str, str]:
    """What makes two reports shards of one run: the implementation and its ``--impl``."""
    return merge.identity(report), str(report.get("impl", "?"))


def group(shards: list[merge.Shard]) -> list[list[merge.Shard]]:
    """The reports by implementation, in the order each implementation first appears."""
    groups: dict[tuple[str, str], list[merge.Shard]] = {}
    for shard in shards:
        groups.setdefault(key(shard.report), []).append(shard)
    return list(groups.values())


def columns(
    groups: list[list[merge.Shard]],
    cases_of: Callable[[str], dict[str, Case]],
    *,
    min_verified: float | None = None,
    keep_sources: bool = True,
) -> list[Column]:
    """One column per group, its shards merged; refuses columns that cannot share rows.

    Raises :class:`MatrixError`, :class:`merge.MergeError` (shards of one implementation that
    do not belong together) or ``from_json.ReportError`` (a report the corpus cannot rebuild)."""
    if not groups:
        raise MatrixError("no reports to put side by side")
    _shared(groups, "corpora (sha256)", merge.digest, "a row is one case of one corpus")
    _shared(
        groups,
        "profiles (--profile)",
        lambda r: str(r.get("profile", "bip77")),
        "a row is one case judged by one profile; make one matrix per profile",
    )
    found = []
    for shards in groups:
        _, _, document = merge.rebuilt(shards, cases_of, min_verified)
        document["partial"] = any(bool(s.report.get("partial")) for s in shards)
        document["interrupted"] = next(
            (s.report["interrupted"] for s in shards if s.report.get("interrupted")), None
        )
        sources = tuple(s.source for s in shards) if keep_sources else ()
        found.append((merge.identity(document), str(document.get("impl", "?")), document, sources))
    names = [name for name, *_ in found]
    return [
        Column(name if names.count(name) == 1 else f"{name} [{impl}]", impl, document, sources)
        for name, impl, document, sources in found
    ]


def _shared(groups: list[list[merge.Shard]], what: str, of: Any, why: str) -> None:
    first = groups[0][0]
    for shards in groups[1:]:
        if of(shards[0].report) != of(first.report):
            raise MatrixError(
                f"{shards[0].source} and {first.source} are reports of different {what} "
                f"({of(shards[0].report)!r} and {of(first.report)!r}): {why}"
            )
