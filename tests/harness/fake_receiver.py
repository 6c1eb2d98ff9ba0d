"""A stand-in receiver for driving whole sessions in-process, until the reference serves its own.

It answers the adapter protocol's receiver ``session.*`` ops with the reference's crypto core
(OHTTP, BHTTP, message A/B) and its version-independent receiver
(:mod:`pjconf.reference.payjoin.receiver`), so the reference sender it meets checks a real
proposal. It follows payjoin 1.0's transitions and outcome classes (``receive/v2/mod.rs``), but
its log entries are placeholders (``{"Fake": [state, n]}``): the session driver only counts
events, it never reads them. Randomness is seeded (``seed``); ``now`` is ignored.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pjconf.harness.adapters.base import Handler, InProcessAdapter
from pjconf.harness.protocol import JsonObject
from pjconf.harness.session_driver import relay_url
from pjconf.reference.bip77 import bhttp, messages, ohttp
from pjconf.reference.bip77.ohttp import RequestContext
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.bip77.short_id import format_short_id, short_id
from pjconf.reference.bip77.uri import PjParamV2, PjUri, format_uri
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.crypto.secp256k1 import KeyPair
from pjconf.reference.entropy import SeededRandom
from pjconf.reference.errors import InvalidSize, OpenError, ParseError, PjconfError
from pjconf.reference.payjoin import receiver as common
from pjconf.reference.payjoin.receiver_errors import PayloadError


class InvalidState(PjconfError):
    kind = "InvalidState"


NO_FALLBACK = ("Initialized", "UncheckedOriginalPayload")
"""States whose ``cancel`` closes the session: no broadcastable fallback is known yet."""


@dataclass
class _Session:
    key: KeyPair
    config: OhttpKeyConfig
    directory: str
    rng: SeededRandom
    state: str = "Initialized"
    events: list[str] = field(default_factory=list)
    closed: bool = False
    work: Any = None
    """The current object of the version-independent receiver (payload, WantsOutputs, ...)."""
    reply_pk: bytes = b""
    error_reply: bytes = b""
    fallback: bool = False
    proposal: Psbt | None = None

    def step(self, outcome: str, state: str, **extra: Any) -> JsonObject:
        """Apply one transition's effect as the outcome table says, and report it."""
        appended = []
        if outcome not in ("stasis", "transient"):
            appended = [json.dumps({"Fake": [state, len(self.events)]})]
            self.events += appended
        self.closed = self.closed or outcome in ("fatal", "terminal")
        self.state = state
        return {
            "outcome": outcome,
            "appended": appended,
            "closed": self.closed,
            "state": state,
            **extra,
        }


def _error(e: PjconfError) -> JsonObject:
    return {"error": {"kind": e.kind, "message": e.message}}


