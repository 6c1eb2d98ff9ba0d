"""The sender's error texts against rust-payjoin 1.0's: the builder and the proposal checks.

Every case is provoked in both implementations through the adapter protocol and the *whole*
message each reports is compared, with each other and with the text payjoin 1.0 prints
(``send/error.rs``, ``psbt/mod.rs``; rust-bitcoin 0.32's ``psbt::Error`` for the ``Psbt``
variant). Builder errors come from ``session.new_sender`` with a bad Original PSBT or pj URI.
Proposal errors come from a sender session whose poll the harness answers with a tampered
proposal: the harness plays the receiver (it holds the key of the pj URI it made), opens the
sender's message A for the reply key and seals message B itself into its mailbox.

Not provokable here: ``NoOutputs`` (the payee check runs first and says ``MissingPayeeOutput``),
``InconsistentOriginalPsbt`` (a PSBT's maps always match its transaction once parsed),
``DisallowedOutputSubstitution`` (the v2 sender ignores ``pjos``; only
``always_disable_output_substitution`` turns it off, which the protocol does not expose),
and ``InvalidAddressType`` (no check reaches it). ``Psbt``'s ``FeeOverflow`` is provoked (the
reference once summed amounts unbounded and let such a proposal through that step).
``session.whole``'s refusals are compared whole too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from pjconf.harness.implementations.client import Client, InProcessClient
from pjconf.harness.implementations.docker import DockerClient
from pjconf.protocol.wire import JsonObject
from pjconf.reference.adapter.ops import reference_adapter
from pjconf.reference.adapter.payment import payment
from pjconf.reference.adapter.session_whole import payment_args
from pjconf.reference.bip77 import messages
from pjconf.reference.bip77.directory import Mailbox
from pjconf.reference.bip77.short_id import short_id
from pjconf.reference.bip77.uri import PjParamV2, PjUri, format_uri
from pjconf.reference.bitcoin.encoding import sha256
from pjconf.reference.bitcoin.psbt import Input, Output, Psbt
from pjconf.reference.bitcoin.psbt_types import EcdsaSignature, KeySource
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from pjconf.reference.crypto.secp256k1 import KeyPair, public_key
from pjconf.reference.entropy import SYSTEM_CLOCK

pytestmark = [pytest.mark.docker, pytest.mark.rust]

SEED = "sender-error-texts"
PAYMENT = payment(SEED)
ORIGINAL = PAYMENT.original
PAYEE, CHANGE = 0, 1
"""The Original's outputs: the payment, then the sender's change."""
RECEIVER = KeyPair.from_secret(hashlib.sha256(f"{SEED}/receiver-key".encode()).digest())
EXPIRATION = SYSTEM_CLOCK.now() + 3600
RELAY = "https://relay.pjconf.test/"
MIN_FEE_RATE = 250
FUNDING = Transaction(
    2,
    (TxIn(OutPoint(sha256(f"{SEED}/sender-coin".encode()), 0)),),
    (ORIGINAL.inputs[0].witness_utxo or TxOut(0, b""),),
    0,
)
"""The transaction the Original's coin comes from (``session_payment.funding_coin``)."""
OTHER_TX = payment(f"{SEED}/other").fallback_tx
PK = public_key(bytes([0xCD] * 32), compressed=True)
KEY_SOURCE = KeySource(bytes(4), ())
SIG = EcdsaSignature(bytes.fromhex("3006020101020101"), 1)
INVALID = "The receiver sent an invalid response: proposal PSBT error: "


@pytest.fixture(scope="module")
def clients(rust: DockerClient) -> Iterator[dict[str, Client]]:
    reference = InProcessClient(reference_adapter(seed=SEED))
    yield {"reference": reference, "rust-payjoin": rust}
    reference.close()


def pj_uri(mailbox: Mailbox, *, amount: int = PAYMENT.amount, address: str = "") -> str:
    pj = PjParamV2(
        mailbox.directory,
        short_id(RECEIVER.public_compressed),
        RECEIVER.public_compressed,
        mailbox.key_config,
        EXPIRATION,
    )
    return format_uri(PjUri(address or PAYMENT.receiver_address, amount, pj))


