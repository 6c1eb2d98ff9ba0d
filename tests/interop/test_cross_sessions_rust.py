"""Whole payjoin v2 sessions across implementations: rust-payjoin 1.0's receiver (in Docker)
against the reference's sender and against rust-payjoin's own sender, through the harness's
mailbox, along the paths of ``pjconf.harness.session_paths``.

The driver checks every step against the effect-class table and against the outcome and state
payjoin 1.0 reaches there, so a completed run is itself the main assertion; the tests add what
the logs and replays must say at the end. The reference's receiver slots in by passing its client
as ``receiver`` once it is served.

rust-payjoin reads its own clock and ignores seeds, so sessions expire an hour from now and
transcripts are compared by structure, never byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from pjconf.harness.adapters.client import Client, InProcessClient
from pjconf.harness.adapters.docker import DockerClient
from pjconf.harness.adapters.reference import reference_adapter
from pjconf.harness.mailbox import Mailbox
from pjconf.harness.session_driver import (
    ROLES,
    Role,
    SessionConfig,
    SessionDriver,
    Transcript,
)
from pjconf.harness.session_paths import (
    CANCEL_POINTS,
    rejections,
    run_cancel,
    run_directory_faults,
    run_error_reply,
    run_success,
)
from pjconf.harness.session_payment import payment
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.bitcoin.tx import Transaction
from pjconf.reference.entropy import SYSTEM_CLOCK

pytestmark = [pytest.mark.docker, pytest.mark.rust]

PAYMENT = payment("cross-sessions")
FALLBACK = PAYMENT.fallback_tx.serialize().hex()
SENDERS = ("reference", "rust")


@pytest.fixture(scope="module")
def reference() -> Iterator[Client]:
    client = InProcessClient(reference_adapter(seed="cross-sessions"))
    yield client
    client.close()


@pytest.fixture(params=SENDERS)
def sender(request: pytest.FixtureRequest, reference: Client, rust: DockerClient) -> Client:
    return rust if request.param == "rust" else reference


def driver(sender: Client, receiver: Client, name: str) -> SessionDriver:
    config = SessionConfig(PAYMENT, SYSTEM_CLOCK.now() + 3600, seed=f"cross/{name}")
    return SessionDriver(sender, receiver, Mailbox.seeded(f"cross/{name}"), config)


def last_event(transcript: Transcript, role: Role) -> Any:
    return json.loads(transcript.logs[role].events[-1])


def test_success(sender: Client, rust: DockerClient) -> None:
    transcript = run_success(driver(sender, rust, "success"))
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


@pytest.mark.parametrize("name", sorted(rejections(PAYMENT)))
def test_error_reply(sender: Client, rust: DockerClient, name: str) -> None:
    rejection = rejections(PAYMENT)[name]
    transcript = run_error_reply(driver(sender, rust, name), rejection)
    replied = json.loads(transcript.logs["receiver"].events[-3 if rejection.fallback else -2])
    assert replied["GotReplyableError"]["error_code"] == "OriginalPsbtRejected"
    poll = next(s for s in reversed(transcript.steps) if s.name == "sender.poll")
    assert poll.result["error"]["kind"].startswith("ResponseError::")
    assert last_event(transcript, "sender") == {"Closed": "Aborted"}
    assert last_event(transcript, "receiver") == {"Closed": "Aborted"}
    receiver_replay = transcript.replays["receiver"]
    assert receiver_replay is not None
    assert receiver_replay["fallback_tx"] == (FALLBACK if rejection.fallback else None)


@pytest.mark.parametrize("at", CANCEL_POINTS)
def test_cancel_then_fallback(sender: Client, rust: DockerClient, at: str) -> None:
    transcript = run_cancel(driver(sender, rust, f"cancel/{at}"), at)
    keeps_fallback = at not in ("Initialized", "UncheckedOriginalPayload")
    receiver_replay, sender_replay = transcript.replays["receiver"], transcript.replays["sender"]
    assert receiver_replay is not None
    assert sender_replay is not None
    assert receiver_replay["fallback_tx"] == (FALLBACK if keeps_fallback else None)
    assert sender_replay["fallback_tx"] == FALLBACK  # what the sender broadcasts instead
    assert receiver_replay["status"] == sender_replay["status"] == "Failed"


def test_directory_faults(sender: Client, rust: DockerClient) -> None:
    transcript = run_directory_faults(driver(sender, rust, "faults"))
    fatal = [s for s in transcript.steps if s.outcome == "fatal"]
    assert [s.name for s in fatal] == ["sender.poll", "receiver.poll"]
    assert "OHTTP Decapsulation" in fatal[0].result["error"]["message"]
    assert "404" in fatal[1].result["error"]["message"]


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
