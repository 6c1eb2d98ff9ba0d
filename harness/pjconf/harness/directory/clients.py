"""The timed round trips from several client processes (``pjconf directory bench --clients P``).

One Python process sending 2,000 requests a second spends a core on aiohttp and on opening
answers; measuring a server that can take more then measures the client. Here the pre-sealed
round trips are dealt out to P processes (started by ``spawn``: no event loop or connection of
the parent is inherited), each with its own connection pool and ``concurrency / P`` workers.
They all start at one signal, once every process is ready, and the phase's rate is all the
round trips done over the span from the first start to the last finish (``time.monotonic``,
one clock for every process on the machine).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
import time
from dataclasses import dataclass, replace
from multiprocessing.synchronize import Event

import aiohttp

from pjconf.harness.directory.bench import Bench, BenchConfig, BenchFailure, Pair, Phase

READY_TIMEOUT = 120.0
"""Seconds for every client process to start (imports under load take a while)."""


@dataclass(frozen=True)
class ShareResult:
    """What one client process reports: its phase and when it started and finished."""

    phase: Phase
    started: float
    ended: float


def run_in_processes(config: BenchConfig, pairs: list[Pair]) -> Phase:
    """The round trips of ``pairs`` from ``config.clients`` processes, as one phase."""
    for pair in pairs:  # the secrets, computed now, make the contexts plain data to send
        _ = pair.post.context.secret, pair.get.context.secret
    context = multiprocessing.get_context("spawn")
    ready, results = context.Queue(), context.Queue()
    go = context.Event()
    count = config.clients
    per_process = replace(config, concurrency=max(1, config.concurrency // count), clients=1)
    processes = [
        context.Process(
            target=_client,
            args=(per_process, pairs[i::count], ready, go, results),
            name=f"bench-client-{i}",
        )
        for i in range(count)
    ]
    for process in processes:
        process.start()
    try:
        for _ in processes:
            ready.get(timeout=READY_TIMEOUT)
        go.set()
        shares: list[ShareResult] = [results.get(timeout=config.timeout * 10) for _ in processes]
    except queue.Empty:
        raise BenchFailure("a client process did not start or finish in time") from None
    finally:
        for process in processes:
            process.join(5)
            if process.is_alive():
                process.kill()
    return _merge(shares, len(pairs))


def _merge(shares: list[ShareResult], attempted: int) -> Phase:
    phase = Phase("round trips", attempted=attempted)
    for share in shares:
        phase.ok += share.phase.ok
        phase.failures.extend(share.phase.failures)
        phase.latencies.extend(share.phase.latencies)
        phase.client_cpu += share.phase.client_cpu
    phase.seconds = max(s.ended for s in shares) - min(s.started for s in shares)
    return phase


def _client(
    config: BenchConfig,
    pairs: list[Pair],
    ready: multiprocessing.Queue[bool],
    go: Event,
    results: multiprocessing.Queue[ShareResult],
) -> None:
    """One client process: connect, say ready, wait for the signal, run, report."""
    results.put(asyncio.run(_share(config, pairs, ready, go)))


async def _share(
    config: BenchConfig, pairs: list[Pair], ready: multiprocessing.Queue[bool], go: Event
) -> ShareResult:
    bench = Bench(config, lambda line: None)
    connector = aiohttp.TCPConnector(limit=config.concurrency)
    timeout = aiohttp.ClientTimeout(total=config.timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        ready.put(True)
        await asyncio.to_thread(go.wait)
        started = time.monotonic()
        phase = await bench.run_round_trips(session, pairs, "round trips", config.concurrency)
        ended = time.monotonic()
    return ShareResult(phase, started, ended)
