"""payjoin's PSBT helpers: input pairs, the spent output, address types and input weights.

A payjoin party must price inputs it has not signed yet, so payjoin predicts each input's weight
from the script type it spends (rust-bitcoin's ``InputWeightPrediction``), and refuses to guess
where the type does not fix the weight (P2WSH, P2TR without a witness, P2SH of a non-P2WPKH).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pjconf.reference.bitcoin.psbt import Input, Psbt
from pjconf.reference.bitcoin.script import (
    ScriptType,
    classify,
    is_p2pkh,
    is_p2sh,
    witness_program,
)
from pjconf.reference.bitcoin.tx import TxIn, TxOut
from pjconf.reference.payjoin.errors import PayjoinError
from pjconf.reference.payjoin.units import varint_size

# --- errors -----------------------------------------------------------------------------------
#
# Each error's message (after the ``"Variant: "`` prefix :class:`PayjoinError` adds) is payjoin
# 1.0's ``Display`` text (``src/core/psbt/mod.rs``); :func:`display_text` gives it bare. The
# sender's builder prints two of them with ``{:#?}`` instead, so those also have ``debug()``.

UNEQUAL_TXID_TEXT = (
    "transaction ID of previous transaction doesn't match one specified in input spending it"
)
SEGWIT_TXOUT_MISMATCH_TEXT = (
    "transaction output provided in SegWit UTXO field doesn't match the one in non-SegWit UTXO "
    "field"
)


def display_text(error: PayjoinError) -> str:
    """The crate's ``Display`` of ``error``: its message without the ``"Variant: "`` prefix."""
    return str(error).removeprefix(f"{error.variant}: ")


def _indent(text: str) -> str:
    return text.replace("\n", "\n    ")


def rust_debug(name: str, fields: list[tuple[str, str]]) -> str:
    """Rust's pretty ``{:#?}`` of a struct (or struct variant) whose fields are already rendered."""
    body = "".join(f"    {key}: {_indent(value)},\n" for key, value in fields)
    return f"{name} {{\n{body}}}"


def rust_debug_tuple(name: str, inner: str) -> str:
    """Rust's pretty ``{:#?}`` of a one-field tuple variant."""
    return f"{name}(\n    {_indent(inner)},\n)"


class InconsistentPsbt(PayjoinError):
    """The PSBT's maps do not match its unsigned transaction in number."""

    kind = "InconsistentPsbt"
    VARIANTS = frozenset({"UnequalInputCounts", "UnequalOutputCounts"})

    def __init__(self, variant: str, tx_count: int, psbt_count: int) -> None:
        what = "inputs" if variant == "UnequalInputCounts" else "outputs"
        super().__init__(
            variant,
            f"The number of PSBT {what} ({psbt_count}) doesn't equal to the number of unsigned "
            f"transaction {what} ({tx_count})",
        )
        self.tx_count = tx_count
        self.psbt_count = psbt_count

    def debug(self) -> str:
        """Rust's ``{:#?}`` of payjoin's ``InconsistentPsbt`` (the builder prints that form)."""
        tx, ps = (
            ("tx_ins", "psbt_ins")
            if self.variant == "UnequalInputCounts"
            else ("tx_outs", "psbt_outs")
        )
        return rust_debug(self.variant, [(tx, str(self.tx_count)), (ps, str(self.psbt_count))])


class PrevTxOutError(PayjoinError):
    """The spent output cannot be found in the input's UTXO fields."""

    kind = "PrevTxOutError"
    VARIANTS = frozenset({"MissingUtxoInformation", "IndexOutOfBounds"})

    @classmethod
    def missing(cls) -> PrevTxOutError:
        return cls("MissingUtxoInformation", "missing UTXO information")

    @classmethod
    def out_of_bounds(cls, output_count: int, index: int) -> PrevTxOutError:
        err = cls(
            "IndexOutOfBounds", f"index {index} out of bounds (number of outputs: {output_count})"
        )
        err.output_count, err.index = output_count, index
        return err

    output_count: int
    index: int

    def debug(self) -> str:
        """Rust's ``{:#?}`` of payjoin's ``PrevTxOutError``."""
        if self.variant == "IndexOutOfBounds":
            fields = [("output_count", str(self.output_count)), ("index", str(self.index))]
            return rust_debug(self.variant, fields)
        return self.variant


class AddressTypeError(PayjoinError):
    """The spent script has no address type payjoin knows."""

    kind = "AddressTypeError"
    VARIANTS = frozenset({"PrevTxOut", "InvalidScript", "UnknownAddressType", "FeeRateOverflow"})


class InputWeightError(PayjoinError):
    """The input's weight cannot be predicted from what the PSBT says."""

    kind = "InputWeightError"
    VARIANTS = frozenset({"AddressType", "NoRedeemScript", "NotSupported"})


