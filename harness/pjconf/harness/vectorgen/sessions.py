"""The ``sessions`` family: whole BIP 77 sessions, the implementation in one role.

Each case is run by the harness (op ``session.drive``, see :mod:`pjconf.harness.sessions.drive`):
the implementation plays ``iut_role``, the reference plays the other, and the harness is the
directory. Every step is checked as it happens (outcome class, state, the log's growth and closing);
the case then compares the implementation's path (step, outcome, state), its log's event variants
and both logs' payment contents (``varies`` names what is left out, and why) with what payjoin
1.0 does, written here by running the reference in both roles; under ``payjoin-1.0`` also the
error texts along the path. The happy path of
each role carries the reference's whole transcript (both logs, every OHTTP message of the exchange)
in ``intermediates``, for debugging an implementation step by step."""

from __future__ import annotations

from pjconf.harness.corpus.profiles import PAYJOIN_10
from pjconf.harness.implementations.client import Reply
from pjconf.harness.implementations.reference import (
    MIXED_SENDER_INPUTS,
    UTXO_ACCEPTED_BODIES,
    edge_reply_bodies,
    payment,
    reference_client,
    tampered_proposals,
)
from pjconf.harness.sessions.drive import DRIVE_OP, crafted_paths, drive_transcript, varies
from pjconf.harness.sessions.driver import Role
from pjconf.harness.vectorgen import CaseIds, Json, envelope
from pjconf.harness.vectorgen.session_logs import ROLES, drive_reference, path_names

FAMILY = "sessions"
PATH = "session/sessions.json"
SEED = "pjconf/sessions"

