"""The sender: building the request context and checking the receiver's proposal (BIP 78).

The sender signs whatever passes :meth:`SenderContext.process_proposal`, so every rule of
payjoin 1.0's ``InternalProposalError`` is here, in payjoin's order: an attack that breaks two
rules is reported as the rule payjoin checks first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.bitcoin.psbt_types import PsbtError
from pjconf.reference.bitcoin.tx import TxOut
from pjconf.reference.errors import ParseError
from pjconf.reference.payjoin.errors import PayjoinError
from pjconf.reference.payjoin.params import OutputSubstitution
from pjconf.reference.payjoin.psbt_checks import (
    NON_WITNESS_INPUT_WEIGHT,
    P2TR_KEY_NON_DEFAULT_SIGHASH,
    AddressType,
    AddressTypeError,
    InconsistentPsbt,
    InputWeightError,
    InternalInputPair,
    PrevTxOutError,
    PsbtInputsError,
    display_text,
    input_pairs,
    validate,
    validate_input_utxos,
)
from pjconf.reference.payjoin.units import FEE_RATE_ZERO, checked_fee_for, fee_for, fee_rate


class _Displayed(PayjoinError):
    """A payjoin error whose ``str()`` is the crate's ``Display`` alone, without the
    ``"Variant: "`` prefix of the lower levels: these are the texts a wallet shows its user."""

    def __init__(self, variant: str, text: str, *, source: PayjoinError | None = None) -> None:
        super().__init__(variant, text, source=source)
        self.args = (text,)
        self.message = text


BUILD_SENDER_TEXTS = {
    "OriginalTxinNonAllSighashType": "an input in the original transaction requests a sighash "
    "type other than SIGHASH_ALL",
    "NoInputs": "the original transaction has no inputs",
    "PayeeValueNotEqual": "the value in original transaction doesn't equal value requested in "
    "the payment link",
    "NoOutputs": "the original transaction has no outputs",
    "MultiplePayeeOutputs": "the original transaction has more than one output belonging to the "
    "payee",
    "MissingPayeeOutput": "the output belonging to payee is missing from the original transaction",
    "FeeOutputValueLowerThanFeeContribution": "the value of fee output is lower than maximum "
    "allowed contribution",
    "AmbiguousChangeOutput": "can not determine which output is change because there's more than "
    "two outputs",
    "ChangeIndexOutOfBounds": "fee output index is points out of bounds",
    "ChangeIndexPointsAtPayee": "fee output index is points at output belonging to the payee",
}
"""payjoin 1.0's ``BuildSenderError`` Display (``send/error.rs``) of the variants without a
source, typos included."""


class BuildSenderError(_Displayed):
    """payjoin's ``InternalBuildSenderError``: the Original PSBT cannot start a payjoin.

    ``str()`` is the crate's Display; the two PSBT-validation variants print their source with
    Rust's ``{:#?}``, as the crate does.
    """

    kind = "BuildSenderError"
    VARIANTS = frozenset(
        {
            "InvalidOriginalInput",
            "InconsistentOriginalPsbt",
            "InputWeight",
            "AddressType",
            *BUILD_SENDER_TEXTS,
        }
    )

    def __init__(self, variant: str, *, source: PayjoinError | None = None) -> None:
        super().__init__(variant, _build_sender_text(variant, source), source=source)


def _build_sender_text(variant: str, source: PayjoinError | None) -> str:
    if variant == "InvalidOriginalInput" and isinstance(source, PsbtInputsError):
        return f"an input in the original transaction is invalid: {source.debug()}"
    if variant == "InconsistentOriginalPsbt" and isinstance(source, InconsistentPsbt):
        return f"the original transaction is inconsistent: {source.debug()}"
    if variant == "AddressType" and source is not None:
        return f"can not determine input address type: {display_text(source)}"
    if variant == "InputWeight" and source is not None:
        return f"can not determine expected input weight: {display_text(source)}"
    return BUILD_SENDER_TEXTS.get(variant, variant)


PROPOSAL_TEXTS = {
    "NoInputs": "PSBT doesn't have any inputs",
    "SenderTxinContainsFinalScriptSig": "an input in proposed transaction belonging to the sender "
    "contains finalized non-witness signature",
    "SenderTxinContainsFinalScriptWitness": "an input in proposed transaction belonging to the "
    "sender contains finalized witness signature",
    "SenderTxinNonAllSighashType": "an input in proposed transaction belonging to the sender "
    "requests a sighash type other than SIGHASH_ALL",
    "TxInContainsKeyPaths": "proposed transaction inputs contain key paths",
    "ContainsPartialSigs": "an input in proposed transaction belonging to the sender contains "
    "partial signatures",
    "ReceiverTxinNotFinalized": "an input in proposed transaction belonging to the receiver is "
    "not finalized",
    "ReceiverTxinMissingUtxoInfo": "an input in proposed transaction belonging to the receiver is "
    "missing UTXO information",
    "MixedSequence": "inputs of proposed transaction contain mixed sequence numbers",
    "MissingOrShuffledInputs": "proposed transaction is missing inputs of the sender or they are "
    "shuffled",
    "TxOutContainsKeyPaths": "proposed transaction outputs contain key paths",
    "FeeContributionExceedsMaximum": "fee contribution exceeds allowed maximum",
    "DisallowedOutputSubstitution": "the receiver change output despite it being disallowed",
    "OutputValueDecreased": "the amount in our non-fee output was decreased",
    "MissingOrShuffledOutputs": "proposed transaction is missing outputs of the sender or they "
    "are shuffled",
    "AbsoluteFeeDecreased": "abslute fee of proposed transaction is lower than original",
    "PayeeTookContributedFee": "payee tried to take fee contribution for himself",
    "FeeContributionPaysOutputSizeIncrease": "fee contribution pays for additional outputs",
    "FeeRateBelowMinimum": "the fee rate of proposed transaction is below minimum",
}
"""payjoin 1.0's ``InternalProposalError`` Display (``send/error.rs``) of the variants without
fields, typos included."""

_MISMATCH_TEXTS = {
    "VersionsDontMatch": "proposed transaction version",
    "LockTimesDontMatch": "proposed transaction lock time",
    "SenderTxinSequenceChanged": "proposed transaction sequence number",
}
"""The variants with ``{proposed}`` and ``{original}``: rust-bitcoin prints ``Version``,
``LockTime`` and ``Sequence`` as their plain integers."""

_SOURCE_LABELS = {
    "InvalidAddressType": "invalid input address type",
    "PrevTxOut": "missing previous txout information",
    "InputWeight": "can not determine expected input weight",
}

PSBT_ERROR_TEXTS = {
    "MissingUtxo": "UTXO information is not present in PSBT",
    "PsbtUtxoOutOfbounds": "output index is out of bounds of non witness script output array",
    "NegativeFee": "PSBT has a negative fee which is not allowed",
    "FeeOverflow": "integer overflow in fee calculation",
}
"""rust-bitcoin 0.32's ``psbt::Error`` Display of what ``Psbt::fee`` returns."""


