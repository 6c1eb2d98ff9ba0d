"""``pjconf directory bench URL``: its options, the run, the text and JSON it writes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pjconf.harness.cli.options import at_least, positive

BENCH_FAILED = 1
USAGE_ERROR = 2


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    b = sub.add_parser(
        "bench",
        help="measure a BIP 77 directory by its URL (pjconf's own, or payjoin-mailroom)",
        description="Round trips (POST then GET of a 7168-byte payload through the OHTTP "
        "gateway, requests encapsulated before the clock starts, every answer opened and "
        "checked), long polls held at once, and with --hostile idle, slow, oversized and "
        "malformed clients alongside honest ones. Progress on stderr, a summary on stdout. "
        "Exit status 0 when every honest request got the right answer and every hostile one "
        "was refused; 1 otherwise; 2 on bad usage, an unreachable directory or a missing "
        "'directory' extra. See docs/directory.md.",
    )
    b.add_argument("url", help="the directory, e.g. http://127.0.0.1:8080")
    b.add_argument("--round-trips", type=at_least(1), default=2000, metavar="N")
    b.add_argument("--concurrency", type=at_least(1), default=32, metavar="C")
    b.add_argument(
        "--long-pollers", type=at_least(0), default=500, metavar="L", help="0 skips the phase"
    )
    b.add_argument("--hostile", action="store_true", help="add the hostile clients' phase")
    b.add_argument(
        "--idle-connections",
        type=at_least(0),
        default=2000,
        metavar="N",
        help="idle connections held during --hostile (2000)",
    )
    b.add_argument(
        "--open-every",
        type=at_least(1),
        default=1,
        metavar="N",
        help="decapsulate and check the answers of every Nth round trip; the others are checked "
        "for HTTP 200 and 8192 bytes (1: every answer)",
    )
    b.add_argument(
        "--clients",
        type=at_least(1),
        default=1,
        metavar="P",
        help="client processes sending the timed round trips (1)",
    )
    b.add_argument(
        "--pid", type=at_least(1), help="the server's local pid: its RSS and CPU, workers included"
    )
    b.add_argument("--timeout", type=positive(float), default=60.0, metavar="SECONDS")
    b.add_argument("--json", type=Path, metavar="FILE", help="write the report as JSON")


def command(args: argparse.Namespace) -> int:
    try:
        from pjconf.harness.directory.bench import BenchConfig, BenchFailure, run_bench  # noqa: PLC0415
    except ImportError:
        print(
            "pjconf directory bench: needs aiohttp, in the 'directory' extra: "
            "pip install 'pjconf[directory]'",
            file=sys.stderr,
        )
        return USAGE_ERROR
    import aiohttp  # noqa: PLC0415

    config = BenchConfig(
        url=args.url,
        round_trips=args.round_trips,
        concurrency=args.concurrency,
        long_pollers=args.long_pollers,
        hostile=args.hostile,
        idle_connections=args.idle_connections,
        pid=args.pid,
        timeout=args.timeout,
        open_every=args.open_every,
        clients=args.clients,
    )
    try:
        report = run_bench(config, lambda line: print(f"bench: {line}", file=sys.stderr))
    except (BenchFailure, aiohttp.ClientError, OSError) as e:
        print(f"pjconf directory bench: {args.url}: {e}", file=sys.stderr)
        return USAGE_ERROR
    print(summary(report))
    if args.json is not None:
        try:
            args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        except OSError as e:
            print(f"pjconf directory bench: cannot write {args.json}: {e}", file=sys.stderr)
            return USAGE_ERROR
    return 0 if report["verdict"]["ok"] else BENCH_FAILED


def _phase(name: str, phase: dict[str, Any]) -> str:
    lat = phase["latency_ms"]
    line = (
        f"{name}: {phase['ok']}/{phase['attempted']} ok, "
        f"{phase['round_trips_per_second']:.0f} round trips/s, latency ms p50 {lat['p50']} "
        f"p90 {lat['p90']} p99 {lat['p99']} max {lat['max']}"
    )
    cpu = [
        f"{who} {phase[f'{who}_cpu_ms_per_round_trip']} ms"
        for who in ("client", "server")
        if phase.get(f"{who}_cpu_ms_per_round_trip") is not None
    ]
    return line + (f"; CPU per round trip: {', '.join(cpu)}" if cpu else "")


def summary(report: dict[str, Any]) -> str:
    """The report as plain lines for a CI log."""
    opened = "every answer" if report["opened"] == "all" else f"answers of {report['opened']}"
    lines = [
        f"directory {report['url']} (requests pre-encapsulated, {opened} opened and checked, "
        f"{report['client_processes']} client process(es))"
    ]
    lines.append(_phase("round trips", report["round_trips"]))
    polls = report.get("long_polls")
    if polls:
        lines.append(
            f"long polls: {polls['held']} held, {polls['answered_before_post']} answered early, "
            f"{polls['delivered_after_post']} delivered after POST in {polls['wake_seconds']} s"
        )
        lines.append("  " + _phase("meanwhile", polls["round_trips_meanwhile"]))
    hostile = report.get("hostile")
    if hostile:
        lines.append("  " + _phase("honest among hostile", hostile["honest"]))
        for kind, result in hostile.items():
            if kind in ("honest", "not_refused"):
                continue
            lines.append(f"  {kind}: {json.dumps(result, sort_keys=True)}")
    rss = report.get("server_rss_kib")
    if rss:
        lines.append("server RSS KiB: " + ", ".join(f"{k} {v}" for k, v in rss.items()))
    verdict = report["verdict"]
    lines.append(
        "verdict: ok" if verdict["ok"] else "verdict: FAILED: " + "; ".join(verdict["problems"])
    )
    return "\n".join(lines)
