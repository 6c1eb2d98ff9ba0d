"""Typed errors of the v2 receiver state machine, with payjoin 1.0's ``Display`` texts.

The PSBT logic of :mod:`pjconf.reference.payjoin.receiver` raises its own errors (a variant and
a readable message); this module wraps them into the crate's receiver error types so that
``str()`` is what ``receive/error.rs`` and ``receive/v2/error.rs`` print, and ``variant`` is the
enum arm the Rust adapter reports (``Error::Implementation``, ``ProtocolError::V2``, ...).
:func:`json_reply` is ``JsonReply::from``: the error reply a receiver persists and sends.
``CreateRequestError`` and ``DirectoryResponseError`` are the sender's: the crate prints the same
texts for both roles.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pjconf.reference.errors import InvalidKey, OpenError, ParseError, PayloadTooShort, PjconfError
from pjconf.reference.payjoin import errors as common_errors
from pjconf.reference.payjoin import receiver_errors as common
from pjconf.reference.payjoin.params import ParamsError
from pjconf.reference.payjoin.psbt_checks import InconsistentPsbt, PsbtInputsError
from pjconf.reference.session.json_codec import dumps
from pjconf.reference.session.receiver.events import ErrorCode, JsonReply
from pjconf.reference.session.sender.errors import (
    CreateRequestError,
    DirectoryResponseError,
    StateConsumed,
)

__all__ = [
    "CoinSelectionError",
    "CreateRequestError",
    "DirectoryResponseError",
    "Error",
    "ImplementationError",
    "InputContributionError",
    "OutputSubstitutionError",
    "ProtocolError",
    "SessionError",
    "StateConsumed",
    "hpke_error_text",
    "json_reply",
    "payload_error_text",
    "reply_json_text",
    "utf8_error_text",
    "wrap_receive_error",
]


def _bare(error: common_errors.PayjoinError) -> str:
    """The message of a payjoin-module error without its ``"Variant: "`` prefix."""
    return str(error).removeprefix(f"{error.variant}: ")


class ImplementationError(PjconfError):
    """payjoin's ``ImplementationError``: a wallet callback failed; prints the cause only."""

    kind = "ImplementationError"

    def __init__(self, message: str, *, source: BaseException | None = None) -> None:
        super().__init__(message)
        self.source = source

    @classmethod
    def of(cls, error: common_errors.ImplementationError) -> ImplementationError:
        """From the payjoin module's implementation error (``_call`` wraps what callbacks raise)."""
        return cls(_bare(error), source=error.__cause__ or error)


class SessionError(PjconfError):
    """``receive::v2::SessionError``: ``ParseUrl``, ``Hpke`` or ``DirectoryResponse``."""

    kind = "SessionError"

    def __init__(self, variant: str, source: PjconfError, *, detail: str | None = None) -> None:
        label = {
            "ParseUrl": "URL parsing failed",
            "Hpke": "Hpke decryption failed",
            "DirectoryResponse": "Directory response error",
        }[variant]
        super().__init__(f"{label}: {source if detail is None else detail}")
        self.variant = variant
        self.source = source


class ProtocolError(PjconfError):
    """``receive::ProtocolError``: ``OriginalPayload`` (a :class:`~pjconf.reference.payjoin.
    receiver_errors.PayloadError`) or ``V2`` (a :class:`SessionError`); prints its source."""

    kind = "ProtocolError"

    def __init__(self, variant: str, source: common.PayloadError | SessionError) -> None:
        if variant == "OriginalPayload":
            if not isinstance(source, common.PayloadError):
                raise TypeError("OriginalPayload wraps a PayloadError")
            text = payload_error_text(source)
        elif variant == "V2":
            if not isinstance(source, SessionError):
                raise TypeError("V2 wraps a SessionError")
            text = str(source)
        else:
            raise ValueError(f"ProtocolError has no variant {variant!r}")
        super().__init__(text)
        self.variant = variant
        self.source = source

    @classmethod
    def payload(cls, error: common.PayloadError) -> ProtocolError:
        return cls("OriginalPayload", error)

    @classmethod
    def directory(cls, error: DirectoryResponseError) -> ProtocolError:
        return cls("V2", SessionError("DirectoryResponse", error))


class Error(PjconfError):
    """``receive::Error``, what the checks fail with: ``Protocol`` or ``Implementation``.

    Named as the crate names it, so the adapter's ``Type::Variant`` error kind comes out as the
    Rust adapter's (``Error::Implementation``).
    """

    kind = "Error"

    def __init__(self, variant: str, source: ProtocolError | ImplementationError) -> None:
        label = {"Protocol": "Protocol error", "Implementation": "Implementation error"}[variant]
        super().__init__(f"{label}: {source}")
        self.variant = variant
        self.source = source

    @classmethod
    def implementation(cls, message: str) -> Error:
        return cls("Implementation", ImplementationError(message))


def wrap_receive_error(error: common_errors.PayjoinError) -> Error:
    """A check's failure as ``receive::Error``; anything else is a bug and is raised again."""
    if isinstance(error, common_errors.ImplementationError):
        return Error("Implementation", ImplementationError.of(error))
    if isinstance(error, common.PayloadError):
        return Error("Protocol", ProtocolError.payload(error))
    raise error


# --- texts ------------------------------------------------------------------------------------


def utf8_error_text(error: UnicodeDecodeError) -> str:
    """Rust's ``Utf8Error`` Display: Python reports the same maximal invalid subpart."""
    if error.reason == "unexpected end of data":
        return f"incomplete utf-8 byte sequence from index {error.start}"
    return f"invalid utf-8 sequence of {error.end - error.start} bytes from index {error.start}"