class ProposalError(_Displayed):
    """payjoin's ``InternalProposalError``: the receiver's proposal breaks the checklist.

    ``str()`` is the crate's Display; ``Psbt`` carries rust-bitcoin's text in ``detail``.
    """

    kind = "ProposalError"
    VARIANTS = frozenset({*PROPOSAL_TEXTS, *_MISMATCH_TEXTS, *_SOURCE_LABELS, "Psbt"})

    def __init__(
        self,
        variant: str,
        *,
        proposed: int | None = None,
        original: int | None = None,
        source: PayjoinError | None = None,
        detail: str = "",
    ) -> None:
        if variant in _MISMATCH_TEXTS:
            text = f"{_MISMATCH_TEXTS[variant]} {proposed} doesn't match the original {original}"
        elif variant in _SOURCE_LABELS and source is not None:
            text = f"{_SOURCE_LABELS[variant]}: {display_text(source)}"
        elif variant == "Psbt":
            text = f"psbt error: {detail}"
        else:
            text = PROPOSAL_TEXTS.get(variant, variant)
        super().__init__(variant, text, source=source)
        self.proposed = proposed
        self.original = original


def _ensure(condition: bool, variant: str) -> None:
    if not condition:
        raise ProposalError(variant)


def _check_eq(proposed: int, original: int, variant: str) -> None:
    if proposed != original:
        raise ProposalError(variant, proposed=proposed, original=original)


