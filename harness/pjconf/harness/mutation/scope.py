"""The reference modules under mutation, in one place, each with why it is there."""

from __future__ import annotations

SCOPE: dict[str, str] = {
    "payjoin/psbt_checks": "the sender's checks of a proposal (BIP 78's sender checklist)",
    "payjoin/sender": "the Original PSBT and request the sender builds, the proposal it signs",
    "payjoin/receiver": "the receiver's checks of the Original PSBT and its proposal",
    "persist/transitions": "which events each session transition persists, and when it closes",
    "session/json_codec": "payjoin 1.0's event JSON, byte for byte",
    "session/serde_values": "serde's leaves: integer ranges, floats, NaN, the decode errors",
    "crypto/hpke": "RFC 9180 HPKE as BIP 77 uses it (the message A/B encryption)",
    "session/sender/machine": "the sender's session states, expiry, and reading error replies",
    "session/sender/replay": "folding a sender's event log back into a state",
    "session/receiver/machine": "the receiver's session states and their checks",
    "session/receiver/replay": "folding a receiver's event log back into a state",
    "bip77/messages": "message A and B framing: lengths, padding, the split of key and body",
    "bip77/ohttp": "RFC 9458 encapsulation of every directory request",
}
"""Module path under ``pjconf/reference`` (no ``.py``) -> the protocol behaviour it holds."""
