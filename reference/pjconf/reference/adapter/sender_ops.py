"""The reference's live sender sessions behind the protocol's ``session.*`` ops.

Creation (``new_sender``), ``resume`` of a sender log, the OHTTP requests of ``WithReplyKey``
and ``PollingForProposal`` and their responses, and the two methods a sender has (``cancel``,
``close``). The checked proposal a successful poll yields is ``value.psbt``. The shared
machinery is :mod:`.reference_live`.
"""

from __future__ import annotations

from typing import Any

from pjconf.protocol.wire import ArgumentError, JsonObject, Unimplemented, arg_int, arg_str
from pjconf.reference.adapter.live import (
    LiveSession,
    OnValue,
    Role,
    RoleOps,
    clock_arg,
    request_error,
    seed_arg,
    step,
)
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.errors import PjconfError
from pjconf.reference.persist import Progress, Stasis
from pjconf.reference.persist.memory import InMemoryPersister
from pjconf.reference.session import json_codec
from pjconf.reference.session.sender.errors import CreateRequestError
from pjconf.reference.session.sender.events import Closed, SenderEvent
from pjconf.reference.session.sender.machine import (
    ClosedSession,
    PendingFallback,
    PollingForProposal,
    SenderBuilder,
    WithReplyKey,
)
from pjconf.reference.session.sender.replay import replay_event_log
from pjconf.reference.session.sender.wire import OhttpResponse

SENDER_STATE_NAMES: dict[type, str] = {
    WithReplyKey: "WithReplyKey",
    PollingForProposal: "PollingForProposal",
    PendingFallback: "PendingFallback",
    ClosedSession: "Closed",
}
SENDER_METHODS = ("cancel", "close")

SENDER = Role(
    "sender",
    json_codec.encode_sender_event,
    json_codec.decode_sender_event,
    replay_event_log,
    SENDER_STATE_NAMES,
    Closed,
    ClosedSession,
)


def _next_state(state: Any) -> tuple[Any, JsonObject | None]:
    return state, None


def _from_poll(
    outcome: Progress[Psbt] | Stasis[PollingForProposal],
) -> tuple[Any, JsonObject | None]:
    if isinstance(outcome, Stasis):
        return outcome.current, None
    return None, {"psbt": outcome.next.to_base64()}


class SenderOps(RoleOps):
    """The sender's ``session.*`` ops over the adapter's shared handle table."""

    role = SENDER

    def new(self, args: JsonObject) -> JsonObject:
        try:
            psbt = Psbt.from_base64(arg_str(args, "psbt"))
        except PjconfError as e:
            raise ArgumentError(f"`psbt`: {e}") from None
        builder = SenderBuilder.new(psbt, arg_str(args, "pj_uri"))
        min_fee_rate = arg_int(args, "min_fee_rate")
        session_rng = seed_arg(args, self.rng)
        contribution = args.get("fee_contribution")
        if contribution is None:
            transition = builder.build_recommended(min_fee_rate, rng=session_rng)
        elif isinstance(contribution, dict):
            change = contribution.get("change_vout")
            transition = builder.build_with_additional_fee(
                arg_int(contribution, "max_amount"),
                None if change is None else arg_int(contribution, "change_vout"),
                min_fee_rate,
                False,
                rng=session_rng,
            )
        else:
            raise ArgumentError("`fee_contribution` must be an object")
        persister: InMemoryPersister[SenderEvent] = InMemoryPersister()
        return self.opened(persister, transition.save(persister), session_rng)

    def request(
        self, handle: str, session: LiveSession, relay: str, args: JsonObject
    ) -> JsonObject:
        clock = clock_arg(args)
        state = session.state
        req: Any
        ctx: OhttpResponse
        try:
            if isinstance(state, WithReplyKey):
                created_by = "create_v2_post_request"
                req, ctx = state.create_v2_post_request(relay, rng=session.rng, clock=clock)
            elif isinstance(state, PollingForProposal):
                created_by = "create_poll_request"
                req, ctx = state.create_poll_request(relay, rng=session.rng, clock=clock)
            else:
                raise session.wrong_state("session.request")
        except CreateRequestError as e:
            raise request_error(e) from None
        return self.requested(handle, req, ctx, created_by)

    def can_respond(self, session: LiveSession) -> bool:
        return isinstance(session.state, WithReplyKey | PollingForProposal)

    def response(self, session: LiveSession, body: bytes, ctx: OhttpResponse) -> JsonObject:
        state = session.state
        on_value: OnValue = _next_state if isinstance(state, WithReplyKey) else _from_poll
        return step(session, state.process_response(body, ctx), on_value)

    def call(self, session: LiveSession, method: str, _args: JsonObject) -> JsonObject:
        if method not in SENDER_METHODS:
            raise Unimplemented(f"sender method {method!r} is not supported by this adapter")
        state = session.state
        if method == "cancel" and isinstance(state, WithReplyKey | PollingForProposal):
            return step(session, state.cancel(), _next_state)
        if method == "close" and isinstance(state, PendingFallback):
            return step(session, state.close(), _next_state)
        raise session.wrong_state(method)
