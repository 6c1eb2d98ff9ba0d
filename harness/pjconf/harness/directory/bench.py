"""``pjconf directory bench URL``: how much a BIP 77 directory takes, measured from outside.

Any directory with an RFC 9540 gateway: pjconf's own (``pjconf directory serve``) or
payjoin-mailroom. Requests are encapsulated before the clock starts (the client's HPKE work
is not the server's), each with its own ephemeral key. Every answer is opened and checked, or
with ``--open-every N`` those of every Nth round trip (the rest: HTTP 200, 8192 bytes), which
leaves the client's CPU to the server on a shared machine. ``--clients P`` runs the timed round
trips from P client processes (:mod:`.clients`), so that the client is not one core's worth.

- **round trips**: ``N`` times, POST a 7168-byte payload to a fresh mailbox, then GET it back,
  ``C`` at a time, through ``POST {URL}/.well-known/ohttp-gateway``; round trips per second and
  latency percentiles of a whole round trip;
- **long polls**: ``L`` clients GET empty mailboxes and are held; meanwhile a round-trip sample
  runs and the server's RSS is read (``--pid``); then every held mailbox is POSTed to and each
  held GET must come back with its payload;
- **hostile** (``--hostile``): idle connections, slowloris heads, oversized and slow bodies and
  malformed OHTTP, all at once, while an honest round-trip sample runs; the hostile requests
  must be refused and the honest ones must all succeed.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from pjconf.harness.implementations.reference import (
    PjconfError,
    SealedRequest,
    SeededRandom,
    seal_mailbox_request,
)

PAYLOAD_BYTES = 7168
"""BIP 77's message size inside the 8192-byte OHTTP body."""
ANSWER_BYTES = 8192
"""Every BIP 77 gateway answer (an OHTTP response)."""
GATEWAY_PATH = "/.well-known/ohttp-gateway"
OHTTP_REQUEST = {"Content-Type": "message/ohttp-req"}

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BenchConfig:
    url: str
    round_trips: int = 2000
    concurrency: int = 32
    long_pollers: int = 500
    hostile: bool = False
    idle_connections: int = 2000
    pid: int | None = None
    seed: str = "pjconf/directory-bench"
    timeout: float = 60.0
    open_every: int = 1
    """Decapsulate and check the answers of every Nth round trip (1: all)."""
    clients: int = 1
    """Client processes for the timed round trips."""


@dataclass(frozen=True)
class Pair:
    """One mailbox's sealed POST and GET and the payload the GET must return."""

    short_id: bytes
    payload: bytes
    post: SealedRequest
    get: SealedRequest
    number: int = 0
    """Its place in its phase, which decides whether its answers are opened (``open_every``)."""


@dataclass
class Phase:
    """One timed run of round trips: counts, rate and latency percentiles (milliseconds)."""

    name: str
    attempted: int = 0
    ok: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    client_cpu: float = 0.0
    """CPU seconds the client process(es) spent in the phase."""
    server_cpu: float | None = None
    """CPU seconds the server (``--pid`` and its workers) spent in the phase, if local."""

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "attempted": self.attempted,
            "ok": self.ok,
            "failed": len(self.failures),
            "failures": self.failures[:10],
            "seconds": round(self.seconds, 3),
            "round_trips_per_second": round(self.rate, 1),
            "latency_ms": percentiles(self.latencies),
            "client_cpu_ms_per_round_trip": _per(self.client_cpu, self.ok),
            "server_cpu_ms_per_round_trip": _per(self.server_cpu, self.ok),
        }


def percentiles(values: Sequence[float]) -> dict[str, float | None]:
    """p50/p90/p99/max of ``values`` (milliseconds), nearest-rank."""
    if not values:
        return {"p50": None, "p90": None, "p99": None, "max": None}
    ordered = sorted(values)

    def rank(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"p50": rank(0.5), "p90": rank(0.9), "p99": rank(0.99), "max": round(ordered[-1], 2)}


def rss_kib(pid: int | None) -> int | None:
    """Resident set size of a local process and its children (``--workers``) in KiB
    (``/proc``), None when not measurable."""
    if pid is None:
        return None
    own = _own_rss_kib(pid)
    if own is None:
        return None
    return own + sum(_own_rss_kib(kid) or 0 for kid in _children(pid))


def _per(seconds: float | None, count: int) -> float | None:
    """Milliseconds per item, for the report."""
    return None if seconds is None or count == 0 else round(seconds * 1000 / count, 3)


