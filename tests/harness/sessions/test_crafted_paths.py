"""Paths with a message written by hand, sender coins of other types, and what they catch."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from pjconf.harness.implementations.client import InProcessClient, Reply
from pjconf.harness.sessions.drive import crafted_paths, drive
from pjconf.protocol.wire import JsonObject
from pjconf.reference.adapter.crafted_sender import crafted_bodies, utxo_bodies
from pjconf.reference.adapter.ops import reference_adapter
from pjconf.reference.adapter.payment import SENDER_INPUT_KINDS, payment, sender_payment
from pjconf.reference.bitcoin.psbt import Psbt


def iut() -> InProcessClient:
    return InProcessClient(reference_adapter(seed="iut"))


def run(path: str, role: str, **extra: Any) -> Reply:
    return drive(iut(), {"iut_role": role, "path": path, "seed": "t", **extra})


def test_crafted_paths_are_named_by_what_they_send() -> None:
    heads = {n.split("/")[0] for n in crafted_paths(payment("x"))}
    assert heads == {
        "accepted_post",
        "truncated_context",
        "receiver_refuses",
        "receiver_undecodable",
        "receiver_accepts",
        "receiver_utxo",
        "sender_reads",
        "sender_checks",
    }


@pytest.mark.parametrize("kind", sorted(SENDER_INPUT_KINDS))
def test_the_sender_coin_is_of_the_named_type(kind: str) -> None:
    pay = payment("x", sender_input=kind)
    scripts = {
        "p2wpkh": "0014",
        "p2tr": "5120",
        "p2sh-p2wpkh": "a914",
        "p2pkh": "76a914",
    }
    inp = pay.original.inputs[0]
    spent = inp.witness_utxo or inp.non_witness_utxo.outputs[0]  # type: ignore[union-attr]
    assert spent.script_pubkey.hex().startswith(scripts[kind])
    assert pay.txid_stable is (kind in ("p2wpkh", "p2tr"))
    assert (inp.non_witness_utxo is not None) is (kind == "p2pkh")


@pytest.mark.parametrize("kind", ["p2sh-p2wpkh", "p2tr", "p2pkh"])
def test_a_payjoin_from_every_coin_type_completes(kind: str) -> None:
    reply = run("success_contributed", "sender", sender_input=kind)
    assert reply.kind == "result"
    assert reply.value["path"][-1] == ["sender.poll", "terminal", "Closed"]


def test_a_malleable_payjoin_leaves_the_receiver_in_monitor() -> None:
    reply = run("success", "receiver", sender_input="p2pkh")
    assert reply.value["path"][-1] == ["receiver.post_proposal", "progress", "Monitor"]
    assert reply.value["closed"] is False


def test_an_unknown_coin_type_is_no_drivable_case() -> None:
    assert run("success", "sender", sender_input="p2wsh").kind == "malfunction"


@pytest.mark.parametrize(
    "name", ["not_base64", "missing_utxo", "wrong_non_witness_utxo", "unknown_version"]
)
def test_the_receiver_closes_on_a_request_it_cannot_take(name: str) -> None:
    reply = run(f"receiver_refuses/{name}", "receiver")
    assert reply.value["path"][-1] == ["receiver.poll", "fatal", "Closed"]


def test_a_bip78_request_is_served() -> None:
    reply = run("receiver_accepts/bip78_request", "receiver")
    assert reply.value["path"][-1] == ["receiver.post_proposal", "progress", "Monitor"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("unavailable", "ResponseError::WellKnown"),
        ("version_unsupported", "ResponseError::WellKnown"),
        ("unknown_code", "ResponseError::Unrecognized"),
        ("not_json_nor_psbt", "ResponseError::Validation"),
        ("original_back", "ResponseError::Validation"),
    ],
)
def test_the_sender_reads_each_reply_as_its_kind(name: str, kind: str) -> None:
    reply = run(f"sender_reads/{name}", "sender", response_error=True)
    assert reply.value["response_error"] == {"kind": kind}
    assert reply.value["path"][-1] == ["sender.poll", "fatal", "Closed"]
    assert reply.value["closed"] is True


def test_without_the_argument_the_kind_is_not_reported() -> None:
    assert "response_error" not in run("sender_reads/unavailable", "sender").value


def test_a_truncated_context_is_refused_as_an_unknown_one() -> None:
    assert run("truncated_context", "receiver").kind == "result"


def test_an_implementation_that_crashes_on_a_truncated_context_fails() -> None:
    class Crashes(InProcessClient):
        issued: ClassVar[set[str]] = set()

        def call(self, op: str, args: JsonObject) -> Reply:
            reply = super().call(op, args)
            if op == "session.request" and reply.kind == "result":
                self.issued.add(str(reply.value["context"]))
            if op == "session.response" and str(args.get("context")) not in self.issued:
                return Reply("error", {"kind": "InternalError", "message": "boom"})
            return reply

    reply = drive(
        Crashes(reference_adapter(seed="iut")),
        {"iut_role": "receiver", "path": "truncated_context", "seed": "t"},
    )
    assert reply.kind == "error"
    assert "truncated context" in reply.value["message"]


def test_a_psbt_without_utxo_data_is_what_missing_utxo_sends() -> None:
    pay = payment("x")
    body = crafted_bodies(pay, payment("y"))["missing_utxo"].body
    psbt = Psbt.from_base64(body.split(b"\n")[0].decode())
    assert psbt.inputs[0].witness_utxo is None
    assert psbt.inputs[0].non_witness_utxo is None


def test_a_mixed_payment_spends_one_coin_of_each_named_type() -> None:
    pay = sender_payment("x", "p2wpkh+p2tr")
    spent = [i.witness_utxo.script_pubkey.hex()[:4] for i in pay.original.inputs]  # type: ignore[union-attr]
    assert spent == ["0014", "5120"]
    assert pay.original.fee() == 2_000


def test_mixed_coins_are_offered_a_p2tr_non_default_sighash_input_fee() -> None:
    """4 * (1-byte scriptSig length) + (65 + 1 + 1) witness + 160 outpoint and sequence."""
    reply = run("success", "sender", sender_input="p2wpkh+p2tr")
    created = reply.value["contents"][0]["Created"]
    assert created["psbt_ctx"]["fee_contribution"] == {"max_amount": 231, "vout": 1}
    assert reply.value["path"][-1] == ["sender.poll", "terminal", "Closed"]


def test_agreeing_utxo_fields_are_taken_by_the_receiver() -> None:
    reply = run("receiver_utxo/both_utxo_fields", "receiver")
    assert reply.value["path"][-1] == ["receiver.post_proposal", "progress", "Monitor"]


@pytest.mark.parametrize("name", ["segwit_txout_mismatch", "non_witness_utxo_vout_past_end"])
def test_contradicting_utxo_fields_close_the_receiver(name: str) -> None:
    reply = run(f"receiver_utxo/{name}", "receiver")
    assert reply.value["path"][-1] == ["receiver.poll", "fatal", "Closed"]
    assert reply.value["texts"]["steps"] == [
        [
            "receiver.poll",
            "ProtocolError::OriginalPayload",
            "Invalid original PSBT input UTXO: invalid PSBT input #0",
        ]
    ]


def test_utxo_bodies_carry_the_spent_transaction() -> None:
    pay = payment("x")
    for name, crafted in utxo_bodies(pay).items():
        psbt = Psbt.from_base64(crafted.body.decode().split("\n")[0])
        inp, txin = psbt.inputs[0], psbt.unsigned_tx.inputs[0]
        assert inp.non_witness_utxo is not None, name
        assert inp.non_witness_utxo.txid() == txin.previous_output.txid, name
