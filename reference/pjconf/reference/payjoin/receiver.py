"""The receiver's checks and typestates, v1/v2-independent (payjoin 1.0 ``receive``).

``OriginalPayload`` -> ``WantsOutputs`` -> ``WantsInputs`` -> ``WantsFeeRange`` ->
``ReceiverPsbtContext``: each step returns a new value, so a failed step leaves the previous one
usable, as payjoin's consuming typestates do. The wallet is reached only through callables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from typing import TypeVar

from pjconf.reference.bitcoin.psbt import Input, Output, Psbt
from pjconf.reference.bitcoin.psbt_types import PsbtError
from pjconf.reference.bitcoin.script import is_p2pkh, is_p2sh, witness_program
from pjconf.reference.bitcoin.tx import SEQUENCE_FINAL, OutPoint, Transaction, TxIn, TxOut
from pjconf.reference.entropy import SYSTEM_RANDOM, RandomSource
from pjconf.reference.errors import ParseError
from pjconf.reference.payjoin import rng as draw
from pjconf.reference.payjoin.errors import ImplementationError, PayjoinPanic
from pjconf.reference.payjoin.params import OutputSubstitution, Params, ParamsError
from pjconf.reference.payjoin.psbt_checks import (
    NON_WITNESS_INPUT_WEIGHT,
    P2TR_KEY_DEFAULT_SIGHASH,
    AddressType,
    InconsistentPsbt,
    InputWeightError,
    InternalInputPair,
    PrevTxOutError,
    PsbtInputError,
    PsbtInputsError,
    input_pairs,
    validate,
    validate_input_utxos,
)
from pjconf.reference.payjoin.receiver_errors import (
    CoinSelectionError,
    InputContributionError,
    OutputSubstitutionError,
    PayloadError,
)
from pjconf.reference.payjoin.units import (
    FEE_RATE_BROADCAST_MIN,
    MAX_MONEY,
    fee_for,
    fee_rate,
    sub_amount,
    txout_weight,
)

R = TypeVar("R")
DEFAULT_SIGHASH_KEY_SPEND_INPUT_WEIGHT = (
    P2TR_KEY_DEFAULT_SIGHASH.weight() + NON_WITNESS_INPUT_WEIGHT
)


def _call(callback: Callable[[], R]) -> R:
    """Run a wallet callback; anything it raises becomes payjoin's ``Error::Implementation``."""
    try:
        return callback()
    except Exception as e:
        raise ImplementationError(str(e)) from e


