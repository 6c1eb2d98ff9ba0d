"""``pjconf bench --html FILE``: one self-contained page (inline CSS and SVG, no script, no
external asset, as ``pjconf run --html``): the verdict, bar charts of the ratios (to the first
``--impl`` and to the libsecp256k1 floor) on a logarithmic axis centred on 1x, the full table
with every row that was not timed and why, and replay's growth with the log's length."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from pjconf.harness.bench.items import GROUPS, LOG_LENGTHS
from pjconf.harness.bench.model import FLOOR, BenchRun
from pjconf.harness.bench.table import verdict_text

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:80em;padding:0 1em;color:#222}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.25em .6em}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f2f2f2}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:.1em 1em}dl.meta dt{font-weight:600}
.ok{color:#176f2c;font-weight:600}.bad{color:#b3261e;font-weight:600}.untimed{color:#8a5300}
tr.gated td{color:#b3261e}svg text{font:11px system-ui,sans-serif}
"""
_PALETTE = ("#1d4f91", "#b3261e", "#176f2c", "#8a5300", "#6a3d9a", "#00838f", "#ad1457")
_LABEL_W, _PLOT_W, _BAR_H, _GAP, _TOP = 330, 560, 13, 6, 28


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


@dataclass(frozen=True)
class Bar:
    group: str
    series: int
    """Index of the implementation (its colour)."""
    value: float


def chart(title: str, bars: Sequence[Bar], series: Sequence[str]) -> str:
    """A horizontal bar chart of ratios on a log10 axis; each bar grows from the 1x line."""
    if not bars:
        return f"<p>{_e(title)}: no ratio to show.</p>"
    values = [b.value for b in bars]
    low = math.floor(math.log10(min(*values, 1.0)) - 0.05)
    high = math.ceil(math.log10(max(*values, 1.0)) + 0.05)
    if high == low:
        high += 1

    def x(value: float) -> float:
        return _LABEL_W + (math.log10(value) - low) / (high - low) * _PLOT_W

    groups = list(dict.fromkeys(b.group for b in bars))
    y, parts, rows = _TOP, [], []
    for group in groups:
        mine = [b for b in bars if b.group == group]
        rows.append(
            f'<text x="{_LABEL_W - 6}" y="{y + _BAR_H * len(mine) / 2 + 4:.1f}" '
            f'text-anchor="end">{_e(group)}</text>'
        )
        for bar in mine:
            left, right = sorted((x(1.0), x(bar.value)))
            colour = _PALETTE[bar.series % len(_PALETTE)]
            rows.append(
                f'<rect x="{left:.1f}" y="{y}" width="{max(right - left, 1):.1f}" '
                f'height="{_BAR_H - 2}" fill="{colour}"><title>{_e(group)} '
                f"{_e(series[bar.series])}: {bar.value:.3g}x</title></rect>"
            )
            rows.append(f'<text x="{right + 3:.1f}" y="{y + _BAR_H - 3}">{bar.value:.3g}x</text>')
            y += _BAR_H
        y += _GAP
    height = y + 10
    for power in range(low, high + 1):
        px = x(10.0**power)
        parts.append(
            f'<line x1="{px:.1f}" y1="{_TOP - 4}" x2="{px:.1f}" y2="{height - 10}" '
            f'stroke="{"#444" if power == 0 else "#ddd"}"/>'
            f'<text x="{px:.1f}" y="{_TOP - 8}" text-anchor="middle">{10.0**power:g}x</text>'
        )
    legend = "".join(
        f'<rect x="{_LABEL_W + 150 * i}" y="2" width="10" height="10" '
        f'fill="{_PALETTE[i % len(_PALETTE)]}"/><text x="{_LABEL_W + 150 * i + 14}" y="11">'
        f"{_e(name)}</text>"
        for i, name in enumerate(series)
        if any(b.series == i for b in bars)
    )
    width = _LABEL_W + _PLOT_W + 60
    return (
        f'<figure><figcaption>{_e(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_e(title)}">{legend}{"".join(parts)}{"".join(rows)}</svg></figure>'
    )


def _ratio_bars(run: BenchRun) -> list[Bar]:
    return [
        Bar(item.name, index, ratio)
        for item in run.items
        for index, label in enumerate(run.labels)
        if (ratio := run.ratio(item, label)) is not None
    ]


def _floor_bars(run: BenchRun) -> list[Bar]:
    return [
        Bar(item.name, index, ratio)
        for item in run.items
        for index, label in enumerate(run.labels)
        if (ratio := run.floor_ratio(item, label)) is not None
    ]


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:.1f}"


