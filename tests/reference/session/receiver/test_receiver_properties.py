"""Random receiver paths as a hypothesis state machine: every step's effect, log and replay.

Each run starts from an unconsumed snapshot of a seeded happy path (``v2``, ``v1`` plain-text
or ``legacy``, whose P2SH sender input makes the payjoin txid unstable), so the deep states are
reached in a few steps, and then wanders: checks that pass, refuse or whose wallet callback
raises; fee ranges too high; finalizing with a failing or cheating wallet; a directory answering
202, 5xx, 4xx, a wrong size or an unauthentic response on the poll, on the proposal and on the
error reply; hostile payloads; cancels from every state that has one; ``PendingFallback.close``;
the monitor's outcomes; the injected clock moved past the expiry. Every state a step consumed is
then used again, and must refuse without touching the log.

After every step the rule checks the effect class its inputs imply (worked out from what the
directory and wallet were told to do, not read back from the receiver), that it is what
``outcome_class`` makes of the persist action and the saved outcome, and that the log grew by
exactly the expected event and is closed exactly when the class says so. The invariant then
replays the log (``receiver_replay``) and compares it with the live state.

Deterministic: ``derandomize`` with no example database, so every run explores the same paths;
one test also asserts that those paths covered every edge this docstring names.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from reference.session.receiver.receiver_logs import FORWARD_STATES
from reference.session.receiver.receiver_support import (
    EXPIRATION,
    NOW,
    RECEIVER_WALLET,
    RELAY,
    SENDER_WALLET,
    Directory,
    Log,
    happy_path,
    legacy_original,
    receiver_input,
    send_v1,
    send_v2,
)

from pjconf.reference.bip77.short_id import short_id
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.bitcoin.tx import Transaction
from pjconf.reference.bitcoin.wallet import AddressKind
from pjconf.reference.entropy import FixedClock, SeededRandom
from pjconf.reference.payjoin.params import OutputSubstitution
from pjconf.reference.persist import (
    EffectClass,
    PersistedError,
    Progress,
    Stasis,
    outcome_class,
)
from pjconf.reference.session.receiver.errors import (
    CreateRequestError,
    OutputSubstitutionError,
    StateConsumed,
)
from pjconf.reference.session.receiver.events import (
    Aborted,
    AppliedFeeRange,
    Cancelled,
    CheckedBroadcastSuitability,
    CheckedInputsNotOwned,
    CheckedNoInputsSeenBefore,
    Closed,
    CommittedInputs,
    CommittedOutputs,
    FallbackBroadcasted,
    FinalizedProposal,
    GotReplyableError,
    IdentifiedReceiverOutputs,
    PayjoinProposalSent,
    PostedPayjoinProposal,
    ProtocolFailed,
    ReceiverEvent,
    RetrievedOriginalPayload,
    Success,
)
from pjconf.reference.session.receiver.machine import (
    HAS_FALLBACK_TX,
    STATE_NAMES,
    ClosedSession,
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
)
from pjconf.reference.session.receiver.replay import replay_event_log
from pjconf.reference.session.sender.errors import ReplayError

P, S, X, R, F, T = (
    EffectClass.PROGRESS,
    EffectClass.STASIS,
    EffectClass.TRANSIENT,
    EffectClass.REPLYABLE,
    EffectClass.FATAL,
    EffectClass.TERMINAL,
)
GROWS = {P, R, F, T}
CLOSES = {F, T}
ABORTED = Closed(Aborted())

KINDS = ["v2", "v1", "legacy"]
STARTS = [
    *FORWARD_STATES,
    "HasReplyableError/none",
    "HasReplyableError/fallback",
]
"""Where a session starts: a snapshot of the happy path (``receiver_support.happy_path``), or
one refused check after one (the error reply without a fallback, and with one)."""
START_WEIGHTS = [*STARTS, "Initialized", "Initialized", "UncheckedOriginalPayload", *STARTS[-2:]]
"""The states with the most edges out of them come up more often."""

# -- the directory's answers ----------------------------------------------------------------------

REPLIES = ["200", "200", "200", "202", "503", "size", "400", "tamper", "expired"]
FAULTS: dict[str, dict[str, Any]] = {
    "200": {},
    "202": {"status": 202},
    "503": {"status": 503},
    "400": {"status": 400},
    "size": {"resize": 100},
    "tamper": {"tamper": True},
}
RETRY = {"202", "503", "size"}
"""A wrong size and a status outside 4xx are transient; 4xx and an unauthentic response fatal
(``DirectoryResponseError::is_fatal``). A GET's 202 is "nothing yet" instead."""

