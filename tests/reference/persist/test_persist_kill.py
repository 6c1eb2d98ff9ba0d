"""SIGKILL mid-save: every acknowledged event survives; a tear is reported, never dropped.

A child process saves events in a loop and reports each one on a pipe after ``save`` returns.
The parent kills it with SIGKILL at a random moment (mostly inside the fsync of the next save),
then reloads the log: it must be a prefix of what the child meant to write, holding every
acknowledged event and at most the one unacknowledged save in flight; on the file store a torn
last record must be reported by ``scan`` (and ``load`` must raise), not dropped.
"""

from __future__ import annotations

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

from pjconf.reference.persist import FileStore, SqliteStore, TornRecord

RUNS = 4
CHILD = """
import sys
from pjconf.reference.persist import FileStore, SqliteStore
kind, path, big = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = SqliteStore(path) if kind == "sqlite" else FileStore(path)
log = store.persister("victim")
out = sys.stdout
for i in range(10**9):
    log.save_event('{"n":%d,"pad":"%s"}' % (i, "x" * (big + i % 300)))
    out.write("%d\\n" % i)
    out.flush()
"""


BIG = 4_000_000
"""Multi-megabyte records: a write the kernel can cut short when SIGKILL arrives mid-copy."""


@dataclass
class Outcome:
    acknowledged: int
    recovered: int
    torn: int


def kill_run(kind: str, path: Path, rng: random.Random, big: int) -> Outcome:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, kind, str(path), str(big)], stdout=subprocess.PIPE, env=env
    )
    assert child.stdout is not None
    want = rng.randrange(2, 6) if big else rng.randrange(20, 120)
    acks = 0
    for line in child.stdout:
        acks = int(line) + 1
        if acks >= want:
            break
    time.sleep(rng.random() * (0.03 if big else 0.003))
    child.send_signal(signal.SIGKILL)
    rest = child.stdout.read()  # acknowledgements written before the kill are still in the pipe
    child.wait()
    assert child.returncode == -signal.SIGKILL
    for line in rest.splitlines():
        acks = int(line) + 1
    if kind == "sqlite":
        with SqliteStore(path) as store:
            texts = list(store.persister("victim").load())
        torn = 0
    else:
        log = FileStore(path).persister("victim")
        scan = log.scan()
        texts = scan.texts
        torn = scan.torn is not None
        if torn:
            with pytest.raises(TornRecord):
                log.load()
    assert texts == [expected(i, big) for i in range(len(texts))]  # a prefix, in order, no gaps
    assert acks <= len(texts) <= acks + 1  # every acknowledged event; at most one in flight
    return Outcome(acks, len(texts), int(torn))


@pytest.mark.parametrize(
    ("kind", "big"),
    [("sqlite", 0), ("file", 0), ("file", BIG)],  # SQLite's WAL frames are not the point here
    ids=["sqlite", "file", "file-4MB"],
)
def test_sigkill_mid_save_loses_no_acknowledged_event(kind: str, big: int, tmp_path: Path) -> None:
    rng = random.Random(f"kill-{kind}-{big}")
    outcomes = []
    for run in range(RUNS):
        path = tmp_path / (f"run{run}.sqlite" if kind == "sqlite" else f"run{run}")
        outcomes.append(kill_run(kind, path, rng, big))
    summary = ", ".join(f"{o.acknowledged}/{o.recovered}/{o.torn}" for o in outcomes)
    print(f"{kind} {big}: acknowledged/recovered/torn per run: {summary}")
