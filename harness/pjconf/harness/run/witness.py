"""Earning a refusal's credit: an ``invalid`` case's PASS, an ``acceptable`` case refused.

An adapter that answers every request of an op with the same error kind matches every
``invalid`` case that expects that kind, without deciding anything. A refusal means something
only from an implementation that also accepts what it should, so it is credited only when a
``valid`` case that sends the same op passes in the same run. Those witnesses are the valid cases
of the op in the refused case's own test group, else in its family, else anywhere in the corpus;
a case whose setup steps send the op counts, since its setup had to be accepted. The runner looks
at the witnesses it has already judged and, when none of them passed, runs up to
:data:`MAX_WITNESS_RUNS` more itself (they are not reported as cases). When a witness was
answered wrongly the refused case is FAIL (unearned); when the witnesses were only unimplemented
it is SKIP (nothing verified either way, as with an implementation that can seal only with its
own random keys). A refusal with no witness anywhere keeps its credit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pjconf.harness.corpus.load import Case
from pjconf.harness.run.checker import Outcome, Verdict
from pjconf.harness.sessions.drive import DRIVE_NEEDS, DRIVE_OP

MAX_WITNESS_RUNS = 3
_EARNS = (Verdict.PASS, Verdict.ACCEPTABLE)


class WitnessRule:
    """Decides whether an invalid case's PASS is earned, remembering every witness verdict."""

    def __init__(self, corpus: Sequence[Case], judge: Callable[[Case], Outcome]) -> None:
        self._corpus = [c for c in corpus if c.op is not None]
        self.judge = judge
        """Runs a witness the run has not judged (the run may point it at another adapter)."""
        self._verdicts: dict[str, Outcome] = {}
        self._witnesses: dict[tuple[str, int, str], list[Case]] = {}

    def record(self, outcome: Outcome) -> None:
        """A case the run judged anyway: a witness that needs no second run."""
        if outcome.case.result == "valid":
            self._verdicts[outcome.case.name] = outcome

    def check(self, outcome: Outcome) -> Outcome:
        """``outcome`` itself, or FAIL/SKIP when it is an unearned refusal."""
        case = outcome.case
        if not _is_refusal_credit(outcome):
            return outcome
        witnesses = self.witnesses(case)
        if not witnesses:
            return outcome
        judged = [self._verdicts[w.name] for w in witnesses if w.name in self._verdicts]
        if any(o.verdict in _EARNS for o in judged):
            return outcome
        for witness in [w for w in witnesses if w.name not in self._verdicts][:MAX_WITNESS_RUNS]:
            self._verdicts[witness.name] = self.judge(witness)
            judged.append(self._verdicts[witness.name])
            if judged[-1].verdict in _EARNS:
                return outcome
        wrong = [o for o in judged if o.verdict in (Verdict.FAIL, Verdict.ERROR)]
        if not wrong:
            # The valid cases of this op were not answered (unimplemented): nothing to hold the
            # refusal against, so it is not verified either way.
            return Outcome(
                case,
                Verdict.SKIP,
                f"unearned: refused as expected, but no valid {case.op} case ran "
                f"({judged[0].case.name}: {judged[0].detail[:100]}), so the refusal proves nothing",
                outcome.got,
            )
        first = wrong[0]
        detail = (
            f"refused as expected, but unearned: no valid {case.op} case passes "
            f"({first.case.name}: {first.verdict.value} {first.detail[:120]}); a refusal proves "
            "nothing from an implementation that does not accept what it should"
        )
        return Outcome(case, Verdict.FAIL, detail, outcome.got)

    def witnesses(self, case: Case) -> list[Case]:
        """The valid cases of ``case``'s op: its group's, else its family's, else the corpus's."""
        key = (case.family, case.group, case.op or "")
        if key not in self._witnesses:
            same_op = [c for c in self._corpus if c.result == "valid" and _uses(c, case.op)]
            group = [c for c in same_op if (c.family, c.group) == (case.family, case.group)]
            family = [c for c in same_op if c.family == case.family]
            self._witnesses[key] = group or family or same_op
        return self._witnesses[key]


def _is_refusal_credit(outcome: Outcome) -> bool:
    """A verdict earned by refusing: an invalid case's PASS, an acceptable case refused."""
    if outcome.case.result == "invalid":
        return outcome.verdict is Verdict.PASS
    return (
        outcome.case.result == "acceptable"
        and outcome.verdict is Verdict.ACCEPTABLE
        and outcome.detail.startswith("refused")
    )


def _uses(case: Case, op: str | None) -> bool:
    """``case`` sends ``op`` and needs it accepted: as its own op, as a setup step, or as a step
    of the session a ``session.drive`` case drives (the implementation's role only)."""
    if case.op == DRIVE_OP:
        other = (
            "session.new_receiver"
            if case.args.get("iut_role") == "sender"
            else "session.new_sender"
        )
        return op in DRIVE_NEEDS and op != other
    return case.op == op or any(step.op == op for step in case.setup)
