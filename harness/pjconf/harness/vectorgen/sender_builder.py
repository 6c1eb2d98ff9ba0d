"""``session.new_sender`` given Originals and arguments the sender builder must judge.

Part of the ``transitions`` family's ``Builder`` group: the Original PSBT changed in one place
(a sighash type, an input without UTXO data or of no address type, outputs the fee contribution
cannot be taken from), the fee contribution without an index (payjoin finds the change itself),
a minimum fee rate whose contribution overflows. payjoin 1.0's answer is pinned under
``payjoin-1.0`` (its ``BuildSenderError`` kind and text); BIP 78 leaves most of these to the
sender (flag ``SenderBuilderChoice``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from pjconf.harness.vectorgen import CaseIds, Json, texts
from pjconf.reference.adapter.payment import Payment
from pjconf.reference.bitcoin.psbt import Input, Output, Psbt
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut

FLAG = "SenderBuilderChoice"
NOTES: dict[str, Json] = {
    FLAG: {
        "description": "session.new_sender with an Original or arguments payjoin 1.0's "
        "builder judges where BIP 78 leaves the sender free: a sighash type other than ALL on "
        "an input, an input without UTXO data or whose weight cannot be predicted, outputs "
        "that leave no change to take the fee contribution from (no output, only the payee's, "
        "two payee outputs, three outputs without an index), a minimum fee rate whose "
        "recommended contribution overflows. Refused with BuildSenderError (its text pinned "
        "under payjoin-1.0) or accepted.",
        "effect": "Under payjoin-1.0: a builder that accepts what payjoin refuses, refuses what "
        "it accepts, or says it in other words.",
    },
}

OP_TRUE = b"\x51"
P2TR = b"\x51\x20" + bytes(range(32))


def _input(psbt: Psbt, **changes: object) -> Psbt:
    return replace(psbt, inputs=(replace(psbt.inputs[0], **changes), *psbt.inputs[1:]))  # type: ignore[arg-type]


def _outputs(psbt: Psbt, txouts: list[TxOut]) -> Psbt:
    tx = replace(psbt.unsigned_tx, outputs=tuple(txouts))
    return replace(psbt, unsigned_tx=tx, outputs=tuple(Output() for _ in txouts))


def _with_second_change(psbt: Psbt, pay: Payment) -> Psbt:
    """The payee's output and the change split in two (100,000 and 48,000 sats)."""
    change = _change(pay)
    return _outputs(
        psbt, [_payee(pay), replace(change, value=100_000), replace(change, value=48_000)]
    )


def _second_input(psbt: Psbt, script: bytes) -> Psbt:
    """A second input of 10,000 sats paying ``script`` (its value added to the change)."""
    txin = TxIn(OutPoint(bytes(range(32)), 7), sequence=psbt.unsigned_tx.inputs[0].sequence)
    outs = list(psbt.unsigned_tx.outputs)
    outs[-1] = replace(outs[-1], value=outs[-1].value + 10_000)
    tx = replace(psbt.unsigned_tx, inputs=(*psbt.unsigned_tx.inputs, txin), outputs=tuple(outs))
    extra = Input(witness_utxo=TxOut(10_000, script), final_script_witness=(b"\x01",))
    return replace(psbt, unsigned_tx=tx, inputs=(*psbt.inputs, extra))


def _wrong_txid(psbt: Psbt) -> Psbt:
    spent = psbt.spent_utxo(0)
    other = Transaction(2, (TxIn(OutPoint(bytes(32), 0)),), (spent,), 0)
    return _input(psbt, non_witness_utxo=other)


Change = Callable[[Psbt, Payment], Psbt]


def _payee(pay: Payment) -> TxOut:
    return pay.original.unsigned_tx.outputs[0]


def _change(pay: Payment) -> TxOut:
    return pay.original.unsigned_tx.outputs[1]


