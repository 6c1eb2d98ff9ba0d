"""SIGKILL of a writer while a second process keeps repairing (file) or recovering (SQLite).

A writer process saves events and reports each one on a pipe once ``save`` returns. A second,
real process meanwhile loops over the store's repair path: ``FileLogPersister.repair()`` for a
file log; for SQLite, which has no repair of its own (its crash recovery runs on every open),
opening the store (WAL recovery and ``quick_check``) and loading the session. The parent kills
the writer at a random moment, stops the second process, recovers, and counts: every
acknowledged event must be there, plus at most the one save that was in flight, and the second
process must never have met anything but a typed refusal.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from reference.persist.hardening import expected

from pjconf.reference.persist import FileStore, SqliteStore

RUNS = 3
OVERLAP = 0.25
"""Seconds (at least, and at most twice that) that the writer and the second process overlap."""
BIG = 1_000_000
"""File records of about a megabyte: a write the kernel can cut short when SIGKILL arrives."""

FILE_WRITER = """
import sys, time
from pjconf.reference.persist import FileStore, StorageError
from pjconf.reference.persist.errors import LogLocked
directory, big, release = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "release"
log = FileStore(directory).persister("victim")
i = 0
while True:
    try:
        log.save_event('{"n":%d,"pad":"%s"}' % (i, "x" * (big + i % 300)))
    except LogLocked:  # the repairer holds the log for a moment: not saved, so try again
        time.sleep(0.0002)
        continue
    except StorageError as error:
        print("error %s: %s" % (type(error).__name__, error), flush=True)
        break
    print(i, flush=True)
    if release:
        log.release()  # a writer that does not keep the log open between saves
    i += 1
"""

FILE_REPAIRER = """
import json, signal, sys
from pjconf.reference.persist import FileStore, StorageError
from pjconf.reference.persist.errors import LogLocked
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
log = FileStore(sys.argv[1]).persister("victim")
counts = {"repaired": 0, "clean": 0, "refused": 0}
errors = []
print("ready", flush=True)
while not stop and len(errors) < 5:
    try:
        counts["repaired" if log.repair() is not None else "clean"] += 1
    except LogLocked:
        counts["refused"] += 1
    except StorageError as error:
        errors.append("%s: %s" % (type(error).__name__, error))
print(json.dumps({**counts, "errors": errors}), flush=True)
"""

SQLITE_WRITER = """
import sys
from pjconf.reference.persist import SqliteStore
log = SqliteStore(sys.argv[1]).persister("victim")
for i in range(10**9):
    log.save_event('{"n":%d,"pad":"%s"}' % (i, "x" * (i % 300)))
    print(i, flush=True)
"""

SQLITE_RECOVERER = """
import json, signal, sys
from pjconf.reference.persist import SqliteStore, StorageError
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
counts = {"opened": 0, "longest": 0}
errors = []
print("ready", flush=True)
while not stop and len(errors) < 5:
    try:
        with SqliteStore(sys.argv[1]) as store:
            texts = store.persister("victim").load()
            texts = list(texts)
        want = ['{"n":%d,"pad":"%s"}' % (i, "x" * (i % 300)) for i in range(len(texts))]
        if texts != want:
            errors.append("a load that is not a prefix of the saves")
        counts["opened"] += 1
        counts["longest"] = max(counts["longest"], len(texts))
    except StorageError as error:
        errors.append("%s: %s" % (type(error).__name__, error))
print(json.dumps({**counts, "errors": errors}), flush=True)
"""


@dataclass
class Outcome:
    acknowledged: int
    recovered: int
    torn: bool  # a tear was found and cut off, by the second process or at recovery
    helper: dict[str, object]


def _spawn(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _acks(lines: list[str]) -> int:
    errors = [line for line in lines if line.startswith("error")]
    assert errors == []  # the writer met nothing but a typed refusal it could retry
    numbers = [int(line) for line in lines if line.strip()]
    return numbers[-1] + 1 if numbers else 0


def kill_run(kind: str, path: Path, rng: random.Random, mode: str) -> Outcome:
    big = BIG if kind == "file" else 0
    if kind == "file":
        writer = _spawn(FILE_WRITER, str(path), str(big), mode)
    else:
        writer = _spawn(SQLITE_WRITER, str(path))
    helper: subprocess.Popen[str] | None = None
    try:
        assert writer.stdout is not None
        lines = [writer.stdout.readline()]  # the store exists before the second process starts
        helper = _spawn(FILE_REPAIRER if kind == "file" else SQLITE_RECOVERER, str(path))
        assert helper.stdout is not None
        assert helper.stdout.readline().strip() == "ready"
        # The writer goes on beside the second process for a while, then is killed.
        overlap = time.monotonic() + OVERLAP + rng.random() * OVERLAP
        while time.monotonic() < overlap:
            lines.append(writer.stdout.readline())
            _acks(lines)  # no error so far
            assert lines[-1], "the writer stopped"
        time.sleep(rng.random() * (0.03 if kind == "file" else 0.003))
        writer.send_signal(signal.SIGKILL)
        lines += writer.stdout.read().splitlines()  # acknowledgements still in the pipe
        writer.wait(timeout=10)
        assert writer.returncode == -signal.SIGKILL
        acknowledged = _acks(lines)
        time.sleep(0.05)  # the second process goes on a little after the writer's death
        helper.send_signal(signal.SIGTERM)
        out, _ = helper.communicate(timeout=30)
    finally:
        for child in (writer, helper):
            if child is not None and child.poll() is None:
                child.kill()
                child.wait(timeout=10)
    report = json.loads(out.splitlines()[-1])
    assert report["errors"] == []
    if kind == "file":
        log = FileStore(path).persister("victim")
        torn = log.repair() is not None or bool(report["repaired"])  # what is left is cut now
        texts = list(log.load())
        assert not list(path.glob("*.tmp"))
    else:
        with SqliteStore(path) as store:
            texts = list(store.persister("victim").load())
        torn = False  # a transaction is whole or absent
    assert texts == [expected(i, big) for i in range(len(texts))]  # a prefix, in order
    assert acknowledged <= len(texts) <= acknowledged + 1  # every acknowledged event
    return Outcome(acknowledged, len(texts), torn, report)


@pytest.mark.parametrize(
    ("kind", "mode"),
    [("file", "hold"), ("file", "release"), ("sqlite", "open")],
    ids=["file-writer-holds-the-log", "file-writer-releases-between-saves", "sqlite"],
)
def test_sigkill_under_concurrent_repair_loses_no_acknowledged_event(
    kind: str, mode: str, tmp_path: Path
) -> None:
    rng = random.Random(f"kill-repair-{kind}-{mode}")
    outcomes = []
    for run in range(RUNS):
        path = tmp_path / (f"run{run}.sqlite" if kind == "sqlite" else f"run{run}")
        outcomes.append(kill_run(kind, path, rng, mode))
    summary = "; ".join(f"{o.acknowledged}/{o.recovered}/{o.torn:d} {o.helper}" for o in outcomes)
    print(f"\n{kind} {mode}: acknowledged/recovered/torn (second process): {summary}")
    if kind == "file" and mode == "hold":
        assert all(o.helper["refused"] for o in outcomes)  # it met the live writer's lock
