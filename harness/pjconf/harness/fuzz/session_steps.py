"""The steps of a random session: what either role may do next, and doing it.

A random session is a list of :class:`Action` values, each written as one short name
(``receiver.new``, ``sender.exchange!503``, ``receiver.check_inputs_not_owned!refuse``,
``receiver.crash``), so that a whole session is a string: the ``path`` of a ``session.drive``
case is ``fuzz/`` and the names joined by ``,`` (:func:`encode_path`), which
:func:`run_actions` drives again when ``pjconf run --vectors DIR`` replays a saved finding.

Which actions apply follows the declared state graphs (the receiver's typestates and methods of
docs/adapter-protocol.md, "Live-session details"; the sender's ``cancel``/``close``; a request
wherever a typestate makes one). An action that does not apply in the state the walk is in is
skipped, never sent: that is what lets a shrunk list of actions still be driven.

After each step of the implementation under test the invariants of :mod:`.session_checks` run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final

from pjconf.harness.fuzz.session_checks import Call, check_after_step, oracle_call
from pjconf.harness.implementations.client import Client
from pjconf.harness.implementations.reference import (
    Corrupt,
    Status,
    WalletRefusal,
    WrongSize,
    receiver_contribution,
)
from pjconf.harness.sessions.driver import (
    OHTTP_BODY_BYTES,
    ROLES,
    Log,
    Role,
    SessionDriver,
    SessionFailure,
    Step,
    Transcript,
    UnexpectedOutcome,
)
from pjconf.harness.sessions.paths import METHOD_IN_STATE, rejections
from pjconf.protocol.states import CLOSED
from pjconf.protocol.wire import JsonObject

FUZZ_PREFIX: Final = "fuzz/"
"""A ``session.drive`` path that starts with this is a list of actions, not a named path."""

FAULTS: Final[dict[str, Callable[[], Status | WrongSize | Corrupt]]] = {
    "202": lambda: Status(202),
    "404": lambda: Status(404),
    "500": lambda: Status(500),
    "503": lambda: Status(503),
    "short": lambda: WrongSize(OHTTP_BODY_BYTES - 1),
    "garbage": Corrupt,
}
"""Directory faults an exchange may meet: an accepted-but-not-OK status, a 4xx, two 5xx, a body
of the wrong size, a body that fails authentication."""

REQUESTS: Final[dict[Role, dict[str, str]]] = {
    "receiver": {
        "Initialized": "poll",
        "PayjoinProposal": "post_proposal",
        "HasReplyableError": "post_error",
    },
    "sender": {"WithReplyKey": "post_original", "PollingForProposal": "poll"},
}
"""The typestates that make a request, and what the request is for (the step's name)."""

ANSWERED: Final[frozenset[str]] = frozenset(
    {
        "check_broadcast_suitability",
        "check_inputs_not_owned",
        "check_no_inputs_seen_before",
        "identify_receiver_outputs",
        "finalize_proposal",
        "check_for_transaction",
    }
)
"""Receiver methods whose wallet callback can fail (the ``"error"`` answer)."""

OPEN_RECEIVER_STATES: Final[frozenset[str]] = frozenset(
    {*METHOD_IN_STATE, "PayjoinProposal", "HasReplyableError", "Monitor", "Initialized"}
)


class BadPath(ValueError):
    """A ``fuzz/`` path naming an action there is none of."""


@dataclass(frozen=True)
class Action:
    """One thing a role does: ``verb`` is ``new``, ``exchange``, ``crash`` or a method name;
    ``twist`` a directory fault (exchanges) or ``refuse``/``error``/``none`` (wallet answers)."""

    role: Role
    verb: str
    twist: str = ""

    @property
    def name(self) -> str:
        return f"{self.role}.{self.verb}" + (f"!{self.twist}" if self.twist else "")

    @classmethod
    def parse(cls, text: str) -> Action:
        head, _, twist = text.partition("!")
        role, _, verb = head.partition(".")
        if role not in ROLES or not verb:
            raise BadPath(f"{text!r} is not an action (<role>.<verb>[!<twist>])")
        action = cls("receiver" if role == "receiver" else "sender", verb, twist)
        if action.name != text or not _known(action):
            raise BadPath(f"{text!r} is not an action of a random session")
        return action


def _known(action: Action) -> bool:
    if action.verb in ("new", "crash", "cancel", "close"):
        return not action.twist
    if action.verb == "exchange":
        return action.twist in ("", *FAULTS)
    if action.role == "sender":
        return False
    methods = {*METHOD_IN_STATE.values(), "assume_interactive_receiver", "contribute_inputs"}
    if action.verb == "check_for_transaction":
        return action.twist in ("", "none", "error")
    if action.verb not in methods:
        return False
    twists = {""} | ({"error"} if action.verb in ANSWERED else set())
    if action.verb in _REFUSABLE:
        twists.add("refuse")
    return action.twist in twists


_REFUSABLE: Final = frozenset(
    {
        "check_broadcast_suitability",
        "check_inputs_not_owned",
        "check_no_inputs_seen_before",
        "identify_receiver_outputs",
    }
)


def encode_path(actions: Iterable[Action]) -> str:
    return FUZZ_PREFIX + ",".join(a.name for a in actions)


def decode_path(path: str) -> list[Action]:
    if not path.startswith(FUZZ_PREFIX) or path == FUZZ_PREFIX:
        raise BadPath(f"{path!r} is not a {FUZZ_PREFIX}<actions> path")
    return [Action.parse(text) for text in path[len(FUZZ_PREFIX) :].split(",")]


@dataclass
class Walk:
    """A random session in progress: the driver, which role is under test, each role's state
    as its last step reported it, and what the walk needs to replay a crash."""

    driver: SessionDriver
    iut: Role
    oracle: Client
    restart: Callable[[], Client] | None = None
    states: dict[Role, str] = field(default_factory=dict)
    txid: str | None = None
    """The payjoin's txid once the sender signed the proposal (what ``check_for_transaction``
    finds)."""
    done: list[Action] = field(default_factory=list)
    """The actions driven so far, in order (skipped ones are not in it)."""
    unsaved: list[Call] = field(default_factory=list)
    """The implementation's calls since its log last grew that answered ``stasis``: what its
    live session holds beyond its log (a contribution), replayed to the oracle first."""

    def is_open(self, role: Role) -> bool:
        return role in self.states and self.states[role] != CLOSED

    def over(self) -> bool:
        return "sender" in self.states and not any(self.is_open(r) for r in ROLES)


def applies(action: Action, walk: Walk) -> bool:
    """Whether ``action`` can be taken in the walk's current states."""
    role, verb = action.role, action.verb
    state = walk.states.get(role)
    if verb == "new":
        return state is None and (role == "receiver" or "receiver" in walk.states)
    if state is None or state == CLOSED:
        return False
    if verb == "crash":
        return role == walk.iut
    if verb == "exchange":
        return state in REQUESTS[role]
    if verb == "cancel":
        return state != "PendingFallback"
    if verb == "close":
        return state == "PendingFallback"
    if verb == "assume_interactive_receiver":
        return state == "UncheckedOriginalPayload"
    if verb == "contribute_inputs":
        return state == "WantsInputs"
    if verb == "check_for_transaction":
        return state == "Monitor"
    return METHOD_IN_STATE.get(state) == verb


def choices(walk: Walk) -> list[tuple[Action, int]]:
    """Every action that applies now, with its weight: the way forward weighs most, so that
    walks reach deep states; refusals, failing callbacks, faults and cancels come less often."""
    found: list[tuple[Action, int]] = []
    for role in ROLES:
        state = walk.states.get(role)
        if state is None:
            found.append((Action(role, "new"), 8))
            continue
        if state == CLOSED:
            continue
        if state in REQUESTS[role]:
            found.append((Action(role, "exchange"), 8))
            found.extend((Action(role, "exchange", fault), 1) for fault in FAULTS)
        method = METHOD_IN_STATE.get(state) if role == "receiver" else None
        if method is not None:
            found.append((Action(role, method), 10))
            if method in _REFUSABLE:
                found.append((Action(role, method, "refuse"), 1))
            if method in ANSWERED:
                found.append((Action(role, method, "error"), 1))
        if role == "receiver" and state == "UncheckedOriginalPayload":
            found.append((Action(role, "assume_interactive_receiver"), 1))
        if role == "receiver" and state == "WantsInputs":
            found.append((Action(role, "contribute_inputs"), 3))
        if role == "receiver" and state == "Monitor":
            found.append((Action(role, "check_for_transaction"), 8))
            found.append((Action(role, "check_for_transaction", "none"), 2))
            found.append((Action(role, "check_for_transaction", "error"), 1))
        if state == "PendingFallback":
            found.append((Action(role, "close"), 6))
        else:
            found.append((Action(role, "cancel"), 1))
    return [(a, w) for a, w in found if applies(a, walk)]


def _answer(walk: Walk, action: Action) -> JsonObject:
    """The receiver wallet's answer to a method: accepting, refusing (``!refuse``), failing
    (``!error``: every field the string ``"error"``) or finding nothing (``!none``)."""
    pay = walk.driver.config.payment
    if action.verb == "contribute_inputs":
        return dict(receiver_contribution(pay))
    if action.verb == "check_for_transaction":
        answer: JsonObject = {"found_txids": [walk.txid] if walk.txid and not action.twist else []}
    elif action.twist == "refuse":
        refusal = next(r for r in rejections(pay).values() if r.method == action.verb)
        return dict(refusal.answer)
    else:
        answer = dict(pay.wallet_answers().get(action.verb, {}))
    if action.twist == "error":
        answer = {key: "error" for key in answer}
    return answer


def perform(walk: Walk, action: Action) -> Step | None:
    """Take ``action`` (which must apply) and run the invariants after an IUT step; a broken
    step or invariant raises a :class:`SessionFailure` naming it. A crash is no step (None).
    The action is recorded in ``walk.done`` first, so a failing one ends that list."""
    driver, role = walk.driver, action.role
    walk.done.append(action)
    if action.verb == "crash":
        driver.crash_and_resume(role, driver.log(role), walk.restart)
        walk.unsaved.clear()  # what was not saved is lost with the process
        return None
    if action.verb == "new":
        step = driver.new_receiver() if role == "receiver" else driver.new_sender()
        walk.states[role] = step.state
        if role == walk.iut:
            check_after_step(driver, role)
        return step
    before: Log | None = None
    if action.verb == "exchange":
        if action.twist:
            driver.mailbox.inject(FAULTS[action.twist]())
        step = driver.exchange(role, REQUESTS[role][walk.states[role]], None)
        args: JsonObject = {}
    else:
        args = _answer(walk, action) if role == "receiver" else {}
        if role == walk.iut:
            before = driver.log(role, f"{role}.{action.verb}")
        step = driver.call(role, action.verb, None, args)
    walk.states[role] = step.state
    if role == "sender" and step.outcome == "terminal":
        walk.txid = _signed(driver, step)
    if role == walk.iut:
        if before is not None:
            call = (action.verb, args)
            oracle_call(walk.oracle, driver, step, call=call, before=before, unsaved=walk.unsaved)
            if step.outcome == "stasis":
                walk.unsaved.append(call)
        if step.result.get("appended"):
            walk.unsaved.clear()
        check_after_step(driver, role)
    return step


def _signed(driver: SessionDriver, step: Step) -> str | None:
    """The payjoin's txid, once the sender's wallet signed its proposal (None: no proposal)."""
    value = step.result.get("value")
    if not isinstance(value, dict) or "psbt" not in value:
        return None
    try:
        return driver.take_proposal(step)
    except (UnexpectedOutcome, WalletRefusal) as e:
        raise UnexpectedOutcome(step.name, f"the sender's proposal: {e}", step.result) from None


def run_actions(walk: Walk, actions: Iterable[Action]) -> None:
    """Drive ``actions`` in order, skipping each one that does not apply where the walk is."""
    for action in actions:
        if applies(action, walk):
            perform(walk, action)


def drive_actions(
    driver: SessionDriver, iut: Role, actions: list[Action], oracle: Client
) -> Transcript:
    """A ``fuzz/`` path of a ``session.drive`` case: the actions, then the transcript (without
    each role's final replay: the invariants already replayed the implementation's log after
    each of its steps)."""
    walk = Walk(driver, iut, oracle)
    run_actions(walk, actions)
    if iut not in walk.states:
        raise SessionFailure(f"{iut}.new", "the path never starts the implementation's session")
    return driver.transcript(replay=False)
