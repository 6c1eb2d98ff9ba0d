"""The invariants a random session checks after every step of the implementation under test.

The driver already checks each step's effect class against the log diff
(:func:`~pjconf.harness.sessions.driver.check_effect`). On top of it:

- **replay equals live**: the implementation's ``replay`` of its own log reaches the state its
  live session reports (:class:`ReplayDiffers`);
- **the log round-trips**: ``session.resume`` of that log gives a session in the same state
  whose ``session.events`` is the same log, byte for byte (:class:`RoundTripDiffers`);
- **the oracle agrees**: a ``session.call`` is made again by the oracle on a session it resumed
  from the log the implementation had before the call; both must answer the same outcome,
  state, closed flag, error kind and appended event variants (:class:`OracleDiffers`). The
  mailbox's answers are sealed to the implementation's own keys, so ``session.response`` steps
  have no such second opinion: the effect check and the two invariants above judge them.
"""

from __future__ import annotations

from pjconf.harness.implementations.client import Client
from pjconf.harness.sessions.driver import Log, Role, SessionDriver, SessionFailure, Step
from pjconf.protocol.events import variant_name
from pjconf.protocol.wire import JsonObject


class ReplayDiffers(SessionFailure):
    """The implementation's replay of its log is not the session it is living."""


class RoundTripDiffers(SessionFailure):
    """The implementation's log, resumed, is another session or another log."""


class OracleDiffers(SessionFailure):
    """The oracle, resumed from the same log and asked the same, answers otherwise."""


def _now(driver: SessionDriver) -> JsonObject:
    clock = driver.config.clock
    return {} if clock is None else {"now": clock.now()}


def check_after_step(driver: SessionDriver, role: Role) -> None:
    """Replay and round-trip the implementation's log as it is now."""
    log = driver.log(role)
    check_replay(driver, role, log)
    check_round_trip(driver, role, log)


def check_replay(driver: SessionDriver, role: Role, log: Log) -> None:
    step = f"{role}.replay"
    reply = driver.client(role).call("replay", {"role": role, "events": log.events, **_now(driver)})
    if reply.kind == "unimplemented":
        return
    if reply.kind != "result":
        raise ReplayDiffers(step, f"its own log does not replay: {reply.kind} {reply.value}")
    # (replay's own `closed` says whether replaying closed the persister, not the log's flag)
    if reply.value.get("state") != log.state:
        raise ReplayDiffers(
            step, f"replays to {reply.value.get('state')!r}, lives in {log.state!r}", reply.value
        )


def check_round_trip(driver: SessionDriver, role: Role, log: Log) -> None:
    step = f"{role}.roundtrip"
    client = driver.client(role)
    reply = client.call("session.resume", {"role": role, "events": log.events, **_now(driver)})
    if reply.kind == "unimplemented":
        return
    if reply.kind != "result":
        raise RoundTripDiffers(step, f"its own log does not resume: {reply.kind} {reply.value}")
    handle = reply.value.get("handle")
    try:
        if reply.value.get("state") != log.state:
            raise RoundTripDiffers(
                step, f"resumes in {reply.value.get('state')!r}, lives in {log.state!r}"
            )
        events = client.call("session.events", {"handle": handle})
        if events.kind != "result" or events.value.get("events") != log.events:
            raise RoundTripDiffers(step, "the resumed session's log is not the log it resumed")
    finally:
        client.call("session.drop", {"handle": handle})


def _gist(result: JsonObject) -> JsonObject:
    """What two implementations answering one call must agree on."""
    error = result.get("error")
    appended = result.get("appended")
    return {
        "outcome": result.get("outcome"),
        "state": result.get("state"),
        "closed": result.get("closed"),
        "appended": [variant_name(e) for e in appended] if isinstance(appended, list) else None,
        "error": error.get("kind") if isinstance(error, dict) else None,
    }


Call = tuple[str, JsonObject]
"""A ``session.call``'s method and arguments."""


def oracle_answer(
    oracle: Client,
    role: Role,
    call: Call,
    *,
    events: list[str],
    unsaved: list[Call],
    now: JsonObject,
) -> JsonObject:
    """The oracle's answer to ``call`` on a session resumed from ``events`` after the
    ``unsaved`` calls (those that changed the live session without a new event, such as a
    contribution: a resumed session would not hold them), leaving no session behind; an
    ``error`` object when it refuses."""
    resumed = oracle.call("session.resume", {"role": role, "events": events, **now})
    if resumed.kind != "result":
        return {"error": {"kind": f"resume: {resumed.value.get('kind', resumed.kind)}"}}
    handle = resumed.value.get("handle")
    try:
        for method, args in [*unsaved, call]:
            reply = oracle.call(
                "session.call", {"handle": handle, "method": method, "args": args, **now}
            )
    finally:
        oracle.call("session.drop", {"handle": handle})
    if reply.kind != "result":
        return {"error": {"kind": str(reply.value.get("kind", reply.kind))}}
    return reply.value


def oracle_call(
    oracle: Client,
    driver: SessionDriver,
    step: Step,
    *,
    call: Call,
    before: Log,
    unsaved: list[Call],
) -> None:
    """Raise :class:`OracleDiffers` unless the oracle answers ``call`` as ``step`` did."""
    theirs = oracle_answer(
        oracle, step.role, call, events=before.events, unsaved=unsaved, now=_now(driver)
    )
    ours, expected = _gist(step.result), _gist(theirs)
    if ours != expected:
        diff = {k: (ours[k], expected[k]) for k in ours if ours[k] != expected[k]}
        text = ", ".join(f"{k} {a!r} (oracle: {b!r})" for k, (a, b) in diff.items())
        raise OracleDiffers(step.name, f"the oracle answers otherwise: {text}", step.result)
