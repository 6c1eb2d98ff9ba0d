"""The reference receiver against rust-payjoin 1.0's, step by step: one receiver log resumed in
both (:class:`~interop.receiver_twins.Twins`), then every step taken by both must append the
same event bytes and report the same outcome, closed flag, state, error kind and text, and
``value`` (the signed proposal included). Covered: a fresh session from either
implementation's ``Created`` to its end, the receiver's signatures, every replyable
rejection and its reply, wallet errors, a BIP 78 sender, a legacy sender input, Original
payloads that end the session, the directory's faults, cancel from every typestate, refused
contributions, methods of other typestates, and session-log note P11 (``commit_inputs`` live
and after a resume differ, alike in both).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from interop.receiver_twins import (
    Twins,
    legacy_original,
    new_receiver,
    put_plaintext,
    receiver_logs,
    receiver_public_key,
    send_original,
    v1_request,
)

from pjconf.harness.implementations.client import Client, InProcessClient
from pjconf.harness.implementations.docker import DockerClient
from pjconf.harness.sessions.driver import SessionConfig, SessionDriver
from pjconf.harness.sessions.paths import run_success
from pjconf.reference.adapter.ops import reference_adapter
from pjconf.reference.adapter.payment import payment, receiver_contribution
from pjconf.reference.bip77 import messages
from pjconf.reference.bip77.directory import Corrupt, Fault, Mailbox, Status, WrongSize
from pjconf.reference.bip77.short_id import format_short_id, short_id
from pjconf.reference.bitcoin.psbt import Input, Output, Psbt
from pjconf.reference.bitcoin.tx import Transaction
from pjconf.reference.bitcoin.wallet import AddressKind
from pjconf.reference.crypto.secp256k1 import KeyPair
from pjconf.reference.entropy import SYSTEM_CLOCK, SeededRandom
from pjconf.reference.session.receiver.machine import STATE_NAMES

pytestmark = [pytest.mark.docker, pytest.mark.rust]

PAYMENT = payment("receiver-live")
EXPIRATION = SYSTEM_CLOCK.now() + 3600
"""rust-payjoin reads its own clock: every log expires an hour from now."""
ANSWERS = PAYMENT.wallet_answers()
SENDER_INPUT = PAYMENT.sender_outpoints[0]
FALLBACK_TXID = PAYMENT.fallback_tx.txid_hex()
JsonLike = dict[str, Any]


@pytest.fixture(scope="module")
def reference() -> Iterator[Client]:
    client = InProcessClient(reference_adapter(seed="receiver-live"))
    yield client
    client.close()


@pytest.fixture
def both(reference: Client, rust: DockerClient) -> dict[str, Client]:
    return {"reference": reference, "rust": rust}


def fresh(
    both: dict[str, Client], name: str, creator: str = "reference"
) -> tuple[Twins, list[str], str]:
    """Twins resumed from a new receiver's ``Created`` (made by ``creator``)."""
    mailbox = Mailbox.seeded(f"twins/{name}")
    events, uri = new_receiver(both[creator], mailbox, PAYMENT, EXPIRATION, f"twins/{name}")
    return Twins.resume(both, events, mailbox), events, uri


def original_posted(
    both: dict[str, Client], name: str, original: Psbt | None = None, creator: str = "reference"
) -> tuple[Twins, KeyPair]:
    """Twins whose mailbox holds the reference sender's Original PSBT (message A)."""
    twins, _, uri = fresh(both, name, creator)
    reply = send_original(
        both["reference"], twins.mailbox, uri, original or PAYMENT.original, f"sender/{name}"
    )
    return twins, reply


def progress(twins: Twins, method: str, state: str, **args: Any) -> JsonLike:
    out = twins.call(method, **args)
    assert (out["outcome"], out["state"]) == ("progress", state), out
    return out


