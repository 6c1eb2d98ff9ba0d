"""Receiver replay (payjoin 1.0 ``receive/v2/session.rs`` + ``mod.rs``): the whole
``process_event`` table over 15 states x 15 events, the crate's quirks by name, the three payload
checks, first-event errors, expiry, persistence failures, and the session history.

The expected texts are built from two hand-written tables (each state's and each event's Rust
``{:?}``, payloads elided as ``{ .. }``), not from the module's own renderers; the interop test
checks those tables against the crate.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from reference.session.failing_persisters import Failing, FailingAsync
from reference.session.receiver.receiver_logs import (
    FORWARD_STATES,
    NO_FALLBACK,
    REJECTED,
    REPLY_KEY,
    bad_payloads,
    one_of_each,
    prefixes,
    quirk_logs,
    texts,
    walk,
)
from reference.session.sender.test_sender_support import EXPIRATION, NOW, ORIGINAL, PAY, clock

from pjconf.reference.bip77.short_id import short_id
from pjconf.reference.bip77.uri import PjParamV2, format_uri, parse_uri
from pjconf.reference.bitcoin.psbt import Output
from pjconf.reference.crypto.secp256k1 import compress
from pjconf.reference.payjoin import receiver as common
from pjconf.reference.payjoin.errors import PayjoinPanic
from pjconf.reference.payjoin.params import OutputSubstitution, Params
from pjconf.reference.persist import InMemoryAsyncPersister, InMemoryPersister
from pjconf.reference.session.json_codec import DecodeError, decode_receiver_event
from pjconf.reference.session.receiver.events import (
    Aborted,
    AppliedFeeRange,
    Cancelled,
    CheckedBroadcastSuitability,
    Closed,
    ErrorCode,
    FallbackBroadcasted,
    GotReplyableError,
    JsonReply,
    ProtocolFailed,
    ReceiverEvent,
    RetrievedOriginalPayload,
    Success,
)
from pjconf.reference.session.receiver.machine import (
    STATE_NAMES,
    ClosedSession,
    HasReplyableError,
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
)
from pjconf.reference.session.receiver.replay import (
    InvalidEventPayload,
    SessionHistory,
    SessionStatus,
    debug_json,
    debug_str,
    process_event,
    replay_event_log,
    replay_event_log_async,
)
from pjconf.reference.session.sender.errors import ReplayError

W = walk()
PREFIXES = prefixes(W)
QUIRKS = quirk_logs(W)
EVENTS = one_of_each(W)
FALLBACK = ORIGINAL.extract_tx()
CTX = replace(W.context, reply_key=REPLY_KEY.public)
"""The context after ``RetrievedOriginalPayload``: the sender's reply key set into it."""
TXID = bytes(range(32))

# -- the crate's Debug of each state and event (checked against rust-payjoin by the interop test)

_SC = "session_context: SessionContext { .. } })"
_ORIG = "{ original: OriginalPayload { .. } }"
_REJECTED = (
    "JsonReply { error_code: OriginalPsbtRejected, "
    'message: "Can\'t broadcast. PSBT rejected by mempool.", extra: {} }'
)
_REPLY_KEY = (
    "SecpHpkePublicKey(PublicKey(PublicKey(d2d614d1ae7272d2fbb6b2945fb835a6c35753d57b793d0ed4602a7"
    "e89fdccebf33158fe0383358f3934d592003c8c40e62c723bb87f65d0e63d1ea2c73c2d41)))"
)
"""REPLY_KEY as payjoin 1.0 prints it (copied from its replay error text)."""


def _receiver(name: str, body: str) -> str:
    return f"{name}(Receiver {{ state: {body}, {_SC}"


