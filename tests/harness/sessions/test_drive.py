"""``session.drive`` cases: the implementation in one role, the reference as its peer."""

from __future__ import annotations

import pytest

from pjconf.harness.corpus.load import Case
from pjconf.harness.implementations.client import InProcessClient, Reply
from pjconf.harness.run.checker import Verdict
from pjconf.harness.run.runner import run
from pjconf.harness.sessions.drive import DRIVE_OP, drive, paths
from pjconf.protocol.events import variant_name
from pjconf.protocol.wire import JsonObject
from pjconf.reference.adapter.ops import reference_adapter
from pjconf.reference.adapter.payment import payment


def receiver() -> InProcessClient:
    """The reference as the implementation under test; ``drive`` runs another as its peer."""
    return InProcessClient(reference_adapter(seed="iut"))


def test_every_path_has_a_name() -> None:
    names = set(paths(payment("x")))
    assert {"success", "directory_faults"} <= names
    heads = {n.split("/")[0] for n in names}
    assert heads == {
        "success",
        "success_contributed",
        "error_reply",
        "error_reply_faults",
        "cancel",
        "cancel_error_reply",
        "directory_faults",
        "proposal_faults",
        "sender_faults",
        "sender_post_rejected",
    }


def test_a_successful_path_reports_the_roles_steps_and_log() -> None:
    reply = drive(receiver(), {"iut_role": "receiver", "path": "success"})
    assert reply.kind == "result"
    path = reply.value["path"]
    assert path[0] == ["receiver.new", "progress", "Initialized"]
    assert path[-1] == ["receiver.check_for_transaction", "terminal", "Closed"]
    assert all(step[0].startswith("receiver.") for step in path)
    assert reply.value["closed"] is True
    assert reply.value["events"] == [
        "Created",
        "RetrievedOriginalPayload",
        "CheckedBroadcastSuitability",
        "CheckedInputsNotOwned",
        "CheckedNoInputsSeenBefore",
        "IdentifiedReceiverOutputs",
        "CommittedOutputs",
        "CommittedInputs",
        "AppliedFeeRange",
        "FinalizedProposal",
        "PostedPayjoinProposal",
        "Closed/Success",
    ]


@pytest.mark.parametrize(
    ("path", "events"),
    [
        ("cancel/Initialized", ["Created", "Closed/Aborted"]),
        (
            "error_reply/input_owned",
            [
                "Created",
                "RetrievedOriginalPayload",
                "CheckedBroadcastSuitability",
                "GotReplyableError",
                "ProtocolFailed",
                "Closed/Aborted",
            ],
        ),
        ("directory_faults", ["Created", "Closed/Aborted"]),
    ],
)
def test_the_receivers_log_is_payjoins(path: str, events: list[str]) -> None:
    reply = drive(receiver(), {"iut_role": "receiver", "path": path})
    assert reply.kind == "result"
    assert reply.value["events"] == events


@pytest.mark.parametrize("role", ["receiver", "sender"])
def test_every_path_runs_in_either_role(role: str) -> None:
    for name in paths(payment("pjconf/sessions/payment")):
        reply = drive(receiver(), {"iut_role": role, "path": name})
        assert reply.kind == "result", (name, reply)
        assert reply.value["closed"] is True, name


class Lying:
    """Claims progress for a transient step: the driver must name the step."""

    def __init__(self, inner: InProcessClient) -> None:
        self.inner = inner

    def call(self, op: str, args: JsonObject) -> Reply:
        reply = self.inner.call(op, args)
        if op == "session.call" and reply.value.get("outcome") == "progress":
            return Reply("result", {**reply.value, "closed": True})
        return reply

    def close(self) -> None:
        self.inner.close()


def test_a_wrong_effect_is_an_error_naming_the_step() -> None:
    reply = drive(Lying(receiver()), {"iut_role": "receiver", "path": "success"})
    assert reply.kind == "error"
    assert reply.value["kind"] == "SessionFailure"
    assert "receiver.check_broadcast_suitability" in reply.value["message"]


@pytest.mark.parametrize(
    "args",
    [
        {"iut_role": "directory", "path": "success"},
        {"iut_role": "receiver", "path": "teleport"},
        {"iut_role": "receiver", "path": "success", "seed": 7},
    ],
)
def test_a_malformed_case_is_a_harness_malfunction(args: JsonObject) -> None:
    assert drive(receiver(), args).kind == "malfunction"


