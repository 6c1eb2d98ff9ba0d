"""Whole-session cases: the implementation plays one role, the reference the other.

A ``sessions`` case names a path of :mod:`~pjconf.harness.sessions.paths` and the role the
implementation under test plays; the harness is the directory (:class:`Mailbox`) and runs the
reference in-process as the peer. Every step is checked as it happens (outcome, state, effect on
the log; :class:`SessionFailure` names the step that went wrong), then the case compares what
the implementation's role did with the vector: the ``(step, outcome, state)`` path, the
variant names of its log, and what both logs say about the payment
(:mod:`~pjconf.harness.sessions.content`: amounts, outputs, fees, flags, inputs). Event *bytes*
are not compared here (they hold the implementation's keys and draws); the ``replay`` and
``transitions`` families pin those.

The case's op, ``session.drive``, is the harness's own: it is never sent to an implementation,
which instead needs the live-session ops listed in :data:`DRIVE_NEEDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from pjconf.harness.clock import FixedTime
from pjconf.harness.fuzz.session_steps import (
    FUZZ_PREFIX,
    Action,
    BadPath,
    decode_path,
    drive_actions,
)
from pjconf.harness.implementations.client import Client, Reply
from pjconf.harness.implementations.reference import (
    MIXED_SENDER_INPUTS,
    SENDER_INPUT_KINDS,
    UTXO_ACCEPTED_BODIES,
    Mailbox,
    Payment,
    accepted_bodies,
    crafted_bodies,
    edge_reply_bodies,
    payment,
    reference_client,
    reply_bodies,
    sender_payment,
    tampered_proposals,
    undecodable_bodies,
    utxo_bodies,
)
from pjconf.harness.sessions import content
from pjconf.harness.sessions.crafted_paths import (
    response_error,
    run_receiver_accepts,
    run_receiver_refuses,
    run_sender_checks,
    run_sender_reads,
    run_truncated_context,
)
from pjconf.harness.sessions.driver import (
    PathDiverged,
    Role,
    SessionConfig,
    SessionDriver,
    SessionFailure,
    StepMalfunctioned,
    StepUnsupported,
    Transcript,
)
from pjconf.harness.sessions.paths import (
    CANCEL_POINTS,
    Rejection,
    rejections,
    run_accepted_post,
    run_cancel,
    run_cancel_error_reply,
    run_directory_faults,
    run_error_reply,
    run_error_reply_faults,
    run_proposal_faults,
    run_sender_faults,
    run_sender_post_rejected,
    run_success,
    run_success_contributed,
)
from pjconf.protocol.events import variant_name
from pjconf.protocol.wire import JsonObject

DRIVE_OP = "session.drive"
DRIVE_NEEDS = (
    "session.new_receiver",
    "session.new_sender",
    "session.request",
    "session.response",
    "session.call",
    "session.events",
)
"""The protocol ops an implementation must serve for a ``session.drive`` case to be sent."""

NOW = 1_700_000_000
EXPIRATION = 4_000_000_000
"""Far enough ahead (2096) that implementations reading their own clock agree for decades."""

Path = Callable[[SessionDriver], Transcript]


def paths(pay: Payment) -> dict[str, Path]:
    """Every drivable path by name: ``success``, ``success_contributed``, ``error_reply/<check>``,
    ``error_reply_faults/<check>``, ``cancel/<state>``, ``cancel_error_reply/<check>``,
    ``directory_faults``, ``proposal_faults``, ``sender_faults``, ``sender_post_rejected``."""
    table: dict[str, Path] = {
        "success": run_success,
        "success_contributed": run_success_contributed,
        "directory_faults": run_directory_faults,
        "proposal_faults": run_proposal_faults,
        "sender_faults": run_sender_faults,
        "sender_post_rejected": run_sender_post_rejected,
    }
    for name, rejection in rejections(pay).items():
        table[f"error_reply/{name}"] = partial(_with_rejection, run_error_reply, rejection)
        table[f"error_reply_faults/{name}"] = partial(
            _with_rejection, run_error_reply_faults, rejection
        )
        table[f"cancel_error_reply/{name}"] = partial(
            _with_rejection, run_cancel_error_reply, rejection
        )
    for state in CANCEL_POINTS:
        table[f"cancel/{state}"] = partial(_cancel, at=state)
    return table


def crafted_paths(pay: Payment) -> dict[str, Path]:
    """Paths with one message written by the harness (:mod:`.crafted_paths`):
    ``receiver_refuses/<body>``, ``receiver_undecodable/<body>``, ``receiver_accepts/<body>``,
    ``receiver_utxo/<body>`` (an Original with a ``non_witness_utxo``, taken or refused),
    ``sender_reads/<reply>``, ``sender_checks/<tamper>``."""
    table: dict[str, Path] = {
        "accepted_post": run_accepted_post,
        "truncated_context": run_truncated_context,
    }
    other = payment(f"{pay.receiver_address}/other")
    for name, crafted in crafted_bodies(pay, other).items():
        table[f"receiver_refuses/{name}"] = partial(_crafted, run_receiver_refuses, crafted)
    for name, crafted in undecodable_bodies(pay).items():
        table[f"receiver_undecodable/{name}"] = partial(_crafted, run_receiver_refuses, crafted)
    for name, crafted in accepted_bodies(pay).items():
        table[f"receiver_accepts/{name}"] = partial(_crafted, run_receiver_accepts, crafted)
    for name, crafted in utxo_bodies(pay).items():
        run = run_receiver_accepts if name in UTXO_ACCEPTED_BODIES else run_receiver_refuses
        table[f"receiver_utxo/{name}"] = partial(_crafted, run, crafted)
    for name, body in {**reply_bodies(pay), **edge_reply_bodies()}.items():
        table[f"sender_reads/{name}"] = partial(_crafted, run_sender_reads, body)
    for name, tamper in tampered_proposals().items():
        table[f"sender_checks/{name}"] = partial(_crafted, run_sender_checks, tamper)
    return table


def _crafted(
    run: Callable[[SessionDriver, Any], Transcript], what: Any, d: SessionDriver
) -> Transcript:
    return run(d, what)


def _with_rejection(
    run: Callable[[SessionDriver, Rejection], Transcript],
    rejection: Rejection,
    driver: SessionDriver,
) -> Transcript:
    return run(driver, rejection)


def _cancel(driver: SessionDriver, *, at: str) -> Transcript:
    return run_cancel(driver, at)


def driver_for(
    iut: Client,
    role: Role,
    seed: str,
    pay: Payment,
    *,
    crash: bool = False,
    peer: Client | None = None,
) -> SessionDriver:
    """A driver with ``iut`` in ``role`` and, unless ``peer`` is given, a seeded in-process
    reference as its peer; ``crash`` crashes the implementation at every persistence point and
    resumes it."""
    if peer is None:
        peer = reference_client(seed=f"{seed}/peer")
    sender, receiver = (iut, peer) if role == "sender" else (peer, iut)
    config = SessionConfig(
        pay, EXPIRATION, clock=FixedTime(NOW), seed=seed, crash=(role,) if crash else ()
    )
    return SessionDriver(sender, receiver, Mailbox.seeded(f"{seed}/mailbox"), config)


def _fuzzed(driver: SessionDriver, iut: Role, name: str) -> Path | None:
    """A ``fuzz/<actions>`` path (a random session ``pjconf fuzz`` saved), the peer also
    answering as the oracle; None for a named path. Raises
    :class:`~pjconf.harness.fuzz.session_steps.BadPath` for a path naming no action."""
    if not name.startswith(FUZZ_PREFIX):
        return None
    actions = decode_path(name)
    oracle = driver.client("sender" if iut == "receiver" else "receiver")
    return partial(_drive_actions, iut=iut, actions=actions, oracle=oracle)


def _drive_actions(
    driver: SessionDriver, *, iut: Role, actions: list[Action], oracle: Client
) -> Transcript:
    return drive_actions(driver, iut, actions, oracle)


def summary(transcript: Transcript, role: Role) -> JsonObject:
    """What a case compares: the role's path, its log's variant names, closed or not, the
    deterministic content of both logs (:mod:`~pjconf.harness.sessions.content`: the peer's log
    records what the implementation sent it) and, for the ``payjoin-1.0`` profile only, the
    texts of the role's errors (``texts``)."""
    log = transcript.logs[role]
    peer: Role = "receiver" if role == "sender" else "sender"
    peer_log = transcript.logs.get(peer)
    return {
        "path": [list(step) for step in transcript.path(role)],
        "events": [variant_name(text) for text in log.events],
        "closed": log.closed,
        "contents": content.contents(role, log.events),
        "peer_contents": content.contents(peer, peer_log.events if peer_log else []),
        "texts": {
            "steps": [
                [s.name, error.get("kind"), error.get("message")]
                for s in transcript.steps
                if s.role == role and isinstance(error := s.result.get("error"), dict)
            ],
            "events": content.texts(role, log.events),
        },
    }


