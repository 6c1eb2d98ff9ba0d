"""Ratios of each benchmarked operation to the floor measured beside it in the same run.

Reads pytest-benchmark's ``--benchmark-json`` output. In every group, the benchmark whose
``extra_info`` has ``floor: true`` is the denominator; the report states medians and the ratio,
which is the only figure that means the same on every machine.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any


def ratios(document: dict[str, Any]) -> list[tuple[str, str, float, float, float]]:
    """(group, benchmark, median µs, floor median µs, ratio) for every non-floor benchmark."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for bench in document["benchmarks"]:
        groups[bench.get("group") or bench["name"]].append(bench)
    rows = []
    for group, benches in sorted(groups.items()):
        floors = [b for b in benches if b.get("extra_info", {}).get("floor")]
        if len(floors) != 1:
            continue
        floor = floors[0]["stats"]["median"] * 1e6
        for bench in benches:
            if bench is floors[0]:
                continue
            median = bench["stats"]["median"] * 1e6
            rows.append((group, bench["name"], median, floor, median / floor))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("json", type=Path, help="pytest-benchmark JSON output")
    parser.add_argument("--target", type=float, default=1.5, help="ratio to flag (default 1.5)")
    args = parser.parse_args()
    rows = ratios(json.loads(args.json.read_text()))
    print(f"{'group':<22} {'median µs':>10} {'floor µs':>10} {'ratio':>7}")
    for group, _name, median, floor, ratio in rows:
        mark = "" if ratio <= args.target else f"  > {args.target}x"
        print(f"{group:<22} {median:>10.1f} {floor:>10.1f} {ratio:>6.2f}x{mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
