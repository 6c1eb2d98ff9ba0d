"""The stateful engine of ``pjconf fuzz``: random session paths, invariants after every step.

Each random session picks the role the implementation under test plays (the oracle, by default
the reference, plays the other and is the peer), then walks the declared state graphs of both
roles one action at a time (:mod:`.session_steps`): starting each session, requests with and
without directory faults (202, 404, 500, 503, a short body, a body that fails authentication),
every receiver method with accepting, refusing and failing wallet answers, a contribution,
cancel and close; with ``crash``, the implementation is also killed at random persistence
points and resumed from the log it reported. After every step of the implementation the
driver checks the effect class against the log diff, and :mod:`.session_checks` that its
replay equals its live state, that its log round-trips through ``session.resume``, and that
the oracle, resumed from the same log, answers a ``session.call`` alike.

A broken step or invariant is a finding: the session's actions are shrunk
(:mod:`.session_shrink`) and saved as a ``sessions`` case whose path is ``fuzz/<actions>``, so
``pjconf run --vectors DIR`` drives the same actions again with every check, and compares the
path, log and contents with what the reference does along them.

Why a seeded generator and not Hypothesis' ``RuleBasedStateMachine``: the budget is wall time
or a number of steps, with progress after each session, which Hypothesis' example counts and
deadlines do not express; a run keeps exploring after a finding (and past known ones) to
report several distinct findings, where Hypothesis stops at the first failure; and the same
seed string gives the same sessions without Hypothesis' example database. Its cost per step is
small either way: what bounds throughput is the ops per step (see ``docs/fuzz.md``, "The
stateful engine").
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from pjconf.harness.fuzz.model import Budget, Finding, Spend, Stats
from pjconf.harness.fuzz.session_shrink import shrink
from pjconf.harness.fuzz.session_steps import (
    Action,
    Walk,
    choices,
    encode_path,
    perform,
    run_actions,
)
from pjconf.harness.implementations.client import Client
from pjconf.harness.implementations.reference import sender_payment
from pjconf.harness.sessions.drive import driver_for
from pjconf.harness.sessions.driver import ROLES, Role, SessionFailure
from pjconf.harness.vectorgen.basis import case_basis
from pjconf.harness.vectorgen.sessions import reference_case
from pjconf.protocol.states import CLOSED
from pjconf.protocol.wire import JsonObject

MAX_STEPS: Final = 40
"""Steps of one random session at most (a whole success takes about 20)."""

CRASH_CHANCE: Final = 0.3
"""With ``crash``: how often a persistence point of the implementation is a crash."""

FAMILY: Final = "fuzz_sessions"
GROUP: Final[JsonObject] = {"type": "Session"}


def failure_key(role: Role, failure: SessionFailure) -> str:
    """Same role, same step, same kind of failure: the same finding."""
    return f"stateful/{role}/{failure.step}/{type(failure).__name__}"


@dataclass
class _Explorer:
    iut: Client
    oracle: Client
    seed: str
    crash: bool
    restart: Callable[[], Client] | None

    def walk(self, role: Role, session_seed: str) -> Walk:
        pay = sender_payment(f"{session_seed}/payment", "p2wpkh")
        driver = driver_for(self.iut, role, session_seed, pay, peer=self.oracle)
        return Walk(driver, role, self.oracle, self.restart)

    def finish(self, walk: Walk) -> None:
        """Forget both sessions; keep the implementation's client (a crash may have replaced
        it) for the next session."""
        driver = walk.driver
        for role in ROLES:
            handle = driver.handles.get(role)
            if handle is not None:
                driver.client(role).call("session.drop", {"handle": handle})
        self.iut = driver.client(walk.iut)

    def explore_one(self, rng: random.Random, walk: Walk, spend: Spend, stats: Stats) -> None:
        """Walk one random session until both roles closed, nothing applies, :data:`MAX_STEPS`
        or the budget; a broken step or invariant raises."""
        for _ in range(MAX_STEPS):
            if walk.over() or spend.exhausted():
                return
            options = choices(walk)
            if not options:
                return
            actions, weights = zip(*options, strict=True)
            action = rng.choices(actions, weights)[0]
            step = perform(walk, action)
            spend.cases += 1
            stats.steps += 1
            if (
                self.crash
                and action.role == walk.iut
                and step is not None
                and step.result.get("appended")
                and walk.states.get(walk.iut) != CLOSED
                and rng.random() < CRASH_CHANCE
            ):
                perform(walk, Action(walk.iut, "crash"))

    def attempt(
        self, role: Role, session_seed: str, key: str
    ) -> Callable[[list[Action]], list[Action] | None]:
        def run(candidate: list[Action]) -> list[Action] | None:
            walk = self.walk(role, session_seed)
            try:
                run_actions(walk, candidate)
            except SessionFailure as e:
                return list(walk.done) if failure_key(role, e) == key else None
            finally:
                self.finish(walk)
            return None

        return run

    def finding(
        self, role: Role, session_seed: str, failure: SessionFailure, actions: list[Action]
    ) -> Finding:
        key = failure_key(role, failure)
        shrunk = shrink(actions, self.attempt(role, session_seed, key))
        args: JsonObject = {"iut_role": role, "path": encode_path(shrunk), "seed": session_seed}
        what = f"{failure.step}: {type(failure).__name__}: {str(failure).split(': ', 1)[-1]}"
        comment = (
            f"pjconf fuzz, a random session of {len(shrunk)} actions, the implementation as "
            f"the {role}; found failing at {what}"
        )
        case = reference_case(comment, [], args)
        summary = f"session/{role} after {len(shrunk)} actions: {what}"
        if case is None:
            summary += " (the reference fails these actions too)"
            case = {
                "comment": comment,
                "flags": ["PaymentContents"],
                "result": "invalid",
                "op": "session.drive",
                "args": args,
                "error": {"kind": "SessionFailure"},
                "varies": [],
            }
        case["basis"] = case_basis("sessions", str(GROUP["type"]), case["flags"])
        detail = "\n".join(
            [
                "actions: " + ", ".join(a.name for a in shrunk),
                f"failed: {failure}",
                *([f"answer: {failure.detail}"] if failure.detail else []),
            ]
        )
        return Finding(
            engine="stateful",
            target=f"session/{role}",
            key=key,
            summary=summary,
            family=FAMILY,
            group=dict(GROUP),
            case=case,
            detail=detail,
        )


def explore_sessions(
    iut: Client,
    oracle: Client,
    *,
    budget: Budget,
    seed: str,
    crash: bool,
    restart: Callable[[], Client] | None,
    known: frozenset[str],
    on_progress: Callable[[Stats], None] | None,
) -> tuple[list[Finding], Stats]:
    """Random sessions of ``iut`` against ``oracle`` until ``budget`` (``cases``: steps) is
    spent; the findings (shrunk, one per key, none whose key is in ``known``) and the counters
    (``cases``: sessions, ``steps``: steps). Deterministic for a given seed and implementation
    when the budget is a step count."""
    explorer = _Explorer(iut, oracle, seed, crash, restart)
    spend, stats = Spend(budget), Stats()
    started = time.monotonic()
    findings: list[Finding] = []
    seen: set[str] = set()
    index = 0
    while not spend.exhausted():
        session_seed = f"{seed}/session/{index}"
        rng = random.Random(session_seed)
        role: Role = rng.choice(ROLES)
        walk = explorer.walk(role, session_seed)
        failure: SessionFailure | None = None
        try:
            explorer.explore_one(rng, walk, spend, stats)
        except SessionFailure as e:
            failure = e
        finally:
            explorer.finish(walk)
        stats.cases += 1
        index += 1
        if failure is not None:
            key = failure_key(role, failure)
            if key in known:
                stats.known += 1
            elif key not in seen:
                seen.add(key)
                findings.append(explorer.finding(role, session_seed, failure, list(walk.done)))
                stats.findings += 1
        stats.elapsed = time.monotonic() - started
        if on_progress is not None:
            on_progress(stats)
    stats.elapsed = time.monotonic() - started
    return findings, stats
