"""Ratios, floors, statistics and the replay growth rows, from timings known in advance.

The planted adapters answer ``bench`` with ``ns_total = iterations x K`` for a K the test chose,
and the floor is timed on a clock that advances one round per reading, so every median and
ratio below is exact."""

from __future__ import annotations

import random

import pytest
from harness.bench import adapters
from harness.bench.adapters import ROUND_MS, ROUND_NS, corpus, planted_run
from pytest_benchmark.stats import Stats as PytestBenchmarkStats

from pjconf.harness.bench.items import LOG_LENGTHS, select_names
from pjconf.harness.bench.model import FLOOR, Status
from pjconf.harness.bench.session import run_bench
from pjconf.harness.bench.stats import Stats
from pjconf.harness.bench.table import growth_text, render


def test_ratios_come_from_the_planted_timings() -> None:
    run = planted_run()
    (item,) = run.items
    fast, slow = run.rows[(item.name, "fast")], run.rows[(item.name, "slow")]
    assert fast.samples == [2e-6] * 3
    assert slow.samples == [6e-6] * 3
    assert fast.iterations == ROUND_NS // 2_000
    assert run.ratio(item, "fast") == 1.0
    assert run.ratio(item, "slow") == pytest.approx(3.0)
    # The floor ran one op per round (one reading apart): 1 ms per op.
    floor = run.rows[(item.name, FLOOR)]
    assert floor.samples == [1e-3] * 3
    assert run.floor_ratio(item, "slow") == pytest.approx(6e-6 / 1e-3)
    mutant = run.rows[(item.name, "mutant")]
    assert mutant.status is Status.GATED
    assert run.ratio(item, "mutant") is None
    text = render(run, allow_gated=False)
    assert "3.00x" in text
    assert "0.01x" in text  # slow / floor, rounded


def test_a_first_impl_that_was_not_timed_gives_no_ratio() -> None:
    members = [
        adapters.member("mutant", adapters.wrong_answer("short_id", lambda r: {**r, "id": "00"})),
        adapters.member("fast", adapters.planted(2_000)),
    ]
    run = run_bench(members, corpus(), ["short_id"], rounds=1, round_ms=ROUND_MS)
    (item,) = run.items
    assert run.median(item, "fast") == 2e-6
    assert run.ratio(item, "fast") is None


@pytest.mark.parametrize("rounds", range(1, 12))
def test_stats_are_pytest_benchmarks(rounds: int) -> None:
    """Every figure of ``stats`` equals pytest-benchmark's own for the same samples."""
    data = [random.Random(rounds).uniform(1e-6, 9e-6) for _ in range(rounds)]
    theirs = PytestBenchmarkStats()  # type: ignore[no-untyped-call]
    for sample in data:
        theirs.update(sample)  # type: ignore[no-untyped-call]
    ours = Stats(tuple(data), 10).as_pytest_benchmark()
    for field in ("min", "max", "mean", "stddev", "median", "q1", "q3", "iqr", "ld15iqr"):
        assert ours[field] == pytest.approx(getattr(theirs, field), rel=1e-12), field
    for field in ("hd15iqr", "rounds", "iqr_outliers", "stddev_outliers", "outliers"):
        assert ours[field] == getattr(theirs, field), field


def test_replay_is_timed_on_logs_of_10_100_and_1000_events() -> None:
    member = adapters.member("reference", adapters.reference())
    names = select_names(["replay"])
    assert names == [f"replay/{role}/{n}" for role in ("receiver", "sender") for n in LOG_LENGTHS]
    # The gate runs a sample of the replay vectors here (all of them take seconds).
    sample = [c for c in corpus() if c.family == "replay"][:20]
    run = run_bench([member], sample, names, rounds=1, round_ms=0.1)
    for item in run.items:
        events = item.args["events"]
        assert isinstance(events, list)
        assert len(events) == item.events == int(item.name.rsplit("/", 1)[1])
        assert events[-1] == events[-2]  # grown by repeating the close
        row = run.rows[(item.name, "reference")]
        assert row.status is Status.TIMED, row.reason
        assert row.gate.startswith("vectors of replay: ")
    lines = growth_text(run)
    assert [f"{n} events" in lines[1] for n in LOG_LENGTHS] == [True] * len(LOG_LENGTHS)
    assert [line.split()[1] for line in lines[2:]] == ["receiver", "sender"]
    assert all(len(line.split()) == 2 + len(LOG_LENGTHS) for line in lines[2:])
