"""Cases that need an injected clock are SKIPped, unsent, for an implementation without one."""

from __future__ import annotations

from harness.run.run_support import case, scripted_run

from pjconf.harness.run.capabilities import INJECTED_CLOCK, injects_clock
from pjconf.harness.run.checker import Verdict


def test_hello_must_say_clock_true() -> None:
    assert injects_clock({"clock": True})
    assert not injects_clock({"clock": "yes"})
    assert not injects_clock({"deterministic": True})


def test_a_clock_case_is_skipped_unsent_without_a_clock() -> None:
    cases = [case("a", 1, "fail", flags=(INJECTED_CLOCK,)), case("a", 2)]
    result, client = scripted_run(cases, clock=False)
    verdicts = [o.verdict for o in result.outcomes]
    assert verdicts == [Verdict.SKIP, Verdict.PASS]
    assert "injectable clock" in result.outcomes[0].detail
    assert client.calls == ["a.op"]
    assert result.ok


def test_a_clock_case_is_judged_with_a_clock() -> None:
    result, _ = scripted_run([case("a", 1, "fail", flags=(INJECTED_CLOCK,))], clock=True)
    assert [o.verdict for o in result.outcomes] == [Verdict.FAIL]