# -- the wallet's answers -------------------------------------------------------------------------

CHECKS = ["ok", "ok", "refused", "wallet-error"]
BROADCAST = ["ok", "ok", "interactive", "refused", "low-fee", "wallet-error"]
FINALIZE = ["ok", "ok", "wallet-error", "relock", "both-sign"]
FOUND = ["payjoin", "fallback", "none", "other", "wallet-error"]
LOW_FEE_RATE = 10_000
"""sat/kwu: above the Originals' own rates (2000 sat over 561 or 653 wu), so refused."""
HIGH_MIN_FEE_RATE, LOW_MAX_FEE_RATE = 5000, 1
"""A fee range no added weight fits: the sender's allowance is at its own 1000 sat/kwu."""


class WalletOffline(RuntimeError):
    pass


def offline(*_: object) -> Any:
    raise WalletOffline("wallet is offline")


def relock(psbt: Psbt) -> Psbt:
    """A wallet that signs and changes the locktime: another ntxid."""
    signed = RECEIVER_WALLET.sign_psbt(psbt)
    return replace(signed, unsigned_tx=replace(signed.unsigned_tx, lock_time=1))


def both_sign(psbt: Psbt) -> Psbt:
    """A wallet that also signs the sender's input."""
    return SENDER_WALLET.sign_psbt(RECEIVER_WALLET.sign_psbt(psbt))


WALLETS = {"ok": RECEIVER_WALLET.sign_psbt, "relock": relock, "both-sign": both_sign}

Expected = ReceiverEvent | type[ReceiverEvent] | None
OPEN_STATES = (
    Initialized,
    UncheckedOriginalPayload,
    *HAS_FALLBACK_TX,
    HasReplyableError,
    PendingFallback,
)