METHOD_OF = {
    "check_broadcast_suitability": "UncheckedOriginalPayload",
    "check_inputs_not_owned": "MaybeInputsOwned",
    "check_no_inputs_seen_before": "MaybeInputsSeen",
    "identify_receiver_outputs": "OutputsUnknown",
}
"""The typestate each check is a method of."""
CHECKS = [
    ("check_broadcast_suitability", "MaybeInputsOwned"),
    ("check_inputs_not_owned", "MaybeInputsSeen"),
    ("check_no_inputs_seen_before", "OutputsUnknown"),
    ("identify_receiver_outputs", "WantsOutputs"),
    ("commit_outputs", "WantsInputs"),
    ("commit_inputs", "WantsFeeRange"),
]


def through_checks(twins: Twins, until: str = "WantsFeeRange") -> None:
    polled, _ = twins.exchange()
    assert (polled["outcome"], polled["state"]) == ("progress", "UncheckedOriginalPayload")
    for method, state in CHECKS:
        if twins.state == until:
            return
        progress(twins, method, state, **ANSWERS[method])


# -- whole sessions --------------------------------------------------------------------------------


@pytest.mark.parametrize("creator", ["reference", "rust"])
def test_a_session_without_a_contribution_runs_alike(both: dict[str, Client], creator: str) -> None:
    """From either implementation's ``Created``: the poll, every check, a fee range, a failing
    and a working wallet, a 503 on the post, the post (message B opened: the same proposal),
    the watch (nothing, a failing wallet, the transaction)."""
    twins, reply = original_posted(both, f"fallback/{creator}", creator=creator)
    through_checks(twins)
    # without a receiver input there is no receiver fee: any range applies
    progress(
        twins,
        "apply_fee_range",
        "ProvisionalProposal",
        min_fee_rate=10**6,
        max_effective_fee_rate=1,
    )
    failing = twins.call("finalize_proposal", signing_keys="error")
    assert (failing["outcome"], failing["error"]["kind"]) == ("transient", "ImplementationError")
    finalized = progress(twins, "finalize_proposal", "PayjoinProposal", signing_keys=[])
    proposal = Psbt.from_base64(finalized["value"]["psbt"])
    unavailable, _ = twins.exchange(Status(503))
    assert (unavailable["outcome"], unavailable["error"]["kind"]) == (
        "transient",
        "ProtocolError::V2",
    )
    posted, exchanges = twins.exchange()
    assert (posted["outcome"], posted["state"]) == ("progress", "Monitor")
    plaintext = twins.opened(exchanges, reply)
    assert plaintext.startswith(proposal.serialize())
    assert twins.call("check_for_transaction", found_txids=[])["outcome"] == "stasis"
    assert twins.call("check_for_transaction", found_txids="error")["outcome"] == "transient"
    # nothing contributed, nothing changed: the "payjoin" is the Original's transaction, so the
    # fallback on chain is taken for the payjoin's success
    assert proposal.unsigned_tx.txid_hex() == FALLBACK_TXID
    done = twins.call("check_for_transaction", found_txids=[FALLBACK_TXID])
    assert (done["outcome"], json.loads(done["appended"][0])) == (
        "terminal",
        {"Closed": {"Success": FALLBACK_TXID}},
    )


@pytest.fixture(scope="module")
def contributed(reference: Client) -> tuple[dict[str, list[str]], Mailbox, str]:
    """A whole seeded session of the reference (both roles) with a receiver coin: the receiver
    log at each state, its mailbox, the transaction the sender signed."""
    config = SessionConfig(
        PAYMENT,
        EXPIRATION,
        seed="twins/contributed",
        contribution=receiver_contribution(PAYMENT),
    )
    driver = SessionDriver(reference, reference, Mailbox.seeded("twins/contributed"), config)
    transcript = run_success(driver)
    assert transcript.payjoin_tx is not None
    return receiver_logs(transcript), driver.mailbox, transcript.payjoin_tx


def resumed_at(
    both: dict[str, Client], contributed: tuple[dict[str, list[str]], Mailbox, str], state: str
) -> Twins:
    logs, mailbox, _ = contributed
    twins = Twins.resume(both, logs[state], mailbox)
    assert twins.state == state
    return twins