# --- receiver input pairs ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InputPair:
    """A receiver input to contribute, validated, with the weight payjoin will charge for it."""

    txin: TxIn
    psbtin: Input
    expected_weight: int

    @classmethod
    def new(cls, txin: TxIn, psbtin: Input, expected_weight: int | None = None) -> InputPair:
        """A weight may be given only where payjoin cannot predict one (``NotSupported``)."""
        raw = InternalInputPair(txin, psbtin)
        raw.validate_utxo()
        try:
            predicted: int | None = raw.expected_input_weight()
            error: InputWeightError | None = None
        except InputWeightError as e:
            predicted, error = None, e
        if predicted is not None:
            if expected_weight is not None:
                raise PsbtInputError(
                    "ProvidedUnnecessaryWeight", "weight was provided but can be calculated"
                )
            return cls(txin, psbtin, predicted)
        assert error is not None
        if error.variant == "NotSupported" and expected_weight is not None:
            return cls(txin, psbtin, expected_weight)
        raise PsbtInputError("WeightError", str(error), source=error) from error

    @classmethod
    def new_p2pkh(cls, non_witness_utxo: Transaction, outpoint: OutPoint) -> InputPair:
        txout = _txout_for(non_witness_utxo, outpoint)
        if not is_p2pkh(txout.script_pubkey):
            raise _invalid_spk(AddressType.P2PKH)
        return cls.new(TxIn(outpoint), Input(non_witness_utxo=non_witness_utxo))

    @classmethod
    def new_p2sh(
        cls, non_witness_utxo: Transaction, outpoint: OutPoint, redeem_script: bytes
    ) -> InputPair:
        txout = _txout_for(non_witness_utxo, outpoint)
        if not is_p2sh(txout.script_pubkey):
            raise _invalid_spk(AddressType.P2SH)
        psbtin = Input(non_witness_utxo=non_witness_utxo, redeem_script=redeem_script)
        return cls.new(TxIn(outpoint), psbtin)

    @classmethod
    def new_p2wpkh(cls, txout: TxOut, outpoint: OutPoint) -> InputPair:
        wp = witness_program(txout.script_pubkey)
        if not (wp and wp.version == 0 and len(wp.program) == 20):
            raise _invalid_spk(AddressType.P2WPKH)
        return cls.new(TxIn(outpoint), Input(witness_utxo=txout))

    @classmethod
    def new_p2wsh(cls, txout: TxOut, outpoint: OutPoint, expected_weight: int) -> InputPair:
        wp = witness_program(txout.script_pubkey)
        if not (wp and wp.version == 0 and len(wp.program) == 32):
            raise _invalid_spk(AddressType.P2WSH)
        return cls.new(TxIn(outpoint), Input(witness_utxo=txout), expected_weight)

    @classmethod
    def new_p2tr_keyspend(cls, txout: TxOut, outpoint: OutPoint) -> InputPair:
        return cls.new_p2tr_scriptpath_spend(
            txout, outpoint, DEFAULT_SIGHASH_KEY_SPEND_INPUT_WEIGHT
        )

    @classmethod
    def new_p2tr_scriptpath_spend(
        cls, txout: TxOut, outpoint: OutPoint, expected_weight: int
    ) -> InputPair:
        wp = witness_program(txout.script_pubkey)
        if not (wp and wp.version == 1 and len(wp.program) == 32):
            raise _invalid_spk(AddressType.P2TR)
        return cls.new(TxIn(outpoint), Input(witness_utxo=txout), expected_weight)

    @property
    def outpoint(self) -> OutPoint:
        return self.txin.previous_output

    def previous_txout(self) -> TxOut:
        return InternalInputPair(self.txin, self.psbtin).previous_txout()


def _txout_for(tx: Transaction, outpoint: OutPoint) -> TxOut:
    if outpoint.vout >= len(tx.outputs):
        cause = PrevTxOutError.out_of_bounds(len(tx.outputs), outpoint.vout)
        raise PsbtInputError("PrevTxOut", "invalid previous transaction output", source=cause)
    return tx.outputs[outpoint.vout]


def _invalid_spk(kind: AddressType) -> PsbtInputError:
    # rust-bitcoin's AddressType prints lower case ("p2wpkh")
    text = f"provided script was not a valid type of {kind.value}"
    err = PsbtInputError("InvalidScriptPubKey", text)
    err.address_type = kind
    return err


# --- the Original PSBT ------------------------------------------------------------------------


