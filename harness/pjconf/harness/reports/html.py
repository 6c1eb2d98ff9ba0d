"""``pjconf run --html FILE``: one self-contained page for a person reading a run.

Autobahn's report is the model (a summary, then every case worth a look with its expectation and
what was observed), in a single file that can be attached to a CI run or mailed: inline CSS, no
scripts, no external assets; ``<details>`` gives the drill-down without JavaScript. Everything
that came from the corpus or the implementation is HTML-escaped.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable

from pjconf.harness.reports.summary import (
    RunInfo,
    columns,
    expected_of,
    not_sent,
    reproduce,
    skip_groups,
    verdict_line,
    verified_line,
    visible,
)
from pjconf.harness.run.checker import Outcome, Verdict
from pjconf.harness.run.coverage import coverage
from pjconf.harness.run.runner import FamilyState, RunResult

DRILL_DOWN = (
    Verdict.FAIL,
    Verdict.ERROR,
    Verdict.UNEXPECTED_PASS,
    Verdict.KNOWN_FAILURE,
    Verdict.ACCEPTABLE,
)
"""The verdicts listed case by case, in this order."""

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:72em;padding:0 1em;color:#222}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.25em .6em}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f2f2f2}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:.1em 1em}dl.meta dt{font-weight:600}
.ok{color:#176f2c;font-weight:600}.bad{color:#b3261e;font-weight:600}.warn{color:#8a5300}
details{border:1px solid #ddd;border-radius:4px;margin:.4em 0;padding:.3em .6em}
summary{cursor:pointer}pre{background:#f7f7f7;padding:.5em;overflow-x:auto;white-space:pre-wrap;
word-break:break-all;max-height:24em}
.FAIL,.ERROR,.UNEXPECTED_PASS{color:#b3261e}.KNOWN_FAILURE{color:#8a5300}.ACCEPTABLE{color:#1d4f91}
"""


def _e(text: object) -> str:
    return html.escape(visible(str(text)), quote=True)


def _json(value: object) -> str:
    return _e(json.dumps(value, indent=1, ensure_ascii=False, sort_keys=True))


def _anchor(outcome: Outcome) -> str:
    return f"case-{outcome.case.family}-{outcome.case.tc_id}"


def _header(run: RunResult, info: RunInfo) -> list[str]:
    status = "ok" if run.ok else "bad"
    meta = [
        ("implementation", info.name),
        ("version", info.version),
        ("--impl", info.impl),
        ("--profile", info.profile),
        ("corpus", info.corpus.get("version", "")),
        ("corpus sha256", info.corpus.get("sha256", "")),
        ("date", info.date),
        ("elapsed", f"{info.elapsed:.2f}s" if info.timed else "-"),
        ("verified", verified_line(run)),
        ("expectations", info.expectations or "none"),
        ("totals", ", ".join(f"{v.value} {run.count(v)}" for v in columns(run))),
        ("reference-only (not runnable)", run.not_runnable),
    ]
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in meta)
    partial = (
        [f'<p class="bad">Partial report: the run was interrupted ({_e(run.interrupted)}).</p>']
        if run.interrupted
        else []
    )
    return [
        f"<h1>pjconf run: {_e(info.name)} {_e(info.version)}</h1>",
        *partial,
        f'<p class="{status}">{_e(verdict_line(run))}</p>',
        f'<dl class="meta">{rows}</dl>',
    ]


def _family_table(run: RunResult) -> list[str]:
    shown = columns(run)
    head = "".join(f"<th>{_e(v.value)}</th>" for v in shown)
    out = ["<h2>Families</h2>", f"<table><tr><th>family</th>{head}<th>status</th></tr>"]
    for family in run.families:
        state, reason = run.family_state(family)
        cells = "".join(
            '<td class="n">-</td>'
            if state is FamilyState.NOT_RUN
            else f'<td class="n">{run.count(v, family)}</td>'
            for v in shown
        )
        css = "ok" if state is FamilyState.OK else "bad"
        note = f": {_e(reason)}" if reason else ""
        out.append(
            f'<tr><td>{_e(family)}</td>{cells}<td class="{css}">{_e(state.value)}{note}</td></tr>'
        )
    totals = "".join(f'<td class="n">{run.count(v)}</td>' for v in shown)
    out.append(f"<tr><th>total</th>{totals}<th>{'ok' if run.ok else 'FAILED'}</th></tr></table>")
    if run.excluded:
        items = "".join(f"<li>{_e(f)}: {_e(r)}</li>" for f, r in sorted(run.excluded.items()))
        out.append(f"<p>Excluded on purpose:</p><ul>{items}</ul>")
    return out