@pytest.mark.parametrize(
    ("minimum", "maximum", "outcome"),
    [(5000, 3996, "transient"), (5000, 3997, "progress"), (None, None, "progress"),
     (5000, None, "transient"), (None, 2**30, "progress")],
)  # fmt: skip
def test_fee_ranges_apply_alike(
    both: dict[str, Client],
    contributed: tuple[dict[str, list[str]], Mailbox, str],
    minimum: int | None,
    maximum: int | None,
    outcome: str,
) -> None:
    twins = resumed_at(both, contributed, "WantsFeeRange")
    args = {"min_fee_rate": minimum, "max_effective_fee_rate": maximum}
    out = twins.call("apply_fee_range", **{k: v for k, v in args.items() if v is not None})
    assert out["outcome"] == outcome


def test_the_receivers_signature_and_the_settling_are_alike(
    both: dict[str, Client], contributed: tuple[dict[str, list[str]], Mailbox, str]
) -> None:
    """RFC 6979 makes the receiver's signature deterministic: the proposal in ``value`` and in
    ``FinalizedProposal`` is the same bytes in both; then both settle on the sender's tx."""
    twins = resumed_at(both, contributed, "ProvisionalProposal")
    finalized = progress(
        twins, "finalize_proposal", "PayjoinProposal", **ANSWERS["finalize_proposal"]
    )
    proposal = Psbt.from_base64(finalized["value"]["psbt"])
    assert sum(1 for i in proposal.inputs if i.final_script_witness) == 1  # the receiver's coin
    assert progress(twins, "cancel", "PendingFallback")["appended"] == ['"Cancelled"']
    twins = resumed_at(both, contributed, "Monitor")
    _, _, payjoin_tx = contributed
    txid = Transaction.deserialize(bytes.fromhex(payjoin_tx)).txid_hex()
    assert txid != FALLBACK_TXID
    fallback = Twins.resume(twins.clients, contributed[0]["Monitor"], twins.mailbox)
    seen = fallback.call("check_for_transaction", found_txids=[FALLBACK_TXID])
    assert (seen["outcome"], seen["appended"]) == ("terminal", ['{"Closed":"FallbackBroadcasted"}'])
    done = twins.call("check_for_transaction", found_txids=[txid])
    assert (done["outcome"], json.loads(done["appended"][0])) == (
        "terminal",
        {"Closed": {"Success": txid}},
    )


# -- rejections ------------------------------------------------------------------------------------

REJECTIONS: dict[str, tuple[str, JsonLike, bool]] = {
    "not-broadcastable": ("check_broadcast_suitability", {"can_broadcast": False}, False),
    "fee-too-low": (
        "check_broadcast_suitability",
        {"can_broadcast": True, "min_fee_rate": 10**6},
        False,
    ),
    "input-owned": ("check_inputs_not_owned", {"owned_outpoints": [SENDER_INPUT]}, True),
    "input-seen": ("check_no_inputs_seen_before", {"seen_outpoints": [SENDER_INPUT]}, True),
    "missing-payment": ("identify_receiver_outputs", {"receiver_scripts": []}, True),
}


@pytest.mark.parametrize("then", ["reply", "cancel"])
@pytest.mark.parametrize("name", sorted(REJECTIONS))
def test_a_rejection_is_replied_alike(both: dict[str, Client], name: str, then: str) -> None:
    method, answer, fallback = REJECTIONS[name]
    twins, reply = original_posted(both, f"reject/{name}/{then}")
    through_checks(twins, until=METHOD_OF[method])
    wallet_error = twins.call(method, **{k: "error" for k in answer if k != "min_fee_rate"})
    assert (wallet_error["outcome"], wallet_error["error"]["kind"]) == (
        "transient",
        "Error::Implementation",
    )
    rejected = twins.call(method, **answer)
    assert (rejected["outcome"], rejected["state"]) == ("replyable", "HasReplyableError")
    assert rejected["error"]["kind"] == "Error::Protocol"
    if then == "cancel":
        out = twins.call("cancel")
        expected = (
            ("progress", ['"Cancelled"']) if fallback else ("terminal", ['{"Closed":"Aborted"}'])
        )
        assert (out["outcome"], out["appended"]) == expected
        return
    replied, exchanges = twins.exchange()
    assert replied["state"] == ("PendingFallback" if fallback else "Closed")
    reply_json = twins.opened(exchanges, reply).rstrip(b"\0")
    assert json.loads(reply_json)["errorCode"] == "original-psbt-rejected"
    if fallback:
        assert twins.call("close")["appended"] == ['{"Closed":"Aborted"}']


