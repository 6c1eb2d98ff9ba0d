"""Mutation proof for ``pjconf fuzz``: every mutant of ``test_run_catches_mutants`` (the stateless
ops, and the ``replay`` and ``event.roundtrip`` session mutants; the stateful engine covers the
``session.*`` ones) is caught by the stateless engine within the default budget, on its own op."""

from __future__ import annotations

import pytest
from harness.run.mutants import SESSION_MUTANTS, Mutation, mutant
from harness.run.test_run_catches_mutants import MUTANTS

from pjconf.harness.cli.fuzz import DEFAULT_BUDGET
from pjconf.harness.fuzz.model import Budget
from pjconf.harness.fuzz.stateless import explore
from pjconf.harness.implementations.client import InProcessClient
from pjconf.harness.implementations.reference import reference_client

STATELESS_SESSION_OPS = ("replay", "event.roundtrip")
CAUGHT = [
    *MUTANTS,
    *((op, mutate) for op, mutate, _, _ in SESSION_MUTANTS if op in STATELESS_SESSION_OPS),
]


def test_the_proof_covers_every_stateless_mutant() -> None:
    assert {op for op, _ in CAUGHT} == {op for op, _ in MUTANTS} | set(STATELESS_SESSION_OPS)


@pytest.mark.parametrize(("op", "mutate"), CAUGHT, ids=[op for op, _ in CAUGHT])
def test_each_mutant_is_caught_within_the_default_budget(op: str, mutate: Mutation) -> None:
    result = explore(
        InProcessClient(mutant(op, mutate)),
        reference_client(seed="oracle"),
        budget=Budget.parse(DEFAULT_BUDGET).split(0.5),  # the stateless share of a default run
        seed="pjconf",
        max_findings=1,
    )
    (finding,) = result.findings
    assert finding.target == op
    assert finding.key.startswith(op)
    assert result.stats.cases < 2_000  # found early: far inside the budget