def with_input(psbt: Psbt, index: int, **changes: Any) -> Psbt:
    inputs = list(psbt.inputs)
    inputs[index] = replace(inputs[index], **changes)
    return replace(psbt, inputs=tuple(inputs))


def with_txin(psbt: Psbt, index: int, **changes: Any) -> Psbt:
    txins = list(psbt.unsigned_tx.inputs)
    txins[index] = replace(txins[index], **changes)
    return replace(psbt, unsigned_tx=replace(psbt.unsigned_tx, inputs=tuple(txins)))


def with_tx(psbt: Psbt, **changes: Any) -> Psbt:
    return replace(psbt, unsigned_tx=replace(psbt.unsigned_tx, **changes))


def with_output_value(psbt: Psbt, index: int, delta: int) -> Psbt:
    outs = list(psbt.unsigned_tx.outputs)
    outs[index] = replace(outs[index], value=outs[index].value + delta)
    return with_tx(psbt, outputs=tuple(outs))


def add_output(psbt: Psbt, txout: TxOut) -> Psbt:
    psbt = with_tx(psbt, outputs=(*psbt.unsigned_tx.outputs, txout))
    return replace(psbt, outputs=(*psbt.outputs, Output()))


def add_input(psbt: Psbt, txin: TxIn, psbtin: Input) -> Psbt:
    psbt = with_tx(psbt, inputs=(*psbt.unsigned_tx.inputs, txin))
    return replace(psbt, inputs=(*psbt.inputs, psbtin))


def second_input(psbt: Psbt, psbtin: Input) -> Psbt:
    """The Original with a second input of the sender's (another outpoint)."""
    txin = replace(psbt.unsigned_tx.inputs[0], previous_output=OutPoint(OTHER_TX.txid(), 0))
    return add_input(psbt, txin, psbtin)


# -- the builder -----------------------------------------------------------------------------

CHANGE_SPK = ORIGINAL.unsigned_tx.outputs[CHANGE].script_pubkey
NO_UTXO = with_input(ORIGINAL, 0, witness_utxo=None)


def _debug_inputs_error(error: str) -> str:
    return f"PsbtInputsError {{\n    index: 0,\n    error: {error},\n}}"