def commits_to_all_inputs_and_outputs(sighash_type: int) -> bool:
    """Only SIGHASH_ALL and taproot's SIGHASH_DEFAULT sign every input and output."""
    return sighash_type in (0x00, 0x01)


@dataclass(frozen=True, slots=True)
class AdditionalFeeContribution:
    max_amount: int
    vout: int


@dataclass(frozen=True, slots=True)
class SenderContext:
    """payjoin's sender ``PsbtContext``: what a proposal is checked against."""

    original_psbt: Psbt
    output_substitution: OutputSubstitution
    fee_contribution: AdditionalFeeContribution | None
    min_fee_rate: int
    payee: bytes

    def process_proposal(self, proposal: Psbt) -> Psbt:
        """Check ``proposal``; return it with the sender's stripped fields restored."""
        self.basic_checks(proposal)
        self.check_inputs(proposal, ensure_receiver_input_finalized=True)
        contributed_fee = self.check_outputs(proposal)
        proposal = self.restore_original_utxos(proposal)
        proposal = self.restore_original_outputs(proposal)
        self.check_fees(proposal, contributed_fee)
        return proposal

    def basic_checks(self, proposal: Psbt) -> None:
        _check_eq(
            proposal.unsigned_tx.version,
            self.original_psbt.unsigned_tx.version,
            "VersionsDontMatch",
        )
        _check_eq(
            proposal.unsigned_tx.lock_time,
            self.original_psbt.unsigned_tx.lock_time,
            "LockTimesDontMatch",
        )

    def check_inputs(self, proposal: Psbt, ensure_receiver_input_finalized: bool) -> None:
        """Sender inputs in order and untouched; receiver inputs finalized and priced."""
        originals = input_pairs(self.original_psbt)
        cursor = 0
        for proposed in input_pairs(proposal):
            _ensure(not proposed.psbtin.bip32_derivation, "TxInContainsKeyPaths")
            _ensure(not proposed.psbtin.partial_sigs, "ContainsPartialSigs")
            original = originals[cursor] if cursor < len(originals) else None
            if (
                original is not None
                and proposed.txin.previous_output == original.txin.previous_output
            ):
                _check_eq(
                    proposed.txin.sequence, original.txin.sequence, "SenderTxinSequenceChanged"
                )
                _ensure(
                    proposed.psbtin.final_script_sig is None, "SenderTxinContainsFinalScriptSig"
                )
                _ensure(
                    proposed.psbtin.final_script_witness is None,
                    "SenderTxinContainsFinalScriptWitness",
                )
                if proposed.psbtin.sighash_type is not None:
                    _ensure(
                        commits_to_all_inputs_and_outputs(proposed.psbtin.sighash_type),
                        "SenderTxinNonAllSighashType",
                    )
                cursor += 1
                continue
            if not originals:
                raise ProposalError("NoInputs")
            first = originals[0]
            if ensure_receiver_input_finalized:
                _ensure(
                    proposed.psbtin.final_script_sig is not None
                    or proposed.psbtin.final_script_witness is not None,
                    "ReceiverTxinNotFinalized",
                )
            _ensure(
                proposed.psbtin.witness_utxo is not None
                or proposed.psbtin.non_witness_utxo is not None,
                "ReceiverTxinMissingUtxoInfo",
            )
            _ensure(proposed.txin.sequence == first.txin.sequence, "MixedSequence")
        _ensure(cursor == len(originals), "MissingOrShuffledInputs")

    def check_outputs(self, proposal: Psbt) -> int:
        """Sender outputs in order, none decreased beyond the fee contribution; returns it."""
        originals = list(enumerate(self.original_psbt.unsigned_tx.outputs))
        cursor = 0
        contributed_fee = 0
        fee = self.fee_contribution
        for proposed_txout, proposed_out in zip(
            proposal.unsigned_tx.outputs, proposal.outputs, strict=False
        ):
            _ensure(not proposed_out.bip32_derivation, "TxOutContainsKeyPaths")
            if cursor >= len(originals):
                continue
            index, original = originals[cursor]
            if (
                fee is not None
                and proposed_txout.script_pubkey == original.script_pubkey
                and index == fee.vout
            ):
                if proposed_txout.value < original.value:
                    contributed_fee = original.value - proposed_txout.value
                    _ensure(contributed_fee <= fee.max_amount, "FeeContributionExceedsMaximum")
                cursor += 1
            elif original.script_pubkey == self.payee:
                _ensure(
                    self.output_substitution is OutputSubstitution.ENABLED
                    or (
                        proposed_txout.script_pubkey == original.script_pubkey
                        and proposed_txout.value >= original.value
                    ),
                    "DisallowedOutputSubstitution",
                )
                cursor += 1
            elif proposed_txout.script_pubkey == original.script_pubkey:
                _ensure(proposed_txout.value >= original.value, "OutputValueDecreased")
                cursor += 1
        _ensure(cursor == len(originals), "MissingOrShuffledOutputs")
        return contributed_fee

    def restore_original_utxos(self, proposal: Psbt) -> Psbt:
        """Put back the sender's UTXO and key-origin fields BIP 78 lets the receiver strip."""
        originals = input_pairs(self.original_psbt)
        cursor = 0
        inputs = list(proposal.inputs)
        for i, txin in enumerate(proposal.unsigned_tx.inputs[: len(inputs)]):
            if (
                cursor < len(originals)
                and txin.previous_output == originals[cursor].txin.previous_output
            ):
                src = originals[cursor].psbtin
                inputs[i] = replace(
                    inputs[i],
                    non_witness_utxo=src.non_witness_utxo,
                    witness_utxo=src.witness_utxo,
                    bip32_derivation=src.bip32_derivation,
                    tap_internal_key=src.tap_internal_key,
                    tap_key_origins=src.tap_key_origins,
                    witness_script=src.witness_script,
                )
                cursor += 1
        return replace(proposal, inputs=tuple(inputs))

    def restore_original_outputs(self, proposal: Psbt) -> Psbt:
        """Put back the output maps of the sender's outputs that came back unchanged."""
        originals = list(
            zip(self.original_psbt.unsigned_tx.outputs, self.original_psbt.outputs, strict=False)
        )
        cursor = 0
        outputs = list(proposal.outputs)
        for i, txout in enumerate(proposal.unsigned_tx.outputs[: len(outputs)]):
            if cursor < len(originals) and txout == originals[cursor][0]:
                outputs[i] = originals[cursor][1]
                cursor += 1
        return replace(proposal, outputs=tuple(outputs))

    def check_fees(self, proposal: Psbt, contributed_fee: int) -> None:
        proposed_fee = _psbt_fee(proposal)
        original_fee = _psbt_fee(self.original_psbt)
        _ensure(original_fee <= proposed_fee, "AbsoluteFeeDecreased")
        _ensure(contributed_fee <= proposed_fee - original_fee, "PayeeTookContributedFee")
        original_weight = self.original_psbt.extract_tx().weight()
        original_fee_rate = fee_rate(original_fee, original_weight)
        original_spks = []
        for pair in input_pairs(self.original_psbt):
            original_spks.append(_prev_txout(pair).script_pubkey)
        additional_input_weight = 0
        for pair in input_pairs(proposal):
            if _prev_txout(pair).script_pubkey in original_spks:
                continue
            try:
                additional_input_weight += pair.expected_input_weight()
            except InputWeightError as e:
                raise ProposalError("InputWeight", source=e) from e
        _ensure(
            contributed_fee <= fee_for(additional_input_weight, original_fee_rate),
            "FeeContributionPaysOutputSizeIncrease",
        )
        if self.min_fee_rate > FEE_RATE_ZERO:
            proposed_weight = proposal.extract_tx().weight()
            _ensure(
                fee_rate(proposed_fee, proposed_weight) >= self.min_fee_rate, "FeeRateBelowMinimum"
            )


