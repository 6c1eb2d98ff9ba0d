"""The session driver, in-process: the reference's sender against the reference's receiver, each
behind its own shim, through the harness's mailbox, on every path the driver knows; the
effect-class check on its own; and adapters that lie (the reference with one answer rewritten),
each caught as the typed failure naming the step where it lied."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from pjconf.harness.implementations.client import InProcessClient
from pjconf.harness.sessions.driver import (
    EffectMismatch,
    Log,
    MalformedAnswer,
    RequestMismatch,
    SessionConfig,
    SessionDriver,
    SessionFailure,
    StepRejected,
    StepUnsupported,
    Transcript,
    UnexpectedOutcome,
    check_effect,
    relay_url,
)
from pjconf.harness.sessions.paths import (
    CANCEL_POINTS,
    rejections,
    run_cancel,
    run_directory_faults,
    run_error_reply,
    run_success,
)
from pjconf.protocol.wire import JsonObject, Unimplemented
from pjconf.reference.adapter.dispatch import InProcessAdapter
from pjconf.reference.adapter.ops import SessionOpError, reference_adapter
from pjconf.reference.adapter.payment import RECEIVER_COIN_VALUE as COIN_VALUE
from pjconf.reference.adapter.payment import Payment, payment, receiver_contribution
from pjconf.reference.bip77.directory import Mailbox, Status
from pjconf.reference.bip77.ohttp import ENCAPSULATED_MESSAGE_BYTES
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.bitcoin.tx import Transaction
from pjconf.reference.entropy import FixedClock

NOW = 1_800_000_000
PAYMENT = payment("driver-test")
REJECTIONS = rejections(PAYMENT)


def driver(
    sender: InProcessAdapter | None = None,
    *,
    receiver: InProcessAdapter | None = None,
    seed: str = "driver-test",
    mailbox_seed: str = "mb",
) -> SessionDriver:
    return SessionDriver(
        sender=InProcessClient(sender or reference_adapter(seed="sender-adapter")),
        receiver=InProcessClient(receiver or reference_adapter(seed="receiver-adapter")),
        mailbox=Mailbox.seeded(mailbox_seed),
        config=SessionConfig(PAYMENT, NOW + 3600, clock=FixedClock(NOW), seed=seed),
    )


OPENING = [
    ("receiver.new", "progress", "Initialized"),
    ("receiver.poll", "stasis", "Initialized"),
    ("sender.new", "progress", "WithReplyKey"),
    ("sender.post_original", "progress", "PollingForProposal"),
    ("sender.poll", "stasis", "PollingForProposal"),
    ("receiver.poll", "progress", "UncheckedOriginalPayload"),
]
CHECKS = [
    ("receiver.check_broadcast_suitability", "progress", "MaybeInputsOwned"),
    ("receiver.check_inputs_not_owned", "progress", "MaybeInputsSeen"),
    ("receiver.check_no_inputs_seen_before", "progress", "OutputsUnknown"),
    ("receiver.identify_receiver_outputs", "progress", "WantsOutputs"),
    ("receiver.commit_outputs", "progress", "WantsInputs"),
    ("receiver.commit_inputs", "progress", "WantsFeeRange"),
    ("receiver.apply_fee_range", "progress", "ProvisionalProposal"),
    ("receiver.finalize_proposal", "progress", "PayjoinProposal"),
]


# -- the paths ---------------------------------------------------------------------------------


def test_success_runs_every_step_and_closes_both_in_success() -> None:
    transcript = run_success(driver())
    assert transcript.path() == [
        *OPENING,
        *CHECKS,
        ("receiver.post_proposal", "progress", "Monitor"),
        ("sender.poll", "terminal", "Closed"),
        ("receiver.check_for_transaction", "stasis", "Monitor"),
        ("receiver.check_for_transaction", "terminal", "Closed"),
    ]
    assert all(log.closed for log in transcript.logs.values())
    sender_end = json.loads(transcript.logs["sender"].events[-1])
    assert list(sender_end["Closed"]) == ["Success"]
    # what the sender would broadcast: its own input, re-signed, paying the receiver in full
    assert transcript.payjoin_tx is not None
    assert transcript.proposal_psbt is not None
    tx = Transaction.deserialize(bytes.fromhex(transcript.payjoin_tx))
    original = PAYMENT.original.unsigned_tx
    assert [i.previous_output for i in tx.inputs] == [i.previous_output for i in original.inputs]
    assert all(i.witness for i in tx.inputs)
    paid = sum(o.value for o in tx.outputs if o.script_pubkey == PAYMENT.receiver_script)
    assert paid >= PAYMENT.amount
    proposal = Psbt.from_base64(transcript.proposal_psbt)
    assert proposal.unsigned_tx.txid() == tx.txid()
    # the receiver proposed that transaction and settled on it
    finalized = next(s for s in transcript.steps if s.name == "receiver.finalize_proposal")
    assert Psbt.from_base64(finalized.result["value"]["psbt"]).unsigned_tx.txid() == tx.txid()
    receiver_end = json.loads(transcript.logs["receiver"].events[-1])
    assert receiver_end == {"Closed": {"Success": tx.txid_hex()}}
    for role in ("receiver", "sender"):
        replayed = transcript.replays[role]
        assert replayed is not None
        assert (replayed["state"], replayed["status"]) == ("Closed", "Completed")


def test_a_contribution_is_offered_between_committing_outputs_and_inputs() -> None:
    session = driver()
    contribution = receiver_contribution(PAYMENT)
    session.config = replace(session.config, contribution=contribution)
    transcript = run_success(session)
    path = transcript.path("receiver")
    names = [name for name, _, _ in path]
    at = names.index("receiver.contribute_inputs")
    assert path[at] == ("receiver.contribute_inputs", "stasis", "WantsInputs")
    assert names[at - 1 : at + 2] == [
        "receiver.commit_outputs",
        "receiver.contribute_inputs",
        "receiver.commit_inputs",
    ]
    (step,) = [s for s in session.steps if s.name == "receiver.contribute_inputs"]
    assert step.args == {"method": "contribute_inputs", "args": contribution}
    # the coin is in the transaction the sender signed, and its value went to the receiver
    assert transcript.payjoin_tx is not None
    tx = Transaction.deserialize(bytes.fromhex(transcript.payjoin_tx))
    coin = contribution["inputs"][0]["outpoint"]
    assert sorted(str(i.previous_output) for i in tx.inputs) == sorted(
        [*PAYMENT.sender_outpoints, coin]
    )
    assert all(i.witness for i in tx.inputs)
    paid = sum(o.value for o in tx.outputs if o.script_pubkey == PAYMENT.receiver_script)
    assert PAYMENT.amount < paid <= PAYMENT.amount + COIN_VALUE


def test_an_empty_contribution_changes_nothing() -> None:
    session = driver()
    session.config = replace(session.config, contribution={"inputs": []})
    transcript = run_success(session)
    assert transcript.payjoin_tx is not None
    tx = Transaction.deserialize(bytes.fromhex(transcript.payjoin_tx))
    assert [str(i.previous_output) for i in tx.inputs] == PAYMENT.sender_outpoints


def _twice(payment: Payment) -> JsonObject:
    inputs = receiver_contribution(payment)["inputs"]
    return {"inputs": inputs * 2}


@pytest.mark.parametrize(
    ("contribution", "failure", "says"),
    [
        (lambda _p: {"inputs": "some"}, StepRejected, "InvalidArgument"),
        (
            _twice,
            UnexpectedOutcome,
            "got transient -> WantsInputs (InputContributionError: Duplicate input",
        ),
    ],
    ids=["malformed", "duplicate"],
)
def test_a_contribution_the_receiver_refuses_stops_the_session_there(
    contribution: Callable[[Payment], JsonObject], failure: type[SessionFailure], says: str
) -> None:
    session = driver()
    session.config = replace(session.config, contribution=contribution(PAYMENT))
    with pytest.raises(failure, match=re.escape(says)) as caught:
        run_success(session)
    assert caught.value.step == "receiver.contribute_inputs"


def test_success_exchanges_are_the_mailbox_traffic_of_a_bip77_session() -> None:
    transcript = run_success(driver())
    traffic = [(e.label, e.method, e.status) for e in transcript.exchanges]
    assert traffic == [
        ("receiver.poll", "GET", 202),
        ("sender.post_original", "POST", 200),
        ("sender.poll", "GET", 202),
        ("receiver.poll", "GET", 200),
        ("receiver.post_proposal", "POST", 200),
        ("sender.poll", "GET", 200),
    ]
    by_label = {e.label: e for e in transcript.exchanges}
    receiver_box, reply_box = by_label["receiver.poll"].mailbox, by_label["sender.poll"].mailbox
    assert receiver_box != reply_box
    assert by_label["sender.post_original"].mailbox == receiver_box
    assert by_label["receiver.post_proposal"].mailbox == reply_box
    answered = [(s.name, s.exchange) for s in transcript.steps if s.exchange is not None]
    assert [(e.label, e.index) for e in transcript.exchanges] == answered


def test_the_same_seeds_give_the_same_transcript_byte_for_byte() -> None:
    first, second = run_success(driver()).to_json(), run_success(driver()).to_json()
    assert first == second
    other = run_success(driver(seed="another")).to_json()
    assert other["exchanges"][1]["request"] != first["exchanges"][1]["request"]
    assert other["logs"]["receiver"]["events"][0] != first["logs"]["receiver"]["events"][0]
    assert json.loads(json.dumps(first)) == first  # plain JSON, ready to be a vector


@pytest.mark.parametrize("name", sorted(REJECTIONS))
def test_a_failed_check_is_replied_and_ends_the_senders_poll(name: str) -> None:
    rejection = REJECTIONS[name]
    transcript = run_error_reply(driver(), rejection)
    done = CHECKS[: [name for name, _, _ in CHECKS].index(f"receiver.{rejection.method}")]
    reply = ("receiver.post_error", "progress", "PendingFallback")
    if not rejection.fallback:
        reply = ("receiver.post_error", "terminal", "Closed")
    expected = [
        *OPENING,
        *done,
        (f"receiver.{rejection.method}", "replyable", "HasReplyableError"),
        reply,
        ("sender.poll", "fatal", "Closed"),
    ]
    if rejection.fallback:
        expected.append(("receiver.close", "terminal", "Closed"))
    assert transcript.path() == expected
    poll = transcript.steps[-2 if rejection.fallback else -1]
    assert poll.result["error"]["kind"] == "ResponseError::WellKnown"
    assert json.loads(transcript.logs["sender"].events[-1]) == {"Closed": "Aborted"}
    assert transcript.proposal_psbt is None
    check = next(s for s in transcript.steps if s.outcome == "replyable")
    assert check.result["error"]["kind"] == "Error::Protocol"
    receiver_log = [json.loads(e) for e in transcript.logs["receiver"].events]
    replied = next(e["GotReplyableError"] for e in receiver_log if "GotReplyableError" in e)
    assert replied["error_code"] == "OriginalPsbtRejected"
    assert receiver_log[-1] == {"Closed": "Aborted"}
    receiver_replay = transcript.replays["receiver"]
    assert receiver_replay is not None
    fallback = PAYMENT.fallback_tx.serialize().hex() if rejection.fallback else None
    assert receiver_replay["fallback_tx"] == fallback


@pytest.mark.parametrize("at", CANCEL_POINTS)
def test_cancel_leaves_the_fallback_to_broadcast(at: str) -> None:
    transcript = run_cancel(driver(), at)
    keeps_fallback = at not in ("Initialized", "UncheckedOriginalPayload")
    receiver_end = transcript.path("receiver")[-2:]
    if keeps_fallback:
        assert receiver_end == [
            ("receiver.cancel", "progress", "PendingFallback"),
            ("receiver.close", "terminal", "Closed"),
        ]
    else:
        assert receiver_end[-1] == ("receiver.cancel", "terminal", "Closed")
    assert transcript.path("receiver")[-3 if keeps_fallback else -2][2] == at
    assert transcript.path("sender")[-3:] == [
        ("sender.poll", "stasis", "PollingForProposal"),
        ("sender.cancel", "progress", "PendingFallback"),
        ("sender.close", "terminal", "Closed"),
    ]
    fallback = PAYMENT.fallback_tx.serialize().hex()
    sender_replay, receiver_replay = transcript.replays["sender"], transcript.replays["receiver"]
    assert sender_replay is not None
    assert receiver_replay is not None
    assert sender_replay["fallback_tx"] == fallback
    assert receiver_replay["fallback_tx"] == (fallback if keeps_fallback else None)
    assert sender_replay["status"] == receiver_replay["status"] == "Failed"


def test_directory_faults_are_transient_or_fatal_as_payjoin_says() -> None:
    transcript = run_directory_faults(driver())
    assert transcript.path() == [
        ("receiver.new", "progress", "Initialized"),
        ("receiver.poll", "transient", "Initialized"),
        ("receiver.poll", "transient", "Initialized"),
        ("sender.new", "progress", "WithReplyKey"),
        ("sender.post_original", "transient", "WithReplyKey"),
        ("sender.post_original", "progress", "PollingForProposal"),
        ("sender.poll", "fatal", "Closed"),
        ("receiver.poll", "fatal", "Closed"),
    ]
    assert [e.fault for e in transcript.exchanges] == [
        "status:503",
        f"size:{ENCAPSULATED_MESSAGE_BYTES - 1}",
        "status:500",
        None,
        "corrupt:-1",
        "status:404",
    ]
    assert transcript.exchanges[2].status == 500
    kinds = [(s.name, s.result["error"]["kind"]) for s in transcript.steps if "error" in s.result]
    assert kinds == [
        ("receiver.poll", "ProtocolError::V2"),
        ("receiver.poll", "ProtocolError::V2"),
        ("sender.post_original", "DecapsulationError"),
        ("sender.poll", "ResponseError::Validation"),
        ("receiver.poll", "ProtocolError::V2"),
    ]


# -- the effect check --------------------------------------------------------------------------

A, B, C = '{"A":1}', '{"B":2}', '{"C":3}'
OPEN = Log([A], False, "S")


def _result(outcome: str, appended: list[str], closed: bool, state: str) -> JsonObject:
    return {"outcome": outcome, "appended": appended, "closed": closed, "state": state}


@pytest.mark.parametrize(
    ("outcome", "after"),
    [
        ("progress", Log([A, B], False, "T")),
        ("stasis", Log([A], False, "S")),
        ("transient", Log([A], False, "S")),
        ("replyable", Log([A, B], False, "HasReplyableError")),
        ("fatal", Log([A, B], True, "Closed")),
        ("terminal", Log([A, B], True, "Closed")),
    ],
)
def test_consistent_steps_pass_the_effect_check(outcome: str, after: Log) -> None:
    result = _result(outcome, after.events[1:], after.closed, str(after.state))
    check_effect("x.step", OPEN, result, after)


@pytest.mark.parametrize(
    ("result", "after", "says"),
    [
        (_result("progress", [B], False, "T"), Log([A, B, C], False, "T"), "gained 2 events"),
        (_result("stasis", [], False, "S"), Log([A, B], False, "S"), "gained 1 events"),
        (_result("progress", [C], False, "T"), Log([A, B], False, "T"), "`appended`"),
        (_result("progress", [B], False, "T"), Log([C, B], False, "T"), "rewritten"),
        (_result("fatal", [B], True, "Closed"), Log([A, B], False, "Closed"), "open after fatal"),
        (_result("replyable", [B], False, "H"), Log([A, B], True, "H"), "closed after replyable"),
        (_result("terminal", [B], False, "Closed"), Log([A, B], True, "Closed"), "`closed`"),
        (_result("progress", [B], False, "T"), Log([A, B], False, "U"), "differs from the sess"),
        (
            _result("progress", [B], False, "Closed"),
            Log([A, B], False, None),
            "but the log is open",
        ),
        (_result("transient", [], False, "T"), Log([A], False, None), "moved the session"),
        (_result("advanced", [B], False, "T"), Log([A, B], False, "T"), "unknown outcome"),
    ],
)
def test_inconsistent_steps_are_effect_mismatches(
    result: JsonObject, after: Log, says: str
) -> None:
    with pytest.raises(EffectMismatch, match=says) as caught:
        check_effect("x.step", OPEN, result, after)
    assert caught.value.step == "x.step"


def test_relay_url_keeps_only_the_origins() -> None:
    url = relay_url("https://relay.example/some/path", "HTTPS://Dir.Example:8443/base/")
    assert url == "https://relay.example/https://Dir.Example:8443/"


# -- adapters that lie -------------------------------------------------------------------------

Mutation = Callable[[JsonObject, JsonObject], JsonObject]


def mutant(
    op: str, mutate: Mutation, *, nth: int = 1, seed: str = "sender-adapter"
) -> InProcessAdapter:
    """The reference, with the ``nth`` answer to ``op`` passed through ``mutate(args, result)``."""
    honest = reference_adapter(seed=seed)
    handlers = dict(honest.handlers)
    seen = [0]

    def lying(args: JsonObject) -> JsonObject:
        out = handlers[op](args)
        seen[0] += 1
        return mutate(args, out) if seen[0] == nth else out

    return InProcessAdapter("mutant", "0", {**handlers, op: lying})


def _set(**fields: Any) -> Mutation:
    return lambda _args, out: {**out, **fields}


def _drop(key: str) -> Mutation:
    return lambda _args, out: {k: v for k, v in out.items() if k != key}


def _unimplemented(_args: JsonObject, _out: JsonObject) -> JsonObject:
    raise Unimplemented("not here")


def _refuse(_args: JsonObject, _out: JsonObject) -> JsonObject:
    raise SessionOpError("InvalidState", "no")


LIARS: dict[str, tuple[Callable[[], InProcessAdapter], type[SessionFailure], str]] = {
    "stasis reported as progress": (
        lambda: mutant("session.response", _set(outcome="progress"), nth=2),
        EffectMismatch,
        "sender.poll",
    ),
    "appended hidden": (
        lambda: mutant("session.response", _set(appended=[])),
        EffectMismatch,
        "sender.post_original",
    ),
    "closed while open": (
        lambda: mutant("session.response", _set(state="Closed")),
        EffectMismatch,
        "sender.post_original",
    ),
    "request to another relay path": (
        lambda: mutant("session.request", _set(url="https://elsewhere/")),
        RequestMismatch,
        "sender.post_original",
    ),
    "request one byte short": (
        lambda: mutant("session.request", lambda _a, o: {**o, "body": o["body"][:-2]}),
        RequestMismatch,
        "sender.post_original",
    ),
    "no sender sessions": (
        lambda: mutant("session.new_sender", _unimplemented),
        StepUnsupported,
        "sender.new",
    ),
    "poll refused": (
        lambda: mutant("session.request", _refuse, nth=2),
        StepRejected,
        "sender.poll",
    ),
    "no log in the events answer": (
        lambda: mutant("session.events", _drop("events")),
        MalformedAnswer,
        "sender.new",
    ),
    "request without a context": (
        lambda: mutant("session.request", _drop("context")),
        MalformedAnswer,
        "sender.post_original",
    ),
}


@pytest.mark.parametrize(("liar", "failure", "step"), LIARS.values(), ids=LIARS)
def test_a_lying_sender_is_caught_at_its_step(
    liar: Callable[[], InProcessAdapter], failure: type[SessionFailure], step: str
) -> None:
    with pytest.raises(failure) as caught:
        run_success(driver(liar()))
    assert caught.value.step == step
    assert type(caught.value) is failure


def _receiver(op: str, mutate: Mutation, nth: int = 1) -> Callable[[], InProcessAdapter]:
    return lambda: mutant(op, mutate, nth=nth, seed="receiver-adapter")


RECEIVER_LIARS: dict[str, tuple[Callable[[], InProcessAdapter], type[SessionFailure], str]] = {
    "no pj URI": (
        _receiver("session.new_receiver", _drop("pj_uri")),
        MalformedAnswer,
        "receiver.new",
    ),
    "a check that claims to close": (
        _receiver("session.call", _set(closed=True)),
        EffectMismatch,
        "receiver.check_broadcast_suitability",
    ),
    "an event hidden from the log": (
        _receiver("session.events", lambda _a, o: {**o, "events": o["events"][:-1]}, nth=4),
        EffectMismatch,
        "receiver.poll",
    ),
    "a proposal posted elsewhere": (
        _receiver("session.request", _set(url="https://elsewhere/"), nth=3),
        RequestMismatch,
        "receiver.post_proposal",
    ),
    "commit refused": (
        _receiver("session.call", _refuse, nth=5),
        StepRejected,
        "receiver.commit_outputs",
    ),
}


@pytest.mark.parametrize(("liar", "failure", "step"), RECEIVER_LIARS.values(), ids=RECEIVER_LIARS)
def test_a_lying_receiver_is_caught_at_its_step(
    liar: Callable[[], InProcessAdapter], failure: type[SessionFailure], step: str
) -> None:
    with pytest.raises(failure) as caught:
        run_success(driver(receiver=liar()))
    assert caught.value.step == step
    assert type(caught.value) is failure


def test_an_unexpected_directory_answer_is_an_unexpected_outcome() -> None:
    session = driver()
    session.mailbox.inject(Status(503))  # the first poll was to find an empty mailbox
    with pytest.raises(UnexpectedOutcome, match="expected stasis -> Initialized, got transient"):
        run_success(session)


def test_a_sender_before_the_receiver_is_a_failure_not_a_crash() -> None:
    with pytest.raises(SessionFailure) as caught:
        driver().new_sender()
    assert caught.value.step == "sender.new"


def test_the_transcript_round_trips_through_json() -> None:
    transcript: Transcript = run_cancel(driver(), "MaybeInputsOwned")
    as_json = transcript.to_json()
    assert json.loads(json.dumps(as_json)) == as_json
    assert [s["name"] for s in as_json["steps"]] == [s.name for s in transcript.steps]
    assert as_json["logs"]["receiver"]["closed"] is True
