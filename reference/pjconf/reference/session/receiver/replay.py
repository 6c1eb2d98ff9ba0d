"""Replaying a receiver's event log (``receive/v2/session.rs`` and ``mod.rs``): state, history.

Replay folds the log with the crate's ``process_event`` table. The table is more permissive than
the live path: ``Closed`` is accepted in every state, even ``Closed``; ``GotReplyableError`` is
accepted everywhere, even right after ``Created``, and ignored after ``Closed``. Only three
payloads are checked (``owned_vouts``, and ``change_vout`` twice), because a bad one would make a
later typestate panic. On a fold error the persister is closed, as the crate does; a load error
and an expired session leave it open. Replay never writes events.

The sender output substitution that payjoin forces off for a v1 sender is applied by the live
path *before* ``RetrievedOriginalPayload`` is written; replay takes the persisted ``params`` as
they are, as the crate does.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from pjconf.reference.bip77.uri import PjUri, is_expired
from pjconf.reference.bitcoin.encoding import display_hex
from pjconf.reference.bitcoin.psbt import Output
from pjconf.reference.bitcoin.tx import Transaction
from pjconf.reference.entropy import SYSTEM_CLOCK, Clock
from pjconf.reference.payjoin import receiver as common
from pjconf.reference.payjoin.errors import PayjoinPanic
from pjconf.reference.persist import AsyncSessionPersister, SessionPersister
from pjconf.reference.session.receiver import events as ev
from pjconf.reference.session.receiver.machine import (
    HAS_FALLBACK_TX,
    ClosedSession,
    HasFallbackTx,
    HasReplyableError,
    Initialized,
    MaybeInputsOwned,
    MaybeInputsSeen,
    Monitor,
    OutputsUnknown,
    PayjoinProposal,
    PendingFallback,
    ProvisionalProposal,
    ReceiveSession,
    UncheckedOriginalPayload,
    WantsFeeRange,
    WantsInputs,
    WantsOutputs,
    fallback_of,
)
from pjconf.reference.session.receiver.wire import pj_uri
from pjconf.reference.session.replay_log import (
    check_expiry,
    fold,
    load_and_fold,
    load_and_fold_async,
)
from pjconf.reference.session.sender.errors import ReplayError
from pjconf.reference.session.serde_values import format_f64

__all__ = [
    "InvalidEventPayload",
    "SessionHistory",
    "SessionStatus",
    "debug_event",
    "debug_state",
    "process_event",
    "replay_event_log",
    "replay_event_log_async",
    "replay_events",
]

# -- Rust Debug, for the error texts ---------------------------------------------------------
#
# Exact where the crate's ``{:?}`` is cheap to reproduce (unit and empty-tuple variants, vouts,
# outcomes and txids, ``JsonReply`` with its ``serde_json`` values, the reply key). Payloads whose
# Debug would need rust-bitcoin's script disassembly or URL internals are elided as ``{ .. }``:
# ``SessionContext``, ``OriginalPayload``, ``Psbt``, ``Transaction``, ``TxOut``, ``InputPair``,
# ``PsbtContext`` and the common typestates' ``inner``.

_CTX = "SessionContext { .. }"


def debug_str(text: str) -> str:
    """``<str as Debug>``: quoted; ``\\t \\r \\n \\\\ \\"`` escaped, ``'`` kept, and other
    non-printable or grapheme-extending characters as ``\\u{hex}``. Printability follows Python's
    Unicode tables, which may differ from Rust's on rarely used code points."""
    out = ['"']
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch == " " or (ch.isprintable() and unicodedata.category(ch) not in ("Mn", "Me")):
            out.append(ch)
        else:
            out.append(f"\\u{{{ord(ch):x}}}")
    out.append('"')
    return "".join(out)


_ESCAPES = {"\0": "\\0", "\t": "\\t", "\r": "\\r", "\n": "\\n", "\\": "\\\\", '"': '\\"'}


