"""payjoin's psbt/mod.rs tests and receive/mod.rs ``InputPair`` tests, ported (assertions only)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from reference.payjoin.pjvectors import DUMMY20, DUMMY32, RAW_TX, original

from pjconf.reference.bitcoin.psbt import Input, Psbt
from pjconf.reference.bitcoin.script import p2pkh, p2sh, witness_script_pubkey
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from pjconf.reference.payjoin.psbt_checks import (
    NON_WITNESS_INPUT_WEIGHT,
    P2PKH_COMPRESSED_MAX,
    P2TR_KEY_DEFAULT_SIGHASH,
    P2WPKH_MAX,
    AddressType,
    AddressTypeError,
    InconsistentPsbt,
    InputWeightError,
    InternalInputPair,
    PrevTxOutError,
    PsbtInputError,
    PsbtInputsError,
    address_type_of_script,
    redeem_script_of,
    validate,
    validate_input_utxos,
)
from pjconf.reference.payjoin.receiver import InputPair

RAW = Transaction.deserialize(bytes.fromhex(RAW_TX))


def first_pair(psbt: Psbt) -> tuple[TxIn, Input]:
    return psbt.unsigned_tx.inputs[0], psbt.inputs[0]


def test_validate_input_utxos() -> None:
    validate_input_utxos(original())


def test_input_pairs_validate_witness_utxo() -> None:
    InternalInputPair(*first_pair(original())).validate_utxo()


def test_input_pairs_validate_non_witness_utxo() -> None:
    txin, psbtin = first_pair(original())
    psbtin = replace(psbtin, non_witness_utxo=RAW, witness_utxo=None)
    txin = replace(txin, previous_output=OutPoint(RAW.txid(), txin.previous_output.vout))
    InternalInputPair(txin, psbtin).validate_utxo()


def test_input_pairs_unequal_txid() -> None:
    txin, psbtin = first_pair(original())
    for witness_utxo in (psbtin.witness_utxo, None):
        pair = InternalInputPair(
            txin, replace(psbtin, non_witness_utxo=RAW, witness_utxo=witness_utxo)
        )
        with pytest.raises(PsbtInputError) as e:
            pair.validate_utxo()
        assert e.value.variant == "UnequalTxid"


def test_input_pairs_txout_mismatch() -> None:
    txin, psbtin = first_pair(original())
    psbtin = replace(psbtin, non_witness_utxo=RAW)
    txin = replace(txin, previous_output=OutPoint(RAW.txid(), txin.previous_output.vout))
    with pytest.raises(PsbtInputError) as e:
        InternalInputPair(txin, psbtin).validate_utxo()
    assert e.value.variant == "SegWitTxOutMismatch"


def test_previous_txout_prefers_authenticated_non_witness_utxo() -> None:
    txin, psbtin = first_pair(original())
    txin = replace(txin, previous_output=OutPoint(RAW.txid(), 0))
    mismatched = bytes.fromhex("0014" + "00" * 20)
    psbtin = replace(
        psbtin, non_witness_utxo=RAW, witness_utxo=TxOut(RAW.outputs[0].value, mismatched)
    )
    pair = InternalInputPair(txin, psbtin)
    with pytest.raises(PsbtInputError) as e:
        pair.validate_utxo()
    assert e.value.variant == "SegWitTxOutMismatch"
    assert pair.previous_txout().script_pubkey == RAW.outputs[0].script_pubkey


def test_expected_input_weight() -> None:
    txin, psbtin = first_pair(original())
    assert InternalInputPair(txin, psbtin).expected_input_weight() == 364
    p2wsh_sig = bytes.fromhex(
        "22002065f91a53cb7120057db3d378bd0f7d944167d43a7dcbff15d6afc4823f1d3ed3"
    )
    with pytest.raises(InputWeightError) as e:
        InternalInputPair(txin, replace(psbtin, final_script_sig=p2wsh_sig)).expected_input_weight()
    assert e.value.variant == "NotSupported"
    with pytest.raises(InputWeightError) as e:
        InternalInputPair(txin, replace(psbtin, final_script_sig=None)).expected_input_weight()
    assert e.value.variant == "NoRedeemScript"


def test_missing_utxo_and_out_of_bounds() -> None:
    txin, _psbtin = first_pair(original())
    bare = InternalInputPair(txin, Input())
    with pytest.raises(PsbtInputError) as e:
        bare.validate_utxo()
    assert e.value.chain() == ("PrevTxOut", "MissingUtxoInformation")
    with pytest.raises(InputWeightError) as w:
        bare.expected_input_weight()
    assert w.value.chain() == ("AddressType", "PrevTxOut", "MissingUtxoInformation")
    far = replace(txin, previous_output=OutPoint(RAW.txid(), 5))
    with pytest.raises(PsbtInputError) as e:
        InternalInputPair(far, Input(non_witness_utxo=RAW)).validate_utxo()
    assert e.value.chain() == ("PrevTxOut", "IndexOutOfBounds")
    assert isinstance(e.value.source, PrevTxOutError)
    assert (e.value.source.output_count, e.value.source.index) == (1, 5)
    with pytest.raises(PsbtInputsError) as many:
        validate_input_utxos(replace(original(), inputs=(Input(),)))
    assert many.value.index == 0


def test_inconsistent_psbt() -> None:
    psbt = original()
    with pytest.raises(InconsistentPsbt) as e:
        validate(replace(psbt, inputs=()))
    assert e.value.variant == "UnequalInputCounts"
    with pytest.raises(InconsistentPsbt) as e:
        validate(replace(psbt, outputs=psbt.outputs[:1]))
    assert e.value.variant == "UnequalOutputCounts"


def test_address_types() -> None:
    assert address_type_of_script(p2pkh(DUMMY20)) is AddressType.P2PKH
    assert (
        address_type_of_script(witness_script_pubkey(1, bytes.fromhex("4e73"))) is AddressType.P2A
    )
    for script, variant in (
        (b"\x6a", "InvalidScript"),
        (witness_script_pubkey(0, b"\x00" * 21), "InvalidScript"),
        (witness_script_pubkey(2, b"\x00" * 32), "UnknownAddressType"),
    ):
        with pytest.raises(AddressTypeError) as e:
            address_type_of_script(script)
        assert e.value.variant == variant


def test_redeem_script_extraction() -> None:
    assert redeem_script_of(b"") is None
    assert redeem_script_of(b"\x51") is None  # OP_1 is not a push
    assert redeem_script_of(b"\x00\x02ab") == b"ab"
    assert redeem_script_of(b"\x4c\x01z") == b"z"
    assert redeem_script_of(b"\x05ab") is None  # truncated push


# --- InputPair (receive/mod.rs) ---------------------------------------------------------------

OUTPOINT = OutPoint(DUMMY32, 31)


def legacy_tx(*outputs: TxOut) -> Transaction:
    return Transaction(1, (), outputs, 0)


def test_input_pair_with_expected_weight() -> None:
    txout = TxOut(123, witness_script_pubkey(0, DUMMY32))
    tx = Transaction(2, (), (txout,), 0)
    pair = InputPair.new(TxIn(OutPoint(tx.txid(), 0)), Input(witness_utxo=txout), 42)
    assert pair.expected_weight == 42


def test_create_p2pkh_input_pair() -> None:
    utxo = legacy_tx(TxOut(123, p2sh(DUMMY20)), TxOut(456, p2pkh(DUMMY20)))
    outpoint = OutPoint(utxo.txid(), 1)
    pair = InputPair.new_p2pkh(utxo, outpoint)
    assert pair.txin.previous_output == outpoint
    assert pair.psbtin.non_witness_utxo == utxo
    assert pair.expected_weight == P2PKH_COMPRESSED_MAX.weight() + NON_WITNESS_INPUT_WEIGHT == 592
    only_p2sh = legacy_tx(TxOut(123, p2sh(DUMMY20)))
    with pytest.raises(PsbtInputError) as e:
        InputPair.new_p2pkh(only_p2sh, OutPoint(only_p2sh.txid(), 0))
    assert e.value.variant == "InvalidScriptPubKey"
    empty = legacy_tx()
    with pytest.raises(PsbtInputError) as e:
        InputPair.new_p2pkh(empty, OutPoint(empty.txid(), 0))
    assert e.value.chain() == ("PrevTxOut", "IndexOutOfBounds")


def test_create_p2sh_input_pair() -> None:
    utxo = legacy_tx(TxOut(123, p2sh(DUMMY20)), TxOut(456, p2pkh(DUMMY20)))
    with pytest.raises(PsbtInputError) as e:
        InputPair.new_p2sh(utxo, OutPoint(utxo.txid(), 0), p2sh(DUMMY20))
    assert e.value.chain() == ("WeightError", "NotSupported")
    only_p2pkh = legacy_tx(TxOut(123, p2pkh(DUMMY20)))
    with pytest.raises(PsbtInputError) as e:
        InputPair.new_p2sh(only_p2pkh, OutPoint(only_p2pkh.txid(), 0), p2sh(DUMMY20))
    assert e.value.variant == "InvalidScriptPubKey"


def test_create_p2wpkh_input_pair() -> None:
    txout = TxOut(12345, witness_script_pubkey(0, DUMMY20))
    pair = InputPair.new_p2wpkh(txout, OUTPOINT)
    assert pair.outpoint == OUTPOINT
    assert pair.psbtin.witness_utxo == txout
    assert pair.expected_weight == P2WPKH_MAX.weight() + NON_WITNESS_INPUT_WEIGHT == 272
    with pytest.raises(PsbtInputError) as e:
        InputPair.new_p2wpkh(TxOut(0, p2sh(bytes(20))), OUTPOINT)
    assert e.value.variant == "InvalidScriptPubKey"


def test_create_p2wsh_input_pair() -> None:
    txout = TxOut(12345, witness_script_pubkey(0, DUMMY32))
    assert InputPair.new_p2wsh(txout, OUTPOINT, 42).expected_weight == 42
    with pytest.raises(PsbtInputError) as e:
        InputPair.new(TxIn(OUTPOINT), Input(witness_utxo=txout))
    assert e.value.chain() == ("WeightError", "NotSupported")
    witness = (DUMMY32,)
    expected = 4 * 41 + (1 + 1 + 32)
    assert (
        InputPair.new(TxIn(OUTPOINT, witness=witness), Input(witness_utxo=txout)).expected_weight
        == expected
    )
    psbtin = Input(witness_utxo=txout, final_script_witness=witness)
    assert InputPair.new(TxIn(OUTPOINT), psbtin).expected_weight == expected
    with pytest.raises(PsbtInputError) as e:
        InputPair.new(TxIn(OUTPOINT), psbtin, 42)
    assert e.value.variant == "ProvidedUnnecessaryWeight"


def test_create_p2tr_input_pair() -> None:
    txout = TxOut(12345, witness_script_pubkey(1, DUMMY32))
    key = InputPair.new_p2tr_keyspend(txout, OUTPOINT)
    assert (
        key.expected_weight == P2TR_KEY_DEFAULT_SIGHASH.weight() + NON_WITNESS_INPUT_WEIGHT == 230
    )
    assert InputPair.new_p2tr_scriptpath_spend(txout, OUTPOINT, 2048).expected_weight == 2048
    with pytest.raises(PsbtInputError) as e:
        InputPair.new(TxIn(OUTPOINT), Input(witness_utxo=txout))
    assert e.value.chain() == ("WeightError", "NotSupported")
    stack = (b"\x03" * 64, b"\x04" * 5, b"\x05" * 33)
    expected = 4 * 41 + 1 + 65 + 6 + 34
    assert (
        InputPair.new(TxIn(OUTPOINT, witness=stack), Input(witness_utxo=txout)).expected_weight
        == expected
    )
    with pytest.raises(PsbtInputError) as e:
        InputPair.new(
            TxIn(OUTPOINT), Input(witness_utxo=txout, final_script_witness=stack), expected
        )
    assert e.value.variant == "ProvidedUnnecessaryWeight"
    with pytest.raises(PsbtInputError) as e:
        InputPair.new_p2tr_keyspend(TxOut(0, p2sh(bytes(20))), OUTPOINT)
    assert e.value.variant == "InvalidScriptPubKey"


def test_input_pair_validates_utxo() -> None:
    txout = TxOut(5, witness_script_pubkey(0, DUMMY20))
    with pytest.raises(PsbtInputError) as e:
        InputPair.new(TxIn(OUTPOINT), Input(non_witness_utxo=RAW, witness_utxo=txout))
    assert e.value.variant == "UnequalTxid"
