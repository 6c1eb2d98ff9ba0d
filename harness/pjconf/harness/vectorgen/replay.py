"""The ``replay`` family: session logs of both roles and what replaying them gives.

Every case runs ``replay`` on a whole log: a valid log must give the state, the status, the
fallback transaction, whether replay closed the persister and whether the session has expired;
an invalid one must be refused with the error kind payjoin 1.0's ``ReplayError`` has. The logs
are the reference's own (both roles played by the reference through the harness's mailbox,
seeded, clock fixed), cut after every step; the full ``process_event`` table (every state by every
event variant) is built from them, as are the payload checks and the expiry cases.

Expiry is stable for decades: live sessions expire in 2096 and expired ones expired in 1989, so
an implementation that reads its own clock (payjoin 1.0 does) agrees with one that takes ``now``.
"""

from __future__ import annotations

import json
from typing import Any

from pjconf.harness.run.capabilities import INJECTED_CLOCK
from pjconf.harness.vectorgen import CaseIds, Json, envelope, texts
from pjconf.harness.vectorgen.replay_receiver import NOTES as RECEIVER_NOTES
from pjconf.harness.vectorgen.replay_receiver import receiver_cases
from pjconf.harness.vectorgen.session_logs import (
    LIVE_EXPIRATION,
    NOW,
    PAST_EXPIRATION,
    PAST_NOW,
    ROLES,
    Replayer,
    SessionLog,
    drive_reference,
    path_names,
    prefixes,
    replay_args,
)
from pjconf.protocol.events import variant_name

FAMILY = "replay"
PATH = "session/replay.json"
SEED = "pjconf/replay"

NOTES: dict[str, Json] = {
    texts.FLAG: texts.NOTE,
    "LivePrefix": {
        "description": "The log a live session holds after one of its steps (reference in both "
        "roles, seeded): replay must rebuild that step's state.",
        "effect": "An implementation that cannot resume from its own log loses the session.",
    },
    "ReplayTable": {
        "description": "One cell of payjoin 1.0's process_event table: the log of a live state "
        "with one event variant appended (the event taken from a real session).",
        "effect": "A pair the crate refuses must be refused with InvalidEvent, and the "
        "persister closed; a pair it accepts must give the same state.",
    },
    "ClosedFromAnyState": {
        "description": "payjoin 1.0 quirk: Closed(outcome) is accepted after every state, even "
        "Closed, although the live path writes it only from a few (session-log P6).",
        "effect": "A stricter implementation refuses logs payjoin accepts.",
    },
    "ReplyableFromAnyState": {
        "description": "payjoin 1.0 quirk: GotReplyableError is accepted after every state, "
        "e.g. straight after Created (session-log P6).",
        "effect": "A stricter implementation refuses logs payjoin accepts.",
    },
    "IgnoredAfterClosed": {
        "description": "payjoin 1.0 quirk: GotReplyableError after Closed is silently ignored; "
        "the state stays Closed, while status() reads the last event and says Active.",
        "effect": "An implementation that refuses it, or reopens the session, diverges.",
    },
    "InvalidFirstEvent": {
        "description": "A log that does not start with Created.",
        "effect": "Must be refused with InvalidFirstEvent.",
    },
    "NoEvents": {
        "description": "An empty log.",
        "effect": "Must be refused with NoEvents.",
    },
    "PayloadCheck": {
        "description": "One of the three payload checks of receiver replay: owned vouts "
        "non-empty and in range; change vout within the committed outputs; change vout within "
        "the committed PSBT's outputs.",
        "effect": "Must be refused with InvalidEventPayload, never folded into a state the live "
        "path cannot reach.",
    },
    "Expired": {
        "description": "A session whose expiration (1989) has passed: a non-closed one replays "
        "as the Expired error (with the fallback, where known); a closed one replays normally.",
        "effect": "A session resumed past its expiry can still post requests.",
    },
    "ExpiryBoundary": {
        "description": "now equals the expiration exactly: payjoin's Time::elapsed is "
        "expiration <= now, so the session is expired.",
        "effect": "An off-by-one (<) keeps a session alive one second too long.",
    },
    INJECTED_CLOCK: {
        "description": "The injected now and the wall clock disagree about expiry: a session "
        "that expired in 1989 replayed with a now from 1988 (live), or one expiring in 2096 "
        "replayed with a now from 2096-2097 (expired). Only an implementation whose hello says "
        '"clock": true is asked; any other is a SKIP (docs/adapter-protocol.md).',
        "effect": "An implementation that ignores now judges expiry by the wall clock: it resumes "
        "sessions the wallet says are over, or refuses ones it says are live.",
    },
    "ExpiredStatus": {
        "description": "The receiver's status() of a log whose last event is not Closed or "
        "Cancelled/ProtocolFailed, past the expiration: Expired (payjoin 1.0 "
        "receive/v2/session.rs SessionHistory::status). Replay of such a log succeeds only when "
        "its state is Closed and a GotReplyableError follows (IgnoredAfterClosed).",
        "effect": "A wallet listing sessions shows an expired one as Active and keeps polling.",
    },
    **RECEIVER_NOTES,
}

