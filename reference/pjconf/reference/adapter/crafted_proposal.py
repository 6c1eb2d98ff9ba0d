"""The harness answering a sender with a tampered proposal: the reference receiver's own
proposal for the sender's Original, changed in one place, for each rule of BIP 78's sender
checklist (and payjoin 1.0's additions to it).

A conforming receiver never makes these proposals, so the sender's refusal of each (and its
acceptance of the changes BIP 78 allows) can only be reached by writing message B by hand:
the receiver runs its path up to ``PayjoinProposal``, its ``FinalizedProposal`` event gives the
proposal, one :class:`Tamper` changes it, and :func:`~.crafted_reply.seal_reply` seals it into the
sender's reply mailbox. The tampered PSBT is never re-signed: a BIP 78 sender checks the
receiver's inputs for being finalized, not for valid signatures.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace

from pjconf.reference.adapter.payment import Payment
from pjconf.reference.bitcoin.psbt import Input, Output, Psbt
from pjconf.reference.bitcoin.psbt_types import EcdsaSignature, KeySource
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from pjconf.reference.session.json_codec import decode_receiver_event
from pjconf.reference.session.receiver.events import FinalizedProposal

SENDER_INPUT = 0
"""The Original's one input; the receiver inserts its own before or after it."""
PAYEE, CHANGE = 0, 1
"""The Original's outputs: the payment, then the sender's change (the fee output)."""


def finalized_proposal(receiver_events: list[str]) -> Psbt:
    """The proposal PSBT a receiver's log holds (its ``FinalizedProposal`` event)."""
    for text in receiver_events:
        event = decode_receiver_event(text)
        if isinstance(event, FinalizedProposal):
            return event.psbt
    raise ValueError("the receiver's log has no FinalizedProposal event")


@dataclass(frozen=True)
class Tamper:
    """One change to the receiver's proposal and what the sender must do with it.

    ``contributed``: the receiver adds one P2WPKH coin (the change needs a receiver input);
    ``refused``: payjoin 1.0's sender refuses the proposal; ``open``: BIP 78's checklist does not
    fix the answer (payjoin 1.0 goes further, or less far, than the BIP); ``what`` says what was
    changed and which rule answers it.
    """

    change: Callable[[Psbt, Payment], Psbt]
    what: str
    refused: bool = True
    contributed: bool = False
    open: bool = False
    sender: tuple[tuple[str, object], ...] = ()
    """Fields of the sender's ``Created.psbt_ctx`` the harness rewrites before the Original is
    posted (``output_substitution``, ``fee_contribution``): settings payjoin's builder API has
    but no ``session.new_sender`` argument reaches."""
    min_fee_rate: int | None = None
    """The sender's ``min_fee_rate`` when not the session's default."""
    unchecked: bool = False
    """The proposal is the Original changed (the receiver fetched it but ran no check: it
    would not take this Original), not the receiver's own proposal."""
    fee_contribution: dict[str, int] | None = None
    """``session.new_sender``'s ``fee_contribution`` (None: the recommended one)."""
    original: Callable[[Psbt], Psbt] | None = None
    """The Original PSBT the sender is given instead of the payment's (its signature then
    signs another transaction, which neither party verifies before the payjoin is signed)."""

    utxo_forgotten: bool = False
    """After posting its Original, the sender is resumed from a log whose ``Created`` Original
    has lost its inputs' UTXO fields (a log its builder never writes)."""

    def sender_log(self, events: list[str]) -> list[str]:
        """The sender's log with :attr:`sender`'s fields written into its ``Created`` event
        (and with :attr:`utxo_forgotten`, its Original's UTXO fields cleared)."""
        if not self.sender and not self.utxo_forgotten:
            return events
        created = json.loads(events[0])
        context = created["Created"]["psbt_ctx"]
        context.update(dict(self.sender))
        if self.utxo_forgotten:
            for psbt_input in context["original_psbt"]["inputs"]:
                psbt_input.update(witness_utxo=None, non_witness_utxo=None)
        return [json.dumps(created, separators=(",", ":")), *events[1:]]

    def body(self, receiver_events: list[str], payment: Payment) -> bytes:
        """Message B's plaintext: the tampered proposal in BIP 174 binary."""
        base = payment.original if self.unchecked else finalized_proposal(receiver_events)
        return self.change(base, payment).serialize()


