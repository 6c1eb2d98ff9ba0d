"""The payjoin 1.0 v2 receiver as a typestate machine (``receive/v2/mod.rs``), sans-IO.

Fourteen states, each an immutable value holding the :class:`SessionContext` and its own data,
as the crate's ``Receiver<S>``. A state-changing method *consumes* its state (a second use raises
:class:`StateConsumed`, where Rust would not compile) and returns a transition from
:mod:`pjconf.reference.persist`; nothing is persisted until its ``save``. A transient rejection
or a stasis hands back an *equal*, unconsumed copy. The PSBT logic is the version-independent
receiver of :mod:`pjconf.reference.payjoin.receiver` (``common``); requests and responses are
bytes; randomness and the clock are injected. Wallet callbacks are plain callables: whatever
they raise is the crate's ``ImplementationError`` (transient). The builder is
:mod:`.receiver_builder`, the wire helpers :mod:`.receiver_wire`, the errors
:mod:`.receiver_session_errors`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Protocol, TypeAlias, TypeVar

from pjconf.reference.bip77 import messages
from pjconf.reference.bip77.short_id import short_id
from pjconf.reference.bip77.uri import format_uri, is_expired
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxOut
from pjconf.reference.crypto.secp256k1 import KeyPair, uncompress
from pjconf.reference.entropy import SYSTEM_CLOCK, SYSTEM_RANDOM, Clock, RandomSource
from pjconf.reference.errors import PjconfError
from pjconf.reference.payjoin import errors as payjoin_errors
from pjconf.reference.payjoin import receiver as common
from pjconf.reference.payjoin import receiver_errors as payjoin_receiver_errors
from pjconf.reference.payjoin.params import OutputSubstitution
from pjconf.reference.persist import (
    MaybeFatalOrSuccessTransition,
    MaybeFatalTransition,
    MaybeFatalTransitionWithNoResults,
    MaybeTerminalSuccessTransition,
    MaybeTerminalTransition,
    MaybeTransientTransition,
    NextStateTransition,
    TerminalTransition,
)
from pjconf.reference.session.directory_wire import (
    OhttpResponse,
    Request,
    open_directory_response,
)
from pjconf.reference.session.receiver import wire
from pjconf.reference.session.receiver.errors import (
    CoinSelectionError,
    CreateRequestError,
    DirectoryResponseError,
    Error,
    ImplementationError,
    InputContributionError,
    OutputSubstitutionError,
    ProtocolError,
    SessionError,
    hpke_error_text,
    json_reply,
    reply_json_text,
    wrap_receive_error,
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
    ErrorCode,
    FallbackBroadcasted,
    FinalizedProposal,
    GotReplyableError,
    IdentifiedReceiverOutputs,
    JsonReply,
    OriginalPayload,
    PayjoinProposalSent,
    PostedPayjoinProposal,
    ProtocolFailed,
    ReceiverEvent,
    ReceiverPsbtContext,
    RetrievedOriginalPayload,
    SessionContext,
    SessionOutcome,
    Success,
)
from pjconf.reference.session.typestate import Typestate, fresh

__all__ = [
    "HAS_FALLBACK_TX",
    "STATE_NAMES",
    "SUPPORTED_VERSIONS",
    "CheckTransition",
    "ClosedSession",
    "HasFallbackTx",
    "HasReplyableError",
    "Initialized",
    "MaybeInputsOwned",
    "MaybeInputsSeen",
    "Monitor",
    "OutputsUnknown",
    "PayjoinProposal",
    "PendingFallback",
    "PollTransition",
    "ProvisionalProposal",
    "ReceiveSession",
    "UncheckedOriginalPayload",
    "WantsFeeRange",
    "WantsInputs",
    "WantsOutputs",
    "fallback_of",
]

SUPPORTED_VERSIONS = (1, 2)
"""The versions a v2 receiver accepts from a sender (``SUPPORTED_VERSIONS``)."""


def fallback_of(original_psbt: Psbt) -> Transaction:
    """The sender's fallback: the Original PSBT's tx (``extract_tx_unchecked_fee_rate``)."""
    return original_psbt.extract_tx()


@dataclass(frozen=True)
class _Typestate(Typestate[SessionContext]):
    """Shared by the receiver's typestates: the request expiry check."""

    def _expired(self, clock: Clock | None) -> None:
        """``CreateRequestError::Expired`` once ``expiration <= now`` (checked by requests only)."""
        expiration = self.session_context.expiration
        if is_expired(expiration, clock or SYSTEM_CLOCK):
            raise CreateRequestError("Expired", expiration=expiration)


