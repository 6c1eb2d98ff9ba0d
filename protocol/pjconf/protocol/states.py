"""The session states an adapter reports, by name: payjoin 1.0's ``ReceiveSession`` and
``SendSession`` variants (docs/adapter-protocol.md, ``state``).

The harness judges paths and state-graph coverage by these names; every implementation reports
them. tests/reference/adapter/test_states.py checks that the reference's typestates map onto exactly
these names.
"""

from __future__ import annotations

from typing import Final

CLOSED: Final = "Closed"

RECEIVER_STATES: Final = (
    "Initialized",
    "UncheckedOriginalPayload",
    "MaybeInputsOwned",
    "MaybeInputsSeen",
    "OutputsUnknown",
    "WantsOutputs",
    "WantsInputs",
    "WantsFeeRange",
    "ProvisionalProposal",
    "PayjoinProposal",
    "HasReplyableError",
    "Monitor",
    "PendingFallback",
    CLOSED,
)
"""The receiver's states, in the order a successful session reaches them, then the side exits."""

RECEIVER_WITH_FALLBACK: Final = (
    *RECEIVER_STATES[
        RECEIVER_STATES.index("MaybeInputsOwned") : RECEIVER_STATES.index("HasReplyableError")
    ],
    "Monitor",
)
"""The receiver states that hold the sender's fallback transaction (payjoin 1.0's
``HasFallbackTx``): cancelling one of them keeps the fallback, so it ends ``PendingFallback``."""

SENDER_STATES: Final = ("WithReplyKey", "PollingForProposal", "PendingFallback", CLOSED)
"""The sender's states."""
