"""Running the corpus against one implementation and collecting outcomes."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import partial
from typing import Protocol, runtime_checkable

from pjconf.harness.corpus.load import Case
from pjconf.harness.excerpt import bounded, excerpt
from pjconf.harness.implementations.client import Client
from pjconf.harness.run.breaker import Breaker
from pjconf.harness.run.capabilities import missing_capability
from pjconf.harness.run.checker import Outcome, Verdict
from pjconf.harness.run.expectations import Expectations
from pjconf.harness.run.parallel import RESPAWN_COST, RESTART_COST, OrderedPool
from pjconf.harness.run.scenario import execute
from pjconf.harness.run.variants import Variants, finish
from pjconf.harness.run.witness import WitnessRule
from pjconf.harness.sessions.drive import DRIVE_NEEDS, DRIVE_OP
from pjconf.protocol.wire import JsonObject

Progress = Callable[[int, int, Outcome], None]
"""Called after each case with (cases done, cases to do, outcome)."""
FamilyStart = Callable[[str, int], None]
"""Called before a family's first case with (family, how many of its cases are to be sent)."""

_BROKEN = (Verdict.FAIL, Verdict.ERROR)
_VERIFIED = (Verdict.PASS, Verdict.ACCEPTABLE, Verdict.UNEXPECTED_PASS)
NOTHING_RAN = "no case ran - a run that checks nothing is not a pass"
NOTHING_PASSED = "no case passed - a run that verifies nothing is not a pass"
DISABLED = "disabled: "
"""How the detail of a disabled case's SKIP starts (the reason follows)."""


class FamilyState(StrEnum):
    OK = "ok"
    FAILED = "FAILED"
    NOT_RUN = "NOT RUN"
    """The implementation's hello lists none of the family's ops: no case was sent."""
    NOTHING_RAN = "NOTHING RAN"
    """Selected, but every case was skipped or disabled, or none was selected: vacuous green."""
    INTERRUPTED = "INTERRUPTED"
    """The run was stopped (a signal, the deadline) before all of the family's cases ran."""


@dataclass
class RunResult:
    outcomes: list[Outcome] = field(default_factory=list)
    not_runnable: int = 0
    """Reference-only cases: the protocol has no op that can express them."""
    families: list[str] = field(default_factory=list)
    """The families in scope, each of which must run something."""
    not_run: dict[str, str] = field(default_factory=dict)
    """Family -> why none of its cases was sent."""
    excluded: dict[str, str] = field(default_factory=dict)
    """Family -> why it was explicitly left out (does not count against the exit status)."""
    setup_problems: list[str] = field(default_factory=list)
    """Stale expectations, exclusions naming no family: configuration that applies to nothing."""
    strict_expectations: bool = False
    """An UNEXPECTED_PASS fails the run (otherwise it is a warning)."""
    corpus_runnable: int = 0
    """Runnable cases in the whole corpus: the denominator of :attr:`verified_share`."""
    min_verified: float | None = None
    """``--min-verified``: the share (0-100) of the corpus a green run must verify."""
    variants: Variants | None = None
    """The fresh variants this run sent, with their seed (None: variants were off)."""
    rerun: tuple[str, ...] = ()
    """The ``pjconf run`` options that set this run up (``--impl``, ``--vectors``,
    ``--expectations``...): every reproduce line repeats them."""
    planned: dict[str, int] = field(default_factory=dict)
    """Family -> how many of its cases were to be judged (to tell how many an interrupted run
    did not reach)."""
    unresponsive: dict[str, str] = field(default_factory=dict)
    """Family -> why the circuit breaker did not send the rest of it."""
    given_up: str = ""
    """Why the circuit breaker did not send the rest of the run (empty if it did)."""
    interrupted: str = ""
    """Why the run stopped early (``SIGTERM``, ``deadline of 60s``...); empty if it finished.
    The reports of an interrupted run are partial."""

    def count(self, verdict: Verdict, family: str | None = None) -> int:
        return sum(
            1
            for o in self.outcomes
            if o.verdict is verdict and (family is None or o.case.family == family)
        )

    def counts(self, family: str | None = None) -> dict[Verdict, int]:
        return {v: self.count(v, family) for v in Verdict}

    def not_reached(self, family: str | None = None) -> int:
        """Cases an interrupted run did not reach (of ``family``, or of the whole run)."""
        families = self.planned if family is None else [family]
        ran = Counter(o.case.family for o in self.outcomes)
        return sum(max(self.planned.get(f, 0) - ran[f], 0) for f in families)

    def family_state(self, family: str) -> tuple[FamilyState, str]:
        """The family's state and, when it is not OK, why."""
        if family in self.not_run:
            return FamilyState.NOT_RUN, self.not_run[family]
        failing = [v for v in self.failing_verdicts() if self.count(v, family)]
        text = ", ".join(f"{self.count(v, family)} {v.value}" for v in failing)
        if family in self.unresponsive:
            text = f"{text}; {self.unresponsive[family]}"
        missing = self.not_reached(family) if self.interrupted else 0
        if missing:
            why = f"{missing} of {self.planned[family]} cases not run ({self.interrupted})"
            return FamilyState.INTERRUPTED, f"{why}; {text}" if text else why
        mine = [o for o in self.outcomes if o.case.family == family]
        if all(o.verdict is Verdict.SKIP for o in mine):
            return FamilyState.NOTHING_RAN, _nothing_ran_reason(mine)
        if failing:
            return FamilyState.FAILED, text
        return FamilyState.OK, ""

    def failing_verdicts(self) -> tuple[Verdict, ...]:
        """The verdicts that make the run red (UNEXPECTED_PASS only under strict expectations)."""
        strict = (Verdict.UNEXPECTED_PASS,) if self.strict_expectations else ()
        return (*_BROKEN, *strict)

    @property
    def verified(self) -> int:
        """Cases whose answer was checked and found right (PASS, ACCEPTABLE, UNEXPECTED_PASS)."""
        return sum(1 for o in self.outcomes if o.verdict in _VERIFIED)

    @property
    def verified_share(self) -> float:
        """Verified cases as a percentage of the corpus's runnable cases."""
        whole = self.corpus_runnable or len(self.outcomes)
        return 100.0 * self.verified / whole if whole else 0.0

    def run_problems(self) -> list[str]:
        """What fails the run beyond its families: stale configuration, nothing verified, too
        little of the corpus verified, an adapter given up on, a run stopped early."""
        found = list(self.setup_problems)
        if self.interrupted:
            total = sum(self.planned.values())
            found.append(
                f"interrupted ({self.interrupted}): {self.not_reached()} of {total} cases not "
                "run, this report is partial"
            )
        if self.given_up:
            found.append(self.given_up)
        if not self.verified:
            judged = any(o.verdict is not Verdict.SKIP for o in self.outcomes)
            found.append(NOTHING_PASSED if judged else NOTHING_RAN)
        elif self.min_verified is not None and self.verified_share < self.min_verified:
            found.append(
                f"verified {self.verified_share:.1f}% of the corpus, below --min-verified "
                f"{self.min_verified:g}%"
            )
        return found

    @property
    def ok(self) -> bool:
        """Green only when every family in scope ran and nothing failed outside expectations."""
        return (
            not self.run_problems()
            and not any(self.count(v) for v in self.failing_verdicts())
            and all(self.family_state(f)[0] is FamilyState.OK for f in self.families)
        )