def debug_json(value: Any) -> str:
    """``serde_json::Value``'s Debug: ``Null``, ``Bool(true)``, ``Number(1.5)``, ``String("x")``,
    ``Array [..]``, ``Object {..}``."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return f"Bool({'true' if value else 'false'})"
    if isinstance(value, int):
        return f"Number({value})"
    if isinstance(value, float):
        return f"Number({format_f64(value)})"
    if isinstance(value, str):
        return f"String({debug_str(value)})"
    if isinstance(value, list):
        return "Array [" + ", ".join(debug_json(v) for v in value) + "]"
    return "Object " + debug_map(value)


def debug_map(entries: dict[str, Any]) -> str:
    """A ``serde_json::Map`` (a ``BTreeMap``): keys in code-point (UTF-8 byte) order."""
    body = ", ".join(f"{debug_str(k)}: {debug_json(entries[k])}" for k in sorted(entries))
    return "{" + body + "}"


def debug_reply(reply: ev.JsonReply) -> str:
    return (
        f"JsonReply {{ error_code: {reply.error_code.value}, message: {debug_str(reply.message)}, "
        f"extra: {debug_map(reply.extra)} }}"
    )


def debug_outcome(outcome: ev.SessionOutcome) -> str:
    """A ``Txid``'s Debug is its display hex."""
    if isinstance(outcome, ev.Success | ev.Unrecognized):
        return f"{type(outcome).__name__}({display_hex(outcome.txid)})"
    return type(outcome).__name__


def debug_public_key(public: bytes) -> str:
    """``HpkePublicKey``'s Debug shows libsecp256k1's in-memory key: x then y, each 32 bytes
    little-endian (the layout of the 64-bit field storage, as the crate prints it on x86-64)."""
    x, y = public[1:33], public[33:65]
    return f"SecpHpkePublicKey(PublicKey(PublicKey({x[::-1].hex()}{y[::-1].hex()})))"


def _debug_reply_key(key: bytes | None) -> str:
    return "None" if key is None else f"Some({debug_public_key(key)})"


def _debug_list(name: str, count: int) -> str:
    return "[" + ", ".join([f"{name} {{ .. }}"] * count) + "]"


def debug_event(event: ev.ReceiverEvent) -> str:
    """``{:?}`` of a ``SessionEvent``, big payloads elided as ``{ .. }``."""
    if isinstance(event, ev.Created):
        return f"Created({_CTX})"
    if isinstance(event, ev.RetrievedOriginalPayload):
        key = _debug_reply_key(event.reply_key)
        return (
            f"RetrievedOriginalPayload {{ original: OriginalPayload {{ .. }}, reply_key: {key} }}"
        )
    if isinstance(event, ev.IdentifiedReceiverOutputs):
        return f"IdentifiedReceiverOutputs([{', '.join(map(str, event.owned_vouts))}])"
    if isinstance(event, ev.CommittedOutputs):
        outputs = _debug_list("TxOut", len(event.outputs))
        return f"CommittedOutputs {{ outputs: {outputs}, change_vout: {event.change_vout} }}"
    if isinstance(event, ev.CommittedInputs):
        inputs = _debug_list("InputPair", len(event.receiver_inputs))
        return f"CommittedInputs {{ receiver_inputs: {inputs}, payjoin_psbt: Psbt {{ .. }} }}"
    if isinstance(event, ev.AppliedFeeRange):
        return "AppliedFeeRange(PsbtContext { .. })"
    if isinstance(event, ev.FinalizedProposal):
        return "FinalizedProposal(Psbt { .. })"
    if isinstance(event, ev.GotReplyableError):
        return f"GotReplyableError({debug_reply(event.reply)})"
    if isinstance(event, ev.Closed):
        return f"Closed({debug_outcome(event.outcome)})"
    return type(event).__name__  # the unit and empty-tuple variants


def _debug_state_body(state: ReceiveSession) -> str:
    name = type(state).__name__
    if isinstance(state, Initialized):
        return name
    if isinstance(
        state, UncheckedOriginalPayload | MaybeInputsOwned | MaybeInputsSeen | OutputsUnknown
    ):
        return f"{name} {{ original: OriginalPayload {{ .. }} }}"
    if isinstance(state, WantsOutputs | WantsInputs | WantsFeeRange):
        return f"{name} {{ inner: {name} {{ .. }} }}"
    if isinstance(state, ProvisionalProposal | PayjoinProposal | Monitor):
        return f"{name} {{ psbt_context: PsbtContext {{ .. }} }}"
    if isinstance(state, HasReplyableError):
        fallback = "None" if state.fallback_tx is None else "Some(Transaction { .. })"
        return (
            f"{name} {{ error_reply: {debug_reply(state.error_reply)}, fallback_tx: {fallback} }}"
        )
    return f"{name} {{ fallback_tx: Transaction {{ .. }} }}"  # PendingFallback


