"""The paths of a BIP 77 session, driven step by step between two implementations.

Each function takes a fresh :class:`SessionDriver`, moves both sessions along one path, states
at every step the outcome and state payjoin 1.0 reaches there (``receive/v2/mod.rs``,
``send/v2/mod.rs``, ``ohttp.rs``), and returns the :class:`Transcript`:

- :func:`run_success`: Original PSBT, the receiver's checks, its proposal, the sender's checked
  proposal signed, and the receiver finding that transaction (``Closed(Success(txid))``);
- :func:`run_error_reply`: a check fails (:func:`rejections`), the receiver posts the error, the
  sender's poll ends in it;
- :func:`run_cancel`: the receiver cancels (keeping the fallback where one is known) and closes;
  the sender, left polling, cancels and closes with its fallback;
- :func:`run_directory_faults`: the mailbox answers 5xx, a wrong size, an unauthentic answer and
  a 4xx, which payjoin treats as transient, transient, fatal and fatal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from pjconf.harness.implementations.reference import (
    Corrupt,
    Payment,
    Status,
    WrongSize,
    receiver_contribution,
)
from pjconf.harness.sessions.driver import (
    OHTTP_BODY_BYTES,
    Expect,
    SessionDriver,
    Transcript,
    choice_point,
)
from pjconf.protocol.states import CLOSED
from pjconf.protocol.wire import JsonObject

RECEIVER_PATH: Final[tuple[tuple[str, str], ...]] = (
    ("check_broadcast_suitability", "MaybeInputsOwned"),
    ("check_inputs_not_owned", "MaybeInputsSeen"),
    ("check_no_inputs_seen_before", "OutputsUnknown"),
    ("identify_receiver_outputs", "WantsOutputs"),
    ("commit_outputs", "WantsInputs"),
    ("commit_inputs", "WantsFeeRange"),
    ("apply_fee_range", "ProvisionalProposal"),
    ("finalize_proposal", "PayjoinProposal"),
)
"""The receiver's methods from ``UncheckedOriginalPayload`` on, and the state each reaches."""

METHOD_IN_STATE: Final[dict[str, str]] = dict(
    zip(
        ("UncheckedOriginalPayload", *(state for _, state in RECEIVER_PATH[:-1])),
        (method for method, _ in RECEIVER_PATH),
        strict=True,
    )
)
"""The method that moves the receiver on from each state of :data:`RECEIVER_PATH`."""


def _progress(state: str) -> Expect:
    return Expect("progress", state)


def open_session(driver: SessionDriver) -> None:
    """Receiver created (and finding its mailbox empty), sender created and its Original
    PSBT posted, the sender's first poll finding nothing yet."""
    driver.new_receiver()
    driver.exchange("receiver", "poll", Expect("stasis", "Initialized"))
    driver.new_sender()
    driver.exchange("sender", "post_original", _progress("PollingForProposal"))
    driver.exchange("sender", "poll", Expect("stasis", "PollingForProposal"))


def receive_original(driver: SessionDriver, *, until: str = "PayjoinProposal") -> None:
    """The receiver fetches the Original PSBT and runs its path until it reaches ``until``."""
    if until != "UncheckedOriginalPayload" and until not in dict(RECEIVER_PATH).values():
        raise ValueError(f"{until!r} is not a state of the receiver's path")
    driver.exchange("receiver", "poll", _progress("UncheckedOriginalPayload"))
    if until == "UncheckedOriginalPayload":
        return
    for method, state in RECEIVER_PATH:
        if method == "commit_inputs" and driver.config.contribution is not None:
            driver.call(
                "receiver",
                "contribute_inputs",
                Expect("stasis", "WantsInputs"),
                driver.config.contribution,
            )
        driver.call("receiver", method, _progress(state))
        if state == until:
            return


def run_success(driver: SessionDriver) -> Transcript:
    """The whole happy path, ending with both sessions closed in success."""
    open_session(driver)
    receive_original(driver)
    driver.exchange("receiver", "post_proposal", _progress("Monitor"))
    txid = driver.take_proposal(driver.exchange("sender", "poll", Expect("terminal", CLOSED)))
    if not driver.config.payment.txid_stable:
        # A scriptSig makes the payjoin's txid malleable: what a receiver watches for then is
        # its own choice (payjoin 1.0 closes with PayjoinProposalSent whatever the wallet sees,
        # which no text requires), so the path stops in Monitor.
        return driver.transcript()
    driver.call(
        "receiver", "check_for_transaction", Expect("stasis", "Monitor"), {"found_txids": []}
    )
    driver.call(
        "receiver", "check_for_transaction", Expect("terminal", CLOSED), {"found_txids": [txid]}
    )
    return driver.transcript()