STATE_DEBUG = {
    "Initialized": _receiver("Initialized", "Initialized"),
    "UncheckedOriginalPayload": _receiver(
        "UncheckedOriginalPayload", f"UncheckedOriginalPayload {_ORIG}"
    ),
    "MaybeInputsOwned": _receiver("MaybeInputsOwned", f"MaybeInputsOwned {_ORIG}"),
    "MaybeInputsSeen": _receiver("MaybeInputsSeen", f"MaybeInputsSeen {_ORIG}"),
    "OutputsUnknown": _receiver("OutputsUnknown", f"OutputsUnknown {_ORIG}"),
    "WantsOutputs": _receiver("WantsOutputs", "WantsOutputs { inner: WantsOutputs { .. } }"),
    "WantsInputs": _receiver("WantsInputs", "WantsInputs { inner: WantsInputs { .. } }"),
    "WantsFeeRange": _receiver("WantsFeeRange", "WantsFeeRange { inner: WantsFeeRange { .. } }"),
    "ProvisionalProposal": _receiver(
        "ProvisionalProposal", "ProvisionalProposal { psbt_context: PsbtContext { .. } }"
    ),
    "PayjoinProposal": _receiver(
        "PayjoinProposal", "PayjoinProposal { psbt_context: PsbtContext { .. } }"
    ),
    "Monitor": _receiver("Monitor", "Monitor { psbt_context: PsbtContext { .. } }"),
    "HasReplyableError": _receiver(
        "HasReplyableError",
        f"HasReplyableError {{ error_reply: {_REJECTED}, "
        "fallback_tx: Some(Transaction { .. }) }",
    ),
    NO_FALLBACK: _receiver(
        "HasReplyableError", f"HasReplyableError {{ error_reply: {_REJECTED}, fallback_tx: None }}"
    ),
    "PendingFallback": _receiver(
        "PendingFallback", "PendingFallback { fallback_tx: Transaction { .. } }"
    ),
    "Closed": "Closed(Aborted)",
}
EVENT_DEBUG = {
    "Created": "Created(SessionContext { .. })",
    "RetrievedOriginalPayload": (
        f"RetrievedOriginalPayload {{ original: OriginalPayload {{ .. }}, "
        f"reply_key: Some({_REPLY_KEY}) }}"
    ),
    "CheckedBroadcastSuitability": "CheckedBroadcastSuitability",
    "CheckedInputsNotOwned": "CheckedInputsNotOwned",
    "CheckedNoInputsSeenBefore": "CheckedNoInputsSeenBefore",
    "IdentifiedReceiverOutputs": "IdentifiedReceiverOutputs([0])",
    "CommittedOutputs": (
        "CommittedOutputs { outputs: [TxOut { .. }, TxOut { .. }], change_vout: 0 }"
    ),
    "CommittedInputs": (
        "CommittedInputs { receiver_inputs: [InputPair { .. }], payjoin_psbt: Psbt { .. } }"
    ),
    "AppliedFeeRange": "AppliedFeeRange(PsbtContext { .. })",
    "FinalizedProposal": "FinalizedProposal(Psbt { .. })",
    "GotReplyableError": f"GotReplyableError({_REJECTED})",
    "PostedPayjoinProposal": "PostedPayjoinProposal",
    "Cancelled": "Cancelled",
    "ProtocolFailed": "ProtocolFailed",
    "Closed": "Closed(Aborted)",
}

# -- the process_event table of payjoin 1.0 (receive/v2/mod.rs), as data --------------------------

ADVANCE = {
    ("Initialized", "RetrievedOriginalPayload"): "UncheckedOriginalPayload",
    ("UncheckedOriginalPayload", "CheckedBroadcastSuitability"): "MaybeInputsOwned",
    ("MaybeInputsOwned", "CheckedInputsNotOwned"): "MaybeInputsSeen",
    ("MaybeInputsSeen", "CheckedNoInputsSeenBefore"): "OutputsUnknown",
    ("OutputsUnknown", "IdentifiedReceiverOutputs"): "WantsOutputs",
    ("WantsOutputs", "CommittedOutputs"): "WantsInputs",
    ("WantsInputs", "CommittedInputs"): "WantsFeeRange",
    ("WantsFeeRange", "AppliedFeeRange"): "ProvisionalProposal",
    ("ProvisionalProposal", "FinalizedProposal"): "PayjoinProposal",
    ("PayjoinProposal", "PostedPayjoinProposal"): "Monitor",
}
WITH_FALLBACK = {
    *FORWARD_STATES[FORWARD_STATES.index("MaybeInputsOwned") :],
    "HasReplyableError",
    "PendingFallback",
}
"""States holding the fallback: the forward path from the broadcast check on (the
``HasFallbackTx`` ones), a replyable error that kept one, and PendingFallback."""
TO_PENDING = WITH_FALLBACK - {"PendingFallback"}
"""``try_pending_fallback``: Cancelled/ProtocolFailed are valid from these only."""


