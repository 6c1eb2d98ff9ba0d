"""The reference implementation as an adapter: one handler per protocol op.

Handlers only translate: protocol arguments (hex, names) in, reference calls, protocol results
out. All behaviour lives in ``pjconf.reference``; a handler that needs an ``if`` about payjoin
semantics is a sign the reference is missing a function.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from pjconf.harness.adapters.base import Handler, InProcessAdapter
from pjconf.harness.protocol import (
    ArgumentError,
    JsonObject,
    Unimplemented,
    arg_bytes,
    arg_int,
    arg_str,
    opt_bytes,
    opt_str,
)
from pjconf.reference.bip77 import bhttp, messages, ohttp
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.bip77.short_id import format_short_id, short_id
from pjconf.reference.bip77.uri import is_expired, parse_uri, uri_to_protocol
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.crypto import ellswift, hpke
from pjconf.reference.crypto.secp256k1 import KeyPair
from pjconf.reference.entropy import (
    SYSTEM_CLOCK,
    SYSTEM_RANDOM,
    Clock,
    FixedClock,
    RandomSource,
    SeededRandom,
)
from pjconf.reference.errors import InvalidKey, PjconfError
from pjconf.reference.persist import PersistAction, PersistedError, Progress, Stasis, outcome_class
from pjconf.reference.persist.memory import InMemoryPersister
from pjconf.reference.session import json_codec
from pjconf.reference.session.json_codec import decode_receiver_event, decode_sender_event
from pjconf.reference.session.receiver import STATE_NAMES as RECEIVER_STATE_NAMES
from pjconf.reference.session.receiver_events import ReceiverEvent
from pjconf.reference.session.receiver_replay import replay_event_log as replay_receiver_log
from pjconf.reference.session.sender import (
    ClosedSession,
    PendingFallback,
    PollingForProposal,
    SenderBuilder,
    SendSession,
    WithReplyKey,
)
from pjconf.reference.session.sender_errors import CreateRequestError
from pjconf.reference.session.sender_events import Closed, SenderEvent
from pjconf.reference.session.sender_replay import replay_event_log
from pjconf.reference.session.sender_wire import OhttpResponse

IMPLEMENTATION = "pjconf-reference"
VERSION = "0.1.0"

_SUITE = hpke.SECP256K1_CHACHA
_MODES = {"base": hpke.Mode.BASE, "auth": hpke.Mode.AUTH}


def crypto_handlers(rng: RandomSource) -> dict[str, Handler]:
    """HPKE, ElligatorSwift and the BIP 77 messages."""

    def hpke_seal(args: JsonObject) -> JsonObject:
        mode = _MODES[arg_str(args, "mode", choices=tuple(_MODES))]
        enc, ct = _SUITE.seal(
            arg_bytes(args, "pk_r"),
            arg_bytes(args, "info"),
            arg_bytes(args, "aad"),
            arg_bytes(args, "pt"),
            mode=mode,
            sk_s=arg_bytes(args, "sk_s") if mode is hpke.Mode.AUTH else None,
            sk_e=opt_bytes(args, "sk_e"),
            rng=rng,
        )
        return {"enc": enc.hex(), "ct": ct.hex()}

    def hpke_open(args: JsonObject) -> JsonObject:
        mode = _MODES[arg_str(args, "mode", choices=tuple(_MODES))]
        pt = _SUITE.open(
            arg_bytes(args, "enc"),
            arg_bytes(args, "sk_r"),
            arg_bytes(args, "info"),
            arg_bytes(args, "aad"),
            arg_bytes(args, "ct"),
            mode=mode,
            pk_s=arg_bytes(args, "pk_s") if mode is hpke.Mode.AUTH else None,
        )
        return {"pt": pt.hex()}

    def ellswift_encode(args: JsonObject) -> JsonObject:
        encoded = ellswift.encode(arg_bytes(args, "pk"), arg_bytes(args, "rnd32", length=32))
        return {"ell64": encoded.hex()}

    def ellswift_decode(args: JsonObject) -> JsonObject:
        return {"pk": ellswift.decode(arg_bytes(args, "ell64", length=64)).hex()}

    def msg_a_seal(args: JsonObject) -> JsonObject:
        message = messages.seal_message_a(
            arg_bytes(args, "body"),
            arg_bytes(args, "receiver_pk"),
            arg_bytes(args, "reply_pk"),
            sk_e=opt_bytes(args, "sk_e"),
            rng=rng,
        )
        return {"msg": message.hex()}

    def msg_a_open(args: JsonObject) -> JsonObject:
        receiver = KeyPair.from_secret(arg_bytes(args, "receiver_sk"))
        reply_pk, plaintext = messages.open_message_a(arg_bytes(args, "msg"), receiver)
        return {"reply_pk": reply_pk.hex(), "plaintext": plaintext.hex()}

    def msg_b_seal(args: JsonObject) -> JsonObject:
        receiver = KeyPair.from_secret(arg_bytes(args, "receiver_sk"))
        message = messages.seal_message_b(
            arg_bytes(args, "body"),
            receiver,
            arg_bytes(args, "reply_pk"),
            sk_e=opt_bytes(args, "sk_e"),
            rng=rng,
        )
        return {"msg": message.hex()}

    def msg_b_open(args: JsonObject) -> JsonObject:
        reply = KeyPair.from_secret(arg_bytes(args, "reply_sk"))
        plaintext = messages.open_message_b(
            arg_bytes(args, "msg"), reply, arg_bytes(args, "receiver_pk")
        )
        return {"plaintext": plaintext.hex()}

    return {
        "hpke.seal": hpke_seal,
        "hpke.open": hpke_open,
        "ellswift.encode": ellswift_encode,
        "ellswift.decode": ellswift_decode,
        "bip77.msg_a.seal": msg_a_seal,
        "bip77.msg_a.open": msg_a_open,
        "bip77.msg_b.seal": msg_b_seal,
        "bip77.msg_b.open": msg_b_open,
    }


def uri_handlers() -> dict[str, Handler]:
    """The ``pj`` URI, ShortIds and the directory's OHTTP key configuration."""

    def uri_parse(args: JsonObject) -> JsonObject:
        return uri_to_protocol(parse_uri(arg_str(args, "uri")))

    def short_id_op(args: JsonObject) -> JsonObject:
        mailbox = short_id(arg_bytes(args, "pk"))
        return {"id": mailbox.hex(), "text": format_short_id(mailbox)}

    def keys_decode(args: JsonObject) -> JsonObject:
        config = OhttpKeyConfig.decode(arg_bytes(args, "bytes"))
        return {
            "key_id": config.key_id,
            "kem_id": config.kem_id,
            "pk": config.pk.hex(),
            "suites": [list(suite) for suite in config.suites],
        }

    return {"uri.parse": uri_parse, "short_id": short_id_op, "ohttp.keys.decode": keys_decode}