# -- the changes ---------------------------------------------------------------------------------


def _tx(psbt: Psbt, **changes: object) -> Psbt:
    return replace(psbt, unsigned_tx=replace(psbt.unsigned_tx, **changes))  # type: ignore[arg-type]


def _input(psbt: Psbt, index: int, **changes: object) -> Psbt:
    inputs = list(psbt.inputs)
    inputs[index] = replace(inputs[index], **changes)  # type: ignore[arg-type]
    return replace(psbt, inputs=tuple(inputs))


def _txin(psbt: Psbt, index: int, **changes: object) -> Psbt:
    txins = list(psbt.unsigned_tx.inputs)
    txins[index] = replace(txins[index], **changes)  # type: ignore[arg-type]
    return _tx(psbt, inputs=tuple(txins))


def _values(psbt: Psbt, *deltas: int) -> Psbt:
    """Each output's value plus its delta (outputs past the deltas unchanged)."""
    outs = list(psbt.unsigned_tx.outputs)
    for index, delta in enumerate(deltas):
        outs[index] = replace(outs[index], value=outs[index].value + delta)
    return _tx(psbt, outputs=tuple(outs))


def _outputs(psbt: Psbt, txouts: list[TxOut], maps: list[Output]) -> Psbt:
    return replace(_tx(psbt, outputs=tuple(txouts)), outputs=tuple(maps))


def _insert_output(psbt: Psbt, at: int, txout: TxOut) -> Psbt:
    txouts, maps = list(psbt.unsigned_tx.outputs), list(psbt.outputs)
    txouts.insert(at, txout)
    maps.insert(at, Output())
    return _outputs(psbt, txouts, maps)


def _move_input(psbt: Psbt, src: int, dst: int) -> Psbt:
    txins, maps = list(psbt.unsigned_tx.inputs), list(psbt.inputs)
    txins.insert(dst, txins.pop(src))
    maps.insert(dst, maps.pop(src))
    return replace(_tx(psbt, inputs=tuple(txins)), inputs=tuple(maps))


def _drop_input(psbt: Psbt, index: int) -> Psbt:
    txins, maps = list(psbt.unsigned_tx.inputs), list(psbt.inputs)
    del txins[index], maps[index]
    return replace(_tx(psbt, inputs=tuple(txins)), inputs=tuple(maps))


def _sender_key(payment: Payment) -> bytes:
    """The sender's public key, from the Original's witness (P2WPKH: signature, key)."""
    witness = payment.original.inputs[SENDER_INPUT].final_script_witness
    if not witness or len(witness) != 2:
        raise ValueError("the Original's input is no signed P2WPKH spend")
    return witness[1]


def _sender_signature(payment: Payment) -> EcdsaSignature:
    witness = payment.original.inputs[SENDER_INPUT].final_script_witness or (b"\x01",)
    return EcdsaSignature(witness[0][:-1], witness[0][-1])


def _key_path(payment: Payment) -> tuple[tuple[bytes, KeySource], ...]:
    return ((_sender_key(payment), KeySource(b"\x01\x02\x03\x04", (0x8000_0054, 0, 1))),)


def _mine(psbt: Psbt, payment: Payment) -> int:
    """The index of the sender's input in the proposal."""
    ours = payment.original.unsigned_tx.inputs[SENDER_INPUT].previous_output
    return [i.previous_output for i in psbt.unsigned_tx.inputs].index(ours)


def _theirs(psbt: Psbt, payment: Payment) -> int:
    """The index of the receiver's input (contributed proposals: the one that is not ours)."""
    return 1 - _mine(psbt, payment)


P2WSH_SCRIPT = b"\x00\x20" + bytes(range(32))
"""A P2WSH scriptPubKey: a type payjoin 1.0 predicts a weight for only from a witness."""
OP_TRUE_SCRIPT = b"\x51"
"""A bare script of no address type."""
BIG_OUTPUT_SCRIPT = b"\x6a\x4d\xf0\x01" + bytes(496)
"""A 500-byte OP_RETURN: 2,036 weight units of output that pay nothing."""