SOURCES: list[Json] = [
    {
        "name": "payjoin 1.0.0: receive/v2/session.rs and send/v2/session.rs (replay_event_log, "
        "process_event, SessionHistory)",
        "url": "https://github.com/payjoin/rust-payjoin",
        "revision": "60d0adbf",
        "note": "The table and the error kinds; the logs are the pjconf reference's, which "
        "rust-payjoin replays alike (tests/interop).",
    },
]


def _collect(seed: str) -> tuple[dict[str, list[SessionLog]], dict[str, list[SessionLog]]]:
    """Live prefixes per path, for sessions that expire in 2096 and in 1989."""
    live = {name: prefixes(name, drive_reference(name, seed=seed)) for name in path_names(seed)}
    past = {
        name: prefixes(
            name, drive_reference(name, seed=seed, expiration=PAST_EXPIRATION, now=PAST_NOW)
        )
        for name in ("success", "cancel/WantsInputs", "error_reply/input_owned")
    }
    return live, past


def _live_group(ids: CaseIds, replayer: Replayer, live: dict[str, list[SessionLog]]) -> Json:
    seen: set[tuple[str, tuple[str, ...]]] = set()
    tests = []
    for name, logs in live.items():
        for log in logs:
            if (log.role, log.events) in seen:
                continue
            seen.add((log.role, log.events))
            comment = f"{name}: the {log.role}'s log after {log.step} ({log.state})"
            args = replay_args(log.role, log.events)
            tests.append(replayer.case(ids, comment, ["LivePrefix"], args))
    return {"type": "LivePrefix", "tests": tests}


def _table_flags(state: str, variant: str, valid: bool, written: bool) -> list[str]:
    """A cell the live path writes is the log format itself; only a valid cell it never writes
    shows payjoin 1.0's leniency (a choice: see ``vectorgen.profiles``)."""
    flags = ["ReplayTable"]
    if not valid or written:
        return flags
    if variant.startswith("Closed/"):
        flags.append("ClosedFromAnyState")
    if variant == "GotReplyableError":
        flags.append("IgnoredAfterClosed" if state == "Closed" else "ReplyableFromAnyState")
    return flags


def _written_cells(live: dict[str, list[SessionLog]]) -> set[tuple[str, str, str]]:
    """(role, state, event variant) of every event a live session appended in that state."""
    state_of = {(log.role, log.events): log.state for logs in live.values() for log in logs}
    cells: set[tuple[str, str, str]] = set()
    for logs in live.values():
        for log in logs:
            before = state_of.get((log.role, log.events[:-1]))
            if before is not None:
                cells.add((log.role, before, variant_name(log.events[-1])))
    return cells