# -- other senders ---------------------------------------------------------------------------------


def test_a_bip78_sender_runs_alike(both: dict[str, Client]) -> None:
    """A v1 request in the mailbox: output substitution off, the proposal PUT in plaintext."""
    twins, events, _ = fresh(both, "v1")
    put_plaintext(twins.mailbox, events, v1_request(PAYMENT.original))
    polled, _ = twins.exchange()
    retrieved = json.loads(polled["appended"][0])["RetrievedOriginalPayload"]
    assert retrieved["reply_key"] is None
    assert retrieved["original"]["params"]["output_substitution"] == "Disabled"
    progress(twins, "assume_interactive_receiver", "MaybeInputsOwned")
    for method, state in CHECKS[1:]:
        progress(twins, method, state, **ANSWERS[method])
    progress(twins, "apply_fee_range", "ProvisionalProposal")
    finalized = progress(twins, "finalize_proposal", "PayjoinProposal", signing_keys=[])
    posted, exchanges = twins.exchange()
    assert posted["state"] == "Monitor"
    puts = {(e.method, e.target, e.body) for e in exchanges.values()}
    assert puts == {
        ("PUT", exchanges["rust"].target, finalized["value"]["psbt"].encode()),
    }


def test_a_bip78_sender_is_refused_alike(both: dict[str, Client]) -> None:
    """No key to encrypt to: the error goes to the receiver's own mailbox as a generic
    plaintext ``unavailable``, whatever the check said."""
    twins, events, _ = fresh(both, "v1-rejected")
    put_plaintext(twins.mailbox, events, v1_request(PAYMENT.original))
    twins.exchange()
    progress(twins, "assume_interactive_receiver", "MaybeInputsOwned")
    rejected = twins.call("check_inputs_not_owned", owned_outpoints=[SENDER_INPUT])
    assert rejected["outcome"] == "replyable"
    replied, exchanges = twins.exchange()
    assert (replied["outcome"], replied["state"]) == ("progress", "PendingFallback")
    posts = {(e.method, e.mailbox, e.body) for e in exchanges.values()}
    assert len(posts) == 1
    ((method, mailbox, body),) = posts
    assert (method, body) == ("POST", b'{"errorCode":"unavailable","message":"Receiver error"}')
    assert (
        mailbox
        == exchanges["rust"].mailbox
        == format_short_id(short_id(receiver_public_key(events)))
    )


def test_a_legacy_sender_input_ends_the_watch_at_once(both: dict[str, Client]) -> None:
    """A P2SH-P2WPKH sender input: the payjoin txid cannot be tracked, so the first check for
    it closes the session as ``PayjoinProposalSent`` without asking the wallet."""
    twins, _ = original_posted(both, "legacy", legacy_original(PAYMENT))
    through_checks(twins)
    progress(twins, "apply_fee_range", "ProvisionalProposal")
    progress(twins, "finalize_proposal", "PayjoinProposal", signing_keys=[])
    twins.exchange()
    done = twins.call("check_for_transaction", found_txids="error")
    assert (done["outcome"], done["appended"]) == ("terminal", ['{"Closed":"PayjoinProposalSent"}'])


# -- Original payloads that end the session --------------------------------------------------------