PROPOSAL_FEE_RATE = 4_424
"""The uncontributed proposal's fee rate as payjoin 1.0's sender measures it (sat/kwu): the
Original's 2,000 sat fee over the proposal's 452 weight units without the sender's witness."""
NO_SUBSTITUTION = (("output_substitution", "Disabled"),)
NO_FEE_CONTRIBUTION = (("fee_contribution", None),)


def tampered_proposals() -> dict[str, Tamper]:
    """Every tampered proposal, by name: ``version``, ``lock_time`` ... (see each ``what``)."""
    return {
        # basic checks
        "version": Tamper(
            lambda p, pay: _tx(p, version=1), "the transaction version changed (2 -> 1)"
        ),
        "lock_time": Tamper(
            lambda p, pay: _tx(p, lock_time=1), "the transaction lock time changed (0 -> 1)"
        ),
        # the sender's inputs
        "sender_sequence": Tamper(
            lambda p, pay: _txin(p, _mine(p, pay), sequence=0xFFFF_FFFE),
            "the sender's input sequence changed",
        ),
        "sender_input_key_path": Tamper(
            lambda p, pay: _input(p, _mine(p, pay), bip32_derivation=_key_path(pay)),
            "a key path (bip32_derivation) in the sender's input",
        ),
        "sender_partial_sig": Tamper(
            lambda p, pay: _input(
                p, _mine(p, pay), partial_sigs=((_sender_key(pay), _sender_signature(pay)),)
            ),
            "a partial signature in the sender's input",
        ),
        "sender_final_script_sig": Tamper(
            lambda p, pay: _input(p, _mine(p, pay), final_script_sig=b"\x00"),
            "a final scriptSig in the sender's input",
        ),
        "sender_sighash_none": Tamper(
            lambda p, pay: _input(p, _mine(p, pay), sighash_type=0x02),
            "SIGHASH_NONE asked of the sender's input (payjoin 1.0 refuses; BIP 78 is silent)",
            open=True,
        ),
        "sender_sighash_all": Tamper(
            lambda p, pay: _input(p, _mine(p, pay), sighash_type=0x01),
            "SIGHASH_ALL named on the sender's input: accepted",
            refused=False,
            open=True,
        ),
        "sender_sighash_default": Tamper(
            lambda p, pay: _input(p, _mine(p, pay), sighash_type=0x00),
            "SIGHASH_DEFAULT named on the sender's input: payjoin 1.0 accepts (it signs every "
            "input and output)",
            refused=False,
            open=True,
        ),
        "sender_input_dropped": Tamper(
            lambda p, pay: _drop_input(p, _mine(p, pay)),
            "the sender's input left out (only the receiver's remains)",
            contributed=True,
        ),
        "inputs_swapped": Tamper(
            lambda p, pay: _move_input(p, _theirs(p, pay), _mine(p, pay)),
            "the receiver's input and the sender's swapped: accepted (BIP 78 lets the "
            "receiver insert inputs anywhere)",
            refused=False,
            contributed=True,
        ),
        # the receiver's inputs
        "receiver_not_finalized": Tamper(
            lambda p, pay: _input(p, _theirs(p, pay), final_script_witness=None),
            "the receiver's input not finalized (its witness taken out)",
            contributed=True,
        ),
        "receiver_missing_utxo": Tamper(
            lambda p, pay: _input(p, _theirs(p, pay), witness_utxo=None),
            "the receiver's input without UTXO information",
            contributed=True,
        ),
        "receiver_mixed_sequence": Tamper(
            lambda p, pay: _txin(p, _theirs(p, pay), sequence=0xFFFF_FFFE),
            "the receiver's input with another sequence than the sender's",
            contributed=True,
        ),
        "input_key_path_receiver": Tamper(
            lambda p, pay: _input(p, _theirs(p, pay), bip32_derivation=_key_path(pay)),
            "a key path (bip32_derivation) in the receiver's input",
            contributed=True,
        ),
        "receiver_input_sender_script": Tamper(
            lambda p, pay: _receiver_spends(p, pay, _sender_script(pay)),
            "the receiver's input spending the sender's own script: payjoin 1.0 counts no "
            "input weight for it, so the fee contribution pays for nothing (BIP 78 counts inputs)",
            open=True,
            contributed=True,
        ),
        "receiver_input_p2wsh_no_witness": Tamper(
            lambda p, pay: _input(
                p,
                _theirs(p, pay),
                witness_utxo=TxOut(_spent(p, _theirs(p, pay)).value, P2WSH_SCRIPT),
                final_script_witness=None,
                final_script_sig=b"\x00",
            ),
            "the receiver's input a P2WSH coin finalized without a witness: its weight cannot "
            "be predicted (and it mixes input types)",
            contributed=True,
        ),
        "receiver_input_unknown_type": Tamper(
            lambda p, pay: _receiver_spends(p, pay, OP_TRUE_SCRIPT),
            "the receiver's input a coin of no address type (bare OP_TRUE; it mixes input types)",
            contributed=True,
        ),
        "receiver_utxo_out_of_bounds": Tamper(
            lambda p, pay: _input(
                p,
                _theirs(p, pay),
                non_witness_utxo=Transaction(2, (TxIn(OutPoint(bytes(32), 0)),), (), 0),
            ),
            "the receiver's input with a witness UTXO and a non_witness_utxo that has no "
            "output at its vout (payjoin 1.0 reads the latter and refuses)",
            open=True,
            contributed=True,
        ),
        # the outputs
        "output_key_path": Tamper(
            lambda p, pay: replace(
                p,
                outputs=(
                    replace(p.outputs[PAYEE], bip32_derivation=_key_path(pay)),
                    *p.outputs[1:],
                ),
            ),
            "a key path (bip32_derivation) in an output",
        ),
        "fee_contribution_above_max": Tamper(
            lambda p, pay: _values(p, 0, -1),
            "the change lowered one sat past the sender's maximum fee contribution",
            contributed=True,
        ),
        "fee_contribution_for_outputs": Tamper(
            lambda p, pay: _values(p, 0, -200),
            "the change lowered by 200 sats (within the maximum) with no input added: the "
            "contribution pays for no input",
        ),
        "payee_took_fee": Tamper(
            lambda p, pay: _values(p, 200, -200),
            "200 sats moved from the change to the payee: the contribution pays no fee",
        ),
        "absolute_fee_decreased": Tamper(
            lambda p, pay: _values(p, 1_000),
            "the payee's output raised by 1,000 sats: the absolute fee drops below the Original's",
        ),
        "negative_fee": Tamper(
            lambda p, pay: _values(p, 5_000),
            "the payee's output raised by 5,000 sats: outputs exceed inputs",
        ),
        "outputs_swapped": Tamper(
            lambda p, pay: _outputs(
                p, list(reversed(p.unsigned_tx.outputs)), list(reversed(p.outputs))
            ),
            "the payee and change outputs swapped",
        ),
        "change_dropped": Tamper(
            lambda p, pay: _outputs(p, list(p.unsigned_tx.outputs[:1]), list(p.outputs[:1])),
            "the sender's change output left out",
        ),
        "fee_rate_below_minimum": Tamper(
            lambda p, pay: _insert_output(p, 2, TxOut(0, BIG_OUTPUT_SCRIPT)),
            "a 500-byte output of 0 sats added: the fee rate falls below the sender's minimum",
        ),
        "payee_decreased": Tamper(
            lambda p, pay: _values(p, -1_000),
            "the payee's output lowered by 1,000 sats (more fee): accepted, output "
            "substitution being enabled",
            refused=False,
            open=True,
        ),
        "payee_substituted": Tamper(
            lambda p, pay: _tx(
                p,
                outputs=(
                    TxOut(p.unsigned_tx.outputs[PAYEE].value, P2WSH_SCRIPT),
                    *p.unsigned_tx.outputs[1:],
                ),
            ),
            "the payee's output paid to another script: accepted, output substitution being "
            "enabled",
            refused=False,
            open=True,
        ),
        # settings no new_sender argument reaches: the sender's log rewritten before it posts
        "no_substitution_payee_decreased": Tamper(
            lambda p, pay: _values(p, -1_000),
            "output substitution disabled, the payee's output lowered by 1,000 sats",
            sender=NO_SUBSTITUTION,
        ),
        "no_substitution_payee_substituted": Tamper(
            lambda p, pay: _tx(
                p,
                outputs=(
                    TxOut(p.unsigned_tx.outputs[PAYEE].value, P2WSH_SCRIPT),
                    *p.unsigned_tx.outputs[1:],
                ),
            ),
            "output substitution disabled, the payee's output paid to another script",
            sender=NO_SUBSTITUTION,
        ),
        "no_substitution_untouched": Tamper(
            lambda p, pay: p,
            "output substitution disabled, the payee's output as it was: accepted",
            refused=False,
            sender=NO_SUBSTITUTION,
        ),
        "no_substitution_contributed": Tamper(
            lambda p, pay: p,
            "output substitution disabled, the receiver's coin added to the payee's output: "
            "accepted",
            refused=False,
            contributed=True,
            sender=NO_SUBSTITUTION,
        ),
        "no_fee_contribution_change_decreased": Tamper(
            lambda p, pay: _values(p, 0, -100),
            "no fee contribution offered, the change lowered by 100 sats",
            sender=NO_FEE_CONTRIBUTION,
        ),
        "no_fee_contribution_untouched": Tamper(
            lambda p, pay: p,
            "no fee contribution offered, the proposal as the receiver made it: accepted",
            refused=False,
            sender=NO_FEE_CONTRIBUTION,
        ),
        "fee_rate_at_minimum": Tamper(
            lambda p, pay: p,
            "the sender's minimum fee rate exactly the proposal's (4,424 sat/kwu, payjoin 1.0 "
            "weighing it without the sender's signatures): accepted",
            refused=False,
            open=True,
            min_fee_rate=PROPOSAL_FEE_RATE,
        ),
        "fee_rate_one_below_minimum": Tamper(
            lambda p, pay: p,
            "the sender's minimum fee rate one sat/kwu above the proposal's",
            open=True,
            min_fee_rate=PROPOSAL_FEE_RATE + 1,
        ),
        # Originals whose fee output the builder must find (its choice is in the sender's log)
        "original_change_first": Tamper(
            lambda p, pay: p,
            "the Original's change before the payee's output: the fee contribution is taken "
            "from output 0; accepted",
            refused=False,
            original=lambda o: _original_outputs(o, [1, 0]),
        ),
        "original_two_changes": Tamper(
            lambda p, pay: p,
            "the Original with two change outputs: the fee contribution is taken from the "
            "first; accepted",
            refused=False,
            original=_two_changes,
        ),
        "original_payee_only": Tamper(
            lambda p, pay: p,
            "the Original pays only the payee (the rest is fee): no fee contribution offered; "
            "accepted",
            refused=False,
            original=lambda o: _original_outputs(o, [0]),
        ),
        "original_mixed_input_types": Tamper(
            lambda p, pay: p,
            "the Original spends a second, P2TR coin: the contribution offered is the weight "
            "of payjoin's largest input type; accepted",
            refused=False,
            original=_second_p2tr_input,
        ),
        "min_fee_rate_zero": Tamper(
            lambda p, pay: p,
            "no minimum fee rate: a fee contribution of 0 offered, the rate unchecked; accepted",
            refused=False,
            min_fee_rate=0,
        ),
        "contribution_clamped": Tamper(
            lambda p, pay: p,
            "a minimum fee rate whose recommended contribution exceeds the change: the whole "
            "change offered; the proposal then refused for its fee rate",
            min_fee_rate=600_000,
        ),
        "sender_utxo_stripped": Tamper(
            lambda p, pay: _input(p, _mine(p, pay), witness_utxo=None),
            "the sender's input without its witness UTXO, as BIP 78 has the receiver send it: "
            "accepted, the sender putting its own back",
            refused=False,
        ),
        "original_with_key_paths": Tamper(
            lambda p, pay: p,
            "the Original's input and outputs carry key paths (the sender strips them before "
            "posting): accepted, the sender putting them back",
            refused=False,
            original=_with_key_paths,
        ),
        "fee_contribution_one_sat_for_outputs": Tamper(
            lambda p, _: _values(p, 0, -1),
            "the change lowered by 1 sat with no input added: the contribution pays for no input",
        ),
        "receiver_non_witness_utxo_out_of_bounds": Tamper(
            lambda p, pay: _input(
                p,
                _theirs(p, pay),
                witness_utxo=None,
                non_witness_utxo=Transaction(2, (TxIn(OutPoint(bytes(32), 0)),), (), 0),
            ),
            "the receiver's input with only a non_witness_utxo that has no output at its vout",
            contributed=True,
        ),
        "contribution_without_index": Tamper(
            lambda p, pay: p,
            "a fee contribution of at most 500 sats offered without naming the output: the "
            "sender takes the change; accepted",
            refused=False,
            fee_contribution={"max_amount": 500},
        ),
        "original_without_inputs": Tamper(
            lambda p, _: _with_receiver_input(p),
            "an Original without inputs (the builder takes it when the fee output is named), "
            "answered with one receiver input: a proposal with none of the sender's inputs",
            unchecked=True,
            fee_contribution={"max_amount": 1000, "change_vout": 1},
            original=lambda o: replace(o, unsigned_tx=replace(o.unsigned_tx, inputs=()), inputs=()),
        ),
        "original_mixed_sequences": Tamper(
            lambda p, _: _with_receiver_input(_unsigned(p)),
            "an Original whose two inputs have different sequences, answered with a receiver "
            "input of the first one's: payjoin 1.0 compares with the first and accepts (BIP 78 "
            "asks every input to share one sequence)",
            refused=False,
            open=True,
            unchecked=True,
            original=_second_sender_input,
        ),
        "sender_forgot_its_utxo": Tamper(
            lambda p, _: p,
            "the sender resumed, after posting, from a log whose Original lost its UTXO "
            "fields: the proposal's fee cannot be computed once they are put back",
            open=True,
            utxo_forgotten=True,
        ),
        "original_two_inputs_utxo_stripped": Tamper(
            _strip_sender_utxos,
            "the Original spends two coins; the proposal returns both without their witness "
            "UTXOs (BIP 78's form): accepted, the sender putting each back",
            refused=False,
            original=_second_p2tr_input,
        ),
        "min_fee_rate_zero_huge_input": Tamper(
            lambda p, pay: _receiver_value(p, pay, 10**17),
            "no minimum fee rate, a receiver input of 10^17 sats (a fee whose rate in sat/kwu "
            "overflows u64): accepted, the rate never computed",
            refused=False,
            open=True,
            contributed=True,
            min_fee_rate=0,
        ),
        "receiver_output_inserted": Tamper(
            lambda p, pay: _insert_output(_values(p, -10_000), 1, TxOut(10_000, P2WSH_SCRIPT)),
            "a receiver output inserted between the payee and the change, paid from the "
            "payee's: accepted",
            refused=False,
        ),
    }


