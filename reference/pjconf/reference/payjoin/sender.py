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
    input_pairs,
    validate,
    validate_input_utxos,
)
from pjconf.reference.payjoin.units import FEE_RATE_ZERO, checked_fee_for, fee_for, fee_rate


class BuildSenderError(PayjoinError):
    """payjoin's ``InternalBuildSenderError``: the Original PSBT cannot start a payjoin."""

    kind = "BuildSenderError"
    VARIANTS = frozenset(
        {
            "InvalidOriginalInput",
            "InconsistentOriginalPsbt",
            "OriginalTxinNonAllSighashType",
            "NoInputs",
            "PayeeValueNotEqual",
            "NoOutputs",
            "MultiplePayeeOutputs",
            "MissingPayeeOutput",
            "FeeOutputValueLowerThanFeeContribution",
            "AmbiguousChangeOutput",
            "ChangeIndexOutOfBounds",
            "ChangeIndexPointsAtPayee",
            "InputWeight",
            "AddressType",
        }
    )


class ProposalError(PayjoinError):
    """payjoin's ``InternalProposalError``: the receiver's proposal breaks the checklist."""

    kind = "ProposalError"
    VARIANTS = frozenset(
        {
            "InvalidAddressType",
            "NoInputs",
            "PrevTxOut",
            "InputWeight",
            "VersionsDontMatch",
            "LockTimesDontMatch",
            "SenderTxinSequenceChanged",
            "SenderTxinContainsFinalScriptSig",
            "SenderTxinContainsFinalScriptWitness",
            "SenderTxinNonAllSighashType",
            "TxInContainsKeyPaths",
            "ContainsPartialSigs",
            "ReceiverTxinNotFinalized",
            "ReceiverTxinMissingUtxoInfo",
            "MixedSequence",
            "MissingOrShuffledInputs",
            "TxOutContainsKeyPaths",
            "FeeContributionExceedsMaximum",
            "DisallowedOutputSubstitution",
            "OutputValueDecreased",
            "MissingOrShuffledOutputs",
            "AbsoluteFeeDecreased",
            "PayeeTookContributedFee",
            "FeeContributionPaysOutputSizeIncrease",
            "FeeRateBelowMinimum",
            "Psbt",
        }
    )

    def __init__(
        self,
        variant: str,
        message: str = "",
        *,
        proposed: int | None = None,
        original: int | None = None,
        source: PayjoinError | None = None,
    ) -> None:
        super().__init__(variant, message or variant, source=source)
        self.proposed = proposed
        self.original = original


def _ensure(condition: bool, variant: str) -> None:
    if not condition:
        raise ProposalError(variant)


def _check_eq(proposed: int, original: int, variant: str) -> None:
    if proposed != original:
        raise ProposalError(
            variant,
            f"proposed {proposed} != original {original}",
            proposed=proposed,
            original=original,
        )


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
                raise ProposalError("NoInputs", "PSBT doesn't have any inputs")
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
                raise ProposalError("InputWeight", str(e), source=e) from e
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
        raise ProposalError("PrevTxOut", str(e), source=e) from e


def _psbt_fee(psbt: Psbt) -> int:
    try:
        return psbt.fee()
    except (PsbtError, ParseError) as e:
        raise ProposalError("Psbt", str(e)) from e


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
            raise BuildSenderError("NoInputs", "the original transaction has no inputs")
        try:
            input_weight = pairs[0].expected_input_weight()
        except InputWeightError as e:
            raise BuildSenderError("InputWeight", str(e), source=e) from e
        for pair in pairs[1:]:
            if _address_type(pair) != _address_type(pairs[0]):
                input_weight = P2TR_KEY_NON_DEFAULT_SIGHASH.weight() + NON_WITNESS_INPUT_WEIGHT
                break
        recommended = checked_fee_for(min_fee_rate, input_weight)
        if recommended is None:
            raise BuildSenderError(
                "AddressType",
                "fee rate overflow",
                source=AddressTypeError("FeeRateOverflow", "fee rate overflow"),
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
            raise BuildSenderError("InconsistentOriginalPsbt", str(e), source=e) from e
        try:
            validate_input_utxos(psbt)
        except PsbtInputsError as e:
            raise BuildSenderError("InvalidOriginalInput", str(e), source=e) from e
        for inp in psbt.inputs:
            if inp.sighash_type is not None and not commits_to_all_inputs_and_outputs(
                inp.sighash_type
            ):
                raise BuildSenderError(
                    "OriginalTxinNonAllSighashType", "an input requests a non-ALL sighash type"
                )
        check_single_payee(psbt, self.payee, self.amount)
        contribution = determine_fee_contribution(psbt, self.payee, fee_contribution, clamp)
        return SenderContext(psbt, output_substitution, contribution, min_fee_rate, self.payee)


def _address_type(pair: InternalInputPair) -> AddressType:
    try:
        return pair.address_type()
    except AddressTypeError as e:
        raise BuildSenderError("AddressType", str(e), source=e) from e


def check_single_payee(psbt: Psbt, payee: bytes, amount: int | None) -> None:
    """The payee's script appears exactly once, paying ``amount`` if one was requested."""
    found = False
    for output in psbt.unsigned_tx.outputs:
        if output.script_pubkey == payee:
            if amount is not None and output.value != amount:
                raise BuildSenderError("PayeeValueNotEqual", "payee value differs from the request")
            if found:
                raise BuildSenderError("MultiplePayeeOutputs", "more than one payee output")
            found = True
    if not found:
        raise BuildSenderError("MissingPayeeOutput", "the payee output is missing")


def _fee_output_amount(value: int, fee: int, clamp: bool) -> int:
    if value < fee:
        if clamp:
            return value
        raise BuildSenderError(
            "FeeOutputValueLowerThanFeeContribution", "fee output is lower than the contribution"
        )
    return fee


def find_change_index(
    psbt: Psbt, payee: bytes, fee: int, clamp: bool
) -> AdditionalFeeContribution | None:
    outputs = psbt.unsigned_tx.outputs
    if not outputs:
        raise BuildSenderError("NoOutputs", "the original transaction has no outputs")
    if len(outputs) == 1:
        if outputs[0].script_pubkey == payee:
            if clamp:
                return None
            raise BuildSenderError(
                "FeeOutputValueLowerThanFeeContribution", "the only output is the payee's"
            )
        raise BuildSenderError("MissingPayeeOutput", "the payee output is missing")
    if len(outputs) > 2:
        raise BuildSenderError("AmbiguousChangeOutput", "more than two outputs")
    for index, output in enumerate(outputs):
        if output.script_pubkey != payee:
            return AdditionalFeeContribution(_fee_output_amount(output.value, fee, clamp), index)
    raise BuildSenderError("MultiplePayeeOutputs", "both outputs pay the payee")


def check_change_index(
    psbt: Psbt, payee: bytes, fee: int, index: int, clamp: bool
) -> AdditionalFeeContribution:
    outputs = psbt.unsigned_tx.outputs
    if index >= len(outputs):
        raise BuildSenderError("ChangeIndexOutOfBounds", "fee output index out of bounds")
    if outputs[index].script_pubkey == payee:
        raise BuildSenderError("ChangeIndexPointsAtPayee", "fee output index points at the payee")
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
