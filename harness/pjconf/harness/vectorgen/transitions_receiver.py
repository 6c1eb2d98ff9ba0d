"""The ``transitions`` family's receiver-edge cases: the receiver's checks and edits at their
boundaries, from live logs and from live logs with one event's payload edited.

The live logs hold one payment whose every check passes with room to spare, so an off-by-one in a
check, a fee split or a refusal of a wrong wallet answer never shows there. These cases call the
same methods at the edges: the Original's own fee rate as ``min_fee_rate`` and one sat/kwu more;
several receiver outputs; inputs ``new_p2wpkh`` must refuse and duplicate ones; fee ranges whose
maximum is exactly the fee and one below; the sender's fee contribution absent, short by one
satoshi, or naming an output it may not (one of the receiver's, or one past the last); and wallet
answers to ``finalize_proposal`` that change the transaction or sign a sender input.

An *edited* log is a live log with one payload changed (the Original's parameters, the owned
vouts, the committed outputs or PSBT), re-encoded with the reference's codec: a log payjoin 1.0
itself writes for another Original or another wallet (replay checks none of these payloads beyond
its three bounds checks). Every number is computed from the seed's own logs, so a fresh variant
has the same edges over other keys and coins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from pjconf.harness.vectorgen import CaseIds, Json
from pjconf.harness.vectorgen.session_logs import SessionLog
from pjconf.reference.adapter.payment import Payment, funding_coin, receiver_contribution
from pjconf.reference.adapter.receiver_wallet import sign_p2wpkh
from pjconf.reference.bitcoin.psbt import Input, Output, Psbt
from pjconf.reference.bitcoin.psbt_types import EcdsaSignature, TaprootSignature
from pjconf.reference.bitcoin.script import witness_script_pubkey
from pjconf.reference.bitcoin.tx import TxIn, TxOut
from pjconf.reference.bitcoin.wallet import AddressKind
from pjconf.reference.payjoin import receiver as common
from pjconf.reference.payjoin.units import fee_for, fee_rate, txout_weight
from pjconf.reference.session.json_codec import decode_receiver_event, encode_receiver_event
from pjconf.reference.session.receiver import events as ev

NOTES: dict[str, Json] = {
    "BroadcastFeeRateBoundary": {
        "description": "check_broadcast_suitability with min_fee_rate equal to the Original's "
        "own fee rate (sat/kwu, rounded down: accepted) and one more (PsbtBelowFeeRate, "
        "replyable), also when the wallet says it cannot broadcast (the fee rate is checked "
        "first); and over an edited Original whose outputs exceed its inputs (no fee: "
        "replyable).",
        "effect": "An off-by-one refuses a payment paying exactly the minimum, or takes one "
        "paying less (BIP 78: the receiver checks the Original's fee rate).",
    },
    "SeveralReceiverOutputs": {
        "description": "identify_receiver_outputs where the wallet owns both outputs, or only "
        "the one the sender meant as change: the owned vouts in order (the first is the change "
        "output payjoin adds to).",
        "effect": "A receiver that records only one of its outputs, or the wrong one, adds its "
        "inputs' value and takes its fee from an output that is not its own.",
    },
    "ContributionRefused": {
        "description": "contribute_inputs with an input InputPair::new_p2wpkh refuses (a "
        "scriptPubKey of another type or witness program length) or a duplicate (an input the "
        "Original already spends, or one coin twice): transient, nothing saved.",
        "effect": "A receiver that adds a coin it cannot sign as P2WPKH (or predicts the wrong "
        "weight for it), or spends an outpoint twice, builds a proposal no one can broadcast.",
    },
    "ContributionValue": {
        "description": "contribute_inputs after outputs that pay the receiver more than the "
        "Original did (an edited CommittedOutputs): a coin worth exactly the increase is "
        "accepted, one satoshi less is ValueTooLow; a zero-value coin with no increase is "
        "accepted.",
        "effect": "A receiver that pays its added outputs from the sender's money.",
    },
    "FeeRangeBoundary": {
        "description": "apply_fee_range with a maximum effective fee rate at which the receiver's "
        "fee is exactly the maximum fee (accepted) and one sat/kwu lower (FeeTooHigh, "
        "transient); minimum rates below and above the sender's minfeerate (the larger wins).",
        "effect": "A receiver that pays more fee than its wallet allowed, or refuses a range "
        "it meets.",
    },
    "SenderFeeContribution": {
        "description": "apply_fee_range over an edited Original whose sender offers no "
        "contribution, one satoshi less than the added input's fee, one satoshi, or a "
        "contribution naming an output it may not (one past the last, or one the receiver "
        "owns, which BIP 78 says to ignore): the sender's output pays min(offer, fee), the "
        "receiver's change the rest.",
        "effect": "A receiver that takes more than the sender offered, from the wrong output, "
        "or that pays what the sender offered to pay.",
    },
    "AddedOutputFee": {
        "description": "apply_fee_range over an edited committed PSBT with one more receiver "
        "output than the Original: the receiver's change also pays that output's weight at the "
        "minimum fee rate.",
        "effect": "A receiver that adds outputs without paying for them lowers the sender's "
        "fee rate below what it asked.",
    },
    "UnstableProposalTxid": {
        "description": "check_for_transaction over an edited log whose Original input has a "
        "scriptSig (a P2SH-wrapped or legacy spend): the payjoin's txid can change after the "
        "sender signs, so payjoin 1.0 closes at once with PayjoinProposalSent, without asking "
        "the wallet.",
        "effect": "Under payjoin-1.0: a receiver that watches for a txid that may never appear.",
    },
    "WrongSignedPsbt": {
        "description": "finalize_proposal with the wallet's signed_psbt answer wrong: the "
        "transaction changed (another ntxid), or a sender input carrying a final scriptSig, "
        "a final witness, a partial signature, a taproot key signature or a taproot script "
        "signature: payjoin 1.0 refuses (ImplementationError, transient, nothing saved).",
        "effect": "A receiver that sends the sender a proposal it did not check: another "
        "transaction, or one where its wallet signed (or forged) the sender's inputs.",
    },
}


class Caller(Protocol):
    """:class:`pjconf.harness.vectorgen.transitions._Caller`'s ``case``."""

    def case(
        self, ids: CaseIds, log: SessionLog, method: str, args: Json, flags: list[str]
    ) -> Json: ...