def _original_outputs(original: Psbt, order: list[int]) -> Psbt:
    """The Original with only the outputs ``order`` names, in that order."""
    txouts = [original.unsigned_tx.outputs[i] for i in order]
    return _outputs(original, txouts, [original.outputs[i] for i in order])


def _two_changes(original: Psbt) -> Psbt:
    payee, change = original.unsigned_tx.outputs
    first = replace(change, value=100_000)
    second = replace(change, value=change.value - 100_000)
    return _outputs(original, [payee, first, second], [Output(), Output(), Output()])


def _unsigned(psbt: Psbt) -> Psbt:
    """Every input's final fields cleared (the sender's inputs as a receiver returns them)."""
    inputs = tuple(
        replace(i, final_script_sig=None, final_script_witness=None) for i in psbt.inputs
    )
    return replace(psbt, inputs=inputs)


def _second_sender_input(original: Psbt) -> Psbt:
    """A second coin of the sender's own script (10,000 sats, to the change), sequence
    0xFFFFFFFE where the first has 0xFFFFFFFD."""
    first = original.unsigned_tx.inputs[0]
    txin = TxIn(OutPoint(bytes(range(32)), 2), sequence=0xFFFF_FFFE)
    outs = list(original.unsigned_tx.outputs)
    outs[-1] = replace(outs[-1], value=outs[-1].value + 10_000)
    tx = replace(original.unsigned_tx, inputs=(first, txin), outputs=tuple(outs))
    script = original.spent_utxo(0).script_pubkey
    coin = Input(witness_utxo=TxOut(10_000, script), final_script_witness=(bytes(72), bytes(33)))
    return replace(original, unsigned_tx=tx, inputs=(*original.inputs, coin))