NOTES: dict[str, Json] = {
    "Success": {
        "description": "The whole happy path: Original PSBT, the receiver's checks, its signed "
        "proposal, the sender's checks, and the receiver finding the payjoin on chain.",
        "effect": "An implementation that cannot complete a payjoin with payjoin 1.0.",
    },
    "ErrorReply": {
        "description": "A receiver check fails; the receiver sends its error reply (keeping the "
        "fallback when the broadcast check had passed) and the sender's poll ends in it.",
        "effect": "A sender left polling forever, or a receiver that loses the fallback.",
    },
    "Cancel": {
        "description": "The receiver cancels in a given state (closing, or keeping the fallback "
        "and closing it later); the sender cancels its poll and closes with its fallback.",
        "effect": "A cancel that loses the fallback or writes the wrong closing event.",
    },
    "CrashAtEveryPersistencePoint": {
        "description": "After every step that saved an event, the implementation is killed (its "
        "process or container restarted; in-process, its session handle dropped) and resumed "
        "from the log it reported; the session must go on exactly as without crashes. expected "
        "counts the restarts.",
        "effect": "An implementation that cannot resume from its own log at some point of a "
        "session loses the payment (or the fallback) when it crashes there.",
    },
    "PaymentContents": {
        "description": "Besides the path and the event names, both logs are compared as "
        "content (pjconf.harness.sessions.content): amounts, outputs, the fee the sender offers "
        "and the receiver takes, the output-substitution flag, the protocol version, every "
        "PSBT's inputs and maps, the wallet answers recorded. `varies` names, with reasons, what "
        "is left out: the parties' own keys, the mailbox id, the input order BIP 78 randomises, "
        "signatures, error messages.",
        "effect": "An implementation that completes the session with another payment: a "
        "different fee contribution, output substitution, amount or input set.",
    },
    "ErrorTexts": {
        "description": "The implementation's error texts along the path (each step's error "
        "kind and message, and the message of a GotReplyableError event), compared under "
        "--profile payjoin-1.0 only (`texts`).",
        "effect": "Under payjoin-1.0: a message other than payjoin 1.0's. BIP 78 fixes an "
        "error reply's errorCode, never its message, so bip77 compares none.",
    },
    "DirectoryFaults": {
        "description": "The directory answers 5xx or a wrong-size body (transient: retried), "
        "an unauthentic answer or a 4xx (fatal, or for a receiver with a fallback, "
        "ProtocolFailed kept open in PendingFallback), at each request of either role.",
        "effect": "Retrying what is fatal, or giving up on what is transient.",
    },
    "SenderInputType": {
        "description": "Success with and without a receiver input, the sender spending one "
        "P2SH-P2WPKH (redeem script in its scriptSig), P2TR key-path or P2PKH (non_witness_utxo) "
        "coin: address-type detection and input weight prediction on both sides, and mixed "
        "input types once the receiver adds its P2WPKH coin. With a scriptSig the txid is "
        "malleable, so those receiver paths stop in Monitor (what to watch is left open).",
        "effect": "An implementation that can pay or be paid only from P2WPKH coins.",
    },
    "MixedSenderInputs": {
        "description": "Success with and without a receiver input, the sender spending a "
        "P2WPKH and a P2TR key-path coin: payjoin 1.0's builder prices the input it offers a "
        "fee contribution for as a P2TR key spend with a non-default sighash (231 weight "
        "units: 231 sats at the sessions' min_fee_rate of 1000 sat/kwu) when the Original's "
        "inputs are of more than one type.",
        "effect": "A sender that offers a fee contribution for another input weight when its "
        "coins are of mixed types.",
    },
    "ReceiverUtxoFields": {
        "description": "The harness writes an Original whose input carries a non_witness_utxo "
        "(BIP 174: the whole transaction the outpoint names) into the receiver's mailbox: "
        "with the witness_utxo agreeing (signed: the receiver takes it and posts its "
        "proposal), the witness_utxo one satoshi short of the non_witness_utxo's output, or "
        "an outpoint whose vout equals the non_witness_utxo's output count (both refused).",
        "effect": "A receiver that trusts a witness_utxo its non_witness_utxo contradicts "
        "(BIP 143's fee attack on the sender), reads past a transaction's outputs, or refuses "
        "UTXO data BIP 174 allows.",
    },
    "ReceiverRefusesRequest": {
        "description": "The harness writes a request no conforming sender makes into the "
        "receiver's mailbox (message A, or a BIP 78 plaintext request): not base64, not a PSBT, "
        "an unknown v, no query, an input without UTXO data or with a non_witness_utxo that is "
        "not the transaction its outpoint names. The receiver's poll must refuse it.",
        "effect": "A receiver that goes on with a request it cannot check, or crashes on it.",
    },
    "UndecodableRequest": {
        "description": "The receiver's mailbox holds bytes it cannot read: neither UTF-8 (a BIP "
        "78 request) nor an authentic message A, or a message A whose plaintext is not UTF-8. "
        "payjoin 1.0 closes the session (fatal, Closed(Aborted)) with a ProtocolError::V2 "
        "(HPKE) or ProtocolError::OriginalPayload (UTF-8) error.",
        "effect": "A receiver that crashes on a garbled mailbox, or keeps polling a session "
        "whose request it can never read.",
    },
    "Bip78Request": {
        "description": "A BIP 78 sender's plaintext request (v=1) stored in the v2 mailbox: "
        "the receiver takes it (output substitution disabled) and answers it.",
        "effect": "A v2 receiver that cannot serve the v1 senders BIP 77 keeps compatible.",
    },
    "Version1InMessageA": {
        "description": "v=1 inside an encrypted message A: payjoin 1.0 takes it as a v1 "
        "request (output substitution disabled).",
        "effect": "Under payjoin-1.0: a receiver that refuses what payjoin accepts.",
    },
    "SenderReadsReply": {
        "description": "The harness seals a reply by hand into the sender's reply mailbox: each "
        "BIP 78 well-known errorCode (version-unsupported with supported), an unknown code, JSON "
        "without a code, bytes neither JSON nor a PSBT, a proposal that fails the sender's "
        "checks. Every one ends the sender's session (fatal). With response_error the kind of "
        "the poll's error is compared: ResponseError::WellKnown for the well-known codes in "
        "every profile (BIP 78 defines them); Unrecognized vs Validation only under payjoin-1.0 "
        "(flag ResponseErrorKind).",
        "effect": "A sender that keeps polling after an error reply, takes a garbage answer "
        "for a proposal, or does not recognize a BIP 78 error code.",
    },
    "AcceptedPost": {
        "description": "The directory answers a POST (the sender's Original, the receiver's "
        "proposal) with 202 Accepted, a status BIP 77 gives only to a GET of an empty mailbox; "
        "payjoin 1.0 retries (transient) and the session then succeeds.",
        "effect": "Under payjoin-1.0: a client that takes 202 for a stored message, or gives up.",
    },
    "TruncatedContext": {
        "description": "session.response given the receiver poll's context cut short by one "
        "character: an unknown context, refused as InvalidArgument with the session unchanged; "
        "the intact context then works (docs/adapter-protocol.md, Live-session details).",
        "effect": "An implementation that crashes on, or acts upon, a context it never issued.",
    },
    "SenderChecksProposal": {
        "description": "The reference receiver's proposal, changed in one place by the harness "
        "and sealed into the sender's reply mailbox (pjconf.reference.adapter.crafted_proposal): "
        "a changed version, lock time or sequence, key paths, partial signatures or a final "
        "scriptSig on the sender's input, its input left out, a receiver input not finalized, "
        "without UTXO, of another sequence or of no weight payjoin can predict, outputs swapped "
        "or left out, a fee contribution above the maximum, paid to the payee or paying for no "
        "input, a lower or negative absolute fee, a fee rate below the sender's minimum; and "
        "changes the sender must accept (its input moved after the receiver's, an output "
        "added). Refusals end the session (fatal, Closed); under payjoin-1.0 the refusal's "
        "text is compared.",
        "effect": "A sender that signs a proposal BIP 78's checklist refuses (losing money to "
        "the receiver), or refuses one the BIP allows.",
    },
    "SenderCheckLeftOpen": {
        "description": "A proposal where payjoin 1.0's sender goes past BIP 78's checklist or "
        "stops short of it: SIGHASH_NONE, ALL or DEFAULT named on the sender's input, the "
        "payee's output lowered or substituted (substitution enabled), a receiver input "
        "spending the sender's own script (payjoin counts no weight for it), a receiver input "
        "whose non_witness_utxo lacks its output beside a witness UTXO.",
        "effect": "Under payjoin-1.0: a sender that decides otherwise than payjoin 1.0.",
    },
    "ZeroFeeContribution": {
        "description": "A minimum fee rate of 0: payjoin 1.0's recommended builder offers a "
        "fee contribution of 0 sats from the change; payjoin 1.1.0 and later offer none.",
        "effect": "Under payjoin-1.0: a sender whose Created event records another offer.",
    },
    "ResponseErrorKind": {
        "description": "Which of payjoin 1.0's ResponseError kinds a non-well-known reply is: "
        "Unrecognized (JSON with an unknown errorCode) or Validation (anything else).",
        "effect": "Under payjoin-1.0: a sender that classes the reply otherwise.",
    },
}

