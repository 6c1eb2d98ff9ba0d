"""``pjconf bench --json FILE``: the run as pytest-benchmark writes ``--benchmark-json``, so its
tools (``pytest-benchmark compare``, dashboards that read that format) read it as their own.

Every timed (op, implementation) is one benchmark: ``group`` is the op's item, ``param`` the
implementation's label, ``stats`` in seconds per op (one sample per round), ``extra_info`` the
ratios and what was timed. The libsecp256k1 floor is a benchmark of the same group. Rows that
were not timed cannot be benchmarks (they have no statistics): they are listed with their reason
under the top-level ``pjconf`` key, which pytest-benchmark ignores.
"""

from __future__ import annotations

import json
import os
import platform
import sys

from pjconf.harness.bench.model import FLOOR, BenchRun, Row, Status
from pjconf.harness.version import package_version

FORMAT_VERSION = "5.1.0"
"""The pytest-benchmark version whose JSON layout this follows."""
SCHEMA = "pjconf/bench/v1"


def _machine_info() -> dict[str, object]:
    """What pytest-benchmark records about the machine (the fields its tools display)."""
    return {
        "node": platform.node(),
        "processor": platform.processor(),
        "machine": platform.machine(),
        "python_compiler": platform.python_compiler(),
        "python_implementation": platform.python_implementation(),
        "python_implementation_version": platform.python_version(),
        "python_version": platform.python_version(),
        "python_build": list(platform.python_build()),
        "release": platform.release(),
        "system": platform.system(),
        "cpu": {"count": os.cpu_count() or 0, "arch_string_raw": platform.machine()},
    }


def _benchmark(run: BenchRun, row: Row) -> dict[str, object]:
    stats = row.stats
    assert stats is not None
    item = row.item
    extra: dict[str, object] = {
        "op": item.op,
        "input": item.source,
        "implementation": row.label,
        "spec": next((m.spec for m in run.members if m.label == row.label), ""),
        "iterations_per_round": row.iterations,
        "timed_by": "the libsecp256k1 floor, in pjconf's process"
        if row.label == FLOOR
        else "the implementation's bench op (ns_total)",
    }
    if row.label == FLOOR:
        extra["floor"] = True
        extra["what"] = row.reason
    else:
        extra["gate"] = row.gate
        extra["ratio"] = run.ratio(item, row.label)
        extra["ratio_to"] = run.labels[0]
        extra["floor_ratio"] = run.floor_ratio(item, row.label)
    if item.events:
        extra["events"] = item.events
        extra["median_us_per_event"] = stats.median * 1e6 / item.events
    return {
        "group": item.name,
        "name": f"{item.name}[{row.label}]",
        "fullname": f"pjconf-bench::{item.name}[{row.label}]",
        "params": {"impl": row.label},
        "param": row.label,
        "extra_info": extra,
        "options": {
            "disable_gc": False,
            "timer": "ns_total",
            "min_rounds": run.rounds,
            "max_time": run.round_ms / 1000,
            "warmup": True,
        },
        "stats": stats.as_pytest_benchmark(),
    }


def render(run: BenchRun) -> str:
    timed = [
        run.rows[(item.name, label)]
        for item in run.items
        for label in [*run.labels, FLOOR]
        if (item.name, label) in run.rows and run.rows[(item.name, label)].stats is not None
    ]
    untimed = [
        {
            "op": row.item.name,
            "implementation": row.label,
            "status": row.status.value,
            "reason": row.reason,
        }
        for item in run.items
        for label in run.labels
        if (row := run.rows.get((item.name, label))) is not None and row.status is not Status.TIMED
    ]
    document = {
        "machine_info": _machine_info(),
        "commit_info": {"id": "", "dirty": False, "project": "pjconf", "branch": ""},
        "benchmarks": [_benchmark(run, row) for row in timed],
        "datetime": run.date,
        "version": FORMAT_VERSION,
        "pjconf": {
            "schema": SCHEMA,
            "pjconf_version": package_version(),
            "corpus": run.corpus,
            "python": sys.version.split()[0],
            "implementations": [{"label": m.label, "spec": m.spec} for m in run.members],
            "rounds": run.rounds,
            "round_ms": run.round_ms,
            "profile": run.profile,
            "elapsed_s": round(run.elapsed, 3),
            "command": run.command,
            "untimed": untimed,
        },
    }
    return json.dumps(document, indent=1) + "\n"