def debug_state(state: ReceiveSession) -> str:
    """``{:?}`` of a ``ReceiveSession``: ``Variant(Receiver { state: .., session_context: .. })``,
    or ``Closed(outcome)``."""
    if isinstance(state, ClosedSession):
        return f"Closed({debug_outcome(state.outcome)})"
    name = type(state).__name__
    return f"{name}(Receiver {{ state: {_debug_state_body(state)}, session_context: {_CTX} }})"


# -- errors ---------------------------------------------------------------------------------------


def invalid_event(event: ev.ReceiverEvent, state: ReceiveSession | None) -> ReplayError:
    """``InvalidEvent``; without a state it is the first event (``InvalidFirstEvent``)."""
    if state is None:
        return ReplayError(
            "InvalidFirstEvent", f"Invalid first event ({debug_event(event)}) for session"
        )
    return ReplayError(
        "InvalidEvent",
        f"Invalid event ({debug_event(event)}) for session ({debug_state(state)})",
    )


class InvalidEventPayload(ReplayError):
    """A well-sequenced event whose payload would break a later typestate; ``reason`` is the
    crate's text after the colon."""

    def __init__(self, event: ev.ReceiverEvent, reason: str) -> None:
        super().__init__(
            "InvalidEventPayload", f"Invalid event payload ({debug_event(event)}): {reason}"
        )
        self.event = event
        self.reason = reason


# -- the fold -------------------------------------------------------------------------------------


def _retrieved(state: Initialized, event: ev.RetrievedOriginalPayload) -> ReceiveSession:
    """The reply key (``None`` for a v1 sender) goes into the session context."""
    context = replace(state.session_context, reply_key=event.reply_key)
    return UncheckedOriginalPayload(context, original=event.original)


def _broadcast_checked(state: UncheckedOriginalPayload, _: object) -> ReceiveSession:
    return MaybeInputsOwned(state.session_context, original=state.original)


def _inputs_not_owned(state: MaybeInputsOwned, _: object) -> ReceiveSession:
    return MaybeInputsSeen(state.session_context, original=state.original)


def _inputs_not_seen(state: MaybeInputsSeen, _: object) -> ReceiveSession:
    return OutputsUnknown(state.session_context, original=state.original)


def _identified(state: OutputsUnknown, event: ev.IdentifiedReceiverOutputs) -> ReceiveSession:
    count = len(state.original.psbt.unsigned_tx.outputs)
    vouts = event.owned_vouts
    if not vouts or any(vout >= count for vout in vouts):
        raise InvalidEventPayload(
            event,
            f"owned vouts must be non-empty and within the original PSBT's {count} outputs",
        )
    inner = common.WantsOutputs.new(state.original, list(vouts))
    return WantsOutputs(state.session_context, inner=inner)


def _outputs_committed(state: WantsOutputs, event: ev.CommittedOutputs) -> ReceiveSession:
    """The committed outputs over the *original* PSBT, output maps reset to defaults."""
    count = len(event.outputs)
    if event.change_vout >= count:
        raise InvalidEventPayload(
            event, f"change vout {event.change_vout} is out of bounds; {count} outputs committed"
        )
    original = state.inner.original
    base = original.original_psbt
    psbt = replace(
        base,
        unsigned_tx=replace(base.unsigned_tx, outputs=tuple(event.outputs)),
        outputs=tuple(Output() for _ in event.outputs),
    )
    inner = common.WantsInputs(original, psbt, event.change_vout, ())
    return WantsInputs(state.session_context, inner=inner)


def _inputs_committed(state: WantsInputs, event: ev.CommittedInputs) -> ReceiveSession:
    """``change_vout`` is not in the event: it comes from the predecessor."""
    change_vout = state.inner.change_vout
    count = len(event.payjoin_psbt.unsigned_tx.outputs)
    if change_vout >= count:
        raise InvalidEventPayload(
            event,
            f"change vout {change_vout} is out of bounds; committed PSBT has {count} outputs",
        )
    inner = common.WantsFeeRange(
        state.inner.original, event.payjoin_psbt, change_vout, tuple(event.receiver_inputs)
    )
    return WantsFeeRange(state.session_context, inner=inner)