class PsbtInputError(PayjoinError):
    """payjoin's ``InternalPsbtInputError``: one input's UTXO data or weight is unusable."""

    kind = "PsbtInputError"
    VARIANTS = frozenset(
        {
            "PrevTxOut",
            "UnequalTxid",
            "SegWitTxOutMismatch",
            "AddressType",
            "InvalidScriptPubKey",
            "WeightError",
            "ProvidedUnnecessaryWeight",
        }
    )
    address_type: AddressType | None = None
    """The expected type of ``InvalidScriptPubKey``."""


class PsbtInputsError(PayjoinError):
    """Input ``index`` of a PSBT failed :meth:`InternalInputPair.validate_utxo`."""

    kind = "PsbtInputsError"

    def __init__(self, index: int, error: PsbtInputError) -> None:
        super().__init__("PsbtInputsError", f"invalid PSBT input #{index}", source=error)
        self.index = index
        self.error = error

    def debug(self) -> str:
        """Rust's ``{:#?}`` of payjoin's ``PsbtInputsError`` (the builder prints that form).

        Only :meth:`InternalInputPair.validate_utxo`'s errors reach here: ``PrevTxOut(..)``,
        ``UnequalTxid`` and ``SegWitTxOutMismatch``.
        """
        cause = self.error.source
        if self.error.variant == "PrevTxOut" and isinstance(cause, PrevTxOutError):
            error = rust_debug_tuple("PrevTxOut", cause.debug())
        else:
            error = self.error.variant
        return rust_debug(self.variant, [("index", str(self.index)), ("error", error)])


# --- address types and weights ----------------------------------------------------------------


class AddressType(enum.Enum):
    """rust-bitcoin's ``AddressType``."""

    P2PKH = "p2pkh"
    P2SH = "p2sh"
    P2WPKH = "p2wpkh"
    P2WSH = "p2wsh"
    P2TR = "p2tr"
    P2A = "p2a"


@dataclass(frozen=True, slots=True)
class InputWeightPrediction:
    """rust-bitcoin's ``InputWeightPrediction``: scriptSig bytes and witness bytes of an input."""

    script_size: int
    witness_size: int

    @classmethod
    def new(cls, script_len: int, witness_lens: list[int]) -> InputWeightPrediction:
        witness = sum(n + varint_size(n) for n in witness_lens)
        witness_size = witness + varint_size(len(witness_lens)) if witness_lens else 0
        return cls(script_len + varint_size(script_len), witness_size)

    def weight(self) -> int:
        """Without the outpoint and sequence (see :data:`NON_WITNESS_INPUT_WEIGHT`)."""
        return 4 * self.script_size + self.witness_size


NON_WITNESS_INPUT_WEIGHT = 4 * (32 + 4 + 4)
"""Outpoint and sequence; the scriptSig length is in the prediction."""
P2WPKH_MAX = InputWeightPrediction.new(0, [72, 33])
P2PKH_COMPRESSED_MAX = InputWeightPrediction.new(107, [])
NESTED_P2WPKH_MAX = InputWeightPrediction.new(23, [72, 33])
P2TR_KEY_DEFAULT_SIGHASH = InputWeightPrediction.new(0, [64])
P2TR_KEY_NON_DEFAULT_SIGHASH = InputWeightPrediction.new(0, [65])
_P2A_PROGRAM = bytes.fromhex("4e73")


def address_type_of_script(script: bytes) -> AddressType:
    """``Address::from_script(..).address_type()`` with payjoin's errors."""
    if is_p2pkh(script):
        return AddressType.P2PKH
    if is_p2sh(script):
        return AddressType.P2SH
    wp = witness_program(script)
    if wp is None:
        raise AddressTypeError("InvalidScript", "invalid script")
    if wp.version == 0:
        if len(wp.program) == 20:
            return AddressType.P2WPKH
        if len(wp.program) == 32:
            return AddressType.P2WSH
        raise AddressTypeError("InvalidScript", "invalid script")
    if wp.version == 1 and len(wp.program) == 32:
        return AddressType.P2TR
    if wp.version == 1 and wp.program == _P2A_PROGRAM:
        return AddressType.P2A
    raise AddressTypeError("UnknownAddressType", "unknown address type")


def redeem_script_of(script_sig: bytes) -> bytes | None:
    """``Script::redeem_script``: the last push of a push-only scriptSig, else ``None``."""
    pos, last = 0, None
    while pos < len(script_sig):
        op = script_sig[pos]
        pos += 1
        if op <= 0x4B:
            size = op
        elif op in (0x4C, 0x4D, 0x4E):
            width = {0x4C: 1, 0x4D: 2, 0x4E: 4}[op]
            if pos + width > len(script_sig):
                return None
            size = int.from_bytes(script_sig[pos : pos + width], "little")
            pos += width
        else:
            return None  # not a push: OP_1..OP_16 and OP_1NEGATE are opcodes here
        if pos + size > len(script_sig):
            return None
        last = script_sig[pos : pos + size]
        pos += size
    return last