BUILDER_CASES: list[tuple[str, Psbt, JsonObject, str]] = [
    (
        "MissingPayeeOutput",
        ORIGINAL,
        {"address": payment(f"{SEED}/other").receiver_address},
        "the output belonging to payee is missing from the original transaction",
    ),
    (
        "PayeeValueNotEqual",
        ORIGINAL,
        {"amount": PAYMENT.amount + 1},
        "the value in original transaction doesn't equal value requested in the payment link",
    ),
    (
        "MultiplePayeeOutputs",
        add_output(ORIGINAL, ORIGINAL.unsigned_tx.outputs[PAYEE]),
        {"fee_contribution": {"max_amount": 100, "change_vout": CHANGE}},
        "the original transaction has more than one output belonging to the payee",
    ),
    (
        "AmbiguousChangeOutput",
        add_output(ORIGINAL, TxOut(1000, CHANGE_SPK)),
        {"fee_contribution": {"max_amount": 100}},
        "can not determine which output is change because there's more than two outputs",
    ),
    (
        "ChangeIndexOutOfBounds",
        ORIGINAL,
        {"fee_contribution": {"max_amount": 100, "change_vout": 5}},
        "fee output index is points out of bounds",
    ),
    (
        "ChangeIndexPointsAtPayee",
        ORIGINAL,
        {"fee_contribution": {"max_amount": 100, "change_vout": PAYEE}},
        "fee output index is points at output belonging to the payee",
    ),
    (
        "FeeOutputValueLowerThanFeeContribution",
        ORIGINAL,
        {"fee_contribution": {"max_amount": 10**8, "change_vout": CHANGE}},
        "the value of fee output is lower than maximum allowed contribution",
    ),
    (
        "OriginalTxinNonAllSighashType",
        with_input(ORIGINAL, 0, sighash_type=0x02),
        {},
        "an input in the original transaction requests a sighash type other than SIGHASH_ALL",
    ),
    (
        "InvalidOriginalInput/MissingUtxoInformation",
        NO_UTXO,
        {"fee_contribution": {"max_amount": 100, "change_vout": CHANGE}},
        "an input in the original transaction is invalid: "
        + _debug_inputs_error("PrevTxOut(\n        MissingUtxoInformation,\n    )"),
    ),
    (
        "InvalidOriginalInput/IndexOutOfBounds",
        with_txin(
            with_input(ORIGINAL, 0, witness_utxo=None, non_witness_utxo=FUNDING),
            0,
            previous_output=OutPoint(FUNDING.txid(), 3),
        ),
        {"fee_contribution": {"max_amount": 100, "change_vout": CHANGE}},
        "an input in the original transaction is invalid: "
        + _debug_inputs_error(
            "PrevTxOut(\n        IndexOutOfBounds {\n            output_count: 1,\n"
            "            index: 3,\n        },\n    )"
        ),
    ),
    (
        "InvalidOriginalInput/UnequalTxid",
        with_input(ORIGINAL, 0, non_witness_utxo=OTHER_TX),
        {"fee_contribution": {"max_amount": 100, "change_vout": CHANGE}},
        "an input in the original transaction is invalid: " + _debug_inputs_error("UnequalTxid"),
    ),
    (
        "InvalidOriginalInput/SegWitTxOutMismatch",
        with_input(
            ORIGINAL,
            0,
            non_witness_utxo=FUNDING,
            witness_utxo=TxOut(1, CHANGE_SPK),
        ),
        {"fee_contribution": {"max_amount": 100, "change_vout": CHANGE}},
        "an input in the original transaction is invalid: "
        + _debug_inputs_error("SegWitTxOutMismatch"),
    ),
    (
        "NoInputs",
        replace(with_tx(ORIGINAL, inputs=()), inputs=()),
        {},
        "the original transaction has no inputs",
    ),
    (
        "InputWeight",
        NO_UTXO,
        {},
        "can not determine expected input weight: invalid address type",
    ),
    (
        "AddressType/PrevTxOut",
        second_input(ORIGINAL, Input()),
        {},
        "can not determine input address type: invalid previous transaction output",
    ),
    (
        "AddressType/FeeRateOverflow",
        ORIGINAL,
        {"min_fee_rate": 2**64 - 1},
        "can not determine input address type: fee rate overflow",
    ),
]


@pytest.mark.parametrize(
    ("psbt", "changes", "text"),
    [c[1:] for c in BUILDER_CASES],
    ids=[c[0] for c in BUILDER_CASES],
)
def test_builder_error_texts(
    clients: dict[str, Client], psbt: Psbt, changes: JsonObject, text: str
) -> None:
    mailbox = Mailbox.seeded(SEED)
    uri_args = {k: changes[k] for k in ("amount", "address") if k in changes}
    args: JsonObject = {
        "psbt": psbt.to_base64(),
        "pj_uri": pj_uri(mailbox, **uri_args),
        "min_fee_rate": changes.get("min_fee_rate", MIN_FEE_RATE),
    }
    if "fee_contribution" in changes:
        args["fee_contribution"] = changes["fee_contribution"]
    for name, client in clients.items():
        reply = client.call("session.new_sender", args)
        assert reply.kind == "error", (name, reply)
        assert (reply.value["kind"], reply.value["message"]) == ("BuildSenderError", text), name


# -- the proposal checks -----------------------------------------------------------------------


def proposal_base() -> Psbt:
    """The Original as a receiver that adds nothing would return it: signatures stripped."""
    inputs = tuple(
        replace(i, final_script_sig=None, final_script_witness=None, partial_sigs=())
        for i in ORIGINAL.inputs
    )
    return replace(ORIGINAL, inputs=inputs)