def expected_next(state: str, event: str) -> str | None:
    """The state name after ``event`` from the :data:`PREFIXES` row ``state``, or ``None`` for
    ``InvalidEvent``."""
    if (state, event) in ADVANCE:
        return ADVANCE[(state, event)]
    if event in ("Cancelled", "ProtocolFailed"):
        return "PendingFallback" if state in TO_PENDING else None
    if event == "Closed":
        return "Closed"
    if event == "GotReplyableError":
        return "Closed" if state == "Closed" else "HasReplyableError"
    return None


TABLE = [(s, e) for s in PREFIXES for e in EVENTS]


def variant(state: str) -> str:
    """The ``ReceiveSession`` variant of a :data:`PREFIXES` key."""
    return state.split("/", maxsplit=1)[0]


def log_of(events: list[ReceiverEvent]) -> InMemoryPersister[ReceiverEvent]:
    persister: InMemoryPersister[ReceiverEvent] = InMemoryPersister()
    for e in events:
        persister.save_event(e)
    return persister


def replay(events: list[ReceiverEvent], now: int = NOW) -> ReceiveSession:
    return replay_event_log(log_of(events), clock=clock(now))[0]


def test_the_table_covers_every_state_and_event() -> None:
    assert set(STATE_NAMES.values()) == {variant(s) for s in PREFIXES}
    assert len(STATE_NAMES) == 14
    assert len(EVENTS) == 15
    assert len(TABLE) == 15 * 15


@pytest.mark.parametrize(("state", "event"), TABLE, ids=[f"{s}+{e}" for s, e in TABLE])
def test_process_event_table(state: str, event: str) -> None:
    """Every (state, event) pair: the next state, or the crate's exact ``InvalidEvent`` text."""
    persister = log_of([*PREFIXES[state], EVENTS[event]])
    nxt = expected_next(state, event)
    if nxt is None:
        with pytest.raises(ReplayError) as info:
            replay_event_log(persister, clock=clock())
        assert info.value.kind == "InvalidEvent"
        assert str(info.value) == (
            f"Invalid event ({EVENT_DEBUG[event]}) for session ({STATE_DEBUG[state]})"
        )
        assert persister.closed
        assert info.value.closed
        assert not info.value.is_expired()
        return
    got, history = replay_event_log(persister, clock=clock())
    assert STATE_NAMES[type(got)] == nxt
    assert not persister.closed
    assert history.events == tuple(persister.events)  # replay never writes
    if isinstance(got, HasReplyableError):
        fallback = FALLBACK if state in WITH_FALLBACK else None
        assert got == HasReplyableError(
            got.session_context, error_reply=REJECTED, fallback_tx=fallback
        )
    if isinstance(got, PendingFallback):
        assert got == PendingFallback(CTX, fallback_tx=FALLBACK)
    if isinstance(got, ClosedSession) and event == "Closed":
        assert got == ClosedSession(Aborted())


# -- the forward rows, by content -----------------------------------------------------------------

ORIGINAL_CTX = common.OriginalContext(ORIGINAL, W.payload.params)
COMMITTED = replace(ORIGINAL, outputs=(Output(), Output()))
FORWARD: list[tuple[str, ReceiveSession]] = [
    ("UncheckedOriginalPayload", UncheckedOriginalPayload(CTX, original=W.payload)),
    ("MaybeInputsOwned", MaybeInputsOwned(CTX, original=W.payload)),
    ("MaybeInputsSeen", MaybeInputsSeen(CTX, original=W.payload)),
    ("OutputsUnknown", OutputsUnknown(CTX, original=W.payload)),
    (
        "WantsOutputs",
        WantsOutputs(CTX, inner=common.WantsOutputs(ORIGINAL_CTX, ORIGINAL, 0, [0])),
    ),
    (
        "WantsInputs",
        WantsInputs(CTX, inner=common.WantsInputs(ORIGINAL_CTX, COMMITTED, 0, ())),
    ),
    (
        "WantsFeeRange",
        WantsFeeRange(
            CTX,
            inner=common.WantsFeeRange(
                ORIGINAL_CTX,
                W.wants_fee_range.payjoin_psbt,
                0,
                W.wants_fee_range.receiver_inputs,
            ),
        ),
    ),
    ("ProvisionalProposal", ProvisionalProposal(CTX, psbt_context=W.psbt_context)),
    (
        "PayjoinProposal",
        PayjoinProposal(CTX, psbt_context=common.ReceiverPsbtContext(ORIGINAL, W.proposal)),
    ),
    ("Monitor", Monitor(CTX, psbt_context=common.ReceiverPsbtContext(ORIGINAL, W.proposal))),
]


