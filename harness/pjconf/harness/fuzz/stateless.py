"""The stateless engine: one op, one drawn input, two implementations, compared.

Why a seeded generator and not Hypothesis' own loop: Hypothesis spends about a millisecond of
bookkeeping per example (measured: under 1,200 examples/s for three draws, before any op runs),
which alone would cap the engine near the issue's 1,000 cases/s. The engine therefore draws each
input from its own seeded PRNG (:class:`~pjconf.harness.fuzz.draw.RandomChoices`: case ``n`` of
op ``op`` under seed ``S`` is drawn from ``"S/op/n"``, the same on every run and platform), and
shrinks a finding the way Hypothesis does, on the recorded choices rather than on the input
(:mod:`.shrink`), so the shrunk input is still built by the strategy. The same strategies are
Hypothesis strategies for property tests (:mod:`.hypothesis_strategies`).

The ops take turns in the order of :func:`~pjconf.harness.fuzz.strategies.all_targets`, among
those both implementations list in ``hello``; an op the implementation answers
``unimplemented`` leaves the rotation (reported as skipped, never as a finding). Same seed, same
implementations and a case budget: same inputs in the same order, same findings.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pjconf.harness.corpus.profiles import DEFAULT_PROFILE
from pjconf.harness.fuzz.differ import Difference, compare
from pjconf.harness.fuzz.draw import Choice, Choices, Draw, RandomChoices, ReplayChoices
from pjconf.harness.fuzz.model import Budget, Finding, Spend, Stats
from pjconf.harness.fuzz.shrink import DEFAULT_ATTEMPTS, shrink
from pjconf.harness.fuzz.strategies import BuildFailed, Target, Tools, all_targets
from pjconf.harness.implementations.client import Client, Reply
from pjconf.protocol.wire import JsonObject

PROGRESS_EVERY = 50
"""Cases between two progress callbacks."""
ORACLE_FAMILY = "fuzz_oracle_broke"
"""The family of a finding where the oracle itself crashed: reported, never saved as a vector
(the oracle gave no answer to pin)."""
SHRINK_SECONDS = 5.0
"""Wall-clock bound of one finding's shrinking under a time budget."""
GIVE_UP_AFTER = 20
"""``unimplemented`` answers in a row after which an op leaves the rotation (an implementation
may leave some arguments unimplemented, e.g. an injected ephemeral key, and answer the rest)."""


@dataclass
class Exploration:
    """What a stateless run found, counted and left out."""

    findings: list[Finding] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)
    per_op: dict[str, int] = field(default_factory=dict)
    """Cases sent per op."""
    skipped: dict[str, str] = field(default_factory=dict)
    """Ops left out, with why (not listed by hello, answered unimplemented)."""
    known_seen: set[str] = field(default_factory=set)
    """Known keys (``--expectations``) the run saw again."""


@dataclass(frozen=True)
class Tried:
    """One case: the input, both answers and how they differ (None when they agree)."""

    args: JsonObject
    oracle: Reply
    iut: Reply
    difference: Difference | None


class Engine:
    """Draws, sends, compares and shrinks, for one pair of implementations."""

    def __init__(
        self,
        iut: Client,
        oracle: Client,
        *,
        profile: str = DEFAULT_PROFILE,
        tools: Tools | None = None,
    ) -> None:
        self.iut = iut
        self.oracle = oracle
        self.profile = profile
        self.tools = tools or Tools()

    def attempt(self, target: Target, choices: Choices) -> Tried | None:
        """One case drawn from ``choices``; None when the strategy could not build it."""
        try:
            args = target.strategy(Draw(choices), self.tools)
        except BuildFailed:
            return None
        oracle = self.oracle.call(target.op, args)
        iut = self.iut.call(target.op, args)
        found = compare(
            target.op,
            target.aspect(args),
            args,
            oracle,
            iut,
            profile=self.profile,
            ask=self.oracle.call,
        )
        return Tried(args, oracle, iut, found)

    def shrunk(
        self,
        target: Target,
        choices: list[Choice],
        key: str,
        attempts: int,
        stop: Callable[[], bool] = lambda: False,
    ) -> tuple[Tried, int]:
        """The smallest case found that still shows ``key``, and the replays it took."""
        spent = 0

        def still_fails(candidate: list[Choice]) -> list[Choice] | None:
            nonlocal spent
            spent += 1
            replay = ReplayChoices(candidate)
            tried = self.attempt(target, replay)
            if tried is None or tried.difference is None or tried.difference.key != key:
                return None
            return replay.recorded

        smallest = shrink(choices, still_fails, attempts, stop)
        final = self.attempt(target, ReplayChoices(smallest))
        if final is None or final.difference is None or final.difference.key != key:
            raise AssertionError(f"{target.op}: the shrunk case no longer shows {key}")
        return final, spent


