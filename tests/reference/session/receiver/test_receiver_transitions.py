"""Every receiver transition and outcome, against payjoin 1.0's table (``receive/v2/mod.rs``):
the effect class, the exact events appended, the closed flag, the error and the state handed back.

One table drives one test. Each row starts from an unconsumed snapshot of the seeded happy path
(``receiver_support.happy_path``), acts, saves on a log holding the snapshot's history, and is
checked; the state it started from is consumed afterwards. Expected events are built from the
inputs (the Original PSBT, the sender's keys and parameters, the crate's texts), not read back
from the receiver.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from reference.session.receiver.receiver_support import (
    ORIGINAL,
    RATE,
    RECEIVER_WALLET,
    RELAY,
    SENDER_WALLET,
    V1_QUERY,
    Directory,
    Log,
    Path,
    clock,
    fresh,
    happy_path,
    receiver_input,
    refused,
)

from pjconf.reference.bip77 import messages
from pjconf.reference.bitcoin.psbt import Input
from pjconf.reference.bitcoin.tx import Transaction, TxOut
from pjconf.reference.crypto.secp256k1 import KeyPair
from pjconf.reference.entropy import SeededRandom
from pjconf.reference.payjoin.params import OutputSubstitution, Params
from pjconf.reference.payjoin.receiver import OriginalPayload, ReceiverPsbtContext, ntxid
from pjconf.reference.payjoin.receiver import prepare_psbt as strip
from pjconf.reference.persist import EffectClass, PersistedError, Progress, Stasis, outcome_class
from pjconf.reference.session.receiver.errors import StateConsumed
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
    HasReplyableError,
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

P, F, T, S, X, R = (
    EffectClass.PROGRESS,
    EffectClass.FATAL,
    EffectClass.TERMINAL,
    EffectClass.STASIS,
    EffectClass.TRANSIENT,
    EffectClass.REPLYABLE,
)
FALLBACK = ORIGINAL.extract_tx()
NO_UTXO = replace(ORIGINAL, inputs=(Input(),))
ABORTED = Closed(Aborted())
BOOM = "wallet is offline"


# -- starting points -------------------------------------------------------------------------------


def start(kind: str, name: str) -> tuple[Any, Log]:
    """A snapshot of the happy path, or one of the side states reached from it."""
    path = happy_path(kind)
    if name == "PendingFallback":
        state, log = path.at("MaybeInputsOwned")
        return state.cancel().save(log), log
    if name in ("Replyable", "Replyable/none"):
        return refused(kind, fallback=name == "Replyable")
    return path.at(name)


def loaded(path: Path, box: bytes | None = None) -> Directory:
    """A directory holding ``box`` (default: what the sender left) in the receiver's mailbox."""
    return Directory(boxes={path.mailbox: path.box if box is None else box})


# -- actions ------------------------------------------------------------------------------------

Act = Callable[[Any, Directory], Any]


def exchange(request: str, response: str, **faults: Any) -> Act:
    """Build the request, let the directory answer it (with ``faults``), process the answer."""

    def act(state: Any, directory: Directory) -> Any:
        req, ctx = getattr(state, request)(RELAY, rng=SeededRandom("request"), clock=clock())
        for name, value in faults.items():
            setattr(directory, name, value)
        return getattr(state, response)(directory.handle(req), ctx)

    return act


def poll(**faults: Any) -> Act:
    return exchange("create_poll_request", "process_response", **faults)


def post(**faults: Any) -> Act:
    return exchange("create_post_request", "process_response", **faults)


def post_error(**faults: Any) -> Act:
    return exchange("create_error_request", "process_error_response", **faults)


def fails(*_: Any) -> Any:
    raise RuntimeError(BOOM)


def call(method: str, *args: Any, **kwargs: Any) -> Act:
    return lambda state, _: getattr(state, method)(*args, **kwargs)


def receiver_signs(psbt: Any) -> Any:
    return RECEIVER_WALLET.sign_psbt(psbt)