def _fee_range_applied(state: WantsFeeRange, event: ev.AppliedFeeRange) -> ReceiveSession:
    return ProvisionalProposal(state.session_context, psbt_context=event.context)


def _finalized(state: ProvisionalProposal, event: ev.FinalizedProposal) -> ReceiveSession:
    context = common.ReceiverPsbtContext(state.psbt_context.original_psbt, event.psbt)
    return PayjoinProposal(state.session_context, psbt_context=context)


def _posted(state: PayjoinProposal, _: object) -> ReceiveSession:
    return Monitor(state.session_context, psbt_context=state.psbt_context)


_Step = Callable[[Any, Any], ReceiveSession]
_ADVANCE: dict[tuple[type, type], _Step] = {
    (Initialized, ev.RetrievedOriginalPayload): _retrieved,
    (UncheckedOriginalPayload, ev.CheckedBroadcastSuitability): _broadcast_checked,
    (MaybeInputsOwned, ev.CheckedInputsNotOwned): _inputs_not_owned,
    (MaybeInputsSeen, ev.CheckedNoInputsSeenBefore): _inputs_not_seen,
    (OutputsUnknown, ev.IdentifiedReceiverOutputs): _identified,
    (WantsOutputs, ev.CommittedOutputs): _outputs_committed,
    (WantsInputs, ev.CommittedInputs): _inputs_committed,
    (WantsFeeRange, ev.AppliedFeeRange): _fee_range_applied,
    (ProvisionalProposal, ev.FinalizedProposal): _finalized,
    (PayjoinProposal, ev.PostedPayjoinProposal): _posted,
}
"""The forward steps: one (state, event) pair each, as the crate's first ten match arms."""


def _pending_fallback(state: ReceiveSession) -> PendingFallback | None:
    """``try_pending_fallback``: from a ``HasFallbackTx`` state, or a ``HasReplyableError`` that
    kept a fallback; ``None`` (an invalid event) anywhere else."""
    if isinstance(state, HAS_FALLBACK_TX):
        return PendingFallback(state.session_context, fallback_tx=state.fallback_tx())
    if isinstance(state, HasReplyableError) and state.fallback_tx is not None:
        return PendingFallback(state.session_context, fallback_tx=state.fallback_tx)
    return None


_Open = Initialized | UncheckedOriginalPayload | HasFallbackTx | HasReplyableError | PendingFallback


def _replyable_fallback(state: _Open) -> Transaction | None:
    """The fallback a ``GotReplyableError`` keeps: none before the broadcast check."""
    if isinstance(state, Initialized | UncheckedOriginalPayload):
        return None
    if isinstance(state, HasReplyableError | PendingFallback):
        return state.fallback_tx
    return state.fallback_tx()


def process_event(state: ReceiveSession, event: ev.ReceiverEvent) -> ReceiveSession:
    """``ReceiveSession::process_event``: the crate's table, any other pair ``InvalidEvent``."""
    step = _ADVANCE.get((type(state), type(event)))
    if step is not None:
        return step(state, event)
    if isinstance(event, ev.Cancelled | ev.ProtocolFailed):
        pending = _pending_fallback(state)
        if pending is None:
            raise invalid_event(event, state)
        return pending
    if isinstance(event, ev.Closed):
        return ClosedSession(event.outcome)  # from every state, Closed included
    if isinstance(event, ev.GotReplyableError):
        if isinstance(state, ClosedSession):
            return state  # ignored after Closed
        return HasReplyableError(
            state.session_context, error_reply=event.reply, fallback_tx=_replyable_fallback(state)
        )
    raise invalid_event(event, state)


def _first_state(first: ev.ReceiverEvent) -> ReceiveSession:
    if not isinstance(first, ev.Created):
        raise invalid_event(first, None)
    return Initialized(first.context)


def replay_events(
    events: Iterable[ev.ReceiverEvent],
) -> tuple[ReceiveSession, list[ev.ReceiverEvent]]:
    """Fold a log: it must start with ``Created``; returns the state and the events read."""
    return fold(events, _first_state, process_event)