Edit = Callable[[ev.ReceiverEvent], ev.ReceiverEvent]


def _edited(log: SessionLog, what: str, edits: dict[type, Edit], *, drop: int = 0) -> SessionLog:
    """``log`` (its last ``drop`` events removed) with each event of a type in ``edits``
    replaced by that edit's result, re-encoded; ``what`` names the edit in the path."""
    events = [decode_receiver_event(text) for text in log.events]
    if drop:
        events = events[:-drop]
    out = []
    for event in events:
        edit = edits.get(type(event))
        out.append(encode_receiver_event(edit(event) if edit else event))
    return replace(log, path=f"{log.path}, edited: {what}", events=tuple(out))


def _event(log: SessionLog, kind: type[ev.ReceiverEvent]) -> ev.ReceiverEvent:
    return next(e for e in map(decode_receiver_event, log.events) if isinstance(e, kind))


def _original(log: SessionLog) -> common.OriginalPayload:
    event = _event(log, ev.RetrievedOriginalPayload)
    assert isinstance(event, ev.RetrievedOriginalPayload)
    return event.original


def _with_params(**changes: object) -> Edit:
    def edit(event: ev.ReceiverEvent) -> ev.ReceiverEvent:
        assert isinstance(event, ev.RetrievedOriginalPayload)
        params = replace(event.original.params, **changes)  # type: ignore[arg-type]
        return replace(event, original=replace(event.original, params=params))

    return edit


def _with_psbt(event: ev.ReceiverEvent, psbt: Psbt) -> ev.ReceiverEvent:
    assert isinstance(event, ev.RetrievedOriginalPayload)
    return replace(event, original=replace(event.original, psbt=psbt))


def _constant(value: ev.ReceiverEvent) -> Edit:
    return lambda _event: value


@dataclass(frozen=True)
class _Logs:
    """The live receiver logs these cases start from."""

    unchecked: SessionLog
    outputs_unknown: SessionLog
    wants_outputs: SessionLog
    wants_inputs: SessionLog
    wants_fee_range: SessionLog
    provisional: SessionLog
    monitor: SessionLog