def _receiver_value(psbt: Psbt, payment: Payment, value: int) -> Psbt:
    """The receiver's input's witness UTXO worth ``value`` sats (same script)."""
    index = _theirs(psbt, payment)
    return _input(psbt, index, witness_utxo=TxOut(value, _spent(psbt, index).script_pubkey))


def _strip_sender_utxos(psbt: Psbt, payment: Payment) -> Psbt:
    """Every input of the (changed) Original's transaction without its witness UTXO."""
    ours = {i.previous_output for i in payment.original.unsigned_tx.inputs}
    inputs = tuple(
        replace(m, witness_utxo=None) if t.previous_output in ours else m
        for t, m in zip(psbt.unsigned_tx.inputs, psbt.inputs, strict=True)
    )
    return replace(psbt, inputs=inputs)


def _with_receiver_input(psbt: Psbt) -> Psbt:
    """``psbt`` with one finalized P2WPKH input of 300,000 sats added (the receiver's)."""
    txin = TxIn(OutPoint(bytes(range(32, 64)), 0), sequence=0xFFFF_FFFD)
    coin = Input(
        witness_utxo=TxOut(300_000, b"\x00\x14" + bytes(20)),
        final_script_witness=(bytes(72), bytes(33)),
    )
    tx = replace(psbt.unsigned_tx, inputs=(*psbt.unsigned_tx.inputs, txin))
    return replace(psbt, unsigned_tx=tx, inputs=(*psbt.inputs, coin))


