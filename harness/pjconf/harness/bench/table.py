"""The table ``pjconf bench`` prints: per op, each implementation's median µs per op, its spread
(the interquartile range, and min-max), its ratio to the first ``--impl`` and to the
libsecp256k1 floor; rows that were not timed with their reason in full; then how replay's cost
grows with the log's length. Plain text, fixed columns, no colours: it is read in CI logs."""

from __future__ import annotations

from pjconf.harness.bench.items import GROUPS, LOG_LENGTHS
from pjconf.harness.bench.model import FLOOR, BenchRun, Row, Status

_HEADER = (
    f"{'op':<42} {'implementation':<26} {'median µs':>11} {'IQR µs':>9} "
    f"{'min-max µs':>19} {'ratio':>7} {'floor':>7}"
)


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:.1f}" if seconds < 0.01 else f"{seconds * 1e6:.0f}"


def _line(run: BenchRun, row: Row, name: str) -> str:
    stats = row.stats
    if stats is None:
        return f"{name:<42} {row.label:<26} {row.status.value}: {row.reason}"
    spread = f"{_us(stats.min)}-{_us(stats.max)}"
    floor = row.label == FLOOR
    ratio = "-" if floor else _x(run.ratio(row.item, row.label))
    to_floor = "-" if floor else _x(run.floor_ratio(row.item, row.label))
    return (
        f"{name:<42} {row.label:<26} {_us(stats.median):>11} {_us(stats.iqr):>9} "
        f"{spread:>19} {ratio:>7} {to_floor:>7}"
    )


def rows_text(run: BenchRun) -> list[str]:
    lines = [_HEADER, "-" * len(_HEADER)]
    for group in GROUPS:
        items = [i for i in run.items if i.group == group]
        if not items:
            continue
        lines.append(f"[{group}]")
        for item in items:
            name = item.name
            for label in [*run.labels, FLOOR]:
                row = run.row(item, label)
                if row is None:
                    continue
                lines.append(_line(run, row, name))
                name = ""
    return lines


def growth_text(run: BenchRun) -> list[str]:
    """Replay's median µs per replayed event at each log length, per implementation and role."""
    replays = [i for i in run.items if i.group == "replay"]
    if not replays:
        return []
    lengths = [n for n in LOG_LENGTHS if any(i.events == n for i in replays)]
    head = f"{'implementation':<26} {'role':<9}" + "".join(f"{f'{n} events':>14}" for n in lengths)
    lines = ["replay: median µs per replayed event, by log length", head]
    for label in run.labels:
        for role in ("receiver", "sender"):
            cells = []
            for length in lengths:
                item = next((i for i in replays if i.role == role and i.events == length), None)
                median = run.median(item, label) if item is not None else None
                cells.append("-" if median is None else f"{median * 1e6 / length:.2f}")
            if any(cell != "-" for cell in cells):
                lines.append(f"{label:<26} {role:<9}" + "".join(f"{c:>14}" for c in cells))
    return lines if len(lines) > 2 else []


def verdict_text(run: BenchRun, *, allow_gated: bool) -> str:
    timed = len(run.timed())
    counts = {s: sum(1 for r in run.rows.values() if r.status is s) for s in Status}
    parts = [
        f"{timed} timed",
        f"{counts[Status.GATED]} gated (a wrong answer)",
        f"{counts[Status.NOT_IMPLEMENTED]} not implemented",
        f"{counts[Status.NOT_BENCHED]} not benched",
    ]
    ok = run.passed(allow_gated=allow_gated)
    why = "" if timed else " (nothing was timed)"
    return f"pjconf bench: {'OK' if ok else 'FAILED'}: " + ", ".join(parts) + why


def render(run: BenchRun, *, allow_gated: bool) -> str:
    members = ", ".join(f"{m.label} ({m.spec})" for m in run.members)
    lines = [
        f"pjconf bench: {members}",
        f"{run.rounds} interleaved rounds of ~{run.round_ms:g} ms per op and implementation, "
        f"profile {run.profile} ({run.elapsed:.1f}s)",
        f"ratio: median / {run.labels[0]}'s median; floor: median / the libsecp256k1 floor's "
        "median (same rounds)",
        "",
        *rows_text(run),
    ]
    growth = growth_text(run)
    if growth:
        lines += ["", *growth]
    lines += ["", verdict_text(run, allow_gated=allow_gated)]
    return "\n".join(lines) + "\n"
