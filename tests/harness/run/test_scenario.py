"""Multi-step cases: setup with bound handles, the judged op, cleanup, and effect classes."""

from __future__ import annotations

import pytest

from pjconf.harness.corpus.load import Step, steps_of
from pjconf.harness.implementations.client import InProcessClient, Reply
from pjconf.harness.run.scenario import (
    SetupFailed,
    effect_mismatch,
    resolve,
    run_steps,
)
from pjconf.harness.vectorgen.session_log_texts import SENDER_EVENTS
from pjconf.protocol.wire import JsonObject
from pjconf.reference.adapter.ops import reference_adapter

CREATED = SENDER_EVENTS["S1 Created"]
BEFORE_EXPIRY = 1_736_218_000  # the example's expiration is 1_736_218_741


class Recording:
    """A client that remembers every request it passes on."""

    def __init__(self) -> None:
        self.inner = InProcessClient(reference_adapter(seed=1))
        self.calls: list[tuple[str, JsonObject]] = []

    def call(self, op: str, args: JsonObject) -> Reply:
        self.calls.append((op, args))
        return self.inner.call(op, args)

    def close(self) -> None:
        self.inner.close()


def resume_step(events: list[str]) -> Step:
    args = {"role": "sender", "events": events, "now": BEFORE_EXPIRY}
    return Step("session.resume", args, {"handle": "handle"})


def test_setup_binds_the_handle_and_drops_it_afterwards() -> None:
    client = Recording()
    reply = run_steps(
        client,
        (resume_step([CREATED]),),
        "session.call",
        {"handle": "$handle", "method": "cancel", "args": {}},
    )
    assert reply.kind == "result"
    assert reply.value["outcome"] == "progress"
    assert reply.value["state"] == "PendingFallback"
    assert reply.value["appended"] == ['{"Cancelled":[]}']
    ops = [op for op, _ in client.calls]
    assert ops == ["session.resume", "session.call", "session.drop"]
    handle = client.calls[1][1]["handle"]
    assert isinstance(handle, str)
    assert handle != "$handle"
    assert client.calls[2][1] == {"handle": handle}
    gone = client.inner.call("session.events", {"handle": handle})
    assert gone.kind == "error"  # the session was dropped


def test_a_failing_setup_step_is_named_and_cleanup_still_runs() -> None:
    client = Recording()
    with pytest.raises(SetupFailed, match=r"setup step 2 \(session.resume\)"):
        run_steps(
            client,
            (resume_step([CREATED]), resume_step([])),
            "session.call",
            {"handle": "$handle", "method": "cancel"},
        )
    assert [op for op, _ in client.calls][-1] == "session.drop"


def test_resolve_replaces_only_bound_names_at_any_depth() -> None:
    bound = {"handle": "h-1"}
    value = {"a": ["$handle", {"b": "$handle"}], "c": "$other", "d": "handle", "e": 3}
    assert resolve(value, bound) == {
        "a": ["h-1", {"b": "h-1"}],
        "c": "$other",
        "d": "handle",
        "e": 3,
    }


@pytest.mark.parametrize(
    "setup",
    [
        "not a list",
        [{"args": {}}],
        [{"op": "x", "args": []}],
        [{"op": "x", "bind": "handle"}],
    ],
)
def test_malformed_setup_is_refused(setup: object) -> None:
    with pytest.raises(ValueError, match=r"setup|step"):
        steps_of(setup)


EVENT = '{"Cancelled":[]}'
EFFECT_TABLE = [
    ("progress", [EVENT], False, None),
    ("progress", [EVENT], True, "must leave the session open"),
    ("progress", [], False, "must append 1 event"),
    ("replyable", [EVENT], False, None),
    ("replyable", [EVENT], True, "must leave the session open"),
    ("fatal", [EVENT], True, None),
    ("fatal", [EVENT], False, "must leave the session closed"),
    ("terminal", [EVENT], True, None),
    ("terminal", [EVENT, EVENT], True, "must append 1 event"),
    ("stasis", [], False, None),
    ("stasis", [EVENT], False, "gained 1 event"),
    ("transient", [], False, None),
    ("transient", [EVENT], False, "gained 1 event"),
    ("finished", [EVENT], True, "unknown outcome class"),
]


@pytest.mark.parametrize(("outcome", "appended", "closed", "problem"), EFFECT_TABLE)
def test_effect_classes_must_match_the_log_diff(
    outcome: str, appended: list[str], closed: bool, problem: str | None
) -> None:
    result = {"outcome": outcome, "appended": appended, "closed": closed}
    got = effect_mismatch("session.call", result)
    if problem is None:
        assert got is None
    else:
        assert got is not None
        assert problem in got


def test_effect_check_applies_only_to_live_session_ops() -> None:
    assert effect_mismatch("replay", {"outcome": "progress"}) is None
    assert "needs `appended`" in str(effect_mismatch("session.response", {"outcome": "progress"}))
