"""A whole sender session against a fake mailbox built from the crypto core and the reference
receiver: Created → Closed(Success) with the proposal checks passing; the error reply; cancel.
After every step the log replays to the live state."""

from __future__ import annotations

import pytest
from reference.session.sender.test_sender_support import (
    ORIGINAL,
    RELAY,
    SENDER_WALLET,
    FakeMailbox,
    act_as_receiver,
    clock,
    new_sender,
    reply_error,
)

from pjconf.reference.bitcoin.wallet import extract_tx
from pjconf.reference.entropy import SeededRandom
from pjconf.reference.persist import InMemoryPersister, PersistedError, Progress, Stasis
from pjconf.reference.session.sender.errors import ResponseError
from pjconf.reference.session.sender.events import (
    Aborted,
    Cancelled,
    Closed,
    Created,
    PostedOriginalPsbt,
    SenderEvent,
    Success,
)
from pjconf.reference.session.sender.machine import ClosedSession, PollingForProposal, SendSession
from pjconf.reference.session.sender.replay import SessionStatus, replay_event_log


def replayed(log: InMemoryPersister[SenderEvent]) -> SendSession:
    return replay_event_log(log, clock=clock())[0]


def test_full_session_to_success() -> None:
    mailbox = FakeMailbox()
    sender, log = new_sender("full")
    assert replayed(log) == sender
    req, ctx = sender.create_v2_post_request(RELAY, rng=SeededRandom("p"), clock=clock())
    polling = sender.process_response(mailbox.handle(req), ctx).save(log)
    assert isinstance(polling, PollingForProposal)
    assert replayed(log) == polling

    req, ctx = polling.create_poll_request(RELAY, rng=SeededRandom("g1"), clock=clock())
    waiting = polling.process_response(mailbox.handle(req), ctx).save(log)
    assert isinstance(waiting, Stasis)
    assert replayed(log) == waiting.current

    proposal = act_as_receiver(mailbox)
    req, ctx = waiting.current.create_poll_request(RELAY, rng=SeededRandom("g2"), clock=clock())
    done = waiting.current.process_response(mailbox.handle(req), ctx).save(log)
    assert isinstance(done, Progress)
    checked = done.next
    assert checked.unsigned_tx == proposal.unsigned_tx
    # the sender's own stripped UTXO data is restored, so it can sign and broadcast
    assert checked.inputs[0].witness_utxo is not None or checked.inputs[1].witness_utxo is not None
    assert log.events == [
        Created(sender.session_context),
        PostedOriginalPsbt(),
        Closed(Success(checked)),
    ]
    assert log.closed
    state, history = replay_event_log(log, clock=clock())
    assert state == ClosedSession(Success(checked))
    assert history.status(clock()) is SessionStatus.COMPLETED
    signed = SENDER_WALLET.sign_psbt(checked)
    tx = extract_tx(signed)
    assert len(tx.inputs) == 2
    assert all(i.witness for i in tx.inputs)


def test_error_reply_ends_the_session() -> None:
    mailbox = FakeMailbox()
    sender, log = new_sender("err")
    req, ctx = sender.create_v2_post_request(RELAY, clock=clock())
    polling = sender.process_response(mailbox.handle(req), ctx).save(log)
    reply_error(mailbox, "not-enough-money")
    req, ctx = polling.create_poll_request(RELAY, clock=clock())
    transition = polling.process_response(mailbox.handle(req), ctx)
    with pytest.raises(PersistedError) as info:
        transition.save(log)
    assert info.value.is_fatal()
    error = info.value.api_error()
    assert isinstance(error, ResponseError)
    assert error.variant == "WellKnown"
    assert log.events[-1] == Closed(Aborted())
    assert log.closed
    state, history = replay_event_log(log, clock=clock())
    assert state == ClosedSession(Aborted())
    assert history.status(clock()) is SessionStatus.FAILED
    assert history.fallback_tx() == ORIGINAL.extract_tx()  # the app broadcasts it itself


def test_cancel_while_polling_then_close() -> None:
    mailbox = FakeMailbox()
    sender, log = new_sender("cancel")
    req, ctx = sender.create_v2_post_request(RELAY, clock=clock())
    polling = sender.process_response(mailbox.handle(req), ctx).save(log)
    pending = polling.cancel().save(log)
    assert replayed(log) == pending
    assert log.events[-1] == Cancelled()
    assert pending.fallback_tx == ORIGINAL.extract_tx()
    pending.close().save(log)
    assert replayed(log) == ClosedSession(Aborted())
    assert log.closed