_S = TypeVar("_S", bound=_Typestate)


def _receiver_keys(context: SessionContext) -> KeyPair:
    return KeyPair.from_secret(context.receiver_key.secret)


def _proposal_mailbox(context: SessionContext) -> bytes:
    """Where the sender's Original PSBT arrives: the ShortId of the receiver key."""
    return short_id(context.receiver_key.public)


_ABORTED = Closed(Aborted())
_UNAVAILABLE = JsonReply(ErrorCode.UNAVAILABLE, "Receiver error", {})


class _HasFallback(Protocol):
    @property
    def session_context(self) -> SessionContext: ...

    def _take(self) -> SessionContext: ...

    def fallback_tx(self) -> Transaction: ...


class _CancelsToFallback:
    """What the crate's ``impl<S: HasFallbackTx> Receiver<S>`` gives every checked state."""

    def cancel(self: _HasFallback) -> NextStateTransition[ReceiverEvent, PendingFallback]:
        """``Cancelled`` → :class:`PendingFallback` holding the Original transaction."""
        fallback = self.fallback_tx()
        context = self._take()
        return NextStateTransition.success(
            Cancelled(), PendingFallback(context, fallback_tx=fallback)
        )

    def proposal_txid_is_stable(self: _HasFallback) -> bool:
        """No sender input has a scriptSig, so the proposal's txid survives the sender's
        signatures (legacy and P2SH-wrapped inputs change it)."""
        return all(not txin.script_sig for txin in self.fallback_tx().inputs)


# -- the checks' shared rejection ----------------------------------------------------------------

_N = TypeVar("_N")
_C = TypeVar("_C")
CheckTransition: TypeAlias = MaybeFatalTransition[ReceiverEvent, _N, Error, "HasReplyableError", _C]
"""What a check returns: progress, transient (a wallet callback failed) or replyable."""


def _rejected(
    failure: payjoin_errors.PayjoinError,
    current: _C,
    context: SessionContext,
    fallback: Transaction | None,
) -> CheckTransition[_N, _C]:
    """A failed check: an implementation error is transient; any other is replyable, with
    ``GotReplyableError`` saved and :class:`HasReplyableError` as the error state."""
    error = wrap_receive_error(failure)
    if error.variant == "Implementation":
        return MaybeFatalTransition.transient(error, current)
    reply = json_reply(error)
    state = HasReplyableError(context, error_reply=reply, fallback_tx=fallback)
    return MaybeFatalTransition.replyable_error(GotReplyableError(reply), state, error)


# -- Initialized ---------------------------------------------------------------------------------

PollTransition: TypeAlias = MaybeFatalTransitionWithNoResults[
    ReceiverEvent, "UncheckedOriginalPayload", "Initialized", ProtocolError
]


