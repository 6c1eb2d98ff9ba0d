"""Rendering a run: a summary table for people, JSON for machines.

The JUnit and HTML renderings live in ``junit.py`` and ``html_report.py``; all three read the
same :class:`RunInfo` and :class:`RunResult`, so they agree with each other and with the exit
status.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pjconf.harness.corpus.load import family_files
from pjconf.harness.run.breaker import UNRESPONSIVE
from pjconf.harness.run.checker import Outcome, Verdict
from pjconf.harness.run.coverage import coverage
from pjconf.harness.run.runner import FamilyState, RunResult

BASE_COLUMNS = (Verdict.PASS, Verdict.FAIL, Verdict.SKIP, Verdict.ACCEPTABLE, Verdict.ERROR)
EXPECTATION_COLUMNS = (Verdict.KNOWN_FAILURE, Verdict.UNEXPECTED_PASS)
ALL_COLUMNS = (*BASE_COLUMNS, *EXPECTATION_COLUMNS)
SHOWN_WITH_INPUTS = (Verdict.FAIL, Verdict.ERROR, Verdict.KNOWN_FAILURE, Verdict.UNEXPECTED_PASS)
"""Verdicts whose reports carry the case's inputs, so they can be reproduced from the report."""

_INVISIBLE = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with control characters, lone surrogates and non-characters written as
    ``\\xNN``/``\\uNNNN``: XML 1.0 cannot carry them at all, HTML only as parse errors, and an
    implementation's messages may contain anything."""
    return _INVISIBLE.sub(_escape, text)


@dataclass(frozen=True)
class RunInfo:
    """What a report says about the run besides its outcomes."""

    implementation: dict[str, Any] = field(default_factory=dict)
    """The hello result (``implementation``, ``version``, ``ops``...)."""
    impl: str = "reference"
    """The ``--impl`` argument."""
    corpus: dict[str, Any] = field(default_factory=dict)
    started: int = 0
    """Unix seconds, from the injected clock."""
    elapsed: float = 0.0
    expectations: str = ""
    """``file (entry)`` when an expectations file applied."""
    profile: str = "bip77"
    """The ``--profile`` the cases were judged by."""
    timed: bool = True
    """Reports carry measured times (per case and in total); off for byte-reproducible reports."""

    @property
    def name(self) -> str:
        return str(self.implementation.get("implementation", self.impl))

    @property
    def version(self) -> str:
        return str(self.implementation.get("version", ""))

    @property
    def date(self) -> str:
        return datetime.fromtimestamp(self.started, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def corpus_identity(root: Path) -> dict[str, Any]:
    """Which corpus ran: generator versions, schemas and a digest over the files' bytes."""
    digest = hashlib.sha256()
    generators: set[str] = set()
    schemas: dict[str, str] = {}
    for path in family_files(root):
        data = path.read_bytes()
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + data)
        try:
            document = json.loads(data)
            generator = document.get("generator", {})
            generators.add(f"{generator.get('name', '?')} {generator.get('version', '?')}")
            schemas[str(document.get("family", path.stem))] = str(document.get("schema", ""))
        except (ValueError, AttributeError):
            continue
    return {
        "path": str(root),
        "version": ", ".join(sorted(generators)) or "unknown",
        "sha256": digest.hexdigest(),
        "schemas": schemas,
    }


def columns(run: RunResult) -> tuple[Verdict, ...]:
    """The base verdicts, plus KNOWN_FAILURE and UNEXPECTED_PASS when the run has either."""
    present = any(run.count(v) for v in EXPECTATION_COLUMNS)
    return (*BASE_COLUMNS, *(EXPECTATION_COLUMNS if present else ()))