@dataclass(frozen=True)
class Rejection:
    """A receiver check that fails: the wallet answer that fails it, and whether payjoin knows a
    fallback transaction by then (the broadcast check is what validates it)."""

    method: str
    answer: JsonObject
    fallback: bool


def rejections(payment: Payment) -> dict[str, Rejection]:
    """The replyable failures of the receiver's checks, by name."""
    inputs = payment.sender_outpoints
    return {
        "not_broadcastable": Rejection(
            "check_broadcast_suitability", {"can_broadcast": False}, fallback=False
        ),
        "input_owned": Rejection("check_inputs_not_owned", {"owned_outpoints": inputs}, True),
        "input_seen": Rejection("check_no_inputs_seen_before", {"seen_outpoints": inputs}, True),
        "missing_payment": Rejection("identify_receiver_outputs", {"receiver_scripts": []}, True),
    }


def fail_a_check(driver: SessionDriver, rejection: Rejection) -> None:
    """Open the session and run the receiver's checks until ``rejection``'s fails (replyable)."""
    open_session(driver)
    driver.exchange("receiver", "poll", _progress("UncheckedOriginalPayload"))
    for method, state in RECEIVER_PATH:
        if method == rejection.method:
            break
        driver.call("receiver", method, _progress(state))
    driver.call(
        "receiver", rejection.method, Expect("replyable", "HasReplyableError"), rejection.answer
    )


def sender_gives_up(driver: SessionDriver) -> None:
    """The sender, still polling an empty mailbox, cancels and closes with its fallback."""
    driver.exchange("sender", "poll", Expect("stasis", "PollingForProposal"))
    driver.call("sender", "cancel", _progress("PendingFallback"))
    driver.call("sender", "close", Expect("terminal", CLOSED))


def run_error_reply(driver: SessionDriver, rejection: Rejection) -> Transcript:
    """A check fails, the receiver replies with the error, the sender's poll ends in it."""
    fail_a_check(driver, rejection)
    after_reply = _progress("PendingFallback") if rejection.fallback else Expect("terminal", CLOSED)
    driver.exchange("receiver", "post_error", after_reply)
    driver.exchange("sender", "poll", Expect("fatal", CLOSED))
    if rejection.fallback:
        driver.call("receiver", "close", Expect("terminal", CLOSED))
    return driver.transcript()


CANCEL_POINTS: Final[tuple[str, ...]] = (
    "Initialized",
    "UncheckedOriginalPayload",
    "MaybeInputsOwned",
    "WantsInputs",
    "PayjoinProposal",
)
"""Receiver states to cancel in; from ``MaybeInputsOwned`` on there is a fallback to keep."""


def run_cancel(driver: SessionDriver, at: str) -> Transcript:
    """The receiver cancels in state ``at`` (closing, or keeping the fallback then closing);
    the sender, still polling, cancels too and closes with its fallback."""
    open_session(driver)
    if at != "Initialized":
        receive_original(driver, until=at)
    if at in ("Initialized", "UncheckedOriginalPayload"):
        driver.call("receiver", "cancel", Expect("terminal", CLOSED))
    else:
        driver.call("receiver", "cancel", _progress("PendingFallback"))
        driver.call("receiver", "close", Expect("terminal", CLOSED))
    sender_gives_up(driver)
    return driver.transcript()


def run_directory_faults(driver: SessionDriver) -> Transcript:
    """A directory that misbehaves: 5xx and a wrong-size answer are transient (the same request
    is made again and succeeds); an answer that fails authentication, and a 4xx, are fatal
    (payjoin 1.0 ``DirectoryResponseError::is_fatal``)."""
    mailbox = driver.mailbox
    driver.new_receiver()
    mailbox.inject(Status(503))
    driver.exchange("receiver", "poll", Expect("transient", "Initialized"))
    mailbox.inject(WrongSize(OHTTP_BODY_BYTES - 1))
    driver.exchange("receiver", "poll", Expect("transient", "Initialized"))
    driver.new_sender()
    mailbox.inject(Status(500))
    driver.exchange("sender", "post_original", Expect("transient", "WithReplyKey"))
    driver.exchange("sender", "post_original", _progress("PollingForProposal"))
    mailbox.inject(Corrupt())
    driver.exchange("sender", "poll", Expect("fatal", CLOSED))
    mailbox.inject(Status(404))
    driver.exchange("receiver", "poll", Expect("fatal", CLOSED))
    return driver.transcript()


def run_success_contributed(driver: SessionDriver) -> Transcript:
    """The happy path with the receiver contributing one coin of its own (a real payjoin: the
    proposal has an input of each party, so ``apply_fee_range`` has fees to adjust)."""
    driver.config = replace(
        driver.config, contribution=receiver_contribution(driver.config.payment)
    )
    return run_success(driver)