def varies(transcript: Transcript, role: Role) -> list[JsonObject]:
    """The parts of :func:`summary`'s logs that may differ between implementations, and why."""
    peer: Role = "receiver" if role == "sender" else "sender"
    found = content.varying(role, transcript.logs[role].events)
    peer_log = transcript.logs.get(peer)
    for entry in content.varying(peer, peer_log.events if peer_log else []):
        if entry not in found:
            found.append(entry)
    return sorted(found, key=lambda entry: list(content.VARIES).index(str(entry["field"])))


def drive(client: Client, args: JsonObject) -> Reply:
    """Run the case's path; a failed step is an ``error`` reply naming it (so it is judged
    FAIL), an op the implementation lacks is ``unimplemented`` (SKIP), and an adapter that
    malfunctioned (a timeout, a crash) a ``malfunction`` (ERROR), as in any other case."""
    return drive_transcript(client, args)[0]


def drive_transcript(client: Client, args: JsonObject) -> tuple[Reply, Transcript | None]:
    """:func:`drive`, with the transcript of a completed path (for the vector generator,
    which names what :func:`varies` in it)."""
    role = args.get("iut_role")
    name = args.get("path")
    seed = args.get("seed", "pjconf/sessions")
    crash = args.get("crash", False)
    sender_input = args.get("sender_input", "p2wpkh")
    if (
        role not in ("sender", "receiver")
        or not isinstance(seed, str)
        or not isinstance(crash, bool)
        or (sender_input not in SENDER_INPUT_KINDS and sender_input not in MIXED_SENDER_INPUTS)
    ):
        return Reply("malfunction", {"message": f"not a drivable case: {args}"}), None
    pay = sender_payment(f"{seed}/payment", str(sender_input))
    iut_role: Role = "sender" if role == "sender" else "receiver"
    driver = driver_for(client, iut_role, seed, pay, crash=crash)
    try:
        run = _fuzzed(driver, iut_role, name) if isinstance(name, str) else None
    except BadPath as e:
        return Reply("malfunction", {"message": f"not a drivable case: {e}"}), None
    if run is None:
        table = {**paths(pay), **crafted_paths(pay)}
        if name not in table:
            return Reply("malfunction", {"message": f"not a drivable case: {args}"}), None
        run = table[str(name)]
    try:
        transcript = run(driver)
    except StepUnsupported as e:
        return Reply("unimplemented", {"message": str(e)}), None
    except StepMalfunctioned as e:
        message = f"{e} (the adapter malfunctioned mid-session)"
        return Reply("malfunction", {"message": message}), None
    except PathDiverged as e:
        return Reply("error", {"kind": "PathDiverged", "message": str(e)}), None
    except SessionFailure as e:
        failure = {"kind": "SessionFailure", "message": f"{type(e).__name__}: {e}"}
        return Reply("error", failure), None
    result = summary(transcript, iut_role)
    if args.get("response_error") is True:
        result["response_error"] = response_error(transcript)
    if crash:
        result["restarts"] = driver.restarts.get(iut_role, 0)
    return Reply("result", result), transcript