SOURCES: list[Json] = [
    {
        "name": "payjoin 1.0.0: receive/v2/mod.rs, send/v2/mod.rs, core/ohttp.rs; "
        "payjoin-mailroom (the directory's answers)",
        "url": "https://github.com/payjoin/rust-payjoin",
        "revision": "60d0adbf",
        "note": "Paths and outcomes as pjconf.harness.sessions.paths states them; rust-payjoin "
        "completes every path against the reference (tests/interop).",
    },
]


CRASH_PATHS = (
    "success_contributed",
    "error_reply_faults/input_owned",
    "error_reply_faults/not_broadcastable",
    "cancel_error_reply/input_owned",
    "cancel/PayjoinProposal",
    "proposal_faults",
    "directory_faults",
)
"""Paths run again with crashes: between them they reach every state either role can be saved
in (each restart costs an implementation process, so not every path is repeated)."""


def _flag(path: str) -> str:
    head = path.split("/", maxsplit=1)[0]
    return {
        "success": "Success",
        "success_contributed": "Success",
        "error_reply": "ErrorReply",
        "cancel": "Cancel",
        "cancel_error_reply": "Cancel",
        "directory_faults": "DirectoryFaults",
        "error_reply_faults": "DirectoryFaults",
        "proposal_faults": "DirectoryFaults",
        "sender_faults": "DirectoryFaults",
        "sender_post_rejected": "DirectoryFaults",
    }[head]


def _case(
    case_id: int, comment: str, flags: list[str], args: Json, *, reply: Reply, varied: list[Json]
) -> Json:
    """A valid case: ``texts`` (payjoin 1.0's error texts) compared under ``payjoin-1.0`` only,
    since no specification fixes an error message."""
    full = dict(reply.value)
    bip77 = {k: v for k, v in full.items() if k != "texts"}
    texts = full.get("texts", {})
    has_texts = any(texts.values()) if isinstance(texts, dict) else False
    case: Json = {
        "tcId": case_id,
        "comment": comment,
        "flags": [*flags, "PaymentContents", *(["ErrorTexts"] if has_texts else [])],
        "result": "valid",
        "op": DRIVE_OP,
        "args": args,
        "expected": bip77,
        "varies": varied,
    }
    if has_texts:
        case["profiles"] = {PAYJOIN_10: {"result": "valid", "expected": full}}
    return case


