"""The sender's ``SessionEvent`` of payjoin 1.0 (``send/v2/session.rs``), as typed values.

Payloads reuse the reference's types: the sender's ``PsbtContext`` is
:class:`~pjconf.reference.payjoin.sender.SenderContext`. ``PjParam`` has its own class here:
the URI module's ``PjParamV2`` holds the origin root and a compressed key, while the persisted
one holds the *whole* ``pj`` URL (path and fragment) and the 65-byte key.
"""

from __future__ import annotations

from dataclasses import dataclass

from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.bip77.url import Url
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.payjoin.sender import AdditionalFeeContribution, SenderContext

__all__ = [
    "Aborted",
    "AdditionalFeeContribution",
    "Cancelled",
    "Closed",
    "Created",
    "PjParam",
    "PostedOriginalPsbt",
    "SenderContext",
    "SenderEvent",
    "SessionContext",
    "SessionOutcome",
    "Success",
]


@dataclass(frozen=True, slots=True)
class PjParam:
    """``uri::v2::PjParam``: the receiver's mailbox endpoint, as the sender persists it."""

    directory: Url
    """The whole ``pj`` URL as parsed (path and ``#fragment`` included), not just the origin."""
    id: bytes
    """The 8-byte mailbox ShortId."""
    expiration: int
    ohttp_keys: OhttpKeyConfig
    receiver_pubkey: bytes
    """65 bytes, uncompressed."""


@dataclass(frozen=True, slots=True)
class SessionContext:
    """The sender's ``SessionContext``: endpoint, Original PSBT context and reply secret key."""

    pj_param: PjParam
    psbt_ctx: SenderContext
    reply_key: bytes
    """32-byte HPKE secret key, stored in plaintext by the crate."""


@dataclass(frozen=True, slots=True)
class Success:
    """The checked proposal PSBT the sender will sign."""

    psbt: Psbt


@dataclass(frozen=True, slots=True)
class Aborted:
    pass


SessionOutcome = Success | Aborted


@dataclass(frozen=True, slots=True)
class Created:
    context: SessionContext


@dataclass(frozen=True, slots=True)
class PostedOriginalPsbt:
    """An empty tuple variant: ``{"PostedOriginalPsbt":[]}``."""


@dataclass(frozen=True, slots=True)
class Cancelled:
    """An empty tuple variant ``{"Cancelled":[]}`` (the receiver's is a unit variant)."""


@dataclass(frozen=True, slots=True)
class Closed:
    outcome: SessionOutcome


SenderEvent = Created | PostedOriginalPsbt | Cancelled | Closed