BASE = proposal_base()
RECEIVER_SPK = PAYMENT.receiver_script
RECEIVER_COIN = TxOut(100_000, RECEIVER_SPK)
RECEIVER_OUTPOINT = OutPoint(sha256(f"{SEED}/receiver-coin".encode()), 0)
RECEIVER_TXIN = TxIn(RECEIVER_OUTPOINT, sequence=BASE.unsigned_tx.inputs[0].sequence)
FINAL_WITNESS = (b"\x30" * 71, b"\x02" * 33)
TAPROOT_COIN = TxOut(100_000, b"\x51\x20" + b"\x11" * 32)


def receiver_input(txin: TxIn = RECEIVER_TXIN, **psbtin: Any) -> Callable[[Psbt], Psbt]:
    fields = {"witness_utxo": RECEIVER_COIN, "final_script_witness": FINAL_WITNESS, **psbtin}
    return lambda p: add_input(p, txin, Input(**fields))


Tamper = Callable[[Psbt], Psbt]
PROPOSAL_CASES: list[tuple[str, Tamper, str]] = [
    (
        "VersionsDontMatch",
        lambda p: with_tx(p, version=1),
        "proposed transaction version 1 doesn't match the original 2",
    ),
    (
        "LockTimesDontMatch",
        lambda p: with_tx(p, lock_time=800_000),
        "proposed transaction lock time 800000 doesn't match the original 0",
    ),
    (
        "SenderTxinSequenceChanged",
        lambda p: with_txin(p, 0, sequence=0xFFFFFFFF),
        "proposed transaction sequence number 4294967295 doesn't match the original 4294967293",
    ),
    (
        "TxInContainsKeyPaths",
        lambda p: with_input(p, 0, bip32_derivation=((PK, KEY_SOURCE),)),
        "proposed transaction inputs contain key paths",
    ),
    (
        "ContainsPartialSigs",
        lambda p: with_input(p, 0, partial_sigs=((PK, SIG),)),
        "an input in proposed transaction belonging to the sender contains partial signatures",
    ),
    (
        "SenderTxinContainsFinalScriptSig",
        lambda p: with_input(p, 0, final_script_sig=b"\x00"),
        "an input in proposed transaction belonging to the sender contains finalized "
        "non-witness signature",
    ),
    (
        "SenderTxinContainsFinalScriptWitness",
        lambda p: with_input(p, 0, final_script_witness=FINAL_WITNESS),
        "an input in proposed transaction belonging to the sender contains finalized witness "
        "signature",
    ),
    (
        "SenderTxinNonAllSighashType",
        lambda p: with_input(p, 0, sighash_type=0x81),
        "an input in proposed transaction belonging to the sender requests a sighash type other "
        "than SIGHASH_ALL",
    ),
    (
        "ReceiverTxinNotFinalized",
        receiver_input(final_script_witness=None),
        "an input in proposed transaction belonging to the receiver is not finalized",
    ),
    (
        "ReceiverTxinMissingUtxoInfo",
        receiver_input(witness_utxo=None),
        "an input in proposed transaction belonging to the receiver is missing UTXO information",
    ),
    (
        "MixedSequence",
        receiver_input(replace(RECEIVER_TXIN, sequence=0)),
        "inputs of proposed transaction contain mixed sequence numbers",
    ),
    (
        "MissingOrShuffledInputs",
        lambda p: receiver_input()(
            replace(with_tx(p, inputs=()), inputs=()),
        ),
        "proposed transaction is missing inputs of the sender or they are shuffled",
    ),
    (
        "TxOutContainsKeyPaths",
        lambda p: replace(
            p, outputs=(replace(p.outputs[0], bip32_derivation=((PK, KEY_SOURCE),)), p.outputs[1])
        ),
        "proposed transaction outputs contain key paths",
    ),
    (
        "FeeContributionExceedsMaximum",
        lambda p: with_output_value(p, CHANGE, -50_000),
        "fee contribution exceeds allowed maximum",
    ),
    (
        "MissingOrShuffledOutputs",
        lambda p: replace(with_tx(p, outputs=p.unsigned_tx.outputs[:1]), outputs=p.outputs[:1]),
        "proposed transaction is missing outputs of the sender or they are shuffled",
    ),
    (
        "AbsoluteFeeDecreased",
        lambda p: with_output_value(p, PAYEE, 1),
        "abslute fee of proposed transaction is lower than original",
    ),
    (
        "PayeeTookContributedFee",
        lambda p: with_output_value(with_output_value(p, CHANGE, -10), PAYEE, 10),
        "payee tried to take fee contribution for himself",
    ),
    (
        "FeeContributionPaysOutputSizeIncrease",
        lambda p: with_output_value(p, CHANGE, -10),
        "fee contribution pays for additional outputs",
    ),
    (
        "Psbt/NegativeFee",
        lambda p: with_output_value(p, CHANGE, 10**6),
        "psbt error: PSBT has a negative fee which is not allowed",
    ),
    (
        "Psbt/FeeOverflow",
        lambda p: with_output_value(
            p, CHANGE, 2**64 - 1 - p.unsigned_tx.outputs[CHANGE].value
        ),  # the outputs now sum past u64::MAX
        "psbt error: integer overflow in fee calculation",
    ),
    (
        "Psbt/PsbtUtxoOutOfbounds",
        receiver_input(
            replace(RECEIVER_TXIN, previous_output=OutPoint(OTHER_TX.txid(), 7)),
            witness_utxo=None,
            non_witness_utxo=OTHER_TX,
        ),
        "psbt error: output index is out of bounds of non witness script output array",
    ),
    (
        "PrevTxOut",
        receiver_input(
            replace(RECEIVER_TXIN, previous_output=OutPoint(OTHER_TX.txid(), 7)),
            non_witness_utxo=OTHER_TX,
        ),
        "missing previous txout information: index 7 out of bounds (number of outputs: "
        f"{len(OTHER_TX.outputs)})",
    ),
    (
        "InputWeight",
        receiver_input(
            witness_utxo=TAPROOT_COIN, final_script_witness=None, final_script_sig=b"\x00"
        ),
        "can not determine expected input weight: weight prediction not supported",
    ),
]