def both_sign(psbt: Any) -> Any:
    return SENDER_WALLET.sign_psbt(RECEIVER_WALLET.sign_psbt(psbt))


def relocks(psbt: Any) -> Any:
    signed = RECEIVER_WALLET.sign_psbt(psbt)
    return replace(signed, unsigned_tx=replace(signed.unsigned_tx, lock_time=1))


def payjoin_tx(state: Monitor) -> Transaction:
    return state.psbt_context.payjoin_psbt.unsigned_tx


def found(which: str) -> Act:
    """``check_for_transaction`` with a wallet that has seen ``which`` transaction."""

    def act(state: Monitor, _: Directory) -> Any:
        payjoin = payjoin_tx(state)
        other = replace(payjoin, lock_time=7)
        known = {
            "payjoin": {payjoin.txid(): payjoin},
            "other": {payjoin.txid(): other},
            "fallback": {FALLBACK.txid(): FALLBACK},
            "none": {},
        }[which]
        return state.check_for_transaction(known.get)

    return act


def never_called(_: bytes) -> Transaction | None:
    raise AssertionError("an unstable txid ends the session without asking the wallet")


def with_max_fee_rate(rate: int, min_fee_rate: int) -> Act:
    """``apply_fee_range`` without a maximum on a session whose ``max_fee_rate`` is ``rate``."""

    def act(state: WantsFeeRange, _: Directory) -> Any:
        context = replace(state.session_context, max_fee_rate=rate)
        return replace(state, session_context=context).apply_fee_range(min_fee_rate)

    return act


# -- expected events -----------------------------------------------------------------------------

Events = Callable[[Any], list[ReceiverEvent]]


def none(_: Any) -> list[ReceiverEvent]:
    return []


def just(*events: ReceiverEvent) -> Events:
    return lambda _: list(events)


def rejected(message: str) -> Events:
    return just(GotReplyableError(JsonReply(ErrorCode.ORIGINAL_PSBT_REJECTED, message, {})))


def retrieved(kind: str) -> Events:
    """What the sender sent: v2 parameters and reply key from the sender's own session."""

    def events(_: Any) -> list[ReceiverEvent]:
        if kind == "v1":
            params = Params(v=1, output_substitution=OutputSubstitution.DISABLED, min_fee_rate=1000)
            return [RetrievedOriginalPayload(OriginalPayload(ORIGINAL, params), None)]
        sender = happy_path(kind).sender
        assert sender is not None
        ctx = sender.session_context
        assert ctx.psbt_ctx.fee_contribution is not None
        contribution = ctx.psbt_ctx.fee_contribution
        params = Params(
            v=2,
            additional_fee_contribution=(contribution.max_amount, contribution.vout),
            min_fee_rate=RATE,
        )
        reply_key = KeyPair.from_secret(ctx.reply_key).public
        return [RetrievedOriginalPayload(OriginalPayload(ORIGINAL, params), reply_key)]

    return events


def committed_outputs(_: Any) -> list[ReceiverEvent]:
    return [CommittedOutputs(ORIGINAL.unsigned_tx.outputs, 0)]


def committed_nothing(state: WantsInputs) -> list[ReceiverEvent]:
    return [CommittedInputs((), state.inner.original.original_psbt)]


def committed_one(_: Any) -> list[ReceiverEvent]:
    """The contributed input, once, and the change output grown by its whole value."""
    pair = receiver_input()
    path = happy_path("v2")
    committed = path.snapshots["WantsFeeRange"][1][-1]
    assert isinstance(committed, CommittedInputs)
    psbt = committed.payjoin_psbt
    assert {t.previous_output for t in psbt.unsigned_tx.inputs} == {
        ORIGINAL.unsigned_tx.inputs[0].previous_output,
        pair.outpoint,
    }
    change = ORIGINAL.unsigned_tx.outputs[0]
    assert psbt.unsigned_tx.outputs == (
        TxOut(change.value + 100_000, change.script_pubkey),
        ORIGINAL.unsigned_tx.outputs[1],
    )
    return [CommittedInputs((pair,), psbt)]


