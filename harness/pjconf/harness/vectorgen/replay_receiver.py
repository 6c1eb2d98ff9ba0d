"""The ``replay`` family's receiver cases beyond the live logs: every closing outcome's status,
and ``ReplayError`` texts whose Debug payloads the live logs never print.

payjoin 1.0's ``InvalidEvent`` text prints the session in Debug form; a ``HasReplyableError``
session prints its error reply, whose message and ``extra`` values (any JSON) go through
``<str as Debug>`` and ``serde_json::Value``'s Debug. The live logs' replies have plain ASCII
messages and an empty or one-string ``extra``, so these cases write a ``GotReplyableError`` with
every JSON value kind and characters Debug escapes, then an event the state refuses. A closed
session prints its outcome (a txid for ``Success`` and ``Unrecognized``); the live logs close
with ``Success`` and ``Aborted`` only, so every outcome is also replayed for its ``status`` and
followed by an event to print it.
"""

from __future__ import annotations

from dataclasses import replace

from pjconf.harness.vectorgen import CaseIds, Json
from pjconf.harness.vectorgen.session_logs import Replayer, SessionLog, replay_args
from pjconf.protocol.events import variant_name
from pjconf.reference.session.json_codec import decode_receiver_event, encode_receiver_event
from pjconf.reference.session.receiver import events as ev

NOTES: dict[str, Json] = {
    "ClosedOutcome": {
        "description": "A receiver log closed with each SessionOutcome (Success, Aborted, "
        "FallbackBroadcasted, PayjoinProposalSent, Unrecognized): the state Closed and the "
        "status payjoin 1.0 gives it (Completed, Failed, FallbackBroadcasted, Completed, "
        "Failed); then an event after it, refused with the outcome in the text.",
        "effect": "A wallet shows a failed session as completed, or a fallback as a payjoin.",
    },
    "PayloadBoundary": {
        "description": "IdentifiedReceiverOutputs naming the vout equal to the Original's "
        "number of outputs (one past the last): refused with InvalidEventPayload.",
        "effect": "An off-by-one takes an output that does not exist as the receiver's.",
    },
    "DebugText": {
        "description": "InvalidEvent/InvalidFirstEvent texts printing an error reply whose "
        "message holds characters <str as Debug> escapes (tab, newline, quote, backslash, NUL, "
        "DEL, a zero-width space, a combining accent) and whose extra holds every JSON kind "
        "(null, bool, integer, float, string, array, object; keys printed in byte order).",
        "effect": "Under payjoin-1.0: a ReplayError text other than payjoin 1.0's.",
    },
}

_MESSAGE = "tab\there \"quoted\" back\\slash 'single' accent\u0301 zw\u200b del\x7f é\nline\r\0."
_EXTRA: Json = {
    "z": None,
    "t": True,
    "f": False,
    "n": -7,
    "x": 1.5,
    "s": 'say "hi"',
    "l": [1, [], {}],
    "o": {"k": 2, "a": "b"},
    "é": 0,
}
_TXID = bytes(range(32))


def _reply(code: ev.ErrorCode) -> str:
    return encode_receiver_event(ev.GotReplyableError(ev.JsonReply(code, _MESSAGE, dict(_EXTRA))))


def _closed(outcome: ev.SessionOutcome) -> str:
    return encode_receiver_event(ev.Closed(outcome))


MONITOR_OUTCOMES = frozenset({"Success", "FallbackBroadcasted", "PayjoinProposalSent"})
"""The outcomes ``Monitor.check_for_transaction`` closes with (payjoin 1.0's receiver, as the
reference's). A log closed in ``Monitor`` with another outcome is one no live session writes:
payjoin 1.0 accepts it (``ClosedFromAnyState``, as the replay table's ``Closed/Aborted`` cell)."""


def receiver_cases(
    ids: CaseIds, replayer: Replayer, created: SessionLog, checked: SessionLog, monitor: SessionLog
) -> list[Json]:
    """``created``: the receiver's log after ``Created``; ``checked``: after the broadcast check
    (a fallback is known); ``monitor``: after the proposal was posted."""
    if variant_name(checked.events[-1]) != "CheckedBroadcastSuitability":
        raise AssertionError("the checked log ends with the broadcast check")
    refused = encode_receiver_event(ev.CheckedInputsNotOwned())
    tests: list[Json] = []
    debug = ["DebugText"]
    for what, log, code in (
        ("after Created", created, ev.ErrorCode.UNAVAILABLE),
        ("after the broadcast check", checked, ev.ErrorCode.ORIGINAL_PSBT_REJECTED),
    ):
        events = [*log.events, _reply(code), refused]
        comment = f"receiver: a GotReplyableError {what}, then CheckedInputsNotOwned"
        tests.append(replayer.case(ids, comment, debug, replay_args("receiver", events)))
    first = [_reply(ev.ErrorCode.NOT_ENOUGH_MONEY)]
    comment = "receiver: a log starting with a GotReplyableError"
    tests.append(replayer.case(ids, comment, debug, replay_args("receiver", first)))
    outcomes: tuple[tuple[str, ev.SessionOutcome], ...] = (
        ("Success", ev.Success(_TXID)),
        ("Aborted", ev.Aborted()),
        ("FallbackBroadcasted", ev.FallbackBroadcasted()),
        ("PayjoinProposalSent", ev.PayjoinProposalSent()),
        ("Unrecognized", ev.Unrecognized(_TXID)),
    )
    tests += _v1_payload(ids, replayer, checked)
    for name, outcome in outcomes:
        closed = [*monitor.events, _closed(outcome)]
        comment = f"receiver: a log closed with {name}"
        lenient = [] if name in MONITOR_OUTCOMES else ["ClosedFromAnyState"]
        flags = ["ClosedOutcome", *lenient]
        tests.append(replayer.case(ids, comment, flags, replay_args("receiver", closed)))
        comment = f"receiver: a log closed with {name}, then CheckedInputsNotOwned"
        args = replay_args("receiver", [*closed, refused])
        tests.append(replayer.case(ids, comment, ["ClosedOutcome"], args))
    return tests


def _v1_payload(ids: CaseIds, replayer: Replayer, checked: SessionLog) -> list[Json]:
    """A v1 sender's RetrievedOriginalPayload (no reply key: its Debug holds no key, so the
    text is pinned) appended twice; and owned vouts one past the Original's outputs."""
    retrieved = decode_receiver_event(checked.events[1])
    assert isinstance(retrieved, ev.RetrievedOriginalPayload)
    v1 = encode_receiver_event(replace(retrieved, reply_key=None))
    twice = [checked.events[0], v1, v1]
    comment = "receiver: a v1 sender's RetrievedOriginalPayload twice"
    tests = [replayer.case(ids, comment, ["DebugText"], replay_args("receiver", twice))]
    count = len(retrieved.original.psbt.unsigned_tx.outputs)
    beyond = encode_receiver_event(ev.IdentifiedReceiverOutputs((count,)))
    events = [*checked.events, *_checks_after_broadcast(), beyond]
    comment = f"receiver: IdentifiedReceiverOutputs [{count}], the number of outputs"
    tests.append(replayer.case(ids, comment, ["PayloadBoundary"], replay_args("receiver", events)))
    return tests


def _checks_after_broadcast() -> list[str]:
    return [
        encode_receiver_event(ev.CheckedInputsNotOwned()),
        encode_receiver_event(ev.CheckedNoInputsSeenBefore()),
    ]