def _with_key_paths(original: Psbt) -> Psbt:
    """Key origins on the Original's input and change output (BIP 174 fields a wallet writes)."""
    key = (original.inputs[0].final_script_witness or (b"", b""))[1]
    origin = ((key, KeySource(b"\x0a\x0b\x0c\x0d", (0x8000_0054, 0x8000_0001, 0x8000_0000, 1, 0))),)
    outputs = tuple(replace(o, bip32_derivation=origin) for o in original.outputs)
    inputs = (replace(original.inputs[0], bip32_derivation=origin), *original.inputs[1:])
    return replace(original, inputs=inputs, outputs=outputs)


P2TR_SCRIPT = b"\x51\x20" + bytes(range(1, 33))


def _second_p2tr_input(original: Psbt) -> Psbt:
    """A second sender coin of 10,000 sats, P2TR, finalized; its value goes to the change."""
    first = original.unsigned_tx.inputs[0]
    txin = TxIn(OutPoint(bytes(range(32)), 1), sequence=first.sequence)
    outs = list(original.unsigned_tx.outputs)
    outs[-1] = replace(outs[-1], value=outs[-1].value + 10_000)
    tx = replace(original.unsigned_tx, inputs=(first, txin), outputs=tuple(outs))
    coin = Input(witness_utxo=TxOut(10_000, P2TR_SCRIPT), final_script_witness=(bytes(64),))
    return replace(original, unsigned_tx=tx, inputs=(*original.inputs, coin))


def _spent(psbt: Psbt, index: int) -> TxOut:
    return psbt.spent_utxo(index)


def _sender_script(payment: Payment) -> bytes:
    return payment.original.spent_utxo(SENDER_INPUT).script_pubkey


def _receiver_spends(psbt: Psbt, payment: Payment, script: bytes) -> Psbt:
    """The receiver's input's witness UTXO with ``script`` (same value)."""
    index = _theirs(psbt, payment)
    return _input(psbt, index, witness_utxo=TxOut(_spent(psbt, index).value, script))
