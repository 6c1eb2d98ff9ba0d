"""The matrix as one self-contained HTML page: implementations side by side, case by case and
family by family.

Like the single-run page (``html``): inline CSS, no script, no external asset, everything from
the corpus or an implementation escaped. A cell's detail is in its ``title`` (hover) and, for a
verdict worth a look, in a ``<details>`` with the expectation and the reproduce command. "Only
where they disagree" is its own section, reached by an anchor, so no script has to filter."""

from __future__ import annotations

import html

from pjconf.harness.reports.matrix_model import Cell, Family, FamilyCell, Matrix, Row
from pjconf.harness.reports.summary import visible
from pjconf.harness.run.checker import Verdict

SHOWN_COUNTS = tuple(v.value for v in Verdict)

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:90em;padding:0 1em;color:#222}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em}h3{font-size:1.05em}
table{border-collapse:collapse;margin:.4em 0}th,td{border:1px solid #ccc;padding:.2em .5em;
vertical-align:top}th{background:#f2f2f2;text-align:left}td.n{text-align:right}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:.1em 1em}dl.meta dt{font-weight:600}
.ok{color:#176f2c;font-weight:600}.bad{color:#b3261e;font-weight:600}
details{margin:.2em 0}summary{cursor:pointer}code{word-break:break-all}
td.PASS,td.ACCEPTABLE{background:#e9f6ec}td.FAIL,td.ERROR,td.UNEXPECTED_PASS{background:#fbe5e3}
td.KNOWN_FAILURE{background:#fdf1dc}td.SKIP,td.absent{background:#f4f4f4;color:#666}
tr.disagree th.case{border-left:4px solid #b3261e}tr.known th.case{border-left:4px solid #d08a00}
"""


def _e(text: object) -> str:
    return html.escape(visible(str(text)), quote=True)


def _verdict_line(matrix: Matrix) -> str:
    failed = [c.label for c in matrix.columns if not c.ok]
    if not failed:
        return f"pjconf matrix: ok ({len(matrix.columns)} implementations)"
    return "pjconf matrix: FAILED (" + "; ".join(f"{label} FAILED" for label in failed) + ")"


def _header(matrix: Matrix) -> list[str]:
    meta = [
        ("profile", matrix.profile),
        ("corpus", matrix.corpus.get("version", "")),
        ("corpus sha256", matrix.corpus.get("sha256", "")),
        ("date", matrix.date),
        ("cases", len(matrix.rows)),
        ("agree", matrix.count("agree")),
        ("disagree", f"{matrix.count('disagree')} ({matrix.known} known failures)"),
        ("incomplete", f"{matrix.count('incomplete')} (judged by fewer than two)"),
    ]
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in meta)
    names = ", ".join(c.label for c in matrix.columns)
    partial = (
        ['<p class="bad">Partial: a run was interrupted; its column is incomplete.</p>']
        if matrix.partial
        else []
    )
    return [
        f"<h1>pjconf matrix: {_e(names)}</h1>",
        *partial,
        f'<p class="{"ok" if matrix.ok else "bad"}">{_e(_verdict_line(matrix))}</p>',
        '<p><a href="#implementations">implementations</a> · <a href="#families">families '
        'side by side</a> · <a href="#disagreements">only where they disagree</a> · '
        '<a href="#cases">every case</a></p>',
        f'<dl class="meta">{rows}</dl>',
    ]


def _implementations(matrix: Matrix) -> list[str]:
    out = [
        '<h2 id="implementations">Implementations</h2>',
        "<table><tr><th>#</th><th>implementation</th><th>--impl</th><th>expectations</th>"
        "<th>verified</th><th>totals</th><th>status</th></tr>",
    ]
    for index, col in enumerate(matrix.columns, 1):
        verified = col.report.get("verified") or {}
        counts = col.report.get("counts") or {}
        totals = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
        expectations = (col.report.get("expectations") or {}).get("applied") or "none"
        state = "ok" if col.ok else ("partial" if col.partial else "FAILED")
        problems = "; ".join(str(p) for p in col.report.get("problems") or [])
        hover = f' title="{_e(problems)}"' if problems else ""
        out.append(
            f"<tr><td>{index}</td><td>{_e(col.label)}</td><td><code>{_e(col.impl)}</code></td>"
            f"<td>{_e(expectations)}</td><td>{_e(verified.get('cases', 0))} of "
            f"{_e(verified.get('corpusRunnable', 0))} ({_e(verified.get('share', 0))}%)</td>"
            f"<td>{_e(totals or '-')}</td>"
            f'<td class="{"ok" if col.ok else "bad"}"{hover}>{_e(state)}</td></tr>'
        )
    out.append("</table>")
    return out


def _family_cell(cell: FamilyCell | None) -> str:
    if cell is None:
        return '<td class="absent">not selected</td>'
    counts = ", ".join(f"{v} {cell.counts[v]}" for v in SHOWN_COUNTS if cell.counts.get(v))
    css = "ok" if cell.state == "ok" else ("absent" if cell.state == "excluded" else "bad")
    reason = f": {cell.reason}" if cell.reason else ""
    return (
        f'<td title="{_e(cell.state + reason)}"><span class="{css}">{_e(cell.state)}</span>'
        f"<br>{_e(counts or '-')}</td>"
    )


def _families(matrix: Matrix) -> list[str]:
    heads = "".join(f"<th>{_e(c.label)}</th>" for c in matrix.columns)
    out = [
        '<h2 id="families">Families side by side</h2>',
        f"<table><tr><th>family</th><th>cases</th>{heads}<th>agree</th><th>disagree (known)</th>"
        "<th>incomplete</th></tr>",
    ]
    for family in matrix.families:
        cells = "".join(_family_cell(cell) for cell in family.cells)
        disagree = family.count("disagree")
        link = (
            f'<a href="#disagree-{_e(family.name)}">{disagree}</a> ({family.known})'
            if disagree
            else "0"
        )
        out.append(
            f'<tr><th><a href="#family-{_e(family.name)}">{_e(family.name)}</a></th>'
            f'<td class="n">{len(family.rows)}</td>{cells}<td class="n">{family.count("agree")}'
            f'</td><td class="n">{link}</td><td class="n">{family.count("incomplete")}</td></tr>'
        )
    totals = "".join(
        f'<td class="{"ok" if c.ok else "bad"}">{"ok" if c.ok else "FAILED"}</td>'
        for c in matrix.columns
    )
    out.append(
        f'<tr><th>total</th><td class="n">{len(matrix.rows)}</td>{totals}<td class="n">'
        f'{matrix.count("agree")}</td><td class="n">{matrix.count("disagree")} ({matrix.known})'
        f'</td><td class="n">{matrix.count("incomplete")}</td></tr></table>'
    )
    return out


def _cell(cell: Cell | None, family: FamilyCell | None) -> str:
    if cell is None:
        why = "family not selected" if family is None else f"family {family.state}"
        if family is not None and family.reason:
            why += f": {family.reason}"
        return f'<td class="absent" title="not in this run ({_e(why)})">-</td>'
    verdict = cell.verdict.value
    hover = cell.detail or cell.reason
    title = f' title="{_e(hover)}"' if hover else ""
    if cell.verdict in (Verdict.PASS, Verdict.SKIP) and not cell.reason:
        return f'<td class="{verdict}"{title}>{verdict}</td>'
    parts = []
    if cell.judged:
        parts.append(f"<p>judged {_e(cell.judged)}</p>")
    if cell.reason:
        parts.append(f"<p>expectation: {_e(cell.reason)}</p>")
    if cell.detail:
        parts.append(f"<p>{_e(cell.detail)}</p>")
    if cell.reproduce:
        parts.append(f"<p>reproduce: <code>{_e(cell.reproduce)}</code></p>")
    return (
        f'<td class="{verdict}"{title}><details><summary>{verdict}</summary>'
        f"{''.join(parts)}</details></td>"
    )


def _row(row: Row, family: Family) -> str:
    css = "known" if row.known else row.agreement
    cells = "".join(_cell(c, f) for c, f in zip(row.cells, family.cells, strict=True))
    return (
        f'<tr class="{css}"><th class="case">{_e(row.name)}</th><td>{_e(row.op or "-")}</td>'
        f"<td>{_e(row.comment)}</td>{cells}<td>{_e(row.agreement)}"
        f"{' (known)' if row.known else ''}</td></tr>"
    )


def _table_head(matrix: Matrix) -> str:
    heads = "".join(f"<th>{_e(c.label)}</th>" for c in matrix.columns)
    return f"<table><tr><th>case</th><th>op</th><th>comment</th>{heads}<th>agreement</th></tr>"


def _disagreements(matrix: Matrix) -> list[str]:
    out = ['<h2 id="disagreements">Only where they disagree</h2>']
    if not matrix.count("disagree"):
        out.append("<p>None: wherever two or more implementations judged a case, they agree.</p>")
        return out
    anchored: set[str] = set()
    for known, title in ((False, "Not explained by expectations"), (True, "Known failures")):
        shown = [(f, [r for r in _split(f) if r.known is known]) for f in matrix.families]
        shown = [(f, rows) for f, rows in shown if rows]
        if not shown:
            continue
        out.append(f"<h3>{title} ({sum(len(rows) for _, rows in shown)})</h3>")
        out.append(_table_head(matrix))
        for family, rows in shown:
            anchor = "" if family.name in anchored else f' id="disagree-{_e(family.name)}"'
            anchored.add(family.name)
            out.append(
                f'<tr><th colspan="{4 + len(matrix.columns)}"{anchor}>{_e(family.name)}</th></tr>'
            )
            out.extend(_row(r, family) for r in rows)
        out.append("</table>")
    return out


def _split(family: Family) -> list[Row]:
    return [r for r in family.rows if r.agreement == "disagree"]


def _cases(matrix: Matrix) -> list[str]:
    out = ['<h2 id="cases">Every case, by family</h2>']
    for family in matrix.families:
        counts = (
            f"{len(family.rows)} cases: agree {family.count('agree')}, disagree "
            f"{family.count('disagree')} ({family.known} known), incomplete "
            f"{family.count('incomplete')}"
        )
        opened = " open" if family.count("disagree") else ""
        out.append(
            f'<details id="family-{_e(family.name)}"{opened}><summary><strong>'
            f"{_e(family.name)}</strong>: {_e(counts)}</summary>"
        )
        if family.rows:
            out.append(_table_head(matrix))
            out.extend(_row(r, family) for r in family.rows)
            out.append("</table>")
        else:
            out.append("<p>No case of this family ran in any implementation.</p>")
        out.append("</details>")
    return out


def render(matrix: Matrix) -> str:
    """The whole page."""
    names = ", ".join(c.label for c in matrix.columns)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>pjconf matrix: {_e(names)}</title>",
        f"<style>{_CSS}</style></head><body>",
        *_header(matrix),
        *_implementations(matrix),
        *_families(matrix),
        *_disagreements(matrix),
        *_cases(matrix),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