def reference_summary(args: Json) -> Json:
    """What the reference reports for a ``session.drive`` case with these ``args`` (a fresh
    variant's expected: its payment, so its contents, come from its own seed)."""
    return dict(_run(args)[0].value)


def reference_case(comment: str, flags: list[str], args: Json) -> Json | None:
    """A valid ``session.drive`` case of ``args`` as the reference drives it, without ``tcId``
    (``pjconf fuzz`` numbers the cases it saves), or None when the reference fails it too."""
    reply, transcript = drive_transcript(reference_client(seed=f"{SEED}/iut"), args)
    if reply.kind != "result" or transcript is None:
        return None
    role: Role = "sender" if args["iut_role"] == "sender" else "receiver"
    case = _case(0, comment, flags, args, reply=reply, varied=varies(transcript, role))
    del case["tcId"]
    return case


def _run(args: Json) -> tuple[Reply, list[Json]]:
    reply, transcript = drive_transcript(reference_client(seed=f"{SEED}/iut"), args)
    if reply.kind != "result" or transcript is None:
        raise AssertionError(f"the reference fails its own session {args}: {reply}")
    role: Role = "sender" if args["iut_role"] == "sender" else "receiver"
    return reply, varies(transcript, role)


def generate() -> Json:
    ids = CaseIds()
    tests = []
    for role in ROLES:
        for path in path_names(SEED):
            args: Json = {"iut_role": role, "path": path, "seed": SEED}
            reply, varied = _run(args)
            case = _case(
                ids(),
                f"{path}, the implementation as the {role}",
                [_flag(path)],
                args,
                reply=reply,
                varied=varied,
            )
            if path == "success":
                case["intermediates"] = {
                    "transcript": drive_reference(path, seed=SEED).to_json(),
                }
            tests.append(case)
    crashed = []
    for role in ROLES:
        for path in CRASH_PATHS:
            args = {"iut_role": role, "path": path, "seed": SEED, "crash": True}
            reply, varied = _run(args)
            if not reply.value.get("restarts"):
                raise AssertionError(f"the reference does not survive its crashes {args}: {reply}")
            comment = (
                f"{path}, the implementation as the {role}, crashed and resumed "
                f"from its log at each of its {reply.value['restarts']} persistence points"
            )
            flags = [_flag(path), "CrashAtEveryPersistencePoint"]
            crashed.append(_case(ids(), comment, flags, args, reply=reply, varied=varied))
    groups = [
        {"type": "Session", "tests": tests},
        {"type": "CrashResume", "tests": crashed},
        {"type": "InputTypes", "tests": _input_type_cases(ids)},
        {"type": "CraftedMessage", "tests": _crafted_cases(ids)},
        {"type": "MixedInputTypes", "tests": _mixed_input_cases(ids)},
        {"type": "ReceiverUtxoFields", "tests": _receiver_utxo_cases(ids)},
        {"type": "UndecodableRequest", "tests": _undecodable_cases(ids)},
        {"type": "CraftedProposal", "tests": _proposal_cases(ids)},
        {"type": "CraftedReply", "tests": _sender_reads_cases(ids, sorted(EDGE_REPLIES))},
    ]
    return envelope(FAMILY, module=__name__, sources=SOURCES, notes=NOTES, groups=groups)


INPUT_KINDS = ("p2sh-p2wpkh", "p2tr", "p2pkh")
"""Sender coin types beside the P2WPKH every other case spends."""

WELL_KNOWN_REPLIES = (
    "unavailable",
    "not_enough_money",
    "version_unsupported",
    "original_psbt_rejected",
    "version_unsupported_edges",
)


def _driven(ids: CaseIds, comment: str, flags: list[str], args: Json) -> Json:
    reply, varied = _run(args)
    return _case(ids(), comment, flags, args, reply=reply, varied=varied)


def _input_type_cases(ids: CaseIds) -> list[Json]:
    return [
        _driven(
            ids,
            f"{path}, the sender spending a {kind} coin, the implementation as the {role}",
            ["SenderInputType"],
            {"iut_role": role, "path": path, "seed": SEED, "sender_input": kind},
        )
        for kind in INPUT_KINDS
        for path in ("success", "success_contributed")
        for role in ROLES
    ]


def _mixed_input_cases(ids: CaseIds) -> list[Json]:
    return [
        _driven(
            ids,
            f"{path}, the sender spending coins of two types ({kind}), the implementation as "
            f"the {role}",
            ["MixedSenderInputs"],
            {"iut_role": role, "path": path, "seed": SEED, "sender_input": kind},
        )
        for kind in sorted(MIXED_SENDER_INPUTS)
        for path in ("success", "success_contributed")
        for role in ROLES
    ]