# -- history --------------------------------------------------------------------------------------


class SessionStatus(enum.StrEnum):
    """The receiver's ``SessionStatus``, named as its Debug prints it."""

    ACTIVE = "Active"
    EXPIRED = "Expired"
    FAILED = "Failed"
    COMPLETED = "Completed"
    FALLBACK_BROADCASTED = "FallbackBroadcasted"
    PENDING_FALLBACK = "PendingFallback"


@dataclass(frozen=True)
class SessionHistory:
    """Read-only queries over a replayed log (only replay builds one, as in the crate)."""

    events: tuple[ev.ReceiverEvent, ...]

    def _created(self) -> ev.SessionContext:
        return next(e.context for e in self.events if isinstance(e, ev.Created))

    def pj_uri(self) -> PjUri:
        """The URI of ``Created``'s context (:func:`.receiver_wire.pj_uri`)."""
        return pj_uri(self._created())

    def fallback_tx(self) -> Transaction | None:
        """The first ``RetrievedOriginalPayload``'s transaction, but only once the log has a
        ``CheckedBroadcastSuitability`` (``assume_interactive_receiver`` writes one too)."""
        if not any(isinstance(e, ev.CheckedBroadcastSuitability) for e in self.events):
            return None
        original = next(
            (e.original for e in self.events if isinstance(e, ev.RetrievedOriginalPayload)), None
        )
        if original is None:  # the crate's `expect`: no replayable log gets here
            raise PayjoinPanic("Should exist if this event is present")
        return fallback_of(original.psbt)

    def session_context(self) -> ev.SessionContext:
        """``Created``'s context with the first reply key any ``RetrievedOriginalPayload`` has."""
        reply_key = next(
            (
                e.reply_key
                for e in self.events
                if isinstance(e, ev.RetrievedOriginalPayload) and e.reply_key is not None
            ),
            None,
        )
        return replace(self._created(), reply_key=reply_key)

    def status(self, clock: Clock | None = None) -> SessionStatus:
        """The last event decides: ``Closed`` by its outcome, ``Cancelled``/``ProtocolFailed``
        are ``PendingFallback`` (expired or not); otherwise expiry, then ``Active``."""
        last = self.events[-1]
        if isinstance(last, ev.Closed):
            return _OUTCOME_STATUS[type(last.outcome)]
        if isinstance(last, ev.Cancelled | ev.ProtocolFailed):
            return SessionStatus.PENDING_FALLBACK
        if is_expired(self._created().expiration, clock or SYSTEM_CLOCK):
            return SessionStatus.EXPIRED
        return SessionStatus.ACTIVE


_OUTCOME_STATUS: dict[type, SessionStatus] = {
    ev.Success: SessionStatus.COMPLETED,
    ev.PayjoinProposalSent: SessionStatus.COMPLETED,
    ev.Aborted: SessionStatus.FAILED,
    ev.Unrecognized: SessionStatus.FAILED,
    ev.FallbackBroadcasted: SessionStatus.FALLBACK_BROADCASTED,
}


def _history(state: ReceiveSession, events: list[ev.ReceiverEvent], clock: Clock) -> SessionHistory:
    """``construct_history``: a non-closed session past its expiration is an ``Expired`` error
    carrying the history's fallback (``None`` before the broadcast check)."""
    history = SessionHistory(tuple(events))
    closed = isinstance(state, ClosedSession)
    check_expiry(closed, history.session_context().expiration, history.fallback_tx, clock)
    return history


def replay_event_log(
    persister: SessionPersister[ev.ReceiverEvent], *, clock: Clock | None = None
) -> tuple[ReceiveSession, SessionHistory]:
    """Load, fold and check expiry (:mod:`.replay_log`: a fold error closes the persister, a
    load error does not)."""
    state, seen = load_and_fold(persister, replay_events)
    return state, _history(state, seen, clock or SYSTEM_CLOCK)


async def replay_event_log_async(
    persister: AsyncSessionPersister[ev.ReceiverEvent], *, clock: Clock | None = None
) -> tuple[ReceiveSession, SessionHistory]:
    """:func:`replay_event_log` against an async persister, with the same rules."""
    state, seen = await load_and_fold_async(persister, replay_events)
    return state, _history(state, seen, clock or SYSTEM_CLOCK)
