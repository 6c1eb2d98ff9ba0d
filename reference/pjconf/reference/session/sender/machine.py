"""The payjoin 1.0 v2 sender as a typestate machine (``send/v2/mod.rs``), sans-IO.

Each state is an immutable value holding the :class:`SessionContext`. A state-changing method
*consumes* its state (a second use raises :class:`StateConsumed`, where Rust would not compile)
and returns a transition from :mod:`pjconf.reference.persist`; nothing is persisted until its
``save``. Requests and responses are bytes; randomness and the clock are injected.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import TypeAlias

from pjconf.reference.bip77 import messages
from pjconf.reference.bip77.short_id import short_id
from pjconf.reference.bip77.uri import PjParamV2, is_expired, parse_uri
from pjconf.reference.bip77.url import parse_url, percent_decode
from pjconf.reference.bitcoin import address
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.bitcoin.tx import Transaction
from pjconf.reference.crypto.secp256k1 import KeyPair, uncompress
from pjconf.reference.entropy import SYSTEM_CLOCK, SYSTEM_RANDOM, Clock, RandomSource
from pjconf.reference.errors import InvalidArgument, ParseError, PjconfError
from pjconf.reference.payjoin.params import OutputSubstitution
from pjconf.reference.payjoin.request_body import serialize_v2_body
from pjconf.reference.payjoin.sender import SenderBuilder as PsbtContextBuilder
from pjconf.reference.payjoin.sender import SenderContext
from pjconf.reference.persist import (
    MaybeFatalTransition,
    MaybeSuccessTransitionWithNoResults,
    NextStateTransition,
    TerminalTransition,
)
from pjconf.reference.session import directory_wire
from pjconf.reference.session.directory_wire import OhttpResponse, Request
from pjconf.reference.session.sender import wire
from pjconf.reference.session.sender.errors import (
    CreateRequestError,
    DecapsulationError,
    DirectoryResponseError,
    ResponseError,
)
from pjconf.reference.session.sender.events import (
    Aborted,
    Cancelled,
    Closed,
    Created,
    PjParam,
    PostedOriginalPsbt,
    SenderEvent,
    SessionContext,
    SessionOutcome,
    Success,
)
from pjconf.reference.session.typestate import Typestate


@dataclass(frozen=True)
class _Typestate(Typestate[SessionContext]):
    """Shared by the sender's typestates: the endpoint, the expiry check, the reply keys."""

    def endpoint(self) -> str:
        """The mailbox URL of the receiver, as the crate prints it."""
        return wire.endpoint(self.session_context.pj_param).serialize()

    def _expired(self, clock: Clock | None) -> None:
        expiration = self.session_context.pj_param.expiration
        if is_expired(expiration, clock or SYSTEM_CLOCK):
            raise CreateRequestError("Expired", expiration=expiration)

    def _reply_keys(self) -> KeyPair:
        return KeyPair.from_secret(self.session_context.reply_key)


def fallback_of(context: SessionContext) -> Transaction:
    """The Original PSBT's transaction (``extract_tx_unchecked_fee_rate``)."""
    return context.psbt_ctx.original_psbt.extract_tx()


def _cancel(state: _Typestate) -> NextStateTransition[SenderEvent, PendingFallback]:
    context = state._take()
    return NextStateTransition.success(
        Cancelled(), PendingFallback(context, fallback_tx=fallback_of(context))
    )


