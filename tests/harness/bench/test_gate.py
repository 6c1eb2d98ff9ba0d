"""The correctness gate: an implementation that answers an op wrong is never timed on it, and
the row says why (with the command that reproduces the failing vector)."""

from __future__ import annotations

import pytest
from harness.bench import adapters
from harness.bench.adapters import corpus

from pjconf.harness.bench.model import BenchRun, Member, Row, Status
from pjconf.harness.bench.session import exit_status, run_bench
from pjconf.harness.bench.table import render
from pjconf.protocol.wire import JsonObject

ROUNDS, ROUND_MS = 2, 0.2
"""Two rounds of a fraction of a millisecond: enough to tell timed from not timed."""


def _flip_id(result: JsonObject) -> JsonObject:
    text = str(result["id"])
    return {**result, "id": f"{int(text[0], 16) ^ 1:x}{text[1:]}"}


def _bench(*members: Member, name: str = "short_id") -> tuple[BenchRun, dict[str, Row]]:
    """The run of item ``name`` on ``members``, and its row of each member by label."""
    rerun = ["--profile", "bip77"]
    run = run_bench(list(members), corpus(), [name], rounds=ROUNDS, round_ms=ROUND_MS, rerun=rerun)
    return run, {m.label: run.rows[(name, m.label)] for m in members}


def test_a_wrong_answer_is_gated_by_the_vectors_and_not_timed() -> None:
    good = adapters.member("reference", adapters.reference())
    bad = adapters.member("mutant", adapters.wrong_answer("short_id", _flip_id), "cmd:./mutant")
    run, rows = _bench(good, bad)
    row = rows["mutant"]
    assert row.status is Status.GATED
    assert row.samples == []
    assert row.stats is None
    reason = row.reason
    assert "8 of 8 vectors of short_id failed" in reason
    assert "reproduce: pjconf run --impl cmd:./mutant --profile bip77 --case uri/" in reason
    timed = rows["reference"]
    assert timed.status is Status.TIMED
    assert len(timed.samples) == ROUNDS
    assert exit_status(run, allow_gated=False) == 1
    assert exit_status(run, allow_gated=True) == 0
    text = render(run, allow_gated=False)
    assert "gated: 8 of 8 vectors of short_id failed" in text
    assert "FAILED: 1 timed, 1 gated" in text


def test_a_bench_that_times_other_work_is_gated_by_its_checked_first_answer() -> None:
    liar = adapters.member("liar", adapters.bench_of_other_work("short_id", _flip_id))
    row = _bench(liar)[1]["liar"]
    assert row.status is Status.GATED
    assert row.gate == "vectors of short_id: 8 PASS"
    assert row.reason.startswith("what its bench timed is not the answer of vector uri/")
    assert row.stats is None


def test_a_replay_bench_must_answer_as_the_reference() -> None:
    def reopened(result: JsonObject) -> JsonObject:
        return {**result, "closed": not result["closed"]}

    liar = adapters.member("liar", adapters.bench_of_other_work("replay", reopened))
    row = _bench(liar, name="replay/sender/10")[1]["liar"]
    assert row.status is Status.GATED
    assert "not the reference's answer to sender log" in row.reason
    assert "closed=" in row.reason


@pytest.mark.parametrize(
    ("error", "status", "text"),
    [
        (True, Status.GATED, "its bench of short_id answered error InvalidArgument"),
        (False, Status.NOT_BENCHED, "its bench answers unimplemented for short_id"),
    ],
)
def test_a_bench_that_refuses_is_not_timed(error: bool, status: Status, text: str) -> None:
    refusing = adapters.member("refusing", adapters.bench_refusing("short_id", error=error))
    row = _bench(refusing)[1]["refusing"]
    assert row.status is status
    assert text in row.reason


def test_an_op_the_implementation_does_not_serve_is_not_implemented() -> None:
    good = adapters.member("reference", adapters.reference())
    lacking = adapters.member("lacking", adapters.without("short_id"))
    run, rows = _bench(good, lacking)
    row = rows["lacking"]
    assert row.status is Status.NOT_IMPLEMENTED
    assert row.reason == "its hello does not list short_id"
    # Not implementing an op is the implementation's choice, not a wrong answer.
    assert exit_status(run, allow_gated=False) == 0


def test_a_run_that_times_nothing_fails() -> None:
    bad = adapters.member("mutant", adapters.wrong_answer("short_id", _flip_id))
    run, _ = _bench(bad)
    assert exit_status(run, allow_gated=True) == 1
