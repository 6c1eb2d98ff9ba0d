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
from pjconf.harness.implementations.reference import reference_client
from pjconf.harness.sessions.drive import DRIVE_OP, drive_transcript, varies
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
    groups = [{"type": "Session", "tests": tests}, {"type": "CrashResume", "tests": crashed}]
    return envelope(FAMILY, module=__name__, sources=SOURCES, notes=NOTES, groups=groups)