def _run_problems(run: RunResult) -> list[str]:
    problems = run.run_problems()
    if not problems:
        return []
    items = "".join(f'<li class="bad">{_e(p)}</li>' for p in problems)
    return ["<h2>Run problems</h2>", f"<ul>{items}</ul>"]


def _case(outcome: Outcome, run: RunResult) -> str:
    case = outcome.case
    fields = [
        ("op", _e(case.op)),
        ("comment", _e(case.comment)),
        ("flags", _e(", ".join(case.flags) or "-")),
        ("detail", _e(outcome.detail or "-")),
    ]
    if outcome.reason:
        fields.append(("expectation", _e(outcome.reason)))
    if outcome.judged is not None:
        fields.append(("judged", _e(outcome.judged.value)))
    fields += [
        ("expected", f"<pre>{_json(expected_of(outcome))}</pre>"),
        ("got", f"<pre>{_json(outcome.got)}</pre>"),
        ("inputs", f"<pre>{_json(case.args)}</pre>"),
        ("reproduce", f"<code>{_e(reproduce(outcome, run))}</code>"),
    ]
    body = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in fields)
    verdict = outcome.verdict.value
    return (
        f'<details id="{_e(_anchor(outcome))}"><summary><span class="{verdict}">{verdict}</span> '
        f"{_e(case.name)} {_e(case.comment)}</summary><dl>{body}</dl></details>"
    )


def _skips(run: RunResult) -> list[str]:
    """What the run did not check, one list per reason (SKIPs are never a pass)."""
    groups = skip_groups(run)
    if not groups:
        return []
    out = ["<h2>Skipped, by reason</h2>"]
    for reason, outcomes in groups:
        names = ", ".join(_e(o.case.name) for o in outcomes)
        out.append(
            f"<details><summary>{len(outcomes)} &times; {_e(reason)}</summary>"
            f"<p>{names}</p></details>"
        )
    return out


def _state_graph(run: RunResult) -> list[str]:
    """How much of payjoin 1.0's declared state graphs the run went through, and the edges it
    did not reach."""
    cov = coverage(run.outcomes)
    out = ["<h2>State-graph coverage</h2>"]
    for role in ("receiver", "sender"):
        done, total = cov.counts(role)
        missing = cov.missing(role)
        out.append(f"<p>{role}: {done} of {total} declared edges</p>")
        if missing:
            items = "".join(f"<li>{_e(' → '.join(edge[1:]))}</li>" for edge in missing)
            out.append(
                f"<details><summary>{len(missing)} not reached</summary><ul>{items}</ul></details>"
            )
    if cov.unknown:
        items = "".join(f"<li>{_e(' → '.join(edge))}</li>" for edge in cov.unknown)
        out.append(f"<p>Undeclared edges taken:</p><ul>{items}</ul>")
    return out


def _unsent(outcomes: Iterable[Outcome]) -> list[str]:
    """One line per family for the cases the circuit breaker did not send."""
    families: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        families.setdefault(outcome.case.family, []).append(outcome)
    return [
        f'<p class="bad">{_e(family)}: {len(mine)} cases not sent '
        f"({_e(mine[0].case.name)} ... {_e(mine[-1].case.name)}): {_e(mine[0].detail)}</p>"
        for family, mine in families.items()
    ]


def _drill_down(run: RunResult) -> list[str]:
    out = ["<h2>Cases to look at</h2>"]
    listed = 0
    for verdict in DRILL_DOWN:
        mine = [o for o in run.outcomes if o.verdict is verdict]
        if mine:
            out.append(f'<h3 class="{verdict.value}">{verdict.value} ({len(mine)})</h3>')
            out.extend(_case(o, run) for o in mine if not not_sent(o))
            out.extend(_unsent(o for o in mine if not_sent(o)))
            listed += len(mine)
    if not listed:
        out.append("<p>None: every case that ran passed.</p>")
    return out


def render(run: RunResult, info: RunInfo) -> str:
    """The whole page."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>pjconf run: {_e(info.name)} {_e(info.version)}</title>",
        f"<style>{_CSS}</style></head><body>",
        *_header(run, info),
        *_family_table(run),
        *_run_problems(run),
        *_drill_down(run),
        *_skips(run),
        *_state_graph(run),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
