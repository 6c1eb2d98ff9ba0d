"""Replaying a sender log: events per second, beside ``json.loads`` of the same texts.

The log is a sender's ``Created`` (with its Original PSBT) and ``PostedOriginalPsbt``, in an
in-memory persister holding the payjoin 1.0 JSON texts, as payjoin-ffi's persisters hold them.
The floor is parsing those texts with the standard library: what replay adds is decoding them
into typed events (PSBT, keys, URL) and folding them. No target is set by the issue; the ratio is
reported so that changes to the codec or the fold show up.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from pytest_benchmark.fixture import BenchmarkFixture
from reference.session.sender.test_sender_support import NOW, new_sender

from pjconf.reference.entropy import FixedClock
from pjconf.reference.persist.memory import InMemoryPersister
from pjconf.reference.session.json_codec import SENDER_JSON
from pjconf.reference.session.sender.events import PostedOriginalPsbt, SenderEvent
from pjconf.reference.session.sender.replay import replay_event_log

RecordPairedRatio = Callable[[Callable[[], object], Callable[[], object]], None]

pytestmark = pytest.mark.benchmark_suite

_, _LOG = new_sender(expiration=4_000_000_000)
TEXTS = [SENDER_JSON.encode(e) for e in _LOG.events] + [SENDER_JSON.encode(PostedOriginalPsbt())]
CLOCK = FixedClock(NOW)


def _replay() -> tuple[object, object]:
    """Decode the stored texts (as a real store's codec does on load) and fold them."""
    persister: InMemoryPersister[SenderEvent] = InMemoryPersister()
    for text in TEXTS:
        persister.save_event(SENDER_JSON.decode(text))
    return replay_event_log(persister, clock=CLOCK)


def _floor() -> object:
    return [json.loads(text) for text in TEXTS]


def test_sender_log_replay(
    benchmark: BenchmarkFixture, record_paired_ratio: RecordPairedRatio
) -> None:
    benchmark.group = "replay.sender"
    benchmark.extra_info["events"] = len(TEXTS)
    state, _ = benchmark(_replay)
    assert type(state).__name__ == "PollingForProposal"
    record_paired_ratio(_replay, _floor)


def test_sender_log_replay_floor(benchmark: BenchmarkFixture) -> None:
    benchmark.group = "replay.sender"
    benchmark.extra_info["floor"] = True
    benchmark(_floor)