def hpke_error_text(error: PjconfError) -> str:
    """payjoin's ``HpkeError`` Display for what decrypting message A can raise."""
    if isinstance(error, OpenError):
        return "Failed to open ciphertext"
    if isinstance(error, PayloadTooShort):
        return "Payload too small"
    if isinstance(error, InvalidKey):
        return "Invalid public key"
    return str(error)


_PARAMS_TEXTS = {
    "UnknownVersion": "unknown version",
    "FeeRate": "could not parse feerate",
    "MalformedQuery": "malformed query parameter encoding",
}


def payload_error_text(error: common.PayloadError) -> str:
    """``InternalPayloadError``'s Display (rust-bitcoin's parse errors print without source)."""
    cause = error.__cause__
    source = error.source
    if error.variant == "Utf8" and isinstance(cause, UnicodeDecodeError):
        return utf8_error_text(cause)
    if error.variant == "ParsePsbt":
        if isinstance(cause, ParseError) and cause.reason == "InvalidBase64":
            return "error in PSBT base64 encoding"
        return "error in internal PSBT data structure"
    if error.variant == "SenderParams" and isinstance(source, ParamsError):
        return _PARAMS_TEXTS[source.variant]
    if error.variant == "InconsistentPsbt" and isinstance(source, InconsistentPsbt):
        if source.variant == "UnequalInputCounts":
            return (
                f"The number of PSBT inputs ({source.psbt_count}) doesn't equal to the number "
                f"of unsigned transaction inputs ({source.tx_count})"
            )
        return (
            f"The number of PSBT outputs ({source.psbt_count}) doesn't equal to the number of "
            f"unsigned transaction outputs ({source.tx_count})"
        )
    if error.variant == "InvalidInputUtxo" and isinstance(source, PsbtInputsError):
        return f"Invalid original PSBT input UTXO: invalid PSBT input #{source.index}"
    return _bare(error)  # the payjoin module already prints the crate's text for the rest


def json_reply(error: Error | ProtocolError) -> JsonReply:
    """``JsonReply::from``: implementation and v2 session failures hide behind "Receiver error"."""
    if isinstance(error, Error):
        if isinstance(error.source, ImplementationError):
            return JsonReply(ErrorCode.UNAVAILABLE, "Receiver error", {})
        error = error.source
    if not isinstance(error.source, common.PayloadError):
        return JsonReply(ErrorCode.UNAVAILABLE, "Receiver error", {})
    payload = error.source
    if payload.variant == "FeeTooHigh":
        return JsonReply(ErrorCode.NOT_ENOUGH_MONEY, payload_error_text(payload), {})
    params = payload.source
    if isinstance(params, ParamsError) and params.variant == "UnknownVersion":
        message = "This version of payjoin is not supported."
        return JsonReply(
            ErrorCode.VERSION_UNSUPPORTED, message, {"supported": params.supported_json()}
        )
    return JsonReply(ErrorCode.ORIGINAL_PSBT_REJECTED, payload_error_text(payload), {})


_WIRE_CODES = {
    ErrorCode.UNAVAILABLE: "unavailable",
    ErrorCode.NOT_ENOUGH_MONEY: "not-enough-money",
    ErrorCode.VERSION_UNSUPPORTED: "version-unsupported",
    ErrorCode.ORIGINAL_PSBT_REJECTED: "original-psbt-rejected",
}


def _sorted(value: Any) -> Any:
    """serde_json's ``Map`` without ``preserve_order`` is a BTreeMap: keys sorted at every level."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def reply_json_text(reply: JsonReply) -> str:
    """``reply.to_json().to_string()``: the BIP 78 error object the sender receives.

    ``errorCode`` (the wire code, not the persisted Rust name) and ``message`` first, then
    ``extra`` merged over them, all keys sorted.
    """
    merged: dict[str, Any] = {"errorCode": _WIRE_CODES[reply.error_code], "message": reply.message}
    merged.update(reply.extra)
    return dumps(_sorted(merged))


# --- the plain (unpersisted) edits ------------------------------------------------------------


class _Edit(PjconfError):
    """An in-memory edit refused; ``variant`` is the crate's, ``str()`` its Display."""

    TEXTS: ClassVar[dict[str, str]] = {}

    def __init__(self, source: common_errors.PayjoinError) -> None:
        super().__init__(self._text(source))
        self.variant = source.variant
        self.source = source

    def _text(self, source: common_errors.PayjoinError) -> str:
        return self.TEXTS[source.variant]


class OutputSubstitutionError(_Edit):
    kind = "OutputSubstitutionError"
    TEXTS: ClassVar[dict[str, str]] = {
        "DecreasedValueWhenDisabled": "Decreasing the receiver output value is not allowed "
        "when output substitution is disabled",
        "ScriptPubKeyChangedWhenDisabled": "Changing the receiver output script pubkey is not "
        "allowed when output substitution is disabled",
        "NotEnoughOutputs": "Current output substitution implementation doesn't support "
        "reducing the number of outputs",
        "InvalidDrainScript": "The provided drain script could not be identified in the "
        "provided replacement outputs",
    }


class CoinSelectionError(_Edit):
    kind = "CoinSelectionError"
    TEXTS: ClassVar[dict[str, str]] = {
        "Empty": "No candidates available for selection",
        "UnsupportedOutputLength": "Current privacy selection implementation only supports "
        "2-output transactions",
        "NotFound": "No selection candidates improve privacy",
    }


class InputContributionError(_Edit):
    kind = "InputContributionError"
    TEXTS: ClassVar[dict[str, str]] = {
        "ValueTooLow": "Total input value is not enough to cover additional output value"
    }

    def _text(self, source: common_errors.PayjoinError) -> str:
        outpoint = getattr(source, "outpoint", None)
        if source.variant == "DuplicateInput":
            return f"Duplicate input detected: {outpoint}"
        return super()._text(source)
