"""Whole payjoin v2 sessions across implementations: every receiver (the reference's, and
rust-payjoin 1.0's in Docker) against every sender, through the harness's mailbox, along every
path of ``pjconf.harness.sessions.paths``: success with and without a receiver contribution, each
error reply, each cancel point, the directory's faults.

The driver checks every step against the effect-class table and against the outcome and state
payjoin 1.0 reaches there, so a completed run is itself the main assertion; the tests add what
the logs and replays must say at the end, and that the two receivers, given the same sender,
write the same log after ``Created`` byte for byte and report the same errors.

rust-payjoin reads its own clock and ignores seeds, so sessions expire an hour from now and
whatever depends on its draws (keys, the position of a contributed input) is compared by
structure.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from pjconf.harness.implementations.client import Client, InProcessClient
from pjconf.harness.implementations.docker import DockerClient
from pjconf.harness.sessions.drive import paths
from pjconf.harness.sessions.driver import (
    ROLES,
    Role,
    SessionConfig,
    SessionDriver,
    Transcript,
)
from pjconf.harness.sessions.paths import (
    CANCEL_POINTS,
    rejections,
    run_cancel,
    run_directory_faults,
    run_error_reply,
    run_success,
)
from pjconf.protocol.events import variant_name
from pjconf.reference.adapter.ops import reference_adapter
from pjconf.reference.adapter.payment import RECEIVER_COIN_VALUE as COIN_VALUE
from pjconf.reference.adapter.payment import payment, receiver_contribution
from pjconf.reference.bip77.directory import Mailbox
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.bitcoin.tx import Transaction
from pjconf.reference.entropy import SYSTEM_CLOCK

pytestmark = [pytest.mark.docker, pytest.mark.rust]

PAYMENT = payment("cross-sessions")
FALLBACK = PAYMENT.fallback_tx.serialize().hex()
IMPLEMENTATIONS = ("reference", "rust")
EXPIRATION = SYSTEM_CLOCK.now() + 3600


@pytest.fixture(scope="module")
def reference() -> Iterator[Client]:
    client = InProcessClient(reference_adapter(seed="cross-sessions"))
    yield client
    client.close()


def _pick(name: str, reference: Client, rust: DockerClient) -> Client:
    return rust if name == "rust" else reference


@pytest.fixture(params=IMPLEMENTATIONS)
def sender(request: pytest.FixtureRequest, reference: Client, rust: DockerClient) -> Client:
    return _pick(request.param, reference, rust)


@pytest.fixture(params=IMPLEMENTATIONS)
def receiver(request: pytest.FixtureRequest, reference: Client, rust: DockerClient) -> Client:
    return _pick(request.param, reference, rust)


def driver(
    sender: Client, receiver: Client, name: str, contribution: dict[str, Any] | None = None
) -> SessionDriver:
    config = SessionConfig(PAYMENT, EXPIRATION, seed=f"cross/{name}", contribution=contribution)
    return SessionDriver(sender, receiver, Mailbox.seeded(f"cross/{name}"), config)


def last_event(transcript: Transcript, role: Role) -> Any:
    return json.loads(transcript.logs[role].events[-1])


@pytest.mark.parametrize("contributes", [False, True], ids=["no-contribution", "contribution"])
def test_success(sender: Client, receiver: Client, contributes: bool) -> None:
    contribution = receiver_contribution(PAYMENT) if contributes else None
    transcript = run_success(driver(sender, receiver, "success", contribution))
    assert transcript.payjoin_tx is not None
    assert transcript.proposal_psbt is not None
    payjoin_tx = Transaction.deserialize(bytes.fromhex(transcript.payjoin_tx))
    # the receiver settled on the very transaction the sender signed from its checked proposal
    assert last_event(transcript, "receiver") == {"Closed": {"Success": payjoin_tx.txid_hex()}}
    finalized = next(s for s in transcript.steps if s.name == "receiver.finalize_proposal")
    receiver_proposal = Psbt.from_base64(finalized.result["value"]["psbt"])
    assert receiver_proposal.unsigned_tx.txid() == payjoin_tx.txid()
    assert list(last_event(transcript, "sender")["Closed"]) == ["Success"]
    for role in ROLES:
        replayed = transcript.replays[role]
        assert replayed is not None
        assert (replayed["state"], replayed["status"]) == ("Closed", "Completed")
    spent = sorted(str(i.previous_output) for i in payjoin_tx.inputs)
    coins = [i["outpoint"] for i in contribution["inputs"]] if contribution else []
    assert spent == sorted([*PAYMENT.sender_outpoints, *coins])
    paid = sum(o.value for o in payjoin_tx.outputs if o.script_pubkey == PAYMENT.receiver_script)
    if contributes:
        assert PAYMENT.amount < paid <= PAYMENT.amount + COIN_VALUE
    else:
        assert paid == PAYMENT.amount


@pytest.mark.parametrize("name", sorted(rejections(PAYMENT)))
def test_error_reply(sender: Client, receiver: Client, name: str) -> None:
    rejection = rejections(PAYMENT)[name]
    transcript = run_error_reply(driver(sender, receiver, name), rejection)
    replied = json.loads(transcript.logs["receiver"].events[-3 if rejection.fallback else -2])
    assert replied["GotReplyableError"]["error_code"] == "OriginalPsbtRejected"
    poll = next(s for s in reversed(transcript.steps) if s.name == "sender.poll")
    assert poll.result["error"]["kind"] == "ResponseError::WellKnown"
    check = next(s for s in transcript.steps if s.outcome == "replyable")
    assert check.result["error"]["kind"] == "Error::Protocol"
    assert last_event(transcript, "sender") == {"Closed": "Aborted"}
    assert last_event(transcript, "receiver") == {"Closed": "Aborted"}
    receiver_replay = transcript.replays["receiver"]
    assert receiver_replay is not None
    assert receiver_replay["fallback_tx"] == (FALLBACK if rejection.fallback else None)


@pytest.mark.parametrize("at", CANCEL_POINTS)
def test_cancel_then_fallback(sender: Client, receiver: Client, at: str) -> None:
    transcript = run_cancel(driver(sender, receiver, f"cancel/{at}"), at)
    keeps_fallback = at not in ("Initialized", "UncheckedOriginalPayload")
    receiver_replay, sender_replay = transcript.replays["receiver"], transcript.replays["sender"]
    assert receiver_replay is not None
    assert sender_replay is not None
    assert receiver_replay["fallback_tx"] == (FALLBACK if keeps_fallback else None)
    assert sender_replay["fallback_tx"] == FALLBACK  # what the sender broadcasts instead
    assert receiver_replay["status"] == sender_replay["status"] == "Failed"


def test_directory_faults(sender: Client, receiver: Client) -> None:
    transcript = run_directory_faults(driver(sender, receiver, "faults"))
    fatal = [s for s in transcript.steps if s.outcome == "fatal"]
    assert [s.name for s in fatal] == ["sender.poll", "receiver.poll"]
    assert "OHTTP Decapsulation" in fatal[0].result["error"]["message"]
    assert "404" in fatal[1].result["error"]["message"]
    kinds = [(s.name, s.result["error"]["kind"]) for s in transcript.steps if "error" in s.result]
    assert kinds == [
        ("receiver.poll", "ProtocolError::V2"),
        ("receiver.poll", "ProtocolError::V2"),
        ("sender.post_original", "DecapsulationError"),
        ("sender.poll", "ResponseError::Validation"),
        ("receiver.poll", "ProtocolError::V2"),
    ]


def _errors(transcript: Transcript) -> list[tuple[str, Any]]:
    return [(s.name, s.result["error"]) for s in transcript.steps if "error" in s.result]


DRAWN_BY_THE_RECEIVER = {"success_contributed"}
"""Paths where rust-payjoin draws something that reaches the log (a contributed input's
position); the test of contributions below compares those order-free."""


@pytest.mark.parametrize("name", sorted(set(paths(PAYMENT)) - DRAWN_BY_THE_RECEIVER))
def test_both_receivers_write_the_same_log_for_the_same_sender(
    reference: Client, rust: DockerClient, name: str
) -> None:
    """With the reference as the (seeded) sender, the two receivers walk the same path, report
    the same errors (kind and text), and write the same events after ``Created`` (their own
    keys) byte for byte: no draw of theirs reaches the log on these paths."""
    path = paths(PAYMENT)[name]
    ours, theirs = (path(driver(reference, receiver, name)) for receiver in (reference, rust))
    assert ours.path() == theirs.path()
    assert _errors(ours) == _errors(theirs)
    assert ours.logs["receiver"].events[1:] == theirs.logs["receiver"].events[1:]
    assert ours.logs["receiver"].closed == theirs.logs["receiver"].closed


def test_a_contribution_is_committed_alike_but_for_its_position(
    reference: Client, rust: DockerClient
) -> None:
    """rust-payjoin inserts a contributed input at a position it draws itself: the committed
    inputs and outputs are the same, only their order may differ."""
    contribution = receiver_contribution(PAYMENT)
    committed = []
    for receiver in (reference, rust):
        transcript = run_success(driver(reference, receiver, "position", contribution))
        events = [json.loads(e) for e in transcript.logs["receiver"].events]
        [inputs] = [e["CommittedInputs"] for e in events if "CommittedInputs" in e]
        assert [variant_name(e) for e in transcript.logs["receiver"].events][-1] == (
            "Closed/Success"
        )
        committed.append(inputs)
    ours, theirs = committed
    assert ours["receiver_inputs"] == theirs["receiver_inputs"]
    tx_ours, tx_theirs = (c["payjoin_psbt"]["unsigned_tx"] for c in committed)
    assert sorted(map(json.dumps, tx_ours["input"])) == sorted(map(json.dumps, tx_theirs["input"]))
    assert tx_ours["output"] == tx_theirs["output"]


def test_receiver_logs_replay_alike_in_both_implementations(
    reference: Client, rust: DockerClient
) -> None:
    """The log each receiver wrote in a whole session replays to the same state, status and
    fallback in the other implementation."""
    for receiver in (reference, rust):
        transcript = run_success(driver(reference, receiver, "receiver-replay"))
        log = transcript.logs["receiver"].events
        answers = [c.call("replay", {"role": "receiver", "events": log}) for c in (reference, rust)]
        fields = ("state", "status", "fallback_tx")
        ours, theirs = ({k: a.value[k] for k in fields} for a in answers)
        assert ours == theirs
        assert (ours["state"], ours["status"]) == ("Closed", "Completed")


def test_sender_logs_replay_alike_in_both_implementations(
    reference: Client, rust: DockerClient
) -> None:
    """The logs each sender wrote in a whole session replay to the same state, status and
    fallback in the other implementation."""
    for implementation in (reference, rust):
        transcript = run_success(driver(implementation, rust, "replay"))
        log = transcript.logs["sender"].events
        answers = [c.call("replay", {"role": "sender", "events": log}) for c in (reference, rust)]
        fields = ("state", "status", "fallback_tx")
        ours, theirs = ({k: a.value[k] for k in fields} for a in answers)
        assert ours == theirs


def test_both_senders_report_the_same_error_texts(reference: Client, rust: DockerClient) -> None:
    """payjoin prints a fixed text per well-known code and bitcoin-ohttp's AEAD text; the
    reference once printed the receiver's message and its own crypto text (fixed since)."""
    messages = []
    for implementation in (reference, rust):
        rejected = run_error_reply(
            driver(implementation, rust, "texts"), rejections(PAYMENT)["input_owned"]
        )
        faulty = run_directory_faults(driver(implementation, rust, "texts-faults"))
        messages.append(
            [s.result["error"]["message"] for t in (rejected, faulty) for s in t.steps
             if s.role == "sender" and "error" in s.result]
        )  # fmt: skip
    assert messages[0] == messages[1]
