"""The reference against rust-payjoin 1.0, each timed by its own ``bench`` op.

Each implementation times its handler inside its own process (the reference in this one, the Rust
adapter in its container), so neither figure holds the pipe or Docker. Rounds of the two
alternate, each round sized to run for ~``ROUND_NS``, so a neighbour's load that comes and goes
hits both; the medians of µs per op and their ratio (reference / rust-payjoin) are printed and
written to ``reports/bench_vs_rust.json`` (the directory ``ci/bench.sh`` writes its reports to).

Nothing here asserts a speed: the reference is a readable Python model, not a fast one. What must
hold is asserted: both answer, echo ``iterations``, time something (``ns_total`` > 0), timed the
same work (their untimed first results agree), and the ratio is a finite positive number. Both
adapters also refuse alike what they must not time.
"""

from __future__ import annotations

import fcntl
import json
import math
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pjconf.harness.implementations.client import Client, InProcessClient
from pjconf.harness.implementations.docker import DockerClient
from pjconf.harness.vectorgen.session_logs import drive_reference, prefixes
from pjconf.protocol.events import variant_name
from pjconf.protocol.wire import JsonObject
from pjconf.reference.adapter.ops import IMPLEMENTATION, VERSION, reference_adapter

pytestmark = [pytest.mark.docker, pytest.mark.rust]

PATH = "success_contributed"
SEED = "bench-vs-rust"
ROUNDS = 15
"""Alternating rounds per implementation; odd, so the median is one round's figure."""
ROUND_NS = 25_000_000
"""Each bench call is sized to run ~25 ms: far above clock and scheduling noise."""
COMPARED = {
    "replay": ("state", "status", "closed", "fallback_tx", "expired"),
    "event.roundtrip": ("event",),
}
REPORT = Path(__file__).resolve().parents[2] / "reports" / "bench_vs_rust.json"

REFERENCE = InProcessClient(reference_adapter(seed=SEED))


@dataclass(frozen=True)
class Case:
    name: str
    op: str
    args: JsonObject


@pytest.fixture(scope="module")
def cases() -> dict[str, Case]:
    """Complete logs of a payjoin with a contributed input, and two receiver events of it."""
    logs = prefixes(PATH, drive_reference(PATH, seed=SEED))
    receiver = [log for log in logs if log.role == "receiver"][-1].events
    sender = [log for log in logs if log.role == "sender"][-1].events
    assert variant_name(receiver[-1]) == variant_name(sender[-1]) == "Closed/Success"

    def event(variant: str) -> str:
        (text,) = [t for t in receiver if variant_name(t) == variant]
        return text

    all_cases = [
        Case("replay/receiver", "replay", {"role": "receiver", "events": list(receiver)}),
        Case("replay/sender", "replay", {"role": "sender", "events": list(sender)}),
        Case(
            "event.roundtrip/receiver/Created",
            "event.roundtrip",
            {"role": "receiver", "event": event("Created")},
        ),
        Case(
            "event.roundtrip/receiver/FinalizedProposal",
            "event.roundtrip",
            {"role": "receiver", "event": event("FinalizedProposal")},
        ),
    ]
    return {case.name: case for case in all_cases}


def bench(client: Client, case: Case, iterations: int) -> dict[str, Any]:
    """One ``bench`` call, checked for what every answer must hold."""
    reply = client.call("bench", {"op": case.op, "args": case.args, "iterations": iterations})
    assert reply.kind == "result", reply
    answer = reply.value
    assert answer["iterations"] == iterations
    assert isinstance(answer["ns_total"], int)
    assert answer["ns_total"] > 0
    return answer


def round_size(client: Client, case: Case) -> int:
    """Iterations for one ~``ROUND_NS`` round, from a short warm-up bench."""
    probe = 5
    per_op = bench(client, case, probe)["ns_total"] / probe
    return max(1, int(ROUND_NS / per_op))


@dataclass(frozen=True)
class Measurement:
    iterations: int
    us_per_op: list[float]
    result: dict[str, Any]

    @property
    def median(self) -> float:
        return statistics.median(self.us_per_op)


def measure(clients: dict[str, Client], case: Case) -> dict[str, Measurement]:
    """``ROUNDS`` interleaved rounds per client; the first goes first in even rounds only."""
    sizes = {name: round_size(client, case) for name, client in clients.items()}
    samples: dict[str, list[float]] = {name: [] for name in clients}
    results: dict[str, dict[str, Any]] = {}
    names = list(clients)
    for i in range(ROUNDS):
        for name in names if i % 2 == 0 else reversed(names):
            answer = bench(clients[name], case, sizes[name])
            samples[name].append(answer["ns_total"] / sizes[name] / 1000)
            results[name] = answer["result"]
    return {name: Measurement(sizes[name], samples[name], results[name]) for name in clients}


def record(name: str, row: JsonObject) -> None:
    """Merge one case's row into the report (locked, so concurrent workers do not lose rows)."""
    REPORT.parent.mkdir(exist_ok=True)
    with REPORT.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        document = json.loads(REPORT.read_text(encoding="utf-8")) if REPORT.exists() else {}
        document.setdefault("cases", {})[name] = row
        document["reference"] = f"{IMPLEMENTATION} {VERSION}"
        document["ratio"] = "reference median / rust-payjoin median, microseconds per op"
        tmp = REPORT.with_suffix(".tmp")
        tmp.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(REPORT)


@pytest.fixture(scope="module")
def clients(rust: DockerClient) -> dict[str, Client]:
    return {"reference": REFERENCE, "rust-payjoin": rust}


@pytest.mark.parametrize(
    "name",
    [
        "replay/receiver",
        "replay/sender",
        "event.roundtrip/receiver/Created",
        "event.roundtrip/receiver/FinalizedProposal",
    ],
)
def test_reference_vs_rust_payjoin(
    clients: dict[str, Client],
    cases: dict[str, Case],
    rust_payjoin_image: str,
    name: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    case = cases[name]
    measured = measure(clients, case)
    ours, theirs = measured["reference"], measured["rust-payjoin"]
    fields = COMPARED[case.op]
    assert {k: ours.result[k] for k in fields} == {k: theirs.result[k] for k in fields}
    if case.op == "replay":
        assert (ours.result["state"], ours.result["status"]) == ("Closed", "Completed")

    ratio = ours.median / theirs.median
    assert math.isfinite(ratio)
    assert ratio > 0
    record(
        name,
        {
            "image": rust_payjoin_image,
            "rounds": ROUNDS,
            "reference_us_median": round(ours.median, 2),
            "rust_payjoin_us_median": round(theirs.median, 2),
            "ratio": round(ratio, 2),
            "iterations_per_round": {
                "reference": ours.iterations,
                "rust-payjoin": theirs.iterations,
            },
            "reference_us": [round(us, 2) for us in ours.us_per_op],
            "rust_payjoin_us": [round(us, 2) for us in theirs.us_per_op],
        },
    )
    with capsys.disabled():
        print(
            f"\n  bench {name}: reference {ours.median:.1f} µs, "
            f"rust-payjoin {theirs.median:.1f} µs, ratio {ratio:.1f}x"
        )


# -- both adapters refuse alike --------------------------------------------------------------------

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


def test_hello_lists_bench(clients: dict[str, Client]) -> None:
    for name, client in clients.items():
        reply = client.call("hello", {})
        assert reply.kind == "result", (name, reply)
        assert "bench" in reply.value["ops"], name
