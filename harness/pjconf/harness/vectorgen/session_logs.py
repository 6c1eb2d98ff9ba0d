"""Session logs for the session families, written by the reference playing both roles.

Every path of :mod:`~pjconf.harness.sessions.paths` is driven between two seeded in-process
reference adapters through the harness's mailbox, with the clock fixed, so the logs (every
key, nonce and signature in them) are the same on every run. A log *prefix* after each step is
what an implementation holds at that point of a live session: the ``replay`` family replays
them, the ``transitions`` family resumes from them.
"""

from __future__ import annotations

from dataclasses import dataclass

from pjconf.harness.implementations.reference import reference_client
from pjconf.harness.sessions.drive import paths
from pjconf.harness.sessions.driver import Role, SessionConfig, SessionDriver, Transcript
from pjconf.harness.vectorgen import CaseIds, Json, texts
from pjconf.reference.adapter.payment import Payment, payment
from pjconf.reference.bip77.directory import Mailbox
from pjconf.reference.entropy import FixedClock

NOW = 1_700_000_000
"""The fixed clock of every generated session (2023-11-14)."""
LIVE_EXPIRATION = 4_000_000_000
"""A session expiration in 2096: not expired for any implementation that reads its own clock."""
PAST_NOW = 599_000_000
PAST_EXPIRATION = 600_000_000
"""A session run in 1988 that expired in 1989: expired for every real clock."""

ROLES: tuple[Role, ...] = ("receiver", "sender")

FOLD_ERRORS = frozenset(
    {"NoEvents", "InvalidFirstEvent", "InvalidEvent", "InvalidEventPayload", "Expired"}
)
"""``ReplayError`` kinds, whose answer says whether replay closed the persister (it does on
every fold error, payjoin 1.0's ``replay_event_log``; not on expiry) and the expired session's
fallback transaction."""


@dataclass(frozen=True)
class SessionLog:
    """One role's log after one step of a driven path."""

    path: str
    role: Role
    step: str
    """The step that wrote the last event (``receiver.commit_outputs``)."""
    state: str
    """The live state after that step."""
    events: tuple[str, ...]


def session_payment(seed: str) -> Payment:
    return payment(f"{seed}/payment")


def drive_reference(
    name: str, *, seed: str, expiration: int = LIVE_EXPIRATION, now: int = NOW
) -> Transcript:
    """Path ``name`` with the reference in both roles (each adapter seeded from ``seed``)."""
    pay = session_payment(seed)
    driver = SessionDriver(
        sender=reference_client(seed=f"{seed}/sender-adapter"),
        receiver=reference_client(seed=f"{seed}/receiver-adapter"),
        mailbox=Mailbox.seeded(f"{seed}/mailbox"),
        config=SessionConfig(pay, expiration, clock=FixedClock(now), seed=seed),
    )
    return paths(pay)[name](driver)


def path_names(seed: str) -> list[str]:
    return sorted(paths(session_payment(seed)))


def prefixes(name: str, transcript: Transcript) -> list[SessionLog]:
    """Each role's log after every step that appended to it, in step order."""
    logs: dict[Role, list[str]] = {role: [] for role in ROLES}
    out: list[SessionLog] = []
    for step in transcript.steps:
        appended = step.result.get("appended")
        if not isinstance(appended, list) or not appended:
            continue
        logs[step.role].extend(str(text) for text in appended)
        out.append(SessionLog(name, step.role, step.name, step.state, tuple(logs[step.role])))
    return out


class Replayer:
    """The reference's ``replay`` op, in-process: the expected result or error of a log."""

    def __init__(self, seed: str) -> None:
        self.client = reference_client(seed=seed)

    def case(self, ids: CaseIds, comment: str, flags: list[str], args: Json) -> Json:
        reply = self.client.call("replay", args)
        base = {"tcId": ids(), "comment": comment, "flags": flags}
        if reply.kind == "result":
            expected = {k: reply.value[k] for k in ("state", "status", "closed", "fallback_tx")}
            expected["expired"] = reply.value["expired"]
            return {**base, "result": "valid", "op": "replay", "args": args, "expected": expected}
        if reply.kind != "error":
            raise AssertionError(f"{comment}: the reference answered {reply}")
        error = {"kind": reply.value["kind"]}
        if reply.value["kind"] in FOLD_ERRORS:  # replay ran: did it close, what fallback
            error["closed"] = reply.value["closed"]
            error["fallback_tx"] = reply.value["fallback_tx"]
        case = {**base, "result": "invalid", "op": "replay", "args": args, "error": error}
        return texts.with_text(case, reply.value["kind"], reply.value.get("message"))


def replay_args(role: str, events: list[str] | tuple[str, ...], now: int = NOW) -> Json:
    return {"role": role, "events": list(events), "now": now}