class ReceiverMachine(RuleBasedStateMachine):
    """The live receiver, its log, a directory and a clock; rules per state."""

    seen: ClassVar[set[str]] = set()
    """Edges ``State.action/variant`` taken, over all runs (for the coverage test)."""

    def __init__(self) -> None:
        super().__init__()
        self.state: ReceiveSession
        self.log: Log
        self.kind = "v2"
        self.clock = FixedClock(NOW)
        self.directory = Directory()
        self.delivered = ""
        self.rng = SeededRandom("properties")

    # -- stepping ---------------------------------------------------------------------------------

    def _name(self) -> str:
        return STATE_NAMES[type(self.state)]

    def _edge(self, label: str) -> None:
        self.seen.add(f"{self._name()}.{label}")

    def _apply(self, label: str, transition: Any, effect: EffectClass, event: Expected) -> None:
        """Save ``transition`` and check everything a step must satisfy; move to its state."""
        self._edge(label)
        before = self.log.events
        assert transition.effect is effect, label
        old = self.state
        try:
            result = transition.save(self.log)
        except PersistedError as error:
            result = error
        assert outcome_class(transition.action, result) is effect, label
        events = self.log.events
        assert events[: len(before)] == before
        assert len(events) == len(before) + (effect in GROWS)
        assert self.log.closed == (effect in CLOSES)
        if effect in GROWS:
            added = events[-1]
            if isinstance(event, type):
                assert isinstance(added, event), (label, added)
            else:
                assert added == event, (label, added)
        self.state = self._following(result)
        assert isinstance(self.state, ClosedSession) == (effect in CLOSES)
        if effect in (S, X):
            assert self.state == old
            assert self.state is not old
        self._reuse(old)

    def _reuse(self, old: Any) -> None:
        """A consumed state refuses a second transition and persists nothing."""
        before = self.log.events
        with pytest.raises(StateConsumed):
            (old.close if isinstance(old, PendingFallback) else old.cancel)()
        assert self.log.events == before

    def _following(self, result: Any) -> ReceiveSession:
        if isinstance(result, PersistedError):
            state = result.transient_state() or result.fatal_state()
        elif isinstance(result, Stasis):
            state = result.current
        elif isinstance(result, Progress):
            state = result.next
        else:
            state = result
        if state is None:
            last = self.log.events[-1]
            assert isinstance(last, Closed)
            return ClosedSession(last.outcome)
        assert isinstance(state, OPEN_STATES)
        return state

    def _expired(self) -> bool:
        return self.clock.now() >= EXPIRATION

    def _exchange(
        self, label: str, create: str, process: str, reply: str
    ) -> tuple[Any, bytes, Any] | None:
        """Make the request at the clock's time, the directory answers with ``reply``'s fault.
        ``expired`` moves the clock to the expiry second first: the request is refused
        (``label`` is the edge taken then), nothing is persisted or consumed, and the
        application gives up on the session: it cancels."""
        if reply == "expired":
            self.clock.advance(max(0, EXPIRATION - self.clock.now()))
        if self._expired():
            before = self.log.events
            with pytest.raises(CreateRequestError) as info:
                getattr(self.state, create)(RELAY, rng=self.rng, clock=self.clock)
            assert info.value.is_expired()
            assert self.log.events == before
            assert not isinstance(self.state, ClosedSession)
            self.state._check()  # not consumed either
            self._edge(label)
            self._cancel()
            return None
        req, ctx = getattr(self.state, create)(RELAY, rng=self.rng, clock=self.clock)
        for name, value in FAULTS.get(reply, {}).items():
            setattr(self.directory, name, value)
        return getattr(self.state, process), self.directory.handle(req), ctx

    # -- start and invariant ---------------------------------------------------------------------

    def _begin(self, kind: str, start: str) -> None:
        self.kind = kind
        snapshot = {
            "HasReplyableError/none": "UncheckedOriginalPayload",
            "HasReplyableError/fallback": "MaybeInputsOwned",
        }.get(start, start)
        self.state, self.log = happy_path(kind).at(snapshot)
        self.clock = FixedClock(NOW)
        self.directory = Directory()
        self.delivered = ""
        if start == "HasReplyableError/none":
            self.check_broadcast_suitability("refused")
        elif start == "HasReplyableError/fallback":
            self.check_inputs("refused")

    @initialize(kind=st.sampled_from(KINDS), start=st.sampled_from(START_WEIGHTS))
    def start(self, kind: str, start: str) -> None:
        self._begin(kind, start)

    @precondition(lambda self: isinstance(self.state, ClosedSession))
    @rule(kind=st.sampled_from(KINDS), start=st.sampled_from(START_WEIGHTS))
    def start_another_session(self, kind: str, start: str) -> None:
        """A closed session has no methods: a run goes on with a new one."""
        self._begin(kind, start)

    @invariant()
    def replays_to_the_live_state(self) -> None:
        if not hasattr(self, "log"):
            return
        if self._expired() and not isinstance(self.state, ClosedSession):
            with pytest.raises(ReplayError, match=r"^Session expired at ") as info:
                replay_event_log(self.log, clock=self.clock)
            assert info.value.is_expired()
            assert not self.log.closed
            assert replay_event_log(self.log, clock=FixedClock(NOW))[0] == self.state
        else:
            assert replay_event_log(self.log, clock=self.clock)[0] == self.state

    def _cancel(self) -> None:
        """``cancel`` wherever it exists: ``Closed(Aborted)`` before the broadcast check,
        ``Cancelled`` to :class:`PendingFallback` once there is a fallback."""
        state: Any = self.state
        if isinstance(state, Initialized | UncheckedOriginalPayload):
            self._apply("cancel", state.cancel(), T, ABORTED)
        elif isinstance(state, HasReplyableError) and state.fallback_tx is None:
            self._apply("cancel/none", state.cancel(), T, ABORTED)
        else:
            label = "cancel/fallback" if isinstance(state, HasReplyableError) else "cancel"
            fallback = state.fallback_tx
            fallback = fallback() if callable(fallback) else fallback
            self._apply(label, state.cancel(), P, Cancelled())
            assert self.state == PendingFallback(state.session_context, fallback_tx=fallback)

    # -- Initialized ------------------------------------------------------------------------------

    @precondition(lambda self: isinstance(self.state, Initialized) and not self.delivered)
    @rule(what=st.sampled_from(["original", "garbage"]))
    def sender_posts(self, what: str) -> None:
        """The sender's Original reaches the mailbox (message A, or for ``v1`` a plaintext
        request), or a hostile sender's body that is neither."""
        state = self.state
        assert isinstance(state, Initialized)
        if what == "garbage":
            self.directory.boxes[short_id(state.session_context.receiver_key.public)] = b"\xff" * 10
        elif self.kind == "v1":
            send_v1(self.directory, state)
        elif self.kind == "legacy":
            send_v2(self.directory, state, legacy_original(), at=FixedClock(NOW))
        else:
            send_v2(self.directory, state, at=FixedClock(NOW))
        self.delivered = what

    @precondition(lambda self: isinstance(self.state, Initialized))
    @rule(reply=st.sampled_from([*REPLIES, "cancel"]))
    def poll(self, reply: str) -> None:
        if reply == "cancel":
            self._cancel()
            return
        if reply != "200":
            label = f"poll/{reply}"
        else:
            label = {"": "poll/empty", "garbage": "poll/garbage"}.get(self.delivered, "poll/200")
        exchange = self._exchange("poll/expired", "create_poll_request", "process_response", reply)
        if exchange is None:
            return
        if reply in ("400", "tamper") or label == "poll/garbage":
            expected: tuple[EffectClass, Expected] = (F, ABORTED)
        elif reply in ("503", "size"):
            expected = (X, None)
        elif label == "poll/200":
            expected = (P, RetrievedOriginalPayload)
        else:
            expected = (S, None)
        process, response, ctx = exchange
        self._apply(label, process(response, ctx), *expected)

    # -- the checks -------------------------------------------------------------------------------

    def _check_result(self, label: str, transition: Any, how: str, event: Expected) -> None:
        if how == "wallet-error":
            self._apply(label, transition, X, None)
        elif how in ("refused", "low-fee", "missing"):
            self._apply(label, transition, R, GotReplyableError)
        else:
            self._apply(label, transition, P, event)

    @precondition(lambda self: isinstance(self.state, UncheckedOriginalPayload))
    @rule(how=st.sampled_from([*BROADCAST, "cancel"]))
    def check_broadcast_suitability(self, how: str) -> None:
        state = self.state
        assert isinstance(state, UncheckedOriginalPayload)
        if how == "cancel":
            self._cancel()
            return
        if how == "interactive":
            transition: Any = state.assume_interactive_receiver()
        else:
            rate = LOW_FEE_RATE if how == "low-fee" else None
            callback = {"ok": lambda _: True, "wallet-error": offline}.get(how, lambda _: False)
            transition = state.check_broadcast_suitability(rate, callback)
        self._check_result(f"broadcast/{how}", transition, how, CheckedBroadcastSuitability())
        if how in ("refused", "low-fee"):
            assert isinstance(self.state, HasReplyableError)
            assert self.state.fallback_tx is None  # never accepted as a fallback

    @precondition(lambda self: isinstance(self.state, MaybeInputsOwned | MaybeInputsSeen))
    @rule(how=st.sampled_from([*CHECKS, "cancel"]))
    def check_inputs(self, how: str) -> None:
        state = self.state
        if how == "cancel":
            self._cancel()
            return
        callback = {"ok": lambda _: False, "refused": lambda _: True}.get(how, offline)
        if isinstance(state, MaybeInputsOwned):
            transition: Any = state.check_inputs_not_owned(callback)
            event: Expected = CheckedInputsNotOwned()
        else:
            assert isinstance(state, MaybeInputsSeen)
            transition = state.check_no_inputs_seen_before(callback)
            event = CheckedNoInputsSeenBefore()
        self._check_result(f"inputs/{how}", transition, how, event)
        if how == "refused":
            assert isinstance(self.state, HasReplyableError)
            assert self.state.fallback_tx is not None

    @precondition(lambda self: isinstance(self.state, OutputsUnknown))
    @rule(how=st.sampled_from(["ok", "ok", "missing", "wallet-error", "cancel"]))
    def identify_receiver_outputs(self, how: str) -> None:
        state = self.state
        assert isinstance(state, OutputsUnknown)
        if how == "cancel":
            self._cancel()
            return
        callback = {"ok": RECEIVER_WALLET.owns, "missing": lambda _: False}.get(how, offline)
        transition = state.identify_receiver_outputs(callback)
        self._check_result(f"outputs/{how}", transition, how, IdentifiedReceiverOutputs)

    # -- contributions and fees -------------------------------------------------------------------

    @precondition(lambda self: isinstance(self.state, WantsOutputs))
    @rule(how=st.sampled_from(["kept", "kept", "substituted", "cancel"]))
    def commit_outputs(self, how: str) -> None:
        """Optionally substitute our script first: an unpersisted edit, refused when the
        sender disabled output substitution (a refused edit leaves the state usable)."""
        state = self.state
        assert isinstance(state, WantsOutputs)
        if how == "cancel":
            self._cancel()
            return
        if how == "substituted":
            script = RECEIVER_WALLET.script_pubkey(AddressKind.P2TR)
            if state.output_substitution() is OutputSubstitution.ENABLED:
                state = state.substitute_receiver_script(script, rng=self.rng)
                self._reuse(self.state)
                self.state = state
            else:
                with pytest.raises(OutputSubstitutionError):
                    state.substitute_receiver_script(script, rng=self.rng)
                state._check()
                how = "substitution-refused"
        self._apply(f"commit-outputs/{how}", state.commit_outputs(), P, CommittedOutputs)

    @precondition(lambda self: isinstance(self.state, WantsInputs))
    @rule(how=st.sampled_from(["one", "one", "none", "cancel"]))
    def commit_inputs(self, how: str) -> None:
        state = self.state
        assert isinstance(state, WantsInputs)
        if how == "cancel":
            self._cancel()
            return
        if how == "one":
            pair = state.try_preserving_privacy([receiver_input()])
            state = state.contribute_inputs([pair], rng=self.rng)
            self._reuse(self.state)
            self.state = state
        self._apply(f"commit-inputs/{how}", state.commit_inputs(), P, CommittedInputs)

    @precondition(lambda self: isinstance(self.state, WantsFeeRange))
    @rule(how=st.sampled_from(["ok", "ok", "too-high", "cancel"]))
    def apply_fee_range(self, how: str) -> None:
        """A range too low for the added weight is transient; with no weight added the
        receiver pays no fee, so any range fits."""
        state = self.state
        assert isinstance(state, WantsFeeRange)
        if how == "cancel":
            self._cancel()
            return
        if how == "ok":
            self._apply("fee/ok", state.apply_fee_range(None, 2**30), P, AppliedFeeRange)
            return
        added = state.inner.additional_input_weight() + state.inner.additional_output_weight()
        transition = state.apply_fee_range(HIGH_MIN_FEE_RATE, LOW_MAX_FEE_RATE)
        if added:
            self._apply("fee/too-high", transition, X, None)
        else:
            self._apply("fee/nothing-added", transition, P, AppliedFeeRange)

    @precondition(lambda self: isinstance(self.state, ProvisionalProposal))
    @rule(how=st.sampled_from([*FINALIZE, "cancel"]))
    def finalize_proposal(self, how: str) -> None:
        state = self.state
        assert isinstance(state, ProvisionalProposal)
        if how == "cancel":
            self._cancel()
            return
        transition = state.finalize_proposal(WALLETS.get(how, offline))
        effect, event = (P, FinalizedProposal) if how == "ok" else (X, None)
        self._apply(f"finalize/{how}", transition, effect, event)

    # -- the proposal and the chain ---------------------------------------------------------------

    @precondition(lambda self: isinstance(self.state, PayjoinProposal))
    @rule(reply=st.sampled_from([*REPLIES, "cancel"]))
    def post_proposal(self, reply: str) -> None:
        """A fatal answer leaves the session open: the proposal may be out, so it waits for
        the fallback (``ProtocolFailed``)."""
        if reply == "cancel":
            self._cancel()
            return
        label = f"post/{reply}"
        exchange = self._exchange("post/expired", "create_post_request", "process_response", reply)
        if exchange is None:
            return
        process, response, ctx = exchange
        if reply == "200":
            self._apply(label, process(response, ctx), P, PostedPayjoinProposal())
        elif reply in RETRY:
            self._apply(label, process(response, ctx), X, None)
        else:
            self._apply(label, process(response, ctx), R, ProtocolFailed())
            assert isinstance(self.state, PendingFallback)

    @precondition(lambda self: isinstance(self.state, Monitor))
    @rule(found=st.sampled_from([*FOUND, "cancel"]))
    def check_for_transaction(self, found: str) -> None:
        state = self.state
        assert isinstance(state, Monitor)
        if found == "cancel":
            self._cancel()
            return
        payjoin = state.psbt_context.payjoin_psbt.unsigned_tx
        fallback = state.fallback_tx()
        known: dict[bytes, Transaction] = {
            "payjoin": {payjoin.txid(): payjoin},
            "fallback": {fallback.txid(): fallback},
            "other": {payjoin.txid(): replace(payjoin, lock_time=7)},
        }.get(found, {})
        transition = state.check_for_transaction(offline if found == "wallet-error" else known.get)
        if self.kind == "legacy":  # the txid is not stable: done, without asking the wallet
            self._apply("monitor/unstable", transition, T, Closed(PayjoinProposalSent()))
        elif found == "payjoin" or (found == "fallback" and fallback.txid() == payjoin.txid()):
            # nothing contributed or substituted: the proposal *is* the Original, and the
            # payjoin's txid is asked for first
            label = "monitor/payjoin" if found == "payjoin" else "monitor/fallback-is-payjoin"
            self._apply(label, transition, T, Closed(Success(payjoin.txid())))
        elif found == "fallback":
            self._apply("monitor/fallback", transition, T, Closed(FallbackBroadcasted()))
        elif found == "none":
            self._apply("monitor/none", transition, S, None)
        else:
            self._apply(f"monitor/{found}", transition, X, None)

    # -- the error reply and the fallback ---------------------------------------------------------

    @precondition(lambda self: isinstance(self.state, HasReplyableError))
    @rule(reply=st.sampled_from([*REPLIES, "cancel"]))
    def reply_error(self, reply: str) -> None:
        """With a fallback the reply leads to :class:`PendingFallback`, a fatal answer too
        (fatal-advance); without one, both end the session."""
        state = self.state
        assert isinstance(state, HasReplyableError)
        if reply == "cancel":
            self._cancel()
            return
        has_fallback = state.fallback_tx is not None
        which = "fallback" if has_fallback else "none"
        label = f"reply/{reply}/{which}"
        exchange = self._exchange(
            f"reply/expired/{which}", "create_error_request", "process_error_response", reply
        )
        if exchange is None:
            return
        process, response, ctx = exchange
        event = ProtocolFailed() if has_fallback else ABORTED
        if reply in RETRY:
            expected: tuple[EffectClass, Expected] = (X, None)
        elif reply == "200":
            expected = (P, event) if has_fallback else (T, event)
        else:
            expected = (R, event) if has_fallback else (F, event)
        self._apply(label, process(response, ctx), *expected)

    @precondition(lambda self: isinstance(self.state, PendingFallback))
    @rule()
    def close(self) -> None:
        assert isinstance(self.state, PendingFallback)
        self._apply("close", self.state.close(), T, ABORTED)