@pytest.mark.parametrize(("name", "state"), FORWARD, ids=[n for n, _ in FORWARD])
def test_forward_rows_build_the_crates_state(name: str, state: ReceiveSession) -> None:
    """What each forward step holds: the reply key in the context, the payload carried over,
    committed outputs over the *original* PSBT with default output maps, ``change_vout`` kept
    from the predecessor, the finalized PSBT beside the original."""
    assert replay(PREFIXES[name]) == state


def test_replay_reproduces_the_live_states() -> None:
    """With and without a substituted (shuffled) output, replay rebuilds what the live session
    held: the crate's ``test_replay_to_wants_*_matches_live``."""
    for live in (W, walk(substitute=True, seed="substituted")):
        logs = prefixes(live)
        wants_inputs = replay(logs["WantsInputs"])
        assert isinstance(wants_inputs, WantsInputs)
        assert wants_inputs.inner == live.wants_inputs
        wants_fee_range = replay(logs["WantsFeeRange"])
        assert isinstance(wants_fee_range, WantsFeeRange)
        assert wants_fee_range.inner == live.wants_fee_range


@pytest.mark.parametrize("index", [0, 2])
def test_replay_drops_a_fee_contribution_aimed_at_an_owned_or_missing_output(index: int) -> None:
    """``OriginalContext::new`` runs on replay too (BIP 78: ignore such an index)."""
    events = prefixes(walk(contribution=(1000, index)))["WantsOutputs"]
    state = replay(events)
    assert isinstance(state, WantsOutputs)
    assert state.inner.original.params.additional_fee_contribution is None
    retrieved = events[1]
    assert isinstance(retrieved, RetrievedOriginalPayload)
    assert retrieved.original.params.additional_fee_contribution == (1000, index)


def test_a_v1_sender_leaves_the_reply_key_unset() -> None:
    state = replay(prefixes(walk(version=1))["WantsOutputs"])
    assert isinstance(state, WantsOutputs)
    assert state.session_context.reply_key is None
    assert state.inner.output_substitution is OutputSubstitution.DISABLED


def test_quirk_replay_does_not_force_v1_output_substitution_off() -> None:
    """The live path disables substitution for a v1 sender *before* persisting; replay takes the
    persisted params as they are, so a log saying v1 + Enabled stays Enabled."""
    enabled = common.OriginalPayload(ORIGINAL, Params(v=1))
    assert enabled.params.output_substitution is OutputSubstitution.ENABLED
    events = QUIRKS["v1 sender, substitution enabled"]
    retrieved = events[1]
    assert isinstance(retrieved, RetrievedOriginalPayload)
    assert retrieved.original == enabled
    state = replay(events)
    assert isinstance(state, WantsOutputs)
    assert state.inner.output_substitution is OutputSubstitution.ENABLED


# -- quirks (session-log note §7 P6) --------------------------------------------------------------


@pytest.mark.parametrize("state", list(PREFIXES))
def test_quirk_closed_is_accepted_from_every_state(state: str) -> None:
    """Even ``Closed(Success)`` straight after ``Created``, and after ``Closed``."""
    got = replay(QUIRKS[f"closed from {state}"])
    assert got == ClosedSession(Success(TXID))


def test_quirk_closed_after_closed_the_last_one_wins() -> None:
    got, history = replay_event_log(log_of(QUIRKS["closed after closed"]), clock=clock())
    assert got == ClosedSession(FallbackBroadcasted())
    assert history.status(clock()) is SessionStatus.FALLBACK_BROADCASTED


