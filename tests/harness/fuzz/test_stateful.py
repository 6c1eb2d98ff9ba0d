"""The stateful engine of ``pjconf fuzz``: random sessions with invariants after every step.

The reference against itself breaks no invariant (with and without crashes); each session
mutant of the ``pjconf run`` mutation test is caught within a small step budget, its finding
shrunk, and saved as a case that ``pjconf run`` fails on the mutant and passes on the
reference; a bug planted after one step is shrunk to the shortest way there; a seed gives the
same run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harness.run.mutants import SESSION_MUTANTS, Mutation, mutant

from pjconf.harness.corpus.lint import lint
from pjconf.harness.corpus.load import load_corpus
from pjconf.harness.fuzz.model import Budget, Finding, Stats
from pjconf.harness.fuzz.save import save_findings
from pjconf.harness.fuzz.session_steps import Action, BadPath, decode_path, encode_path
from pjconf.harness.fuzz.stateful import explore_sessions
from pjconf.harness.implementations.client import Client, InProcessClient
from pjconf.harness.implementations.reference import reference_client
from pjconf.harness.run.checker import Verdict
from pjconf.harness.run.runner import run
from pjconf.harness.sessions.drive import drive
from pjconf.protocol.wire import JsonObject
from pjconf.reference.adapter.dispatch import InProcessAdapter
from pjconf.reference.adapter.ops import reference_adapter

MUTANT_STEPS = 200
"""Steps each mutant must be caught within: a few hundred milliseconds in process, far below
the stateful engine's share of ``pjconf fuzz``'s default budget."""

FUZZED_SESSION_MUTANTS = [m for m in SESSION_MUTANTS if m[0] != "event.roundtrip"]
"""``session.call`` three times, ``session.resume`` and ``replay``; ``event.roundtrip`` is no
session op (the stateless engine's)."""


def explore(
    iut: Client,
    steps: int,
    *,
    seed: str = "test",
    crash: bool = False,
    restart: Client | None = None,
    known: frozenset[str] = frozenset(),
) -> tuple[list[Finding], Stats]:
    return explore_sessions(
        iut,
        reference_client(seed="oracle"),
        budget=Budget(cases=steps),
        seed=seed,
        crash=crash,
        restart=None if restart is None else (lambda: restart),
        known=known,
        on_progress=None,
    )


def save(findings: list[Finding], root: Path) -> Path:
    """The findings saved as ``pjconf fuzz --save`` saves them."""
    save_findings(findings, root)
    return root


def test_the_reference_breaks_no_invariant_against_itself() -> None:
    progress: list[int] = []
    findings, stats = explore_sessions(
        reference_client(seed="iut"),
        reference_client(seed="oracle"),
        budget=Budget(cases=600),
        seed="self",
        crash=False,
        restart=None,
        known=frozenset(),
        on_progress=lambda s: progress.append(s.steps),
    )
    assert findings == []
    assert stats.steps == 600
    assert stats.cases >= 20  # many sessions, not one long one
    assert progress == sorted(progress)
    assert progress[-1] == 600


def test_the_reference_survives_random_crashes() -> None:
    """In process, a crash drops the client and builds a fresh one (``restart``), which resumes
    the session from the log the old one reported."""
    built: list[Client] = []

    def restart() -> Client:
        built.append(reference_client(seed=f"restarted/{len(built)}"))
        return built[-1]

    findings, stats = explore_sessions(
        reference_client(seed="iut"),
        reference_client(seed="oracle"),
        budget=Budget(cases=500),
        seed="crash",
        crash=True,
        restart=restart,
        known=frozenset(),
        on_progress=None,
    )
    assert findings == []
    assert len(built) >= 20  # crashed at many persistence points
    assert stats.steps == 500


@pytest.mark.parametrize(
    ("op", "mutate"),
    [(op, m) for op, m, _, _ in FUZZED_SESSION_MUTANTS],
    ids=[f"{op}-{m.__name__}" for op, m, _, _ in FUZZED_SESSION_MUTANTS],
)
def test_each_session_mutant_is_caught_and_saved_as_a_failing_case(
    op: str, mutate: Mutation, tmp_path: Path
) -> None:
    findings, stats = explore(InProcessClient(mutant(op, mutate)), MUTANT_STEPS)
    assert findings, f"{op} mutant not caught in {MUTANT_STEPS} steps"
    assert stats.findings == len(findings)
    assert len({f.key for f in findings}) == len(findings)
    for finding in findings:
        assert finding.engine == "stateful"
        assert finding.family == "fuzz_sessions"
        assert finding.case["args"]["path"].startswith("fuzz/")
        assert finding.case["result"] == "valid"  # the reference drives these actions alike
    root = save(findings, tmp_path / "saved")
    assert lint(root) == []
    cases = load_corpus(root)
    on_mutant = run(InProcessClient(mutant(op, mutate)), cases)
    assert {o.verdict for o in on_mutant.outcomes} == {Verdict.FAIL}
    on_reference = run(reference_client(seed="again"), cases)
    assert {o.verdict for o in on_reference.outcomes} == {Verdict.PASS}


def _extra_event_on_commit_outputs() -> InProcessAdapter:
    """The reference, but ``commit_outputs`` claims one event more than it saved."""
    handlers = dict(reference_adapter().handlers)
    original = handlers["session.call"]

    def call(args: JsonObject) -> JsonObject:
        result = original(args)
        if args.get("method") == "commit_outputs":
            return {**result, "appended": [*result["appended"], *result["appended"]]}
        return result

    handlers["session.call"] = call
    return InProcessAdapter("late-mutant", "0", handlers)


def test_a_bug_after_one_step_is_shrunk_to_the_shortest_way_there() -> None:
    """Reaching ``commit_outputs`` takes the receiver's session, the sender's, its post, the
    receiver's poll and the four checks: nine actions, the last the broken one."""
    findings, _ = explore(InProcessClient(_extra_event_on_commit_outputs()), 800)
    assert [f.key for f in findings] == ["stateful/receiver/receiver.commit_outputs/EffectMismatch"]
    actions = decode_path(findings[0].case["args"]["path"])
    assert [a.name for a in actions] == [
        "receiver.new",
        "sender.new",
        "sender.exchange",
        "receiver.exchange",
        "receiver.check_broadcast_suitability",
        "receiver.check_inputs_not_owned",
        "receiver.check_no_inputs_seen_before",
        "receiver.identify_receiver_outputs",
        "receiver.commit_outputs",
    ]
    assert "actions: receiver.new, " in findings[0].detail


def test_known_findings_are_counted_not_reported() -> None:
    mutate = FUZZED_SESSION_MUTANTS[0][1]
    findings, _ = explore(InProcessClient(mutant("replay", mutate)), MUTANT_STEPS)
    keys = frozenset(f.key for f in findings)
    again, stats = explore(InProcessClient(mutant("replay", mutate)), MUTANT_STEPS, known=keys)
    assert again == []
    assert stats.known > 0
    assert stats.findings == 0


def test_a_seed_gives_the_same_run() -> None:
    mutate = FUZZED_SESSION_MUTANTS[1][1]  # an extra event on every session.call

    def once(seed: str) -> tuple[list[JsonObject], tuple[int, int, int]]:
        findings, stats = explore(InProcessClient(mutant("session.call", mutate)), 150, seed=seed)
        return [f.case for f in findings], (stats.cases, stats.steps, stats.findings)

    first = once("same")
    assert first[0]
    assert first == once("same")
    assert first != once("other")
    clean = [explore(reference_client(seed="iut"), 150, seed="same")[1] for _ in range(2)]
    assert (
        (clean[0].cases, clean[0].steps)
        == (clean[1].cases, clean[1].steps)
        == (
            clean[0].cases,
            150,
        )
    )


def test_action_names_round_trip_and_a_bad_path_is_refused() -> None:
    actions = [
        Action("receiver", "new"),
        Action("sender", "exchange", "503"),
        Action("receiver", "check_inputs_not_owned", "refuse"),
        Action("receiver", "crash"),
    ]
    assert decode_path(encode_path(actions)) == actions
    for bad in ("fuzz/", "fuzz/payer.new", "fuzz/receiver.fly", "fuzz/sender.exchange!418"):
        with pytest.raises(BadPath):
            decode_path(bad)
    reply = drive(
        reference_client(), {"iut_role": "receiver", "path": "fuzz/receiver.fly", "seed": "x"}
    )
    assert reply.kind == "malfunction"
    assert "not a drivable case" in reply.value["message"]
