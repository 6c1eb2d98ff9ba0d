"""send/mod.rs's tests (builder and the ``bip78_checklist`` module), ported (assertions only)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from reference.payjoin.pjvectors import (
    ADDITIONAL_FEE_OUTPUT_INDEX,
    MAX_ADDITIONAL_FEE_CONTRIBUTION,
    original,
    proposal,
    proposal_with_sender_info,
)

from pjconf.reference.bitcoin.psbt import Input, Output, Psbt
from pjconf.reference.bitcoin.psbt_types import EcdsaSignature, KeySource
from pjconf.reference.bitcoin.tx import OutPoint, TxOut
from pjconf.reference.crypto.secp256k1 import public_key
from pjconf.reference.payjoin.params import OutputSubstitution
from pjconf.reference.payjoin.sender import (
    AdditionalFeeContribution,
    BuildSenderError,
    ProposalError,
    SenderBuilder,
    SenderContext,
    check_single_payee,
    determine_fee_contribution,
)

PK = public_key(bytes([0xCD] * 32), compressed=True)
KEY_SOURCE = KeySource(bytes(4), ())
SIG = EcdsaSignature(bytes.fromhex("3006020101020101"), 1)


def ctx(**changes: object) -> SenderContext:
    psbt = original()
    base = SenderContext(
        psbt,
        OutputSubstitution.ENABLED,
        AdditionalFeeContribution(182, 0),
        0,
        psbt.unsigned_tx.outputs[1].script_pubkey,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def set_output(psbt: Psbt, index: int, **changes: object) -> Psbt:
    outs = list(psbt.unsigned_tx.outputs)
    outs[index] = replace(outs[index], **changes)  # type: ignore[arg-type]
    return replace(psbt, unsigned_tx=replace(psbt.unsigned_tx, outputs=tuple(outs)))


def set_input(
    psbt: Psbt, index: int, txin: dict[str, object] | None = None, **psbtin: object
) -> Psbt:
    inputs = list(psbt.inputs)
    inputs[index] = replace(inputs[index], **psbtin)  # type: ignore[arg-type]
    txins = list(psbt.unsigned_tx.inputs)
    if txin:
        txins[index] = replace(txins[index], **txin)  # type: ignore[arg-type]
    return replace(
        psbt, inputs=tuple(inputs), unsigned_tx=replace(psbt.unsigned_tx, inputs=tuple(txins))
    )


def rejects(context: SenderContext, psbt: Psbt) -> str:
    with pytest.raises(ProposalError) as e:
        context.process_proposal(psbt)
    return e.value.variant


def unsigned_original() -> Psbt:
    psbt = original()
    return replace(
        psbt,
        inputs=tuple(
            replace(
                i,
                bip32_derivation=(),
                partial_sigs=(),
                final_script_sig=None,
                final_script_witness=None,
            )
            for i in psbt.inputs
        ),
    )


# --- process_proposal: the tests outside the checklist module ---------------------------------


def test_official_vectors() -> None:
    p = proposal_with_sender_info()
    p = replace(
        p,
        inputs=tuple(replace(i, bip32_derivation=()) for i in p.inputs),
        outputs=tuple(replace(o, bip32_derivation=()) for o in p.outputs),
    )
    p = set_input(p, 0, witness_utxo=None)
    result = ctx().process_proposal(p)
    assert result.inputs[0].witness_utxo == original().inputs[0].witness_utxo


def test_equal_amount_fee_contribution() -> None:
    c = ctx(fee_contribution=None)
    c.process_proposal(
        set_output(proposal(), 0, value=c.original_psbt.unsigned_tx.outputs[0].value)
    )


def test_payee_output_value_decreased() -> None:
    c = ctx(fee_contribution=None)
    p = set_output(proposal(), 0, value=c.original_psbt.unsigned_tx.outputs[0].value - 1)
    o = c.original_psbt
    spk1 = o.unsigned_tx.outputs[1].script_pubkey
    ctx_a = replace(c, original_psbt=set_output(o, 0, script_pubkey=spk1))
    ctx_a.process_proposal(p)
    ctx_b = replace(c, original_psbt=set_output(o, 0, script_pubkey=c.payee))
    ctx_b.process_proposal(p)


def test_restore_original_utxos_and_outputs() -> None:
    o = original()
    payee = o.unsigned_tx.outputs[1].script_pubkey
    xonly = PK[1:]
    o = set_input(
        o,
        0,
        tap_internal_key=xonly,
        bip32_derivation=((PK, KEY_SOURCE),),
        tap_key_origins=((xonly, ((), KEY_SOURCE)),),
        witness_script=payee,
        witness_utxo=TxOut(100_000_000, payee),
    )
    c = SenderBuilder(o, payee).build_non_incentivizing(0, OutputSubstitution.DISABLED)
    p = replace(proposal(), inputs=tuple(Input() for _ in proposal().inputs))
    restored = c.restore_original_utxos(p)
    assert restored.inputs[0].bip32_derivation == ((PK, KEY_SOURCE),)
    assert restored.inputs[0].witness_utxo == TxOut(100_000_000, payee)
    assert restored.inputs[0].tap_internal_key == xonly
    assert restored.inputs[0].witness_script == payee
    assert restored.inputs[0].redeem_script is None  # not restored by payjoin
    o2 = replace(
        original(), outputs=(Output(witness_script=payee, tap_internal_key=xonly), Output())
    )
    c2 = SenderBuilder(o2, payee).build_non_incentivizing(0, OutputSubstitution.DISABLED)
    stripped = replace(o2, outputs=(Output(), Output()))
    assert c2.restore_original_outputs(stripped).outputs[0].witness_script == payee


# --- the builder ------------------------------------------------------------------------------

PAYEE_P2WPKH = bytes.fromhex("0014b60943f60c3ee848828bdace7474a92e81f3fcdd")
PAYEE_INDEX1 = bytes.fromhex("a914774096dbcf486743c22f4347e9b469febe8b677a87")
P2SH_0 = bytes.fromhex("a9141de849f069d274150e3afeae8d72eb5a6b09443087")


def build_err(fn: object, *args: object) -> str:
    with pytest.raises(BuildSenderError) as e:
        fn(*args)  # type: ignore[operator]
    return e.value.variant


def test_determine_fees() -> None:
    got = determine_fee_contribution(original(), PAYEE_P2WPKH, (1000, 1), False)
    assert got == AdditionalFeeContribution(1000, 1)


def test_insufficient_fees() -> None:
    args = (original(), PAYEE_P2WPKH, (100_000_000, None), False)
    assert build_err(determine_fee_contribution, *args) == "FeeOutputValueLowerThanFeeContribution"
    assert determine_fee_contribution(original(), PAYEE_P2WPKH, (95983068, None), False)


def test_self_pay_change_index() -> None:
    args = (original(), PAYEE_INDEX1, (1000, 1), False)
    assert build_err(determine_fee_contribution, *args) == "ChangeIndexPointsAtPayee"
    args = (original(), PAYEE_INDEX1, (1000, 5), False)
    assert build_err(determine_fee_contribution, *args) == "ChangeIndexOutOfBounds"


def test_find_change_index() -> None:
    psbt = original()
    assert determine_fee_contribution(
        psbt, PAYEE_P2WPKH, (1000, None), True
    ) == AdditionalFeeContribution(1000, 0)
    empty = replace(psbt, outputs=(), unsigned_tx=replace(psbt.unsigned_tx, outputs=()))
    assert (
        build_err(determine_fee_contribution, empty, PAYEE_P2WPKH, (1000, None), True)
        == "NoOutputs"
    )
    same = set_output(psbt, 1, script_pubkey=psbt.unsigned_tx.outputs[0].script_pubkey)
    assert (
        build_err(determine_fee_contribution, same, P2SH_0, (1000, None), True)
        == "MultiplePayeeOutputs"
    )
    one = replace(
        psbt,
        outputs=psbt.outputs[:1],
        unsigned_tx=replace(psbt.unsigned_tx, outputs=psbt.unsigned_tx.outputs[:1]),
    )
    assert determine_fee_contribution(one, P2SH_0, (1000, None), True) is None
    assert (
        build_err(determine_fee_contribution, one, P2SH_0, (1000, None), False)
        == "FeeOutputValueLowerThanFeeContribution"
    )
    for clamp in (False, True):
        assert (
            build_err(determine_fee_contribution, one, PAYEE_P2WPKH, (1000, None), clamp)
            == "MissingPayeeOutput"
        )
    three = replace(
        psbt,
        outputs=(*psbt.outputs, psbt.outputs[1]),
        unsigned_tx=replace(
            psbt.unsigned_tx, outputs=(*psbt.unsigned_tx.outputs, psbt.unsigned_tx.outputs[1])
        ),
    )
    assert (
        build_err(determine_fee_contribution, three, PAYEE_P2WPKH, (1000, None), True)
        == "AmbiguousChangeOutput"
    )


def test_single_payee_amount_mismatch() -> None:
    assert build_err(check_single_payee, original(), PAYEE_INDEX1, 1) == "PayeeValueNotEqual"


def test_build_recommended() -> None:
    psbt = original()
    payee = psbt.unsigned_tx.outputs[1].script_pubkey
    c = SenderBuilder(psbt, payee).build_recommended(500, OutputSubstitution.ENABLED)
    # One P2SH-P2WPKH input: 364 wu at 500 sat/kwu = 182 sat, BIP 78's maxadditionalfeecontribution.
    assert c.fee_contribution == AdditionalFeeContribution(MAX_ADDITIONAL_FEE_CONTRIBUTION, 0)
    assert c.min_fee_rate == 500
    sweep = replace(
        psbt,
        outputs=psbt.outputs[1:],
        unsigned_tx=replace(psbt.unsigned_tx, outputs=psbt.unsigned_tx.outputs[1:]),
    )
    assert (
        SenderBuilder(sweep, payee)
        .build_recommended(500, OutputSubstitution.ENABLED)
        .fee_contribution
        is None
    )
    tiny = set_output(psbt, 0, value=100)
    clamped = SenderBuilder(tiny, payee).build_recommended(500, OutputSubstitution.ENABLED)
    assert clamped.fee_contribution == AdditionalFeeContribution(100, 0)
    no_inputs = replace(psbt, inputs=(), unsigned_tx=replace(psbt.unsigned_tx, inputs=()))
    assert (
        build_err(
            SenderBuilder(no_inputs, payee).build_recommended, 500, OutputSubstitution.ENABLED
        )
        == "NoInputs"
    )
    overflow = SenderBuilder(psbt, payee).build_recommended
    with pytest.raises(BuildSenderError) as e:
        overflow(2**64 - 1, OutputSubstitution.ENABLED)
    assert e.value.chain() == ("AddressType", "FeeRateOverflow")


def test_build_validates_original() -> None:
    psbt = original()
    payee = psbt.unsigned_tx.outputs[1].script_pubkey
    b = SenderBuilder(replace(psbt, outputs=()), payee)
    assert (
        build_err(b.build_non_incentivizing, 0, OutputSubstitution.ENABLED)
        == "InconsistentOriginalPsbt"
    )
    b = SenderBuilder(set_input(psbt, 0, witness_utxo=None), payee)
    assert (
        build_err(b.build_non_incentivizing, 0, OutputSubstitution.ENABLED)
        == "InvalidOriginalInput"
    )
    b = SenderBuilder(set_input(psbt, 0, redeem_script=None, final_script_sig=None), payee)
    assert build_err(b.build_recommended, 250, OutputSubstitution.ENABLED) == "InputWeight"


# --- bip78_checklist --------------------------------------------------------------------------


def test_transaction_versions_dont_match() -> None:
    p = proposal()
    with pytest.raises(ProposalError) as e:
        ctx().process_proposal(replace(p, unsigned_tx=replace(p.unsigned_tx, version=88)))
    assert (e.value.variant, e.value.proposed, e.value.original) == ("VersionsDontMatch", 88, 2)


def test_transaction_locktimes_dont_match() -> None:
    p = proposal()
    lock = p.unsigned_tx.lock_time - 1
    with pytest.raises(ProposalError) as e:
        ctx().process_proposal(replace(p, unsigned_tx=replace(p.unsigned_tx, lock_time=lock)))
    assert (e.value.variant, e.value.proposed) == ("LockTimesDontMatch", lock)


def test_key_path_found_in_proposal() -> None:
    assert (
        rejects(ctx(), set_input(proposal(), 0, bip32_derivation=((PK, KEY_SOURCE),)))
        == "TxInContainsKeyPaths"
    )


def test_partial_sig_found_in_proposal() -> None:
    assert (
        rejects(ctx(), set_input(proposal(), 0, partial_sigs=((PK, SIG),))) == "ContainsPartialSigs"
    )


def test_sender_input_sequence_number_changed() -> None:
    p = proposal()
    seq = p.unsigned_tx.inputs[0].sequence - 1
    with pytest.raises(ProposalError) as e:
        ctx().process_proposal(set_input(p, 0, {"sequence": seq}))
    assert (e.value.variant, e.value.proposed) == ("SenderTxinSequenceChanged", seq)


def test_sender_input_final_fields_present() -> None:
    assert (
        rejects(ctx(), set_input(proposal(), 0, final_script_sig=b""))
        == "SenderTxinContainsFinalScriptSig"
    )
    assert (
        rejects(ctx(), set_input(proposal(), 0, final_script_witness=()))
        == "SenderTxinContainsFinalScriptWitness"
    )


@pytest.mark.parametrize(
    "sighash", [0x02, 0x03, 0x81, 0x82, 0x83, 0x04, 0x80, 0xFF, 0x100, 2**32 - 1]
)
def test_sender_input_non_all_sighash_type_is_rejected(sighash: int) -> None:
    o = set_input(original(), 0, sighash_type=sighash)
    payee = o.unsigned_tx.outputs[1].script_pubkey
    b = SenderBuilder(o, payee)
    assert (
        build_err(b.build_non_incentivizing, 0, OutputSubstitution.DISABLED)
        == "OriginalTxinNonAllSighashType"
    )
    assert (
        rejects(ctx(), set_input(proposal(), 0, sighash_type=sighash))
        == "SenderTxinNonAllSighashType"
    )


@pytest.mark.parametrize("sighash", [None, 0x00, 0x01])
def test_sender_input_all_sighash_type_is_accepted(sighash: int | None) -> None:
    o = set_input(original(), 0, sighash_type=sighash)
    SenderBuilder(o, o.unsigned_tx.outputs[1].script_pubkey).build_non_incentivizing(
        0, OutputSubstitution.DISABLED
    )
    ctx().process_proposal(set_input(proposal(), 0, sighash_type=sighash))


def receiver_first_input(p: Psbt) -> Psbt:
    op = p.unsigned_tx.inputs[0].previous_output
    return set_input(p, 0, {"previous_output": OutPoint(op.txid, op.vout + 1)})


def test_receiver_input_is_not_finalized() -> None:
    p = set_input(
        receiver_first_input(proposal()), 0, final_script_sig=None, final_script_witness=None
    )
    assert rejects(ctx(), p) == "ReceiverTxinNotFinalized"


def test_receiver_input_missing_witness_info() -> None:
    p = set_input(
        receiver_first_input(proposal()),
        0,
        final_script_sig=b"",
        final_script_witness=(),
        witness_utxo=None,
        non_witness_utxo=None,
    )
    assert rejects(ctx(), p) == "ReceiverTxinMissingUtxoInfo"


def test_receiver_input_has_mixed_sequence() -> None:
    p = receiver_first_input(proposal())
    p = set_input(
        p,
        0,
        {"sequence": p.unsigned_tx.inputs[0].sequence + 1},
        final_script_sig=b"",
        final_script_witness=(),
    )
    assert rejects(ctx(), p) == "MixedSequence"


def test_process_proposal_when_missing_original_inputs() -> None:
    p = proposal()
    p = replace(p, inputs=(), unsigned_tx=replace(p.unsigned_tx, inputs=()))
    assert rejects(ctx(), p) == "MissingOrShuffledInputs"


def test_process_proposal_when_output_contains_key_path() -> None:
    p = proposal()
    p = replace(p, outputs=(Output(bip32_derivation=((PK, KEY_SOURCE),)), *p.outputs[1:]))
    assert rejects(ctx(), p) == "TxOutContainsKeyPaths"


def test_receiver_steals_sender_change() -> None:
    p = proposal()
    p = set_output(p, 0, value=p.unsigned_tx.outputs[0].value - 50_000_000)
    p = set_output(p, 1, value=p.unsigned_tx.outputs[1].value + 50_000_000)
    assert rejects(ctx(), p) == "FeeContributionExceedsMaximum"


def test_disallowed_output_substitution() -> None:
    c = ctx(output_substitution=OutputSubstitution.DISABLED)
    p = proposal()
    c.process_proposal(p)
    bumped = set_output(
        p, 0, value=p.unsigned_tx.outputs[0].value + MAX_ADDITIONAL_FEE_CONTRIBUTION
    )
    c.process_proposal(bumped)
    o = set_output(c.original_psbt, 0, script_pubkey=c.payee, value=p.unsigned_tx.outputs[0].value)
    p2 = set_output(p, 0, value=c.original_psbt.unsigned_tx.outputs[0].value)
    assert rejects(replace(c, original_psbt=o), p2) == "DisallowedOutputSubstitution"


def test_allowed_output_substitution() -> None:
    c = ctx(output_substitution=OutputSubstitution.ENABLED)
    c = replace(c, original_psbt=set_output(c.original_psbt, 0, script_pubkey=c.payee))
    p = proposal()
    c.process_proposal(p)
    v = p.unsigned_tx.outputs[0].value
    c.process_proposal(set_output(p, 0, value=v + MAX_ADDITIONAL_FEE_CONTRIBUTION))
    c.process_proposal(set_output(p, 0, value=v - 364 + MAX_ADDITIONAL_FEE_CONTRIBUTION))


def test_process_proposal_when_output_value_decreased() -> None:
    c = ctx(fee_contribution=None)
    p = set_output(proposal(), 0, value=c.original_psbt.unsigned_tx.outputs[0].value - 1)
    assert rejects(c, p) == "OutputValueDecreased"


def test_rejects_different_script_in_our_output() -> None:
    c = ctx(fee_contribution=None)
    change = c.original_psbt.unsigned_tx.outputs[ADDITIONAL_FEE_OUTPUT_INDEX]
    p = proposal()
    pos = [o.script_pubkey for o in p.unsigned_tx.outputs].index(change.script_pubkey)
    p = set_output(p, pos, script_pubkey=bytes.fromhex("0014" + "ff" * 20), value=change.value)
    assert rejects(c, p) == "MissingOrShuffledOutputs"


def test_process_proposal_when_output_missing() -> None:
    p = proposal()
    p = replace(p, outputs=(), unsigned_tx=replace(p.unsigned_tx, outputs=()))
    assert rejects(ctx(), p) == "MissingOrShuffledOutputs"


def test_absolute_fee_less_than_original_psbt() -> None:
    p = proposal()
    p = set_output(p, 0, value=p.unsigned_tx.outputs[0].value + 183)
    assert rejects(ctx(), p) == "AbsoluteFeeDecreased"


def test_payee_took_contributed_fee() -> None:
    p = unsigned_original()
    p = set_output(p, 0, value=p.unsigned_tx.outputs[0].value - 1)
    p = set_output(p, 1, value=p.unsigned_tx.outputs[1].value + 1)
    assert rejects(ctx(), p) == "PayeeTookContributedFee"


def test_fee_contribution_pays_output_size_increase() -> None:
    p = unsigned_original()
    p = set_output(p, 0, value=p.unsigned_tx.outputs[0].value - 10)
    assert rejects(ctx(), p) == "FeeContributionPaysOutputSizeIncrease"


def test_fee_rate_below_minimum() -> None:
    assert rejects(ctx(min_fee_rate=2**64 - 1), unsigned_original()) == "FeeRateBelowMinimum"


def test_receiver_input_weight_and_prevout_errors() -> None:
    p = set_input(proposal(), 1, final_script_sig=None, final_script_witness=(b"\x01",))
    # A P2SH receiver input finalized with a witness only: payjoin cannot price it.
    with pytest.raises(ProposalError) as e:
        ctx().process_proposal(p)
    assert e.value.chain() == ("InputWeight", "NoRedeemScript")
    nowhere = set_input(ctx().original_psbt, 0, witness_utxo=None)
    assert rejects(ctx(original_psbt=nowhere), proposal()) == "Psbt"


def test_no_inputs_in_original() -> None:
    o = original()
    o = replace(o, inputs=(), unsigned_tx=replace(o.unsigned_tx, inputs=()))
    assert rejects(ctx(original_psbt=o), proposal()) == "NoInputs"