def receiver_edge_cases(
    ids: CaseIds, caller: Caller, pay: Payment, logs: dict[tuple[str, str], SessionLog]
) -> dict[str, list[Json]]:
    """The groups, by name (each case flagged with one of :data:`NOTES`)."""
    live = _Logs(
        logs[("receiver", "UncheckedOriginalPayload")],
        logs[("receiver", "OutputsUnknown")],
        logs[("receiver", "WantsOutputs")],
        logs[("receiver", "WantsInputs")],
        logs[("receiver", "WantsFeeRange")],
        logs[("receiver", "ProvisionalProposal")],
        logs[("receiver", "Monitor")],
    )
    return {
        "ReceiverChecks": _checks(ids, caller, pay, live),
        "ReceiverContribution": _contribution(ids, caller, pay, live),
        "ReceiverFeeRange": _fee_range(ids, caller, live),
        "ReceiverFinalize": _finalize(ids, caller, pay, live),
        "ReceiverMonitor": _monitor(ids, caller, live),
    }


def _checks(ids: CaseIds, caller: Caller, pay: Payment, live: _Logs) -> list[Json]:
    original = _original(live.unchecked)
    rate = original.psbt_fee_rate()
    flag = ["BroadcastFeeRateBoundary"]
    cases = [
        caller.case(ids, live.unchecked, "check_broadcast_suitability",
                    {"can_broadcast": True, "min_fee_rate": rate}, flag),
        caller.case(ids, live.unchecked, "check_broadcast_suitability",
                    {"can_broadcast": True, "min_fee_rate": rate + 1}, flag),
        caller.case(ids, live.unchecked, "check_broadcast_suitability",
                    {"can_broadcast": False, "min_fee_rate": rate + 1}, flag),
    ]  # fmt: skip
    # Outputs worth more than the inputs: no fee rate to compare (payjoin 1.0: ParsePsbt).
    fee = original.psbt.fee()
    outputs = list(original.psbt.unsigned_tx.outputs)
    outputs[0] = replace(outputs[0], value=outputs[0].value + fee + 1)
    psbt = replace(
        original.psbt, unsigned_tx=replace(original.psbt.unsigned_tx, outputs=tuple(outputs))
    )
    negative = _edited(
        live.unchecked,
        "the Original's outputs exceed its inputs by 1 sat",
        {ev.RetrievedOriginalPayload: lambda e: _with_psbt(e, psbt)},
    )
    cases.append(
        caller.case(ids, negative, "check_broadcast_suitability", {"can_broadcast": True}, flag)
    )
    scripts = [o.script_pubkey.hex() for o in original.psbt.unsigned_tx.outputs]
    change = [s for s in scripts if s != pay.receiver_script.hex()]
    unknown = witness_script_pubkey(0, bytes(20)).hex()
    for answer in (scripts, change, [unknown, pay.receiver_script.hex()]):
        cases.append(
            caller.case(ids, live.outputs_unknown, "identify_receiver_outputs",
                        {"receiver_scripts": answer}, ["SeveralReceiverOutputs"])
        )  # fmt: skip
    owned = _event(live.wants_outputs, ev.IdentifiedReceiverOutputs)
    assert isinstance(owned, ev.IdentifiedReceiverOutputs)
    every = tuple(range(len(scripts)))
    both = _edited(
        live.wants_outputs,
        f"the receiver owns outputs {list(every)}",
        {ev.IdentifiedReceiverOutputs: _constant(replace(owned, owned_vouts=every))},
    )
    cases.append(caller.case(ids, both, "commit_outputs", {}, ["SeveralReceiverOutputs"]))
    return cases


def _coin(pay: Payment, tag: str, value: int, script: bytes | None = None) -> Json:
    """One ``inputs`` item: a coin of the receiver's wallet (or paying ``script``)."""
    item: Json = receiver_contribution(pay, value=value, tag=tag)["inputs"][0]
    if script is not None:
        item = {**item, "txout": {**item["txout"], "script_pubkey": script.hex()}}
    return item