def summary_table(run: RunResult) -> str:
    shown = columns(run)
    header = ["family", *(v.value for v in shown), "status"]
    rows = []
    for family in run.families:
        state, _ = run.family_state(family)
        if state is FamilyState.NOT_RUN:
            rows.append([family, *("-" for _ in shown), state.value])
        else:
            rows.append([family, *(str(run.count(v, family)) for v in shown), state.value])
    total_state = "ok" if run.ok else "FAILED"
    total = ["total", *(str(run.count(v)) for v in shown), total_state]
    widths = [max(len(r[i]) for r in [header, *rows, total]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        numbers = [c.rjust(w) for c, w in zip(cells[1:-1], widths[1:-1], strict=True)]
        return "  ".join([first, *numbers, cells[-1]]).rstrip()

    rule = "-" * max(len(line(header)), len(line(total)))
    return "\n".join([line(header), rule, *map(line, rows), rule, line(total)])


NOTED_STATES = (FamilyState.NOT_RUN, FamilyState.NOTHING_RAN, FamilyState.INTERRUPTED)
"""Family states whose reason is stated under the table (a FAILED family's cases are listed)."""


def not_sent(outcome: Outcome) -> bool:
    """A case the circuit breaker did not send: reported once per family, not case by case."""
    return outcome.detail.startswith(UNRESPONSIVE) and outcome.got is None


def family_notes(run: RunResult) -> str:
    """Why each family that is not OK is not, and which families were left out on purpose."""
    lines = []
    for family in run.families:
        state, reason = run.family_state(family)
        if state in NOTED_STATES:
            lines.append(f"{family}: {state.value} - {reason}")
        elif family in run.unresponsive:
            lines.append(f"{family}: {run.unresponsive[family]}")
    for family, reason in sorted(run.excluded.items()):
        lines.append(f"{family}: excluded - {reason}")
    return "\n".join(lines)


def reproduce(outcome: Outcome, run: RunResult) -> str:
    """The whole command that runs this case again as this run did: the same implementation,
    corpus and expectations, and the seed when the case had a fresh variant."""
    words = ["pjconf", "run", *run.rerun, "--case", outcome.case.name]
    if run.variants is not None and run.variants.of(outcome.case) is not None:
        words += ["--seed", run.variants.seed]
    return shlex.join(words)


def expected_of(outcome: Outcome) -> dict[str, Any]:
    """What the case wants: the exact result fields, the error, or (acceptable) either."""
    case = outcome.case
    wanted: dict[str, Any] = {"result": case.result}
    if case.expected is not None:
        wanted["expected"] = case.expected
    if case.error is not None:
        wanted["error"] = case.error
    return wanted


def problems(run: RunResult) -> str:
    """Every FAIL, ERROR and UNEXPECTED_PASS with what was expected and how to reproduce it;
    known failures one line each; then the run's own problems (stale expectations...)."""
    blocks = []
    unsent: dict[str, list[Outcome]] = {}
    for outcome in run.outcomes:
        case = outcome.case
        if outcome.verdict is Verdict.ERROR and not_sent(outcome):
            unsent.setdefault(case.family, []).append(outcome)
        elif outcome.verdict in (Verdict.FAIL, Verdict.ERROR):
            blocks.append(
                f"{outcome.verdict.value} {case.name} [{case.op}] {case.comment}\n"
                f"  {outcome.detail}\n  reproduce: {reproduce(outcome, run)}"
            )
        elif outcome.verdict is Verdict.UNEXPECTED_PASS:
            blocks.append(
                f"UNEXPECTED_PASS {case.name} [{case.op}] {case.comment}\n"
                f"  listed as a known failure ({outcome.reason}), but it now "
                f"{'passes' if outcome.judged is Verdict.PASS else 'is acceptable'}: "
                f"remove it from the expectations file\n  reproduce: {reproduce(outcome, run)}"
            )
    for family, outcomes in unsent.items():
        first, last = outcomes[0].case.tc_id, outcomes[-1].case.tc_id
        blocks.append(
            f"ERROR {family}/{first}..{last}: {len(outcomes)} cases not sent "
            f"({outcomes[0].detail.removeprefix(UNRESPONSIVE)})"
        )
    for outcome in run.outcomes:
        if outcome.verdict is Verdict.KNOWN_FAILURE:
            blocks.append(f"KNOWN_FAILURE {outcome.case.name}: {outcome.reason}")
    blocks.extend(f"ERROR {problem}" for problem in run.setup_problems)
    return "\n".join(blocks)


def skip_groups(run: RunResult) -> list[tuple[str, list[Outcome]]]:
    """The SKIPs grouped by their reason, most frequent first: what the run did not check."""
    groups: dict[str, list[Outcome]] = {}
    for outcome in run.outcomes:
        if outcome.verdict is Verdict.SKIP:
            groups.setdefault(outcome.detail or "no reason given", []).append(outcome)
    return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))


def skip_lines(run: RunResult, *, names: int = 6) -> str:
    """One line per SKIP reason with its count and the first few case names."""
    lines = []
    for reason, outcomes in skip_groups(run):
        shown = ", ".join(o.case.name for o in outcomes[:names])
        more = f", ... (+{len(outcomes) - names})" if len(outcomes) > names else ""
        lines.append(f"SKIP {len(outcomes)}: {reason}\n  {shown}{more}")
    return "\n".join(lines)