NO_UTXO = replace(PAYMENT.original, inputs=(Input(),))
BAD_MESSAGE_A = {
    "not-utf8": b"\xc3\x28",
    "cut-sequence": b"ab\xe2\x82",
    "newline-only": b"\n",
    "unknown-version": v1_request(PAYMENT.original, "v=3"),
}
PLAINTEXT_BOXES = {
    "garbage": b"\xff" * 7168,
    "short": b"\xff" * 10,
    "no-newline": b"hello",
    "bad-base64": b"!!!\nv=1",
    "unknown-version": v1_request(PAYMENT.original, "v=3"),
    "input-without-utxo": v1_request(NO_UTXO),
    "bad-fee-rate": v1_request(PAYMENT.original, "v=1&minfeerate=abc"),
    "not-utf8": b"\xc3\x28",
}


def _sealed(events: list[str], payload: bytes) -> bytes:
    reply = KeyPair.from_secret(b"\x07" * 32)
    return messages.seal_message_a(
        payload, receiver_public_key(events), reply.public, rng=SeededRandom("message-a")
    )


@pytest.mark.parametrize(
    ("box", "sealed"),
    [(k, False) for k in PLAINTEXT_BOXES] + [(k, True) for k in BAD_MESSAGE_A],
    ids=[f"plain/{k}" for k in PLAINTEXT_BOXES] + [f"message-a/{k}" for k in BAD_MESSAGE_A],
)
def test_an_original_that_does_not_parse_ends_the_session_alike(
    both: dict[str, Client], box: str, sealed: bool
) -> None:
    twins, events, _ = fresh(both, f"bad/{box}/{sealed}")
    body = _sealed(events, BAD_MESSAGE_A[box]) if sealed else PLAINTEXT_BOXES[box]
    put_plaintext(twins.mailbox, events, body)
    out, _ = twins.exchange()
    assert (out["outcome"], out["appended"], out["closed"]) == (
        "fatal",
        ['{"Closed":"Aborted"}'],
        True,
    )
    assert out["error"]["kind"].startswith("ProtocolError::")


# -- the directory's faults ------------------------------------------------------------------------

FAULTS: dict[str, tuple[Fault | None, str]] = {
    "empty": (None, "stasis"),
    "5xx": (Status(503), "transient"),
    "short": (WrongSize(100), "transient"),
    "forged": (Corrupt(), "fatal"),
    "4xx": (Status(400), "fatal"),
}


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_a_poll_fault_is_handled_alike(both: dict[str, Client], name: str) -> None:
    fault, outcome = FAULTS[name]
    twins, _, _ = fresh(both, f"poll/{name}")
    out, _ = twins.exchange(*([] if fault is None else [fault]))
    assert out["outcome"] == outcome


POST_FAULTS: dict[str, tuple[Fault, str, str]] = {
    "5xx": (Status(503), "transient", "PayjoinProposal"),
    "4xx": (Status(400), "replyable", "PendingFallback"),
    "forged": (Corrupt(), "replyable", "PendingFallback"),
}


@pytest.mark.parametrize("name", sorted(POST_FAULTS))
def test_a_post_fault_is_handled_alike(
    both: dict[str, Client], contributed: tuple[dict[str, list[str]], Mailbox, str], name: str
) -> None:
    fault, outcome, state = POST_FAULTS[name]
    twins = resumed_at(both, contributed, "PayjoinProposal")
    out, _ = twins.exchange(fault)
    assert (out["outcome"], out["state"]) == (outcome, state)


# -- cancel, refusals ------------------------------------------------------------------------------

OPEN_STATES = [
    name
    for name in STATE_NAMES.values()
    if name not in ("HasReplyableError", "PendingFallback", "Closed")
]


