"""The reference's live receiver sessions behind the protocol's ``session.*`` ops.

``new_receiver`` (the builder, ``pj_uri`` in the result), ``resume`` of a receiver log, the
three OHTTP requests (``create_poll_request`` of ``Initialized``, ``create_post_request`` of
``PayjoinProposal``, ``create_error_request`` of ``HasReplyableError``) and their responses,
and every receiver method, with the wallet answered from ``args``
(:mod:`.receiver_wallet`). ``finalize_proposal`` reports the proposal as ``value.psbt``;
``contribute_inputs`` is a plain edit (``stasis``, or ``transient`` when refused). Names,
arguments and outcomes are the Rust adapter's (``adapters/rust-payjoin/src/live.rs``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pjconf.protocol.wire import ArgumentError, JsonObject, Unimplemented, arg_bytes, arg_str
from pjconf.reference.adapter import receiver_wallet as wallet
from pjconf.reference.adapter.live import (
    LiveSession,
    Role,
    RoleOps,
    clock_arg,
    edited,
    opt_int,
    refused,
    request_error,
    seed_arg,
    step,
)
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.errors import PjconfError
from pjconf.reference.payjoin.psbt_checks import PsbtInputError
from pjconf.reference.persist import Progress, Stasis
from pjconf.reference.persist.memory import InMemoryPersister
from pjconf.reference.session import json_codec
from pjconf.reference.session.receiver.builder import ReceiverBuilder
from pjconf.reference.session.receiver.errors import (
    CreateRequestError,
    InputContributionError,
)
from pjconf.reference.session.receiver.events import Closed, ReceiverEvent
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
    UncheckedOriginalPayload,
    WantsFeeRange,
    WantsInputs,
    WantsOutputs,
)
from pjconf.reference.session.receiver.replay import replay_event_log
from pjconf.reference.session.sender.wire import OhttpResponse

RECEIVER = Role(
    "receiver",
    json_codec.encode_receiver_event,
    json_codec.decode_receiver_event,
    replay_event_log,
    STATE_NAMES,
    Closed,
    ClosedSession,
)


def _following(saved: object) -> tuple[Any, JsonObject | None]:
    """The next typestate from what ``save`` returned (None: the session is over)."""
    if isinstance(saved, Stasis):
        return saved.current, None
    if isinstance(saved, Progress):
        return saved.next, None
    return saved, None


def _proposed(saved: object) -> tuple[Any, JsonObject | None]:
    """``finalize_proposal``: the proposal for the sender, as ``value.psbt``."""
    if not isinstance(saved, PayjoinProposal):
        raise AssertionError(f"finalize_proposal gave {type(saved).__name__}")
    return saved, {"psbt": saved.psbt().to_base64()}


# -- the methods -----------------------------------------------------------------------------------

Method = Callable[[Any, JsonObject, LiveSession], JsonObject]


def _check_broadcast(state: Any, args: JsonObject, session: LiveSession) -> JsonObject:
    can_broadcast = wallet.can_broadcast(args)
    minimum = opt_int(args, "min_fee_rate")
    return step(session, state.check_broadcast_suitability(minimum, can_broadcast), _following)


def _inputs_not_owned(state: Any, args: JsonObject, session: LiveSession) -> JsonObject:
    is_owned = wallet.outpoint_check(args, "owned_outpoints")
    return step(session, state.check_inputs_not_owned(is_owned), _following)


def _inputs_not_seen(state: Any, args: JsonObject, session: LiveSession) -> JsonObject:
    is_known = wallet.outpoint_check(args, "seen_outpoints")
    return step(session, state.check_no_inputs_seen_before(is_known), _following)


def _identify_outputs(state: Any, args: JsonObject, session: LiveSession) -> JsonObject:
    is_ours = wallet.receiver_scripts(args)
    return step(session, state.identify_receiver_outputs(is_ours), _following)


def _contribute(state: Any, args: JsonObject, session: LiveSession) -> JsonObject:
    specs = wallet.contributed_inputs(args)
    try:
        pairs = wallet.input_pairs(specs)
    except PsbtInputError as e:
        return refused(session, "PsbtInputError", e)
    try:
        return edited(session, state.contribute_inputs(pairs, rng=session.rng))
    except InputContributionError as e:
        return refused(session, "InputContributionError", e)


def _fee_range(state: Any, args: JsonObject, session: LiveSession) -> JsonObject:
    minimum, maximum = opt_int(args, "min_fee_rate"), opt_int(args, "max_effective_fee_rate")
    return step(session, state.apply_fee_range(minimum, maximum), _following)


def _finalize(state: Any, args: JsonObject, session: LiveSession) -> JsonObject:
    process = wallet.wallet_process_psbt(args)
    return step(session, state.finalize_proposal(process), _proposed)


def _check_for_transaction(state: Any, args: JsonObject, session: LiveSession) -> JsonObject:
    payjoin_tx = state.psbt_context.payjoin_psbt.unsigned_tx
    find = wallet.found_transactions(args, payjoin_tx, state.fallback_tx())
    return step(session, state.check_for_transaction(find), _following)


def _no_args(name: str) -> Method:
    def run(state: Any, _args: JsonObject, session: LiveSession) -> JsonObject:
        return step(session, getattr(state, name)(), _following)

    return run


_CANCELS = (Initialized, UncheckedOriginalPayload, *HAS_FALLBACK_TX, HasReplyableError)

METHODS: dict[str, tuple[tuple[type, ...], Method]] = {
    "check_broadcast_suitability": ((UncheckedOriginalPayload,), _check_broadcast),
    "assume_interactive_receiver": (
        (UncheckedOriginalPayload,),
        _no_args("assume_interactive_receiver"),
    ),
    "check_inputs_not_owned": ((MaybeInputsOwned,), _inputs_not_owned),
    "check_no_inputs_seen_before": ((MaybeInputsSeen,), _inputs_not_seen),
    "identify_receiver_outputs": ((OutputsUnknown,), _identify_outputs),
    "commit_outputs": ((WantsOutputs,), _no_args("commit_outputs")),
    "contribute_inputs": ((WantsInputs,), _contribute),
    "commit_inputs": ((WantsInputs,), _no_args("commit_inputs")),
    "apply_fee_range": ((WantsFeeRange,), _fee_range),
    "finalize_proposal": ((ProvisionalProposal,), _finalize),
    "check_for_transaction": ((Monitor,), _check_for_transaction),
    "cancel": (_CANCELS, _no_args("cancel")),
    "close": ((PendingFallback,), _no_args("close")),
}
"""Each receiver method: the typestates that have it, and how it runs from ``args``."""

_REQUESTS: dict[type, str] = {
    Initialized: "create_poll_request",
    PayjoinProposal: "create_post_request",
    HasReplyableError: "create_error_request",
}
_RESPONSES: dict[type, str] = {
    Initialized: "process_response",
    PayjoinProposal: "process_response",
    HasReplyableError: "process_error_response",
}


class ReceiverOps(RoleOps):
    """The receiver's ``session.*`` ops over the adapter's shared handle table."""

    role = RECEIVER

    def new(self, args: JsonObject) -> JsonObject:
        """The builder with the protocol's settings; ``expiration`` is absolute (payjoin takes a
        duration from now: what is left of it, never negative, as live.rs computes it)."""
        clock = clock_arg(args)
        try:
            keys = OhttpKeyConfig.decode(arg_bytes(args, "ohttp_keys"))
        except PjconfError as e:
            raise ArgumentError(f"`ohttp_keys`: {e}") from None
        address, directory = arg_str(args, "address"), arg_str(args, "directory")
        try:
            builder = ReceiverBuilder.new(address, directory, keys)
        except PjconfError as e:
            raise ArgumentError(f"`address` or `directory`: {e}") from None
        expiration = opt_int(args, "expiration")
        if expiration is not None:
            builder = builder.with_expiration(max(0, expiration - clock.now()))
        if (amount := opt_int(args, "amount")) is not None:
            builder = builder.with_amount(amount)
        if (rate := opt_int(args, "max_fee_rate")) is not None:
            builder = builder.with_max_fee_rate(rate)
        session_rng = seed_arg(args, self.rng)
        persister: InMemoryPersister[ReceiverEvent] = InMemoryPersister()
        state = builder.build(rng=session_rng, clock=clock).save(persister)
        return self.opened(persister, state, session_rng) | {"pj_uri": state.pj_uri()}

    def request(
        self, handle: str, session: LiveSession, relay: str, args: JsonObject
    ) -> JsonObject:
        created_by = _REQUESTS.get(type(session.state))
        if created_by is None:
            raise session.wrong_state("session.request")
        make = getattr(session.state, created_by)
        try:
            req, ctx = make(relay, rng=session.rng, clock=clock_arg(args))
        except CreateRequestError as e:
            raise request_error(e) from None
        return self.requested(handle, req, ctx, created_by)

    def can_respond(self, session: LiveSession) -> bool:
        return type(session.state) in _RESPONSES

    def response(self, session: LiveSession, body: bytes, ctx: OhttpResponse) -> JsonObject:
        process = getattr(session.state, _RESPONSES[type(session.state)])
        return step(session, process(body, ctx), _following)

    def call(self, session: LiveSession, method: str, args: JsonObject) -> JsonObject:
        entry = METHODS.get(method)
        if entry is None:
            raise Unimplemented(f"receiver method {method!r} is not supported by this adapter")
        states, run = entry
        if not isinstance(session.state, states):
            raise session.wrong_state(method)
        return run(session.state, args, session)
