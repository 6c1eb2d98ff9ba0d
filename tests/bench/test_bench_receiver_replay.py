"""Replaying a complete receiver log from its JSON texts, beside ``json.loads`` of the same texts.

The log is a whole successful session, ``Created`` to ``Closed(Success)`` (12 events), with the
real PSBTs a payjoin 1.0 receiver persists: the Original PSBT, the committed and fee-adjusted
proposals and the signed one (``session/receiver_logs.py``). Replay decodes every text into typed
events (the store's codec on load, every payload checked) and folds them. Target: a median below
1 ms per session (``extra_info["target_median_us"]``); the ratio to the ``json.loads`` floor is
reported beside it, as the machine-independent figure.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from pytest_benchmark.fixture import BenchmarkFixture
from reference.session.receiver.receiver_logs import FAR, texts, walk
from reference.session.sender.test_sender_support import NOW

from pjconf.reference.entropy import FixedClock
from pjconf.reference.persist.memory import InMemoryPersister
from pjconf.reference.session.json_codec import RECEIVER_JSON
from pjconf.reference.session.receiver.events import ReceiverEvent
from pjconf.reference.session.receiver.machine import ClosedSession
from pjconf.reference.session.receiver.replay import SessionStatus, replay_event_log

RecordPairedRatio = Callable[[Callable[[], object], Callable[[], object]], None]

pytestmark = pytest.mark.benchmark_suite

TEXTS = texts(walk(FAR).complete)
CLOCK = FixedClock(NOW)
TARGET_MEDIAN_US = 1000.0


def _replay() -> tuple[object, object]:
    """Decode the stored texts (as a real store's codec does on load) and fold them."""
    persister: InMemoryPersister[ReceiverEvent] = InMemoryPersister()
    for text in TEXTS:
        persister.save_event(RECEIVER_JSON.decode(text))
    return replay_event_log(persister, clock=CLOCK)


def _floor() -> object:
    return [json.loads(text) for text in TEXTS]


def test_receiver_log_replay(
    benchmark: BenchmarkFixture, record_paired_ratio: RecordPairedRatio
) -> None:
    benchmark.group = "replay.receiver"
    benchmark.extra_info["events"] = len(TEXTS)
    benchmark.extra_info["bytes"] = sum(len(t) for t in TEXTS)
    benchmark.extra_info["target_median_us"] = TARGET_MEDIAN_US
    state, history = benchmark(_replay)
    assert isinstance(state, ClosedSession)
    assert history.status(CLOCK) is SessionStatus.COMPLETED
    record_paired_ratio(_replay, _floor)
    if benchmark.stats is not None:
        median = benchmark.stats.stats.median
        benchmark.extra_info["median_us_per_session"] = median * 1e6
        benchmark.extra_info["events_per_second"] = len(TEXTS) / median
        benchmark.extra_info["target_met"] = median * 1e6 < TARGET_MEDIAN_US


def test_receiver_log_replay_floor(benchmark: BenchmarkFixture) -> None:
    benchmark.group = "replay.receiver"
    benchmark.extra_info["floor"] = True
    benchmark(_floor)