def fee_applied(state: WantsFeeRange) -> list[ReceiverEvent]:
    """The receiver input's fee at the sender's rate, all of it from the sender's allowance."""
    contribution = state.inner.original.params.additional_fee_contribution
    assert contribution is not None
    max_amount, vout = contribution
    fee = (272 * RATE + 999) // 1000  # one P2WPKH input at the sender's min fee rate
    psbt = state.inner.payjoin_psbt
    outputs = list(psbt.unsigned_tx.outputs)
    outputs[vout] = replace(outputs[vout], value=outputs[vout].value - min(fee, max_amount))
    expected = replace(psbt, unsigned_tx=replace(psbt.unsigned_tx, outputs=tuple(outputs)))
    return [AppliedFeeRange(ReceiverPsbtContext(ORIGINAL, expected))]


def signed_proposal(state: ProvisionalProposal) -> Any:
    """The wallet's signatures on our input, then everything but UTXOs and finals stripped."""
    return strip(RECEIVER_WALLET.sign_psbt(state.psbt_to_sign()))


def finalized(state: ProvisionalProposal) -> list[ReceiverEvent]:
    return [FinalizedProposal(signed_proposal(state))]


def success(state: Monitor) -> list[ReceiverEvent]:
    return [Closed(Success(payjoin_tx(state).txid()))]


# -- expected states ----------------------------------------------------------------------------

Check = Callable[[Any, Any], None]


def same(before: Any, after: Any) -> None:
    """Transient and stasis: an equal copy, not the consumed original, still usable."""
    assert after == before
    assert after is not before
    after._check()


def is_closed(_: Any, after: Any) -> None:
    assert after is None


def pending(before: Any, after: Any) -> None:
    assert after == PendingFallback(before.session_context, fallback_tx=FALLBACK)


def becomes(kind: type[Any], **fields: Callable[[Any], Any]) -> Check:
    """The next state: of ``kind``, the same context, and each field as computed from the start."""

    def check(before: Any, after: Any) -> None:
        assert type(after) is kind
        assert after.session_context == before.session_context
        for name, value in fields.items():
            assert getattr(after, name) == value(before)

    return check


def replyable(message: str, fallback: bool) -> Check:
    reply = JsonReply(ErrorCode.ORIGINAL_PSBT_REJECTED, message, {})
    return becomes(
        HasReplyableError,
        error_reply=lambda _: reply,
        fallback_tx=lambda _: FALLBACK if fallback else None,
    )


def polled(kind: str) -> Check:
    def check(before: Any, after: Any) -> None:
        event = retrieved(kind)(before)[0]
        assert isinstance(event, RetrievedOriginalPayload)
        context = replace(before.session_context, reply_key=event.reply_key)
        assert after == UncheckedOriginalPayload(context, original=event.original)

    return check


def raised_max(_: Any, after: Any) -> None:
    assert type(after) is ProvisionalProposal
    assert after.session_context.max_fee_rate == 4000


def original(state: Any) -> Any:
    return state.original


def psbt_context(state: Any) -> Any:
    return state.psbt_context


# -- the table ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    start: str
    act: Act
    effect: EffectClass
    events: Events
    check: Check
    error: tuple[str, str] | None = None
    """``Type::Variant`` of the API error and the start of its text (the whole text if it ends
    with ``$``)."""


def below_fee_rate() -> str:
    weight = ORIGINAL.extract_tx().weight()
    return f"Original PSBT fee rate too low: {2000 * 1000 // weight} < 10000."