def decode_body(body: bytes) -> str:
    """The request body as text (``Utf8`` if it is not UTF-8)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise PayloadError("Utf8", str(e)) from e


def parse_payload(
    base64_psbt: str, query: str, supported_versions: tuple[int, ...]
) -> OriginalPayload:
    """Parse and sanity-check the Original PSBT and the sender's parameters, in payjoin's order."""
    try:
        psbt = Psbt.from_base64(base64_psbt)
    except ParseError as e:
        raise PayloadError("ParsePsbt", str(e)) from e
    try:
        validate(psbt)
    except InconsistentPsbt as e:
        raise PayloadError("InconsistentPsbt", str(e), source=e) from e
    try:
        validate_input_utxos(psbt)
    except PsbtInputsError as e:
        raise PayloadError("InvalidInputUtxo", str(e), source=e) from e
    try:
        params = Params.from_query_str(query, supported_versions)
    except ParamsError as e:
        raise PayloadError("SenderParams", str(e), source=e) from e
    return OriginalPayload(psbt, params)


@dataclass(frozen=True, slots=True)
class OriginalPayload:
    """The checked Original PSBT and parameters, before the receiver's own checks."""

    psbt: Psbt
    params: Params

    def psbt_fee_rate(self) -> int:
        """The Original PSBT's fee rate in sat/kwu (rounded down)."""
        try:
            fee = self.psbt.fee()
        except (PsbtError, ParseError) as e:
            raise PayloadError("ParsePsbt", str(e)) from e
        return fee_rate(fee, self.psbt.extract_tx().weight())

    def check_broadcast_suitability(
        self, min_fee_rate: int | None, can_broadcast: Callable[[Transaction], bool]
    ) -> None:
        """At least ``min_fee_rate``, and the wallet says the fallback tx would be accepted."""
        rate = self.psbt_fee_rate()
        if min_fee_rate is not None and rate < min_fee_rate:
            raise PayloadError(
                "PsbtBelowFeeRate", f"Original PSBT fee rate too low: {rate} < {min_fee_rate}."
            )
        tx = self.psbt.extract_tx()
        if not _call(lambda: can_broadcast(tx)):
            raise PayloadError(
                "OriginalPsbtNotBroadcastable", "Can't broadcast. PSBT rejected by mempool."
            )

    def check_inputs_not_owned(self, is_owned: Callable[[OutPoint], bool]) -> None:
        """No input spends a coin of ours (keyed on the outpoint, never on the claimed script)."""
        for pair in input_pairs(self.psbt):
            outpoint = pair.txin.previous_output
            if _call(partial(is_owned, outpoint)):
                err = PayloadError("InputOwned", "The receiver rejected the original PSBT.")
                err.outpoint = outpoint
                raise err

    def check_no_inputs_seen_before(self, is_known: Callable[[OutPoint], bool]) -> None:
        """No input was offered to us before (the probing defence of non-interactive receivers)."""
        for pair in input_pairs(self.psbt):
            outpoint = pair.txin.previous_output
            if _call(partial(is_known, outpoint)):
                err = PayloadError("InputSeen", "The receiver rejected the original PSBT.")
                err.outpoint = outpoint
                raise err

    def identify_receiver_outputs(
        self, is_receiver_output: Callable[[bytes], bool]
    ) -> WantsOutputs:
        """Find our outputs; the first is the change output. None is ``MissingPayment``."""
        owned = [
            vout
            for vout, txo in enumerate(self.psbt.unsigned_tx.outputs)
            if _call(partial(is_receiver_output, txo.script_pubkey))
        ]
        if not owned:
            raise PayloadError("MissingPayment", "Missing payment.")
        return WantsOutputs.new(self, owned)


# --- outputs ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OriginalContext:
    """The Original PSBT and its params, the fee index dropped if out of range or ours (BIP 78)."""

    original_psbt: Psbt
    params: Params

    @classmethod
    def new(cls, psbt: Psbt, params: Params, owned_vouts: list[int]) -> OriginalContext:
        contribution = params.additional_fee_contribution
        if contribution is not None:
            _, index = contribution
            if index >= len(psbt.unsigned_tx.outputs) or index in owned_vouts:
                params = replace(params, additional_fee_contribution=None)
        return cls(psbt, params)


