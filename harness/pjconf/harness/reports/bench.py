"""Ratios of each benchmarked operation to the floor measured beside it in the same run.

Reads pytest-benchmark's ``--benchmark-json`` output. In every group, the benchmark whose
``extra_info`` has ``floor: true`` is the denominator; the report states medians and the ratio,
which is the only figure that means the same on every machine. Both the median and the minimum
are shown: on a noisy virtual machine the minimum is the steadier estimate of the work itself.

A benchmark may also carry ``extra_info["paired_ratio"]``: the median of per-round ratios from
interleaved rounds of operation and floor (``tests/bench/conftest.py``). The two separate timings
above see different moments of a noisy machine; the paired rounds see the same ones, so that
column is the one to judge a target by. Without it the target is judged by the better of the
other two. A target is declared by the benchmark itself, as ``extra_info["target_ratio"]`` (the
most time the operation may take, as a multiple of its floor); groups without one are reported,
not judged. An absolute budget (``extra_info["target_median_us"]``, e.g. replaying a whole
receiver log in under 1 ms on this machine) is judged on the median as well.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

Row = tuple[str, float, float, float, float, float | None, float | None, float | None]
"""(group, median µs, floor median µs, min µs, floor min µs, paired ratio, target ratio,
target median µs)."""


def ratios(document: dict[str, Any]) -> list[Row]:
    """Medians, minimums and paired ratios of every non-floor benchmark beside its floor."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for bench in document["benchmarks"]:
        groups[bench.get("group") or bench["name"]].append(bench)
    rows = []
    for group, benches in sorted(groups.items()):
        floors = [b for b in benches if b.get("extra_info", {}).get("floor")]
        if len(floors) != 1:
            continue
        floor = floors[0]["stats"]
        for bench in benches:
            if bench is floors[0]:
                continue
            stats = bench["stats"]
            rows.append(
                (
                    group,
                    stats["median"] * 1e6,
                    floor["median"] * 1e6,
                    stats["min"] * 1e6,
                    floor["min"] * 1e6,
                    bench.get("extra_info", {}).get("paired_ratio"),
                    bench.get("extra_info", {}).get("target_ratio"),
                    bench.get("extra_info", {}).get("target_median_us"),
                )
            )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("json", type=Path, help="pytest-benchmark JSON output")
    args = parser.parse_args()
    rows = ratios(json.loads(args.json.read_text()))
    print(
        f"{'group':<20} {'median µs':>10} {'floor':>8} {'ratio':>6}"
        f"   {'min µs':>8} {'floor':>8} {'ratio':>6}   {'paired':>6}   target"
    )
    for group, median, floor_median, low, floor_low, paired, target, budget in rows:
        by_median, by_min = median / floor_median, low / floor_low
        judged = paired if paired is not None else min(by_median, by_min)
        verdicts = []
        if target is not None:
            verdicts.append(f"<= {target:g}x " + ("met" if judged <= target else "MISSED"))
        if budget is not None:
            verdicts.append(f"<= {budget:g} µs " + ("met" if median <= budget else "MISSED"))
        verdict = "; ".join(verdicts) or "-"
        paired_text = "-" if paired is None else f"{paired:.2f}x"
        print(
            f"{group:<20} {median:>10.1f} {floor_median:>8.1f} {by_median:>5.2f}x"
            f"   {low:>8.1f} {floor_low:>8.1f} {by_min:>5.2f}x   {paired_text:>6}   {verdict}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
