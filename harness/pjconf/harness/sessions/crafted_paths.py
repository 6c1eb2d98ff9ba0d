"""Paths where the harness writes one party's message by hand into the mailbox.

A conforming peer never sends what these paths need: an Original PSBT that is not base64 or not
a PSBT, an unknown ``v``, a BIP 78 plaintext request, inputs without (or with the wrong) UTXO
data; or, to a sender, each BIP 78 error code, an unknown one, and a body that is neither JSON nor
a PSBT. So the harness seals that message itself (:class:`CraftedSender`, :func:`seal_reply`) and
puts it where the directory would have stored it; the implementation under test then polls it
like any other request.
"""

from __future__ import annotations

from dataclasses import replace

from pjconf.harness.implementations.reference import (
    CraftedBody,
    CraftedSender,
    Tamper,
    receiver_contribution,
    seal_reply,
)
from pjconf.harness.sessions.driver import (
    Expect,
    SessionDriver,
    Transcript,
    UnexpectedOutcome,
    choice_point,
)
from pjconf.harness.sessions.paths import open_session, receive_original
from pjconf.protocol.states import CLOSED
from pjconf.protocol.wire import JsonObject


def _deliver(driver: SessionDriver, crafted: CraftedBody) -> None:
    """The receiver created and finding its mailbox empty, then ``crafted`` stored in it."""
    driver.new_receiver()
    driver.exchange("receiver", "poll", Expect("stasis", "Initialized"))
    if driver.pj_uri is None:
        raise AssertionError("a new receiver without a pj URI")
    sender = CraftedSender.for_uri(driver.pj_uri, f"{driver.config.seed}/crafted")
    body = crafted.body if crafted.plaintext else sender.message_a(crafted.body)
    driver.mailbox.boxes[sender.receiver_mailbox] = body


def run_receiver_refuses(driver: SessionDriver, crafted: CraftedBody) -> Transcript:
    """The receiver's poll finds a request it cannot take: payjoin 1.0 closes the session
    (fatal, ``Closed(Aborted)``) without a reply, there being no Original to fall back on."""
    _deliver(driver, crafted)
    with choice_point():
        driver.exchange("receiver", "poll", Expect("fatal", CLOSED))
    return driver.transcript()


def run_receiver_accepts(driver: SessionDriver, crafted: CraftedBody) -> Transcript:
    """The receiver takes a ``v=1`` request and runs its whole path up to posting the proposal
    (to the reply mailbox, or as a BIP 78 answer when there is no reply key)."""
    _deliver(driver, crafted)
    with choice_point():
        receive_original(driver)
    driver.exchange("receiver", "post_proposal", Expect("progress", "Monitor"))
    return driver.transcript()


def run_sender_reads(driver: SessionDriver, body: bytes) -> Transcript:
    """The sender's poll finds ``body`` as the receiver's answer: every reply that is not an
    acceptable proposal ends its session (fatal, ``Closed``); the receiver then cancels."""
    open_session(driver)
    driver.exchange("receiver", "poll", Expect("progress", "UncheckedOriginalPayload"))
    mailbox, message = seal_reply(
        driver.log("receiver").events, body, f"{driver.config.seed}/crafted"
    )
    driver.mailbox.boxes[mailbox] = message
    driver.exchange("sender", "poll", Expect("fatal", CLOSED))
    driver.call("receiver", "cancel", Expect("terminal", CLOSED))
    return driver.transcript()