@dataclass(frozen=True)
class Initialized(_Typestate):
    """Built; polling the receiver's mailbox for the Original PSBT."""

    def pj_uri(self) -> str:
        """The BIP 21 URI to hand the sender (:func:`.receiver_wire.pj_uri`), as text."""
        return format_uri(wire.pj_uri(self.session_context))

    def create_poll_request(
        self, ohttp_relay: str, *, rng: RandomSource | None = None, clock: Clock | None = None
    ) -> tuple[Request, OhttpResponse]:
        """An OHTTP GET of the receiver's own mailbox; not persisted."""
        self._check()
        self._expired(clock)
        ctx = self.session_context
        return wire.request(ctx, "GET", _proposal_mailbox(ctx), b"", relay=ohttp_relay, rng=rng)

    def process_response(self, response: bytes, ctx: OhttpResponse) -> PollTransition:
        """202 → stasis; 200 → ``RetrievedOriginalPayload``; a fatal directory error or *any*
        error in the payload → ``Closed(Aborted)``; other directory errors are transient."""
        context = self._take()
        current = fresh(self)
        try:
            body = open_directory_response(response, ctx, get=True)
        except DirectoryResponseError as e:
            error = ProtocolError.directory(e)
            if e.is_fatal():
                return MaybeFatalTransitionWithNoResults.fatal(_ABORTED, error)
            return MaybeFatalTransitionWithNoResults.transient(error, current)
        if body is None:
            return MaybeFatalTransitionWithNoResults.no_results(current)
        try:
            original, reply_key = _extract_proposal(context, body)
        except ProtocolError as e:
            return MaybeFatalTransitionWithNoResults.fatal(_ABORTED, e)
        following = UncheckedOriginalPayload(
            replace(context, reply_key=reply_key), original=original
        )
        return MaybeFatalTransitionWithNoResults.success(
            RetrievedOriginalPayload(original, reply_key), following
        )

    def cancel(self) -> TerminalTransition[ReceiverEvent, None]:
        """``Closed(Aborted)``, saved and closed: nothing to fall back on yet."""
        self._take()
        return TerminalTransition.new(_ABORTED, None)