def explore(
    iut: Client,
    oracle: Client,
    *,
    budget: Budget,
    seed: str,
    profile: str = DEFAULT_PROFILE,
    known: frozenset[str] = frozenset(),
    ops: Iterable[str] | None = None,
    targets: list[Target] | None = None,
    max_findings: int | None = None,
    shrink_attempts: int = DEFAULT_ATTEMPTS,
    on_progress: Callable[[Stats], None] | None = None,
    on_finding: Callable[[Finding], None] | None = None,
    tools: Tools | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Exploration:
    """Fuzz every target op ``ops`` allows (None: all) until ``budget`` is spent or
    ``max_findings`` new findings are in; findings are shrunk before they are reported."""
    engine = Engine(iut, oracle, profile=profile, tools=tools)
    result = Exploration()
    allowed = None if ops is None else set(ops)
    active: list[Target] = []
    for target in targets if targets is not None else all_targets():
        if allowed is not None and target.op not in allowed:
            result.skipped[target.op] = "not listed in the implementations' hello"
        else:
            active.append(target)
    spend = Spend(budget, started=clock())
    reported: set[str] = set()
    unanswered: dict[str, int] = {}
    turn = 0
    while active and not spend.exhausted(clock()):
        target = active[turn % len(active)]
        turn += 1
        number = result.per_op.get(target.op, 0)
        result.per_op[target.op] = number + 1
        spend.cases += 1
        result.stats.cases += 1
        choices = RandomChoices(f"{seed}/{target.op}/{number}")
        tried = engine.attempt(target, choices)
        if tried is not None and tried.iut.kind == "unimplemented":
            unanswered[target.op] = unanswered.get(target.op, 0) + 1
            if unanswered[target.op] >= GIVE_UP_AFTER:
                result.skipped[target.op] = (
                    f"the implementation answered unimplemented {GIVE_UP_AFTER} times in a row"
                )
                active.remove(target)
        elif tried is not None and tried.difference is not None:
            key = tried.difference.key
            if key in known:
                result.stats.known += 1
                result.known_seen.add(key)
            elif key not in reported:
                reported.add(key)
                finding = _finding(
                    engine,
                    target=target,
                    choices=choices.recorded,
                    key=key,
                    attempts=shrink_attempts,
                    seed=seed,
                    number=number,
                    stop=_shrink_guard(budget, clock),
                )
                result.findings.append(finding)
                result.stats.findings += 1
                if on_finding is not None:
                    on_finding(finding)
                if max_findings is not None and len(result.findings) >= max_findings:
                    break
        if tried is not None and tried.iut.kind != "unimplemented":
            unanswered[target.op] = 0
        if on_progress is not None and result.stats.cases % PROGRESS_EVERY == 0:
            result.stats.elapsed = clock() - spend.started
            on_progress(result.stats)
    result.stats.elapsed = clock() - spend.started
    return result


def _shrink_guard(budget: Budget, clock: Callable[[], float]) -> Callable[[], bool]:
    """Under a time budget, a finding's shrinking stops after :data:`SHRINK_SECONDS` (an
    implementation that crashes is restarted on every replay, which can take a while); a run
    with a case budget shrinks by attempts alone, so it stays the same on every machine."""
    if budget.seconds is None:
        return lambda: False
    until = clock() + SHRINK_SECONDS
    return lambda: clock() >= until


def _finding(
    engine: Engine,
    *,
    target: Target,
    choices: list[Choice],
    key: str,
    attempts: int,
    seed: str,
    number: int,
    stop: Callable[[], bool],
) -> Finding:
    tried, _ = engine.shrunk(target, choices, key, attempts, stop)
    difference = tried.difference
    assert difference is not None
    comment = (
        f"{difference.summary} (pjconf fuzz --seed {seed}: case {number} of {target.op}, shrunk)"
    )
    return Finding(
        engine="stateless",
        target=target.op,
        key=key,
        summary=difference.summary,
        family=ORACLE_FAMILY if difference.oracle_broke else f"fuzz_{target.group}",
        group={"type": target.op},
        case={"comment": comment, "flags": ["FuzzStateless"], **difference.case},
        detail=difference.detail,
    )