def test_quirk_replyable_error_after_closed_is_ignored() -> None:
    """The state stays Closed; the status, read from the last event, says Active (or Expired)."""
    events = QUIRKS["replyable error after closed"]
    persister = log_of(events)
    got, history = replay_event_log(persister, clock=clock())
    assert got == ClosedSession(Success(W.proposal.unsigned_tx.txid()))
    assert history.status(clock()) is SessionStatus.ACTIVE
    assert history.status(clock(EXPIRATION)) is SessionStatus.EXPIRED
    assert replay(events, now=EXPIRATION) == got  # Closed: no Expired error
    assert not persister.closed


def test_quirk_replyable_error_straight_after_created() -> None:
    """No live path writes it (the checks come after the Original PSBT); replay accepts it
    and, there being no Original PSBT, keeps no fallback."""
    got = replay(QUIRKS["replyable error after created"])
    assert got == HasReplyableError(W.context, error_reply=REJECTED, fallback_tx=None)


def test_quirk_replyable_error_keeps_the_pending_fallback() -> None:
    got = replay(QUIRKS["replyable error after pending fallback"])
    assert got == HasReplyableError(CTX, error_reply=REJECTED, fallback_tx=FALLBACK)


@pytest.mark.parametrize("event", [Cancelled(), ProtocolFailed()], ids=["Cancelled", "Failed"])
def test_cancel_of_a_replyable_error_needs_its_fallback(event: ReceiverEvent) -> None:
    assert replay([*PREFIXES["HasReplyableError"], event]) == PendingFallback(
        CTX, fallback_tx=FALLBACK
    )
    with pytest.raises(ReplayError, match=r"^Invalid event \(") as info:
        replay([*PREFIXES[NO_FALLBACK], event])
    assert str(info.value).endswith(f"for session ({STATE_DEBUG[NO_FALLBACK]})")


# -- payload checks -------------------------------------------------------------------------------

_OWNED = "owned vouts must be non-empty and within the original PSBT's 2 outputs"
_MESSAGES = [
    f"Invalid event payload (IdentifiedReceiverOutputs([])): {_OWNED}",
    f"Invalid event payload (IdentifiedReceiverOutputs([0, 2])): {_OWNED}",
    "Invalid event payload (CommittedOutputs { outputs: [TxOut { .. }, TxOut { .. }], "
    "change_vout: 2 }): change vout 2 is out of bounds; 2 outputs committed",
    "Invalid event payload (CommittedOutputs { outputs: [], change_vout: 0 }): "
    "change vout 0 is out of bounds; 0 outputs committed",
    "Invalid event payload (CommittedInputs { receiver_inputs: [], payjoin_psbt: Psbt { .. } "
    "}): change vout 1 is out of bounds; committed PSBT has 1 outputs",
]
PAYLOADS = list(zip(bad_payloads(W), _MESSAGES, strict=True))


@pytest.mark.parametrize(("events", "message"), PAYLOADS)
def test_payload_checks(events: list[ReceiverEvent], message: str) -> None:
    """The three checks that keep a later typestate from panicking, with the crate's texts."""
    persister = log_of(events)
    with pytest.raises(InvalidEventPayload) as info:
        replay_event_log(persister, clock=clock())
    assert (info.value.kind, str(info.value)) == ("InvalidEventPayload", message)
    assert info.value.event == events[-1]
    assert message.endswith(info.value.reason)
    assert persister.closed


def test_no_other_payload_is_checked() -> None:
    """P7: duplicate vouts and an AppliedFeeRange unrelated to the committed PSBT replay."""
    assert isinstance(replay(QUIRKS["duplicate owned vouts"]), WantsOutputs)
    applied = QUIRKS["unrelated fee range"][-1]
    assert isinstance(applied, AppliedFeeRange)
    state = replay(QUIRKS["unrelated fee range"])
    assert state == ProvisionalProposal(CTX, psbt_context=applied.context)


# -- first events, empty logs ---------------------------------------------------------------------


def test_no_events_closes_the_persister() -> None:
    persister = log_of([])
    with pytest.raises(ReplayError, match=r"^No events found in session$") as info:
        replay_event_log(persister, clock=clock())
    assert info.value.kind == "NoEvents"
    assert persister.closed


FIRSTS = [e for e in EVENTS if e != "Created"]