def _extract_proposal(context: SessionContext, body: bytes) -> tuple[OriginalPayload, bytes | None]:
    """A UTF-8 body is a v1 plaintext request (no reply key); anything else is message A."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return _unchecked_from_payload(text), None
    try:
        reply_pk, payload = messages.open_message_a(body, _receiver_keys(context))
    except PjconfError as e:
        raise ProtocolError("V2", SessionError("Hpke", e, detail=hpke_error_text(e))) from e
    try:
        text = bytes(payload).decode("utf-8")
    except UnicodeDecodeError as e:
        failure = payjoin_receiver_errors.PayloadError("Utf8", str(e))
        failure.__cause__ = e
        raise ProtocolError.payload(failure) from e
    return _unchecked_from_payload(text), uncompress(reply_pk)


def _unchecked_from_payload(text: str) -> OriginalPayload:
    """``base64 \\n query`` (the query's NUL padding trimmed); v1 disables output substitution,
    since a plaintext request could have been rewritten by the directory."""
    psbt_text, newline, rest = text.partition("\n")
    if not newline:
        psbt_text, rest = "", ""
    try:
        payload = common.parse_payload(psbt_text, rest.strip("\0"), SUPPORTED_VERSIONS)
    except payjoin_receiver_errors.PayloadError as e:
        raise ProtocolError.payload(e) from e
    if payload.params.v == 1:
        params = replace(payload.params, output_substitution=OutputSubstitution.DISABLED)
        payload = replace(payload, params=params)
    return payload


@dataclass(frozen=True)
class _HoldsOriginal(_Typestate):
    original: OriginalPayload = field(kw_only=True)


@dataclass(frozen=True)
class UncheckedOriginalPayload(_HoldsOriginal):
    """The Original PSBT and parameters, parsed; not yet checked for broadcast suitability."""

    def check_broadcast_suitability(
        self, min_fee_rate: int | None, can_broadcast: Callable[[Transaction], bool]
    ) -> CheckTransition[MaybeInputsOwned, UncheckedOriginalPayload]:
        """At least ``min_fee_rate`` (sat/kwu) and broadcastable; a refusal is replyable
        without a fallback (the Original PSBT was never accepted as one)."""
        context = self._take()
        try:
            self.original.check_broadcast_suitability(min_fee_rate, can_broadcast)
        except payjoin_errors.PayjoinError as e:
            return _rejected(e, fresh(self), context, None)
        following = MaybeInputsOwned(context, original=self.original)
        return MaybeFatalTransition.success(CheckedBroadcastSuitability(), following)

    def assume_interactive_receiver(self) -> NextStateTransition[ReceiverEvent, MaybeInputsOwned]:
        """Skip the check: the same ``CheckedBroadcastSuitability()`` event."""
        context = self._take()
        following = MaybeInputsOwned(context, original=self.original)
        return NextStateTransition.success(CheckedBroadcastSuitability(), following)

    def cancel(self) -> TerminalTransition[ReceiverEvent, None]:
        """``Closed(Aborted)``, saved and closed."""
        self._take()
        return TerminalTransition.new(_ABORTED, None)


@dataclass(frozen=True)
class _ChecksOriginal(_HoldsOriginal, _CancelsToFallback):
    """Past the broadcast check: the Original PSBT's transaction is now the fallback."""

    def fallback_tx(self) -> Transaction:
        return fallback_of(self.original.psbt)


@dataclass(frozen=True)
class MaybeInputsOwned(_ChecksOriginal):
    def extract_tx_to_schedule_broadcast(self) -> Transaction:
        return self.fallback_tx()

    def check_inputs_not_owned(
        self, is_owned: Callable[[OutPoint], bool]
    ) -> CheckTransition[MaybeInputsSeen, MaybeInputsOwned]:
        """No input spends one of our coins; a refusal is replyable with the fallback."""
        fallback = self.fallback_tx()
        context = self._take()
        try:
            self.original.check_inputs_not_owned(is_owned)
        except payjoin_errors.PayjoinError as e:
            return _rejected(e, fresh(self), context, fallback)
        following = MaybeInputsSeen(context, original=self.original)
        return MaybeFatalTransition.success(CheckedInputsNotOwned(), following)


@dataclass(frozen=True)
class MaybeInputsSeen(_ChecksOriginal):
    def check_no_inputs_seen_before(
        self, is_known: Callable[[OutPoint], bool]
    ) -> CheckTransition[OutputsUnknown, MaybeInputsSeen]:
        """No input was offered to us before (the probing defence)."""
        fallback = self.fallback_tx()
        context = self._take()
        try:
            self.original.check_no_inputs_seen_before(is_known)
        except payjoin_errors.PayjoinError as e:
            return _rejected(e, fresh(self), context, fallback)
        following = OutputsUnknown(context, original=self.original)
        return MaybeFatalTransition.success(CheckedNoInputsSeenBefore(), following)


@dataclass(frozen=True)
class OutputsUnknown(_ChecksOriginal):
    def identify_receiver_outputs(
        self, is_receiver_output: Callable[[bytes], bool]
    ) -> CheckTransition[WantsOutputs, OutputsUnknown]:
        """Our outputs (the first is the change output); none is ``MissingPayment``."""
        fallback = self.fallback_tx()
        context = self._take()
        try:
            inner = self.original.identify_receiver_outputs(is_receiver_output)
        except payjoin_errors.PayjoinError as e:
            return _rejected(e, fresh(self), context, fallback)
        event = IdentifiedReceiverOutputs(tuple(inner.owned_vouts))
        return MaybeFatalTransition.success(event, WantsOutputs(context, inner=inner))


def _edited(
    state: _S,
    edit: Callable[[], _N],
    refused: type[payjoin_errors.PayjoinError],
    wrap: Callable[[payjoin_errors.PayjoinError], PjconfError],
) -> _N:
    """A plain (unpersisted) edit: consumes ``state`` only when it succeeds.

    Rust moves the receiver into the call, so a failed edit loses it there; here the state stays
    usable, which changes nothing that is persisted. ``refused`` errors become ``wrap``'s
    crate-texted error.
    """
    state._check()
    try:
        result = edit()
    except refused as e:
        raise wrap(e) from e
    state._take()
    return result


@dataclass(frozen=True)
class WantsOutputs(_Typestate, _CancelsToFallback):
    inner: common.WantsOutputs = field(kw_only=True)

    def fallback_tx(self) -> Transaction:
        return fallback_of(self.inner.original.original_psbt)

    def output_substitution(self) -> OutputSubstitution:
        return self.inner.output_substitution

    def substitute_receiver_script(
        self, output_script: bytes, *, rng: RandomSource | None = None
    ) -> WantsOutputs:
        """Pay the change output's original value to ``output_script``; not persisted."""
        inner = _edited(
            self,
            lambda: self.inner.substitute_receiver_script(output_script, rng or SYSTEM_RANDOM),
            payjoin_receiver_errors.OutputSubstitutionError,
            OutputSubstitutionError,
        )
        return WantsOutputs(self.session_context, inner=inner)

    def replace_receiver_outputs(
        self,
        replacement_outputs: Iterable[TxOut],
        drain_script: bytes,
        *,
        rng: RandomSource | None = None,
    ) -> WantsOutputs:
        """Replace our outputs (extra ones shuffled in); ``drain_script`` takes the change."""
        outputs = list(replacement_outputs)
        inner = _edited(
            self,
            lambda: self.inner.replace_receiver_outputs(
                outputs, drain_script, rng or SYSTEM_RANDOM
            ),
            payjoin_receiver_errors.OutputSubstitutionError,
            OutputSubstitutionError,
        )
        return WantsOutputs(self.session_context, inner=inner)

    def commit_outputs(self) -> NextStateTransition[ReceiverEvent, WantsInputs]:
        """``CommittedOutputs{outputs, change_vout}``: the shuffle cannot be replayed, so saved."""
        context = self._take()
        inner = self.inner.commit_outputs()
        event = CommittedOutputs(inner.payjoin_psbt.unsigned_tx.outputs, inner.change_vout)
        return NextStateTransition.success(event, WantsInputs(context, inner=inner))


@dataclass(frozen=True)
class WantsInputs(_Typestate, _CancelsToFallback):
    inner: common.WantsInputs = field(kw_only=True)

    def fallback_tx(self) -> Transaction:
        return fallback_of(self.inner.original.original_psbt)

    def try_preserving_privacy(
        self, candidate_inputs: Iterable[common.InputPair]
    ) -> common.InputPair:
        """The UIH2-avoiding candidate, else the first; a read, not a transition."""
        self._check()
        try:
            return self.inner.try_preserving_privacy(candidate_inputs)
        except payjoin_receiver_errors.CoinSelectionError as e:
            raise CoinSelectionError(e) from e

    def contribute_inputs(
        self, inputs: Iterable[common.InputPair], *, rng: RandomSource | None = None
    ) -> WantsInputs:
        """Insert ``inputs`` at random positions, their value into the change; not persisted."""
        pairs = list(inputs)
        inner = _edited(
            self,
            lambda: self.inner.contribute_inputs(pairs, rng or SYSTEM_RANDOM),
            payjoin_receiver_errors.InputContributionError,
            InputContributionError,
        )
        return WantsInputs(self.session_context, inner=inner)

    def commit_inputs(self) -> NextStateTransition[ReceiverEvent, WantsFeeRange]:
        """``CommittedInputs{receiver_inputs, payjoin_psbt}`` (the positions were random)."""
        context = self._take()
        inner = self.inner.commit_inputs()
        event = CommittedInputs(inner.receiver_inputs, inner.payjoin_psbt)
        return NextStateTransition.success(event, WantsFeeRange(context, inner=inner))


@dataclass(frozen=True)
class WantsFeeRange(_Typestate, _CancelsToFallback):
    inner: common.WantsFeeRange = field(kw_only=True)

    def fallback_tx(self) -> Transaction:
        return fallback_of(self.inner.original.original_psbt)

    def apply_fee_range(
        self, min_fee_rate: int | None = None, max_effective_fee_rate: int | None = None
    ) -> MaybeFatalTransition[
        ReceiverEvent, ProvisionalProposal, ProtocolError, None, WantsFeeRange
    ]:
        """``AppliedFeeRange``; every error (``FeeTooHigh``) is transient. The maximum defaults
        to the session's ``max_fee_rate``."""
        context = self._take()
        maximum = context.max_fee_rate if max_effective_fee_rate is None else max_effective_fee_rate
        try:
            psbt_context = self.inner.apply_fee_range(min_fee_rate, maximum)
        except payjoin_receiver_errors.PayloadError as e:
            return MaybeFatalTransition.transient(ProtocolError.payload(e), fresh(self))
        following = ProvisionalProposal(context, psbt_context=psbt_context)
        return MaybeFatalTransition.success(AppliedFeeRange(psbt_context), following)


@dataclass(frozen=True)
class _HoldsPsbtContext(_Typestate, _CancelsToFallback):
    psbt_context: ReceiverPsbtContext = field(kw_only=True)

    def fallback_tx(self) -> Transaction:
        return fallback_of(self.psbt_context.original_psbt)


@dataclass(frozen=True)
class ProvisionalProposal(_HoldsPsbtContext):
    """Fees applied; waiting for the wallet's signatures."""

    def psbt_to_sign(self) -> Psbt:
        """The proposal without the sender's (now invalid) signatures."""
        return self.psbt_context.psbt_to_sign()

    def finalize_proposal(
        self, wallet_process_psbt: Callable[[Psbt], Psbt]
    ) -> MaybeTransientTransition[
        ReceiverEvent, PayjoinProposal, ImplementationError, ProvisionalProposal
    ]:
        """``FinalizedProposal(filtered psbt)``; a wallet failure, an ntxid change or a signed
        sender input is transient."""
        context = self._take()
        try:
            signed = self.psbt_context.finalize_proposal(wallet_process_psbt)
        except payjoin_errors.ImplementationError as e:
            return MaybeTransientTransition.transient(ImplementationError.of(e), fresh(self))
        psbt_context = ReceiverPsbtContext(self.psbt_context.original_psbt, signed)
        following = PayjoinProposal(context, psbt_context=psbt_context)
        return MaybeTransientTransition.success(FinalizedProposal(signed), following)


@dataclass(frozen=True)
class PayjoinProposal(_HoldsPsbtContext):
    """Signed and stripped; ``psbt_context.payjoin_psbt`` is what goes to the sender."""

    def psbt(self) -> Psbt:
        return self.psbt_context.payjoin_psbt

    def create_post_request(
        self, ohttp_relay: str, *, rng: RandomSource | None = None, clock: Clock | None = None
    ) -> tuple[Request, OhttpResponse]:
        """v2 sender: POST message B (the binary PSBT) to its reply mailbox. v1 sender: PUT the
        base64 PSBT in plaintext to the receiver's own mailbox. Not persisted."""
        self._check()
        self._expired(clock)
        ctx = self.session_context
        psbt = self.psbt_context.payjoin_psbt
        if ctx.reply_key is not None:
            body = wire.seal_message_b(psbt.serialize(), _receiver_keys(ctx), ctx.reply_key, rng)
            return wire.request(
                ctx, "POST", short_id(ctx.reply_key), body, relay=ohttp_relay, rng=rng
            )
        body = psbt.to_base64().encode()
        return wire.request(ctx, "PUT", _proposal_mailbox(ctx), body, relay=ohttp_relay, rng=rng)

    def process_response(
        self, response: bytes, ctx: OhttpResponse
    ) -> MaybeFatalTransition[
        ReceiverEvent, Monitor, ProtocolError, PendingFallback, PayjoinProposal
    ]:
        """200 → ``PostedPayjoinProposal()``; a fatal directory error saves ``ProtocolFailed`` and
        leaves the session open in :class:`PendingFallback`; others are transient."""
        fallback = self.fallback_tx()
        context = self._take()
        try:
            open_directory_response(response, ctx, get=False)
        except DirectoryResponseError as e:
            error = ProtocolError.directory(e)
            if e.is_fatal():
                pending = PendingFallback(context, fallback_tx=fallback)
                return MaybeFatalTransition.replyable_error(ProtocolFailed(), pending, error)
            return MaybeFatalTransition.transient(error, fresh(self))
        following = Monitor(context, psbt_context=self.psbt_context)
        return MaybeFatalTransition.success(PostedPayjoinProposal(), following)


@dataclass(frozen=True)
class Monitor(_HoldsPsbtContext):
    """Proposal delivered; watching the chain for the payjoin or the fallback."""

    def check_for_transaction(
        self, find_transaction: Callable[[bytes], Transaction | None]
    ) -> MaybeFatalOrSuccessTransition[ReceiverEvent, Monitor, Error]:
        """Ask the wallet for the payjoin txid, then the fallback's (internal byte order).

        An unstable proposal txid ends the session at once (``PayjoinProposalSent``, the
        callback never called); the payjoin found → ``Success(txid)``, but a returned transaction
        with another txid is transient; the fallback found → ``FallbackBroadcasted``; neither →
        stasis; a callback that raises → transient.
        """
        fallback = self.fallback_tx()
        stable = self.proposal_txid_is_stable()
        self._take()
        if not stable:
            return MaybeFatalOrSuccessTransition.success(Closed(PayjoinProposalSent()))
        payjoin_txid = self.psbt_context.payjoin_psbt.unsigned_tx.txid()
        try:
            found = find_transaction(payjoin_txid)
        except Exception as e:
            return MaybeFatalOrSuccessTransition.transient(
                Error.implementation(str(e)), fresh(self)
            )
        if found is not None:
            txid = found.txid()
            if txid != payjoin_txid:
                message = (
                    f"Payjoin transaction ID mismatch. Expected: {payjoin_txid[::-1].hex()}, "
                    f"Got: {txid[::-1].hex()}"
                )
                error = Error.implementation(message)
                return MaybeFatalOrSuccessTransition.transient(error, fresh(self))
            return MaybeFatalOrSuccessTransition.success(Closed(Success(txid)))
        try:
            fallback_found = find_transaction(fallback.txid())
        except Exception as e:
            return MaybeFatalOrSuccessTransition.transient(
                Error.implementation(str(e)), fresh(self)
            )
        if fallback_found is not None:
            return MaybeFatalOrSuccessTransition.success(Closed(FallbackBroadcasted()))
        return MaybeFatalOrSuccessTransition.no_results(fresh(self))


@dataclass(frozen=True)
class HasReplyableError(_Typestate):
    """A check failed; the error reply to send, and the fallback if the checks got that far."""

    error_reply: JsonReply = field(kw_only=True)
    fallback_tx: Transaction | None = field(kw_only=True)

    def cancel(self) -> MaybeTerminalTransition[ReceiverEvent, PendingFallback]:
        """Skip the reply: ``Cancelled`` → :class:`PendingFallback` with a fallback, else
        ``Closed(Aborted)`` (saved and closed; ``save`` returns ``None``)."""
        context = self._take()
        if self.fallback_tx is None:
            return MaybeTerminalTransition.terminate(_ABORTED)
        pending = PendingFallback(context, fallback_tx=self.fallback_tx)
        return MaybeTerminalTransition.advance(Cancelled(), pending)

    def create_error_request(
        self, ohttp_relay: str, *, rng: RandomSource | None = None, clock: Clock | None = None
    ) -> tuple[Request, OhttpResponse]:
        """POST the error to the reply mailbox: the reply in message B to a v2 sender, a generic
        plaintext ``unavailable`` for a v1 sender (no key to encrypt to). Not persisted."""
        self._check()
        self._expired(clock)
        ctx = self.session_context
        mailbox = short_id(ctx.reply_key if ctx.reply_key is not None else ctx.receiver_key.public)
        if ctx.reply_key is not None:
            text = reply_json_text(self.error_reply).encode()
            body = wire.seal_message_b(text, _receiver_keys(ctx), ctx.reply_key, rng)
        else:
            body = reply_json_text(_UNAVAILABLE).encode()
        return wire.request(ctx, "POST", mailbox, body, relay=ohttp_relay, rng=rng)

    def process_error_response(
        self, response: bytes, ctx: OhttpResponse
    ) -> MaybeTerminalSuccessTransition[
        ReceiverEvent, PendingFallback, ProtocolError, HasReplyableError
    ]:
        """The event is ``ProtocolFailed`` with a fallback, else ``Closed(Aborted)``. Posted:
        advance to :class:`PendingFallback` or terminate. A fatal directory error saves the same
        event (fatal-advance / fatal-terminate); a non-fatal one is transient."""
        context = self._take()
        pending = (
            None
            if self.fallback_tx is None
            else PendingFallback(context, fallback_tx=self.fallback_tx)
        )
        event: ReceiverEvent = _ABORTED if pending is None else ProtocolFailed()
        try:
            open_directory_response(response, ctx, get=False)
        except DirectoryResponseError as e:
            error = ProtocolError.directory(e)
            if not e.is_fatal():
                return MaybeTerminalSuccessTransition.transient(error, fresh(self))
            if pending is None:
                return MaybeTerminalSuccessTransition.fatal_terminate(event, error)
            return MaybeTerminalSuccessTransition.fatal_advance(event, pending, error)
        if pending is None:
            return MaybeTerminalSuccessTransition.terminate(event)
        return MaybeTerminalSuccessTransition.advance(event, pending)


@dataclass(frozen=True)
class PendingFallback(_Typestate):
    """Cancelled or failed after the checks: the fallback should be broadcast; ``close`` ends."""

    fallback_tx: Transaction = field(kw_only=True)

    def close(self) -> TerminalTransition[ReceiverEvent, None]:
        """``Closed(Aborted)``, saved and closed (whether the fallback was broadcast is not
        recorded: the crate has no event for it)."""
        self._take()
        return TerminalTransition.new(_ABORTED, None)


@dataclass(frozen=True)
class ClosedSession:
    """``ReceiveSession::Closed``: only the outcome; no methods."""

    outcome: SessionOutcome


HasFallbackTx: TypeAlias = (
    MaybeInputsOwned
    | MaybeInputsSeen
    | OutputsUnknown
    | WantsOutputs
    | WantsInputs
    | WantsFeeRange
    | ProvisionalProposal
    | PayjoinProposal
    | Monitor
)
"""The states of the crate's ``HasFallbackTx`` trait: ``cancel`` leads to ``PendingFallback``."""

HAS_FALLBACK_TX = (
    MaybeInputsOwned,
    MaybeInputsSeen,
    OutputsUnknown,
    WantsOutputs,
    WantsInputs,
    WantsFeeRange,
    ProvisionalProposal,
    PayjoinProposal,
    Monitor,
)

ReceiveSession: TypeAlias = (
    Initialized
    | UncheckedOriginalPayload
    | HasFallbackTx
    | HasReplyableError
    | PendingFallback
    | ClosedSession
)
"""payjoin's ``ReceiveSession``: the state a replayed log is in."""

STATE_NAMES: dict[type, str] = {
    Initialized: "Initialized",
    UncheckedOriginalPayload: "UncheckedOriginalPayload",
    MaybeInputsOwned: "MaybeInputsOwned",
    MaybeInputsSeen: "MaybeInputsSeen",
    OutputsUnknown: "OutputsUnknown",
    WantsOutputs: "WantsOutputs",
    WantsInputs: "WantsInputs",
    WantsFeeRange: "WantsFeeRange",
    ProvisionalProposal: "ProvisionalProposal",
    PayjoinProposal: "PayjoinProposal",
    HasReplyableError: "HasReplyableError",
    Monitor: "Monitor",
    PendingFallback: "PendingFallback",
    ClosedSession: "Closed",
}
"""The ``ReceiveSession`` variant names, which the adapter protocol's ``state`` reports."""