@dataclass(frozen=True, slots=True)
class InternalInputPair:
    """An unsigned-tx input and its PSBT map, as payjoin's ``InternalInputPair``."""

    txin: TxIn
    psbtin: Input

    def previous_txout(self) -> TxOut:
        """The spent output, preferring ``non_witness_utxo`` (its txid is authenticated)."""
        nw, w = self.psbtin.non_witness_utxo, self.psbtin.witness_utxo
        if nw is not None:
            vout = self.txin.previous_output.vout
            if vout >= len(nw.outputs):
                raise PrevTxOutError.out_of_bounds(len(nw.outputs), vout)
            return nw.outputs[vout]
        if w is not None:
            return w
        raise PrevTxOutError.missing()

    def validate_utxo(self) -> None:
        """The UTXO fields name the outpoint's transaction and agree with each other."""
        nw, w = self.psbtin.non_witness_utxo, self.psbtin.witness_utxo
        if nw is None and w is None:
            raise PsbtInputError(
                "PrevTxOut", "invalid previous transaction output", source=PrevTxOutError.missing()
            )
        if nw is None:
            return
        if nw.txid() != self.txin.previous_output.txid:
            raise PsbtInputError("UnequalTxid", UNEQUAL_TXID_TEXT)
        vout = self.txin.previous_output.vout
        if vout >= len(nw.outputs):
            raise PsbtInputError(
                "PrevTxOut",
                "invalid previous transaction output",
                source=PrevTxOutError.out_of_bounds(len(nw.outputs), vout),
            )
        if w is not None and w != nw.outputs[vout]:
            raise PsbtInputError("SegWitTxOutMismatch", SEGWIT_TXOUT_MISMATCH_TEXT)

    def address_type(self) -> AddressType:
        try:
            txo = self.previous_txout()
        except PrevTxOutError as e:
            raise AddressTypeError(
                "PrevTxOut", "invalid previous transaction output", source=e
            ) from e
        return address_type_of_script(txo.script_pubkey)

    def expected_input_weight(self) -> int:
        """payjoin's prediction of this input's weight once signed (weight units)."""
        try:
            kind = self.address_type()
        except AddressTypeError as e:
            raise InputWeightError("AddressType", "invalid address type", source=e) from e
        if kind is AddressType.P2PKH:
            iwp = P2PKH_COMPRESSED_MAX
        elif kind is AddressType.P2SH:
            if self.psbtin.final_script_sig is not None:
                redeem = redeem_script_of(self.psbtin.final_script_sig)
            else:
                redeem = self.psbtin.redeem_script
            if redeem is None:
                raise InputWeightError("NoRedeemScript", "p2sh input missing a redeem script")
            if classify(redeem) is not ScriptType.P2WPKH:
                raise InputWeightError("NotSupported", "weight prediction not supported")
            iwp = NESTED_P2WPKH_MAX
        elif kind is AddressType.P2WPKH:
            iwp = P2WPKH_MAX
        elif kind in (AddressType.P2WSH, AddressType.P2TR):
            stack = self.txin.witness or self.psbtin.final_script_witness
            if not stack:
                raise InputWeightError("NotSupported", "weight prediction not supported")
            iwp = InputWeightPrediction.new(0, [len(item) for item in stack])
        else:
            raise InputWeightError(
                "AddressType",
                "invalid address type",
                source=AddressTypeError("UnknownAddressType", "unknown address type"),
            )
        return iwp.weight() + NON_WITNESS_INPUT_WEIGHT


def input_pairs(psbt: Psbt) -> list[InternalInputPair]:
    """The PSBT's inputs zipped with its unsigned tx inputs (shorter side wins, as Rust's zip)."""
    return [
        InternalInputPair(t, i) for t, i in zip(psbt.unsigned_tx.inputs, psbt.inputs, strict=False)
    ]


def validate(psbt: Psbt) -> Psbt:
    """``PsbtExt::validate``: as many maps as the unsigned tx has inputs and outputs."""
    tx_ins, psbt_ins = len(psbt.unsigned_tx.inputs), len(psbt.inputs)
    if tx_ins != psbt_ins:
        raise InconsistentPsbt("UnequalInputCounts", tx_ins, psbt_ins)
    tx_outs, psbt_outs = len(psbt.unsigned_tx.outputs), len(psbt.outputs)
    if tx_outs != psbt_outs:
        raise InconsistentPsbt("UnequalOutputCounts", tx_outs, psbt_outs)
    return psbt


def validate_input_utxos(psbt: Psbt) -> None:
    """Every input's UTXO fields are consistent (the first bad input is reported)."""
    for index, pair in enumerate(input_pairs(psbt)):
        try:
            pair.validate_utxo()
        except PsbtInputError as e:
            raise PsbtInputsError(index, e) from e
