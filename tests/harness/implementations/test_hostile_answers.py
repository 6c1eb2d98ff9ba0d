"""Whatever an adapter writes, the client answers with a bounded malfunction, at once.

Each adapter of :mod:`harness.hostile_adapters` is a real process; the client must turn its
misbehaviour into one ``malfunction`` reply with a one-line reason, without waiting for the
timeout (except the adapter that does not answer at all), then start it again for the next call.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from harness.hostile_adapters import command

from pjconf.harness.implementations.client import ProcessClient
from pjconf.protocol.limits import Limits

TIMEOUT = 8.0
"""Long enough that a malfunction reported 'at once' is clearly not the timeout expiring."""

REASONS = {
    "deep_json": "answer nests deeper than 128 levels",
    "huge_integer": "answer holds a number longer than 4300 digits",
    "endless_line": "answer line longer than 4194304 bytes (discarded)",
    "eight_mib_answers": "answer line longer than 4194304 bytes (discarded)",
    "not_utf8": "answer is not UTF-8 (byte 0xff at offset 23)",
}


@pytest.mark.parametrize("mode", sorted(REASONS))
def test_a_hostile_answer_is_a_malfunction_at_once_and_the_adapter_restarts(
    tmp_path: Path, mode: str
) -> None:
    client = ProcessClient(command(tmp_path, mode), timeout=TIMEOUT)
    try:
        assert client.call("ping", {}).kind == "result"
        started = time.monotonic()
        bad = client.call("misbehave", {})
        assert time.monotonic() - started < TIMEOUT / 2
        assert (bad.kind, bad.value) == ("malfunction", {"message": REASONS[mode]})
        assert client.call("ping", {}).kind == "result"
        assert client.restarts == 1
    finally:
        client.close()


def test_an_adapter_that_stops_answering_costs_the_timeout_once(tmp_path: Path) -> None:
    client = ProcessClient(command(tmp_path, "hang_after_hello"), timeout=1.0)
    try:
        assert client.call("hello", {}).kind == "result"
        started = time.monotonic()
        assert client.call("work", {}).value == {"message": "no answer within 1s"}
        assert time.monotonic() - started < 3
    finally:
        client.close()


def test_the_line_limit_is_configurable(tmp_path: Path) -> None:
    """A 1 MiB answer passes the default limit, and is refused under a 64 KiB one."""
    roomy = ProcessClient(command(tmp_path, "big_but_allowed"), timeout=TIMEOUT)
    tight = ProcessClient(
        command(tmp_path, "big_but_allowed"), timeout=TIMEOUT, limits=Limits(65536)
    )
    try:
        assert roomy.call("big", {}).kind == "result"
        assert tight.call("big", {}).value == {
            "message": "answer line longer than 65536 bytes (discarded)"
        }
    finally:
        roomy.close()
        tight.close()


def test_abort_ends_a_pending_call_at_once_and_refuses_later_ones(tmp_path: Path) -> None:
    """What a signal or the deadline does: the request being waited on returns now."""

    client = ProcessClient(command(tmp_path, "hang_after_hello"), timeout=30)
    try:
        assert client.call("hello", {}).kind == "result"
        threading.Timer(0.5, client.abort, args=("SIGTERM",)).start()
        started = time.monotonic()
        assert client.call("work", {}).kind == "malfunction"
        assert time.monotonic() - started < 5
        assert client.call("ping", {}).value == {"message": "SIGTERM"}
    finally:
        client.close()
