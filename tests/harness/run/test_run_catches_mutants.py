"""A harness that cannot catch a broken implementation is not done.

Each mutant is the reference with one op's answers corrupted; ``pjconf run`` must FAIL exactly
the cases of that op and exit non-zero.
"""

from __future__ import annotations

import pytest
from harness.run.mutants import (
    SESSION_MUTANTS,
    Mutation,
    flip_first_byte,
    mutant,
    refuse_everything,
)

from pjconf.harness.corpus.load import load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.implementations.client import InProcessClient
from pjconf.harness.run.checker import Verdict
from pjconf.harness.run.runner import run
from pjconf.protocol.wire import JsonObject
from pjconf.reference.adapter.dispatch import ErrorWithFields, InProcessAdapter
from pjconf.reference.adapter.ops import reference_adapter

MUTANTS = [
    ("bip77.msg_a.open", flip_first_byte("plaintext")),
    ("bip77.msg_b.seal", flip_first_byte("msg")),
    ("ellswift.decode", flip_first_byte("pk")),
    ("hpke.open", flip_first_byte("pt")),
    ("ohttp.request.seal", flip_first_byte("request")),
    ("uri.parse", lambda r: {**r, "amount": 1 + (r["amount"] or 0)}),
    ("short_id", flip_first_byte("id")),
    ("bhttp.request.decode", lambda r: {**r, "method": r["method"].lower() + "x"}),
    ("ohttp.keys.decode", refuse_everything),
]


@pytest.mark.parametrize(("op", "mutate"), MUTANTS, ids=[op for op, _ in MUTANTS])
def test_each_mutant_fails_the_cases_of_its_op(op: str, mutate: Mutation) -> None:
    cases = load_corpus(vectors_dir())
    result = run(InProcessClient(mutant(op, mutate)), cases)
    failed = {o.case.op for o in result.outcomes if o.verdict in (Verdict.FAIL, Verdict.ERROR)}
    assert failed == {op}
    assert not result.ok


@pytest.mark.parametrize(
    ("op", "mutate", "failing_ops", "named"),
    SESSION_MUTANTS,
    ids=[f"{op}-{m.__name__}" for op, m, _, _ in SESSION_MUTANTS],
)
def test_each_session_mutant_fails_its_cases(
    op: str, mutate: Mutation, failing_ops: set[str], named: str | None
) -> None:
    """A wrong state name, an extra appended event, a missing close, a corrupted event text:
    each is caught, in the families that exercise the op and nowhere else."""
    cases = load_corpus(vectors_dir())
    result = run(InProcessClient(mutant(op, mutate)), cases)
    failed = [o for o in result.outcomes if o.verdict in (Verdict.FAIL, Verdict.ERROR)]
    assert {o.case.op for o in failed} == failing_ops
    if named is not None:
        hits = [o for o in failed if o.case.name == named or named in o.case.flags]
        assert hits, f"no failing case is {named}"
    assert not result.ok


def test_a_replay_that_does_not_close_on_a_fold_error_is_caught() -> None:
    """payjoin closes the persister when a log does not fold; an implementation that leaves it
    open fails the replay and hostile cases that pin it (``error.closed``)."""
    handlers = dict(reference_adapter().handlers)
    original = handlers["replay"]

    def leaves_open(args: JsonObject) -> JsonObject:
        try:
            return original(args)
        except ErrorWithFields as e:
            raise ErrorWithFields(e.error_kind, e.message, {**e.fields, "closed": False}) from None

    handlers["replay"] = leaves_open
    result = run(
        InProcessClient(InProcessAdapter("mutant", "0", handlers)), load_corpus(vectors_dir())
    )
    failed = {o.case.name for o in result.outcomes if o.verdict is Verdict.FAIL}
    assert failed
    assert {name.split("/")[0] for name in failed} == {"replay", "hostile"}
    assert all("error closed" in o.detail for o in result.outcomes if o.verdict is Verdict.FAIL)
