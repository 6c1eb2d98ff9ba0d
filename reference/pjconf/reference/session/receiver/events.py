"""The receiver's ``SessionEvent`` of payjoin 1.0 (``receive/v2/session.rs``), as typed values.

One frozen dataclass per variant, in the crate's declaration order, so a log can be matched on
types instead of strings. Payloads reuse the reference's own types (``Psbt``, ``TxOut``,
``Params``, ``OriginalPayload``, ``InputPair``, ``OhttpKeyConfig``, ``Url``); nothing here is
validated beyond what serde itself checks when it reads the event, because a log may hold
whatever the crate wrote.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.bip77.url import Url
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.bitcoin.tx import TxOut
from pjconf.reference.payjoin.receiver import InputPair, OriginalPayload, ReceiverPsbtContext

__all__ = [
    "Aborted",
    "AppliedFeeRange",
    "Cancelled",
    "CheckedBroadcastSuitability",
    "CheckedInputsNotOwned",
    "CheckedNoInputsSeenBefore",
    "Closed",
    "CommittedInputs",
    "CommittedOutputs",
    "Created",
    "ErrorCode",
    "FallbackBroadcasted",
    "FinalizedProposal",
    "GotReplyableError",
    "HpkeKeyPair",
    "IdentifiedReceiverOutputs",
    "InputPair",
    "JsonReply",
    "OriginalPayload",
    "PayjoinProposalSent",
    "PostedPayjoinProposal",
    "ProtocolFailed",
    "ReceiverEvent",
    "ReceiverPsbtContext",
    "RetrievedOriginalPayload",
    "SessionContext",
    "SessionOutcome",
    "Success",
    "Unrecognized",
]


@dataclass(frozen=True, slots=True)
class HpkeKeyPair:
    """``HpkeKeyPair(secret, public)``: serde never checks that the two belong together."""

    secret: bytes
    """32 bytes, a scalar in [1, n-1]."""
    public: bytes
    """65 bytes, uncompressed SEC1 (what the crate writes, whatever form it read)."""


@dataclass(frozen=True, slots=True)
class SessionContext:
    """The receiver's ``SessionContext``; fields in declaration order, which is JSON order."""

    address: str
    """The address as rust-bitcoin displays it (bech32 lower-cased); any network is accepted."""
    directory: Url
    ohttp_keys: OhttpKeyConfig
    expiration: int
    """Unix seconds, a ``u32`` of at least 500 000 000 (``absolute::Time``)."""
    amount: int | None
    receiver_key: HpkeKeyPair
    reply_key: bytes | None
    """65-byte uncompressed key; always ``None`` in ``Created``."""
    max_fee_rate: int
    """sat/kwu."""


class ErrorCode(enum.Enum):
    """``ErrorCode`` under its Rust variant names, which is how serde writes it (not BIP 78's)."""

    UNAVAILABLE = "Unavailable"
    NOT_ENOUGH_MONEY = "NotEnoughMoney"
    VERSION_UNSUPPORTED = "VersionUnsupported"
    ORIGINAL_PSBT_REJECTED = "OriginalPsbtRejected"


@dataclass(frozen=True, slots=True)
class JsonReply:
    """The one error payjoin persists: what the receiver will reply to the sender."""

    error_code: ErrorCode
    message: str
    extra: dict[str, Any]
    """A ``serde_json::Map``: any JSON values, written with sorted keys."""


# --- SessionOutcome ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Success:
    """The settling transaction's txid (internal byte order)."""

    txid: bytes


@dataclass(frozen=True, slots=True)
class Aborted:
    pass


@dataclass(frozen=True, slots=True)
class FallbackBroadcasted:
    pass


@dataclass(frozen=True, slots=True)
class PayjoinProposalSent:
    """Sent, but the txid cannot be tracked (non-segwit sender inputs)."""


@dataclass(frozen=True, slots=True)
class Unrecognized:
    """Reserved in 1.0: nothing produces it, yet a log may carry it."""

    txid: bytes


SessionOutcome = Success | Aborted | FallbackBroadcasted | PayjoinProposalSent | Unrecognized


# --- SessionEvent -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Created:
    context: SessionContext


@dataclass(frozen=True, slots=True)
class RetrievedOriginalPayload:
    original: OriginalPayload
    reply_key: bytes | None
    """The v2 sender's 65-byte reply key; ``None`` for a v1 sender."""


@dataclass(frozen=True, slots=True)
class CheckedBroadcastSuitability:
    """An empty tuple variant: ``{"CheckedBroadcastSuitability":[]}``."""


@dataclass(frozen=True, slots=True)
class CheckedInputsNotOwned:
    """An empty tuple variant."""


@dataclass(frozen=True, slots=True)
class CheckedNoInputsSeenBefore:
    """An empty tuple variant."""


@dataclass(frozen=True, slots=True)
class IdentifiedReceiverOutputs:
    owned_vouts: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CommittedOutputs:
    outputs: tuple[TxOut, ...]
    change_vout: int


@dataclass(frozen=True, slots=True)
class CommittedInputs:
    receiver_inputs: tuple[InputPair, ...]
    payjoin_psbt: Psbt


@dataclass(frozen=True, slots=True)
class AppliedFeeRange:
    context: ReceiverPsbtContext


@dataclass(frozen=True, slots=True)
class FinalizedProposal:
    psbt: Psbt


@dataclass(frozen=True, slots=True)
class GotReplyableError:
    reply: JsonReply


@dataclass(frozen=True, slots=True)
class PostedPayjoinProposal:
    """An empty tuple variant."""


@dataclass(frozen=True, slots=True)
class Cancelled:
    """A *unit* variant (``"Cancelled"``), unlike the sender's empty tuple ``Cancelled()``."""


@dataclass(frozen=True, slots=True)
class ProtocolFailed:
    """A unit variant."""


@dataclass(frozen=True, slots=True)
class Closed:
    outcome: SessionOutcome


ReceiverEvent = (
    Created
    | RetrievedOriginalPayload
    | CheckedBroadcastSuitability
    | CheckedInputsNotOwned
    | CheckedNoInputsSeenBefore
    | IdentifiedReceiverOutputs
    | CommittedOutputs
    | CommittedInputs
    | AppliedFeeRange
    | FinalizedProposal
    | GotReplyableError
    | PostedPayjoinProposal
    | Cancelled
    | ProtocolFailed
    | Closed
)
