"""A run's JSON report as Markdown, for a CI job summary (``pjconf report summary --markdown``).

It reads the JSON report rather than a :class:`RunResult`, so one renderer serves a report
written on another machine, a shard's, and a merged one. GitHub refuses a step summary over
1 MiB, so the output is bounded by construction: at most ``max_failures`` cases per list, every
free text cut to :data:`TEXT_LIMIT` characters, and a final cut at :data:`BYTE_LIMIT` as a
backstop. Everything from the corpus or the implementation is escaped, so no answer can add
links, HTML or table cells to the page.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from pjconf.harness.reports.summary import visible

MAX_FAILURES = 50
"""Failing cases shown in full; the rest are counted (the JSON report has them all)."""
TEXT_LIMIT = 1500
"""Characters of one detail, reason or problem shown."""
BYTE_LIMIT = 1_000_000
"""Below GitHub's 1 MiB step-summary limit, with room for what other steps append."""

BASE = ("PASS", "FAIL", "SKIP", "ACCEPTABLE", "ERROR")
EXTRA = ("KNOWN_FAILURE", "UNEXPECTED_PASS")
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]|~#!])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def inline(text: str, limit: int = TEXT_LIMIT) -> str:
    """``text`` as one line of literal Markdown: no emphasis, links, HTML or cell breaks."""
    one_line = " ".join(_cut(visible(text), limit).split())
    escaped = _INLINE_SPECIAL.sub(r"\\\1", one_line)
    return "".join(_HTML.get(ch, ch) for ch in escaped)


def code(text: str) -> str:
    """``text`` as an inline code span, whatever backticks it holds."""
    text = " ".join(visible(text).split())
    fence = "`" * (_longest_backtick_run(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def block(text: str, info: str = "text", limit: int = TEXT_LIMIT) -> list[str]:
    """``text`` as a fenced code block (nothing inside is interpreted)."""
    body = _cut(visible(text), limit)
    fence = "`" * max(3, _longest_backtick_run(body) + 1)
    return [f"{fence}{info}", *body.splitlines(), fence]


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters in the JSON report)"


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall("`+", text)), default=0)


def failing_verdicts(report: dict[str, Any]) -> tuple[str, ...]:
    """FAIL and ERROR, and UNEXPECTED_PASS when the run was strict about expectations."""
    strict = bool(report.get("expectations", {}).get("strict"))
    return ("FAIL", "ERROR", *(("UNEXPECTED_PASS",) if strict else ()))


def reproduce(report: dict[str, Any], name: str) -> str:
    """The command that runs one case again against the same implementation and seed."""
    parts = ["pjconf", "run"]
    rerun = report.get("rerun")
    impl = report.get("impl")
    if isinstance(rerun, list) and rerun:
        parts += [str(word) for word in rerun]  # --impl, --vectors, --expectations... as run
    elif isinstance(impl, str) and impl != "reference":
        parts += ["--impl", impl]
    parts += ["--case", name]
    variants = report.get("variants") or {}
    seed = variants.get("seed")
    if isinstance(seed, str) and name in set(variants.get("cases", ())):
        parts += ["--seed", seed]
    return shlex.join(parts)


def render(report: dict[str, Any], *, max_failures: int = MAX_FAILURES) -> str:
    """The whole summary: verdict, run facts, counts table, verified share, failing cases."""
    lines = [*_header(report), "", *_table(report), "", *_facts(report)]
    failing = failing_verdicts(report)
    lines += _cases(report, failing, "Failing cases", max_failures)
    if "UNEXPECTED_PASS" not in failing:
        lines += _cases(report, ("UNEXPECTED_PASS",), "Known failures that now pass", max_failures)
    lines += _known(report, max_failures)
    text = "\n".join(lines).rstrip() + "\n"
    return _bounded(text)


def _bounded(text: str) -> str:
    data = text.encode("utf-8")
    if len(data) <= BYTE_LIMIT:
        return text
    kept = data[: BYTE_LIMIT - 200].decode("utf-8", errors="ignore")
    kept = kept[: kept.rfind("\n") + 1]
    return kept + "\n(summary cut at the step-summary size limit; the JSON report has it all)\n"


def _header(report: dict[str, Any]) -> list[str]:
    implementation = report.get("implementation") or {}
    who = " ".join(
        str(implementation.get(key, "")) for key in ("implementation", "version")
    ).strip()
    who = who or str(report.get("impl", "unknown implementation"))
    verdict = "ok" if report.get("ok") else "FAILED"
    lines = [f"## pjconf: {verdict} - {inline(who, 200)}", ""]
    reasons = _red_reasons(report)
    if reasons:
        lines.append("Failed because: " + "; ".join(inline(r, 300) for r in reasons) + ".")
        lines.append("")
    corpus = report.get("corpus") or {}
    facts = [
        ("adapter", code(str(report.get("impl", "?")))),
        ("profile", code(str(report.get("profile", "bip77")))),
        (
            "corpus",
            f"{inline(str(corpus.get('version', '?')), 200)}, sha256 "
            f"{code(str(corpus.get('sha256', '?'))[:16])}",
        ),
        ("expectations", inline(str(report.get("expectations", {}).get("applied") or "none"))),
        ("date", inline(str(report.get("date", "?")))),
        ("elapsed", f"{float(report.get('elapsedSeconds', 0.0)):.1f} s"),
    ]
    merged = report.get("merged")
    if isinstance(merged, dict):
        facts.append(("merged from", f"{len(merged.get('reports', []))} shard reports"))
    lines += [f"- {key}: {value}" for key, value in facts]
    return lines


