"""Random sender paths (success, transient retries, stasis, fatal, cancel, expiry through the
injected clock): after every step the log replays to the live state, and the log changed exactly
as the step's effect class says."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from reference.session.sender.test_sender_support import (
    EXPIRATION,
    NOW,
    RELAY,
    FakeMailbox,
    act_as_receiver,
    new_sender,
    receive_original,
    reply_error,
)

from pjconf.reference.entropy import FixedClock, SeededRandom
from pjconf.reference.persist import (
    EffectClass,
    InMemoryPersister,
    PersistedError,
    Stasis,
    outcome_class,
)
from pjconf.reference.session.sender.errors import CreateRequestError, ReplayError
from pjconf.reference.session.sender.events import Closed, SenderEvent
from pjconf.reference.session.sender.machine import (
    ClosedSession,
    PendingFallback,
    PollingForProposal,
    SendSession,
    WithReplyKey,
)
from pjconf.reference.session.sender.replay import replay_event_log

POST_REPLIES = ["ok", "ok", "size", "503", "404", "garbage"]
POLL_REPLIES = ["empty", "size", "500", "400", "proposal", "proposal", "error"]
ACTIONS = ["request", "request", "request", "cancel", "expire"]


def _apply(transition: Any, log: InMemoryPersister[SenderEvent]) -> tuple[EffectClass, Any]:
    try:
        result = transition.save(log)
    except PersistedError as e:
        return outcome_class(transition.action, e), e
    return outcome_class(transition.action, result), result


def _respond(mailbox: FakeMailbox, kind: str) -> None:
    mailbox.resize = 77 if kind == "size" else None
    mailbox.override = int(kind) if kind.isdigit() else None


def _check(
    log: InMemoryPersister[SenderEvent], before: list[SenderEvent], effect: EffectClass
) -> None:
    grew = {EffectClass.PROGRESS, EffectClass.FATAL, EffectClass.TERMINAL}
    closes = {EffectClass.FATAL, EffectClass.TERMINAL}
    assert log.events[: len(before)] == before
    assert len(log.events) == len(before) + (effect in grew)
    assert log.closed == (effect in closes)


class Path:
    """One random path: the live state, its log, the mailbox and the injected clock."""

    def __init__(self, seed: int) -> None:
        self.clock = FixedClock(NOW)
        self.mailbox = FakeMailbox(rng=SeededRandom(seed))
        self.state: SendSession
        self.state, self.log = new_sender(f"prop{seed}")
        self.rng = SeededRandom(f"steps{seed}")
        self.answered = False

    def expire(self) -> None:
        self.clock.advance(EXPIRATION - self.clock.now())
        state = self.state
        if isinstance(state, WithReplyKey):
            with pytest.raises(CreateRequestError, match=r"^session expired$"):
                state.create_v2_post_request(RELAY, rng=self.rng, clock=self.clock)
        elif isinstance(state, PollingForProposal):
            with pytest.raises(CreateRequestError, match=r"^session expired$"):
                state.create_poll_request(RELAY, rng=self.rng, clock=self.clock)

    def save(self, transition: Any) -> EffectClass:
        before = list(self.log.events)
        effect, result = _apply(transition, self.log)
        _check(self.log, before, effect)
        self.state = _advance(effect, result, self.log)
        return effect

    def post(self, kind: str) -> None:
        assert isinstance(self.state, WithReplyKey)
        req, ctx = self.state.create_v2_post_request(RELAY, rng=self.rng, clock=self.clock)
        _respond(self.mailbox, kind)
        response = bytes(8192) if kind == "garbage" else self.mailbox.handle(req)
        self.save(self.state.process_response(response, ctx))

    def poll(self, kind: str) -> None:
        assert isinstance(self.state, PollingForProposal)
        if kind in {"proposal", "error"} and not self.answered and _posted(self.mailbox):
            if kind == "proposal":
                act_as_receiver(self.mailbox)
            else:
                reply_error(self.mailbox)
            self.answered = True
        req, ctx = self.state.create_poll_request(RELAY, rng=self.rng, clock=self.clock)
        _respond(self.mailbox, kind)
        self.save(self.state.process_response(self.mailbox.handle(req), ctx))

    def step(self, action: str, reply: str) -> None:
        state = self.state
        before = list(self.log.events)
        if action == "expire":
            self.expire()
            assert self.log.events == before
        elif action == "cancel" and isinstance(state, WithReplyKey | PollingForProposal):
            assert self.save(state.cancel()) is EffectClass.PROGRESS
        elif isinstance(state, PendingFallback):
            assert self.save(state.close()) is EffectClass.TERMINAL
        elif self.clock.now() >= EXPIRATION:
            return
        elif isinstance(state, WithReplyKey):
            self.post(reply if reply in POST_REPLIES else "ok")
        else:
            self.poll(reply if reply in POLL_REPLIES else "empty")


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    steps=st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.sampled_from(POST_REPLIES + POLL_REPLIES)),
        min_size=1,
        max_size=8,
    ),
)
def test_random_paths_replay_to_the_live_state(seed: int, steps: list[tuple[str, str]]) -> None:
    path = Path(seed)
    for action, reply in steps:
        if isinstance(path.state, ClosedSession):
            break
        path.step(action, reply)
        event(f"{action}/{reply} -> {type(path.state).__name__}")
        _assert_replays(path.log, path.state, path.clock)


def _posted(mailbox: FakeMailbox) -> bool:
    try:
        receive_original(mailbox)
    except KeyError:
        return False
    return True


def _closed(log: InMemoryPersister[SenderEvent]) -> Any:
    last = log.events[-1]
    assert isinstance(last, Closed)
    return last.outcome


def _advance(effect: EffectClass, result: Any, log: InMemoryPersister[SenderEvent]) -> SendSession:
    if effect is EffectClass.TRANSIENT:
        state = result.transient_state()
    elif isinstance(result, Stasis):
        state = result.current
    elif effect in (EffectClass.FATAL, EffectClass.TERMINAL):
        state = ClosedSession(_closed(log))
    else:
        state = result
    assert isinstance(state, WithReplyKey | PollingForProposal | PendingFallback | ClosedSession)
    return state


def _assert_replays(
    log: InMemoryPersister[SenderEvent], state: SendSession, clock: FixedClock
) -> None:
    if clock.now() >= EXPIRATION and not isinstance(state, ClosedSession):
        with pytest.raises(ReplayError, match=r"^Session expired at "):
            replay_event_log(log, clock=clock)
        assert replay_event_log(log, clock=FixedClock(NOW))[0] == state
    else:
        assert replay_event_log(log, clock=clock)[0] == state
