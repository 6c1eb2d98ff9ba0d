"""receive/mod.rs and receive/common/mod.rs tests, ported (assertions only), plus error codes."""

from __future__ import annotations

from dataclasses import replace

import pytest
from reference.payjoin.pjvectors import (
    DUMMY20,
    QUERY_PARAMS,
    original,
    proposal,
    receiver_input_contribution,
)

from pjconf.reference.bitcoin.psbt import Input, Psbt
from pjconf.reference.bitcoin.script import p2pkh, witness_script_pubkey
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from pjconf.reference.entropy import SeededRandom
from pjconf.reference.payjoin.errors import ImplementationError, PayjoinError
from pjconf.reference.payjoin.params import OutputSubstitution, Params
from pjconf.reference.payjoin.receiver import (
    InputPair,
    OriginalPayload,
    ReceiverPsbtContext,
    WantsOutputs,
    parse_payload,
    prepare_psbt,
)
from pjconf.reference.payjoin.receiver_errors import (
    CoinSelectionError,
    InputContributionError,
    OutputSubstitutionError,
    PayloadError,
)
from pjconf.reference.payjoin.rng import interleave_shuffle

RNG = SeededRandom("pj-receiver-tests")


def payload() -> OriginalPayload:
    return OriginalPayload(original(), Params.from_query_str(QUERY_PARAMS, (1,)))


def contribution() -> InputPair:
    p = receiver_input_contribution()
    return InputPair.new(p.unsigned_tx.inputs[1], p.inputs[1])


def candidate(value: int, vout: int = 0) -> InputPair:
    txout = TxOut(value, p2pkh(DUMMY20))
    tx = Transaction(2, (), (txout,), 500_000_000)
    return InputPair.new(TxIn(OutPoint(tx.txid(), vout)), Input(witness_utxo=txout))


def fails(kind: type[PayjoinError], fn: object, *args: object) -> PayjoinError:
    with pytest.raises(kind) as e:
        fn(*args)  # type: ignore[operator]
    return e.value


def test_check_broadcast_suitability() -> None:
    o = payload()
    err = fails(PayloadError, o.check_broadcast_suitability, 2**64 - 1, lambda _: True)
    assert err.variant == "PsbtBelowFeeRate"
    assert err.error_code == "original-psbt-rejected"
    assert o.psbt_fee_rate() // 250 == 2  # the vector's 2 sat/vB
    err = fails(PayloadError, o.check_broadcast_suitability, None, lambda _: False)
    assert err.variant == "OriginalPsbtNotBroadcastable"

    def broken(_: Transaction) -> bool:
        raise RuntimeError("broadcast check failed")

    err = fails(ImplementationError, o.check_broadcast_suitability, None, broken)
    assert err.error_code == "unavailable"
    assert "broadcast check failed" in str(err)
    o.check_broadcast_suitability(None, lambda _: True)


def test_check_inputs_not_owned() -> None:
    o = payload()
    missing = replace(o, psbt=replace(o.psbt, inputs=tuple(Input() for _ in o.psbt.inputs)))
    missing.check_inputs_not_owned(lambda _: False)
    assert fails(PayloadError, o.check_inputs_not_owned, lambda _: True).variant == "InputOwned"
    real = o.psbt.unsigned_tx.inputs[0].previous_output
    fake_spk = replace(
        o, psbt=replace(o.psbt, inputs=(Input(witness_utxo=TxOut(1000, bytes(22))),))
    )
    with pytest.raises(PayloadError) as owned:
        fake_spk.check_inputs_not_owned(lambda op: op == real)
    assert owned.value.outpoint == real


def test_check_no_inputs_seen_before() -> None:
    o = payload()
    assert fails(PayloadError, o.check_no_inputs_seen_before, lambda _: True).variant == "InputSeen"
    o.check_no_inputs_seen_before(lambda _: False)


def test_identify_receiver_outputs() -> None:
    o = payload()
    spk1 = o.psbt.unsigned_tx.outputs[1].script_pubkey
    wants = o.identify_receiver_outputs(lambda s: s == spk1)
    assert wants.owned_vouts == [1]
    assert wants.original.params == o.params
    err = fails(PayloadError, o.identify_receiver_outputs, lambda _: False)
    assert err.variant == "MissingPayment"
    assert err.error_code == "original-psbt-rejected"
    o2 = replace(o, params=replace(o.params, additional_fee_contribution=(182, 1)))
    wants = o2.identify_receiver_outputs(lambda _: True)
    assert wants.owned_vouts == [0, 1]
    assert wants.original.params.additional_fee_contribution is None


