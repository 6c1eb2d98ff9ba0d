"""Receiver event logs built from a real session, for the replay, shim, interop and bench tests.

:func:`walk` runs the reference's version-independent receiver (payjoin's ``receive/common``) on
the sender fixtures' signed Original PSBT: it identifies the payment output, optionally
substitutes it, contributes a real coin, applies fees and has the wallet sign. Every payload is
therefore what a live payjoin 1.0 receiver would write. :func:`prefixes` gives the shortest log
reaching each of the 14 ``ReceiveSession`` states (plus a ``HasReplyableError`` without a
fallback, which behaves differently on ``Cancelled``), :func:`one_of_each` one event of each of
the 15 ``SessionEvent`` variants.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from reference.session.sender.test_sender_support import (
    CONFIG,
    DIRECTORY,
    EXPIRATION,
    ORIGINAL,
    PAY,
    PAYEE,
    RECEIVER_KEY,
    RECEIVER_WALLET,
    fund,
)

from pjconf.reference.bip77.url import parse_url
from pjconf.reference.bitcoin import address
from pjconf.reference.bitcoin.psbt import Output, Psbt
from pjconf.reference.bitcoin.wallet import AddressKind
from pjconf.reference.crypto.secp256k1 import KeyPair
from pjconf.reference.entropy import SeededRandom
from pjconf.reference.payjoin import receiver as common
from pjconf.reference.payjoin.params import OutputSubstitution, Params
from pjconf.reference.session.json_codec import encode_receiver_event
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
    Created,
    ErrorCode,
    FallbackBroadcasted,
    FinalizedProposal,
    GotReplyableError,
    HpkeKeyPair,
    IdentifiedReceiverOutputs,
    JsonReply,
    PayjoinProposalSent,
    PostedPayjoinProposal,
    ProtocolFailed,
    ReceiverEvent,
    RetrievedOriginalPayload,
    SessionContext,
    SessionOutcome,
    Success,
    Unrecognized,
)

FAR = 3_000_000_000
"""2065: for logs the crate replays with its own clock."""
MAX_FEE_RATE = 2_500  # sat/kwu (10 sat/vB)
REPLY_KEY = KeyPair.from_secret(hashlib.sha256(b"receiver-log reply").digest())
REJECTED = JsonReply(
    ErrorCode.ORIGINAL_PSBT_REJECTED, "Can't broadcast. PSBT rejected by mempool.", {}
)
"""What ``check_broadcast_suitability`` persists when the wallet says no (crate's Display)."""
SUBSTITUTE = RECEIVER_WALLET.script_pubkey(AddressKind.P2TR)

FORWARD_STATES = (
    "Initialized",
    "UncheckedOriginalPayload",
    "MaybeInputsOwned",
    "MaybeInputsSeen",
    "OutputsUnknown",
    "WantsOutputs",
    "WantsInputs",
    "WantsFeeRange",
    "ProvisionalProposal",
    "PayjoinProposal",
    "Monitor",
)
"""The state after each event of :attr:`Walk.forward`, in order."""
NO_FALLBACK = "HasReplyableError/no fallback"


def session_context(expiration: int = EXPIRATION, amount: int | None = PAY) -> SessionContext:
    """The receiver's ``Created`` context: the sender fixtures' payee, directory and keys."""
    return SessionContext(
        address=address.encode(PAYEE, address.Network.REGTEST),
        directory=parse_url(DIRECTORY),
        ohttp_keys=CONFIG,
        expiration=expiration,
        amount=amount,
        receiver_key=HpkeKeyPair(RECEIVER_KEY.secret, RECEIVER_KEY.public),
        reply_key=None,
        max_fee_rate=MAX_FEE_RATE,
    )


def original_payload(
    version: int = 2, contribution: tuple[int, int] | None = (1000, 1)
) -> common.OriginalPayload:
    """The Original PSBT with a sender's parameters; a v1 sender's substitution is off, as the
    live path forces it before persisting."""
    substitution = OutputSubstitution.ENABLED if version == 2 else OutputSubstitution.DISABLED
    params = Params(
        v=version, output_substitution=substitution, additional_fee_contribution=contribution
    )
    return common.OriginalPayload(ORIGINAL, params)


@dataclass(frozen=True)
class Walk:
    """One session's live values, and the events it persists."""

    context: SessionContext
    payload: common.OriginalPayload
    reply_key: bytes | None
    wants_outputs: common.WantsOutputs
    wants_inputs: common.WantsInputs
    wants_fee_range: common.WantsFeeRange
    psbt_context: common.ReceiverPsbtContext
    proposal: Psbt

    @property
    def forward(self) -> list[ReceiverEvent]:
        """``Created`` to ``PostedPayjoinProposal``: the happy path up to ``Monitor``."""
        committed = self.wants_inputs.payjoin_psbt.unsigned_tx.outputs
        return [
            Created(self.context),
            RetrievedOriginalPayload(self.payload, self.reply_key),
            CheckedBroadcastSuitability(),
            CheckedInputsNotOwned(),
            CheckedNoInputsSeenBefore(),
            IdentifiedReceiverOutputs(tuple(self.wants_outputs.owned_vouts)),
            CommittedOutputs(tuple(committed), self.wants_inputs.change_vout),
            CommittedInputs(
                self.wants_fee_range.receiver_inputs, self.wants_fee_range.payjoin_psbt
            ),
            AppliedFeeRange(self.psbt_context),
            FinalizedProposal(self.proposal),
            PostedPayjoinProposal(),
        ]

    @property
    def success(self) -> Closed:
        return Closed(Success(self.proposal.unsigned_tx.txid()))

    @property
    def complete(self) -> list[ReceiverEvent]:
        """A whole successful session: the forward path and ``Closed(Success(txid))``."""
        return [*self.forward, self.success]


def walk(
    expiration: int = EXPIRATION,
    *,
    version: int = 2,
    substitute: bool = False,
    contribution: tuple[int, int] | None = (1000, 1),
    seed: str = "receiver-log",
) -> Walk:
    """Run the receiver's checks and contributions on the Original PSBT (see the module doc)."""
    rng = SeededRandom(seed)
    payload = original_payload(version, contribution)
    wants_outputs = payload.identify_receiver_outputs(RECEIVER_WALLET.owns)
    if substitute:
        wants_outputs = wants_outputs.substitute_receiver_script(SUBSTITUTE, rng)
    wants_inputs = wants_outputs.commit_outputs()
    txin, psbtin, _ = fund(RECEIVER_WALLET, 100_000, f"{seed}/receiver-coin")
    contributed = wants_inputs.contribute_inputs([common.InputPair.new(txin, psbtin)], rng)
    wants_fee_range = contributed.commit_inputs()
    psbt_context = wants_fee_range.apply_fee_range(None, MAX_FEE_RATE)
    proposal = psbt_context.finalize_proposal(RECEIVER_WALLET.sign_psbt)
    return Walk(
        context=session_context(expiration),
        payload=payload,
        reply_key=REPLY_KEY.public if version == 2 else None,
        wants_outputs=wants_outputs,
        wants_inputs=wants_inputs,
        wants_fee_range=wants_fee_range,
        psbt_context=psbt_context,
        proposal=proposal,
    )


def prefixes(w: Walk) -> dict[str, list[ReceiverEvent]]:
    """The shortest log reaching each state (``Closed``: cancelled before any proposal)."""
    forward = w.forward
    out = {state: forward[: i + 1] for i, state in enumerate(FORWARD_STATES)}
    out["HasReplyableError"] = [*forward[:3], GotReplyableError(REJECTED)]
    out[NO_FALLBACK] = [*forward[:2], GotReplyableError(REJECTED)]
    out["PendingFallback"] = [*forward[:3], Cancelled()]
    out["Closed"] = [forward[0], Closed(Aborted())]
    return out


def bad_payloads(w: Walk) -> list[list[ReceiverEvent]]:
    """Logs failing the crate's three payload checks: no owned vout, one out of range, a
    ``change_vout`` outside the committed outputs, and one outside the committed PSBT."""
    to_unknown = prefixes(w)["OutputsUnknown"]
    outputs = tuple(w.payload.psbt.unsigned_tx.outputs)
    truncated = replace(
        w.payload.psbt,
        unsigned_tx=replace(w.payload.psbt.unsigned_tx, outputs=outputs[:1]),
        outputs=(Output(),),
    )
    identified = IdentifiedReceiverOutputs((0,))
    return [
        [*to_unknown, IdentifiedReceiverOutputs(())],
        [*to_unknown, IdentifiedReceiverOutputs((0, len(outputs)))],
        [*to_unknown, identified, CommittedOutputs(outputs, len(outputs))],
        [*to_unknown, identified, CommittedOutputs((), 0)],
        [*to_unknown, identified, CommittedOutputs(outputs, 1), CommittedInputs((), truncated)],
    ]


def quirk_logs(w: Walk) -> dict[str, list[ReceiverEvent]]:
    """Logs no live session writes but replay accepts (session-log note §7 P6, P7), and the
    history's status cases."""
    p = prefixes(w)
    txid = bytes(range(32))
    v1_enabled = common.OriginalPayload(w.payload.psbt, Params(v=1))
    stranger = common.ReceiverPsbtContext(w.proposal, w.proposal)
    logs = {
        "closed after closed": [*p["Closed"], Closed(Success(txid)), Closed(FallbackBroadcasted())],
        "replyable error after closed": [*p["Monitor"], w.success, GotReplyableError(REJECTED)],
        "replyable error after created": [*p["Initialized"], GotReplyableError(REJECTED)],
        "replyable error after pending fallback": [
            *p["PendingFallback"],
            GotReplyableError(REJECTED),
        ],
        "pending fallback closed": [*p["PendingFallback"], Closed(Aborted())],
        "protocol failed": [*p["MaybeInputsOwned"], ProtocolFailed()],
        "replyable error cancelled": [*p["HasReplyableError"], Cancelled()],
        "v1 sender, substitution enabled": [
            *p["Initialized"],
            RetrievedOriginalPayload(v1_enabled, None),
            *p["WantsOutputs"][2:],
        ],
        "duplicate owned vouts": [*p["OutputsUnknown"], IdentifiedReceiverOutputs((0, 0))],
        "unrelated fee range": [*p["WantsFeeRange"], AppliedFeeRange(stranger)],
        "complete": w.complete,
    }
    outcomes: list[SessionOutcome] = [
        Success(txid),
        Aborted(),
        FallbackBroadcasted(),
        PayjoinProposalSent(),
        Unrecognized(txid),
    ]
    for outcome in outcomes:
        logs[f"closed {type(outcome).__name__}"] = [*p["Monitor"], Closed(outcome)]
    for state, events in p.items():
        logs[f"closed from {state}"] = [*events, Closed(Success(txid))]
    return logs


def one_of_each(w: Walk) -> dict[str, ReceiverEvent]:
    """One event of every ``SessionEvent`` variant, keyed by the variant's name."""
    events = {type(e).__name__: e for e in w.forward}
    events["GotReplyableError"] = GotReplyableError(REJECTED)
    events["Cancelled"] = Cancelled()
    events["ProtocolFailed"] = ProtocolFailed()
    events["Closed"] = Closed(Aborted())
    return events


def texts(events: list[ReceiverEvent]) -> list[str]:
    """The payjoin 1.0 JSON texts a store holds for ``events``."""
    return [encode_receiver_event(e) for e in events]