def run_proposal_faults(driver: SessionDriver) -> Transcript:
    """Posting the proposal: a 503 is transient (posted again); a 404 makes payjoin 1.0 save
    ``ProtocolFailed`` and keep the session open in ``PendingFallback`` (a replyable outcome);
    the fallback is then closed. The sender, never answered, cancels with its fallback."""
    open_session(driver)
    receive_original(driver)
    driver.mailbox.inject(Status(503))
    driver.exchange("receiver", "post_proposal", Expect("transient", "PayjoinProposal"))
    driver.mailbox.inject(Status(404))
    driver.exchange("receiver", "post_proposal", Expect("replyable", "PendingFallback"))
    driver.call("receiver", "close", Expect("terminal", CLOSED))
    sender_gives_up(driver)
    return driver.transcript()


def run_error_reply_faults(driver: SessionDriver, rejection: Rejection) -> Transcript:
    """Posting an error reply: a 503 is transient; a 404 is fatal, which closes the session
    without a fallback and keeps it open in ``PendingFallback`` with one (payjoin 1.0's
    ``MaybeTerminalSuccessTransition``). The sender, never answered, cancels and closes."""
    fail_a_check(driver, rejection)
    driver.mailbox.inject(Status(503))
    driver.exchange("receiver", "post_error", Expect("transient", "HasReplyableError"))
    driver.mailbox.inject(Status(404))
    if rejection.fallback:
        driver.exchange("receiver", "post_error", Expect("replyable", "PendingFallback"))
        driver.call("receiver", "close", Expect("terminal", CLOSED))
    else:
        driver.exchange("receiver", "post_error", Expect("fatal", CLOSED))
    sender_gives_up(driver)
    return driver.transcript()


def run_cancel_error_reply(driver: SessionDriver, rejection: Rejection) -> Transcript:
    """The receiver cancels instead of sending its error reply: ``Cancelled`` keeping the
    fallback where there is one, else ``Closed(Aborted)`` at once. The sender, never answered,
    cancels and closes."""
    fail_a_check(driver, rejection)
    if rejection.fallback:
        driver.call("receiver", "cancel", _progress("PendingFallback"))
        driver.call("receiver", "close", Expect("terminal", CLOSED))
    else:
        driver.call("receiver", "cancel", Expect("terminal", CLOSED))
    sender_gives_up(driver)
    return driver.transcript()


def run_sender_faults(driver: SessionDriver) -> Transcript:
    """The sender's side of a flaky directory: its poll gets a 503 (transient), then the
    proposal, whose transaction the receiver then finds."""
    open_session(driver)
    receive_original(driver)
    driver.exchange("receiver", "post_proposal", _progress("Monitor"))
    driver.mailbox.inject(Status(503))
    driver.exchange("sender", "poll", Expect("transient", "PollingForProposal"))
    txid = driver.take_proposal(driver.exchange("sender", "poll", Expect("terminal", CLOSED)))
    driver.call(
        "receiver", "check_for_transaction", Expect("terminal", CLOSED), {"found_txids": [txid]}
    )
    return driver.transcript()


def run_sender_post_rejected(driver: SessionDriver) -> Transcript:
    """The directory refuses the sender's Original PSBT with a 404: fatal, the sender's log is
    closed with ``Closed(Aborted)``; the receiver, never reached, cancels."""
    driver.new_receiver()
    driver.new_sender()
    driver.mailbox.inject(Status(404))
    driver.exchange("sender", "post_original", Expect("fatal", CLOSED))
    driver.call("receiver", "cancel", Expect("terminal", CLOSED))
    return driver.transcript()


def run_accepted_post(driver: SessionDriver) -> Transcript:
    """A directory that answers 202 Accepted (what it answers a GET of an empty mailbox) to a
    POST: payjoin 1.0 reads any status but 200 that is no 4xx as transient, so the sender posts
    its Original and the receiver its proposal again; the session then succeeds."""
    driver.new_receiver()
    driver.exchange("receiver", "poll", Expect("stasis", "Initialized"))
    driver.new_sender()
    driver.mailbox.inject(Status(202))
    with choice_point():
        driver.exchange("sender", "post_original", Expect("transient", "WithReplyKey"))
    driver.exchange("sender", "post_original", _progress("PollingForProposal"))
    receive_original(driver)
    driver.mailbox.inject(Status(202))
    with choice_point():
        driver.exchange("receiver", "post_proposal", Expect("transient", "PayjoinProposal"))
    driver.exchange("receiver", "post_proposal", _progress("Monitor"))
    txid = driver.take_proposal(driver.exchange("sender", "poll", Expect("terminal", CLOSED)))
    driver.call(
        "receiver", "check_for_transaction", Expect("terminal", CLOSED), {"found_txids": [txid]}
    )
    return driver.transcript()
