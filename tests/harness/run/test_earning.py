"""A verdict has to be earned: refusals need accepting witnesses, a crash is never an acceptable
refusal, ids are exact, a malfunction mid-session is ERROR, and a run can demand a share of the
corpus verified."""

from __future__ import annotations

import pytest
from harness.run.run_support import ScriptedClient, case, scripted_run

from pjconf.harness.implementations.client import Reply, classify
from pjconf.harness.run.checker import Verdict, judge
from pjconf.harness.run.runner import run
from pjconf.harness.run.variants import Variants
from pjconf.protocol.wire import JsonObject


def test_an_invalid_pass_stands_when_a_valid_case_of_its_op_passes() -> None:
    cases = [case("uri", 1, "pass"), case("uri", 2, "refuse", result="invalid")]
    result, _ = scripted_run(cases)
    assert [o.verdict for o in result.outcomes] == [Verdict.PASS, Verdict.PASS]


def test_an_implementation_that_refuses_everything_earns_no_invalid_pass() -> None:
    cases = [case("uri", 1, "refuse"), case("uri", 2, "refuse", result="invalid")]
    result, _ = scripted_run(cases)
    invalid = result.outcomes[1]
    assert invalid.verdict is Verdict.FAIL
    assert "unearned" in invalid.detail
    assert "uri/1" in invalid.detail


def test_the_witness_is_run_when_the_selection_left_it_out() -> None:
    corpus = [case("uri", 1, "refuse"), case("uri", 2, "refuse", result="invalid")]
    client_cases = corpus[1:]
    client = ScriptedClient()
    result = run(client, client_cases, corpus=corpus)
    assert [o.case.name for o in result.outcomes] == ["uri/2"]  # the witness is not reported
    assert result.outcomes[0].verdict is Verdict.FAIL
    assert client.calls == ["uri.op", "uri.op"]


def test_witnesses_that_were_only_unimplemented_make_the_refusal_a_skip() -> None:
    """An implementation that cannot run the valid cases (say, sealing with a fixed key) is not
    punished for a correct refusal, but the refusal is not counted as verified either."""
    cases = [case("uri", 1, "skip"), case("uri", 2, "refuse", result="invalid")]
    result, _ = scripted_run(cases)
    assert result.outcomes[1].verdict is Verdict.SKIP
    assert "unearned" in result.outcomes[1].detail
    assert result.verified == 0


def test_witnesses_come_from_the_op_not_from_other_ops() -> None:
    cases = [
        case("uri", 1, "pass", op="uri.other"),
        case("uri", 2, "refuse", op="uri.parse", result="invalid"),
        case("uri", 3, "fail", op="uri.parse"),
    ]
    result, _ = scripted_run(cases)
    assert result.outcomes[1].verdict is Verdict.FAIL


def test_internal_error_is_never_an_acceptable_refusal() -> None:
    acceptable = case("uri", 1, result="acceptable")
    panic = Reply("error", {"kind": "InternalError", "message": "thread panicked"})
    outcome = judge(acceptable, panic)
    assert outcome.verdict is Verdict.FAIL
    assert "InternalError" in outcome.detail
    other = judge(acceptable, Reply("error", {"kind": "InvalidUri", "message": "no"}))
    assert other.verdict is Verdict.ACCEPTABLE


@pytest.mark.parametrize("wrong_id", [1.0, True, "1", None])
def test_an_answer_id_must_be_the_exact_integer(wrong_id: object) -> None:
    reply = classify({"id": wrong_id, "result": {}}, 1)
    assert reply.kind == "malfunction"
    assert classify({"id": 1, "result": {}}, 1).kind == "result"


def test_min_verified_fails_a_run_that_checks_too_little() -> None:
    cases = [case("uri", 1, "pass"), case("uri", 2, "skip"), case("uri", 3, "skip")]
    result, _ = scripted_run(cases)
    result.corpus_runnable = 3
    assert result.ok  # a PASS and two SKIPs: green, but only a third of the corpus checked
    result.min_verified = 50
    assert not result.ok
    assert any("below --min-verified 50%" in p for p in result.run_problems())
    result.min_verified = 30
    assert result.ok


class _Flaky:
    """Answers committed cases right and every other request wrong: a transcript's behaviour."""

    def __init__(self) -> None:
        self.seen: list[JsonObject] = []

    def call(self, op: str, args: JsonObject) -> Reply:
        self.seen.append(args)
        if args.get("answer") == "pass":
            return Reply("result", {"value": "01"})
        return Reply("result", {"value": "02"})

    def close(self) -> None:
        return None


def test_a_case_whose_fresh_variant_fails_is_a_fail_naming_the_seed() -> None:
    committed = case("replay", 1, "pass")
    twin = case("replay", 1, "other")
    variants = Variants("s33d", {committed.name: twin})
    result = run(_Flaky(), [committed], variants=variants)
    outcome = result.outcomes[0]
    assert outcome.verdict is Verdict.FAIL
    assert "fresh variant (run seed s33d)" in outcome.detail


def test_a_case_whose_variant_passes_passes() -> None:
    committed = case("replay", 1, "pass")
    variants = Variants("s", {committed.name: case("replay", 1, "pass")})
    client = _Flaky()
    result = run(client, [committed], variants=variants)
    assert result.outcomes[0].verdict is Verdict.PASS
    assert len(client.seen) == 2