@dataclass(frozen=True)
class WithReplyKey(_Typestate):
    """Built, Original PSBT not yet accepted by the directory."""

    def create_v2_post_request(
        self,
        ohttp_relay: str,
        *,
        rng: RandomSource | None = None,
        clock: Clock | None = None,
    ) -> tuple[Request, OhttpResponse]:
        """The OHTTP-sealed POST of message A (the sanitized Original PSBT); not persisted."""
        self._check()
        self._expired(clock)
        ctx = self.session_context
        body = serialize_v2_body(
            wire.clear_unneeded_fields(ctx.psbt_ctx.original_psbt), ctx.psbt_ctx
        )
        target = self.endpoint()
        reply_pk = self._reply_keys().public_compressed
        return wire.seal(ctx.pj_param, reply_pk, "POST", target, body, relay=ohttp_relay, rng=rng)

    def process_response(
        self, response: bytes, ctx: OhttpResponse
    ) -> MaybeFatalTransition[
        SenderEvent, PollingForProposal, DecapsulationError, None, WithReplyKey
    ]:
        """200 → ``PostedOriginalPsbt``; a fatal directory error → ``Closed(Aborted)``."""
        context = self._take()
        try:
            directory_wire.open_directory_response(response, ctx, get=False)
        except DirectoryResponseError as e:
            error = DecapsulationError("DirectoryResponse", e)
            if e.is_fatal():
                return MaybeFatalTransition.fatal(Closed(Aborted()), error)
            return MaybeFatalTransition.transient(error, WithReplyKey(context))
        return MaybeFatalTransition.success(PostedOriginalPsbt(), PollingForProposal(context))

    def cancel(self) -> NextStateTransition[SenderEvent, PendingFallback]:
        """``Cancelled()`` → :class:`PendingFallback` holding the Original transaction."""
        return _cancel(self)


PollOutcome: TypeAlias = MaybeSuccessTransitionWithNoResults[
    SenderEvent, Psbt, "PollingForProposal", ResponseError
]


@dataclass(frozen=True)
class PollingForProposal(_Typestate):
    """The directory holds the Original PSBT; polling the reply mailbox for the proposal."""

    def create_poll_request(
        self,
        ohttp_relay: str,
        *,
        rng: RandomSource | None = None,
        clock: Clock | None = None,
    ) -> tuple[Request, OhttpResponse]:
        """A GET of the reply mailbox carrying a message A of an empty body (as the crate does)."""
        self._check()
        self._expired(clock)
        ctx = self.session_context
        reply_pk = self._reply_keys().public_compressed
        target = wire.mailbox_url(ctx.pj_param, short_id(reply_pk))
        return wire.seal(ctx.pj_param, reply_pk, "GET", target, b"", relay=ohttp_relay, rng=rng)

    def process_response(self, response: bytes, ctx: OhttpResponse) -> PollOutcome:
        """202 → stasis; a checked proposal → ``Closed(Success)``; errors as the crate has them."""
        context = self._take()
        aborted = Closed(Aborted())
        try:
            body = directory_wire.open_directory_response(response, ctx, get=True)
        except DirectoryResponseError as e:
            error = _decapsulation("DirectoryResponse", e)
            if e.is_fatal():
                return MaybeSuccessTransitionWithNoResults.fatal(aborted, error)
            return MaybeSuccessTransitionWithNoResults.transient(error, PollingForProposal(context))
        if body is None:
            return MaybeSuccessTransitionWithNoResults.no_results(PollingForProposal(context))
        try:
            plaintext = messages.open_message_b(
                body, KeyPair.from_secret(context.reply_key), context.pj_param.receiver_pubkey
            )
        except PjconfError as e:
            return MaybeSuccessTransitionWithNoResults.fatal(aborted, _decapsulation("Hpke", e))
        reply = error_reply(plaintext)
        if reply is not None:
            return MaybeSuccessTransitionWithNoResults.fatal(aborted, reply)
        try:
            proposal = Psbt.deserialize(plaintext)
        except PjconfError as e:
            text = f"proposal PSBT error: psbt error: {psbt_parse_text(e)}"
            error = ResponseError("Psbt", _invalid(text), source=e)
            return MaybeSuccessTransitionWithNoResults.fatal(aborted, error)
        try:
            checked = context.psbt_ctx.process_proposal(proposal)
        except PjconfError as e:
            error = ResponseError("Proposal", _invalid(f"proposal PSBT error: {e}"), source=e)
            return MaybeSuccessTransitionWithNoResults.fatal(aborted, error)
        return MaybeSuccessTransitionWithNoResults.success(checked, Closed(Success(checked)))

    def cancel(self) -> NextStateTransition[SenderEvent, PendingFallback]:
        """``Cancelled()`` → :class:`PendingFallback` holding the Original transaction."""
        return _cancel(self)


