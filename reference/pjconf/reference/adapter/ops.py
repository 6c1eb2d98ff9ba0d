"""The reference implementation as an adapter: one handler per protocol op.

Handlers only translate: protocol arguments (hex, names) in, reference calls, protocol results
out. All behaviour lives in ``pjconf.reference``; a handler that needs an ``if`` about payjoin
semantics is a sign the reference is missing a function.
"""

from __future__ import annotations

from pjconf.protocol.wire import (
    ArgumentError,
    JsonObject,
    arg_bytes,
    arg_int,
    arg_str,
    opt_bytes,
    opt_str,
)
from pjconf.reference.adapter.bench_op import bench_handlers
from pjconf.reference.adapter.dispatch import ErrorWithFields, Handler, InProcessAdapter
from pjconf.reference.adapter.live import (
    LiveSession,
    SessionOpError,
    SessionTable,
    handle_arg,
)
from pjconf.reference.adapter.receiver_ops import RECEIVER, ReceiverOps
from pjconf.reference.adapter.sender_ops import SENDER_STATE_NAMES, SenderOps
from pjconf.reference.adapter.session_whole import session_whole_handlers
from pjconf.reference.bip77 import bhttp, messages, ohttp
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.bip77.short_id import format_short_id, short_id
from pjconf.reference.bip77.uri import is_expired, parse_uri, uri_to_protocol
from pjconf.reference.bitcoin.tx import Transaction
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
from pjconf.reference.errors import InvalidKey
from pjconf.reference.persist.memory import InMemoryPersister
from pjconf.reference.session import json_codec
from pjconf.reference.session.json_codec import decode_receiver_event, decode_sender_event
from pjconf.reference.session.receiver.events import ReceiverEvent
from pjconf.reference.session.receiver.machine import STATE_NAMES as RECEIVER_STATE_NAMES
from pjconf.reference.session.receiver.replay import replay_event_log as replay_receiver_log
from pjconf.reference.session.sender.errors import ReplayError
from pjconf.reference.session.sender.events import SenderEvent
from pjconf.reference.session.sender.replay import replay_event_log

__all__ = [
    "IMPLEMENTATION",
    "VERSION",
    "SessionOpError",
    "crypto_handlers",
    "event_handlers",
    "ohttp_handlers",
    "reference_adapter",
    "replay_handlers",
    "session_handlers",
    "uri_handlers",
]

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
        try:
            return fold(args)
        except ReplayError as e:
            # As the Rust adapter answers: did replay close the persister, and the expired
            # session's fallback (payjoin's expiry_fallback_tx).
            fallback = e.fallback_tx
            fields = {
                "closed": e.closed,
                "fallback_tx": fallback.serialize().hex()
                if isinstance(fallback, Transaction)
                else None,
            }
            raise ErrorWithFields(e.kind, e.message, fields) from None

    def fold(args: JsonObject) -> JsonObject:
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
            "state": SENDER_STATE_NAMES[type(state)],
            "status": str(history.status(clock)),
            "closed": persister.closed,
            "fallback_tx": history.fallback_tx().serialize().hex(),
            "expired": is_expired(expiration, clock),
        }

    return {"replay": replay}


# -- live sessions ---------------------------------------------------------------------------------


class _LiveSessions:
    """The ``session.*`` ops of one adapter instance: one handle table for both roles, each op
    handed to the role of the session it names (:mod:`.reference_sender`,
    :mod:`.reference_receiver`)."""

    def __init__(self, rng: RandomSource) -> None:
        self.table = SessionTable()
        self.sender = SenderOps(self.table, rng)
        self.receiver = ReceiverOps(self.table, rng)

    def _ops(self, session: LiveSession) -> SenderOps | ReceiverOps:
        return self.receiver if session.role is RECEIVER else self.sender

    def resume(self, args: JsonObject) -> JsonObject:
        if arg_str(args, "role", choices=("receiver", "sender")) == "receiver":
            return self.receiver.resume(args)
        return self.sender.resume(args)

    def request(self, args: JsonObject) -> JsonObject:
        handle, session = self.table.get(args)
        relay = arg_str(args, "relay")
        return self._ops(session).request(handle, session, relay, args)

    def response(self, args: JsonObject) -> JsonObject:
        handle, session = self.table.get(args)
        context = handle_arg(args, "context")
        body = arg_bytes(args, "body")
        self.table.check_context(handle, context)
        ops = self._ops(session)
        if not ops.can_respond(session):
            raise session.wrong_state("session.response")  # the context is kept
        return ops.response(session, body, self.table.take_context(context))

    def call(self, args: JsonObject) -> JsonObject:
        _, session = self.table.get(args)
        method = arg_str(args, "method")
        method_args = args.get("args", {})
        if not isinstance(method_args, dict):
            raise ArgumentError("`args` must be an object")
        return self._ops(session).call(session, method, method_args)

    def events(self, args: JsonObject) -> JsonObject:
        _, session = self.table.get(args)
        return {
            "events": session.texts(),
            "closed": session.persister.closed,
            "state": session.state_name,
        }

    def drop(self, args: JsonObject) -> JsonObject:
        self.table.drop(handle_arg(args, "handle"))
        return {}


def session_handlers(rng: RandomSource) -> dict[str, Handler]:
    """Live sessions of either role behind handles.

    Each session has its own :class:`InMemoryPersister`; every state change goes through the
    reference's transition and its ``save``. ``seed`` gives a session its own
    :class:`SeededRandom` (keys, HPKE and OHTTP draws, padding, input positions), else it draws
    from the adapter's ``rng``; ``now`` on any op injects the clock. Conventions the protocol
    leaves open follow the Rust adapter (``adapters/rust-payjoin/src/live.rs``).
    """
    ops = _LiveSessions(rng)
    return {
        "session.new_receiver": ops.receiver.new,
        "session.new_sender": ops.sender.new,
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
    handlers.update(session_whole_handlers(rng))
    handlers.update(bench_handlers(handlers))
    return InProcessAdapter(IMPLEMENTATION, VERSION, handlers, deterministic=True)
