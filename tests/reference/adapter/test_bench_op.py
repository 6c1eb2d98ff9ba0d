"""The reference's ``bench`` op (docs/adapter-protocol.md, "Benchmarks").

Real ops are timed through the protocol (``InProcessClient``) on logs the reference writes
playing both roles; the timing rules themselves (one untimed checked call, then ``iterations``
calls between two clock readings) are pinned with a fake clock and a fake op table.
"""

from __future__ import annotations

from typing import Any

import pytest

from pjconf.harness.implementations.client import InProcessClient, Reply
from pjconf.harness.vectorgen.session_logs import drive_reference, prefixes
from pjconf.protocol.events import variant_name
from pjconf.protocol.wire import JsonObject
from pjconf.reference.adapter.bench_op import bench_handlers, benchable
from pjconf.reference.adapter.dispatch import InProcessAdapter
from pjconf.reference.adapter.ops import reference_adapter
from pjconf.reference.errors import OpenError

PATH = "success_contributed"


@pytest.fixture(scope="module")
def client() -> InProcessClient:
    return InProcessClient(reference_adapter(seed="bench-op"))


@pytest.fixture(scope="module")
def logs() -> dict[str, tuple[str, ...]]:
    """Each role's complete log of a payjoin with a contributed input (both end ``Closed``)."""
    logs = prefixes(PATH, drive_reference(PATH, seed="bench-op"))
    return {
        role: [log for log in logs if log.role == role][-1].events
        for role in ("receiver", "sender")
    }


def _op_args(logs: dict[str, tuple[str, ...]], case: str) -> tuple[str, JsonObject]:
    """(op, args) of a named case; each roundtrip case picks one event of the receiver's log."""
    if case.startswith("replay/"):
        role = case.removeprefix("replay/")
        return "replay", {"role": role, "events": list(logs[role])}
    role, variant = case.removeprefix("event.roundtrip/").split("/")
    (text,) = [t for t in logs[role] if variant_name(t) == variant]
    return "event.roundtrip", {"role": role, "event": text}


def _result(reply: Reply) -> dict[str, Any]:
    assert reply.kind == "result", reply
    return reply.value


def test_hello_lists_bench(client: InProcessClient) -> None:
    assert "bench" in _result(client.call("hello", {}))["ops"]


@pytest.mark.parametrize(
    ("case", "iterations"),
    [
        ("replay/receiver", 3),
        ("replay/sender", 4),
        ("event.roundtrip/receiver/Created", 7),
        ("event.roundtrip/receiver/FinalizedProposal", 5),
        ("event.roundtrip/sender/Created", 1),
    ],
)
def test_bench_times_the_op_and_returns_what_it_timed(
    client: InProcessClient, logs: dict[str, tuple[str, ...]], case: str, iterations: int
) -> None:
    op, args = _op_args(logs, case)
    answer = _result(client.call("bench", {"op": op, "args": args, "iterations": iterations}))
    assert answer["iterations"] == iterations
    assert isinstance(answer["ns_total"], int)
    assert answer["ns_total"] > 0
    assert answer["result"] == _result(client.call(op, args))


def test_replay_bench_reaches_the_end_of_both_logs(
    client: InProcessClient, logs: dict[str, tuple[str, ...]]
) -> None:
    for role in ("receiver", "sender"):
        op, args = _op_args(logs, f"replay/{role}")
        answer = _result(client.call("bench", {"op": op, "args": args, "iterations": 1}))
        assert (answer["result"]["state"], answer["result"]["status"]) == ("Closed", "Completed")


def test_roundtrip_bench_returns_the_text_unchanged(
    client: InProcessClient, logs: dict[str, tuple[str, ...]]
) -> None:
    op, args = _op_args(logs, "event.roundtrip/receiver/FinalizedProposal")
    answer = _result(client.call("bench", {"op": op, "args": args, "iterations": 2}))
    assert answer["result"] == {"event": args["event"]}


# -- the timing rules, with a fake clock and a fake op table -------------------------------------


class _Recorder:
    """A fake op and a fake clock writing to one trace, so their order can be checked."""

    def __init__(self, fail_on_call: int | None = None) -> None:
        self.trace: list[str] = []
        self.args_seen: list[JsonObject] = []
        self.readings = iter([1_000, 5_250])
        self.fail_on_call = fail_on_call

    def op(self, args: JsonObject) -> JsonObject:
        self.trace.append("call")
        self.args_seen.append(args)
        calls = self.trace.count("call")
        if calls == self.fail_on_call:
            raise OpenError(f"call {calls} failed")
        return {"call": calls}

    def clock(self) -> int:
        self.trace.append("clock")
        return next(self.readings)

    def adapter(self) -> InProcessAdapter:
        table = {"fake.op": self.op, "session.fake": self.op}
        return InProcessAdapter("fake", "0", bench_handlers(table, clock=self.clock))


