"""A harness that cannot catch a broken implementation is not done.

Each mutant is the reference with one op's answers corrupted; ``pjconf run`` must FAIL exactly
the cases of that op and exit non-zero.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pjconf.harness.corpus.load import load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.implementations.client import InProcessClient
from pjconf.harness.run.checker import Verdict
from pjconf.harness.run.runner import run
from pjconf.protocol.wire import JsonObject
from pjconf.reference.adapter.dispatch import ErrorWithFields, InProcessAdapter
from pjconf.reference.adapter.ops import reference_adapter

Mutation = Callable[[JsonObject], JsonObject]


def _flip_first_byte(field: str) -> Mutation:
    def mutate(result: JsonObject) -> JsonObject:
        value = result[field]
        return {**result, field: f"{int(value[:2], 16) ^ 1:02x}{value[2:]}"}

    return mutate


def _mutant(op: str, mutate: Mutation) -> InProcessAdapter:
    handlers = dict(reference_adapter().handlers)
    original = handlers[op]
    handlers[op] = lambda args: mutate(original(args))
    return InProcessAdapter("mutant", "0", handlers)


def _refuse_everything(result: JsonObject) -> JsonObject:
    raise ValueError("refuses")


MUTANTS = [
    ("bip77.msg_a.open", _flip_first_byte("plaintext")),
    ("bip77.msg_b.seal", _flip_first_byte("msg")),
    ("ellswift.decode", _flip_first_byte("pk")),
    ("hpke.open", _flip_first_byte("pt")),
    ("ohttp.request.seal", _flip_first_byte("request")),
    ("uri.parse", lambda r: {**r, "amount": 1 + (r["amount"] or 0)}),
    ("short_id", _flip_first_byte("id")),
    ("bhttp.request.decode", lambda r: {**r, "method": r["method"].lower() + "x"}),
    ("ohttp.keys.decode", _refuse_everything),
]


@pytest.mark.parametrize(("op", "mutate"), MUTANTS, ids=[op for op, _ in MUTANTS])
def test_each_mutant_fails_the_cases_of_its_op(op: str, mutate: Mutation) -> None:
    cases = load_corpus(vectors_dir())
    result = run(InProcessClient(_mutant(op, mutate)), cases)
    failed = {o.case.op for o in result.outcomes if o.verdict in (Verdict.FAIL, Verdict.ERROR)}
    assert failed == {op}
    assert not result.ok


# -- session mutants ------------------------------------------------------------------------------


def _other_state(result: JsonObject) -> JsonObject:
    state = result.get("state")
    return {**result, "state": "Monitor" if state != "Monitor" else "Initialized"}


def _extra_event(result: JsonObject) -> JsonObject:
    appended = result.get("appended") or []
    return {**result, "appended": [*appended, *(appended[:1] or ['"Cancelled"'])]}


def _never_closed(result: JsonObject) -> JsonObject:
    return {**result, "closed": False}


def _flip_event_byte(result: JsonObject) -> JsonObject:
    text = result["event"]
    return {**result, "event": text[:-2] + ("0" if text[-2] != "0" else "1") + text[-1]}


SESSION_MUTANTS = [
    # (op, mutation, the case ops that must FAIL, a case that must be among them)
    # A wrong replay state also breaks every driven session; session.new_sender's refusals keep
    # their witnesses (run/witness.py): the builder's accepted boundary cases.
    ("replay", _other_state, {"replay", "session.drive"}, "replay/1"),
    ("session.call", _extra_event, {"session.call", "session.drive"}, None),
    ("session.call", _never_closed, {"session.call", "session.drive"}, "Close"),
    ("session.call", _other_state, {"session.call", "session.drive"}, "Accepts"),
    (
        "session.resume",
        _other_state,
        {"session.call", "session.drive", "session.request"},
        "WalletError",
    ),
    ("event.roundtrip", _flip_event_byte, {"event.roundtrip"}, "events/1"),
]


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
    result = run(InProcessClient(_mutant(op, mutate)), cases)
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
