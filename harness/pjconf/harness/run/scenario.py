"""Cases that need a live session first: setup steps, the judged op, then cleanup.

A transition case cannot be one request: the implementation must first hold a session in the
right state. Such a case carries ``setup``, a list of ``{"op", "args", "bind"}`` steps run in
order; ``bind`` names fields of a step's result (``{"handle": "handle"}``) that later arguments
use as ``"$handle"``. Then the case's own op runs with its arguments resolved the same way, and
every bound handle is dropped. A setup step that does not succeed makes the case an ERROR when the
implementation malfunctions and a FAIL otherwise (it could not reach the state the case tests),
with the step named.

Results of live-session ops are also checked against the effect-class table of the adapter
protocol: whatever ``outcome`` an implementation claims must agree with what happened to its
log (``appended`` and ``closed``), so a wrong class is caught even where a case expects no
particular events.
"""

from __future__ import annotations

from typing import Any

from pjconf.harness.corpus.load import Case, Step
from pjconf.harness.implementations.client import Client, Reply
from pjconf.harness.run.checker import Outcome, Verdict, judge
from pjconf.harness.sessions.drive import DRIVE_OP, drive
from pjconf.protocol.wire import JsonObject

EFFECTS: dict[str, tuple[int, bool]] = {
    "progress": (1, False),
    "replyable": (1, False),
    "fatal": (1, True),
    "terminal": (1, True),
}
"""Outcome class -> (events the log must gain, whether the persister is closed afterwards);
``stasis`` and ``transient`` must leave the log unchanged and are checked on their own."""

LIVE_OPS = frozenset({"session.call", "session.response"})


class SetupFailed(Exception):
    """A setup step did not succeed: the case could not reach the state it tests."""

    def __init__(self, index: int, op: str, reply: Reply, problem: str = "") -> None:
        if not problem:
            kind = reply.value.get("kind", reply.kind)
            problem = f"gave {reply.kind}: {kind}: {reply.value.get('message', '')}"
        super().__init__(f"setup step {index + 1} ({op}) {problem}")
        self.reply = reply


def resolve(value: Any, bound: dict[str, Any]) -> Any:
    """``value`` with every string ``"$name"`` replaced by the bound value (recursively)."""
    if isinstance(value, str) and value.startswith("$") and value[1:] in bound:
        return bound[value[1:]]
    if isinstance(value, list):
        return [resolve(v, bound) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, bound) for k, v in value.items()}
    return value


def run_steps(client: Client, setup: tuple[Step, ...], op: str, args: JsonObject) -> Reply:
    """Run the setup, then ``op``; bound handles are dropped whatever happens.

    Raises :class:`SetupFailed` when a setup step does not return a result.
    """
    bound: dict[str, Any] = {}
    reply = Reply("result", {})
    try:
        for index, step in enumerate(setup):
            reply = client.call(step.op, resolve(step.args, bound))
            if reply.kind != "result":
                raise SetupFailed(index, step.op, reply)
            got = reply.value
            wrong = {k: got.get(k) for k, v in step.expect.items() if got.get(k) != v}
            if wrong:
                raise SetupFailed(index, step.op, reply, f"gave {wrong}, expected {step.expect}")
            for name, field in step.bind.items():
                bound[name] = reply.value.get(field)
        reply = client.call(op, resolve(args, bound))
        return reply
    finally:
        # After a malfunction the adapter was killed, and its handles with it: dropping them
        # would only wait on a restarted (or still broken) adapter once more per handle.
        if reply.kind != "malfunction":
            for name, value in bound.items():
                if name.startswith("handle") and isinstance(value, str):
                    client.call("session.drop", {"handle": value})


def effect_mismatch(op: str, result: JsonObject) -> str | None:
    """Why a live-session result's ``outcome`` disagrees with its log effect, or ``None``.

    ``appended`` is what the op added to the log; ``closed`` whether the persister is closed
    after it. ``transient`` and ``stasis`` must append nothing; a transient step must leave the
    session open.
    """
    if op not in LIVE_OPS:
        return None
    outcome = result.get("outcome")
    appended = result.get("appended")
    closed = result.get("closed")
    if not isinstance(appended, list) or not isinstance(closed, bool):
        return "a live-session result needs `appended` (list) and `closed` (bool)"
    if outcome in ("stasis", "transient"):
        if appended:
            return f"outcome {outcome} but the log gained {len(appended)} event(s)"
        return None
    if outcome not in EFFECTS:
        return f"unknown outcome class {outcome!r}"
    count, must_close = EFFECTS[str(outcome)]
    if len(appended) != count:
        return f"outcome {outcome} must append {count} event(s), appended {len(appended)}"
    if closed != must_close:
        state = "closed" if must_close else "open"
        return f"outcome {outcome} must leave the session {state}, closed={closed}"
    return None


def execute(client: Client, case: Case) -> Outcome:
    """Run one case (its setup first, if any) and judge it, effect classes included."""
    assert case.op is not None
    try:
        if case.op == DRIVE_OP:
            reply = drive(client, case.args)
        else:
            reply = run_steps(client, case.setup, case.op, case.args)
    except SetupFailed as e:
        if e.reply.kind == "malfunction":
            return Outcome(case, Verdict.ERROR, str(e))
        if e.reply.kind == "unimplemented":
            return Outcome(case, Verdict.SKIP, str(e))
        return Outcome(case, Verdict.FAIL, str(e), e.reply.value)
    outcome = judge(case, reply)
    if outcome.verdict in (Verdict.PASS, Verdict.ACCEPTABLE) and reply.kind == "result":
        problem = effect_mismatch(case.op, reply.value)
        if problem is not None:
            return Outcome(case, Verdict.FAIL, f"effect class: {problem}", reply.value)
    return outcome
