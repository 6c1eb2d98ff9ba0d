"""Durable saves per second of the SQLite and file persisters, each beside its bare floor.

Floors, measured in the same run with the same durability: a bare ``sqlite3`` INSERT + COMMIT
(WAL, ``synchronous=FULL``) and a bare ``write`` + ``fsync`` of the same bytes to an append-only
file. A save is dominated by the disk flush, so the ratio is what the persister adds on top of
it (a transaction with a sequence number; framing and a checksum). Target: at least 80% of the
floor's throughput, i.e. a time ratio of at most 1.25.

``paired_ratio`` is measured here with fewer rounds than the crypto benchmarks' fixture (each
call is a disk flush), interleaved the same way; ``throughput_ratio`` is its inverse.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from pjconf.reference.persist import FileStore, SqliteStore

pytestmark = pytest.mark.benchmark_suite

EVENT = '{"RetrievedOriginalPayload":{"original":"' + "cHNidP8B" * 60 + '","reply_key":null}}'
ROUNDS, BATCH = 100, 4
TARGET_THROUGHPUT = 0.8


def _batch_ns(fn: Callable[[], object]) -> int:
    start = time.perf_counter_ns()
    for _ in range(BATCH):
        fn()
    return time.perf_counter_ns() - start


def _paired_ratio(op: Callable[[], object], floor: Callable[[], object]) -> float:
    """Median of per-round time ratios op/floor over alternating short batches."""
    _batch_ns(op), _batch_ns(floor)
    ratios = []
    for i in range(ROUNDS):
        if i % 2:
            floor_ns, op_ns = _batch_ns(floor), _batch_ns(op)
        else:
            op_ns, floor_ns = _batch_ns(op), _batch_ns(floor)
        ratios.append(op_ns / floor_ns)
    return statistics.median(ratios)


def _measure(benchmark: BenchmarkFixture, fn: Callable[[], object]) -> None:
    benchmark(fn)
    if not benchmark.disabled and benchmark.stats is not None:
        benchmark.extra_info["saves_per_s"] = round(1 / benchmark.stats.stats.median)


def _record(
    benchmark: BenchmarkFixture, op: Callable[[], object], floor: Callable[[], object]
) -> None:
    if benchmark.disabled:
        return
    ratio = _paired_ratio(op, floor)
    benchmark.extra_info["paired_ratio"] = ratio
    benchmark.extra_info["throughput_ratio"] = 1 / ratio
    benchmark.extra_info["target_throughput_ratio"] = TARGET_THROUGHPUT


# -- SQLite ---------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_floor(tmp_path: Path) -> Iterator[Callable[[], None]]:
    """A bare INSERT + COMMIT with the store's durability settings."""
    conn = sqlite3.connect(tmp_path / "floor.sqlite", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, event TEXT NOT NULL)")

    def save() -> None:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO events (event) VALUES (?)", (EVENT,))
        conn.execute("COMMIT")

    yield save
    conn.close()


@pytest.fixture
def sqlite_save(tmp_path: Path) -> Iterator[Callable[[], None]]:
    store = SqliteStore(tmp_path / "store.sqlite")
    persister = store.persister("bench-session")
    yield lambda: persister.save_event(EVENT)
    store.disconnect()


def test_sqlite_save(
    benchmark: BenchmarkFixture,
    sqlite_save: Callable[[], None],
    sqlite_floor: Callable[[], None],
) -> None:
    benchmark.group = "persist.sqlite"
    _measure(benchmark, sqlite_save)
    benchmark.extra_info["target_ratio"] = 1 / TARGET_THROUGHPUT  # >= 80% of bare sqlite3's rate
    _record(benchmark, sqlite_save, sqlite_floor)


def test_sqlite_save_floor(benchmark: BenchmarkFixture, sqlite_floor: Callable[[], None]) -> None:
    """Bare sqlite3 INSERT + COMMIT, WAL and synchronous=FULL."""
    benchmark.group = "persist.sqlite"
    benchmark.extra_info["floor"] = True
    _measure(benchmark, sqlite_floor)


# -- file log -------------------------------------------------------------------------------------


@pytest.fixture
def file_floor(tmp_path: Path) -> Iterator[Callable[[], None]]:
    """A bare append of the same number of bytes and an fsync."""
    fd = os.open(tmp_path / "floor.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    record = b"E %d 00000000 %s\n" % (len(EVENT), EVENT.encode())

    def save() -> None:
        os.write(fd, record)
        os.fsync(fd)

    yield save
    os.close(fd)


@pytest.fixture
def file_save(tmp_path: Path) -> Iterator[Callable[[], None]]:
    persister = FileStore(tmp_path / "logs").persister("bench-session")
    persister.save_event(EVENT)  # the file exists: the benchmark measures appends
    yield lambda: persister.save_event(EVENT)
    persister.release()


def test_file_save(
    benchmark: BenchmarkFixture, file_save: Callable[[], None], file_floor: Callable[[], None]
) -> None:
    benchmark.group = "persist.file"
    _measure(benchmark, file_save)
    _record(benchmark, file_save, file_floor)


def test_file_save_floor(benchmark: BenchmarkFixture, file_floor: Callable[[], None]) -> None:
    """Bare append + fsync of a record of the same size."""
    benchmark.group = "persist.file"
    benchmark.extra_info["floor"] = True
    _measure(benchmark, file_floor)
