"""Which edges of payjoin 1.0's declared state graphs a run exercised.

The graph is the crate's table of live transitions (session-log research §2.4 for the receiver,
§3.4 for the sender): from a state, a method (or the directory exchange a step names: ``poll``,
``post_original``, ``post_proposal``, ``post_error``), an outcome class, a next state. A run
covers an edge when a case whose result was judged PASS or ACCEPTABLE went through it: a
``transitions`` case is one edge (its setup's state, its method, the expected outcome and
state); a ``sessions`` case is every step of its path. Edges a run never reaches are listed, so
a green run also says what it did not check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pjconf.harness.corpus.load import Case
from pjconf.harness.run.checker import Outcome, Verdict
from pjconf.harness.sessions.paths import METHOD_IN_STATE, RECEIVER_PATH
from pjconf.protocol.states import CLOSED, RECEIVER_WITH_FALLBACK

Edge = tuple[str, str, str, str, str]
"""``(role, from state, method, outcome, to state)``."""

PF = "PendingFallback"
HRE = "HasReplyableError"

_CHECKS = tuple(
    (state, method, following)
    for (state, method), (_, following) in zip(METHOD_IN_STATE.items(), RECEIVER_PATH, strict=True)
    if method.startswith(("check_", "identify_"))
)
"""The four checks: each can pass, fail (replyable) or hit a wallet error (transient)."""
CANCELLABLE = {
    "receiver": ("Initialized", "UncheckedOriginalPayload", *RECEIVER_WITH_FALLBACK, HRE),
    "sender": ("WithReplyKey", "PollingForProposal"),
}
"""The states that have a ``cancel`` method, per role."""


def _receiver_edges() -> list[Edge]:
    r = "receiver"
    edges: list[Edge] = [
        (r, "", "new", "progress", "Initialized"),
        (r, "Initialized", "poll", "stasis", "Initialized"),
        (r, "Initialized", "poll", "progress", "UncheckedOriginalPayload"),
        (r, "Initialized", "poll", "transient", "Initialized"),
        (r, "Initialized", "poll", "fatal", CLOSED),
        (r, "Initialized", "cancel", "terminal", CLOSED),
        (r, "UncheckedOriginalPayload", "assume_interactive_receiver", "progress",
         "MaybeInputsOwned"),
        (r, "UncheckedOriginalPayload", "cancel", "terminal", CLOSED),
        (r, "WantsOutputs", "commit_outputs", "progress", "WantsInputs"),
        (r, "WantsInputs", "contribute_inputs", "stasis", "WantsInputs"),
        (r, "WantsInputs", "commit_inputs", "progress", "WantsFeeRange"),
        (r, "WantsFeeRange", "apply_fee_range", "progress", "ProvisionalProposal"),
        (r, "WantsFeeRange", "apply_fee_range", "transient", "WantsFeeRange"),
        (r, "ProvisionalProposal", "finalize_proposal", "progress", "PayjoinProposal"),
        (r, "ProvisionalProposal", "finalize_proposal", "transient", "ProvisionalProposal"),
        (r, "PayjoinProposal", "post_proposal", "progress", "Monitor"),
        (r, "PayjoinProposal", "post_proposal", "replyable", PF),
        (r, "PayjoinProposal", "post_proposal", "transient", "PayjoinProposal"),
        (r, "Monitor", "check_for_transaction", "stasis", "Monitor"),
        (r, "Monitor", "check_for_transaction", "terminal", CLOSED),
        (r, "Monitor", "check_for_transaction", "transient", "Monitor"),
        (r, HRE, "post_error", "progress", PF),
        (r, HRE, "post_error", "terminal", CLOSED),
        (r, HRE, "post_error", "transient", HRE),
        (r, HRE, "post_error", "replyable", PF),
        (r, HRE, "post_error", "fatal", CLOSED),
        (r, HRE, "cancel", "progress", PF),
        (r, HRE, "cancel", "terminal", CLOSED),
        (r, PF, "close", "terminal", CLOSED),
    ]  # fmt: skip
    for state, method, following in _CHECKS:
        edges += [
            (r, state, method, "progress", following),
            (r, state, method, "replyable", HRE),
            (r, state, method, "transient", state),
        ]
    edges += [(r, state, "cancel", "progress", PF) for state in RECEIVER_WITH_FALLBACK]
    return edges


def _sender_edges() -> list[Edge]:
    s = "sender"
    return [
        (s, "", "new", "progress", "WithReplyKey"),
        (s, "WithReplyKey", "post_original", "progress", "PollingForProposal"),
        (s, "WithReplyKey", "post_original", "transient", "WithReplyKey"),
        (s, "WithReplyKey", "post_original", "fatal", CLOSED),
        (s, "WithReplyKey", "cancel", "progress", PF),
        (s, "PollingForProposal", "poll", "stasis", "PollingForProposal"),
        (s, "PollingForProposal", "poll", "terminal", CLOSED),
        (s, "PollingForProposal", "poll", "transient", "PollingForProposal"),
        (s, "PollingForProposal", "poll", "fatal", CLOSED),
        (s, "PollingForProposal", "cancel", "progress", PF),
        (s, PF, "close", "terminal", CLOSED),
    ]


DECLARED: frozenset[Edge] = frozenset(_receiver_edges() + _sender_edges())
"""payjoin 1.0's live transitions, both roles."""


@dataclass(frozen=True)
class Coverage:
    covered: frozenset[Edge]
    unknown: frozenset[Edge]
    """Edges a passing case went through that the declared graph does not have (a bug in the
    graph or in the corpus: reported, never silently counted)."""

    def missing(self, role: str) -> list[Edge]:
        return sorted(e for e in DECLARED - self.covered if e[0] == role)

    def counts(self, role: str) -> tuple[int, int]:
        declared = [e for e in DECLARED if e[0] == role]
        return sum(1 for e in declared if e in self.covered), len(declared)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for role in ("receiver", "sender"):
            done, total = self.counts(role)
            out[role] = {
                "covered": done,
                "declared": total,
                "missing": [list(e[1:]) for e in self.missing(role)],
            }
        out["unknown"] = [list(e) for e in sorted(self.unknown)]
        return out


def edges_of(case: Case) -> list[Edge]:
    """The edges a passing case went through (none for families without sessions)."""
    expected = case.expected or {}
    if case.op == "session.call" and case.setup and "outcome" in expected:
        resume = case.setup[0]
        role = str(resume.args.get("role"))
        start = str(resume.expect.get("state", ""))
        method = str(case.args.get("method"))
        return [(role, start, method, str(expected["outcome"]), str(expected["state"]))]
    if case.op == "session.drive" and "path" in expected:
        role = str(case.args.get("iut_role"))
        edges: list[Edge] = []
        previous = ""
        for name, outcome, state in expected["path"]:
            method = str(name).split(".", 1)[1]
            edges.append((role, previous, method, str(outcome), str(state)))
            previous = str(state)
        return edges
    return []


def coverage(outcomes: Iterable[Outcome]) -> Coverage:
    covered: set[Edge] = set()
    for outcome in outcomes:
        if outcome.verdict in (Verdict.PASS, Verdict.ACCEPTABLE):
            covered.update(edges_of(outcome.case))
    return Coverage(frozenset(covered & DECLARED), frozenset(covered - DECLARED))