def test_parse_payload() -> None:
    p = original()
    prev = Transaction(2, (), (TxOut(50_000, witness_script_pubkey(0, DUMMY20)),), 500_000_000)
    txins = (replace(p.unsigned_tx.inputs[0], previous_output=OutPoint(prev.txid(), 0)),)
    bad = replace(
        p,
        unsigned_tx=replace(p.unsigned_tx, inputs=txins),
        inputs=(
            replace(
                p.inputs[0],
                non_witness_utxo=prev,
                witness_utxo=TxOut(40_000, prev.outputs[0].script_pubkey),
            ),
        ),
    )
    err = fails(PayloadError, parse_payload, bad.to_base64(), QUERY_PARAMS, (1,))
    assert err.chain() == ("InvalidInputUtxo", "PsbtInputsError", "SegWitTxOutMismatch")
    assert fails(PayloadError, parse_payload, "not base64", "", (1,)).variant == "ParsePsbt"
    err = fails(PayloadError, parse_payload, p.to_base64(), "v=3", (1, 2))
    assert err.chain() == ("SenderParams", "UnknownVersion")
    assert err.error_code == "version-unsupported"
    err = fails(PayloadError, parse_payload, p.to_base64(), "minfeerate=x", (1,))
    assert err.error_code == "original-psbt-rejected"
    assert parse_payload(p.to_base64(), QUERY_PARAMS, (1,)).params.additional_fee_contribution == (
        182,
        0,
    )


def test_interleave_shuffle_keeps_original_order() -> None:
    for seed in range(20):
        out = interleave_shuffle(SeededRandom(seed), [1, 2, 3], [4, 5, 6])
        assert sorted(out) == [1, 2, 3, 4, 5, 6]
        assert [x for x in out if x <= 3] == [1, 2, 3]


def test_pjos_disabled() -> None:
    o = payload()
    o = replace(o, params=replace(o.params, output_substitution=OutputSubstitution.DISABLED))
    wants = WantsOutputs.new(o, [0])
    out0 = o.psbt.unsigned_tx.outputs[0]
    same = wants.replace_receiver_outputs([out0], out0.script_pubkey, RNG)
    assert same.payjoin_psbt != wants.payjoin_psbt  # output maps and fields are reset
    wants.replace_receiver_outputs([replace(out0, value=out0.value + 1)], out0.script_pubkey, RNG)
    err = fails(
        OutputSubstitutionError,
        wants.replace_receiver_outputs,
        [replace(out0, value=out0.value - 1)],
        out0.script_pubkey,
        RNG,
    )
    assert err.variant == "DecreasedValueWhenDisabled"
    err = fails(OutputSubstitutionError, wants.substitute_receiver_script, b"", RNG)
    assert err.variant == "ScriptPubKeyChangedWhenDisabled"


def test_output_substitution_errors() -> None:
    wants = WantsOutputs.new(payload(), [0])
    assert (
        fails(OutputSubstitutionError, wants.replace_receiver_outputs, [], b"x", RNG).variant
        == "NotEnoughOutputs"
    )
    new = TxOut(5, b"\x51")
    assert (
        fails(OutputSubstitutionError, wants.replace_receiver_outputs, [new], b"x", RNG).variant
        == "InvalidDrainScript"
    )
    extra = TxOut(7, b"\x52")
    out = wants.replace_receiver_outputs([new, extra], b"\x51", RNG)
    assert len(out.payjoin_psbt.unsigned_tx.outputs) == 3
    assert out.payjoin_psbt.unsigned_tx.outputs[out.change_vout] == new


def test_coin_selection() -> None:
    wants = WantsOutputs.new(payload(), [0]).commit_outputs()
    assert fails(CoinSelectionError, wants.try_preserving_privacy, []).variant == "Empty"
    small, two = candidate(1), candidate(2, 1)
    assert wants.try_preserving_privacy([small, two]) == small
    big = candidate(3_000_000)
    assert wants.avoid_uih([big]) == big
    boundary = candidate(2_000_000, 1)
    assert wants.try_preserving_privacy([small, boundary]) == small
    one_output = replace(
        wants, payjoin_psbt=replace(wants.payjoin_psbt, outputs=wants.payjoin_psbt.outputs[:1])
    )
    assert one_output.try_preserving_privacy([small]) == small
    assert (
        fails(CoinSelectionError, one_output.avoid_uih, [small]).variant
        == "UnsupportedOutputLength"
    )
    assert fails(CoinSelectionError, wants.avoid_uih, [small]).variant == "NotFound"


def test_multiple_contribute_inputs() -> None:
    wants = WantsOutputs.new(payload(), [0]).commit_outputs()
    a, b = candidate(123, 0), candidate(123, 1)
    once = wants.contribute_inputs([a], RNG)
    assert once.receiver_inputs == (a,)
    with pytest.raises(InputContributionError) as dup:
        once.contribute_inputs([b, a], RNG)
    assert dup.value.variant == "DuplicateInput"
    assert dup.value.outpoint == a.outpoint
    twice = once.contribute_inputs([b], RNG)
    assert twice.receiver_inputs == (a, b)
    seqs = {t.sequence for t in twice.payjoin_psbt.unsigned_tx.inputs}
    assert seqs == {original().unsigned_tx.inputs[0].sequence}