@dataclass(frozen=True, slots=True)
class WantsOutputs:
    original: OriginalContext
    payjoin_psbt: Psbt
    change_vout: int
    owned_vouts: list[int]

    @classmethod
    def new(cls, payload: OriginalPayload, owned_vouts: list[int]) -> WantsOutputs:
        original = OriginalContext.new(payload.psbt, payload.params, owned_vouts)
        return cls(original, payload.psbt, owned_vouts[0], list(owned_vouts))

    @property
    def output_substitution(self) -> OutputSubstitution:
        return self.original.params.output_substitution

    def substitute_receiver_script(
        self, script: bytes, rng: RandomSource = SYSTEM_RANDOM
    ) -> WantsOutputs:
        """Pay the change output's original value to ``script`` instead."""
        value = self.original.original_psbt.unsigned_tx.outputs[self.change_vout].value
        return self.replace_receiver_outputs([TxOut(value, script)], script, rng)

    def replace_receiver_outputs(
        self,
        replacement_outputs: Iterable[TxOut],
        drain_script: bytes,
        rng: RandomSource = SYSTEM_RANDOM,
    ) -> WantsOutputs:
        """Replace all our outputs (in place, same script first); extra ones go in at random."""
        original_outputs = self.original.original_psbt.unsigned_tx.outputs
        pool = list(replacement_outputs)
        disabled = self.output_substitution is OutputSubstitution.DISABLED
        outputs: list[TxOut] = []
        for i, original_output in enumerate(original_outputs):
            if i not in self.owned_vouts:
                outputs.append(original_output)
                continue
            if not pool:
                raise OutputSubstitutionError("NotEnoughOutputs", "fewer replacements than ours")
            same = [
                k for k, t in enumerate(pool) if t.script_pubkey == original_output.script_pubkey
            ]
            if same:
                txo = _swap_remove(pool, same[0])
                if disabled and txo.value < original_output.value:
                    raise OutputSubstitutionError(
                        "DecreasedValueWhenDisabled", "decreased with substitution disabled"
                    )
            else:
                if disabled:
                    raise OutputSubstitutionError(
                        "ScriptPubKeyChangedWhenDisabled",
                        "script changed with substitution disabled",
                    )
                txo = _swap_remove(pool, draw.below(rng, len(pool)))
            outputs.append(txo)
        outputs = draw.interleave_shuffle(rng, outputs, pool)
        drain = [k for k, t in enumerate(outputs) if t.script_pubkey == drain_script]
        if not drain:
            raise OutputSubstitutionError("InvalidDrainScript", "drain script not among outputs")
        base = self.original.original_psbt
        psbt = replace(
            base,
            unsigned_tx=replace(base.unsigned_tx, outputs=tuple(outputs)),
            outputs=tuple(Output() for _ in outputs),
        )
        return WantsOutputs(self.original, psbt, drain[0], self.owned_vouts)

    def commit_outputs(self) -> WantsInputs:
        return WantsInputs(self.original, self.payjoin_psbt, self.change_vout, ())


def _swap_remove(items: list[TxOut], index: int) -> TxOut:
    """Rust's ``Vec::swap_remove``: the last item takes the removed one's place."""
    item = items[index]
    items[index] = items[-1]
    items.pop()
    return item


# --- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WantsInputs:
    original: OriginalContext
    payjoin_psbt: Psbt
    change_vout: int
    receiver_inputs: tuple[InputPair, ...]

    def try_preserving_privacy(self, candidates: Iterable[InputPair]) -> InputPair:
        """The UIH2-avoiding candidate if there is one, else the first (``Empty`` if none)."""
        pool = list(candidates)
        try:
            return self.avoid_uih(pool)
        except CoinSelectionError:
            if not pool:
                raise CoinSelectionError("Empty", "no candidates") from None
            return pool[0]

    def avoid_uih(self, candidates: list[InputPair]) -> InputPair:
        """A candidate after which the smallest input exceeds the smallest output."""
        if len(self.payjoin_psbt.outputs) != 2:
            raise CoinSelectionError("UnsupportedOutputLength", "only 2-output transactions")
        tx_outputs = self.payjoin_psbt.unsigned_tx.outputs
        min_out = min((o.value for o in tx_outputs), default=MAX_MONEY)
        in_values = []
        for pair in input_pairs(self.payjoin_psbt):
            try:
                in_values.append(pair.previous_txout().value)
            except PrevTxOutError:
                continue
        min_in = min(in_values, default=MAX_MONEY)
        prior_payment = tx_outputs[self.change_vout].value
        for candidate in candidates:
            sats = candidate.previous_txout().value
            if min(min_in, sats) > min(min_out, prior_payment + sats):
                return candidate
        raise CoinSelectionError("NotFound", "no selection candidates improve privacy")

    def contribute_inputs(
        self, inputs: Iterable[InputPair], rng: RandomSource = SYSTEM_RANDOM
    ) -> WantsInputs:
        """Insert ``inputs`` at random positions; their surplus goes to the change output."""
        original_txins = self.original.original_psbt.unsigned_tx.inputs
        sequence = original_txins[0].sequence if original_txins else SEQUENCE_FINAL
        new = list(inputs)
        seen = {t.previous_output for t in self.payjoin_psbt.unsigned_tx.inputs}
        for pair in new:
            if pair.outpoint in seen:
                err = InputContributionError("DuplicateInput", f"duplicate input {pair.outpoint}")
                err.outpoint = pair.outpoint
                raise err
            seen.add(pair.outpoint)
        txins = list(self.payjoin_psbt.unsigned_tx.inputs)
        psbtins = list(self.payjoin_psbt.inputs)
        # Positions are drawn over the count *before* this call, as payjoin does.
        positions = len(self.payjoin_psbt.unsigned_tx.inputs) + 1
        amount = 0
        for pair in new:
            amount += pair.previous_txout().value
            index = draw.below(rng, positions)
            psbtins.insert(index, pair.psbtin)
            txins.insert(index, replace(pair.txin, sequence=sequence))
        minimum = self._receiver_min_input_amount()
        if amount < minimum:
            raise InputContributionError("ValueTooLow", "inputs do not cover the added outputs")
        outputs = list(self.payjoin_psbt.unsigned_tx.outputs)
        change = outputs[self.change_vout]
        outputs[self.change_vout] = replace(change, value=change.value + amount - minimum)
        tx = replace(self.payjoin_psbt.unsigned_tx, inputs=tuple(txins), outputs=tuple(outputs))
        psbt = replace(self.payjoin_psbt, unsigned_tx=tx, inputs=tuple(psbtins))
        return WantsInputs(self.original, psbt, self.change_vout, (*self.receiver_inputs, *new))

    def _receiver_min_input_amount(self) -> int:
        now = sum(o.value for o in self.payjoin_psbt.unsigned_tx.outputs)
        before = sum(o.value for o in self.original.original_psbt.unsigned_tx.outputs)
        return max(0, now - before)

    def commit_inputs(self) -> WantsFeeRange:
        return WantsFeeRange(
            self.original, self.payjoin_psbt, self.change_vout, self.receiver_inputs
        )


