"""The reference and rust-payjoin 1.0 refuse alike what ``bench`` must not time.

``pjconf bench`` (tests/interop/test_bench_command_vs_rust.py) times what both answer; these are
the rules of docs/adapter-protocol.md ("Benchmarks") for what they must refuse: bad arguments
first (``InvalidArgument``), then an op that keeps state or is not served (``unimplemented``),
then an op that fails on the given arguments (its own error, never a figure), for ``bench`` of
any op and of ``session.whole``, whose failing step both name alike.
"""

from __future__ import annotations

import pytest

from pjconf.harness.implementations.client import Client
from pjconf.harness.implementations.docker import DockerClient
from pjconf.harness.implementations.reference import (
    SESSION_WHOLE,
    payment,
    reference_client,
    session_whole_args,
)
from pjconf.protocol.wire import JsonObject

pytestmark = [pytest.mark.docker, pytest.mark.rust]

SEED = "session-bench-vs-rust"
REFERENCE = reference_client(seed=SEED)


@pytest.fixture(scope="module")
def clients(rust: DockerClient) -> dict[str, Client]:
    return {"reference": REFERENCE, "rust-payjoin": rust}


def test_hello_lists_bench_and_session_whole(clients: dict[str, Client]) -> None:
    for name, client in clients.items():
        reply = client.call("hello", {})
        assert reply.kind == "result", (name, reply)
        assert {"bench", SESSION_WHOLE} <= set(reply.value["ops"]), name


# -- bench of any op -------------------------------------------------------------------------------

REFUSALS: list[tuple[str, JsonObject, str]] = [
    ("no op", {"iterations": 1}, "InvalidArgument"),
    ("op not a string", {"op": 7, "iterations": 1}, "InvalidArgument"),
    ("args not an object", {"op": "replay", "args": [], "iterations": 1}, "InvalidArgument"),
    ("no iterations", {"op": "replay", "args": {}}, "InvalidArgument"),
    ("zero iterations", {"op": "replay", "iterations": 0}, "InvalidArgument"),
    ("negative iterations", {"op": "replay", "iterations": -1}, "InvalidArgument"),
    ("fractional iterations", {"op": "replay", "iterations": 1.5}, "InvalidArgument"),
    ("iterations a string", {"op": "replay", "iterations": "2"}, "InvalidArgument"),
    ("bad count, unbenchable op", {"op": "session.drop", "iterations": 0}, "InvalidArgument"),
    ("bench of bench", {"op": "bench", "args": {}, "iterations": 1}, "unimplemented"),
    ("bench of hello", {"op": "hello", "iterations": 1}, "unimplemented"),
    ("bench of shutdown", {"op": "shutdown", "iterations": 1}, "unimplemented"),
    ("bench of a live op", {"op": "session.new_receiver", "iterations": 1}, "unimplemented"),
    ("bench of an unknown op", {"op": "no.such.op", "iterations": 1}, "unimplemented"),
    (
        "a log that does not replay",
        {"op": "replay", "args": {"role": "receiver", "events": []}, "iterations": 2},
        "NoEvents",
    ),
    (
        "an event that does not decode",
        {
            "op": "event.roundtrip",
            "args": {"role": "sender", "event": '{"Closed":"Failure"}'},
            "iterations": 2,
        },
        "DecodeError",
    ),
    (
        "the op's own bad argument",
        {"op": "event.roundtrip", "args": {"role": "both", "event": "{}"}, "iterations": 2},
        "InvalidArgument",
    ),
]


@pytest.mark.parametrize(
    ("args", "expected"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_both_refuse_alike(clients: dict[str, Client], args: JsonObject, expected: str) -> None:
    for name, client in clients.items():
        reply = client.call("bench", args)
        got = reply.value["kind"] if reply.kind == "error" else reply.kind
        assert got == expected, (name, reply)


# -- session.whole, called and benched -------------------------------------------------------------

ARGS = session_whole_args(SEED)
OTHER = payment(f"{SEED}/other")
NOT_P2WPKH_COIN = {"value": 1000, "script_pubkey": "5120" + "11" * 32}
BAD, FAILED = "InvalidArgument", "SessionFailed"
INPUTS = ARGS["inputs"]
assert isinstance(INPUTS, list)
SESSION_REFUSALS: list[tuple[str, JsonObject, str, str | None]] = [
    ("no gateway IKM", {k: v for k, v in ARGS.items() if k != "gateway_ikm"}, BAD, None),
    ("short gateway IKM", {**ARGS, "gateway_ikm": "00" * 31}, BAD, None),
    ("receiver key not WIF", {**ARGS, "receiver_wif": "not-a-key"}, BAD, None),
    (
        "Original does not pay the address",
        {**ARGS, "address": OTHER.receiver_address},
        FAILED,
        "build_recommended",
    ),
    (
        "coin not P2WPKH",
        {**ARGS, "inputs": [{**INPUTS[0], "txout": NOT_P2WPKH_COIN}]},
        FAILED,
        "contribution",
    ),
    (
        "receiver cannot sign its coin",
        {**ARGS, "receiver_wif": OTHER.receiver_wif},
        FAILED,
        "sender poll",
    ),
]


@pytest.mark.parametrize(
    ("args", "kind", "step"),
    [r[1:] for r in SESSION_REFUSALS],
    ids=[r[0] for r in SESSION_REFUSALS],
)
def test_both_refuse_a_session_alike(
    clients: dict[str, Client], args: JsonObject, kind: str, step: str | None
) -> None:
    for name, client in clients.items():
        for reply in (
            client.call(SESSION_WHOLE, args),
            client.call("bench", {"op": SESSION_WHOLE, "args": args, "iterations": 1}),
        ):
            assert (reply.kind, reply.value.get("kind")) == ("error", kind), (name, reply)
            if step is not None:
                assert reply.value["message"].startswith(f"{step}: "), (name, reply)