REJECTED = "The receiver rejected the original PSBT."
NOT_BROADCASTABLE = "Can't broadcast. PSBT rejected by mempool."
FEE_TOO_HIGH = "Effective receiver feerate exceeds maximum allowed feerate: 4000 > "
STATUS_400 = "Directory response error: Unexpected status code: 400 Bad Request$"
STATUS_503 = "Directory response error: Unexpected status code: 503 Service Unavailable$"
SIZE_100 = "Directory response error: Unexpected response size 100, expected 8192 bytes$"
DECAPSULATION = "Directory response error: OHTTP Decapsulation Error: "
IMPLEMENTATION = ("Error::Implementation", f"Implementation error: {BOOM}$")


def message_a(path: Path, plaintext: bytes) -> bytes:
    """A message A to the receiver carrying ``plaintext`` (a hostile sender's)."""
    state, _ = path.at("Initialized")
    pk = state.session_context.receiver_key.public
    reply = KeyPair.from_secret(b"\x07" * 32).public
    return messages.seal_message_a(plaintext, pk, reply, rng=SeededRandom("hostile"))


def hostile(box: Callable[[Path], bytes]) -> Act:
    def act(state: Any, _: Directory) -> Any:
        return poll()(state, loaded(happy_path("v2"), box(happy_path("v2"))))

    return act


INPUT_CHECKS: list[tuple[str, str, ReceiverEvent, type[Any]]] = [
    (
        "MaybeInputsOwned",
        "check_inputs_not_owned",
        CheckedInputsNotOwned(),
        MaybeInputsSeen,
    ),
    (
        "MaybeInputsSeen",
        "check_no_inputs_seen_before",
        CheckedNoInputsSeenBefore(),
        OutputsUnknown,
    ),
]