def ohttp_handlers(rng: RandomSource) -> dict[str, Handler]:
    """BHTTP requests and OHTTP encapsulation, with contexts carried as hex across the pipe."""

    def bhttp_encode(args: JsonObject) -> JsonObject:
        return {"bhttp": bhttp.encode_request(bhttp.request_from_args(args)).hex()}

    def bhttp_decode(args: JsonObject) -> JsonObject:
        return bhttp.request_args(bhttp.decode_request(arg_bytes(args, "bhttp")))

    def request_seal(args: JsonObject) -> JsonObject:
        pad = opt_str(args, "pad", choices=("random", "zero"))
        request, context = ohttp.seal_request(
            OhttpKeyConfig.decode(arg_bytes(args, "key_config")),
            arg_bytes(args, "bhttp"),
            pad="zero" if pad == "zero" else "random",
            sk_e=opt_bytes(args, "sk_e"),
            rng=rng,
        )
        return {"request": request.hex(), "context": context.to_bytes().hex()}

    def request_open(args: JsonObject) -> JsonObject:
        config = OhttpKeyConfig.decode(arg_bytes(args, "key_config"))
        gateway_sk = arg_bytes(args, "gateway_sk")
        ikm = opt_bytes(args, "gateway_ikm", length=32)
        if ikm is not None and hpke.SECP256K1_CHACHA.derive_key_pair(ikm)[0] != gateway_sk:
            raise InvalidKey("gateway_ikm does not derive gateway_sk")
        plaintext, context = ohttp.open_request(gateway_sk, config, arg_bytes(args, "request"))
        return {"bhttp": plaintext.hex(), "context": context.to_bytes().hex()}

    def response_seal(args: JsonObject) -> JsonObject:
        response = ohttp.seal_response(
            ohttp.ExchangeContext.from_bytes(arg_bytes(args, "context")),
            arg_bytes(args, "bhttp"),
            response_nonce=opt_bytes(args, "response_nonce", length=32),
            rng=rng,
        )
        return {"response": response.hex()}

    def response_open(args: JsonObject) -> JsonObject:
        plaintext = ohttp.open_response(
            ohttp.ExchangeContext.from_bytes(arg_bytes(args, "context")),
            arg_bytes(args, "response"),
        )
        return {"bhttp": plaintext.hex()}

    return {
        "bhttp.request.encode": bhttp_encode,
        "bhttp.request.decode": bhttp_decode,
        "ohttp.request.seal": request_seal,
        "ohttp.request.open": request_open,
        "ohttp.response.seal": response_seal,
        "ohttp.response.open": response_open,
    }