PSBT_PARSE_TEXTS = {
    "InvalidMagic": "invalid magic",
    "InvalidSeparator": "invalid separator",
}
"""rust-bitcoin 0.32's ``psbt::Error`` Display where the reference's parse error names the same
fault. Other parse failures keep the reference's own text (the two parsers' reasons do not map
one to one; a padded message B is never too short for the magic)."""


def psbt_parse_text(error: PjconfError) -> str:
    """What follows ``psbt error: `` when the proposal does not parse."""
    reason = error.reason if isinstance(error, ParseError) else ""
    return PSBT_PARSE_TEXTS.get(reason, str(error))


def _invalid(detail: str) -> str:
    return f"The receiver sent an invalid response: {detail}"


def _decapsulation(variant: str, source: PjconfError) -> ResponseError:
    error = DecapsulationError(variant, source)
    return ResponseError(
        "Decapsulation", _invalid(f"v2 encapsulation error: {error}"), source=error
    )


def error_reply(plaintext: bytes) -> ResponseError | None:
    """``ResponseError::from_slice``: the bytes up to the first NUL, if they are any JSON value.

    JSON with a string ``errorCode`` is the receiver's error reply (well-known or not); any other
    JSON is the crate's ``Parse`` validation error. Both end the session.
    """
    head = plaintext.split(b"\x00", 1)[0]
    try:
        value = json.loads(head.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    code = value.get("errorCode") if isinstance(value, dict) else None
    message = value.get("message") if isinstance(value, dict) else None
    message = message if isinstance(message, str) else ""
    if not isinstance(code, str):
        return ResponseError("Parse", _invalid("couldn't decode as PSBT or JSON"), reply=value)
    if code in WELL_KNOWN_TEXTS:
        return ResponseError("WellKnown", well_known_text(code, value), reply=value)
    return ResponseError("Unrecognized", "The receiver sent an unrecognized error.", reply=value)


WELL_KNOWN_TEXTS = {
    "unavailable": "The payjoin endpoint is not available for now.",
    "not-enough-money": "The receiver added some inputs but could not bump the fee of the "
    "payjoin proposal.",
    "version-unsupported": "This version of payjoin is not supported.",
    "original-psbt-rejected": "The receiver rejected the original PSBT.",
}
"""payjoin 1.0's ``WellKnownError`` Display (``send/error.rs``): a fixed text per code; the
receiver's own message is never shown (it is kept in ``ResponseError.reply``)."""


def well_known_text(code: str, reply: dict[str, object]) -> str:
    """The fixed text; ``version-unsupported`` lists the integers of ``supported`` as Rust's
    ``{:?}`` of a ``Vec<u64>`` (anything else in it is dropped, a non-array gives ``[]``)."""
    if code != "version-unsupported":
        return WELL_KNOWN_TEXTS[code]
    supported = reply.get("supported")
    items = supported if isinstance(supported, list) else []
    versions = [v for v in items if isinstance(v, int) and not isinstance(v, bool) and v >= 0]
    listed = ", ".join(str(v) for v in versions if v < 2**64)
    return f"This version of payjoin is not supported. Use version [{listed}]."


def _no_constant(name: str) -> object:
    raise ValueError(name)


@dataclass(frozen=True)
class PendingFallback(_Typestate):
    """Cancelled: the Original transaction should be broadcast; ``close()`` ends the session."""

    fallback_tx: Transaction = field(kw_only=True)

    def close(self) -> TerminalTransition[SenderEvent, None]:
        """``Closed(Aborted)``, saved and closed. Like the crate's ``&self`` method it does not
        consume the state."""
        self._check()
        return TerminalTransition.new(Closed(Aborted()), None)


@dataclass(frozen=True)
class ClosedSession:
    """``SendSession::Closed``: the outcome; no methods."""

    outcome: SessionOutcome


SendSession: TypeAlias = WithReplyKey | PollingForProposal | PendingFallback | ClosedSession
"""payjoin's ``SendSession``: the state a replayed log is in."""

STATE_NAMES: dict[type, str] = {
    WithReplyKey: "WithReplyKey",
    PollingForProposal: "PollingForProposal",
    PendingFallback: "PendingFallback",
    ClosedSession: "Closed",
}


# -- building ------------------------------------------------------------------------------------


def pj_param_from_uri(text: str) -> tuple[PjParam, str, int | None]:
    """The sender's persisted ``PjParam`` from a BIP 21 URI, with the address and amount.

    The crate keeps the *whole* ``pj`` URL (path and fragment, ``%23`` decoded) as
    ``directory``, so it is parsed again from the raw parameter after :func:`parse_uri` checks it.
    A BIP 78 URI is refused: the v2 builder only supports v2 endpoints.
    """
    uri = parse_uri(text)
    if not isinstance(uri.pj, PjParamV2):
        raise InvalidArgument("V2 SenderBuilder only supports v2 URLs")
    query = text.split("?", 1)[1].split("#", 1)[0]
    raw = next(v for k, _, v in (p.partition("=") for p in query.split("&")) if k == "pj")
    directory = parse_url(percent_decode(raw).decode("utf-8"))
    pj = PjParam(
        directory,
        uri.pj.mailbox,
        uri.pj.expiration,
        uri.pj.ohttp_keys,
        uncompress(uri.pj.receiver_pk),
    )
    return pj, uri.address, uri.amount


@dataclass(frozen=True)
class SenderBuilder:
    """``send::v2::SenderBuilder``: output substitution is always enabled unless disabled here."""

    psbt: Psbt
    pj_param: PjParam
    payee: bytes
    amount: int | None = None
    output_substitution: OutputSubstitution = OutputSubstitution.ENABLED

    @classmethod
    def new(cls, psbt: Psbt, pj_uri: str) -> SenderBuilder:
        """From an Original PSBT and a ``bitcoin:…?pj=…`` URI."""
        pj, addr, amount = pj_param_from_uri(pj_uri)
        return cls.from_parts(psbt, pj, address.decode(addr).script_pubkey, amount)

    @classmethod
    def from_parts(
        cls, psbt: Psbt, pj_param: PjParam, payee: bytes, amount: int | None
    ) -> SenderBuilder:
        """The receiver's ``pjos`` is ignored: v2 is end-to-end authenticated."""
        return cls(psbt, pj_param, payee, amount)

    def always_disable_output_substitution(self) -> SenderBuilder:
        return replace(self, output_substitution=OutputSubstitution.DISABLED)

    def _psbt(self) -> PsbtContextBuilder:
        return PsbtContextBuilder(self.psbt, self.payee, self.amount)

    def build_recommended(
        self, min_fee_rate: int, *, rng: RandomSource | None = None
    ) -> NextStateTransition[SenderEvent, WithReplyKey]:
        """Offer one input's weight at ``min_fee_rate`` from the change (BIP 78's advice)."""
        ctx = self._psbt().build_recommended(min_fee_rate, self.output_substitution)
        return self._created(ctx, rng)

    def build_with_additional_fee(
        self,
        max_fee_contribution: int,
        change_index: int | None,
        min_fee_rate: int,
        clamp_fee_contribution: bool,
        *,
        rng: RandomSource | None = None,
    ) -> NextStateTransition[SenderEvent, WithReplyKey]:
        ctx = self._psbt().build_with_additional_fee(
            max_fee_contribution,
            change_index,
            min_fee_rate,
            clamp_fee_contribution,
            self.output_substitution,
        )
        return self._created(ctx, rng)

    def build_non_incentivizing(
        self, min_fee_rate: int, *, rng: RandomSource | None = None
    ) -> NextStateTransition[SenderEvent, WithReplyKey]:
        ctx = self._psbt().build_non_incentivizing(min_fee_rate, self.output_substitution)
        return self._created(ctx, rng)

    def _created(
        self, psbt_ctx: SenderContext, rng: RandomSource | None
    ) -> NextStateTransition[SenderEvent, WithReplyKey]:
        reply = KeyPair.generate(rng or SYSTEM_RANDOM)
        context = SessionContext(self.pj_param, psbt_ctx, reply.secret)
        return NextStateTransition.success(Created(context), WithReplyKey(context))