CASES = [
    # Initialized
    Case("poll/202", "v2", "Initialized", poll(boxes={}), S, none, same),
    Case("poll/v2", "v2", "Initialized", poll(), P, retrieved("v2"), polled("v2")),
    Case("poll/v1", "v1", "Initialized", poll(), P, retrieved("v1"), polled("v1")),
    *(
        Case(f"poll/{name}", "v2", "Initialized", poll(**fault), X, none, same, error)
        for name, fault, error in [
            ("503", {"status": 503}, ("ProtocolError::V2", STATUS_503)),
            ("size", {"resize": 100}, ("ProtocolError::V2", SIZE_100)),
        ]
    ),
    *(
        Case(f"poll/{name}", "v2", "Initialized", act, F, just(ABORTED), is_closed, error)
        for name, act, error in [
            ("400", poll(status=400), ("ProtocolError::V2", STATUS_400)),
            ("tampered", poll(tamper=True), ("ProtocolError::V2", DECAPSULATION)),
            (
                "hpke",
                hostile(lambda _: b"\xff" * 7168),
                ("ProtocolError::V2", "Hpke decryption failed: Failed to open ciphertext$"),
            ),
            (
                "hpke-short",
                hostile(lambda _: b"\xff" * 10),
                ("ProtocolError::V2", "Hpke decryption failed: Payload too small$"),
            ),
            (
                "v2-not-utf8",
                hostile(lambda p: message_a(p, b"\xc3\x28")),
                (
                    "ProtocolError::OriginalPayload",
                    "invalid utf-8 sequence of 1 bytes from index 0$",
                ),
            ),
            (
                "v1-no-newline",
                hostile(lambda _: b"hello"),
                ("ProtocolError::OriginalPayload", "error in internal PSBT data structure$"),
            ),
            (
                "v1-bad-base64",
                hostile(lambda _: b"!!!\nv=1"),
                ("ProtocolError::OriginalPayload", "error in PSBT base64 encoding$"),
            ),
            (
                "v1-no-utxo",
                hostile(lambda _: f"{NO_UTXO.to_base64()}\nv=1".encode()),
                (
                    "ProtocolError::OriginalPayload",
                    "Invalid original PSBT input UTXO: invalid PSBT input #0$",
                ),
            ),
            (
                "v1-bad-feerate",
                hostile(lambda _: f"{ORIGINAL.to_base64()}\nv=1&minfeerate=abc".encode()),
                ("ProtocolError::OriginalPayload", "could not parse feerate$"),
            ),
            (
                "v2-unknown-version",
                hostile(lambda p: message_a(p, f"{ORIGINAL.to_base64()}\nv=3".encode())),
                ("ProtocolError::OriginalPayload", "unknown version$"),
            ),
        ]
    ),
    Case("cancel", "v2", "Initialized", call("cancel"), T, just(ABORTED), is_closed),
    # UncheckedOriginalPayload
    Case(
        "broadcast/ok",
        "v2",
        "UncheckedOriginalPayload",
        call("check_broadcast_suitability", 1000, lambda _: True),
        P,
        just(CheckedBroadcastSuitability()),
        becomes(MaybeInputsOwned, original=original),
    ),
    Case(
        "broadcast/refused",
        "v2",
        "UncheckedOriginalPayload",
        call("check_broadcast_suitability", None, lambda _: False),
        R,
        rejected(NOT_BROADCASTABLE),
        replyable(NOT_BROADCASTABLE, fallback=False),
        ("Error::Protocol", f"Protocol error: {NOT_BROADCASTABLE}$"),
    ),
    Case(
        "broadcast/low-fee",
        "v2",
        "UncheckedOriginalPayload",
        call("check_broadcast_suitability", 10_000, lambda _: True),
        R,
        rejected(below_fee_rate()),
        replyable(below_fee_rate(), fallback=False),
        ("Error::Protocol", "Protocol error: Original PSBT fee rate too low: "),
    ),
    Case(
        "broadcast/wallet-error",
        "v2",
        "UncheckedOriginalPayload",
        call("check_broadcast_suitability", None, fails),
        X,
        none,
        same,
        IMPLEMENTATION,
    ),
    Case(
        "interactive",
        "v1",
        "UncheckedOriginalPayload",
        call("assume_interactive_receiver"),
        P,
        just(CheckedBroadcastSuitability()),
        becomes(MaybeInputsOwned, original=original),
    ),
    Case(
        "unchecked/cancel",
        "v2",
        "UncheckedOriginalPayload",
        call("cancel"),
        T,
        just(ABORTED),
        is_closed,
    ),
    # the ownership, seen-before and output checks
    *(
        case
        for start_name, method, event, following in INPUT_CHECKS
        for case in [
            Case(
                f"{method}/ok",
                "v2",
                start_name,
                call(method, lambda _: False),
                P,
                just(event),
                becomes(following, original=original),
            ),
            Case(
                f"{method}/refused",
                "v2",
                start_name,
                call(method, lambda _: True),
                R,
                rejected(REJECTED),
                replyable(REJECTED, fallback=True),
                ("Error::Protocol", f"Protocol error: {REJECTED}$"),
            ),
            Case(
                f"{method}/wallet-error",
                "v2",
                start_name,
                call(method, fails),
                X,
                none,
                same,
                IMPLEMENTATION,
            ),
        ]
    ),
    Case(
        "outputs/ok",
        "v2",
        "OutputsUnknown",
        call("identify_receiver_outputs", RECEIVER_WALLET.owns),
        P,
        just(IdentifiedReceiverOutputs((0,))),
        becomes(
            WantsOutputs, inner=lambda s: s.original.identify_receiver_outputs(RECEIVER_WALLET.owns)
        ),
    ),
    Case(
        "outputs/missing",
        "v2",
        "OutputsUnknown",
        call("identify_receiver_outputs", lambda _: False),
        R,
        rejected("Missing payment."),
        replyable("Missing payment.", fallback=True),
        ("Error::Protocol", "Protocol error: Missing payment.$"),
    ),
    Case(
        "outputs/wallet-error",
        "v2",
        "OutputsUnknown",
        call("identify_receiver_outputs", fails),
        X,
        none,
        same,
        IMPLEMENTATION,
    ),
    # commits
    Case(
        "commit_outputs",
        "v2",
        "WantsOutputs",
        call("commit_outputs"),
        P,
        committed_outputs,
        becomes(WantsInputs),
    ),
    Case(
        "commit_inputs/none",
        "v2",
        "WantsInputs",
        call("commit_inputs"),
        P,
        committed_nothing,
        becomes(WantsFeeRange),
    ),
    Case(
        "commit_inputs/one",
        "v2",
        "WantsInputs",
        lambda s, _: s.contribute_inputs(
            [receiver_input()], rng=SeededRandom("inputs")
        ).commit_inputs(),
        P,
        committed_one,
        becomes(WantsFeeRange),
    ),
    # fees
    Case(
        "fee_range/ok",
        "v2",
        "WantsFeeRange",
        call("apply_fee_range", None, 2**30),
        P,
        fee_applied,
        becomes(ProvisionalProposal),
    ),
    Case(
        "fee_range/at-max",
        "v2",
        "WantsFeeRange",
        call("apply_fee_range", 5000, 3997),
        P,
        lambda s: [AppliedFeeRange(s.inner.apply_fee_range(5000, 3997))],
        becomes(ProvisionalProposal),
    ),
    Case(
        "fee_range/too-high",
        "v2",
        "WantsFeeRange",
        call("apply_fee_range", 5000, 3996),
        X,
        none,
        same,
        ("ProtocolError::OriginalPayload", FEE_TOO_HIGH + "3996$"),
    ),
    Case(
        "fee_range/session-max",
        "v2",
        "WantsFeeRange",
        call("apply_fee_range", 5000),
        X,
        none,
        same,
        ("ProtocolError::OriginalPayload", FEE_TOO_HIGH + "250$"),
    ),
    Case(
        "fee_range/raised-session-max",
        "v2",
        "WantsFeeRange",
        with_max_fee_rate(4000, 5000),
        P,
        lambda s: [AppliedFeeRange(s.inner.apply_fee_range(5000, 4000))],
        raised_max,
    ),
    # signing
    Case(
        "finalize/ok",
        "v2",
        "ProvisionalProposal",
        call("finalize_proposal", receiver_signs),
        P,
        finalized,
        becomes(
            PayjoinProposal,
            psbt_context=lambda s: ReceiverPsbtContext(ORIGINAL, signed_proposal(s)),
        ),
    ),
    Case(
        "finalize/wallet-error",
        "v2",
        "ProvisionalProposal",
        call("finalize_proposal", fails),
        X,
        none,
        same,
        ("ImplementationError", f"{BOOM}$"),
    ),
    Case(
        "finalize/ntxid",
        "v2",
        "ProvisionalProposal",
        call("finalize_proposal", relocks),
        X,
        none,
        same,
        ("ImplementationError", "ntxid mismatch: expected "),
    ),
    Case(
        "finalize/signed-sender-input",
        "v2",
        "ProvisionalProposal",
        call("finalize_proposal", both_sign),
        X,
        none,
        same,
        ("ImplementationError", "unexpected signature on input "),
    ),
    # posting the proposal
    Case(
        "post/ok",
        "v2",
        "PayjoinProposal",
        post(),
        P,
        just(PostedPayjoinProposal()),
        becomes(Monitor, psbt_context=psbt_context),
    ),
    Case(
        "post/v1",
        "v1",
        "PayjoinProposal",
        post(),
        P,
        just(PostedPayjoinProposal()),
        becomes(Monitor, psbt_context=psbt_context),
    ),
    Case(
        "post/400",
        "v2",
        "PayjoinProposal",
        post(status=400),
        R,
        just(ProtocolFailed()),
        pending,
        ("ProtocolError::V2", STATUS_400),
    ),
    Case(
        "post/tampered",
        "v2",
        "PayjoinProposal",
        post(tamper=True),
        R,
        just(ProtocolFailed()),
        pending,
        ("ProtocolError::V2", DECAPSULATION),
    ),
    Case(
        "post/503",
        "v2",
        "PayjoinProposal",
        post(status=503),
        X,
        none,
        same,
        ("ProtocolError::V2", STATUS_503),
    ),
    Case(
        "post/size",
        "v2",
        "PayjoinProposal",
        post(resize=100),
        X,
        none,
        same,
        ("ProtocolError::V2", SIZE_100),
    ),
    # monitoring
    Case("monitor/payjoin", "v2", "Monitor", found("payjoin"), T, success, is_closed),
    Case(
        "monitor/fallback",
        "v2",
        "Monitor",
        found("fallback"),
        T,
        just(Closed(FallbackBroadcasted())),
        is_closed,
    ),
    Case("monitor/nothing", "v2", "Monitor", found("none"), S, none, same),
    Case(
        "monitor/txid-mismatch",
        "v2",
        "Monitor",
        found("other"),
        X,
        none,
        same,
        (
            "Error::Implementation",
            "Implementation error: Payjoin transaction ID mismatch. Expected: ",
        ),
    ),
    Case(
        "monitor/wallet-error",
        "v2",
        "Monitor",
        call("check_for_transaction", fails),
        X,
        none,
        same,
        IMPLEMENTATION,
    ),
    Case(
        "monitor/unstable-txid",
        "legacy",
        "Monitor",
        call("check_for_transaction", never_called),
        T,
        just(Closed(PayjoinProposalSent())),
        is_closed,
    ),
    # the error reply
    Case("replyable/cancel", "v2", "Replyable", call("cancel"), P, just(Cancelled()), pending),
    Case(
        "replyable/cancel-none", "v2", "Replyable/none", call("cancel"), T, just(ABORTED), is_closed
    ),
    Case("reply/ok", "v2", "Replyable", post_error(), P, just(ProtocolFailed()), pending),
    Case("reply/ok-none", "v2", "Replyable/none", post_error(), T, just(ABORTED), is_closed),
    Case("reply/v1-ok-none", "v1", "Replyable/none", post_error(), T, just(ABORTED), is_closed),
    Case(
        "reply/503",
        "v2",
        "Replyable",
        post_error(status=503),
        X,
        none,
        same,
        ("ProtocolError::V2", STATUS_503),
    ),
    Case(
        "reply/400",
        "v2",
        "Replyable",
        post_error(status=400),
        R,
        just(ProtocolFailed()),
        pending,
        ("ProtocolError::V2", STATUS_400),
    ),
    Case(
        "reply/400-none",
        "v2",
        "Replyable/none",
        post_error(status=400),
        F,
        just(ABORTED),
        is_closed,
        ("ProtocolError::V2", STATUS_400),
    ),
    # the fallback
    Case("pending/close", "v2", "PendingFallback", call("close"), T, just(ABORTED), is_closed),
]


