"""``pjconf directory bench`` at a small scale against the real server: every phase runs, every
answer is checked, hostile clients are refused, and a directory that answers wrong fails it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from directory.servers import thread_server

from pjconf.harness.cli import main
from pjconf.harness.directory.bench import BenchConfig, run_bench


def test_the_bench_measures_the_server_and_finds_it_sound(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    # Timeouts short enough for a quick test, long enough that an honest body read by a server
    # thread sharing this process (and a loaded CI machine) is not cut off as a slow one.
    with thread_server(long_poll=30.0, idle_timeout=2.0, body_timeout=3.0) as served:
        status = main(
            [
                "directory", "bench", served.url, "--round-trips", "30", "--concurrency", "4",
                "--long-pollers", "20", "--hostile", "--idle-connections", "50",
                "--pid", str(os.getpid()), "--json", str(out),
            ]
        )  # fmt: skip
    report = json.loads(out.read_text())
    assert status == 0, report["verdict"]
    assert report["round_trips"]["ok"] == 30
    assert report["round_trips"]["round_trips_per_second"] > 0
    assert report["round_trips"]["client_cpu_ms_per_round_trip"] > 0
    assert report["round_trips"]["server_cpu_ms_per_round_trip"] > 0  # --pid: this process
    assert report["long_polls"]["delivered_after_post"] == 20
    assert report["long_polls"]["answered_before_post"] == 0
    hostile = report["hostile"]
    assert hostile["honest"]["failed"] == 0
    assert hostile["oversized_content_length"]["statuses"] == {"413": 20}
    assert hostile["malformed_ohttp"]["statuses"] == {"400": 200}
    assert report["server_rss_kib"]["start"] > 0


def test_a_directory_whose_long_polls_answer_at_once_is_reported() -> None:
    with thread_server(long_poll=0.0) as served:  # every held GET comes back 202 at once
        report = run_bench(
            BenchConfig(served.url, round_trips=5, concurrency=2, long_pollers=5), lambda _: None
        )
    assert not report["verdict"]["ok"]
    assert "5 long polls not delivered" in report["verdict"]["problems"]


def test_an_unreachable_directory_exits_2() -> None:
    assert main(["directory", "bench", "http://127.0.0.1:1", "--round-trips", "1"]) == 2


def test_round_trips_from_two_client_processes_opening_a_sample_all_count() -> None:
    with thread_server() as served:
        report = run_bench(
            BenchConfig(
                served.url, round_trips=12, concurrency=4, long_pollers=0, clients=2, open_every=3
            ),
            lambda _: None,
        )
    assert report["verdict"]["ok"], report["verdict"]
    assert report["round_trips"]["ok"] == 12
    assert len(report["round_trips"]["failures"]) == 0
    assert report["round_trips"]["round_trips_per_second"] > 0
    assert (report["client_processes"], report["opened"]) == (2, "1 in 3")
    assert report["round_trips"]["client_cpu_ms_per_round_trip"] > 0  # the processes' own CPU
    assert report["round_trips"]["server_cpu_ms_per_round_trip"] is None  # no --pid