ORIGINALS: dict[str, tuple[str, Change, Json | None]] = {
    "sighash_none": (
        "the Original's input asks SIGHASH_NONE",
        lambda p, _: _input(p, sighash_type=0x02),
        None,
    ),
    "sighash_all": (
        "the Original's input names SIGHASH_ALL",
        lambda p, _: _input(p, sighash_type=0x01),
        None,
    ),
    "sighash_default": (
        "the Original's input names SIGHASH_DEFAULT",
        lambda p, _: _input(p, sighash_type=0x00),
        None,
    ),
    "input_without_utxo": (
        "the Original's input has no UTXO data",
        lambda p, _: _input(p, witness_utxo=None),
        None,
    ),
    "input_without_utxo_with_contribution": (
        "the Original's input has no UTXO data, a fee contribution asked with the change's "
        "index (no weight predicted first)",
        lambda p, _: _input(p, witness_utxo=None),
        {"max_amount": 1000, "change_vout": 1},
    ),
    "non_witness_utxo_of_another_tx": (
        "the Original's input's non_witness_utxo is not the transaction its outpoint names",
        lambda p, _: _wrong_txid(p),
        None,
    ),
    "input_of_no_address_type": (
        "the Original's input spends a bare OP_TRUE (no weight can be predicted)",
        lambda p, _: _input(p, witness_utxo=TxOut(p.spent_utxo(0).value, OP_TRUE)),
        None,
    ),
    "second_input_of_no_address_type": (
        "a second input of the Original spends a bare OP_TRUE",
        lambda p, _: _second_input(p, OP_TRUE),
        None,
    ),
    "second_input_p2tr": (
        "a second input of the Original is P2TR (mixed input types)",
        lambda p, _: _second_input(p, P2TR),
        None,
    ),
    "no_inputs": (
        "the Original's transaction has no inputs",
        lambda p, _: replace(p, unsigned_tx=replace(p.unsigned_tx, inputs=()), inputs=()),
        None,
    ),
    "no_outputs": (
        "the Original's transaction has no outputs",
        lambda p, _: _outputs(p, []),
        None,
    ),
    "first_input_of_no_address_type": (
        "the Original's first input spends a bare OP_TRUE, its second is P2TR",
        lambda p, _: _input(
            _second_input(p, P2TR), witness_utxo=TxOut(p.spent_utxo(0).value, OP_TRUE)
        ),
        None,
    ),
    "payee_only": (
        "the Original has only the payee's output (nothing to contribute from)",
        lambda p, pay: _outputs(p, [_payee(pay)]),
        None,
    ),
    "payee_only_with_contribution": (
        "the Original has only the payee's output, a fee contribution asked without an index",
        lambda p, pay: _outputs(p, [_payee(pay)]),
        {"max_amount": 1000},
    ),
    "change_only_with_contribution": (
        "the Original has only a change output (no payee), a fee contribution asked without "
        "an index",
        lambda p, pay: _outputs(p, [_change(pay)]),
        {"max_amount": 1000},
    ),
    "change_first": (
        "the Original's change comes before the payee's output",
        lambda p, pay: _outputs(p, [_change(pay), _payee(pay)]),
        None,
    ),
    "change_first_with_contribution": (
        "the Original's change comes before the payee's output, a fee contribution asked "
        "without an index",
        lambda p, pay: _outputs(p, [_change(pay), _payee(pay)]),
        {"max_amount": 1000},
    ),
    "with_contribution_no_index": (
        "a fee contribution asked without an index (payjoin finds the change)",
        lambda p, _: p,
        {"max_amount": 1000},
    ),
    "contribution_above_change_no_index": (
        "a fee contribution larger than the change, asked without an index",
        lambda p, pay: p,
        {"max_amount": 148_001},
    ),
    "two_payee_outputs": (
        "the Original pays the payee's amount twice",
        lambda p, pay: _outputs(
            p, [_payee(pay), _payee(pay), replace(_change(pay), value=_change(pay).value - 50_000)]
        ),
        None,
    ),
    "three_outputs_with_contribution": (
        "the Original has a second change output, a fee contribution asked without an index",
        _with_second_change,
        {"max_amount": 1000},
    ),
    "three_outputs_recommended": (
        "the Original has a second change output; the builder picks the first for the fee",
        _with_second_change,
        None,
    ),
}
"""name -> (comment, the Original changed, fee_contribution or None for the recommended one)."""

URIS: dict[str, tuple[str, Callable[[str], str]]] = {
    "uri_question_mark_in_value": (
        "a pj URI whose first parameter's value holds a '?' (the query is cut at the first)",
        lambda uri: uri.replace("?", "?label=a?b&", 1),
    ),
    "uri_with_fragment": (
        "a pj URI ending in a '#' fragment after its pj parameter",
        lambda uri: uri + "#pjconf",
    ),
}
"""name -> (comment, the v2 URI rewritten)."""

MIN_FEE_RATES: dict[str, tuple[str, int]] = {
    "min_fee_rate_overflows": (
        "a minimum fee rate whose recommended contribution overflows u64",
        2**64 - 1,
    ),
}


def sender_builder_cases(
    ids: CaseIds, client_call: Callable[[str, Json], tuple[str, Json]], pay: Payment, uri: str
) -> list[Json]:
    """One ``session.new_sender`` case per entry of :data:`ORIGINALS` and :data:`MIN_FEE_RATES`,
    with the reference's verdict: its state, or its ``BuildSenderError`` (text pinned)."""
    base: Json = {"pj_uri": uri, "min_fee_rate": 1000}
    runs: list[tuple[str, Json]] = []
    for name, (comment, change, contribution) in ORIGINALS.items():
        args: Json = {**base, "psbt": change(pay.original, pay).to_base64()}
        if contribution is not None:
            args["fee_contribution"] = contribution
        runs.append((f"new_sender ({name}): {comment}", args))
    for name, (comment, rewrite) in URIS.items():
        args = {**base, "psbt": pay.original.to_base64(), "pj_uri": rewrite(uri)}
        runs.append((f"new_sender ({name}): {comment}", args))
    for name, (comment, rate) in MIN_FEE_RATES.items():
        args = {**base, "psbt": pay.original.to_base64(), "min_fee_rate": rate}
        runs.append((f"new_sender ({name}): {comment}", args))
    out = []
    for comment, args in runs:
        kind, value = client_call("session.new_sender", args)
        case: Json = {"tcId": ids(), "comment": comment, "flags": [FLAG]}
        if kind == "error":
            error = {"kind": value["kind"]}
            case = {**case, "result": "invalid", "op": "session.new_sender", "args": args}
            out.append(texts.with_text({**case, "error": error}, value["kind"], value["message"]))
            continue
        if kind != "result":
            raise AssertionError(f"{comment}: the reference answered {kind} {value}")
        client_call("session.drop", {"handle": value["handle"]})
        verdict = {"result": "valid", "op": "session.new_sender", "args": args}
        out.append({**case, **verdict, "expected": {"state": value["state"]}})
    return out
