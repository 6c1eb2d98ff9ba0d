"""The matrix between two in-process references agrees everywhere, and catches an
implementation that resumes into the wrong state, replays differently or writes another event."""

from __future__ import annotations

import pytest
from harness.compat.broken import ForgetsTheLastEvent, RenamesCancelled, ReportsNoFallback, member

from pjconf.harness.compat.handover import alone, relay
from pjconf.harness.compat.matrix import path_names, run_matrix
from pjconf.harness.compat.model import Matrix
from pjconf.harness.compat.notes import Notes
from pjconf.harness.compat.verdict import judge
from pjconf.harness.implementations.client import Client
from pjconf.harness.sessions.driver import ROLES, Role
from pjconf.protocol.states import CLOSED, RECEIVER_STATES, SENDER_STATES

PATHS = ["success_contributed", "error_reply/input_owned", "cancel/WantsInputs", "directory_faults"]


def _matrix(second: Client | None = None, paths: list[str] = PATHS) -> Matrix:
    return run_matrix([member("a"), member("b", second)], paths=paths)


def test_two_references_agree_on_every_handover_and_every_prefix() -> None:
    matrix = _matrix()
    assert matrix.failures == []
    for counts in matrix.pairs.values():
        assert counts.logs == 2 * len(PATHS)  # one per path and role
        assert counts.prefixes == counts.agreements > counts.logs
        assert counts.handovers == counts.continued > 0
        assert counts.not_run == 0
    assert matrix.pair("a", "b").handovers == matrix.pair("b", "a").handovers
    assert all(a.passed == a.paths == 2 * len(PATHS) for a in matrix.alone.values())


@pytest.mark.parametrize("role", ROLES)
def test_a_relay_hands_over_at_every_save_in_turn(role: Role) -> None:
    a, b = member("a"), member("b")
    summary = alone(a, role, "success").summary(role)
    assert summary is not None
    run = relay((a, b), role, "success", summary)
    assert run.failure is None
    saves = len(summary["events"]) - 1  # every saved event but the one that closes the log
    assert saves >= 2
    assert len(run.handovers) == saves
    turns = [("a", "b"), ("b", "a")] * saves
    assert [(h.writer, h.reader) for h in run.handovers] == turns[:saves]
    assert [h.events for h in run.handovers] == list(range(1, saves + 1))


def test_a_version_that_resumes_into_the_wrong_state_is_caught_as_reader() -> None:
    matrix = _matrix(ForgetsTheLastEvent(), paths=["success"])
    handovers = [f for f in matrix.failures if f.check == "handover"]
    assert handovers, matrix.failures
    assert {(f.writer, f.reader) for f in handovers} == {("a", "b")}
    assert all(f.role == "receiver" and f.step == "receiver.resume" for f in handovers)
    assert "resumed in" in handovers[0].error
    assert matrix.pair("a", "b").continued < matrix.pair("a", "b").handovers
    assert matrix.pair("b", "a").continued == matrix.pair("b", "a").handovers > 0


def test_a_version_that_replays_differently_is_caught_per_prefix() -> None:
    matrix = _matrix(ReportsNoFallback(), paths=["cancel/WantsInputs"])
    failures = [f for f in matrix.failures if f.check == "replay"]
    assert failures
    assert {(f.writer, f.reader) for f in failures} == {("a", "b"), ("b", "a")}
    first = min(failures, key=lambda f: f.prefix or 0)
    assert first.key.startswith("replay/")
    assert first.key.endswith(f"/receiver/cancel/WantsInputs/{first.prefix}")
    assert "fallback_tx" in first.error
    assert first.reproduce == (
        "pjconf compat --impl reference --impl reference --role receiver --path cancel/WantsInputs"
    )
    counts = matrix.pair("a", "b")
    assert counts.agreements == counts.prefixes - len(matrix.failures_of("replay", "a", "b"))


def test_a_version_that_writes_another_event_is_caught_in_both_checks() -> None:
    matrix = _matrix(RenamesCancelled(), paths=["cancel/WantsInputs"])
    by_key = {f.key: f for f in matrix.failures}
    # The reference cannot read b's renamed event, neither resumed nor replayed...
    refused = by_key["handover/b->a/receiver/cancel/WantsInputs"]
    assert refused.step == "receiver.resume"
    assert "unknown variant 'Abandoned'" in refused.error
    replays = [f for f in matrix.failures if f.key.startswith("replay/b->a/receiver/")]
    assert replays
    assert "the reader's error 'DecodeError'" in replays[0].error
    # ...and b, resuming a's log, rewrites a's Cancelled event.
    rewritten = by_key["handover/a->b/receiver/cancel/WantsInputs"]
    assert "log differs from the one it was resumed from at event 7" in rewritten.error
    # b alone is consistent with itself: the difference is only between versions.
    assert matrix.alone["b"].passed == matrix.alone["b"].paths


def test_an_event_of_another_variant_is_blamed_on_the_handover_to_its_writer() -> None:
    a, b = member("a"), member("b")
    summary = alone(a, "receiver", "success").summary("receiver")
    assert summary is not None
    events = list(summary["events"])
    events[3] = "SomethingElse"
    run = relay((a, b), "receiver", "success", {**summary, "events": events})
    assert run.failure is not None
    assert run.failure.step == "receiver.log"
    assert "event 3 is" in str(run.failure)
    assert run.failed_at == 2  # event 3 was written by b, after the third handover (a -> b)
    blamed = run.handovers[2]
    assert (blamed.writer, blamed.reader, blamed.events) == ("a", "b", 3)


def test_notes_explain_differences_by_key_or_pattern_and_name_the_stale_ones() -> None:
    matrix = _matrix(ReportsNoFallback(), paths=["cancel/WantsInputs"])
    assert not judge(matrix, Notes()).ok
    notes = Notes((("replay/*->b/receiver/*", "b forgets fallbacks"), ("alone/*", "unused")))
    judged = judge(matrix, notes)
    assert [f.key for f in judged.unexplained] == [
        f.key for f in matrix.failures if f.reader != "b"
    ]
    assert judged.stale == ("alone/*",)
    notes = Notes((("replay/*", "every replay difference"),))
    assert judge(matrix, notes).ok


def test_every_driver_path_is_in_the_matrix() -> None:
    names = path_names()
    assert {"success", "success_contributed", "directory_faults", "sender_post_rejected"} <= set(
        names
    )
    assert any(n.startswith("cancel/") for n in names)
    assert any(n.startswith("error_reply/") for n in names)


def test_every_state_an_open_session_is_saved_in_is_continued_by_both_readers() -> None:
    """The whole matrix (every path, both roles) hands over every saved state, both ways."""
    matrix = run_matrix([member("a"), member("b")])
    assert matrix.failures == []
    for counts in matrix.pairs.values():
        for role, states in (("receiver", RECEIVER_STATES), ("sender", SENDER_STATES)):
            saved = {s for s in states if s != CLOSED}
            assert {s for r, s in counts.states if r == role} == saved, (counts.writer, role)