def outcome_state(result: Any) -> Any:
    """The state ``save`` handed back, whatever its shape."""
    if isinstance(result, PersistedError):
        return result.transient_state() if result.is_transient() else result.fatal_state()
    if isinstance(result, Progress):
        return result.next
    if isinstance(result, Stasis):
        return result.current
    return result


def error_kind(error: Any) -> str:
    variant = getattr(error, "variant", None)
    return type(error).__name__ + (f"::{variant}" if variant else "")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_transition(case: Case) -> None:
    state, log = start(case.kind, case.start)
    before = log.events
    directory = loaded(happy_path(case.kind))
    transition = case.act(state, directory)
    try:
        result: Any = transition.save(log)
    except PersistedError as e:
        result = e
    assert outcome_class(transition.action, result) is case.effect
    assert log.events[: len(before)] == before
    assert log.events[len(before) :] == case.events(state)
    assert log.closed == (case.effect in (EffectClass.FATAL, EffectClass.TERMINAL))
    if case.error is None:
        assert not isinstance(result, PersistedError)
    else:
        assert isinstance(result, PersistedError)
        api = result.api_error()
        kind, text = case.error
        assert error_kind(api) == kind
        if text.endswith("$"):
            assert str(api) == text[:-1]
        else:
            assert str(api).startswith(text)
    case.check(state, outcome_state(result))
    with pytest.raises(StateConsumed):
        case.act(state, directory)