def _poll_answer(client: Client, mailbox: Mailbox, handle: str) -> JsonObject:
    request = client.call("session.request", {"handle": handle, "relay": RELAY})
    assert request.kind == "result", request
    answer = mailbox.handle(bytes.fromhex(request.value["body"]))
    reply = client.call(
        "session.response",
        {"handle": handle, "context": request.value["context"], "body": answer.hex()},
    )
    assert reply.kind == "result", reply
    value: JsonObject = reply.value
    return value


def proposal_error(
    client: Client, body: bytes, min_fee_rate: int = MIN_FEE_RATE, **extra: Any
) -> JsonObject:
    """Post the Original, answer the poll with message B of ``body``; the poll's error."""
    mailbox = Mailbox.seeded(SEED)
    args = {"psbt": ORIGINAL.to_base64(), "pj_uri": pj_uri(mailbox), "min_fee_rate": min_fee_rate}
    args.update(extra)
    started = client.call("session.new_sender", args)
    assert started.kind == "result", started
    handle = started.value["handle"]
    assert _poll_answer(client, mailbox, handle)["state"] == "PollingForProposal"
    message_a = mailbox.boxes[short_id(RECEIVER.public_compressed)]
    reply_pk, _ = messages.open_message_a(message_a, RECEIVER)
    mailbox.boxes[short_id(reply_pk)] = messages.seal_message_b(body, RECEIVER, reply_pk)
    out = _poll_answer(client, mailbox, handle)
    assert (out["outcome"], out["state"]) == ("fatal", "Closed"), out
    error: JsonObject = out["error"]
    return error


