"""Interleaved op/floor ratios: the benchmark figure that survives a noisy machine.

pytest-benchmark times an operation and its floor in two separate stretches of the run, so a
neighbour's load that comes and goes between them moves the ratio by ±10%. Here the two run in
alternating short batches, and each round gives its own ratio: a slowdown hits both halves of a
round alike and cancels, and the median over a few hundred rounds ignores the rounds it did not.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

RecordPairedRatio = Callable[[Callable[[], object], Callable[[], object]], None]

ROUNDS = 300
"""Alternating rounds; the median of 300 per-round ratios moves by ~1-2% from run to run."""
BATCH = 5
"""Calls per half-round: long enough to dwarf the clock reading, short enough to share noise."""


def _batch_ns(fn: Callable[[], object], calls: int) -> int:
    start = time.perf_counter_ns()
    for _ in range(calls):
        fn()
    return time.perf_counter_ns() - start


def paired_ratio(
    op: Callable[[], object], floor: Callable[[], object], rounds: int = ROUNDS, batch: int = BATCH
) -> float:
    """The median over ``rounds`` of (time of ``batch`` ops) / (time of ``batch`` floors).

    Which of the two goes first alternates, so neither always runs with warmer caches.
    """
    _batch_ns(op, batch), _batch_ns(floor, batch)  # warm both up
    ratios = []
    for i in range(rounds):
        if i % 2:
            floor_ns, op_ns = _batch_ns(floor, batch), _batch_ns(op, batch)
        else:
            op_ns, floor_ns = _batch_ns(op, batch), _batch_ns(floor, batch)
        ratios.append(op_ns / floor_ns)
    return statistics.median(ratios)


@pytest.fixture
def record_paired_ratio(benchmark: BenchmarkFixture) -> RecordPairedRatio:
    """``record(op, floor)`` stores :func:`paired_ratio` as ``extra_info["paired_ratio"]``.

    It measures nothing when benchmarks are disabled, so the ordinary test run stays fast.
    """

    def record(op: Callable[[], object], floor: Callable[[], object]) -> None:
        if not benchmark.disabled:
            benchmark.extra_info["paired_ratio"] = paired_ratio(op, floor)

    return record