def test_the_table_covers_every_state_with_a_method() -> None:
    covered = {c.start for c in CASES}
    named = set(STATE_NAMES.values()) - {"Closed", "HasReplyableError"}
    assert named <= covered
    assert {"Replyable", "Replyable/none"} <= covered


@pytest.mark.parametrize("name", [STATE_NAMES[t] for t in HAS_FALLBACK_TX])
@pytest.mark.parametrize("kind", ["v2", "v1"])
def test_cancel_after_the_checks_leaves_the_fallback(kind: str, name: str) -> None:
    state, log = start(kind, name)
    before = len(log.events)
    transition = state.cancel()
    pending_state = transition.save(log)
    assert outcome_class(transition.action, pending_state) is EffectClass.PROGRESS
    assert log.events[before:] == [Cancelled()]
    assert not log.closed
    assert pending_state == PendingFallback(state.session_context, fallback_tx=FALLBACK)
    assert state.proposal_txid_is_stable()
    with pytest.raises(StateConsumed):
        state.cancel()


def test_only_a_scriptsig_makes_the_proposal_txid_unstable() -> None:
    assert happy_path("v2").at("Monitor")[0].proposal_txid_is_stable()
    assert not happy_path("legacy").at("Monitor")[0].proposal_txid_is_stable()


