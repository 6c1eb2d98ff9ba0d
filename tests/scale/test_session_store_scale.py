"""A store of many sessions: listing and replaying them all must cost time and memory linear in
their number (issue 5: measured at 100, 1,000 and 10,000 sessions).

Each session is a real sender log (``Created`` with its PSBT, then ``PostedOriginalPsbt``) in a
durable SQLite store, written through the public persister API. The figures are printed for the
CI log; the assertions allow generous slack for a shared 2-core machine, and would still catch a
quadratic step (which would cost 10x, not ~1x, per session at 10,000).
"""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import pytest
from reference.session.sender.test_sender_support import NOW, new_sender

from pjconf.reference.entropy import FixedClock
from pjconf.reference.persist.sqlite_store import SqliteStore
from pjconf.reference.session.json_codec import SENDER_JSON, encode_sender_event
from pjconf.reference.session.sender.events import PostedOriginalPsbt
from pjconf.reference.session.sender.replay import replay_event_log

pytestmark = pytest.mark.scale

SIZES = (100, 1_000, 10_000)


@dataclass(frozen=True)
class Measurement:
    sessions: int
    seconds: float
    peak_bytes: int

    @property
    def us_per_session(self) -> float:
        return self.seconds / self.sessions * 1e6


def _log_texts() -> list[str]:
    _, persister = new_sender(expiration=4_000_000_000)
    return [encode_sender_event(e) for e in persister.events] + [
        encode_sender_event(PostedOriginalPsbt())
    ]


def _populate(path: Path, sessions: int, texts: list[str]) -> None:
    with SqliteStore(path) as store:
        for n in range(sessions):
            for text in texts:
                store.append_text(f"session-{n:05d}", text)


def _replay_all(path: Path) -> int:
    clock = FixedClock(NOW)
    with SqliteStore(path) as store:
        ids = store.session_ids()
        for session_id in ids:
            state, history = replay_event_log(store.persister(session_id, SENDER_JSON), clock=clock)
            assert type(state).__name__ == "PollingForProposal"
            assert history.status(clock) == "Active"
    return len(ids)


def _list_and_replay(path: Path) -> Measurement:
    """Time one pass as it runs, then measure peak memory in a second, traced, pass (tracing
    slows Python down several times, so it must not be in the timed one)."""
    started = time.perf_counter()
    sessions = _replay_all(path)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    _replay_all(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Measurement(sessions, seconds, peak)


def test_listing_and_replaying_grows_linearly(tmp_path: Path) -> None:
    texts = _log_texts()
    results = []
    saves_per_s = []
    for size in SIZES:
        path = tmp_path / f"sessions-{size}.db"
        started = time.perf_counter()
        _populate(path, size, texts)
        saves_per_s.append(size * len(texts) / (time.perf_counter() - started))
        results.append(_list_and_replay(path))
    print("\nsessions   durable saves/s   list+replay s   µs/session   peak MiB")
    for m, rate in zip(results, saves_per_s, strict=True):
        print(
            f"{m.sessions:>8}   {rate:>15.0f}   {m.seconds:>13.2f}   {m.us_per_session:>10.0f}"
            f"   {m.peak_bytes / 2**20:>8.1f}"
        )
    small, medium, large = results
    assert [m.sessions for m in results] == list(SIZES)
    # Linear: the per-session cost at 10,000 stays within 2.5x of the cost at 1,000 (a quadratic
    # step would be 10x), and peak memory grows no faster than the session count.
    assert large.us_per_session < 2.5 * medium.us_per_session
    assert large.peak_bytes < 2 * (large.sessions / medium.sessions) * medium.peak_bytes
    assert medium.us_per_session < 3 * small.us_per_session