# --- fees -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WantsFeeRange:
    original: OriginalContext
    payjoin_psbt: Psbt
    change_vout: int
    receiver_inputs: tuple[InputPair, ...]

    def additional_input_weight(self) -> int:
        return sum(pair.expected_weight for pair in self.receiver_inputs)

    def additional_output_weight(self) -> int:
        now = sum(txout_weight(o) for o in self.payjoin_psbt.unsigned_tx.outputs)
        before = sum(txout_weight(o) for o in self.original.original_psbt.unsigned_tx.outputs)
        if now < before:
            raise PayjoinPanic("Weight subtraction underflow: fewer output bytes than the original")
        return now - before

    def calculate_psbt_with_fee_range(
        self, min_fee_rate: int | None, max_effective_fee_rate: int | None
    ) -> Psbt:
        """Take the added inputs' fee from the sender's allowance, the rest from our change."""
        params = self.original.params
        min_rate = max(
            FEE_RATE_BROADCAST_MIN if min_fee_rate is None else min_fee_rate, params.min_fee_rate
        )
        # No maximum given means 1 sat/vB, not "unbounded".
        max_rate = (
            FEE_RATE_BROADCAST_MIN if max_effective_fee_rate is None else max_effective_fee_rate
        )
        outputs = list(self.payjoin_psbt.unsigned_tx.outputs)
        input_weight = self.additional_input_weight()
        additional_fee = fee_for(input_weight, min_rate)
        receiver_fee = additional_fee
        if additional_fee >= 1 and params.additional_fee_contribution is not None:
            max_contribution, index = params.additional_fee_contribution
            sender_script = self.original.original_psbt.unsigned_tx.outputs[index].script_pubkey
            vouts = [k for k, o in enumerate(outputs) if o.script_pubkey == sender_script]
            if not vouts:
                raise PayjoinPanic("Sender output is missing from payjoin PSBT")
            sender_fee = min(max_contribution, additional_fee)
            out = outputs[vouts[0]]
            outputs[vouts[0]] = replace(
                out, value=sub_amount(out.value, sender_fee, "sender fee output")
            )
            receiver_fee -= sender_fee
        output_weight = self.additional_output_weight()
        receiver_fee += fee_for(output_weight, min_rate)
        max_fee = fee_for(input_weight + output_weight, max_rate)
        if receiver_fee > max_fee:
            proposed = fee_rate(receiver_fee, input_weight + output_weight)
            raise PayloadError(
                "FeeTooHigh",
                f"Effective receiver feerate exceeds maximum allowed feerate: "
                f"{proposed} > {max_rate}",
            )
        if receiver_fee >= 1:
            change = outputs[self.change_vout]
            outputs[self.change_vout] = replace(
                change, value=sub_amount(change.value, receiver_fee, "receiver change output")
            )
        tx = replace(self.payjoin_psbt.unsigned_tx, outputs=tuple(outputs))
        return replace(self.payjoin_psbt, unsigned_tx=tx)

    def apply_fee_range(
        self, min_fee_rate: int | None = None, max_effective_fee_rate: int | None = None
    ) -> ReceiverPsbtContext:
        psbt = self.calculate_psbt_with_fee_range(min_fee_rate, max_effective_fee_rate)
        return ReceiverPsbtContext(self.original.original_psbt, psbt)