def run_sender_checks(driver: SessionDriver, tamper: Tamper) -> Transcript:
    """The reference receiver makes its proposal (contributing a coin when ``tamper`` needs
    one) but does not post it; the harness seals that proposal, changed by ``tamper``, into the
    sender's reply mailbox. The sender's poll refuses it (fatal, ``Closed``) or accepts it
    (terminal, ``Closed(Success)``) as payjoin 1.0 does; where BIP 78 leaves that choice to the
    sender (``tamper.open``) the poll is the case's choice point. The receiver, never answered,
    then cancels and closes its fallback. A ``tamper.unchecked`` proposal is built from the
    Original itself, the receiver stopping (and cancelling) right after fetching it."""
    if tamper.contributed:
        contribution = receiver_contribution(driver.config.payment)
        driver.config = replace(driver.config, contribution=contribution)
    if tamper.original is not None:
        pay = driver.config.payment
        driver.config = replace(
            driver.config, payment=replace(pay, original=tamper.original(pay.original))
        )
    if tamper.min_fee_rate is not None:
        driver.config = replace(driver.config, min_fee_rate=tamper.min_fee_rate)
    driver.new_receiver()
    driver.exchange("receiver", "poll", Expect("stasis", "Initialized"))
    driver.new_sender(fee_contribution=tamper.fee_contribution)
    if tamper.sender:
        driver.resume("sender", tamper.sender_log(driver.log("sender").events), "WithReplyKey")
    driver.exchange("sender", "post_original", Expect("progress", "PollingForProposal"))
    driver.exchange("sender", "poll", Expect("stasis", "PollingForProposal"))
    if tamper.utxo_forgotten:
        with choice_point():
            edited = tamper.sender_log(driver.log("sender").events)
            driver.resume("sender", edited, "PollingForProposal")
    receive_original(
        driver, until="UncheckedOriginalPayload" if tamper.unchecked else "PayjoinProposal"
    )
    events = driver.log("receiver").events
    body = tamper.body(events, driver.config.payment)
    mailbox, message = seal_reply(events, body, f"{driver.config.seed}/crafted")
    driver.mailbox.boxes[mailbox] = message
    expect = Expect("fatal", CLOSED) if tamper.refused else Expect("terminal", CLOSED)
    if tamper.open:
        with choice_point():
            driver.exchange("sender", "poll", expect)
    else:
        driver.exchange("sender", "poll", expect)
    if tamper.unchecked:
        driver.call("receiver", "cancel", Expect("terminal", CLOSED))
    else:
        driver.call("receiver", "cancel", Expect("progress", "PendingFallback"))
        driver.call("receiver", "close", Expect("terminal", CLOSED))
    return driver.transcript()


def response_error(transcript: Transcript) -> JsonObject:
    """The kind of error the sender's last poll reported (what ``sender_reads`` cases pin)."""
    polls = [s for s in transcript.steps if s.name == "sender.poll"]
    error = polls[-1].result.get("error") if polls else None
    return {"kind": error.get("kind") if isinstance(error, dict) else None}


def run_truncated_context(driver: SessionDriver) -> Transcript:
    """``session.response`` given the context of the receiver's poll cut short by one character
    must be refused as ``InvalidArgument`` (an unknown context; never a crash, never an
    ``InternalError``) and leave the session as it was: the intact context then works."""
    driver.new_receiver()
    step = "receiver.truncated_context"
    client, handle = driver.client("receiver"), driver.handles["receiver"]
    request = client.call("session.request", {"handle": handle, "relay": driver.config.relay})
    context = request.value.get("context") if request.kind == "result" else None
    body = request.value.get("body") if request.kind == "result" else None
    if not isinstance(context, (str, int)) or not isinstance(body, str):
        raise UnexpectedOutcome(step, f"session.request answered {request}")
    answer = driver.mailbox.handle(bytes.fromhex(body), label=step)
    reply = client.call(
        "session.response", {"handle": handle, "context": str(context)[:-1], "body": answer.hex()}
    )
    kind = reply.value.get("kind") if reply.kind == "error" else None
    if kind != "InvalidArgument":
        raise UnexpectedOutcome(step, f"a truncated context answered {reply.kind} {reply.value}")
    driver.exchange("receiver", "poll", Expect("stasis", "Initialized"))
    driver.call("receiver", "cancel", Expect("terminal", CLOSED))
    return driver.transcript()
