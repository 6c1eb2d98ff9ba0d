"""A JSON report read back into the run it describes.

``pjconf report merge`` renders JSON, JUnit and HTML for shards that ran on other machines; it
does so with the very renderers and verdict rules of ``pjconf run`` by rebuilding their input, a
:class:`RunResult` and a :class:`RunInfo`. A report keeps each case's name, verdict, detail and
answer but not the case itself, so the case comes from the corpus the report names, which must be
the same bytes (its sha256 digest).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from pjconf.harness.corpus.load import Case, CorpusError, load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.reports.summary import RunInfo, corpus_identity
from pjconf.harness.run.checker import Outcome, Verdict
from pjconf.harness.run.runner import FamilyState, RunResult


class ReportError(Exception):
    """A report that cannot be read, or does not fit the corpus or the other reports."""


def read_report(path: Path) -> dict[str, Any]:
    """One ``pjconf run --json`` report, with the fields a merge and a summary read."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ReportError(f"cannot read {path}: {exc}") from None
    needed = ("implementation", "counts", "families", "cases", "verified", "expectations")
    if not isinstance(document, dict) or any(key not in document for key in needed):
        raise ReportError(f"{path} is not a pjconf run --json report")
    return document


def corpus_for(root: Path | None, wanted: str) -> dict[str, Case]:
    """The cases of the corpus at ``root`` (default: this pjconf's) by name, in corpus order,
    when its bytes are the ones the reports ran (sha256 ``wanted``)."""
    root = root or vectors_dir()
    have = corpus_identity(root)["sha256"]
    if have != wanted:
        raise ReportError(
            f"the reports ran corpus sha256 {wanted}, but {root} is {have}: give --vectors "
            "the corpus they ran (or merge with the pjconf release that ran them)"
        )
    try:
        return {case.name: case for case in load_corpus(root)}
    except CorpusError as exc:
        raise ReportError(str(exc)) from None


def rebuild(
    report: dict[str, Any], cases: dict[str, Case], *, min_verified: float | None = None
) -> tuple[RunResult, RunInfo]:
    """The run and run facts ``report`` describes, its cases taken from ``cases`` by name."""
    outcomes = []
    for entry in report["cases"]:
        name = str(entry.get("name"))
        if name not in cases:
            raise ReportError(f"case {name} of the report is not in the corpus")
        judged = entry.get("judged")
        outcomes.append(
            Outcome(
                cases[name],
                _verdict(entry.get("verdict"), name),
                str(entry.get("detail") or ""),
                entry.get("got"),
                str(entry.get("reason") or ""),
                _verdict(judged, name) if judged else None,
                float(entry.get("seconds") or 0.0),
            )
        )
    families = report["families"]
    expectations = report["expectations"]
    result = RunResult(
        outcomes=outcomes,
        not_runnable=int(report.get("notRunnable", 0)),
        families=list(families),
        not_run={
            name: str(entry.get("reason", ""))
            for name, entry in families.items()
            if entry.get("state") == FamilyState.NOT_RUN.value
        },
        excluded=dict(report.get("excluded") or {}),
        setup_problems=[str(p) for p in expectations.get("problems", [])],
        strict_expectations=bool(expectations.get("strict")),
        corpus_runnable=int(report["verified"].get("corpusRunnable", 0)),
        min_verified=min_verified,
        rerun=tuple(str(word) for word in report.get("rerun") or ()),
    )
    info = RunInfo(
        implementation=dict(report["implementation"]),
        impl=str(report.get("impl", "?")),
        corpus=dict(report.get("corpus") or {}),
        started=_unix(str(report.get("date", ""))),
        elapsed=float(report.get("elapsedSeconds", 0.0)),
        expectations=str(expectations.get("applied") or ""),
        profile=str(report.get("profile", "bip77")),
    )
    return result, info


def _verdict(value: object, name: str) -> Verdict:
    try:
        return Verdict(str(value))
    except ValueError:
        raise ReportError(f"case {name} has an unknown verdict {value!r}") from None


def _unix(date: str) -> int:
    try:
        return int(datetime.strptime(date, "%Y-%m-%dT%H:%M:%S%z").timestamp())
    except ValueError:
        return 0