class FakeReceiver:
    """The receiver ``session.*`` ops, over a handle table."""

    def __init__(self) -> None:
        self.sessions: dict[str, _Session] = {}
        self.contexts: dict[str, tuple[str, RequestContext]] = {}
        self.counter = itertools.count(1)

    def handlers(self) -> dict[str, Handler]:
        return {
            "session.new_receiver": self.new_receiver,
            "session.request": self.request,
            "session.response": self.response,
            "session.call": self.call,
            "session.events": self.events,
        }

    def new_receiver(self, args: JsonObject) -> JsonObject:
        rng = SeededRandom(str(args["seed"]))
        session = _Session(
            KeyPair.generate(rng),
            OhttpKeyConfig.decode(bytes.fromhex(args["ohttp_keys"])),
            args["directory"],
            rng,
        )
        pj = PjParamV2(
            session.directory,
            short_id(session.key.public),
            session.key.public_compressed,
            session.config,
            args["expiration"],
        )
        handle = f"fake-receiver-{next(self.counter)}"
        self.sessions[handle] = session
        session.step("progress", "Initialized")
        uri = format_uri(PjUri(args["address"], args.get("amount"), pj))
        return {"handle": handle, "state": "Initialized", "appended": session.events, "pj_uri": uri}

    def events(self, args: JsonObject) -> JsonObject:
        s = self.sessions[args["handle"]]
        return {"events": list(s.events), "closed": s.closed, "state": s.state}

    # -- the directory ---------------------------------------------------------------------------

    def request(self, args: JsonObject) -> JsonObject:
        handle = args["handle"]
        s = self.sessions[handle]
        if s.state == "Initialized":
            method, mailbox, body = "GET", s.key.public, b""
        elif s.state == "PayjoinProposal" and s.proposal is not None:
            body = messages.seal_message_b(s.proposal.serialize(), s.key, s.reply_pk, rng=s.rng)
            method, mailbox = "POST", s.reply_pk
        elif s.state == "HasReplyableError":
            body = messages.seal_message_b(s.error_reply, s.key, s.reply_pk, rng=s.rng)
            method, mailbox = "POST", s.reply_pk
        else:
            raise InvalidState(f"session.request is not a method of {s.state}")
        url = s.directory + format_short_id(short_id(mailbox))
        message = bhttp.encode_request(bhttp.request_for_url(method, url, body))
        request, ctx = ohttp.seal_request(s.config, message, rng=s.rng)
        context = f"fake-ctx-{next(self.counter)}"
        self.contexts[context] = (handle, ctx)
        return {
            "url": relay_url(args["relay"], s.directory),
            "method": "POST",
            "body": request.hex(),
            "context": context,
        }

    def response(self, args: JsonObject) -> JsonObject:
        s = self.sessions[args["handle"]]
        _, ctx = self.contexts.pop(args["context"])
        try:
            answer = bhttp.decode_response(ohttp.open_response(ctx, bytes.fromhex(args["body"])))
        except InvalidSize as e:
            return s.step("transient", s.state, **_error(e))
        except (OpenError, ParseError) as e:
            return self._directory_failed(s, fatal=True, error=e)
        if s.state == "Initialized" and answer.status == 202:
            return s.step("stasis", "Initialized")
        if answer.status != 200:
            failure = InvalidState(f"Unexpected status code: {answer.status}")
            return self._directory_failed(s, fatal=400 <= answer.status < 500, error=failure)
        if s.state == "Initialized":
            s.reply_pk, padded = messages.open_message_a(answer.body, s.key)
            text = padded.rstrip(b"\x00").decode()
            psbt_text, _, query = text.partition("\n")
            s.work = common.parse_payload(psbt_text, query, (1, 2))
            return s.step("progress", "UncheckedOriginalPayload")
        if s.state == "PayjoinProposal":
            return s.step("progress", "Monitor")
        return s.step("progress", "PendingFallback") if s.fallback else s.step("terminal", "Closed")

    def _directory_failed(self, s: _Session, *, fatal: bool, error: PjconfError) -> JsonObject:
        if not fatal:
            return s.step("transient", s.state, **_error(error))
        if s.state == "Initialized" or not s.fallback:
            return s.step("fatal", "Closed", **_error(error))
        return s.step("replyable", "PendingFallback", **_error(error))

    # -- the receiver's methods ------------------------------------------------------------------

    def call(self, args: JsonObject) -> JsonObject:
        s = self.sessions[args["handle"]]
        method, margs = args["method"], args.get("args", {})
        if method == "cancel":
            if s.state in NO_FALLBACK or (s.state == "HasReplyableError" and not s.fallback):
                return s.step("terminal", "Closed")
            return s.step("progress", "PendingFallback")
        if method == "contribute_inputs" and s.state == "WantsInputs":
            return s.step("stasis", "WantsInputs")  # not persisted in payjoin; adds nothing here
        if method == "close" and s.state == "PendingFallback":
            return s.step("terminal", "Closed")
        if method == "check_for_transaction" and s.state == "Monitor" and s.proposal:
            found = s.proposal.unsigned_tx.txid_hex() in margs["found_txids"]
            return s.step("terminal", "Closed") if found else s.step("stasis", "Monitor")
        if (s.state, method) not in _CHECKS:
            raise InvalidState(f"{method} is not a method of {s.state}")
        check, following = _CHECKS[s.state, method]
        try:
            s.work = check(s.work, margs) or s.work
        except PayloadError as e:
            s.error_reply = json.dumps({"errorCode": e.error_code, "message": e.message}).encode()
            return s.step("replyable", "HasReplyableError", **_error(e))
        s.fallback = True
        if following == "PayjoinProposal":
            s.proposal = s.work
            return s.step("progress", following, value={"psbt": s.work.to_base64()})
        return s.step("progress", following)


Check = Callable[[Any, JsonObject], Any]


def _outpoints(answer: list[str]) -> Callable[[object], bool]:
    return lambda outpoint: str(outpoint) in answer


_CHECKS: dict[tuple[str, str], tuple[Check, str]] = {
    ("UncheckedOriginalPayload", "check_broadcast_suitability"): (
        lambda w, a: w.check_broadcast_suitability(None, lambda _: a["can_broadcast"]),
        "MaybeInputsOwned",
    ),
    ("MaybeInputsOwned", "check_inputs_not_owned"): (
        lambda w, a: w.check_inputs_not_owned(_outpoints(a["owned_outpoints"])),
        "MaybeInputsSeen",
    ),
    ("MaybeInputsSeen", "check_no_inputs_seen_before"): (
        lambda w, a: w.check_no_inputs_seen_before(_outpoints(a["seen_outpoints"])),
        "OutputsUnknown",
    ),
    ("OutputsUnknown", "identify_receiver_outputs"): (
        lambda w, a: w.identify_receiver_outputs(lambda spk: spk.hex() in a["receiver_scripts"]),
        "WantsOutputs",
    ),
    ("WantsOutputs", "commit_outputs"): (lambda w, _: w.commit_outputs(), "WantsInputs"),
    ("WantsInputs", "commit_inputs"): (lambda w, _: w.commit_inputs(), "WantsFeeRange"),
    ("WantsFeeRange", "apply_fee_range"): (
        lambda w, a: w.apply_fee_range(a.get("min_fee_rate"), a.get("max_effective_fee_rate")),
        "ProvisionalProposal",
    ),
    ("ProvisionalProposal", "finalize_proposal"): (
        lambda w, _: w.finalize_proposal(lambda psbt: psbt),  # no input of ours to sign
        "PayjoinProposal",
    ),
}


def fake_receiver_adapter() -> InProcessAdapter:
    return InProcessAdapter("pjconf-fake-receiver", "0", FakeReceiver().handlers())