def test_the_untampered_proposal_passes(clients: dict[str, Client]) -> None:
    """The base every case tampers with is a proposal both senders accept."""
    for name, client in clients.items():
        mailbox = Mailbox.seeded(SEED)
        args = {"psbt": ORIGINAL.to_base64(), "pj_uri": pj_uri(mailbox), "min_fee_rate": 250}
        handle = client.call("session.new_sender", args).value["handle"]
        _poll_answer(client, mailbox, handle)
        message_a = mailbox.boxes[short_id(RECEIVER.public_compressed)]
        reply_pk, _ = messages.open_message_a(message_a, RECEIVER)
        body = messages.seal_message_b(BASE.serialize(), RECEIVER, reply_pk)
        mailbox.boxes[short_id(reply_pk)] = body
        out = _poll_answer(client, mailbox, handle)
        assert (out["outcome"], out["state"]) == ("terminal", "Closed"), (name, out)


@pytest.mark.parametrize(
    ("tamper", "text"), [c[1:] for c in PROPOSAL_CASES], ids=[c[0] for c in PROPOSAL_CASES]
)
def test_proposal_error_texts(clients: dict[str, Client], tamper: Tamper, text: str) -> None:
    body = tamper(BASE).serialize()
    for name, client in clients.items():
        error = proposal_error(client, body)
        assert (error["kind"], error["message"]) == (
            "ResponseError::Validation",
            INVALID + text,
        ), name


def test_fee_rate_below_minimum_text(clients: dict[str, Client]) -> None:
    """A sender asking 10 sat/vB gets back the Original's 2000 sat fee: below its minimum."""
    for name, client in clients.items():
        error = proposal_error(client, BASE.serialize(), min_fee_rate=10_000)
        assert error["message"] == (
            INVALID + "the fee rate of proposed transaction is below minimum"
        ), name


@pytest.mark.parametrize(
    ("body", "text"),
    [(b"garbage, not a PSBT", "invalid magic"), (b"psbt\x00", "invalid separator")],
    ids=["InvalidMagic", "InvalidSeparator"],
)
def test_unparsable_proposal_text(clients: dict[str, Client], body: bytes, text: str) -> None:
    for name, client in clients.items():
        error = proposal_error(client, body)
        assert error["message"] == INVALID + "psbt error: " + text, name


def test_no_inputs_in_original_text(clients: dict[str, Client]) -> None:
    """An Original without inputs builds with a fee contribution; any receiver input is then
    checked against "the first original input", which is missing."""
    original = replace(with_tx(ORIGINAL, inputs=()), inputs=())
    body = receiver_input()(replace(with_tx(BASE, inputs=()), inputs=())).serialize()
    for name, client in clients.items():
        error = proposal_error(
            client,
            body,
            psbt=original.to_base64(),
            fee_contribution={"max_amount": 100, "change_vout": CHANGE},
        )
        assert error["message"] == INVALID + "PSBT doesn't have any inputs", name


# -- session.whole's refusals ------------------------------------------------------------------

WHOLE = payment_args(PAYMENT, hashlib.sha256(f"{SEED}/gateway".encode()).digest())
WHOLE_REFUSALS: list[tuple[str, JsonObject, str]] = [
    (
        "Original does not pay the address",
        {**WHOLE, "address": payment(f"{SEED}/other").receiver_address},
        "build_recommended: the output belonging to payee is missing from the original transaction",
    ),
    (
        "coin not P2WPKH",
        {
            **WHOLE,
            "inputs": [
                {
                    **WHOLE["inputs"][0],
                    "txout": {"value": 1000, "script_pubkey": "5120" + "11" * 32},
                }
            ],
        },
        "contribution: provided script was not a valid type of p2wpkh",
    ),
    (
        "receiver cannot sign its coin",
        {**WHOLE, "receiver_wif": payment(f"{SEED}/other").receiver_wif},
        "sender poll: Fatal error: " + INVALID + "an input in proposed transaction belonging to "
        "the receiver is not finalized",
    ),
]


@pytest.mark.parametrize(
    ("args", "text"), [c[1:] for c in WHOLE_REFUSALS], ids=[c[0] for c in WHOLE_REFUSALS]
)
def test_session_whole_refusal_texts(
    clients: dict[str, Client], args: JsonObject, text: str
) -> None:
    for name, client in clients.items():
        reply = client.call("session.whole", args)
        assert (reply.kind, reply.value["kind"], reply.value["message"]) == (
            "error",
            "SessionFailed",
            text,
        ), name