def _nothing_ran_reason(skipped: list[Outcome]) -> str:
    if not skipped:
        return "no case selected"
    disabled = sum(1 for o in skipped if o.detail.startswith(DISABLED))
    parts = [f"{disabled} disabled"] if disabled else []
    if len(skipped) > disabled:
        parts.append(f"{len(skipped) - disabled} unimplemented")
    noun = "case" if len(skipped) == 1 else "cases"
    return f"all {len(skipped)} {noun} skipped ({', '.join(parts)})"


def select(
    cases: Iterable[Case],
    *,
    keyword: str | None = None,
    families: set[str] | None = None,
    shard: tuple[int, int] | None = None,
    exclude: Collection[str] = (),
    names: Collection[str] | None = None,
) -> list[Case]:
    """Filter by exact case names (``family/tcId``), by ``-k`` substring, by family, and take
    shard ``i`` of ``n`` (1-based)."""
    chosen = [
        c
        for c in cases
        if (families is None or c.family in families)
        and c.family not in exclude
        and (names is None or c.name in names)
        and (keyword is None or keyword.lower() in _haystack(c))
    ]
    if shard is not None:
        index, total = shard
        chosen = chosen[index - 1 :: total]
    return chosen


def _haystack(case: Case) -> str:
    return " ".join([case.name, case.op or "", case.comment, *case.flags]).lower()


def families_in_scope(
    named: Iterable[str] | None, unsharded: Iterable[Case], chosen: Iterable[Case]
) -> list[str]:
    """The families that must run something.

    Without ``--family``: every family with a runnable case in the selection. With it: every
    named family, except one whose cases all went to other shards (those shards run it). A named
    family that ``-k`` filtered to nothing stays in scope, so that it shows up as NOTHING RAN.
    """
    here = {c.family for c in chosen if c.op is not None}
    if named is None:
        return sorted(here)
    somewhere = {c.family for c in unsharded if c.op is not None}
    return sorted({f for f in named if f in here or f not in somewhere})


