"""The circuit breaker: an implementation that stops answering costs a few timeouts, not hours."""

from __future__ import annotations

from harness.run.run_support import ANSWERS, ScriptedClient, case

from pjconf.harness.corpus.load import Case, Step
from pjconf.harness.implementations.client import Reply
from pjconf.harness.run.breaker import UNRESPONSIVE, Breaker
from pjconf.harness.run.checker import Verdict
from pjconf.harness.run.expectations import Expectations
from pjconf.harness.run.runner import FamilyState, RunResult, run
from pjconf.harness.run.scenario import run_steps
from pjconf.protocol.wire import JsonObject


def _family(name: str, answers: str) -> list[Case]:
    """One case per letter: p(ass), e(rror: a malfunction), f(ail)."""
    words = {"p": "pass", "e": "error", "f": "fail"}
    return [case(name, i + 1, words[a]) for i, a in enumerate(answers)]


def _run(
    cases: list[Case], limit: int = 3, expectations: Expectations | None = None
) -> tuple[RunResult, ScriptedClient]:
    client = ScriptedClient()
    result = run(client, cases, breaker=Breaker(limit), expectations=expectations)
    return result, client


def test_consecutive_malfunctions_stop_the_family_and_say_so() -> None:
    result, client = _run(_family("a", "e" * 10))
    assert len(client.calls) == 3
    assert [o.verdict for o in result.outcomes] == [Verdict.ERROR] * 10
    assert result.outcomes[3].detail == (
        "unresponsive: 3 consecutive failures, the rest of the family was not sent"
    )
    assert result.unresponsive == {"a": result.outcomes[3].detail}
    state, reason = result.family_state("a")
    assert state is FamilyState.FAILED
    assert reason == "10 ERROR; " + result.outcomes[3].detail


def test_the_next_family_gets_one_probe_and_runs_when_it_answers() -> None:
    result, client = _run(_family("a", "eeeee") + _family("b", "ppppp"))
    assert len(client.calls) == 3 + 5
    assert result.count(Verdict.PASS, "b") == 5
    assert "b" not in result.unresponsive


def test_a_failed_probe_cuts_the_family_and_enough_of_them_end_the_run() -> None:
    cases = _family("a", "eeee") + _family("b", "eeee") + _family("c", "eeee")
    result, client = _run(cases + _family("d", "pppp"))
    assert len(client.calls) == 3 + 1 + 1  # 2 * limit - 1 timeouts in all, whatever follows
    assert sorted(result.unresponsive) == ["a", "b", "c"]
    assert result.count(Verdict.ERROR, "d") == 4
    assert result.given_up.startswith(UNRESPONSIVE + "no answer in 3 families in a row")
    assert result.given_up in result.run_problems()
    assert not result.ok


def test_an_answer_resets_the_count() -> None:
    result, client = _run(_family("a", "eepeefee"))
    assert len(client.calls) == 8
    assert not result.unresponsive


def test_wrong_answers_are_answers_not_malfunctions() -> None:
    result, client = _run(_family("a", "f" * 6))
    assert len(client.calls) == 6
    assert result.count(Verdict.FAIL) == 6


def test_limit_zero_turns_the_breaker_off() -> None:
    _, client = _run(_family("a", "e" * 8), limit=0)
    assert len(client.calls) == 8


def test_cases_not_sent_are_still_known_failures_when_listed() -> None:
    expect = Expectations(known_failures={"a/*": "broken adapter"})
    result, _ = _run(_family("a", "e" * 5), expectations=expect)
    assert result.count(Verdict.KNOWN_FAILURE) == 5


def test_a_stop_ends_the_run_and_the_families_not_reached_say_interrupted() -> None:
    cases = _family("a", "pppp") + _family("b", "pppp")
    client = ScriptedClient()
    result = run(client, cases, stop=lambda: len(client.calls) >= 6)
    result.interrupted = "SIGTERM"
    assert len(result.outcomes) == 5  # the sixth was cut short by the stop: not judged
    assert result.family_state("a") == (FamilyState.OK, "")
    state, reason = result.family_state("b")
    assert state is FamilyState.INTERRUPTED
    assert reason == "3 of 4 cases not run (SIGTERM)"
    assert result.not_reached() == 3
    assert not result.ok


class DropCounting:
    """Every call is a malfunction; counts the calls (a dead adapter costs a timeout each)."""

    def __init__(self) -> None:
        self.ops: list[str] = []

    def call(self, op: str, args: JsonObject) -> Reply:
        self.ops.append(op)
        if op == "session.resume":
            return Reply("result", {"handle": "h1"})
        return ANSWERS["error"]

    def close(self) -> None:
        return None


def test_no_drop_is_sent_to_an_adapter_that_just_malfunctioned() -> None:
    """Its handles died with it; a drop would only wait on it once more."""
    client = DropCounting()
    step = Step("session.resume", {"events": []}, {"handle": "handle"})
    reply = run_steps(client, (step,), "session.call", {"handle": "$handle"})
    assert reply.kind == "malfunction"
    assert client.ops == ["session.resume", "session.call"]