def coverage_lines(run: RunResult) -> str:
    """How much of payjoin 1.0's declared state graph the passing cases went through."""
    cov = coverage(run.outcomes)
    parts = []
    for role in ("receiver", "sender"):
        done, total = cov.counts(role)
        if done:
            parts.append(f"{role} {done}/{total} edges")
    if not parts:
        return ""
    text = "state graph covered: " + ", ".join(parts)
    if cov.unknown:
        text += f"; {len(cov.unknown)} undeclared edge(s) (see --json stateGraph.unknown)"
    return text


def verified_line(run: RunResult) -> str:
    """How much of the corpus this run actually checked, and the seed of its fresh variants."""
    text = (
        f"verified: {run.verified} of {run.corpus_runnable or len(run.outcomes)} runnable "
        f"corpus cases ({run.verified_share:.1f}%)"
    )
    if run.variants is not None and run.variants.by_name:
        text += (
            f"; {len(run.variants.by_name)} also in fresh variants from seed "
            f"{run.variants.seed} (--seed {run.variants.seed} reproduces them)"
        )
    if run.variants is not None and run.variants.unpaired:
        text += f"; {len(run.variants.unpaired)} without a variant"
    return text


def verdict_line(run: RunResult) -> str:
    """One line saying whether the run is green and, if not, everything that made it red."""
    if run.ok:
        return "pjconf run: ok"
    reasons = [f"{run.count(v)} {v.value}" for v in run.failing_verdicts() if run.count(v)]
    states = [run.family_state(f) for f in run.families]
    if run.unresponsive and not run.given_up:
        number = len(run.unresponsive)
        reasons.append(f"unresponsive in {number} {'family' if number == 1 else 'families'}")
    for state in (FamilyState.NOT_RUN, FamilyState.NOTHING_RAN):
        number = sum(1 for s, _ in states if s is state)
        if number:
            reasons.append(f"{number} {'family' if number == 1 else 'families'} {state.value}")
    reasons.extend(run.run_problems())
    return "pjconf run: FAILED (" + "; ".join(reasons) + ")"


def _counts(run: RunResult, family: str | None = None) -> dict[str, int]:
    return {v.value: run.count(v, family) for v in ALL_COLUMNS}


def to_json(
    run: RunResult, implementation: dict[str, Any], info: RunInfo | None = None
) -> dict[str, Any]:
    families: dict[str, Any] = {}
    for family in run.families:
        state, reason = run.family_state(family)
        entry: dict[str, Any] = {
            "state": state.value,
            "reason": reason,
            "counts": _counts(run, family),
        }
        if family in run.unresponsive:
            entry["unresponsive"] = run.unresponsive[family]
        if run.interrupted:
            entry["notReached"] = run.not_reached(family)
        families[family] = entry
    document: dict[str, Any] = {
        "implementation": implementation,
        "ok": run.ok,
        "partial": bool(run.interrupted),
        "interrupted": run.interrupted or None,
        "givenUp": run.given_up or None,
        "counts": _counts(run),
        "families": families,
        "excluded": dict(sorted(run.excluded.items())),
        "notRunnable": run.not_runnable,
        "expectations": {
            "applied": info.expectations if info else "",
            "strict": run.strict_expectations,
            "problems": list(run.setup_problems),
        },
        "problems": run.run_problems(),
        "verified": {
            "cases": run.verified,
            "corpusRunnable": run.corpus_runnable or len(run.outcomes),
            "share": round(run.verified_share, 2),
        },
        "variants": None
        if run.variants is None
        else {
            "seed": run.variants.seed,
            "cases": sorted(run.variants.by_name),
            "unpaired": run.variants.unpaired,
        },
        "stateGraph": coverage(run.outcomes).to_json(),
        "cases": [
            {
                "name": o.case.name,
                "family": o.case.family,
                "tcId": o.case.tc_id,
                "op": o.case.op,
                "comment": o.case.comment,
                "flags": list(o.case.flags),
                "verdict": o.verdict.value,
                "judged": o.judged.value if o.judged else None,
                "reason": o.reason,
                "detail": o.detail,
                "args": o.case.args if o.verdict in SHOWN_WITH_INPUTS and not not_sent(o) else None,
                "got": o.got,
                "seconds": round(o.seconds, 4) if info is None or info.timed else 0,
            }
            for o in run.outcomes
        ],
    }
    document["rerun"] = list(run.rerun)
    if info is not None:
        document["profile"] = info.profile
        document["impl"] = info.impl
        document["corpus"] = info.corpus
        document["date"] = info.date
        document["elapsedSeconds"] = round(info.elapsed, 3) if info.timed else 0
    return document
