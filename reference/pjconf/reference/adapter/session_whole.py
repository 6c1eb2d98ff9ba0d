"""``session.whole``: one complete payjoin v2 session inside the reference, so ``bench`` can time a
whole session beside rust-payjoin's (issue 6; the twin of ``adapters/rust-payjoin/src/
session_bench.rs``).

Both parties and the directory live in this process. The directory stand-in is an OHTTP gateway
whose key is derived from ``gateway_ikm`` (DeriveKeyPair, what payjoin-mailroom's
``KeyConfig::derive`` does) in front of in-memory mailboxes: ``POST`` stores, ``GET`` serves the
body or 202 when empty; answers are sealed by ``ohttp.seal_response`` (zero-padded to 8144, sealed
into 8192). It is deliberately not :class:`pjconf.reference.bip77.directory.Mailbox`, which also
records every exchange: both implementations get the same bare directory, so the figures compare the
two sessions and nothing else.

The session: the sender posts the Original, the receiver polls, passes every check, contributes the
given P2WPKH coins, signs them and posts the proposal, the sender polls, checks the proposal and
signs its own input, and the receiver's ``check_for_transaction`` finds that payjoin; both logs (in-
memory persisters) end in ``Closed``. A step that does not go the happy way ends the op with
``SessionFailed`` naming the step."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pjconf.protocol.events import variant_name
from pjconf.protocol.wire import ArgumentError, JsonObject, arg_bytes, arg_int, arg_str
from pjconf.reference.adapter.dispatch import ErrorWithFields, Handler
from pjconf.reference.adapter.payment import Payment, receiver_contribution, wif
from pjconf.reference.adapter.receiver_wallet import (
    contributed_inputs,
    input_pairs,
    wallet_process_psbt,
)
from pjconf.reference.bip77 import bhttp, ohttp
from pjconf.reference.bip77.bhttp import BhttpResponse
from pjconf.reference.bip77.ohttp_keys import BIP77_SUITE, KEM_SECP256K1, OhttpKeyConfig
from pjconf.reference.bitcoin import address
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.bitcoin.tx import OutPoint, TxOut
from pjconf.reference.bitcoin.wallet import AddressKind, extract_tx
from pjconf.reference.crypto import hpke
from pjconf.reference.entropy import SYSTEM_CLOCK, Clock, RandomSource
from pjconf.reference.errors import PjconfError
from pjconf.reference.payjoin.errors import PayjoinError
from pjconf.reference.payjoin.psbt_checks import display_text
from pjconf.reference.persist import InMemoryPersister, PersistedError, Progress
from pjconf.reference.session import json_codec
from pjconf.reference.session.receiver.builder import ReceiverBuilder
from pjconf.reference.session.receiver.events import ReceiverEvent
from pjconf.reference.session.sender.events import SenderEvent
from pjconf.reference.session.sender.machine import SenderBuilder

__all__ = [
    "GATEWAY_KEY_ID",
    "OP",
    "Directory",
    "SessionArgs",
    "payment_args",
    "run_session",
    "session_whole_handlers",
]

OP = "session.whole"
DIRECTORY = "https://directory.pjconf.test/"
RELAY = "https://relay.pjconf.test/"
MIN_FEE_RATE = 250
"""sat/kwu (1 sat/vB): the sender's ``build_recommended`` floor."""
GATEWAY_KEY_ID = 0
"""payjoin-mailroom's ``DEFAULT_KEY_ID``."""


class SessionFailed(ErrorWithFields):
    """A step of the session did not go the happy way."""

    def __init__(self, step: str, why: object) -> None:
        super().__init__("SessionFailed", f"{step}: {why}", {})


@dataclass(frozen=True)
class SessionArgs:
    """The op's arguments, parsed (the Rust twin reads the same fields)."""

    original: Psbt
    address: str
    contribution: list[tuple[TxOut, OutPoint]]
    receiver_keys: Callable[[Psbt], Psbt]
    sender_keys: Callable[[Psbt], Psbt]
    gateway_ikm: bytes
    directory: str
    relay: str
    min_fee_rate: int

    @classmethod
    def parse(cls, args: JsonObject) -> SessionArgs:
        try:
            original = Psbt.from_base64(arg_str(args, "original"))
            receiver_address = arg_str(args, "address")
            address.decode(receiver_address)
        except PjconfError as e:
            raise ArgumentError(f"`original`/`address`: {e}") from None
        min_fee_rate = arg_int(args, "min_fee_rate")
        if min_fee_rate < 0:
            raise ArgumentError("`min_fee_rate` must not be negative")
        return cls(
            original=original,
            address=receiver_address,
            contribution=contributed_inputs(args),
            receiver_keys=_signer(args, "receiver_wif"),
            sender_keys=_signer(args, "sender_wif"),
            gateway_ikm=arg_bytes(args, "gateway_ikm", length=32),
            directory=arg_str(args, "directory"),
            relay=arg_str(args, "relay"),
            min_fee_rate=min_fee_rate,
        )


def _signer(args: JsonObject, name: str) -> Callable[[Psbt], Psbt]:
    """A wallet signing the P2WPKH inputs the WIF key ``args[name]`` owns."""
    return wallet_process_psbt({"signing_keys": [arg_str(args, name)]})


