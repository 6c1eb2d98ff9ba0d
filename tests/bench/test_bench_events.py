"""Events per second for the payjoin 1.0 JSON codec, beside ``json.dumps``/``json.loads``.

The floor of each group is the standard library on the very same serde tree (the ``Created``
event of session_log_examples R1): what is left of the codec's cost is building and checking
typed values (key validation, OHTTP config and URL parsing). Target: the codec at >= 50% of the
floor's events/second, i.e. a ``paired_ratio`` (time op / time floor) of at most 2.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from pjconf.harness.vectorgen.session_log_texts import RECEIVER_EVENTS
from pjconf.reference.session import json_codec
from pjconf.reference.session.receiver import tree as receiver_tree

RecordPairedRatio = Callable[[Callable[[], object], Callable[[], object]], None]

pytestmark = pytest.mark.benchmark_suite

TEXT = RECEIVER_EVENTS["R1 Created"]
EVENT = json_codec.decode_receiver_event(TEXT)
TREE = receiver_tree.to_tree(EVENT)


def _encode() -> str:
    return json_codec.encode_receiver_event(EVENT)


def _floor_encode() -> str:
    return json.dumps(TREE, separators=(",", ":"), ensure_ascii=False)


def _decode() -> object:
    return json_codec.decode_receiver_event(TEXT)


def _floor_decode() -> object:
    return json.loads(TEXT)


def test_created_encode(
    benchmark: BenchmarkFixture, record_paired_ratio: RecordPairedRatio
) -> None:
    benchmark.group = "event.json.encode"
    benchmark.extra_info["target_ratio"] = 2.0  # >= 50% of the floor's events/s
    assert benchmark(_encode) == TEXT
    record_paired_ratio(_encode, _floor_encode)


def test_created_encode_floor(benchmark: BenchmarkFixture) -> None:
    benchmark.group = "event.json.encode"
    benchmark.extra_info["floor"] = True
    assert benchmark(_floor_encode) == TEXT


def test_created_decode(
    benchmark: BenchmarkFixture, record_paired_ratio: RecordPairedRatio
) -> None:
    benchmark.group = "event.json.decode"
    benchmark.extra_info["target_ratio"] = 2.0  # >= 50% of the floor's events/s
    assert benchmark(_decode) == EVENT
    record_paired_ratio(_decode, _floor_decode)


def test_created_decode_floor(benchmark: BenchmarkFixture) -> None:
    benchmark.group = "event.json.decode"
    benchmark.extra_info["floor"] = True
    benchmark(_floor_decode)