SETTINGS = settings(
    max_examples=300,
    stateful_step_count=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

REQUIRED = {
    *(f"Initialized.poll/{r}" for r in [*FAULTS, "garbage", "empty", "expired"]),
    "Initialized.cancel",
    *(f"UncheckedOriginalPayload.broadcast/{how}" for how in BROADCAST),
    "UncheckedOriginalPayload.cancel",
    *(f"{s}.inputs/{how}" for s in ("MaybeInputsOwned", "MaybeInputsSeen") for how in CHECKS),
    *(f"OutputsUnknown.outputs/{how}" for how in ["ok", "missing", "wallet-error"]),
    "WantsOutputs.commit-outputs/kept",
    "WantsOutputs.commit-outputs/substituted",
    "WantsInputs.commit-inputs/one",
    "WantsInputs.commit-inputs/none",
    "WantsFeeRange.fee/ok",
    "WantsFeeRange.fee/too-high",
    *(f"ProvisionalProposal.finalize/{how}" for how in FINALIZE),
    *(f"PayjoinProposal.post/{r}" for r in [*FAULTS, "expired"]),
    *(f"Monitor.monitor/{found}" for found in [*FOUND, "unstable"]),
    *(f"{STATE_NAMES[t]}.cancel" for t in HAS_FALLBACK_TX),
    *(
        f"HasReplyableError.reply/{r}/{f}"
        for r in [*FAULTS, "expired"]
        for f in ("fallback", "none")
    ),
    "HasReplyableError.cancel/fallback",
    "HasReplyableError.cancel/none",
    "PendingFallback.close",
}
"""Every edge the module docstring promises, as ``State.action/variant``."""


def test_random_receiver_paths_replay_to_the_live_state() -> None:
    ReceiverMachine.seen.clear()
    run_state_machine_as_test(ReceiverMachine, settings=SETTINGS)
    missing = REQUIRED - ReceiverMachine.seen
    assert not missing, f"edges the derandomized paths never took: {sorted(missing)}"


def test_a_proposal_that_adds_nothing_is_found_as_the_payjoin() -> None:
    """Nothing contributed or substituted: the proposal's txid is the Original's, and since the
    payjoin's txid is asked for first (``check_for_transaction`` in ``receive/v2/mod.rs``), the
    broadcast fallback closes the session as ``Success``, never ``FallbackBroadcasted``."""
    state, log = happy_path("v2").at("WantsInputs")
    state = state.commit_inputs().save(log).apply_fee_range(None, 2**30).save(log)
    proposal = state.finalize_proposal(RECEIVER_WALLET.sign_psbt).save(log)
    req, ctx = proposal.create_post_request(RELAY, rng=SeededRandom("post"), clock=FixedClock(NOW))
    monitor = proposal.process_response(Directory().handle(req), ctx).save(log)
    assert isinstance(monitor, Monitor)
    fallback = monitor.fallback_tx()
    assert monitor.psbt_context.payjoin_psbt.unsigned_tx.txid() == fallback.txid()
    assert monitor.check_for_transaction({fallback.txid(): fallback}.get).save(log) == Progress(
        None
    )
    assert log.events[-1] == Closed(Success(fallback.txid()))
