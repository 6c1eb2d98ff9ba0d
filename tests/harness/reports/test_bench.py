"""The benchmark report: ratios to the floor of each group, and the targets benchmarks declare."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from pjconf.harness.reports import bench as benchreport


def bench(group: str, median_s: float, **extra: Any) -> dict[str, Any]:
    return {
        "group": group,
        "name": f"test_{group}_{'floor' if extra.get('floor') else 'op'}",
        "stats": {"median": median_s, "min": median_s * 0.9},
        "extra_info": extra,
    }


DOCUMENT = {
    "benchmarks": [
        bench("fast", 30e-6, target_ratio=2.0, paired_ratio=1.5),
        bench("fast", 20e-6, floor=True),
        bench("slow", 900e-6, target_median_us=1000),
        bench("slow", 100e-6, floor=True),
        bench("late", 1200e-6, target_median_us=1000),
        bench("late", 100e-6, floor=True),
        bench("alone", 5e-6),
    ]
}


def test_rows_pair_each_operation_with_its_groups_floor() -> None:
    rows = {row[0]: row for row in benchreport.ratios(DOCUMENT)}
    assert set(rows) == {"fast", "slow", "late"}  # a group without a floor is left out
    assert rows["fast"][1] == pytest.approx(30.0)
    assert rows["fast"][2] == pytest.approx(20.0)
    assert rows["fast"][5:] == (1.5, 2.0, None)
    assert rows["slow"][7] == 1000


def test_targets_are_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(DOCUMENT))
    monkeypatch.setattr(sys, "argv", ["benchreport", str(path)])
    assert benchreport.main() == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert lines["fast"].endswith("<= 2x met")
    assert lines["slow"].endswith("<= 1000 µs met")
    assert lines["late"].endswith("<= 1000 µs MISSED")