def event_handlers() -> dict[str, Handler]:
    """payjoin 1.0 session events: decode one JSON text and write it back as the crate would.

    A text the codec refuses is a ``DecodeError`` whose ``reason`` names the broken rule and
    whose message starts with the path of the offending value (``Created.directory: ...``).
    """

    def roundtrip(args: JsonObject) -> JsonObject:
        role = arg_str(args, "role", choices=("receiver", "sender"))
        text = arg_str(args, "event")
        if role == "receiver":
            out = json_codec.encode_receiver_event(json_codec.decode_receiver_event(text))
        else:
            out = json_codec.encode_sender_event(json_codec.decode_sender_event(text))
        return {"event": out}

    return {"event.roundtrip": roundtrip}


_SENDER_STATE_NAMES = {
    WithReplyKey: "WithReplyKey",
    PollingForProposal: "PollingForProposal",
    PendingFallback: "PendingFallback",
    ClosedSession: "Closed",
}


def replay_handlers() -> dict[str, Handler]:
    """``replay``: fold a log (payjoin 1.0 JSON texts) with the reference's replay, either role.

    ``fallback_tx`` is the history's (the receiver's is null before the broadcast check) and
    ``expired`` compares ``Created``'s expiration with ``now``, as the Rust adapter does.
    """

    def receiver(texts: list[str], clock: Clock) -> JsonObject:
        persister: InMemoryPersister[ReceiverEvent] = InMemoryPersister()
        for text in texts:
            persister.save_event(decode_receiver_event(text))
        state, history = replay_receiver_log(persister, clock=clock)
        fallback = history.fallback_tx()
        return {
            "state": RECEIVER_STATE_NAMES[type(state)],
            "status": str(history.status(clock)),
            "closed": persister.closed,
            "fallback_tx": None if fallback is None else fallback.serialize().hex(),
            "expired": is_expired(history.session_context().expiration, clock),
        }

    def replay(args: JsonObject) -> JsonObject:
        role = arg_str(args, "role", choices=("receiver", "sender"))
        texts = args.get("events")
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise ArgumentError("`events` must be a list of JSON texts")
        now = args.get("now")
        clock: Clock = SYSTEM_CLOCK if now is None else FixedClock(arg_int(args, "now"))
        if role == "receiver":
            return receiver(texts, clock)
        persister: InMemoryPersister[SenderEvent] = InMemoryPersister()
        for text in texts:
            persister.save_event(decode_sender_event(text))
        state, history = replay_event_log(persister, clock=clock)
        expiration = history.pj_param().expiration
        return {
            "state": _SENDER_STATE_NAMES[type(state)],
            "status": str(history.status(clock)),
            "closed": persister.closed,
            "fallback_tx": history.fallback_tx().serialize().hex(),
            "expired": is_expired(expiration, clock),
        }

    return {"replay": replay}