def _table(run: BenchRun) -> list[str]:
    out = [
        "<table><tr><th>op</th><th>input</th><th>implementation</th><th>median µs</th>"
        "<th>IQR µs</th><th>min µs</th><th>max µs</th><th>rounds x ops</th>"
        f"<th>ratio to {_e(run.labels[0])}</th><th>ratio to floor</th></tr>"
    ]
    for group in GROUPS:
        for item in (i for i in run.items if i.group == group):
            for label in [*run.labels, FLOOR]:
                row = run.row(item, label)
                if row is None:
                    continue
                head = f"<td>{_e(item.name)}</td><td>{_e(item.source)}</td><td>{_e(label)}</td>"
                stats = row.stats
                if stats is None:
                    out.append(
                        f'<tr class="{_e(row.status.name.lower())}">{head}<td colspan="7" '
                        f'class="untimed">not timed ({_e(row.status.value)}): {_e(row.reason)}'
                        "</td></tr>"
                    )
                    continue
                ratio = None if label == FLOOR else run.ratio(item, label)
                floor = None if label == FLOOR else run.floor_ratio(item, label)
                cells = [
                    _us(stats.median),
                    _us(stats.iqr),
                    _us(stats.min),
                    _us(stats.max),
                    f"{stats.rounds} x {stats.iterations}",
                    "-" if ratio is None else f"{ratio:.2f}x",
                    "-" if floor is None else f"{floor:.2f}x",
                ]
                out.append(
                    f"<tr>{head}" + "".join(f'<td class="n">{_e(c)}</td>' for c in cells) + "</tr>"
                )
    out.append("</table>")
    return out


def _growth(run: BenchRun) -> list[str]:
    replays = [i for i in run.items if i.group == "replay"]
    if not replays:
        return []
    out = [
        "<h2>Replay: cost by log length</h2><p>Median µs per replayed event (and per log).</p>",
        "<table><tr><th>implementation</th><th>role</th>"
        + "".join(f"<th>{n} events</th>" for n in LOG_LENGTHS)
        + "</tr>",
    ]
    for label in run.labels:
        for role in ("receiver", "sender"):
            cells = []
            for length in LOG_LENGTHS:
                item = next((i for i in replays if i.role == role and i.events == length), None)
                median = run.median(item, label) if item is not None else None
                cells.append(
                    "-" if median is None else f"{median * 1e6 / length:.2f} ({_us(median)})"
                )
            out.append(
                f"<tr><td>{_e(label)}</td><td>{role}</td>"
                + "".join(f'<td class="n">{_e(c)}</td>' for c in cells)
                + "</tr>"
            )
    out.append("</table>")
    return out


def render(run: BenchRun, *, allow_gated: bool) -> str:
    verdict = verdict_text(run, allow_gated=allow_gated)
    status = "ok" if run.passed(allow_gated=allow_gated) else "bad"
    meta = [
        ("implementations", ", ".join(f"{m.label} ({m.spec})" for m in run.members)),
        ("rounds", f"{run.rounds} interleaved, ~{run.round_ms:g} ms each"),
        ("profile (the gate's)", run.profile),
        ("corpus", f"{run.corpus.get('version', '')} sha256 {run.corpus.get('sha256', '')}"),
        ("date", run.date),
        ("elapsed", f"{run.elapsed:.1f}s"),
        ("command", "pjconf bench " + " ".join(run.command)),
    ]
    series = [*run.labels]
    body = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>pjconf bench</title>',
        f"<style>{_CSS}</style></head><body>",
        "<h1>pjconf bench</h1>",
        f'<p class="{status}">{_e(verdict)}</p>',
        '<dl class="meta">'
        + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in meta)
        + "</dl>",
        "<p>Every figure is timed inside the implementation by the protocol's <code>bench</code> "
        "op, after the implementation passed the op's vectors in this run. A ratio is a median "
        "over another median of the same rounds; below 1x is faster.</p>",
        f"<h2>Ratio to {_e(run.labels[0])}</h2>",
        chart(f"median / {run.labels[0]}'s median (log scale)", _ratio_bars(run), series),
        "<h2>Ratio to the libsecp256k1 floor</h2>",
        chart("median / the floor's median (log scale)", _floor_bars(run), series),
        "<h2>All rows</h2>",
        *_table(run),
        *_growth(run),
        "</body></html>",
    ]
    return "\n".join(body) + "\n"