def run(
    client: Client,
    cases: Iterable[Case],
    *,
    progress: Progress | None = None,
    expectations: Expectations | None = None,
    families: Iterable[str] | None = None,
    supported_ops: Collection[str] | None = None,
    variants: Variants | None = None,
    corpus: Sequence[Case] | None = None,
    breaker: Breaker | None = None,
    stop: Callable[[], bool] | None = None,
    on_family: FamilyStart | None = None,
    result: RunResult | None = None,
    clock: bool = True,
    helpers: Sequence[Client] = (),
) -> RunResult:
    """Run ``cases`` and judge them.

    ``families`` is the scope (default: the families of the runnable cases). ``supported_ops``
    is what the implementation's hello listed: a family none of whose ops is listed is NOT RUN
    and its cases are not sent. Disabled cases are not sent either; known failures are
    reclassified after judging. A case with a fresh variant in ``variants`` passes only when
    the variant does too; an invalid case's PASS must be earned by a valid case of its op from
    ``corpus`` (default: ``cases``; see :mod:`~pjconf.harness.run.witness`). ``breaker``
    (default: :class:`Breaker` with its default limit) stops sending to an adapter that keeps
    failing. ``stop`` is asked before and after each case: once it says so, the run ends and the
    case it cut short is not judged. ``result`` is filled as the run goes (another thread may
    read a stopped run's partial result). ``clock`` is whether the implementation honours an
    injected ``now`` (its hello's ``clock``): without it, cases that need one are SKIPped.
    ``helpers`` are more adapters of the same implementation: with any, the cases are sent to
    all of them at once (:mod:`~pjconf.harness.run.parallel`) and judged as a serial run would.
    """
    expect = expectations or Expectations()
    breaker = breaker or Breaker()
    result = result if result is not None else RunResult()
    result.variants = variants
    runnable: list[Case] = []
    for case in cases:
        if case.op is None:
            result.not_runnable += 1
        else:
            runnable.append(case)
    result.families = (
        sorted(families) if families is not None else sorted({c.family for c in runnable})
    )
    if supported_ops is not None:
        result.not_run = _unsupported(runnable, set(supported_ops))
    todo = [c for c in runnable if c.family not in result.not_run]

    judge = _judge_for(client, variants)

    witnesses = WitnessRule(
        [c for c in (corpus if corpus is not None else runnable) if c.family not in result.not_run],
        judge,
    )
    result.planned = dict(Counter(c.family for c in todo))
    commit = _Commit(
        result, todo, expect, breaker, witnesses, clock, progress=progress, on_family=on_family
    )
    if not helpers:
        for case in todo:
            if stop is not None and stop():
                break
            commit.begin(case)
            if commit.sends(case):
                began = time.monotonic()
                judged = judge(case)
                if stop is not None and stop():
                    break
                commit.answered(case, judged, began)
            else:
                commit.not_sent(case)
        return result
    judges = [judge] + [_judge_for(other, variants) for other in helpers]
    respawning = all(getattr(c, "respawn", False) is True for c in (client, *helpers))
    pool = OrderedPool(
        todo,
        judges,
        skip=lambda case: not commit.sends(case),
        careful=lambda: breaker.failures > 0,
        stop=stop or (lambda: False),
        crash_cost=RESPAWN_COST if respawning else RESTART_COST,
    )
    witnesses.judge = pool.judge_on_first
    if todo:
        commit.begin(todo[0])  # the family the run waits on is announced, as in a serial run
    for index, answered in pool.results():
        case = todo[index]
        with pool.lock:
            if answered is None or not commit.sends(case):
                commit.not_sent(case)
            else:
                commit.answered(case, answered.outcome, time.monotonic() - answered.seconds)
            if index + 1 < len(todo):
                commit.begin(todo[index + 1])
    return result