# -- live sessions ---------------------------------------------------------------------------------


class SessionOpError(PjconfError):
    """A live-session op refused before any transition ran: ``InvalidState`` (the method is not
    one of the current typestate's), ``Expired`` (a request past the session's expiration) or
    ``CreateRequestError``. The kinds are the Rust adapter's (``live.rs``)."""

    kind = "InvalidState"

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind  # type: ignore[misc]


@dataclass
class _SenderSession:
    """One live sender: its log, its current typestate and the randomness of its draws."""

    persister: InMemoryPersister[SenderEvent]
    state: SendSession
    rng: RandomSource


@dataclass
class _SessionTable:
    """The handles of one adapter instance, and the single-use OHTTP contexts of its requests."""

    sessions: dict[str, _SenderSession] = field(default_factory=dict)
    contexts: dict[str, tuple[str, OhttpResponse]] = field(default_factory=dict)
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def insert(self, session: _SenderSession) -> str:
        handle = f"sender-{next(self.counter)}"
        self.sessions[handle] = session
        return handle

    def get(self, args: JsonObject) -> tuple[str, _SenderSession]:
        handle = _handle_arg(args, "handle")
        session = self.sessions.get(handle)
        if session is None:
            raise ArgumentError(f"`handle`: no session {handle!r}")
        return handle, session


def _handle_arg(args: JsonObject, name: str) -> str:
    """A handle: a string (a number is accepted and read as its decimal text, as live.rs does)."""
    value = args.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ArgumentError(f"`{name}` must be a string")
    return value


def _clock_arg(args: JsonObject) -> Clock:
    """The injected clock: ``now`` (Unix seconds) when given, else the system clock."""
    return SYSTEM_CLOCK if args.get("now") is None else FixedClock(arg_int(args, "now"))


def _seed_arg(args: JsonObject, default: RandomSource) -> RandomSource:
    seed = args.get("seed")
    if seed is None:
        return default
    if isinstance(seed, bool) or not isinstance(seed, int | str):
        raise ArgumentError("`seed` must be a string or an integer")
    return SeededRandom(seed)


def _event_texts(args: JsonObject) -> list[str]:
    texts = args.get("events")
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise ArgumentError("`events` must be a list of JSON texts")
    return list(texts)


def _texts(events: list[SenderEvent]) -> list[str]:
    return [json_codec.encode_sender_event(e) for e in events]


def _state_name(state: SendSession) -> str:
    return _SENDER_STATE_NAMES[type(state)]


def _wrong_state(method: str, state: SendSession) -> SessionOpError:
    return SessionOpError(
        "InvalidState", f"{method} is not a method of the {_state_name(state)} typestate"
    )


def _error_kind(error: object) -> str:
    """``Type::Variant`` of an API error (live.rs names them so), or the type alone."""
    variant = getattr(error, "variant", None)
    name = type(error).__name__
    return f"{name}::{variant}" if isinstance(variant, str) else name


def _closed_state(events: list[SenderEvent]) -> SendSession:
    last = events[-1] if events else None
    if not isinstance(last, Closed):  # no sender transition ends without a Closed event
        raise AssertionError("a transition left no typestate but the log is not closed")
    return ClosedSession(last.outcome)


_Next = tuple[SendSession | None, JsonObject | None]