def test_value_too_low() -> None:
    wants = WantsOutputs.new(payload(), [0])
    out0 = payload().psbt.unsigned_tx.outputs[0]
    more = wants.replace_receiver_outputs(
        [replace(out0, value=out0.value + 1000)], out0.script_pubkey, RNG
    )
    err = fails(
        InputContributionError, more.commit_outputs().contribute_inputs, [candidate(999)], RNG
    )
    assert err.variant == "ValueTooLow"


def test_sender_specifies_excessive_fee_rate() -> None:
    o = payload()
    o = replace(o, params=replace(o.params, min_fee_rate=250_000))
    fr = (
        WantsOutputs.new(o, [0])
        .commit_outputs()
        .contribute_inputs([contribution()], RNG)
        .commit_inputs()
    )
    extra = TxOut(0, o.psbt.unsigned_tx.outputs[0].script_pubkey)
    tx = replace(fr.payjoin_psbt.unsigned_tx, outputs=(*fr.payjoin_psbt.unsigned_tx.outputs, extra))
    fr = replace(fr, payjoin_psbt=replace(fr.payjoin_psbt, unsigned_tx=tx))
    fr.calculate_psbt_with_fee_range(None, 250_000)
    err = fails(PayloadError, fr.calculate_psbt_with_fee_range, None, 248_750)
    assert err.variant == "FeeTooHigh"
    assert err.error_code == "not-enough-money"
    assert "250000 > 248750" in str(err)


def test_fee_contribution_decrements_sender_output_exactly() -> None:
    o = payload()
    fr = (
        WantsOutputs.new(o, [1])
        .commit_outputs()
        .contribute_inputs([contribution()], RNG)
        .commit_inputs()
    )
    assert fr.original.params.additional_fee_contribution == (182, 0)
    psbt = fr.calculate_psbt_with_fee_range(2500, 250_000)
    assert len(psbt.unsigned_tx.inputs) == 2
    sender = [
        t
        for t in psbt.unsigned_tx.outputs
        if t.script_pubkey == o.psbt.unsigned_tx.outputs[0].script_pubkey
    ]
    assert sender[0].value == o.psbt.unsigned_tx.outputs[0].value - min(
        182, (364 * 2500 + 999) // 1000
    )


def test_out_of_bounds_fee_output_index_is_ignored() -> None:
    o = payload()
    o = replace(o, params=replace(o.params, additional_fee_contribution=(182, 2)))
    fr = (
        WantsOutputs.new(o, [1])
        .commit_outputs()
        .contribute_inputs([contribution()], RNG)
        .commit_inputs()
    )
    assert fr.original.params.additional_fee_contribution is None
    fr.calculate_psbt_with_fee_range(2500, 250_000)


def test_additional_input_weights() -> None:
    assert contribution().expected_weight == 364


def psbt_context() -> ReceiverPsbtContext:
    return ReceiverPsbtContext(original(), proposal())


def test_finalize_proposal() -> None:
    def fail(_: Psbt) -> Psbt:
        raise RuntimeError("wallet signing failed")

    assert "wallet signing failed" in str(
        fails(ImplementationError, psbt_context().finalize_proposal, fail)
    )
    err = fails(ImplementationError, psbt_context().finalize_proposal, lambda _: original())
    assert "ntxid mismatch" in str(err)
    psbt_context().finalize_proposal(lambda _: proposal())


def test_finalize_rejects_signing_a_sender_input() -> None:
    ctx = psbt_context()
    i = ctx.sender_input_indexes()[0]

    def sign_sender(p: Psbt) -> Psbt:
        inputs = list(p.inputs)
        inputs[i] = replace(inputs[i], final_script_witness=(b"\x01",))
        return replace(p, inputs=tuple(inputs))

    assert "unexpected signature" in str(
        fails(ImplementationError, ctx.finalize_proposal, sign_sender)
    )


def test_prepare_psbt_keeps_only_utxos_and_final_fields() -> None:
    p = proposal_with_info = proposal()
    kept = prepare_psbt(proposal_with_info)
    for before, after in zip(p.inputs, kept.inputs, strict=True):
        assert after == Input(
            non_witness_utxo=before.non_witness_utxo,
            witness_utxo=before.witness_utxo,
            final_script_sig=before.final_script_sig,
            final_script_witness=before.final_script_witness,
        )
    assert not kept.xpub
    assert not kept.unknown
    assert not kept.proprietary
    assert all(o == type(o)() for o in kept.outputs)