@dataclass
class Directory:
    """The directory stand-in: an OHTTP gateway and the mailboxes behind it."""

    ikm: bytes
    rng: RandomSource
    boxes: dict[bytes, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.secret, public = hpke.SECP256K1_CHACHA.derive_key_pair(self.ikm)
        self.key_config = OhttpKeyConfig(GATEWAY_KEY_ID, KEM_SECP256K1, public, (BIP77_SUITE,))

    def handle(self, request: bytes) -> bytes:
        """The gateway's answer to one relayed request body."""
        padded, context = ohttp.open_request(self.secret, self.key_config, request)
        inner = bhttp.decode_request(padded)
        mailbox = inner.path.rsplit(b"/", 1)[-1]
        if inner.method == b"POST":
            self.boxes[mailbox] = inner.body
            status, body = 200, b""
        elif inner.method == b"GET":
            stored = self.boxes.get(mailbox)
            status, body = (202, b"") if stored is None else (200, stored)
        else:
            status, body = 404, b""
        message = bhttp.encode_response(BhttpResponse(status, body=body))
        return ohttp.seal_response(context, message, rng=self.rng)


@contextmanager
def _step(name: str) -> Iterator[None]:
    """A refused transition or a crate error inside is ``SessionFailed`` naming the step."""
    try:
        yield
    except PayjoinError as e:  # e.g. InputPair's PsbtInputError: the crate prints no variant
        raise SessionFailed(name, display_text(e)) from None
    except (PersistedError, PjconfError) as e:
        raise SessionFailed(name, e) from None


def _progressed(name: str, outcome: object) -> Any:
    if not isinstance(outcome, Progress):
        raise SessionFailed(name, "no progress (stasis)")
    return outcome.next


def _summary(log: InMemoryPersister[Any], encode: Callable[[Any], str]) -> JsonObject:
    events = log.events
    return {
        "state": "Closed" if log.closed else "Open",
        "closed": log.closed,
        "events": len(events),
        "last_event": variant_name(encode(events[-1])) if events else "",
    }


def run_session(p: SessionArgs, rng: RandomSource, clock: Clock = SYSTEM_CLOCK) -> JsonObject:
    """One whole session on ``p``; the two logs' summaries and the payjoin's txid."""
    directory = Directory(p.gateway_ikm, rng)
    rlog: InMemoryPersister[ReceiverEvent] = InMemoryPersister()
    slog: InMemoryPersister[SenderEvent] = InMemoryPersister()
    with _step("build"):
        builder = ReceiverBuilder(p.address, p.directory, directory.key_config)
        receiver = builder.build(rng=rng, clock=clock).save(rlog)
    with _step("build_recommended"):
        # The sender reads the pj URI as text, as a wallet would.
        built = SenderBuilder.new(p.original, receiver.pj_uri())
        sender = built.build_recommended(p.min_fee_rate, rng=rng).save(slog)
    with _step("sender post"):
        req, ctx = sender.create_v2_post_request(p.relay, rng=rng, clock=clock)
        polling = sender.process_response(directory.handle(req.body), ctx).save(slog)

    with _step("receiver poll"):
        req, ctx = receiver.create_poll_request(p.relay, rng=rng, clock=clock)
        polled = receiver.process_response(directory.handle(req.body), ctx).save(rlog)
    state: Any = _progressed("receiver poll", polled)
    with _step("checks"):
        state = state.check_broadcast_suitability(None, lambda _tx: True).save(rlog)
        state = state.check_inputs_not_owned(lambda _o: False).save(rlog)
        state = state.check_no_inputs_seen_before(lambda _o: False).save(rlog)
        script = address.decode(p.address).script_pubkey
        state = state.identify_receiver_outputs(lambda s: s == script).save(rlog)
    with _step("contribution"):
        state = state.commit_outputs().save(rlog)
        state = state.contribute_inputs(input_pairs(p.contribution), rng=rng)
        state = state.commit_inputs().save(rlog)
        state = state.apply_fee_range(None, None).save(rlog)
    with _step("finalize_proposal"):
        proposal = state.finalize_proposal(p.receiver_keys).save(rlog)
    with _step("receiver post"):
        req, ctx = proposal.create_post_request(p.relay, rng=rng, clock=clock)
        monitor = proposal.process_response(directory.handle(req.body), ctx).save(rlog)

    with _step("sender poll"):
        req, ctx = polling.create_poll_request(p.relay, rng=rng, clock=clock)
        checked = polling.process_response(directory.handle(req.body), ctx).save(slog)
    with _step("sender signing"):
        payjoin = extract_tx(p.sender_keys(_progressed("sender poll", checked)))
    txid = payjoin.txid()
    with _step("check_for_transaction"):
        found = monitor.check_for_transaction({txid: payjoin}.get).save(rlog)
    _progressed("check_for_transaction", found)
    return {
        "receiver": _summary(rlog, json_codec.encode_receiver_event),
        "sender": _summary(slog, json_codec.encode_sender_event),
        "payjoin_txid": txid[::-1].hex(),
    }


def payment_args(payment: Payment, gateway_ikm: bytes) -> JsonObject:
    """The op's ``args`` for ``payment`` (``session_payment.payment``): its Original, the
    receiver's address, key and one contributed coin, the sender's key, and the gateway's IKM."""
    return {
        "original": payment.original.to_base64(),
        "address": payment.receiver_address,
        **receiver_contribution(payment),
        "receiver_wif": payment.receiver_wif,
        "sender_wif": wif(payment.sender.key(AddressKind.P2WPKH).signing_secret),
        "gateway_ikm": gateway_ikm.hex(),
        "directory": DIRECTORY,
        "relay": RELAY,
        "min_fee_rate": MIN_FEE_RATE,
    }


def session_whole_handlers(rng: RandomSource, clock: Clock = SYSTEM_CLOCK) -> dict[str, Handler]:
    """``{"session.whole": handler}``: arguments first (``InvalidArgument``), then one session."""

    def whole(args: JsonObject) -> JsonObject:
        return run_session(SessionArgs.parse(args), rng, clock)

    return {OP: whole}
