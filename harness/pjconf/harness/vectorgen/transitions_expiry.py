"""The ``transitions`` family's expiry cases: asking a session for a request once it has expired.

BIP 77 gives every session an expiration (the ``EX1`` fragment) after which neither side may post
or poll; payjoin 1.0 refuses the request itself (``CreateRequestError::Expired``, checked as
``expiration <= now``). A session built with an expiration already past is expired for every
clock; a resumed one expired by the injected ``now`` alone is asked only of an implementation
with an injectable clock (``InjectedClock``). A request one second before the expiration is made.
"""

from __future__ import annotations

from pjconf.harness.implementations.client import Client
from pjconf.harness.run.capabilities import INJECTED_CLOCK
from pjconf.harness.sessions.driver import DEFAULT_RELAY, Transcript
from pjconf.harness.vectorgen import CaseIds, Json
from pjconf.harness.vectorgen.session_logs import (
    LIVE_EXPIRATION,
    NOW,
    PAST_EXPIRATION,
    PAST_NOW,
    SessionLog,
    drive_reference,
    prefixes,
)

NOTES: dict[str, Json] = {
    "ExpiredRequest": {
        "description": "session.request of a session whose expiration has come (built with "
        "an expiration in 1989, or resumed and asked with a now at or past it): refused with "
        "Expired; a request one second before the expiration is made.",
        "effect": "An implementation that posts or polls after the expiration keeps a session "
        "alive that the peer and the directory have given up on.",
    },
    INJECTED_CLOCK: {
        "description": "The injected now and the wall clock disagree about expiry (a session "
        "expiring in 2096 asked with a now from 2096, or one that expired in 1989 resumed and "
        'asked with a now from 1988). Only an implementation whose hello says "clock": true is '
        "asked; any other is a SKIP (docs/adapter-protocol.md).",
        "effect": "An implementation that ignores now decides expiry by the wall clock.",
    },
}

REQUEST_FIELDS = ("method", "created_by")


def _step_args(transcript: Transcript, name: str) -> Json:
    for step in transcript.steps:
        if step.name == name:
            return dict(step.args)
    raise AssertionError(f"no {name} step")


def _case(  # noqa: PLR0917 - one call per case, every argument a column of the table below
    ids: CaseIds, client: Client, comment: str, flags: list[str], setup: Json, now: int | None
) -> Json:
    """One request case: the setup step, then ``session.request`` (with ``now`` when given),
    expected as the reference answers it."""
    started = client.call(setup["op"], setup["args"])
    if started.kind != "result":
        raise AssertionError(f"{comment}: the reference refused the setup: {started}")
    request: Json = {"handle": "$handle", "relay": DEFAULT_RELAY}
    if now is not None:
        request["now"] = now
    reply = client.call("session.request", {**request, "handle": started.value["handle"]})
    client.call("session.drop", {"handle": started.value["handle"]})
    step = {**setup, "bind": {"handle": "handle"}, "expect": {"state": started.value["state"]}}
    base = {"tcId": ids(), "comment": comment, "flags": flags, "setup": [step]}
    if reply.kind == "error":
        error = {"kind": reply.value["kind"]}
        return {**base, "result": "invalid", "op": "session.request", "args": request,
                "error": error}  # fmt: skip
    if reply.kind != "result":
        raise AssertionError(f"{comment}: the reference answered {reply}")
    expected = {k: reply.value[k] for k in REQUEST_FIELDS}
    return {**base, "result": "valid", "op": "session.request", "args": request,
            "expected": expected}  # fmt: skip


def _resume(log: SessionLog, now: int) -> Json:
    return {"op": "session.resume", "args": {"role": log.role, "events": list(log.events),
                                             "now": now}}  # fmt: skip


def expiry_cases(
    ids: CaseIds, client: Client, seed: str, logs: dict[tuple[str, str], SessionLog]
) -> list[Json]:
    """Requests of expired sessions, both roles, every typestate that makes a request."""
    past = drive_reference("success", seed=seed, expiration=PAST_EXPIRATION, now=PAST_NOW)
    receiver = _step_args(past, "receiver.new")
    sender = _step_args(past, "sender.new")
    flags = ["ExpiredRequest"]
    clock = [*flags, INJECTED_CLOCK]
    requesting = [
        ("receiver", "Initialized"),
        ("receiver", "PayjoinProposal"),
        ("receiver", "HasReplyableError"),
        ("sender", "WithReplyKey"),
        ("sender", "PollingForProposal"),
    ]
    # The requests that are made come first: they earn the refusals (run/witness.py) in order.
    before = [
        (role, state, LIVE_EXPIRATION - 1, "now one second before", flags)
        for role, state in requesting
    ]
    after = [(role, state, now, what, clock) for role, state in requesting
             for now, what in ((LIVE_EXPIRATION, "now the expiration second"),
                               (LIVE_EXPIRATION + 31_536_000, "now a year after"))]  # fmt: skip
    out = []
    for role, state, now, what, marks in before:
        log = logs[(role, state)]
        comment = f"{role} in {state} ({log.path}), expiring in 2096: request with {what}"
        out.append(_case(ids, client, comment, marks, _resume(log, NOW), now))
    out += [
        _case(ids, client, "receiver built with an expiration in 1989: poll request", flags,
              {"op": "session.new_receiver", "args": receiver}, None),
        _case(ids, client, "sender built from a pj URI that expired in 1989: post request",
              flags, {"op": "session.new_sender", "args": sender}, None),
    ]  # fmt: skip
    for role, state, now, what, marks in after:
        log = logs[(role, state)]
        comment = f"{role} in {state} ({log.path}), expiring in 2096: request with {what}"
        out.append(_case(ids, client, comment, marks, _resume(log, NOW), now))
    created = next(log for log in prefixes("success", past) if log.role == "receiver")
    out.append(
        _case(ids, client, "receiver expiring in 1989 resumed and polled with now in 1988: "
              "the request is made", clock, _resume(created, PAST_NOW), PAST_NOW)
    )  # fmt: skip
    return out