@pytest.mark.parametrize("event", FIRSTS)
def test_invalid_first_event(event: str) -> None:
    persister = log_of([EVENTS[event], EVENTS["Created"]])
    with pytest.raises(ReplayError) as info:
        replay_event_log(persister, clock=clock())
    assert (info.value.kind, str(info.value)) == (
        "InvalidFirstEvent",
        f"Invalid first event ({EVENT_DEBUG[event]}) for session",
    )
    assert persister.closed


# -- expiry ---------------------------------------------------------------------------------------

NO_FALLBACK_YET = {"Initialized", "UncheckedOriginalPayload", NO_FALLBACK}


@pytest.mark.parametrize("state", list(PREFIXES))
def test_expiry_at_the_expiration_second(state: str) -> None:
    """``expiration <= now`` is expired (P10); Closed beats expiry; the error carries the
    history's fallback, none before the broadcast check; nothing is written or closed."""
    events = PREFIXES[state]
    assert STATE_NAMES[type(replay(events, now=EXPIRATION - 1))] == variant(state)
    persister = log_of(events)
    if state == "Closed":
        assert replay_event_log(persister, clock=clock(EXPIRATION))[0] == ClosedSession(Aborted())
        return
    with pytest.raises(ReplayError) as info:
        replay_event_log(persister, clock=clock(EXPIRATION))
    error = info.value
    assert (error.kind, str(error)) == ("Expired", f"Session expired at Time(Time({EXPIRATION}))")
    assert error.is_expired()
    assert error.expiry_fallback_tx() == (None if state in NO_FALLBACK_YET else FALLBACK)
    assert not persister.closed
    assert not error.closed
    assert persister.events == events


def test_quirk_pending_fallback_past_expiry_is_an_expired_error() -> None:
    """P9: the obligation survives only through ``expiry_fallback_tx``."""
    with pytest.raises(ReplayError) as info:
        replay(PREFIXES["PendingFallback"], now=EXPIRATION + 1)
    assert info.value.expiry_fallback_tx() == FALLBACK
    status = SessionHistory(tuple(PREFIXES["PendingFallback"])).status(clock(EXPIRATION + 1))
    assert status is SessionStatus.PENDING_FALLBACK


# -- persistence ----------------------------------------------------------------------------------


def test_load_failure_is_persistence_failure_and_does_not_close() -> None:
    persister = Failing[ReceiverEvent](PREFIXES["Initialized"], load=True, close=False)
    with pytest.raises(ReplayError, match=r"^Persistence failure: disk on fire$") as info:
        replay_event_log(persister)
    assert info.value.kind == "PersistenceFailure"
    assert not persister.closed


def test_close_failure_replaces_the_replay_error() -> None:
    persister = Failing[ReceiverEvent]([Cancelled()], load=False, close=True)
    with pytest.raises(ReplayError, match=r"^Persistence failure: cannot close$") as info:
        replay_event_log(persister)
    assert info.value.kind == "PersistenceFailure"


@pytest.mark.parametrize(
    ("load", "close", "message"),
    [(True, False, "disk on fire"), (False, True, "cannot close")],
)
def test_async_persistence_failures(load: bool, close: bool, message: str) -> None:
    persister = FailingAsync[ReceiverEvent](load=load, close=close)
    asyncio.run(persister.save_event(Cancelled()))
    with pytest.raises(ReplayError) as info:
        asyncio.run(replay_event_log_async(persister))
    assert (info.value.kind, str(info.value)) == (
        "PersistenceFailure",
        f"Persistence failure: {message}",
    )
    assert not persister.closed


def test_async_replay_matches() -> None:
    async def run(events: list[ReceiverEvent]) -> tuple[ReceiveSession, bool]:
        persister: InMemoryAsyncPersister[ReceiverEvent] = InMemoryAsyncPersister()
        for e in events:
            await persister.save_event(e)
        try:
            return (await replay_event_log_async(persister, clock=clock()))[0], persister.closed
        except ReplayError:
            assert persister.closed
            raise

    for state in PREFIXES:
        assert asyncio.run(run(PREFIXES[state])) == (replay(PREFIXES[state]), False)
    with pytest.raises(ReplayError, match=r"^No events found in session$"):
        asyncio.run(run([]))
    with pytest.raises(InvalidEventPayload):
        asyncio.run(run(PAYLOADS[0][0]))