# --- finalizing -------------------------------------------------------------------------------


def psbt_input_is_signed(inp: Input) -> bool:
    """Any signature material at all, final or partial, ECDSA or Schnorr."""
    return (
        inp.final_script_sig is not None
        or inp.final_script_witness is not None
        or bool(inp.partial_sigs)
        or inp.tap_key_sig is not None
        or bool(inp.tap_script_sigs)
    )


def ntxid(tx: Transaction) -> bytes:
    """rust-bitcoin ``compute_ntxid``: the txid with every scriptSig and witness emptied."""
    bare = tuple(TxIn(t.previous_output, b"", t.sequence, ()) for t in tx.inputs)
    return replace(tx, inputs=bare).txid()


@dataclass(frozen=True, slots=True)
class ReceiverPsbtContext:
    """payjoin's receiver ``PsbtContext``: the Original PSBT and the fee-adjusted proposal."""

    original_psbt: Psbt
    payjoin_psbt: Psbt

    def sender_input_indexes(self) -> list[int]:
        originals = self.original_psbt.unsigned_tx.inputs
        indexes, cursor = [], 0
        for i, txin in enumerate(
            self.payjoin_psbt.unsigned_tx.inputs[: len(self.payjoin_psbt.inputs)]
        ):
            if (
                cursor < len(originals)
                and txin.previous_output == originals[cursor].previous_output
            ):
                indexes.append(i)
                cursor += 1
        return indexes

    def psbt_to_sign(self) -> Psbt:
        """The proposal with the sender's (now invalid) signatures removed."""
        inputs = list(self.payjoin_psbt.inputs)
        for i in self.sender_input_indexes():
            inputs[i] = replace(
                inputs[i],
                final_script_sig=None,
                final_script_witness=None,
                partial_sigs=(),
                tap_key_sig=None,
                tap_script_sigs=(),
            )
        return replace(self.payjoin_psbt, inputs=tuple(inputs))

    def finalize_proposal(self, wallet_process_psbt: Callable[[Psbt], Psbt]) -> Psbt:
        """Have the wallet sign our inputs, check it signed nothing else, and strip the PSBT."""
        to_sign = self.psbt_to_sign()
        signed = _call(lambda: wallet_process_psbt(to_sign))
        expected = ntxid(self.payjoin_psbt.unsigned_tx)
        actual = ntxid(signed.unsigned_tx)
        if expected != actual:
            raise ImplementationError(
                f"ntxid mismatch: expected {expected[::-1].hex()}, got {actual[::-1].hex()}"
            )
        for i in self.sender_input_indexes():
            if i < len(signed.inputs) and psbt_input_is_signed(signed.inputs[i]):
                raise ImplementationError(
                    f"unexpected signature on input {i} from the original PSBT"
                )
        return prepare_psbt(signed)


def prepare_psbt(processed: Psbt) -> Psbt:
    """Keep only UTXOs and final scripts on inputs; empty output maps; no global extras."""
    inputs = tuple(
        Input(
            non_witness_utxo=i.non_witness_utxo,
            witness_utxo=i.witness_utxo,
            final_script_sig=i.final_script_sig,
            final_script_witness=i.final_script_witness,
        )
        for i in processed.inputs
    )
    return Psbt(
        processed.unsigned_tx,
        version=processed.version,
        inputs=inputs,
        outputs=tuple(Output() for _ in processed.outputs),
    )


__all__ = [
    "InputPair",
    "OriginalContext",
    "OriginalPayload",
    "ReceiverPsbtContext",
    "WantsFeeRange",
    "WantsInputs",
    "WantsOutputs",
    "decode_body",
    "parse_payload",
    "prepare_psbt",
    "psbt_input_is_signed",
]