def _receiver_utxo_cases(ids: CaseIds) -> list[Json]:
    names = sorted(n for n in crafted_paths(payment(f"{SEED}/payment")) if "receiver_utxo/" in n)
    cases = []
    for path in names:
        refused = path.removeprefix("receiver_utxo/") not in UTXO_ACCEPTED_BODIES
        flags = ["ReceiverUtxoFields", *(["ReceiverRefusesRequest"] if refused else [])]
        args: Json = {"iut_role": "receiver", "path": path, "seed": SEED}
        cases.append(_driven(ids, f"{path}, the implementation as the receiver", flags, args))
    return cases


def _crafted_cases(ids: CaseIds) -> list[Json]:
    names = sorted(crafted_paths(payment(f"{SEED}/payment")))
    cases = []
    for path in names:
        head, _, what = path.partition("/")
        if head == "receiver_refuses":
            flags = ["ReceiverRefusesRequest"]
        elif head == "receiver_accepts":
            flags = ["Bip78Request" if what == "bip78_request" else "Version1InMessageA"]
        elif head == "truncated_context":
            flags = ["TruncatedContext"]
        elif head == "accepted_post":
            for role in ROLES:
                both: Json = {"iut_role": role, "path": path, "seed": SEED}
                comment = f"{path}, the implementation as the {role}"
                cases.append(_driven(ids, comment, ["AcceptedPost"], both))
            continue
        else:
            continue
        args: Json = {"iut_role": "receiver", "path": path, "seed": SEED}
        cases.append(_driven(ids, f"{path}, the implementation as the receiver", flags, args))
    return cases + _sender_reads_cases(ids, [n for n in names if n not in EDGE_REPLIES])


EDGE_REPLIES = {f"sender_reads/{name}" for name in edge_reply_bodies()}
"""Replies added after the corpus's first sender_reads cases: generated last (their own
group), so that the earlier cases keep their ids."""


def _sender_reads_cases(ids: CaseIds, names: list[str]) -> list[Json]:
    cases = []
    for path in names:
        head, _, what = path.partition("/")
        if head != "sender_reads":
            continue
        base: Json = {"iut_role": "sender", "path": path, "seed": SEED}
        comment = f"{path}, the implementation as the sender"
        if what in WELL_KNOWN_REPLIES:
            args = {**base, "response_error": True}
            cases.append(
                _driven(ids, comment + ": a BIP 78 well-known error", ["SenderReadsReply"], args)
            )
            continue
        cases.append(_driven(ids, comment, ["SenderReadsReply"], base))
        cases.append(
            _driven(
                ids,
                comment + ", with payjoin 1.0's kind of error",
                ["SenderReadsReply", "ResponseErrorKind"],
                {**base, "response_error": True},
            )
        )
    return cases


def _undecodable_cases(ids: CaseIds) -> list[Json]:
    """The ``receiver_undecodable`` paths, after every other case (their ids come last)."""
    names = sorted(crafted_paths(payment(f"{SEED}/payment")))
    return [
        _driven(ids, f"{path}, the implementation as the receiver",
                ["ReceiverRefusesRequest", "UndecodableRequest"],
                {"iut_role": "receiver", "path": path, "seed": SEED})
        for path in names
        if path.startswith("receiver_undecodable/")
    ]  # fmt: skip


CHOICE_FLAGS = {
    "min_fee_rate_zero": ["ZeroFeeContribution"],
    "min_fee_rate_zero_huge_input": ["ZeroFeeContribution"],
}
"""Tampers whose sender builds a session payjoin versions disagree on (docs/rust-payjoin-findings.md
row 34)."""


def _proposal_cases(ids: CaseIds) -> list[Json]:
    """The sender given a tampered proposal (``sender_checks/<tamper>``), one case each."""
    cases = []
    for name, tamper in tampered_proposals().items():
        path = f"sender_checks/{name}"
        flags = ["SenderChecksProposal", *(["SenderCheckLeftOpen"] if tamper.open else [])]
        flags += CHOICE_FLAGS.get(name, [])
        args: Json = {"iut_role": "sender", "path": path, "seed": SEED}
        comment = f"{path}, the implementation as the sender: {tamper.what}"
        cases.append(_driven(ids, comment, flags, args))
    return cases