# -- history --------------------------------------------------------------------------------------


STATUS: list[tuple[list[ReceiverEvent], int, SessionStatus]] = [
    (PREFIXES["Initialized"], NOW, SessionStatus.ACTIVE),
    (PREFIXES["Initialized"], EXPIRATION - 1, SessionStatus.ACTIVE),
    (PREFIXES["Initialized"], EXPIRATION, SessionStatus.EXPIRED),
    (PREFIXES["Monitor"], EXPIRATION, SessionStatus.EXPIRED),
    (PREFIXES["HasReplyableError"], NOW, SessionStatus.ACTIVE),
    (QUIRKS["closed Success"], EXPIRATION, SessionStatus.COMPLETED),
    (QUIRKS["closed PayjoinProposalSent"], NOW, SessionStatus.COMPLETED),
    (QUIRKS["closed Aborted"], NOW, SessionStatus.FAILED),
    (QUIRKS["closed Unrecognized"], NOW, SessionStatus.FAILED),
    (QUIRKS["closed FallbackBroadcasted"], NOW, SessionStatus.FALLBACK_BROADCASTED),
    (PREFIXES["PendingFallback"], NOW, SessionStatus.PENDING_FALLBACK),
    (PREFIXES["PendingFallback"], EXPIRATION, SessionStatus.PENDING_FALLBACK),
    (QUIRKS["protocol failed"], NOW, SessionStatus.PENDING_FALLBACK),
    (QUIRKS["replyable error after pending fallback"], NOW, SessionStatus.ACTIVE),
    (QUIRKS["pending fallback closed"], NOW, SessionStatus.FAILED),
    (QUIRKS["complete"], EXPIRATION, SessionStatus.COMPLETED),
]


@pytest.mark.parametrize(("events", "now", "status"), STATUS)
def test_history_status(events: list[ReceiverEvent], now: int, status: SessionStatus) -> None:
    """The last event decides: Closed by outcome, Cancelled/ProtocolFailed are PendingFallback
    even when expired, anything else Expired at ``expiration <= now`` or Active."""
    assert SessionHistory(tuple(events)).status(clock(now)) is status


@pytest.mark.parametrize("state", list(PREFIXES))
def test_history_fallback_only_after_the_broadcast_check(state: str) -> None:
    events = PREFIXES[state]
    fallback = SessionHistory(tuple(events)).fallback_tx()
    has_check = any(isinstance(e, CheckedBroadcastSuitability) for e in events)
    assert fallback == (FALLBACK if has_check else None)


def test_history_fallback_is_the_first_original_payload() -> None:
    other = common.OriginalPayload(W.proposal, W.payload.params)
    created, retrieved = PREFIXES["UncheckedOriginalPayload"]
    history = SessionHistory(
        (created, retrieved, RetrievedOriginalPayload(other, None), CheckedBroadcastSuitability())
    )
    assert history.fallback_tx() == FALLBACK


def test_history_fallback_without_an_original_payload_is_the_crates_panic() -> None:
    with pytest.raises(PayjoinPanic):
        SessionHistory((PREFIXES["Initialized"][0], CheckedBroadcastSuitability())).fallback_tx()


def test_history_context_takes_the_first_reply_key_given() -> None:
    created, retrieved = PREFIXES["UncheckedOriginalPayload"]
    assert isinstance(retrieved, RetrievedOriginalPayload)
    v1 = RetrievedOriginalPayload(retrieved.original, None)
    history = SessionHistory((created, v1, retrieved))
    assert history.session_context() == CTX
    assert SessionHistory((created,)).session_context() == W.context


def test_history_pj_uri_is_the_receivers_with_substitution_disabled() -> None:
    """Built from ``Created`` alone (the crate's ``pj_uri(ctx, Disabled)``); the text is checked
    against the one rust-payjoin's receiver prints by the interop test."""
    uri = SessionHistory(tuple(PREFIXES["Monitor"])).pj_uri()
    assert (uri.address, uri.amount, uri.output_substitution) == (W.context.address, PAY, False)
    assert uri.pj == PjParamV2(
        "https://dir.example/",
        short_id(W.context.receiver_key.public),
        compress(W.context.receiver_key.public),
        W.context.ohttp_keys,
        EXPIRATION,
    )
    text = format_uri(uri)
    assert "pjos=0" in text
    assert parse_uri(text).pj.endpoint.lower() == uri.pj.endpoint.lower()