def _prev_txout(pair: InternalInputPair) -> TxOut:
    try:
        return pair.previous_txout()
    except PrevTxOutError as e:
        raise ProposalError("PrevTxOut", source=e) from e


def _psbt_fee(psbt: Psbt) -> int:
    try:
        return psbt.fee()
    except (PsbtError, ParseError) as e:
        raise ProposalError("Psbt", detail=_fee_error_text(e)) from e


def _fee_error_text(error: ParseError) -> str:
    """rust-bitcoin's text for a failed ``Psbt::fee``. The reference calls a ``non_witness_utxo``
    without the spent output ``MissingUtxo`` too; rust-bitcoin says ``PsbtUtxoOutOfbounds``."""
    reason = error.reason
    path = error.path if isinstance(error, PsbtError) else ""
    if reason == "MissingUtxo" and path.endswith(".non_witness_utxo"):
        reason = "PsbtUtxoOutOfbounds"
    return PSBT_ERROR_TEXTS.get(reason, str(error))


# --- the builder ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SenderBuilder:
    """payjoin's ``PsbtContextBuilder``: the Original PSBT, the payee script and the amount."""

    psbt: Psbt
    payee: bytes
    amount: int | None = None

    def build_recommended(
        self, min_fee_rate: int, output_substitution: OutputSubstitution
    ) -> SenderContext:
        """Offer ``min_fee_rate * one input's weight`` from the change (BIP 78's advice)."""
        outputs = self.psbt.unsigned_tx.outputs
        # payjoin iterates a one-element iterator of payout scripts with `all`, consuming it;
        # the flag models that, since it decides which output is picked as change.
        payee_pending = True
        if len(outputs) == 1:
            payee_pending = False
            if self.payee == outputs[0].script_pubkey:
                return self.build_non_incentivizing(min_fee_rate, output_substitution)
        found: int | None = None
        for i, txo in enumerate(outputs):
            if payee_pending:
                payee_pending = False
                if self.payee == txo.script_pubkey:
                    continue
            found = i
            break
        if found is None:
            return self.build_non_incentivizing(min_fee_rate, output_substitution)
        fee_available = outputs[found].value
        pairs = input_pairs(self.psbt)
        if not pairs:
            raise BuildSenderError("NoInputs")
        try:
            input_weight = pairs[0].expected_input_weight()
        except InputWeightError as e:
            raise BuildSenderError("InputWeight", source=e) from e
        for pair in pairs[1:]:
            if _address_type(pair) != _address_type(pairs[0]):
                input_weight = P2TR_KEY_NON_DEFAULT_SIGHASH.weight() + NON_WITNESS_INPUT_WEIGHT
                break
        recommended = checked_fee_for(min_fee_rate, input_weight)
        if recommended is None:
            raise BuildSenderError(
                "AddressType", source=AddressTypeError("FeeRateOverflow", "fee rate overflow")
            )
        if fee_available < recommended:
            return self.build_with_additional_fee(
                fee_available, found, min_fee_rate, True, output_substitution
            )
        return self.build_with_additional_fee(
            recommended, found, min_fee_rate, False, output_substitution
        )

    def build_with_additional_fee(
        self,
        max_fee_contribution: int,
        change_index: int | None,
        min_fee_rate: int,
        clamp_fee_contribution: bool,
        output_substitution: OutputSubstitution,
    ) -> SenderContext:
        return self._build(
            (max_fee_contribution, change_index),
            clamp_fee_contribution,
            min_fee_rate,
            output_substitution,
        )

    def build_non_incentivizing(
        self, min_fee_rate: int, output_substitution: OutputSubstitution
    ) -> SenderContext:
        return self._build(None, False, min_fee_rate, output_substitution)

    def _build(
        self,
        fee_contribution: tuple[int, int | None] | None,
        clamp: bool,
        min_fee_rate: int,
        output_substitution: OutputSubstitution,
    ) -> SenderContext:
        try:
            psbt = validate(self.psbt)
        except InconsistentPsbt as e:
            raise BuildSenderError("InconsistentOriginalPsbt", source=e) from e
        try:
            validate_input_utxos(psbt)
        except PsbtInputsError as e:
            raise BuildSenderError("InvalidOriginalInput", source=e) from e
        for inp in psbt.inputs:
            if inp.sighash_type is not None and not commits_to_all_inputs_and_outputs(
                inp.sighash_type
            ):
                raise BuildSenderError("OriginalTxinNonAllSighashType")
        check_single_payee(psbt, self.payee, self.amount)
        contribution = determine_fee_contribution(psbt, self.payee, fee_contribution, clamp)
        return SenderContext(psbt, output_substitution, contribution, min_fee_rate, self.payee)


