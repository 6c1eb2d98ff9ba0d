"""The receiver's errors, each with the BIP 78 error code payjoin 1.0 replies with.

Only :class:`PayloadError` (and :class:`ImplementationError`) reach the sender; the other three
are the receiver application's own mistakes, which payjoin never turns into a reply.
"""

from __future__ import annotations

from pjconf.reference.bitcoin.tx import OutPoint
from pjconf.reference.payjoin.errors import (
    NOT_ENOUGH_MONEY,
    ORIGINAL_PSBT_REJECTED,
    PayjoinError,
)


class PayloadError(PayjoinError):
    """payjoin's ``InternalPayloadError``: the Original PSBT or its parameters are refused."""

    kind = "PayloadError"
    VARIANTS = frozenset(
        {
            "Utf8",
            "ParsePsbt",
            "SenderParams",
            "InconsistentPsbt",
            "InvalidInputUtxo",
            "MissingPayment",
            "OriginalPsbtNotBroadcastable",
            "InputOwned",
            "InputSeen",
            "PsbtBelowFeeRate",
            "FeeTooHigh",
        }
    )
    outpoint: OutPoint | None = None
    """The offending input of ``InputOwned`` / ``InputSeen``."""

    def __init__(self, variant: str, message: str, *, source: PayjoinError | None = None) -> None:
        super().__init__(variant, message, source=source)
        if variant == "FeeTooHigh":
            self.error_code = NOT_ENOUGH_MONEY
        elif variant == "SenderParams" and source is not None:
            self.error_code = source.error_code
        else:
            self.error_code = ORIGINAL_PSBT_REJECTED


class OutputSubstitutionError(PayjoinError):
    kind = "OutputSubstitutionError"
    VARIANTS = frozenset(
        {
            "DecreasedValueWhenDisabled",
            "ScriptPubKeyChangedWhenDisabled",
            "NotEnoughOutputs",
            "InvalidDrainScript",
        }
    )


class CoinSelectionError(PayjoinError):
    kind = "CoinSelectionError"
    VARIANTS = frozenset({"Empty", "UnsupportedOutputLength", "NotFound"})


class InputContributionError(PayjoinError):
    kind = "InputContributionError"
    VARIANTS = frozenset({"ValueTooLow", "DuplicateInput"})
    outpoint: OutPoint | None = None
    """The repeated outpoint of ``DuplicateInput``."""