def test_the_runner_judges_drive_cases_against_the_vector() -> None:
    expected = drive(receiver(), {"iut_role": "receiver", "path": "cancel/WantsInputs"}).value
    good = Case(
        "sessions", 1, "", "", (), "valid", DRIVE_OP,
        {"iut_role": "receiver", "path": "cancel/WantsInputs"}, expected,
    )  # fmt: skip
    wrong = Case(
        "sessions", 2, "", "", (), "valid", DRIVE_OP,
        {"iut_role": "receiver", "path": "cancel/WantsInputs"}, {**expected, "closed": False},
    )  # fmt: skip
    result = run(receiver(), [good, wrong])
    assert [o.verdict for o in result.outcomes] == [Verdict.PASS, Verdict.FAIL]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ('{"Closed":{"Success":"00"}}', "Closed/Success"),
        ('{"Closed":"Aborted"}', "Closed/Aborted"),
        ('"Cancelled"', "Cancelled"),
        ('{"PostedOriginalPsbt":[]}', "PostedOriginalPsbt"),
        ("{", "<not JSON>"),
        ("[1]", "<not an event>"),
        ('{"Closed":5}', "Closed/<malformed>"),  # once a TypeError, found by pjconf fuzz
        ('{"Closed":[]}', "Closed/<malformed>"),
        ('{"Closed":{}}', "Closed/<malformed>"),
        ('{"Closed":null}', "Closed/<malformed>"),
    ],
)
def test_variant_names(text: str, name: str) -> None:
    assert variant_name(text) == name


@pytest.mark.parametrize("role", ["receiver", "sender"])
def test_a_crash_at_every_persistence_point_changes_nothing_but_the_restarts(role: str) -> None:
    args = {"iut_role": role, "path": "success_contributed"}
    calm = drive(InProcessClient(reference_adapter(seed="calm")), args)
    crashed = drive(InProcessClient(reference_adapter(seed="calm")), {**args, "crash": True})
    assert crashed.kind == "result"
    restarts = crashed.value.pop("restarts")
    assert crashed.value == calm.value
    persisted = len(calm.value["events"]) - 1  # every saved event but the closing one
    assert restarts == persisted


class Amnesiac:
    """Forgets everything on resume: answers every resume with a fresh session's state."""

    def __init__(self) -> None:
        self.inner = InProcessClient(reference_adapter(seed="amnesiac"))

    def call(self, op: str, args: JsonObject) -> Reply:
        reply = self.inner.call(op, args)
        if op == "session.resume" and reply.kind == "result":
            return Reply("result", {**reply.value, "state": "Initialized"})
        return reply

    def close(self) -> None:
        self.inner.close()


def test_a_session_that_does_not_resume_where_it_was_saved_is_named() -> None:
    reply = drive(Amnesiac(), {"iut_role": "receiver", "path": "success", "crash": True})
    assert reply.kind == "error"
    assert "receiver.resume" in reply.value["message"]


class _DiesMidSession:
    """The reference, until its fourth ``session.call``: then the adapter 'crashes'."""

    def __init__(self) -> None:
        self.inner = receiver()
        self.calls = 0

    def call(self, op: str, args: JsonObject) -> Reply:
        if op == "session.call":
            self.calls += 1
            if self.calls == 4:
                return Reply("malfunction", {"message": "adapter exited without answering"})
        return self.inner.call(op, args)

    def close(self) -> None:
        self.inner.close()


def test_an_adapter_that_malfunctions_mid_session_is_an_error_not_a_fail() -> None:
    reply = drive(_DiesMidSession(), {"iut_role": "receiver", "path": "success"})
    assert reply.kind == "malfunction"
    assert "adapter exited without answering" in reply.value["message"]
    case = Case(
        "sessions",
        1,
        "Path",
        "success",
        (),
        "valid",
        DRIVE_OP,
        {"iut_role": "receiver", "path": "success"},
        {"closed": True},
    )
    outcome = run(_DiesMidSession(), [case]).outcomes[0]
    assert outcome.verdict is Verdict.ERROR