def _contribution(ids: CaseIds, caller: Caller, pay: Payment, live: _Logs) -> list[Json]:
    coin = _coin(pay, "edge-coin", 100_000)
    sender_outpoint = pay.sender_outpoints[0]
    program = bytes(range(32))
    wrong_scripts = {
        "P2WSH (a 32-byte v0 program)": witness_script_pubkey(0, program),
        "P2TR (a 32-byte v1 program)": witness_script_pubkey(1, program),
        "a 20-byte v1 program": witness_script_pubkey(1, program[:20]),
        "a 21-byte v0 program": witness_script_pubkey(0, program[:21]),
        "P2PKH": pay.receiver.script_pubkey(AddressKind.P2PKH),
    }
    refused = ["ContributionRefused"]
    cases = [
        caller.case(ids, live.wants_inputs, "contribute_inputs",
                    {"inputs": [_coin(pay, f"edge-coin/{what}", 100_000, script)]}, refused)
        for what, script in wrong_scripts.items()
    ]  # fmt: skip
    cases += [
        caller.case(ids, live.wants_inputs, "contribute_inputs",
                    {"inputs": [{**coin, "outpoint": sender_outpoint}]}, refused),
        caller.case(ids, live.wants_inputs, "contribute_inputs", {"inputs": [coin, coin]},
                    refused),
        caller.case(ids, live.wants_inputs, "contribute_inputs",
                    {"inputs": [coin, _coin(pay, "edge-coin/other", 1)]}, ["Edit"]),
        caller.case(ids, live.wants_inputs, "contribute_inputs",
                    {"inputs": [_coin(pay, "edge-coin/zero", 0)]}, ["ContributionValue"]),
    ]  # fmt: skip
    committed = _event(live.wants_inputs, ev.CommittedOutputs)
    assert isinstance(committed, ev.CommittedOutputs)
    increase = 100_000
    outputs = list(committed.outputs)
    change = outputs[committed.change_vout]
    outputs[committed.change_vout] = replace(change, value=change.value + increase)
    raised = _edited(
        live.wants_inputs,
        f"CommittedOutputs pays the receiver {increase} sat more",
        {ev.CommittedOutputs: _constant(replace(committed, outputs=tuple(outputs)))},
    )
    for value in (increase, increase - 1):
        args = {"inputs": [_coin(pay, f"edge-coin/{value}", value)]}
        cases.append(caller.case(ids, raised, "contribute_inputs", args, ["ContributionValue"]))
    return cases


def _fee_range(ids: CaseIds, caller: Caller, live: _Logs) -> list[Json]:
    """Fee splits over the live WantsFeeRange log (one receiver input) and edits of it."""
    log = live.wants_fee_range
    original = _original(log)
    committed = _event(log, ev.CommittedInputs)
    assert isinstance(committed, ev.CommittedInputs)
    weight = sum(pair.expected_weight for pair in committed.receiver_inputs)
    params = original.params
    if params.additional_fee_contribution is None:
        raise AssertionError("the live payment's sender offers a fee contribution")
    offered, index = params.additional_fee_contribution
    cases: list[Json] = []
    boundary = ["FeeRangeBoundary"]
    # A minimum above the sender's: the sender pays its offer, the receiver the rest; the
    # maximum at which that rest is exactly the allowed fee, and one below.
    minimum = 2 * params.min_fee_rate
    receiver_fee = fee_for(weight, minimum) - min(offered, fee_for(weight, minimum))
    top = _lowest_rate(weight, receiver_fee)
    for maximum in (top, top - 1):
        args = {"min_fee_rate": minimum, "max_effective_fee_rate": maximum}
        cases.append(caller.case(ids, log, "apply_fee_range", args, boundary))
    below = {"min_fee_rate": params.min_fee_rate - 1, "max_effective_fee_rate": 10 * minimum}
    cases.append(caller.case(ids, log, "apply_fee_range", below, boundary))
    # Rates of 1 sat/kwu on both sides: the added input's fee is 1 sat, still the sender's.
    lowest = _edited(log, "the sender's minfeerate is 1 sat/kwu", {
        ev.RetrievedOriginalPayload: _with_params(min_fee_rate=1)})  # fmt: skip
    if fee_for(weight, 1) != 1:
        raise AssertionError("an input's fee at 1 sat/kwu is 1 sat")
    cases.append(caller.case(ids, lowest, "apply_fee_range", {"min_fee_rate": 1}, boundary))
    additional = fee_for(weight, params.min_fee_rate)
    contribution = ["SenderFeeContribution"]
    outputs = len(original.psbt.unsigned_tx.outputs)
    for what, offer in (
        ("no fee contribution", None),
        (f"a contribution of {additional - 1} sat, one less than the input's fee",
         (additional - 1, index)),
        ("a contribution of 1 sat", (1, index)),
        (f"the contribution naming output {outputs}, one past the last", (offered, outputs)),
    ):  # fmt: skip
        edited = _edited(log, what, {ev.RetrievedOriginalPayload: _with_params(
            additional_fee_contribution=offer)})  # fmt: skip
        args = {"max_effective_fee_rate": 10 * params.min_fee_rate}
        cases.append(caller.case(ids, edited, "apply_fee_range", args, contribution))
    owned = _event(log, ev.IdentifiedReceiverOutputs)
    assert isinstance(owned, ev.IdentifiedReceiverOutputs)
    both = tuple(sorted({*owned.owned_vouts, index}))
    edited = _edited(
        log,
        f"the receiver owns outputs {list(both)}, the contribution's too",
        {ev.IdentifiedReceiverOutputs: _constant(replace(owned, owned_vouts=both))},
    )
    args = {"max_effective_fee_rate": 10 * params.min_fee_rate}
    cases.append(caller.case(ids, edited, "apply_fee_range", args, contribution))
    # The sender's output script twice: its fee comes from the first output paying it.
    script = original.psbt.unsigned_tx.outputs[index].script_pubkey
    twin = TxOut(5_000, script)
    twice = _edited(log, "the Original pays the sender's output script twice", {
        ev.RetrievedOriginalPayload: lambda e: _add_output_to_original(e, twin),
        ev.CommittedOutputs: lambda e: _add_committed_output(e, twin),
        ev.CommittedInputs: lambda e: _add_committed_psbt_output(e, twin),
    })  # fmt: skip
    args = {"max_effective_fee_rate": 10 * params.min_fee_rate}
    cases.append(caller.case(ids, twice, "apply_fee_range", args, contribution))
    # One more output than the Original: its weight is paid from the receiver's change.
    psbt = committed.payjoin_psbt
    extra = TxOut(10_000, witness_script_pubkey(0, bytes(range(20))))
    wider = replace(
        psbt,
        unsigned_tx=replace(psbt.unsigned_tx, outputs=(*psbt.unsigned_tx.outputs, extra)),
        outputs=(*psbt.outputs, Output()),
    )
    edited = _edited(
        log,
        "the committed PSBT has one more output",
        {ev.CommittedInputs: _constant(replace(committed, payjoin_psbt=wider))},
    )
    minimum_fee = fee_for(weight + txout_weight(extra), params.min_fee_rate)
    top = _lowest_rate(weight + txout_weight(extra), minimum_fee - min(offered, additional))
    for maximum in (top, top - 1):
        cases.append(
            caller.case(
                ids,
                edited,
                "apply_fee_range",
                {"max_effective_fee_rate": maximum},
                ["AddedOutputFee"],
            )
        )
    return cases