def cpu_seconds(pid: int | None) -> float | None:
    """User and system CPU seconds of a local process and its live children (``/proc``)."""
    if pid is None:
        return None
    total = 0.0
    for process in [pid, *_children(pid)]:
        try:
            with open(f"/proc/{process}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            if process == pid:
                return None
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            return [int(child) for child in children.read().split()]
    except (OSError, ValueError):
        return []


def _own_rss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


class Bench:
    """One benchmark run against ``config.url``."""

    def __init__(self, config: BenchConfig, progress: Progress) -> None:
        self.config, self.progress = config, progress
        self.base = config.url.rstrip("/")
        self.rng = SeededRandom(config.seed)
        self.rss: dict[str, int | None] = {}

    def pairs(self, keys: bytes, count: int, label: str) -> list[Pair]:
        """``count`` fresh mailboxes, their requests sealed now, before any clock runs."""
        made = []
        rng = self.rng.child(label)
        for number in range(count):
            short, payload = rng.random_bytes(8), rng.random_bytes(PAYLOAD_BYTES)
            post = seal_mailbox_request(keys, self.base, "POST", short, payload, rng=rng)
            get = seal_mailbox_request(keys, self.base, "GET", short, rng=rng)
            made.append(Pair(short, payload, post, get, number))
        return made

    async def send(
        self, session: aiohttp.ClientSession, sealed: SealedRequest, *, open_it: bool = True
    ) -> tuple[int, bytes] | None:
        """POST one sealed request to the gateway; the inner status and body (None when not
        ``open_it``: then only the HTTP status and the size are checked)."""
        async with session.post(
            self.base + GATEWAY_PATH, data=sealed.body, headers=OHTTP_REQUEST
        ) as r:
            answer = await r.read()
            if r.status != 200:
                raise BenchFailure(f"gateway answered HTTP {r.status}")
        if not open_it:
            if len(answer) != ANSWER_BYTES:
                raise BenchFailure(f"an answer of {len(answer)} bytes, not {ANSWER_BYTES}")
            return None
        try:
            return sealed.open(answer)
        except PjconfError as e:
            raise BenchFailure(f"unreadable answer: {e}") from None

    async def round_trip(self, session: aiohttp.ClientSession, pair: Pair) -> None:
        open_it = pair.number % self.config.open_every == 0
        posted = await self.send(session, pair.post, open_it=open_it)
        if posted is not None and posted[0] != 200:
            raise BenchFailure(f"POST answered {posted[0]}")
        got = await self.send(session, pair.get, open_it=open_it)
        if got is not None and got != (200, pair.payload):
            raise BenchFailure(f"GET answered {got[0]} with {len(got[1])} bytes, not the payload")

    async def run_round_trips(
        self, session: aiohttp.ClientSession, pairs: list[Pair], name: str, concurrency: int
    ) -> Phase:
        phase = Phase(name, attempted=len(pairs))
        queue = iter(pairs)

        async def worker() -> None:
            for pair in queue:
                started = time.perf_counter()
                try:
                    await self.round_trip(session, pair)
                except (BenchFailure, aiohttp.ClientError, TimeoutError) as e:
                    phase.failures.append(f"{type(e).__name__}: {e}")
                    continue
                phase.ok += 1
                phase.latencies.append((time.perf_counter() - started) * 1000)

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        phase.seconds = time.perf_counter() - started
        phase.client_cpu = time.process_time() - cpu
        return phase

    # -- phases --------------------------------------------------------------------------------

    async def long_polls(self, keys: bytes, session: aiohttp.ClientSession) -> dict[str, Any]:
        count = self.config.long_pollers
        pairs = self.pairs(keys, count, "long-polls")
        sample = self.pairs(keys, min(500, self.config.round_trips), "during-long-polls")
        self.progress(f"long polls: holding {count} GETs on empty mailboxes")
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(
            connector=connector, timeout=_timeout(self.config)
        ) as held:
            gets = [asyncio.ensure_future(self.send(held, p.get)) for p in pairs]
            await asyncio.sleep(1.0)
            early = sum(1 for g in gets if g.done())
            self.rss["long_polls_held"] = rss_kib(self.config.pid)
            during = await self.run_round_trips(session, sample, "during long polls", 8)
            self.rss["long_polls_after_sample"] = rss_kib(self.config.pid)
            woken_at = time.perf_counter()
            await asyncio.gather(
                *(self.send(session, p.post) for p in pairs), return_exceptions=True
            )
            results = await asyncio.gather(*gets, return_exceptions=True)
            wake_seconds = time.perf_counter() - woken_at
        delivered = sum(
            1
            for p, r in zip(pairs, results, strict=True)
            if isinstance(r, tuple) and r == (200, p.payload)
        )
        return {
            "held": count,
            "answered_before_post": early,
            "delivered_after_post": delivered,
            "wake_seconds": round(wake_seconds, 3),
            "round_trips_meanwhile": during.to_json(),
        }

    async def hostile(self, keys: bytes, session: aiohttp.ClientSession) -> dict[str, Any]:
        from pjconf.harness.directory import hostile  # noqa: PLC0415

        sample = self.pairs(keys, min(1000, self.config.round_trips), "during-hostile")
        self.progress(
            f"hostile: {self.config.idle_connections} idle connections, slowloris, oversized "
            "and slow bodies, malformed OHTTP, with honest round trips alongside"
        )
        async with hostile.Crowd(self.base, self.config.idle_connections, self.rng) as crowd:
            await asyncio.sleep(0.5)
            self.rss["hostile_held"] = rss_kib(self.config.pid)
            attacks = asyncio.ensure_future(crowd.attack())
            honest = await self.run_round_trips(session, sample, "honest among hostile", 16)
            outcome = await attacks
            self.rss["hostile_after"] = rss_kib(self.config.pid)
        return {"honest": honest.to_json(), **outcome}

    async def run(self) -> dict[str, Any]:
        config = self.config
        timeout = _timeout(config)
        connector = aiohttp.TCPConnector(limit=config.concurrency)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            async with session.get(self.base + GATEWAY_PATH) as answer:
                if answer.status != 200:
                    raise BenchFailure(f"GET {GATEWAY_PATH} answered HTTP {answer.status}")
                keys = await answer.read()
                key_type = answer.headers.get("Content-Type")
            self.rss["start"] = rss_kib(config.pid)
            self.progress(f"sealing {config.round_trips} round trips (untimed)")
            pairs = self.pairs(keys, config.round_trips, "round-trips")
            warm = self.pairs(keys, min(100, config.round_trips), "warm-up")
            await self.run_round_trips(session, warm, "warm-up", config.concurrency)
            self.progress(
                f"round trips: {config.round_trips}, {config.concurrency} at a time, from "
                f"{config.clients} client process(es)"
            )
            server_cpu = cpu_seconds(config.pid)
            if config.clients > 1:
                from pjconf.harness.directory.clients import run_in_processes  # noqa: PLC0415

                main = await asyncio.to_thread(run_in_processes, config, pairs)
            else:
                main = await self.run_round_trips(session, pairs, "round trips", config.concurrency)
            after = cpu_seconds(config.pid)
            if server_cpu is not None and after is not None:
                main.server_cpu = after - server_cpu
            self.rss["after_round_trips"] = rss_kib(config.pid)
            report: dict[str, Any] = {
                "url": config.url,
                "keys_content_type": key_type,
                "payload_bytes": PAYLOAD_BYTES,
                "concurrency": config.concurrency,
                "pre_encapsulated": True,
                "opened": "all" if config.open_every == 1 else f"1 in {config.open_every}",
                "client_processes": config.clients,
                "round_trips": main.to_json(),
            }
            if config.long_pollers:
                report["long_polls"] = await self.long_polls(keys, session)
            if config.hostile:
                report["hostile"] = await self.hostile(keys, session)
        report["server_rss_kib"] = self.rss if config.pid is not None else None
        report["verdict"] = verdict(report)
        return report


class BenchFailure(Exception):
    """An answer that is not the one a working directory gives."""


def _timeout(config: BenchConfig) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=config.timeout)


def verdict(report: dict[str, Any]) -> dict[str, Any]:
    """Whether every honest request got the right answer, and the hostile ones were refused."""
    problems = []
    if report["round_trips"]["failed"]:
        problems.append(f"{report['round_trips']['failed']} round trips failed")
    polls = report.get("long_polls")
    if polls is not None:
        if polls["delivered_after_post"] != polls["held"]:
            problems.append(
                f"{polls['held'] - polls['delivered_after_post']} long polls not delivered"
            )
        if polls["round_trips_meanwhile"]["failed"]:
            problems.append("round trips failed while long polls were held")
    hostile = report.get("hostile")
    if hostile is not None:
        if hostile["honest"]["failed"]:
            problems.append(f"hostile clients disturbed {hostile['honest']['failed']} honest ones")
        problems.extend(hostile.get("not_refused", []))
    return {"ok": not problems, "problems": problems}


def run_bench(config: BenchConfig, progress: Progress) -> dict[str, Any]:
    """Run the whole benchmark; the report (see :func:`verdict` for its judgement)."""
    return asyncio.run(Bench(config, progress).run())
