"""One ``pjconf bench`` run from started implementations to its rows: make the inputs, gate
every op on every implementation, then measure. The command (``cli/bench.py``) starts the
implementations and writes what this returns; tests call it with in-process adapters."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from pjconf.harness.bench.gate import Gate, gate
from pjconf.harness.bench.items import GROUPS, all_items, catalog
from pjconf.harness.bench.measure import Clock, Say, measure
from pjconf.harness.bench.model import BenchRun, Member, Status
from pjconf.harness.corpus.load import Case


def run_bench(
    members: Sequence[Member],
    cases: Sequence[Case],
    names: Sequence[str],
    *,
    rounds: int,
    round_ms: float,
    rerun: Sequence[str] = (),
    say: Say = lambda line: None,
    clock: Clock = time.perf_counter_ns,
    monotonic: Callable[[], float] = time.monotonic,
) -> BenchRun:
    """Time the items ``names`` (see :func:`~pjconf.harness.bench.items.select_names`) on
    ``members``, gated by ``cases`` (already in the run's profile); ``rerun`` are the ``pjconf
    run`` options a failing vector's reproduce line needs besides ``--impl`` and ``--case``."""
    started = monotonic()
    run = BenchRun(list(members), [], rounds=rounds, round_ms=round_ms)
    known = catalog()
    groups = [g for g in GROUPS if any(known[name][0] == g for name in names)]
    say(f"making the inputs of {len(names)} item(s) ({', '.join(groups)})")
    wanted = set(names)
    run.items = [item for item in all_items(cases, groups) if item.name in wanted]
    gates = run_gates(run, cases, rerun, say)
    measure(run, gates, say=say, clock=clock)
    run.elapsed = monotonic() - started
    for row in run.gated():
        say(f"gated: {row.item.name} on {row.label}: {row.reason}")
    return run


def run_gates(
    run: BenchRun, cases: Sequence[Case], rerun: Sequence[str], say: Say
) -> dict[tuple[str, str], Gate]:
    """The gate of every op of the run's items on every member, each said as it is known."""
    gates: dict[tuple[str, str], Gate] = {}
    for op in dict.fromkeys(item.op for item in run.items):
        for member in run.members:
            found = gate(member, op, cases, rerun)
            gates[(op, member.label)] = found
            verdict = "passed" if found.status is Status.TIMED else found.status.value
            say(f"gate {op} on {member.label}: {verdict}: {found.summary}")
    return gates


def exit_status(run: BenchRun, *, allow_gated: bool) -> int:
    """0 when something was timed and no row was gated out by a wrong answer (or
    ``allow_gated``); 1 otherwise."""
    return 0 if run.passed(allow_gated=allow_gated) else 1