def _table_group(ids: CaseIds, replayer: Replayer, live: dict[str, list[SessionLog]]) -> Json:
    """Every (state, event variant) cell of each role, from the first log reaching the state
    and the first event of each variant, in a stable order."""
    tests = []
    written = _written_cells(live)
    for role in ROLES:
        by_state: dict[str, SessionLog] = {}
        samples: dict[str, str] = {}
        for logs in live.values():
            for log in logs:
                if log.role != role:
                    continue
                by_state.setdefault(log.state, log)
                for text in log.events:
                    samples.setdefault(variant_name(text), text)
        for state, log in sorted(by_state.items()):
            for variant, text in sorted(samples.items()):
                if variant == "Created":
                    continue
                args = replay_args(role, [*log.events, text])
                probe = replayer.client.call("replay", args)
                cell = (role, state, variant)
                flags = _table_flags(state, variant, probe.kind == "result", cell in written)
                comment = f"{role} in {state} ({log.path}), then {variant}"
                tests.append(replayer.case(ids, comment, flags, args))
    return {"type": "ReplayTable", "tests": tests}


def _first_event_group(ids: CaseIds, replayer: Replayer, live: dict[str, list[SessionLog]]) -> Json:
    tests = []
    for role in ROLES:
        empty = replay_args(role, [])
        tests.append(replayer.case(ids, f"{role}: an empty log", ["NoEvents"], empty))
        samples: dict[str, str] = {}
        for logs in live.values():
            for log in logs:
                if log.role == role:
                    for text in log.events:
                        samples.setdefault(variant_name(text), text)
        for variant, text in sorted(samples.items()):
            if variant != "Created":
                comment = f"{role}: a log starting with {variant}"
                args = replay_args(role, [text])
                tests.append(replayer.case(ids, comment, ["InvalidFirstEvent"], args))
    return {"type": "InvalidFirstEvent", "tests": tests}


def _tampered(events: tuple[str, ...], variant: str, edit: Any) -> list[str]:
    """The log up to and including the first ``variant`` event, that event edited."""
    out = []
    for text in events:
        if variant_name(text) == variant:
            value = json.loads(text)
            edit(value[variant])
            out.append(json.dumps(value, separators=(",", ":"), ensure_ascii=False))
            return out
        out.append(text)
    raise AssertionError(f"no {variant} event in the log")


def _payload_group(ids: CaseIds, replayer: Replayer, live: dict[str, list[SessionLog]]) -> Json:
    full = next(log for log in reversed(live["success"]) if log.role == "receiver").events

    def no_vouts(v: Any) -> None:
        v.clear()

    def vout_out_of_range(v: Any) -> None:
        v[:] = [99]

    def change_out_of_range(v: Any) -> None:
        v["change_vout"] = len(v["outputs"])

    def psbt_without_outputs(v: Any) -> None:
        v["payjoin_psbt"]["unsigned_tx"]["output"] = []
        v["payjoin_psbt"]["outputs"] = []

    edits = [
        ("IdentifiedReceiverOutputs", no_vouts, "no owned vouts"),
        ("IdentifiedReceiverOutputs", vout_out_of_range, "an owned vout beyond the outputs"),
        ("CommittedOutputs", change_out_of_range, "change_vout = the number of outputs"),
        ("CommittedInputs", psbt_without_outputs, "a committed PSBT without outputs"),
    ]
    tests = [
        replayer.case(
            ids,
            f"receiver: {variant} with {what}",
            ["PayloadCheck"],
            replay_args("receiver", _tampered(full, variant, edit)),
        )
        for variant, edit, what in edits
    ]
    return {"type": "PayloadCheck", "tests": tests}


def _expiry_group(ids: CaseIds, replayer: Replayer, past: dict[str, list[SessionLog]]) -> Json:
    tests = []
    for name, logs in past.items():
        for log in logs:
            comment = f"{name}, expired in 1989: the {log.role}'s log after {log.step}"
            args = replay_args(log.role, log.events)
            tests.append(replayer.case(ids, comment, ["Expired"], args))
    for role in ROLES:
        created = next(log for log in past["success"] if log.role == role).events
        comment = f"{role}: now is the expiration second itself"
        args = replay_args(role, created, now=PAST_EXPIRATION)
        tests.append(replayer.case(ids, comment, ["ExpiryBoundary"], args))
    return {"type": "Expired", "tests": tests}


