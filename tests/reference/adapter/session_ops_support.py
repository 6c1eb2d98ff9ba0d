"""What the shim's ``session.*`` tests of both roles share: the protocol's outcome table
(docs/adapter-protocol.md, "Live sessions") and the check of one step's log against it, and the
receiver's method names. Both tables are written out here rather than imported from the harness
or the adapter, so that the reference adapter is checked against the document."""

from __future__ import annotations

from typing import Any

from pjconf.harness.implementations.client import Reply

OUTCOMES: dict[str, tuple[int, bool | None]] = {
    "progress": (1, False),
    "stasis": (0, None),
    "transient": (0, False),
    "replyable": (1, False),
    "fatal": (1, True),
    "terminal": (1, True),
}
"""outcome -> (events the log gains, closed afterwards; None: unchanged)."""

RECEIVER_METHODS = (
    "check_broadcast_suitability",
    "assume_interactive_receiver",
    "check_inputs_not_owned",
    "check_no_inputs_seen_before",
    "identify_receiver_outputs",
    "commit_outputs",
    "contribute_inputs",
    "commit_inputs",
    "apply_fee_range",
    "finalize_proposal",
    "check_for_transaction",
    "cancel",
    "close",
)
"""Every method of the receiver's typestates that ``session.call`` runs, in path order."""


def ok(reply: Reply) -> dict[str, Any]:
    """The value of a reply that must be a result."""
    assert reply.kind == "result", reply
    return reply.value


def assert_logged(
    out: dict[str, Any], before: list[str], after: list[str], was_closed: bool, closed: bool
) -> None:
    """A step's result ``out`` against the log ``session.events`` reported before and after it:
    append-only, grown by what :data:`OUTCOMES` says, ``appended`` being exactly the growth,
    and closed as the outcome leaves it."""
    grow, must_close = OUTCOMES[out["outcome"]]
    assert after[: len(before)] == before  # append-only
    assert len(after) == len(before) + grow, out
    assert out["appended"] == after[len(before) :]
    assert closed == out["closed"] == (was_closed if must_close is None else must_close)
