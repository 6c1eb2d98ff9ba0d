"""A session passed between implementations at its persistence points.

:class:`HandoverDriver` is the session driver with its crash generalised: where
``SessionConfig.crash`` drops the role's session and resumes it *in the same* implementation,
a handover drops it and resumes it in the *next* implementation of a relay (A, B, A, B...) from
the log the previous one reported. The path is the one a single implementation walks, checked
step by step by the driver as always; on top, the log written by the relay must have the same
event variants as the log the first implementation writes alone (:func:`alone`).

Every failure is attributed to a handover: the one just before the failing step, or, for an
event of the wrong variant, the one that gave the session to the implementation that wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pjconf.harness.clock import FixedTime
from pjconf.harness.compat.model import Member
from pjconf.harness.implementations.reference import Mailbox, payment, reference_client
from pjconf.harness.sessions import drive
from pjconf.harness.sessions.driver import (
    Log,
    MalformedAnswer,
    Role,
    SessionConfig,
    SessionDriver,
    SessionFailure,
    Transcript,
    UnexpectedOutcome,
)
from pjconf.protocol.wire import JsonObject

SEED = "pjconf/compat"
"""Seeds the payment, the mailbox and the reference peer, alike in every run of a path."""


@dataclass(frozen=True)
class Handover:
    """The session of the role under test left ``writer`` and was resumed by ``reader``."""

    writer: str
    reader: str
    after: str
    """The step whose saved event made this a persistence point."""
    events: int
    """How long the log was."""
    state: str = ""
    """The state the writer saved the session in (the one the reader must resume)."""


@dataclass
class HandoverDriver(SessionDriver):
    """A :class:`SessionDriver` whose role under test moves along ``relay`` at every
    persistence point (the session starts in ``relay[0]``)."""

    relay: tuple[Member, ...] = ()
    under_test: Role = "receiver"
    turn: int = 0
    handovers: list[Handover] = field(default_factory=list)
    writers: list[int] = field(default_factory=list)
    """For each event of the role's log, the turn (index into ``relay``'s cycle) that wrote it."""

    def holder(self) -> Member:
        return self.relay[self.turn % len(self.relay)]

    def _crash_point(self, role: Role, log: Log) -> None:
        if role != self.under_test:
            return
        self.writers.extend([self.turn] * (len(log.events) - len(self.writers)))
        if log.closed:
            return
        writer, reader = self.holder(), self.relay[(self.turn + 1) % len(self.relay)]
        step = f"{role}.resume"
        self.handovers.append(
            Handover(
                writer.label, reader.label, self.steps[-1].name, len(log.events), log.state or ""
            )
        )
        writer.client.call("session.drop", {"handle": self._handle(role, step)})
        self.turn += 1
        if role == "receiver":
            self.receiver = reader.client
        else:
            self.sender = reader.client
        resumed = self._op(role, step, "session.resume", {"role": role, "events": log.events})
        if resumed.get("state") != log.state:
            raise UnexpectedOutcome(
                step, f"resumed in {resumed.get('state')!r}, saved in {log.state!r}", resumed
            )
        handle = resumed.get("handle")
        if not isinstance(handle, (str, int)):
            raise MalformedAnswer(step, "the answer has no usable `handle`", resumed)
        self.handles[role] = str(handle)
        held = self.log(role, step)
        if held.events != log.events:
            pairs = zip(held.events, log.events, strict=False)
            differs = next(
                (i for i, (a, b) in enumerate(pairs) if a != b),
                min(len(held.events), len(log.events)),
            )
            raise UnexpectedOutcome(
                step,
                f"the resumed session's log differs from the one it was resumed from at "
                f"event {differs} ({len(held.events)} events, {len(log.events)} given)",
            )
        if held.state != log.state:
            raise UnexpectedOutcome(step, f"lives in {held.state!r}, saved in {log.state!r}")


@dataclass
class PathRun:
    """One path driven by one implementation alone or by a relay."""

    transcript: Transcript | None
    failure: SessionFailure | None
    handovers: list[Handover] = field(default_factory=list)
    failed_at: int | None = None
    """Index in ``handovers`` of the one the failure is blamed on (None: before any)."""

    def summary(self, role: Role) -> JsonObject | None:
        return None if self.transcript is None else drive.summary(self.transcript, role)


def _setup(seed: str, path: str) -> tuple[SessionConfig, drive.Path]:
    pay = payment(f"{seed}/payment")
    config = SessionConfig(pay, drive.EXPIRATION, clock=FixedTime(drive.NOW), seed=seed)
    return config, drive.paths(pay)[path]


def _drop_all(driver: SessionDriver) -> None:
    """Forget the sessions: an adapter serving a whole matrix would otherwise hold thousands."""
    for role, handle in driver.handles.items():
        driver.client(role).call("session.drop", {"handle": handle})


def alone(member: Member, role: Role, path: str, seed: str = SEED) -> PathRun:
    """``member`` drives ``path`` in ``role`` by itself, the reference as its peer: the logs a
    reader must replay, and the baseline a relay starting with ``member`` must match."""
    config, run = _setup(seed, path)
    peer = reference_client(seed=f"{seed}/peer")
    sender, receiver = (member.client, peer) if role == "sender" else (peer, member.client)
    driver = SessionDriver(sender, receiver, Mailbox.seeded(f"{seed}/mailbox"), config)
    try:
        return PathRun(run(driver), None)
    except SessionFailure as e:
        return PathRun(None, e)
    finally:
        _drop_all(driver)


def relay(
    members: tuple[Member, ...], role: Role, path: str, baseline: JsonObject, seed: str = SEED
) -> PathRun:
    """``path`` with ``role``'s session handed along ``members`` at every persistence point;
    its log must have ``baseline``'s event variants (the first member's, alone)."""
    config, run = _setup(seed, path)
    peer = reference_client(seed=f"{seed}/peer")
    first = members[0].client
    sender, receiver = (first, peer) if role == "sender" else (peer, first)
    driver = HandoverDriver(
        sender, receiver, Mailbox.seeded(f"{seed}/mailbox"), config, relay=members, under_test=role
    )
    try:
        transcript = run(driver)
    except SessionFailure as e:
        blamed = len(driver.handovers) - 1 if driver.handovers else None
        return PathRun(None, e, driver.handovers, blamed)
    finally:
        _drop_all(driver)
    done = PathRun(transcript, None, driver.handovers)
    mismatch = _first_difference(drive.summary(transcript, role), baseline)
    if mismatch is not None:
        index, message = mismatch
        turn = driver.writers[index] if index < len(driver.writers) else driver.turn
        done.failure = UnexpectedOutcome(f"{role}.log", message)
        done.failed_at = turn - 1 if turn > 0 else None
    return done


def _first_difference(got: JsonObject, want: JsonObject) -> tuple[int, str] | None:
    """The first event whose variant differs from the baseline's (or a different length)."""
    ours, theirs = list(got["events"]), list(want["events"])
    for index, (a, b) in enumerate(zip(ours, theirs, strict=False)):
        if a != b:
            return index, f"event {index} is {a}, written alone it is {b}"
    if len(ours) != len(theirs) or got["closed"] != want["closed"]:
        index = min(len(ours), len(theirs))
        return index, f"the log has {len(ours)} events (closed: {got['closed']}), alone " + (
            f"{len(theirs)} (closed: {want['closed']})"
        )
    return None