def _plus_output(psbt: Psbt, txout: TxOut) -> Psbt:
    tx = replace(psbt.unsigned_tx, outputs=(*psbt.unsigned_tx.outputs, txout))
    return replace(psbt, unsigned_tx=tx, outputs=(*psbt.outputs, Output()))


def _add_output_to_original(event: ev.ReceiverEvent, txout: TxOut) -> ev.ReceiverEvent:
    assert isinstance(event, ev.RetrievedOriginalPayload)
    original = replace(event.original, psbt=_plus_output(event.original.psbt, txout))
    return replace(event, original=original)


def _add_committed_output(event: ev.ReceiverEvent, txout: TxOut) -> ev.ReceiverEvent:
    assert isinstance(event, ev.CommittedOutputs)
    return replace(event, outputs=(*event.outputs, txout))


def _add_committed_psbt_output(event: ev.ReceiverEvent, txout: TxOut) -> ev.ReceiverEvent:
    assert isinstance(event, ev.CommittedInputs)
    return replace(event, payjoin_psbt=_plus_output(event.payjoin_psbt, txout))


def _plus_input(psbt: Psbt, txin: TxIn, psbtin: Input) -> Psbt:
    tx = replace(psbt.unsigned_tx, inputs=(*psbt.unsigned_tx.inputs, txin))
    return replace(psbt, unsigned_tx=tx, inputs=(*psbt.inputs, psbtin))


def _lowest_rate(weight: int, fee: int) -> int:
    """The lowest rate (sat/kwu) whose fee for ``weight`` is at least ``fee``."""
    rate = fee_rate(fee, weight)
    while fee_for(weight, rate) < fee:
        rate += 1
    while rate > 0 and fee_for(weight, rate - 1) >= fee:
        rate -= 1
    return rate