def _last_open(logs: list[SessionLog], role: str) -> SessionLog:
    return next(log for log in reversed(logs) if log.role == role and log.state != "Closed")


def _clock_group(
    ids: CaseIds,
    replayer: Replayer,
    live: dict[str, list[SessionLog]],
    past: dict[str, list[SessionLog]],
) -> Json:
    """Expiry judged by the injected now where the wall clock says otherwise (only for an
    implementation with a clock to inject), and the receiver's Expired status."""
    tests = []
    clock = [INJECTED_CLOCK]
    for role in ROLES:
        old_created = next(log for log in past["success"] if log.role == role)
        old_open = _last_open(past["success"], role)
        new_created = next(log for log in live["success"] if log.role == role)
        new_open = _last_open(live["success"], role)
        cases = [
            (old_created, PAST_NOW, "expires in 1989, now in 1988: live", clock),
            (old_open, PAST_NOW, "expires in 1989, now in 1988: live", clock),
            (old_created, PAST_EXPIRATION - 1, "now one second before a 1989 expiration",
             [*clock, "ExpiryBoundary"]),
            (new_created, LIVE_EXPIRATION + 1, "expires in 2096, now one second after: expired",
             [*clock, "Expired"]),
            (new_open, LIVE_EXPIRATION + 1, "expires in 2096, now one second after: expired",
             [*clock, "Expired"]),
            (new_created, LIVE_EXPIRATION, "now is a 2096 expiration second itself",
             [*clock, "ExpiryBoundary"]),
            (new_created, LIVE_EXPIRATION - 1, "now one second before a 2096 expiration",
             ["ExpiryBoundary"]),
        ]  # fmt: skip
        for log, now, what, flags in cases:
            comment = f"{role}'s log after {log.step} ({log.state}), {what}"
            tests.append(replayer.case(ids, comment, flags, replay_args(role, log.events, now)))
    reply = next(
        text
        for log in past["error_reply/input_owned"]
        for text in log.events
        if variant_name(text) == "GotReplyableError"
    )
    for logs, now, when, flags in (
        (past, NOW, "expired in 1989", ["ExpiredStatus", "IgnoredAfterClosed"]),
        (live, LIVE_EXPIRATION + 1, "expires in 2096, now one second after",
         [*clock, "ExpiredStatus", "IgnoredAfterClosed"]),
        (live, LIVE_EXPIRATION - 1, "expires in 2096, now one second before",
         ["ExpiredStatus", "IgnoredAfterClosed"]),
    ):  # fmt: skip
        closed = next(log for log in reversed(logs["success"]) if log.role == "receiver")
        comment = f"receiver: a Closed success log then GotReplyableError, {when}: status"
        args = replay_args("receiver", [*closed.events, reply], now)
        tests.append(replayer.case(ids, comment, flags, args))
    return {"type": "Expired", "tests": tests}


def _receiver_group(ids: CaseIds, replayer: Replayer, live: dict[str, list[SessionLog]]) -> Json:
    """Closing outcomes and Debug texts the live logs do not reach (:mod:`.replay_receiver`)."""
    logs = [log for log in live["success"] if log.role == "receiver"]
    created, checked = logs[0], next(log for log in logs if log.state == "MaybeInputsOwned")
    monitor = next(log for log in logs if log.state == "Monitor")
    tests = receiver_cases(ids, replayer, created, checked, monitor)
    return {"type": "ReceiverOutcomes", "tests": tests}


def generate(seed: str = SEED) -> Json:
    """The family; another ``seed`` gives the same cases (ids, paths, states, outcomes) over
    other keys, coins and logs: the runner's fresh variants."""
    ids = CaseIds()
    replayer = Replayer(seed)
    live, past = _collect(seed)
    groups = [
        _live_group(ids, replayer, live),
        _table_group(ids, replayer, live),
        _first_event_group(ids, replayer, live),
        _payload_group(ids, replayer, live),
        _expiry_group(ids, replayer, past),
        _clock_group(ids, replayer, live, past),
        _receiver_group(ids, replayer, live),
    ]
    return envelope(FAMILY, module=__name__, sources=SOURCES, notes=NOTES, groups=groups)