def _step(session: _SenderSession, transition: Any, on_value: Any) -> JsonObject:
    """Save ``transition`` on the session's log and report it as ``session.call`` does.

    ``outcome`` is :func:`outcome_class` of the transition's persist action and what ``save``
    gave back; ``on_value`` maps a success value to the next typestate (``None``: the session is
    over) and an optional result ``value``.
    """
    before = len(session.persister.events)
    action: PersistAction = transition.action
    error: JsonObject | None = None
    value: JsonObject | None = None
    try:
        saved = transition.save(session.persister)
    except PersistedError as e:
        outcome = outcome_class(action, e)
        api = e.api_error()
        error = {"kind": _error_kind(api), "message": str(api)}
        following = e.transient_state() if e.is_transient() else e.fatal_state()
    else:
        outcome = outcome_class(action, saved)
        following, value = on_value(saved)
    events = session.persister.events
    session.state = following if following is not None else _closed_state(events)
    out: JsonObject = {
        "outcome": str(outcome),
        "appended": _texts(events[before:]),
        "closed": session.persister.closed,
        "state": _state_name(session.state),
    }
    if error is not None:
        out["error"] = error
    if value is not None:
        out["value"] = value
    return out


def _to_polling(state: PollingForProposal) -> _Next:
    return state, None


def _from_poll(outcome: Progress[Psbt] | Stasis[PollingForProposal]) -> _Next:
    if isinstance(outcome, Stasis):
        return outcome.current, None
    return None, {"psbt": outcome.next.to_base64()}


def _to_pending(state: PendingFallback) -> _Next:
    return state, None


def _to_closed(_: None) -> _Next:
    return None, None


class _LiveSenders:
    """The ``session.*`` ops of one adapter instance, over its handle table."""

    def __init__(self, rng: RandomSource) -> None:
        self.rng = rng
        self.table = _SessionTable()

    def new_receiver(self, args: JsonObject) -> JsonObject:
        raise Unimplemented("live receiver sessions arrive with the receiver state machine")

    def new_sender(self, args: JsonObject) -> JsonObject:
        try:
            psbt = Psbt.from_base64(arg_str(args, "psbt"))
        except PjconfError as e:
            raise ArgumentError(f"`psbt`: {e}") from None
        builder = SenderBuilder.new(psbt, arg_str(args, "pj_uri"))
        min_fee_rate = arg_int(args, "min_fee_rate")
        session_rng = _seed_arg(args, self.rng)
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
        state = transition.save(persister)
        handle = self.table.insert(_SenderSession(persister, state, session_rng))
        return {"handle": handle, "state": _state_name(state), "appended": _texts(persister.events)}

    def resume(self, args: JsonObject) -> JsonObject:
        if arg_str(args, "role", choices=("receiver", "sender")) == "receiver":
            raise Unimplemented("receiver sessions arrive with the receiver state machine")
        persister: InMemoryPersister[SenderEvent] = InMemoryPersister()
        for text in _event_texts(args):
            persister.save_event(decode_sender_event(text))
        state, _ = replay_event_log(persister, clock=_clock_arg(args))
        if isinstance(state, ClosedSession):  # payjoin writes Closed only with SaveAndClose
            persister.close()
        handle = self.table.insert(_SenderSession(persister, state, _seed_arg(args, self.rng)))
        return {"handle": handle, "state": _state_name(state), "closed": persister.closed}

    def request(self, args: JsonObject) -> JsonObject:
        handle, session = self.table.get(args)
        relay = arg_str(args, "relay")
        clock = _clock_arg(args)
        state = session.state
        try:
            if isinstance(state, WithReplyKey):
                created_by = "create_v2_post_request"
                req, ctx = state.create_v2_post_request(relay, rng=session.rng, clock=clock)
            elif isinstance(state, PollingForProposal):
                created_by = "create_poll_request"
                req, ctx = state.create_poll_request(relay, rng=session.rng, clock=clock)
            else:
                raise _wrong_state("session.request", state)
        except CreateRequestError as e:
            kind = "Expired" if e.is_expired() else "CreateRequestError"
            raise SessionOpError(kind, str(e)) from None
        context = f"pjconf-reference-session-ctx-{next(self.table.counter)}"
        self.table.contexts[context] = (handle, ctx)
        return {
            "url": req.url,
            "method": "POST",  # every OHTTP request goes to the relay as a POST
            "content_type": req.content_type,
            "body": req.body.hex(),
            "context": context,
            "created_by": created_by,
        }

    def response(self, args: JsonObject) -> JsonObject:
        handle, session = self.table.get(args)
        context = _handle_arg(args, "context")
        body = arg_bytes(args, "body")
        owner = self.table.contexts.get(context)
        if owner is None:
            raise ArgumentError("`context`: unknown or already used (contexts are single use)")
        if owner[0] != handle:
            raise ArgumentError("`context`: belongs to another session")
        state = session.state
        if not isinstance(state, WithReplyKey | PollingForProposal):
            raise _wrong_state("session.response", state)  # the context is kept
        _, ctx = self.table.contexts.pop(context)
        if isinstance(state, WithReplyKey):
            return _step(session, state.process_response(body, ctx), _to_polling)
        return _step(session, state.process_response(body, ctx), _from_poll)

    def call(self, args: JsonObject) -> JsonObject:
        _, session = self.table.get(args)
        method = arg_str(args, "method")
        if not isinstance(args.get("args", {}), dict):
            raise ArgumentError("`args` must be an object")
        if method not in ("cancel", "close"):
            raise Unimplemented(f"sender method {method!r} is not supported by this adapter")
        state = session.state
        if method == "cancel" and isinstance(state, WithReplyKey | PollingForProposal):
            return _step(session, state.cancel(), _to_pending)
        if method == "close" and isinstance(state, PendingFallback):
            return _step(session, state.close(), _to_closed)
        raise _wrong_state(method, state)

    def events(self, args: JsonObject) -> JsonObject:
        _, session = self.table.get(args)
        return {
            "events": _texts(session.persister.events),
            "closed": session.persister.closed,
            "state": _state_name(session.state),
        }

    def drop(self, args: JsonObject) -> JsonObject:
        handle = _handle_arg(args, "handle")
        self.table.sessions.pop(handle, None)
        self.table.contexts = {k: v for k, v in self.table.contexts.items() if v[0] != handle}
        return {}


