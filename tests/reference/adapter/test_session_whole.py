"""The reference's ``session.whole`` op: one complete payjoin session inside the adapter.

Driven through the protocol (``InProcessClient``) on a real payment (``session_payment``): the
happy session must end both logs in ``Closed(Success)`` with every transition saved, arguments
are refused before any work, and a session that cannot complete is ``SessionFailed`` naming the
step that refused (never a figure under ``bench``).
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from pjconf.harness.implementations.client import InProcessClient, Reply
from pjconf.protocol.wire import JsonObject
from pjconf.reference.adapter.bench_op import benchable
from pjconf.reference.adapter.ops import reference_adapter
from pjconf.reference.adapter.payment import payment
from pjconf.reference.adapter.session_whole import OP, payment_args

IKM = hashlib.sha256(b"session-whole gateway").digest()
PAYMENT = payment("session-whole")
OTHER = payment("session-whole/other")
ARGS = payment_args(PAYMENT, IKM)

RECEIVER_EVENTS = (
    "Created",
    "RetrievedOriginalPayload",
    "CheckedBroadcastSuitability",
    "CheckedInputsNotOwned",
    "CheckedNoInputsSeenBefore",
    "IdentifiedReceiverOutputs",
    "CommittedOutputs",
    "CommittedInputs",
    "AppliedFeeRange",
    "FinalizedProposal",
    "PostedPayjoinProposal",
    "Closed",
)
"""Every transition of the receiver's happy path saves one event (payjoin 1.0's
``receive/v2/session.rs``; contributing inputs is an edit, not a transition)."""
SENDER_EVENTS = ("Created", "PostedOriginalPsbt", "Closed")


def _client(seed: str = "session-whole") -> InProcessClient:
    return InProcessClient(reference_adapter(seed=seed))


def _result(reply: Reply) -> dict[str, Any]:
    assert reply.kind == "result", reply
    return reply.value


def test_a_whole_session_closes_both_logs_in_success() -> None:
    got = _result(_client().call(OP, ARGS))
    assert got["receiver"] == {
        "state": "Closed",
        "closed": True,
        "events": len(RECEIVER_EVENTS),
        "last_event": "Closed/Success",
    }
    assert got["sender"] == {
        "state": "Closed",
        "closed": True,
        "events": len(SENDER_EVENTS),
        "last_event": "Closed/Success",
    }
    # The monitor found the payjoin, not the fallback the sender could have broadcast.
    assert got["payjoin_txid"] != PAYMENT.fallback_tx.txid()[::-1].hex()


def test_a_seeded_adapter_repeats_its_session() -> None:
    first = _result(_client("same").call(OP, ARGS))
    again = _result(_client("same").call(OP, ARGS))
    assert first == again


def test_bench_times_whole_sessions() -> None:
    assert benchable(OP)
    assert not benchable("session.call")
    client = _client()
    answer = _result(client.call("bench", {"op": OP, "args": ARGS, "iterations": 2}))
    assert answer["iterations"] == 2
    assert answer["ns_total"] > 0
    direct = _result(client.call(OP, ARGS))
    assert {k: answer["result"][k] for k in ("receiver", "sender")} == {
        k: direct[k] for k in ("receiver", "sender")
    }


def _without(field: str) -> JsonObject:
    return {k: v for k, v in ARGS.items() if k != field}


REFUSED: list[tuple[str, JsonObject]] = [
    ("no original", _without("original")),
    ("original not a PSBT", {**ARGS, "original": "cHNidP8="}),
    ("address not an address", {**ARGS, "address": "bcrt1qnotanaddress"}),
    ("no contribution", _without("inputs")),
    ("receiver key not WIF", {**ARGS, "receiver_wif": "not-a-key"}),
    ("no sender key", _without("sender_wif")),
    ("short gateway IKM", {**ARGS, "gateway_ikm": IKM[:31].hex()}),
    ("no relay", _without("relay")),
    ("negative fee rate", {**ARGS, "min_fee_rate": -1}),
]


@pytest.mark.parametrize("args", [r[1] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_bad_arguments_are_refused(args: JsonObject) -> None:
    reply = _client().call(OP, args)
    assert (reply.kind, reply.value["kind"]) == ("error", "InvalidArgument"), reply


NOT_P2WPKH_COIN = {"value": 1000, "script_pubkey": "5120" + "11" * 32}
"""A P2TR coin: ``InputPair::new_p2wpkh`` refuses it."""

FAILED: list[tuple[str, JsonObject, str]] = [
    (
        "Original does not pay the address",
        {**ARGS, "address": OTHER.receiver_address},
        "build_recommended",
    ),
    (
        "coin not P2WPKH",
        {**ARGS, "inputs": [{**ARGS["inputs"][0], "txout": NOT_P2WPKH_COIN}]},
        "contribution",
    ),
    ("receiver cannot sign its coin", {**ARGS, "receiver_wif": OTHER.receiver_wif}, "sender poll"),
]


@pytest.mark.parametrize(("args", "step"), [f[1:] for f in FAILED], ids=[f[0] for f in FAILED])
def test_a_session_that_cannot_complete_names_its_step(args: JsonObject, step: str) -> None:
    client = _client()
    reply = client.call(OP, args)
    assert (reply.kind, reply.value["kind"]) == ("error", "SessionFailed"), reply
    assert reply.value["message"].startswith(f"{step}: ")
    benched = client.call("bench", {"op": OP, "args": args, "iterations": 1})
    assert (benched.kind, benched.value["kind"]) == ("error", "SessionFailed")
