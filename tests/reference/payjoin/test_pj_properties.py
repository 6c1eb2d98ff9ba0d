"""Property: a receiver-built proposal passes the sender's checks; one mutation fails one check.

Both wallets really sign (TestWallet), so the flow is the whole BIP 78 exchange minus transport.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pjconf.reference.bitcoin.encoding import sha256
from pjconf.reference.bitcoin.psbt import Input, Output, Psbt
from pjconf.reference.bitcoin.psbt_types import KeySource
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from pjconf.reference.bitcoin.wallet import AddressKind, TestWallet
from pjconf.reference.entropy import SeededRandom
from pjconf.reference.payjoin.params import OutputSubstitution, Params
from pjconf.reference.payjoin.psbt_checks import InternalInputPair
from pjconf.reference.payjoin.receiver import InputPair, parse_payload
from pjconf.reference.payjoin.sender import ProposalError, SenderBuilder, SenderContext

SEQUENCE = 0xFFFF_FFFD
KINDS = list(AddressKind)


def fund(
    wallet: TestWallet, kind: AddressKind, value: int, tag: str
) -> tuple[TxIn, Input, Transaction]:
    spk = wallet.script_pubkey(kind)
    prev = Transaction(2, (TxIn(OutPoint(sha256(tag.encode()), 0)),), (TxOut(value, spk),), 0)
    txin = TxIn(OutPoint(prev.txid(), 0), sequence=SEQUENCE)
    if kind is AddressKind.P2PKH:
        return txin, Input(non_witness_utxo=prev), prev
    redeem = wallet.key(kind).redeem_script
    return txin, Input(witness_utxo=prev.outputs[0], redeem_script=redeem), prev


@dataclass
class Exchange:
    ctx: SenderContext
    proposal: Psbt
    sender: TestWallet


def run(
    *,
    seed: int,
    sender_kind: AddressKind,
    receiver_kind: AddressKind,
    n_in: int,
    values: list[int],
    pay: int,
    rate_vb: int,
    coin: int,
) -> Exchange:
    sender, receiver = TestWallet.from_seed(f"s{seed}"), TestWallet.from_seed(f"r{seed}")
    funded = [fund(sender, sender_kind, values[i], f"{seed}/s{i}") for i in range(n_in)]
    payee = receiver.script_pubkey(AddressKind.P2WPKH)
    change_spk = sender.script_pubkey(sender_kind)
    weights = {
        AddressKind.P2PKH: 592,
        AddressKind.P2SH_P2WPKH: 364,
        AddressKind.P2WPKH: 272,
        AddressKind.P2TR: 230,
    }
    est = 4 * 10 + 2 + n_in * weights[sender_kind] + 4 * (2 * 9 + len(payee) + len(change_spk))
    rate = rate_vb * 250
    fee = (est * rate + 999) // 1000 + 1
    change = sum(values[:n_in]) - pay - fee
    tx = Transaction(
        2, tuple(f[0] for f in funded), (TxOut(pay, payee), TxOut(change, change_spk)), 0
    )
    unsigned = Psbt(tx, inputs=tuple(f[1] for f in funded), outputs=(Output(), Output()))
    original = sender.sign_psbt(unsigned)
    ctx = SenderBuilder(original, payee, pay).build_recommended(rate, OutputSubstitution.ENABLED)
    fc = ctx.fee_contribution
    query = f"v=2&minfeerate={rate_vb}"
    if fc is not None:
        query += f"&additionalfeeoutputindex={fc.vout}&maxadditionalfeecontribution={fc.max_amount}"
    payload = parse_payload(original.to_base64(), query, (1, 2))
    assert payload.params.min_fee_rate == rate
    assert isinstance(payload.params, Params)
    payload.check_broadcast_suitability(rate, lambda _: True)
    payload.check_inputs_not_owned(lambda op: False)
    payload.check_no_inputs_seen_before(lambda op: False)
    wants = payload.identify_receiver_outputs(receiver.owns).commit_outputs()
    txin, psbtin, prev = fund(receiver, receiver_kind, coin, f"{seed}/r")
    if receiver_kind is AddressKind.P2PKH:
        pair = InputPair.new_p2pkh(prev, txin.previous_output)
    elif receiver_kind is AddressKind.P2TR:
        pair = InputPair.new_p2tr_keyspend(prev.outputs[0], txin.previous_output)
    else:
        pair = InputPair.new(txin, psbtin)
    chosen = wants.try_preserving_privacy([pair])
    rng = SeededRandom(seed)
    context = wants.contribute_inputs([chosen], rng).commit_inputs().apply_fee_range(None, 2**30)
    proposal = context.finalize_proposal(receiver.sign_psbt)
    return Exchange(ctx, proposal, sender)


def _inputs(p: Psbt, fn: Callable[[list[TxIn], list[Input]], None]) -> Psbt:
    txins, inputs = list(p.unsigned_tx.inputs), list(p.inputs)
    fn(txins, inputs)
    return replace(p, inputs=tuple(inputs), unsigned_tx=replace(p.unsigned_tx, inputs=tuple(txins)))


def _outputs(p: Psbt, fn: Callable[[list[TxOut], list[Output]], None]) -> Psbt:
    txouts, outputs = list(p.unsigned_tx.outputs), list(p.outputs)
    fn(txouts, outputs)
    return replace(
        p, outputs=tuple(outputs), unsigned_tx=replace(p.unsigned_tx, outputs=tuple(txouts))
    )


def mutations(ex: Exchange) -> dict[str, tuple[Psbt, str]]:
    p, ctx = ex.proposal, ex.ctx
    original_ops = [t.previous_output for t in ctx.original_psbt.unsigned_tx.inputs]
    sender_idx = [
        i for i, t in enumerate(p.unsigned_tx.inputs) if t.previous_output in original_ops
    ]
    receiver_idx = next(i for i in range(len(p.inputs)) if i not in sender_idx)
    s0 = sender_idx[0]
    change_spk = ctx.original_psbt.unsigned_tx.outputs[1].script_pubkey
    change_pos = [t.script_pubkey for t in p.unsigned_tx.outputs].index(change_spk)
    payee_pos = [t.script_pubkey for t in p.unsigned_tx.outputs].index(ctx.payee)
    fee_diff = p.fee() - ctx.original_psbt.fee()
    max_contribution = ctx.fee_contribution.max_amount if ctx.fee_contribution else 0
    original_change = ctx.original_psbt.unsigned_tx.outputs[1].value

    def seq(t: list[TxIn], i: list[Input]) -> None:
        t[s0] = replace(t[s0], sequence=t[s0].sequence - 1)

    def sender_witness(t: list[TxIn], i: list[Input]) -> None:
        i[s0] = replace(i[s0], final_script_witness=())

    def unfinalize(t: list[TxIn], i: list[Input]) -> None:
        i[receiver_idx] = replace(i[receiver_idx], final_script_sig=None, final_script_witness=None)

    def drop_sender(t: list[TxIn], i: list[Input]) -> None:
        del t[s0], i[s0]

    def extra_sender_input(t: list[TxIn], i: list[Input]) -> None:
        txin, psbtin, _ = fund(ex.sender, AddressKind.P2WPKH, 50_000, "extra")
        t.append(replace(txin, sequence=t[s0].sequence))
        i.append(psbtin)

    def drop_change(o: list[TxOut], m: list[Output]) -> None:
        del o[change_pos], m[change_pos]

    def payee_takes_fee(o: list[TxOut], m: list[Output]) -> None:
        o[payee_pos] = replace(o[payee_pos], value=o[payee_pos].value + fee_diff + 1)

    def change_overdrawn(o: list[TxOut], m: list[Output]) -> None:
        o[change_pos] = replace(o[change_pos], value=original_change - max_contribution - 1)

    def keypath(o: list[TxOut], m: list[Output]) -> None:
        m[0] = replace(
            m[0], bip32_derivation=((bytes.fromhex("02" + "11" * 32), KeySource(bytes(4), ())),)
        )

    cases = {
        "version": (replace(p, unsigned_tx=replace(p.unsigned_tx, version=1)), "VersionsDontMatch"),
        "sequence": (_inputs(p, seq), "SenderTxinSequenceChanged"),
        "sender-witness": (_inputs(p, sender_witness), "SenderTxinContainsFinalScriptWitness"),
        "receiver-unfinalized": (_inputs(p, unfinalize), "ReceiverTxinNotFinalized"),
        "extra-sender-input": (_inputs(p, extra_sender_input), "ReceiverTxinNotFinalized"),
        "drop-change": (_outputs(p, drop_change), "MissingOrShuffledOutputs"),
        "payee-takes-fee": (_outputs(p, payee_takes_fee), "AbsoluteFeeDecreased"),
        "keypath": (_outputs(p, keypath), "TxOutContainsKeyPaths"),
    }
    if ctx.fee_contribution is not None and ctx.fee_contribution.vout == 1:
        cases["change-overdrawn"] = (_outputs(p, change_overdrawn), "FeeContributionExceedsMaximum")
    if len(sender_idx) == 1:
        cases["drop-sender-input"] = (_inputs(p, drop_sender), "MissingOrShuffledInputs")
    else:

        def swap(t: list[TxIn], i: list[Input]) -> None:
            a, b = sender_idx[0], sender_idx[1]
            t[a], t[b] = t[b], t[a]
            i[a], i[b] = i[b], i[a]

        # A sender input out of place looks like an unsigned receiver input to payjoin.
        cases["reorder-sender-inputs"] = (_inputs(p, swap), "ReceiverTxinNotFinalized")
    return cases


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    sender_kind=st.sampled_from(KINDS),
    receiver_kind=st.sampled_from(KINDS),
    n_in=st.integers(1, 2),
    values=st.lists(st.integers(200_000, 5_000_000), min_size=2, max_size=2),
    pay_fraction=st.integers(5, 50),
    rate_vb=st.integers(1, 30),
    coin=st.integers(20_000, 5_000_000),
)
def test_proposal_passes_and_each_mutation_fails_one_check(  # noqa: PLR0917
    seed: int,
    sender_kind: AddressKind,
    receiver_kind: AddressKind,
    n_in: int,
    values: list[int],
    pay_fraction: int,
    rate_vb: int,
    coin: int,
) -> None:
    pay = sum(values[:n_in]) * pay_fraction // 100
    ex = run(
        seed=seed,
        sender_kind=sender_kind,
        receiver_kind=receiver_kind,
        n_in=n_in,
        values=values,
        pay=pay,
        rate_vb=rate_vb,
        coin=coin,
    )
    checked = ex.ctx.process_proposal(ex.proposal)
    assert len(checked.inputs) == n_in + 1
    for pair in (
        InternalInputPair(t, i)
        for t, i in zip(checked.unsigned_tx.inputs, checked.inputs, strict=True)
    ):
        pair.validate_utxo()
    for name, (mutated, variant) in mutations(ex).items():
        with pytest.raises(ProposalError) as e:
            ex.ctx.process_proposal(mutated)
        assert e.value.variant == variant, name
