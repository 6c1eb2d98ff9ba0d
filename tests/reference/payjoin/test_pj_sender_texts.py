"""The sender's error texts are payjoin 1.0's Display (``send/error.rs``, ``psbt/mod.rs``).

The full comparison with the crate runs in ``tests/interop/test_sender_error_texts_rust.py``;
these pin the reference's side without Docker: no ``"Variant: "`` prefix, and the composed
texts (a source's Display, a source's ``{:#?}``, proposed/original numbers).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from pjconf.reference.adapter.payment import payment
from pjconf.reference.bitcoin.psbt import Input, Psbt
from pjconf.reference.bitcoin.tx import OutPoint
from pjconf.reference.payjoin.params import OutputSubstitution
from pjconf.reference.payjoin.psbt_checks import (
    UNEQUAL_TXID_TEXT,
    InconsistentPsbt,
    InputWeightError,
    PrevTxOutError,
    PsbtInputError,
    PsbtInputsError,
)
from pjconf.reference.payjoin.sender import (
    BUILD_SENDER_TEXTS,
    PROPOSAL_TEXTS,
    BuildSenderError,
    ProposalError,
    SenderBuilder,
)

PAYMENT = payment("sender-texts")


@pytest.mark.parametrize("variant", sorted(BUILD_SENDER_TEXTS))
def test_plain_builder_texts_have_no_variant_prefix(variant: str) -> None:
    error = BuildSenderError(variant)
    assert (str(error), error.message, error.variant) == (
        BUILD_SENDER_TEXTS[variant],
        BUILD_SENDER_TEXTS[variant],
        variant,
    )


@pytest.mark.parametrize("variant", sorted(PROPOSAL_TEXTS))
def test_plain_proposal_texts_have_no_variant_prefix(variant: str) -> None:
    assert str(ProposalError(variant)) == PROPOSAL_TEXTS[variant]


COMPOSED: list[tuple[str, BuildSenderError | ProposalError, str]] = [
    (
        "InvalidOriginalInput",
        BuildSenderError(
            "InvalidOriginalInput",
            source=PsbtInputsError(2, PsbtInputError("UnequalTxid", UNEQUAL_TXID_TEXT)),
        ),
        "an input in the original transaction is invalid: PsbtInputsError {\n    index: 2,\n"
        "    error: UnequalTxid,\n}",
    ),
    (
        "InconsistentOriginalPsbt",
        BuildSenderError(
            "InconsistentOriginalPsbt", source=InconsistentPsbt("UnequalInputCounts", 1, 2)
        ),
        "the original transaction is inconsistent: UnequalInputCounts {\n    tx_ins: 1,\n"
        "    psbt_ins: 2,\n}",
    ),
    (
        "InputWeight",
        BuildSenderError(
            "InputWeight",
            source=InputWeightError("NoRedeemScript", "p2sh input missing a redeem script"),
        ),
        "can not determine expected input weight: p2sh input missing a redeem script",
    ),
    (
        "VersionsDontMatch",
        ProposalError("VersionsDontMatch", proposed=-1, original=2),
        "proposed transaction version -1 doesn't match the original 2",
    ),
    (
        "PrevTxOut",
        ProposalError("PrevTxOut", source=PrevTxOutError.out_of_bounds(1, 9)),
        "missing previous txout information: index 9 out of bounds (number of outputs: 1)",
    ),
    ("Psbt", ProposalError("Psbt", detail="invalid magic"), "psbt error: invalid magic"),
]


@pytest.mark.parametrize(("error", "text"), [c[1:] for c in COMPOSED], ids=[c[0] for c in COMPOSED])
def test_composed_texts(error: BuildSenderError | ProposalError, text: str) -> None:
    assert str(error) == text


def build(psbt: Psbt) -> None:
    SenderBuilder(psbt, PAYMENT.receiver_script, PAYMENT.amount).build_with_additional_fee(
        100, 1, 250, False, OutputSubstitution.ENABLED
    )


def test_builder_raises_the_nested_debug_text() -> None:
    """A missing UTXO (``validate_input_utxos``) prints the whole chain as Rust's ``{:#?}``."""
    psbt = replace(PAYMENT.original, inputs=(Input(),))
    with pytest.raises(BuildSenderError) as e:
        build(psbt)
    assert str(e.value) == (
        "an input in the original transaction is invalid: PsbtInputsError {\n    index: 0,\n"
        "    error: PrevTxOut(\n        MissingUtxoInformation,\n    ),\n}"
    )


def test_fee_error_names_rust_bitcoins_out_of_bounds() -> None:
    """A ``non_witness_utxo`` without the spent output is rust-bitcoin's ``PsbtUtxoOutOfbounds``."""
    original = PAYMENT.original
    context = SenderBuilder(
        original, PAYMENT.receiver_script, PAYMENT.amount
    ).build_non_incentivizing(0, OutputSubstitution.ENABLED)
    other = payment("sender-texts/other").fallback_tx
    txin = replace(original.unsigned_tx.inputs[0], previous_output=OutPoint(other.txid(), 7))
    proposal = replace(
        original,
        unsigned_tx=replace(original.unsigned_tx, inputs=(*original.unsigned_tx.inputs, txin)),
        inputs=(
            replace(original.inputs[0], final_script_witness=None),
            Input(non_witness_utxo=other, final_script_witness=(b"\x01",)),
        ),
    )
    with pytest.raises(ProposalError) as e:
        context.process_proposal(proposal)
    assert str(e.value) == (
        "psbt error: output index is out of bounds of non witness script output array"
    )