def test_process_event_is_the_fold_step() -> None:
    """``process_event`` alone: the state it is given is not consumed (replay is a pure fold)."""
    start = replay(PREFIXES["Monitor"])
    assert process_event(start, Closed(Aborted())) == ClosedSession(Aborted())
    assert isinstance(process_event(start, Cancelled()), PendingFallback)


# -- the store's codec stays strict (its fast paths for empty maps and nulls) -----------------

_RETRIEVED_TEXT = texts(W.forward)[1]
_PSBT_AT = "RetrievedOriginalPayload.original.psbt"
STRICT = [
    ('"partial_sigs":{}', '"partial_sigs":[]', "InvalidType", f"{_PSBT_AT}.inputs[0].partial_sigs"),
    (
        '"bip32_derivation":[]',
        '"bip32_derivation":{}',
        "InvalidType",
        f"{_PSBT_AT}.inputs[0].bip32_derivation",
    ),
    ('"unknown":[]', '"unknown":[],"unknown":[]', "DuplicateField", f"{_PSBT_AT}.unknown"),
    (
        '"tap_key_sig":null',
        '"tap_key_sig":null,"tap_key_sig":null',
        "DuplicateField",
        f"{_PSBT_AT}.inputs[0].tap_key_sig",
    ),
    ('"xpub":{}', '"xpub":[]', "InvalidType", f"{_PSBT_AT}.xpub"),
    (
        '"sha256_preimages":{}',
        '"sha256_preimages":null',
        "InvalidType",
        f"{_PSBT_AT}.inputs[0].sha256_preimages",
    ),
]


@pytest.mark.parametrize(("good", "bad", "reason", "path"), STRICT)
def test_a_bad_payload_text_is_a_decode_error_naming_its_path(
    good: str, bad: str, reason: str, path: str
) -> None:
    """An empty map where a sequence belongs, a field given twice: refused, with the path."""
    assert good in _RETRIEVED_TEXT
    with pytest.raises(DecodeError) as info:
        decode_receiver_event(_RETRIEVED_TEXT.replace(good, bad, 1))
    assert (info.value.reason, info.value.path) == (reason, path)


# -- the Debug of serde_json values and strings (texts printed by payjoin 1.0) -------------------


def test_replyable_error_debug_matches_the_crates() -> None:
    """A reply with escapes and every JSON kind; the expected text is what rust-payjoin 1.0
    printed for the same event (``replay`` op, InvalidEvent after it)."""
    reply = JsonReply(
        ErrorCode.UNAVAILABLE,
        "a\"b\\c\n\t\x01\u00e9\u0301x'",
        {
            "z": 1,
            "a": "x",
            "c": [True, None, 1.5, -0.0, 1e300, 12345678901234567890],
            "d": {"e": 1.5},
        },
    )
    with pytest.raises(ReplayError) as info:
        replay([*PREFIXES["Initialized"], GotReplyableError(reply), CheckedBroadcastSuitability()])
    assert (
        "error_reply: JsonReply { error_code: Unavailable, "
        'message: "a\\"b\\\\c\\n\\t\\u{1}é\\u{301}x\'", extra: '
        '{"a": String("x"), "c": Array [Bool(true), Null, Number(1.5), '
        'Number(-0.0), Number(1e+300), Number(12345678901234567890)], "d": Object {"e": '
        'Number(1.5)}, "z": Number(1)} }, fallback_tx: None }'
    ) in str(info.value)


@pytest.mark.parametrize(
    ("text", "debug"),
    [
        ("", '""'),
        ("é ü", '"é ü"'),
        ("\0\r", '"\\0\\r"'),
        ("\x7f\u200b", '"\\u{7f}\\u{200b}"'),
        ("\u0301", '"\\u{301}"'),
    ],
)
def test_debug_str(text: str, debug: str) -> None:
    assert debug_str(text) == debug


def test_debug_json_nesting() -> None:
    assert debug_json({"b": [], "a": {}}) == 'Object {"a": Object {}, "b": Array []}'