def test_the_monitor_asks_for_the_payjoin_then_the_fallback() -> None:
    state, _ = start("v2", "Monitor")
    asked: list[bytes] = []

    def find(txid: bytes) -> Transaction | None:
        asked.append(txid)
        return None

    state.check_for_transaction(find)
    assert asked == [payjoin_tx(state).txid(), FALLBACK.txid()]


def test_signed_sender_input_is_named_by_its_position() -> None:
    state, log = start("v2", "ProvisionalProposal")
    with pytest.raises(PersistedError) as info:
        state.finalize_proposal(both_sign).save(log)
    inputs = state.psbt_context.payjoin_psbt.unsigned_tx.inputs
    sender_index = [t.previous_output for t in inputs].index(
        ORIGINAL.unsigned_tx.inputs[0].previous_output
    )
    assert str(info.value.api_error()) == (
        f"unexpected signature on input {sender_index} from the original PSBT"
    )


def test_ntxid_mismatch_names_both_ids() -> None:
    state, log = start("v2", "ProvisionalProposal")
    with pytest.raises(PersistedError) as info:
        state.finalize_proposal(relocks).save(log)
    tx = state.psbt_context.payjoin_psbt.unsigned_tx
    expected, got = ntxid(tx)[::-1].hex(), ntxid(replace(tx, lock_time=1))[::-1].hex()
    assert str(info.value.api_error()) == f"ntxid mismatch: expected {expected}, got {got}"


def test_a_v1_request_disables_output_substitution_whatever_it_asks() -> None:
    path = happy_path("v1")
    assert "disableoutputsubstitution" not in V1_QUERY
    unchecked, _ = path.at("UncheckedOriginalPayload")
    assert unchecked.original.params.output_substitution is OutputSubstitution.DISABLED
    assert unchecked.session_context.reply_key is None
    v2, _ = happy_path("v2").at("UncheckedOriginalPayload")
    assert v2.original.params.output_substitution is OutputSubstitution.ENABLED


def test_a_transient_copy_can_retry_and_progress() -> None:
    state, log = start("v2", "MaybeInputsOwned")
    with pytest.raises(PersistedError) as info:
        state.check_inputs_not_owned(fails).save(log)
    retry = info.value.transient_state()
    assert isinstance(retry, MaybeInputsOwned)
    following = retry.check_inputs_not_owned(lambda _: False).save(log)
    assert isinstance(following, MaybeInputsSeen)
    assert fresh(following) == following
