"""State-graph coverage: edges of passing transition and session cases, and what is missing."""

from __future__ import annotations

from pjconf.harness.corpus.load import Case, Step
from pjconf.harness.run.checker import Outcome, Verdict
from pjconf.harness.run.coverage import DECLARED, coverage, edges_of


def transition(state: str, method: str, outcome: str, following: str) -> Case:
    setup = (Step("session.resume", {"role": "receiver"}, {"handle": "handle"}, {"state": state}),)
    expected = {"outcome": outcome, "appended": [], "closed": False, "state": following}
    return Case(
        "transitions", 1, "", "", (), "valid", "session.call",
        {"handle": "$handle", "method": method, "args": {}}, expected, setup=setup,
    )  # fmt: skip


def session(role: str, path: list[list[str]]) -> Case:
    expected = {"path": path, "events": [], "closed": True}
    return Case("sessions", 2, "", "", (), "valid", "session.drive", {"iut_role": role}, expected)


def test_the_declared_graph_has_both_roles_and_every_receiver_check_three_ways() -> None:
    roles = {edge[0] for edge in DECLARED}
    assert roles == {"receiver", "sender"}
    for method in ("check_inputs_not_owned", "identify_receiver_outputs"):
        outcomes = {e[3] for e in DECLARED if e[2] == method}
        assert outcomes == {"progress", "replyable", "transient"}
    assert ("sender", "PendingFallback", "close", "terminal", "Closed") in DECLARED


def test_a_transition_case_is_one_edge_from_its_setup_state() -> None:
    case = transition(
        "MaybeInputsOwned", "check_inputs_not_owned", "replyable", "HasReplyableError"
    )
    assert edges_of(case) == [
        ("receiver", "MaybeInputsOwned", "check_inputs_not_owned", "replyable", "HasReplyableError")
    ]


def test_a_session_case_is_every_step_of_its_path() -> None:
    case = session(
        "sender",
        [
            ["sender.new", "progress", "WithReplyKey"],
            ["sender.post_original", "progress", "PollingForProposal"],
            ["sender.cancel", "progress", "PendingFallback"],
        ],
    )
    assert edges_of(case) == [
        ("sender", "", "new", "progress", "WithReplyKey"),
        ("sender", "WithReplyKey", "post_original", "progress", "PollingForProposal"),
        ("sender", "PollingForProposal", "cancel", "progress", "PendingFallback"),
    ]


def test_only_passing_cases_count_and_undeclared_edges_are_reported() -> None:
    good = transition("WantsOutputs", "commit_outputs", "progress", "WantsInputs")
    failed = transition("WantsInputs", "commit_inputs", "progress", "WantsFeeRange")
    odd = transition("Monitor", "commit_outputs", "progress", "WantsInputs")
    cov = coverage(
        [
            Outcome(good, Verdict.PASS),
            Outcome(failed, Verdict.FAIL),
            Outcome(odd, Verdict.PASS),
        ]
    )
    assert cov.covered == {
        ("receiver", "WantsOutputs", "commit_outputs", "progress", "WantsInputs")
    }
    assert cov.unknown == {("receiver", "Monitor", "commit_outputs", "progress", "WantsInputs")}
    done, total = cov.counts("receiver")
    assert (done, total) == (1, sum(1 for e in DECLARED if e[0] == "receiver"))
    missing = cov.missing("receiver")
    assert ("receiver", "WantsInputs", "commit_inputs", "progress", "WantsFeeRange") in missing
    assert cov.to_json()["receiver"]["covered"] == 1


def test_other_families_have_no_edges() -> None:
    case = Case("replay", 3, "", "", (), "valid", "replay", {"role": "receiver"}, {"state": "x"})
    assert edges_of(case) == []