def _red_reasons(report: dict[str, Any]) -> list[str]:
    counts = report.get("counts", {})
    reasons = [f"{counts[v]} {v}" for v in failing_verdicts(report) if counts.get(v)]
    states = [f.get("state") for f in report.get("families", {}).values()]
    for state in ("NOT RUN", "NOTHING RAN"):
        number = states.count(state)
        if number:
            reasons.append(f"{number} {'family' if number == 1 else 'families'} {state}")
    reasons += [str(p) for p in report.get("problems", [])][:MAX_FAILURES]
    return reasons


def _table(report: dict[str, Any]) -> list[str]:
    totals = report.get("counts", {})
    shown = (*BASE, *(v for v in EXTRA if totals.get(v)))
    lines = [
        "| family | " + " | ".join(shown) + " | status |",
        "|:--" + "|--:" * len(shown) + "|:--|",
    ]
    for family, entry in report.get("families", {}).items():
        counts = entry.get("counts", {})
        state = str(entry.get("state", "?"))
        cells = ["-"] * len(shown) if state == "NOT RUN" else [str(counts.get(v, 0)) for v in shown]
        lines.append(f"| {inline(family, 100)} | " + " | ".join(cells) + f" | {inline(state)} |")
    total = " | ".join(f"**{totals.get(v, 0)}**" for v in shown)
    lines.append(f"| **total** | {total} | **{'ok' if report.get('ok') else 'FAILED'}** |")
    return lines


def _facts(report: dict[str, Any]) -> list[str]:
    verified = report.get("verified") or {}
    text = (
        f"**Verified:** {verified.get('cases', 0)} of {verified.get('corpusRunnable', 0)} "
        f"runnable corpus cases ({float(verified.get('share', 0.0)):.1f}%)"
    )
    variants = report.get("variants")
    if isinstance(variants, dict) and variants.get("cases"):
        seeds = [s for s in variants.get("seeds", [variants.get("seed")]) if s]
        text += f"; {len(variants['cases'])} also in fresh variants from seed " + ", ".join(
            code(str(s)) for s in seeds
        )
    lines = [text + "."]
    graph = report.get("stateGraph") or {}
    edges = [
        f"{role} {graph[role].get('covered', 0)}/{graph[role].get('declared', 0)} edges"
        for role in ("receiver", "sender")
        if isinstance(graph.get(role), dict)
    ]
    if edges:
        lines += ["", "**State graph covered:** " + ", ".join(edges) + "."]
    notes = [
        f"{inline(name, 100)}: {inline(str(entry.get('state')))} - "
        f"{inline(str(entry.get('reason', '')))}"
        for name, entry in report.get("families", {}).items()
        if entry.get("state") in ("NOT RUN", "NOTHING RAN")
    ]
    notes += [
        f"{inline(name, 100)}: excluded - {inline(str(reason))}"
        for name, reason in (report.get("excluded") or {}).items()
    ]
    if notes:
        lines += ["", "**Families not run:**", "", *(f"- {n}" for n in notes)]
    problems = [str(p) for p in report.get("problems", [])]
    if problems:
        lines += ["", f"**Run problems ({len(problems)}):**", ""]
        lines += [f"- {inline(p)}" for p in problems[:MAX_FAILURES]]
        lines += _more(len(problems), MAX_FAILURES, "problems")
    return lines


def _cases(report: dict[str, Any], wanted: tuple[str, ...], title: str, limit: int) -> list[str]:
    """Each case with one of the ``wanted`` verdicts: what went wrong and how to rerun it."""
    cases = [c for c in report.get("cases", []) if c.get("verdict") in wanted]
    if not cases:
        return []
    lines = ["", f"### {title} ({len(cases)})"]
    for case in cases[:limit]:
        name = str(case.get("name", "?"))
        verdict = str(case.get("verdict"))
        head = f"**{inline(verdict)}** {code(name)} ({code(str(case.get('op') or '-'))})"
        comment = str(case.get("comment") or "")
        lines += ["", head + (f": {inline(comment, 300)}" if comment else "")]
        detail = str(case.get("detail") or "")
        if verdict == "UNEXPECTED_PASS":
            detail = (
                f"listed as a known failure ({case.get('reason', '')}), but it now passes: "
                "remove it from the expectations file"
            )
        if detail:
            lines += ["", *block(detail)]
        lines += ["", *block(reproduce(report, name), info="sh", limit=TEXT_LIMIT)]
    lines += _more(len(cases), limit, "cases")
    return lines


def _known(report: dict[str, Any], limit: int) -> list[str]:
    cases = [c for c in report.get("cases", []) if c.get("verdict") == "KNOWN_FAILURE"]
    if not cases:
        return []
    lines = ["", f"### Known failures ({len(cases)})", ""]
    lines += [
        f"- {code(str(c.get('name', '?')))}: {inline(str(c.get('reason', '')), 300)}"
        for c in cases[:limit]
    ]
    lines += _more(len(cases), limit, "known failures")
    return lines


def _more(total: int, shown: int, what: str) -> list[str]:
    if total <= shown:
        return []
    return ["", f"... and {total - shown} more {what} (all are in the JSON report)."]