def _address_type(pair: InternalInputPair) -> AddressType:
    try:
        return pair.address_type()
    except AddressTypeError as e:
        raise BuildSenderError("AddressType", source=e) from e


def check_single_payee(psbt: Psbt, payee: bytes, amount: int | None) -> None:
    """The payee's script appears exactly once, paying ``amount`` if one was requested."""
    found = False
    for output in psbt.unsigned_tx.outputs:
        if output.script_pubkey == payee:
            if amount is not None and output.value != amount:
                raise BuildSenderError("PayeeValueNotEqual")
            if found:
                raise BuildSenderError("MultiplePayeeOutputs")
            found = True
    if not found:
        raise BuildSenderError("MissingPayeeOutput")


def _fee_output_amount(value: int, fee: int, clamp: bool) -> int:
    if value < fee:
        if clamp:
            return value
        raise BuildSenderError("FeeOutputValueLowerThanFeeContribution")
    return fee


def find_change_index(
    psbt: Psbt, payee: bytes, fee: int, clamp: bool
) -> AdditionalFeeContribution | None:
    outputs = psbt.unsigned_tx.outputs
    if not outputs:
        raise BuildSenderError("NoOutputs")
    if len(outputs) == 1:
        if outputs[0].script_pubkey == payee:
            if clamp:
                return None
            raise BuildSenderError("FeeOutputValueLowerThanFeeContribution")
        raise BuildSenderError("MissingPayeeOutput")
    if len(outputs) > 2:
        raise BuildSenderError("AmbiguousChangeOutput")
    for index, output in enumerate(outputs):
        if output.script_pubkey != payee:
            return AdditionalFeeContribution(_fee_output_amount(output.value, fee, clamp), index)
    raise BuildSenderError("MultiplePayeeOutputs")


def check_change_index(
    psbt: Psbt, payee: bytes, fee: int, index: int, clamp: bool
) -> AdditionalFeeContribution:
    outputs = psbt.unsigned_tx.outputs
    if index >= len(outputs):
        raise BuildSenderError("ChangeIndexOutOfBounds")
    if outputs[index].script_pubkey == payee:
        raise BuildSenderError("ChangeIndexPointsAtPayee")
    return AdditionalFeeContribution(_fee_output_amount(outputs[index].value, fee, clamp), index)


def determine_fee_contribution(
    psbt: Psbt, payee: bytes, fee_contribution: tuple[int, int | None] | None, clamp: bool
) -> AdditionalFeeContribution | None:
    if fee_contribution is None:
        return None
    fee, index = fee_contribution
    if index is None:
        return find_change_index(psbt, payee, fee, clamp)
    return check_change_index(psbt, payee, fee, index, clamp)