@dataclass
class _Commit:
    """The serial bookkeeping of a run: whether a case is sent, and what its verdict is once
    judged, in corpus order (whoever answered it)."""

    result: RunResult
    todo: list[Case]
    expect: Expectations
    breaker: Breaker
    witnesses: WitnessRule
    clock: bool
    progress: Progress | None
    on_family: FamilyStart | None
    family: str = ""

    def sends(self, case: Case) -> bool:
        """Whether a serial run would send ``case`` now (never again, once it says no)."""
        return (
            self.expect.disabled_reason(case) is None
            and missing_capability(case, self.clock) is None
            and not self.breaker.refuses(case.family)
        )

    def not_sent(self, case: Case) -> None:
        """``case`` was not sent: disabled, beyond a capability, or refused by the breaker."""
        self.begin(case)
        reason = self.expect.disabled_reason(case)
        lacking = missing_capability(case, self.clock)
        if reason is not None:
            outcome = Outcome(case, Verdict.SKIP, DISABLED + reason, reason=reason)
        elif lacking is not None:
            outcome = Outcome(case, Verdict.SKIP, lacking)
        else:
            outcome = self.expect.apply(
                Outcome(case, Verdict.ERROR, self.breaker.refuses(case.family))
            )
        self._append(outcome)

    def answered(self, case: Case, judged: Outcome, began: float) -> None:
        """``case`` was sent and ``judged``: the breaker, the witness rule, the expectations."""
        self.begin(case)
        self.breaker.record(case.family, judged.verdict is Verdict.ERROR)
        self.witnesses.record(judged)
        checked = self.witnesses.check(judged)
        checked = replace(checked, got=_handle_hidden(checked.got))
        outcome = self.expect.apply(bounded_outcome(checked))
        self._append(replace(outcome, seconds=time.monotonic() - began))

    def begin(self, case: Case) -> None:
        """Announce ``case``'s family if it is the first of its family."""
        if case.family != self.family:
            self.family = case.family
            if self.on_family is not None:
                self.on_family(case.family, self.result.planned[case.family])

    def _append(self, outcome: Outcome) -> None:
        self.result.outcomes.append(outcome)
        self.result.unresponsive = dict(self.breaker.cut)
        self.result.given_up = self.breaker.given_up
        if self.progress is not None:
            self.progress(len(self.result.outcomes), len(self.todo), outcome)


@runtime_checkable
class JudgesCases(Protocol):
    """An adapter that judges whole cases where it lives (a ``-j`` worker process), rather
    than answering one request at a time to a judge in this process."""

    def judge_case(self, case: Case, twin: Case | None, unfinished: bool, seed: str) -> Outcome:
        """:func:`judge_with_twin` there; ``unfinished``: ``twin`` is a variants draft."""
        ...


def _judge_for(client: Client, variants: Variants | None) -> Callable[[Case], Outcome]:
    """How ``client`` judges a case: where it lives if it can, else here."""
    if isinstance(client, JudgesCases):
        remote = client

        def judge_there(case: Case) -> Outcome:
            twin, unfinished = variants.draft(case) if variants is not None else (None, False)
            return remote.judge_case(case, twin, unfinished, variants.seed if variants else "")

        return judge_there
    return partial(_with_variant, client, variants=variants)


def _with_variant(client: Client, case: Case, variants: Variants | None) -> Outcome:
    twin, unfinished = variants.draft(case) if variants is not None else (None, False)
    seed = variants.seed if variants is not None else ""
    return judge_with_twin(client, case, twin, seed, unfinished=unfinished)


def judge_with_twin(
    client: Client, case: Case, twin: Case | None, seed: str, *, unfinished: bool = False
) -> Outcome:
    """The committed case, then (when it passed) its fresh variant ``twin`` (from run seed
    ``seed``; a draft to finish first when ``unfinished``), which must pass too."""
    outcome = execute(client, case)
    if twin is None or outcome.verdict not in _VERIFIED:
        return outcome
    fresh = execute(client, finish(twin) if unfinished else twin)
    if fresh.verdict in _VERIFIED:
        return outcome
    verdict = Verdict.ERROR if fresh.verdict is Verdict.ERROR else Verdict.FAIL
    detail = (
        f"passes as committed, but not in its fresh variant (run seed {seed}): "
        f"{fresh.verdict.value} {fresh.detail}"
    )
    return Outcome(case, verdict, detail, fresh.got)


def bounded_outcome(outcome: Outcome) -> Outcome:
    """``outcome`` keeping only an excerpt of what the implementation sent (its answer, and a
    detail that may quote it), so a run's memory and reports stay small whatever it sent."""
    got = None if outcome.got is None else bounded(outcome.got)
    return replace(outcome, detail=excerpt(outcome.detail), got=got)


ISSUED_HANDLE = "<issued by the adapter>"
"""What a report shows for the ``handle`` an answer issued."""


def _handle_hidden(got: JsonObject | None) -> JsonObject | None:
    """``got`` with the session handle it issued (``session.new_*``, ``session.resume``)
    replaced: the adapter names handles from what else its process served (a counter, say), so
    the name would make the report depend on which adapter of a ``-j`` run answered."""
    if got is None or not isinstance(got.get("handle"), str | int):
        return got
    return {**got, "handle": ISSUED_HANDLE}


def _unsupported(runnable: list[Case], supported: set[str]) -> dict[str, str]:
    ops: dict[str, set[str]] = {}
    for case in runnable:
        assert case.op is not None
        ops.setdefault(case.family, set()).add(case.op)
    if DRIVE_OP in supported or set(DRIVE_NEEDS) <= supported:
        supported = supported | {DRIVE_OP}  # the harness runs it through the session ops
    return {
        family: "the implementation's hello lists none of its ops ("
        + ", ".join(sorted(wanted))
        + ")"
        for family, wanted in sorted(ops.items())
        if not wanted & supported
    }