def _bench(adapter: InProcessAdapter, args: JsonObject) -> Reply:
    return InProcessClient(adapter).call("bench", args)


def test_first_call_is_untimed_and_iterations_run_between_two_readings() -> None:
    recorder = _Recorder()
    reply = _bench(recorder.adapter(), {"op": "fake.op", "args": {"x": 1}, "iterations": 3})
    assert _result(reply) == {"iterations": 3, "ns_total": 4_250, "result": {"call": 1}}
    assert recorder.trace == ["call", "clock", "call", "call", "call", "clock"]
    assert recorder.args_seen == [{"x": 1}] * 4


def test_absent_args_are_empty() -> None:
    recorder = _Recorder()
    _result(_bench(recorder.adapter(), {"op": "fake.op", "iterations": 1}))
    assert recorder.args_seen == [{}, {}]


@pytest.mark.parametrize(
    ("fail_on_call", "trace"),
    [
        (1, ["call"]),  # the checked first call: the clock is never read
        (3, ["call", "clock", "call", "call"]),  # a timed call: the bench stops there
    ],
)
def test_an_op_error_ends_the_bench_with_that_error(fail_on_call: int, trace: list[str]) -> None:
    recorder = _Recorder(fail_on_call)
    reply = _bench(recorder.adapter(), {"op": "fake.op", "iterations": 5})
    assert reply == Reply("error", {"kind": "OpenError", "message": f"call {fail_on_call} failed"})
    assert recorder.trace == trace


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        ("replay", True),
        ("event.roundtrip", True),
        ("hpke.seal", True),
        ("hello", False),
        ("shutdown", False),
        ("bench", False),
        ("session.new_receiver", False),
        ("session.call", False),
    ],
)
def test_benchable(op: str, expected: bool) -> None:
    assert benchable(op) is expected


@pytest.mark.parametrize(
    "op", ["hello", "shutdown", "bench", "session.new_receiver", "session.drop", "no.such.op"]
)
def test_ops_it_does_not_bench_are_unimplemented(client: InProcessClient, op: str) -> None:
    reply = client.call("bench", {"op": op, "args": {}, "iterations": 1})
    assert reply.kind == "unimplemented"
    assert repr(op) in reply.value["message"]


def test_a_stateful_op_in_the_table_is_never_called() -> None:
    recorder = _Recorder()
    reply = _bench(recorder.adapter(), {"op": "session.fake", "iterations": 1})
    assert reply.kind == "unimplemented"
    assert recorder.trace == []


BAD_ARGS: list[tuple[str, JsonObject, str]] = [
    ("no op", {"args": {}, "iterations": 1}, "`op`"),
    ("op not a string", {"op": 7, "iterations": 1}, "`op`"),
    ("args a list", {"op": "replay", "args": [], "iterations": 1}, "`args`"),
    ("args a string", {"op": "replay", "args": "{}", "iterations": 1}, "`args`"),
    ("no iterations", {"op": "replay", "args": {}}, "`iterations`"),
    ("zero iterations", {"op": "replay", "args": {}, "iterations": 0}, "`iterations`"),
    ("negative iterations", {"op": "replay", "args": {}, "iterations": -2}, "`iterations`"),
    ("iterations a string", {"op": "replay", "args": {}, "iterations": "3"}, "`iterations`"),
    ("iterations a bool", {"op": "replay", "args": {}, "iterations": True}, "`iterations`"),
    ("iterations a float", {"op": "replay", "args": {}, "iterations": 1.5}, "`iterations`"),
    # arguments are judged before benchability
    ("unbenchable op, bad count", {"op": "session.drop", "iterations": 0}, "`iterations`"),
]


@pytest.mark.parametrize(("args", "field"), [c[1:] for c in BAD_ARGS], ids=[c[0] for c in BAD_ARGS])
def test_bad_arguments_are_invalid_argument(
    client: InProcessClient, args: JsonObject, field: str
) -> None:
    reply = client.call("bench", args)
    assert reply.kind == "error"
    assert reply.value["kind"] == "InvalidArgument"
    assert field in reply.value["message"]


@pytest.mark.parametrize(
    ("op", "args", "kind"),
    [
        ("replay", {"role": "receiver", "events": []}, "NoEvents"),
        (
            "replay",
            {"role": "sender", "events": ['{"PostedOriginalPsbt":[]}']},
            "InvalidFirstEvent",
        ),
        ("event.roundtrip", {"role": "receiver", "event": '{"Closed":"Failure"}'}, "DecodeError"),
        ("event.roundtrip", {"role": "both", "event": "{}"}, "InvalidArgument"),
    ],
)
def test_an_op_that_fails_answers_its_own_error(
    client: InProcessClient, op: str, args: JsonObject, kind: str
) -> None:
    reply = client.call("bench", {"op": op, "args": args, "iterations": 3})
    assert reply == client.call(op, args)
    assert reply.kind == "error"
    assert reply.value["kind"] == kind