@pytest.mark.parametrize("state", OPEN_STATES)
def test_cancel_and_close_are_alike_in_every_typestate(
    both: dict[str, Client], contributed: tuple[dict[str, list[str]], Mailbox, str], state: str
) -> None:
    twins = resumed_at(both, contributed, state)
    cancelled = twins.call("cancel")
    if state in ("Initialized", "UncheckedOriginalPayload"):
        assert (cancelled["outcome"], cancelled["appended"]) == (
            "terminal",
            ['{"Closed":"Aborted"}'],
        )
        return
    assert (cancelled["outcome"], cancelled["state"]) == ("progress", "PendingFallback")
    assert twins.call("close")["outcome"] == "terminal"


METHODS = [
    "check_broadcast_suitability",
    "assume_interactive_receiver",
    "check_inputs_not_owned",
    "check_no_inputs_seen_before",
    "identify_receiver_outputs",
    "commit_outputs",
    "contribute_inputs",
    "commit_inputs",
    "apply_fee_range",
    "finalize_proposal",
    "check_for_transaction",
    "close",
]


def test_methods_of_other_typestates_are_refused_alike(both: dict[str, Client]) -> None:
    twins, events, _ = fresh(both, "refusals")
    for method in METHODS:
        assert twins.call(method)["kind"] == "InvalidState", method
    assert twins.call("substitute_receiver_script")["reply"] == "unimplemented"
    assert twins.log()["events"] == events


def _coin(script: bytes) -> JsonLike:
    contribution = receiver_contribution(PAYMENT)
    (item,) = contribution["inputs"]
    return {**item, "txout": {**item["txout"], "script_pubkey": script.hex()}}


@pytest.mark.parametrize(
    ("inputs", "kind"),
    [
        (lambda: receiver_contribution(PAYMENT)["inputs"] * 2, "InputContributionError"),
        (lambda: [_coin(PAYMENT.receiver.script_pubkey(AddressKind.P2TR))], "PsbtInputError"),
        (lambda: [_coin(PAYMENT.receiver.script_pubkey(AddressKind.P2PKH))], "PsbtInputError"),
    ],
    ids=["duplicate", "p2tr", "p2pkh"],
)
def test_a_refused_contribution_is_transient_alike(
    both: dict[str, Client],
    contributed: tuple[dict[str, list[str]], Mailbox, str],
    inputs: Any,
    kind: str,
) -> None:
    twins = resumed_at(both, contributed, "WantsInputs")
    out = twins.call("contribute_inputs", inputs=inputs())
    assert (out["outcome"], out["state"], out["error"]["kind"]) == (
        "transient",
        "WantsInputs",
        kind,
    )
    accepted = twins.call("contribute_inputs", **receiver_contribution(PAYMENT))
    assert (accepted["outcome"], accepted["appended"]) == ("stasis", [])


def test_commit_inputs_differs_live_and_resumed_alike(both: dict[str, Client]) -> None:
    """Session-log note P11 on both implementations: without substitution the live
    ``WantsInputs`` keeps the Original's output maps (here a redeem script on the change), a
    resumed one rebuilds them empty, so ``CommittedInputs`` depends on a resume in between."""
    original = replace(PAYMENT.original, outputs=(Output(), Output(redeem_script=b"\x51")))
    twins, events, _ = fresh(both, "p11")
    put_plaintext(twins.mailbox, events, v1_request(original))
    twins.exchange()
    progress(twins, "assume_interactive_receiver", "MaybeInputsOwned")
    for method, state in CHECKS[1:5]:
        progress(twins, method, state, **ANSWERS[method])
    log = twins.log()["events"]
    live = progress(twins, "commit_inputs", "WantsFeeRange")["appended"]
    resumed = Twins.resume(twins.clients, log, twins.mailbox)
    after_resume = progress(resumed, "commit_inputs", "WantsFeeRange")["appended"]

    def psbt(texts: list[str]) -> Any:
        return json.loads(texts[0])["CommittedInputs"]["payjoin_psbt"]

    assert psbt(live)["outputs"][1]["redeem_script"] == "51"
    assert psbt(after_resume)["outputs"][1]["redeem_script"] is None
    assert psbt(live)["unsigned_tx"] == psbt(after_resume)["unsigned_tx"]