def session_handlers(rng: RandomSource) -> dict[str, Handler]:
    """Live sessions (the sender; the receiver answers ``unimplemented``) behind handles.

    Each session has its own :class:`InMemoryPersister`; every state change goes through the
    reference's transition and its ``save``. ``seed`` gives a session its own
    :class:`SeededRandom` (reply key, HPKE and OHTTP draws, padding), else it draws from the
    adapter's ``rng``; ``now`` on any op injects the clock. Conventions the protocol leaves open
    follow the Rust adapter (``adapters/rust-payjoin/src/live.rs``).
    """
    ops = _LiveSenders(rng)
    return {
        "session.new_receiver": ops.new_receiver,
        "session.new_sender": ops.new_sender,
        "session.resume": ops.resume,
        "session.request": ops.request,
        "session.response": ops.response,
        "session.call": ops.call,
        "session.events": ops.events,
        "session.drop": ops.drop,
    }


def reference_adapter(seed: bytes | int | str | None = None) -> InProcessAdapter:
    """The reference behind the protocol; with ``seed``, every random draw is reproducible."""
    rng: RandomSource = SYSTEM_RANDOM if seed is None else SeededRandom(seed)
    handlers: dict[str, Handler] = {}
    handlers.update(crypto_handlers(rng))
    handlers.update(ohttp_handlers(rng))
    handlers.update(uri_handlers())
    handlers.update(replay_handlers())
    handlers.update(event_handlers())
    handlers.update(session_handlers(rng))
    return InProcessAdapter(IMPLEMENTATION, VERSION, handlers, deterministic=True)
