"""Timing: each (item, implementation) calibrated to a round of ~``round_ms``, then rounds
interleaved across the implementations (and the item's libsecp256k1 floor, timed here), the
order reversed every other round, so that a neighbour's load that comes and goes hits all of
them alike. Every figure is the implementation's own ``ns_total`` (docs/adapter-protocol.md,
"Benchmarks"): the pipe and the container are outside it."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pjconf.harness.bench.floors import Floor
from pjconf.harness.bench.gate import Gate
from pjconf.harness.bench.items import Item
from pjconf.harness.bench.model import FLOOR, BenchRun, Member, Row, Status
from pjconf.harness.excerpt import excerpt
from pjconf.harness.implementations.client import Client

Say = Callable[[str], None]
Clock = Callable[[], int]
"""Monotonic nanoseconds, for timing the floor in this process (injectable)."""

MAX_ITERATIONS = 10_000_000
"""No round asks for more than this many ops (an implementation that answers 1 ns per op)."""
_PROBE_SHARE = 4
"""Calibration stops once a probe runs a quarter of a round."""


class Refused(Exception):
    """The ``bench`` answer is not a figure: the row is not timed, for this reason."""

    def __init__(self, status: Status, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


Timer = Callable[[int], int]
"""Runs ``iterations`` ops and answers the nanoseconds they took."""


@dataclass
class _Lane:
    """One row being measured: how to time a round of it, and its size."""

    row: Row
    timer: Timer
    iterations: int = 0


def bench_timer(client: Client, item: Item) -> Timer:
    """A timer that calls ``bench`` on ``client`` and checks the answer's shape."""

    def timer(iterations: int) -> int:
        args = {"op": item.op, "args": item.args, "iterations": iterations}
        reply = client.call("bench", args)
        if reply.kind == "unimplemented":
            message = excerpt(str(reply.value.get("message", "")), 200)
            raise Refused(
                Status.NOT_BENCHED, f"its bench answers unimplemented for {item.op}: {message}"
            )
        if reply.kind == "error":
            kind, message = (
                reply.value.get("kind"),
                excerpt(str(reply.value.get("message", "")), 200),
            )
            raise Refused(Status.GATED, f"its bench of {item.op} answered error {kind}: {message}")
        if reply.kind != "result":
            message = excerpt(str(reply.value.get("message", "")), 200)
            raise Refused(Status.GATED, f"its bench of {item.op} malfunctioned: {message}")
        answer = reply.value
        ns_total = answer.get("ns_total")
        if answer.get("iterations") != iterations or type(ns_total) is not int or ns_total <= 0:
            shown = excerpt(repr({k: answer.get(k) for k in ("iterations", "ns_total")}), 200)
            raise Refused(
                Status.GATED,
                f"its bench answer is not a figure for {iterations} iterations: {shown}",
            )
        result = answer.get("result")
        if not isinstance(result, dict):
            raise Refused(Status.GATED, "its bench answer has no result object (the checked call)")
        wrong = item.check(result)
        if wrong is not None:
            raise Refused(Status.GATED, f"what its bench timed is {excerpt(wrong, 400)}")
        return ns_total

    return timer


def floor_timer(floor: Floor, clock: Clock) -> Timer:
    def timer(iterations: int) -> int:
        work = floor.work
        start = clock()
        for _ in range(iterations):
            work()
        return max(clock() - start, 1)

    return timer


def calibrate(timer: Timer, round_ns: int) -> int:
    """Ops in one round of ~``round_ns``: grow a probe until it runs a quarter of a round, then
    scale (the first probe is one op, so a slow op is not run more than it must)."""
    iterations = 1
    while True:
        ns = timer(iterations)
        if ns * _PROBE_SHARE >= round_ns or iterations >= MAX_ITERATIONS:
            break
        wanted = iterations * round_ns // (_PROBE_SHARE * max(ns, 1)) + 1
        iterations = min(MAX_ITERATIONS, max(iterations * 2, wanted))
    return max(1, min(MAX_ITERATIONS, iterations * round_ns // max(ns, 1)))


def measure_item(
    item: Item,
    members: Sequence[Member],
    gates: dict[tuple[str, str], Gate],
    *,
    rounds: int,
    round_ns: int,
    clock: Clock = time.perf_counter_ns,
) -> list[Row]:
    """The rows of ``item``: one per member (timed, or why not), and the floor's if it has one."""
    rows: list[Row] = []
    lanes: list[_Lane] = []
    for member in members:
        passed = gates[(item.op, member.label)]
        row = Row(item, member.label, gate=passed.summary)
        rows.append(row)
        if passed.status is not Status.TIMED:
            row.untime(passed.status, passed.summary)
            continue
        lanes.append(_Lane(row, bench_timer(member.client, item)))
    if item.floor is not None and lanes:
        floor_row = Row(item, FLOOR, reason=item.floor.what)
        rows.append(floor_row)
        lanes.append(_Lane(floor_row, floor_timer(item.floor, clock)))
    live = []
    for lane in lanes:
        try:
            lane.iterations = calibrate(lane.timer, round_ns)
        except Refused as refused:
            lane.row.untime(refused.status, refused.reason)
            continue
        lane.row.iterations = lane.iterations
        live.append(lane)
    for index in range(rounds):
        order = live if index % 2 == 0 else list(reversed(live))
        for lane in order:
            if lane.row.status is not Status.TIMED:
                continue
            try:
                ns = lane.timer(lane.iterations)
            except Refused as refused:
                lane.row.untime(refused.status, f"in round {index + 1}: {refused.reason}")
                continue
            lane.row.samples.append(ns / lane.iterations / 1e9)
    return rows


def measure(
    run: BenchRun,
    gates: dict[tuple[str, str], Gate],
    *,
    say: Say,
    clock: Clock = time.perf_counter_ns,
) -> None:
    """Measure every item of ``run`` into its rows, saying each item's medians as it goes."""
    round_ns = int(run.round_ms * 1e6)
    for number, item in enumerate(run.items, 1):
        rows = measure_item(
            item, run.members, gates, rounds=run.rounds, round_ns=round_ns, clock=clock
        )
        for row in rows:
            run.rows[(item.name, row.label)] = row
        figures = ", ".join(_figure(row) for row in rows)
        say(f"[{number}/{len(run.items)}] {item.name}: {figures}")


def _figure(row: Row) -> str:
    stats = row.stats
    if stats is None:
        return f"{row.label} {row.status.value}"
    return f"{row.label} {stats.median * 1e6:.1f} µs"