def _finalize(ids: CaseIds, caller: Caller, pay: Payment, live: _Logs) -> list[Json]:
    """Wrong ``signed_psbt`` answers over the live ProvisionalProposal log."""
    log = live.provisional
    applied = _event(log, ev.AppliedFeeRange)
    assert isinstance(applied, ev.AppliedFeeRange)
    context = applied.context
    to_sign = context.psbt_to_sign()
    keys = [(pay.receiver.key(AddressKind.P2WPKH).signing_secret, True)]
    signed = sign_p2wpkh(to_sign, keys)
    sender = context.sender_input_indexes()
    if len(sender) != 1:
        raise AssertionError("the live proposal has one sender input")
    at = sender[0]
    flag = ["WrongSignedPsbt"]
    cases = [
        caller.case(ids, log, "finalize_proposal", {"signed_psbt": signed.to_base64()},
                    ["Accepts"]),
        caller.case(ids, log, "finalize_proposal",
                    {"signed_psbt": context.original_psbt.to_base64()}, flag),
    ]  # fmt: skip
    cases += _second_sender_input(ids, caller, pay, log, context)
    witness = context.original_psbt.inputs[0].final_script_witness
    if witness is None or len(witness) != 2:
        raise AssertionError("the live Original's input is a finalized P2WPKH spend")
    der_sig, public = witness
    ecdsa = EcdsaSignature(der_sig[:-1], der_sig[-1])
    schnorr = TaprootSignature(bytes(range(64)))
    leaf = (public[1:], bytes(32))
    for field, value in (
        ("final_script_witness", witness),
        ("final_script_sig", b"\x00"),
        ("partial_sigs", ((public, ecdsa),)),
        ("tap_key_sig", schnorr),
        ("tap_script_sigs", ((leaf, schnorr),)),
    ):
        tampered = _with_input(signed, at, field, value)
        cases.append(
            caller.case(ids, log, "finalize_proposal", {"signed_psbt": tampered.to_base64()},
                        flag)
        )  # fmt: skip
    return cases


def _with_input(psbt: Psbt, index: int, field: str, value: object) -> Psbt:
    inputs = list(psbt.inputs)
    inputs[index] = replace(inputs[index], **{field: value})  # type: ignore[arg-type]
    return replace(psbt, inputs=tuple(inputs))


def _second_sender_input(
    ids: CaseIds, caller: Caller, pay: Payment, log: SessionLog, context: common.ReceiverPsbtContext
) -> list[Json]:
    """The log edited so that the Original spends a second coin (the last input of the Original
    and of the proposal): finalize_proposal must strip both sender inputs' signatures before
    the wallet signs, and refuse a signature on either."""
    first = context.original_psbt.inputs[0]
    if first.witness_utxo is None or first.final_script_witness is None:
        raise AssertionError("the live Original's input is a finalized P2WPKH spend")
    txin, _ = funding_coin(pay.sender, 30_000, "edge-coin/second-sender-coin")
    txin = replace(txin, sequence=context.original_psbt.unsigned_tx.inputs[0].sequence)
    coin = replace(first, witness_utxo=replace(first.witness_utxo, value=30_000))
    original = _plus_input(context.original_psbt, txin, coin)
    proposal = _plus_input(context.payjoin_psbt, txin, coin)
    applied = ev.AppliedFeeRange(common.ReceiverPsbtContext(original, proposal))
    edited = _edited(log, "the Original spends a second sender coin", {
        ev.AppliedFeeRange: _constant(applied)})  # fmt: skip
    cases = [caller.case(ids, edited, "finalize_proposal", pay.wallet_answers()[
        "finalize_proposal"], ["Accepts"])]  # fmt: skip
    keys = [(pay.receiver.key(AddressKind.P2WPKH).signing_secret, True)]
    signed = sign_p2wpkh(applied.context.psbt_to_sign(), keys)
    for at in applied.context.sender_input_indexes():
        tampered = _with_input(signed, at, "final_script_witness", first.final_script_witness)
        args = {"signed_psbt": tampered.to_base64()}
        cases.append(caller.case(ids, edited, "finalize_proposal", args, ["WrongSignedPsbt"]))
    return cases


def _monitor(ids: CaseIds, caller: Caller, live: _Logs) -> list[Json]:
    """The Monitor log edited so that the Original's input carries a scriptSig."""
    applied = _event(live.monitor, ev.AppliedFeeRange)
    assert isinstance(applied, ev.AppliedFeeRange)
    original = _with_input(applied.context.original_psbt, 0, "final_script_sig", b"\x00")
    context = replace(applied.context, original_psbt=original)
    edited = _edited(live.monitor, "the Original's input has a scriptSig", {
        ev.AppliedFeeRange: _constant(replace(applied, context=context))})  # fmt: skip
    return [
        caller.case(ids, edited, "check_for_transaction", {"found_txids": []},
                    ["UnstableProposalTxid"])
    ]  # fmt: skip
