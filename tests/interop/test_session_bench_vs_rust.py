"""One complete payjoin session's time in the reference against rust-payjoin 1.0 (issue 6).

Both adapters run ``session.whole`` (docs/adapter-protocol.md, "Benchmarks") on the same
arguments: the same signed Original PSBT, receiver address and key, contributed coin, sender key
and gateway IKM (``session_payment.payment``). Each runs the whole session in its own process,
sender and receiver and a bare directory stand-in (an OHTTP gateway derived from the IKM, in-memory
mailboxes), so neither figure holds the pipe, Docker or any I/O: a single thread computing,
whose monotonic time is its CPU time (the reference's ``time.process_time`` beside it says so).

Rounds of the two alternate, each sized to ~``ROUND_NS``; the medians of µs per session and their
ratio (reference / rust-payjoin) are printed and written to ``reports/session_bench_vs_rust.json``.
No speed is asserted. What must hold is: both complete the session with the same logs (same
final states, same event counts, both ``Closed(Success)``), both time something, the ratio is
finite and positive, and both refuse alike a session that cannot complete.
"""

from __future__ import annotations

import hashlib
import json
import math
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pjconf.harness.implementations.client import Client, InProcessClient
from pjconf.harness.implementations.docker import DockerClient
from pjconf.protocol.wire import JsonObject
from pjconf.reference.adapter.ops import IMPLEMENTATION, VERSION, reference_adapter
from pjconf.reference.adapter.payment import payment
from pjconf.reference.adapter.session_whole import OP, payment_args

pytestmark = [pytest.mark.docker, pytest.mark.rust]

SEED = "session-bench-vs-rust"
ARGS = payment_args(payment(SEED), hashlib.sha256(f"{SEED}/gateway".encode()).digest())
ROUNDS = 9
"""Alternating rounds per implementation; odd, so the median is one round's figure."""
ROUND_NS = 100_000_000
"""Each bench call is sized to run ~100 ms: tens of sessions, far above scheduling noise."""
SUMMARY = ("receiver", "sender")
"""The result fields both must agree on (the payjoin txid differs: the receiver's input goes to a
random position in each)."""
REPORT = Path(__file__).resolve().parents[2] / "reports" / "session_bench_vs_rust.json"

REFERENCE = InProcessClient(reference_adapter(seed=SEED))


@pytest.fixture(scope="module")
def clients(rust: DockerClient) -> dict[str, Client]:
    return {"reference": REFERENCE, "rust-payjoin": rust}


def _result(name: str, reply: Any) -> dict[str, Any]:
    assert reply.kind == "result", (name, reply)
    value: dict[str, Any] = reply.value
    return value


def test_both_serve_session_whole(clients: dict[str, Client]) -> None:
    for name, client in clients.items():
        assert OP in _result(name, client.call("hello", {}))["ops"], name


def test_both_complete_the_same_session(clients: dict[str, Client]) -> None:
    results = {name: _result(name, c.call(OP, ARGS)) for name, c in clients.items()}
    ours, theirs = results["reference"], results["rust-payjoin"]
    assert {k: ours[k] for k in SUMMARY} == {k: theirs[k] for k in SUMMARY}
    for role in SUMMARY:
        assert ours[role]["closed"] is True
        assert ours[role]["last_event"] == "Closed/Success"


@dataclass(frozen=True)
class Measurement:
    iterations: int
    us_per_session: list[float]
    result: dict[str, Any]
    cpu_us_per_session: list[float]
    """This process's CPU time per session around each bench call (meaningful for the in-process
    reference only; the container's time is not seen from here)."""

    @property
    def median(self) -> float:
        return statistics.median(self.us_per_session)


def bench(name: str, client: Client, iterations: int) -> tuple[dict[str, Any], float]:
    """One ``bench`` of ``session.whole``, checked; and the process CPU seconds it took here."""
    cpu = time.process_time()
    answer = _result(name, client.call("bench", {"op": OP, "args": ARGS, "iterations": iterations}))
    cpu = time.process_time() - cpu
    assert answer["iterations"] == iterations
    assert isinstance(answer["ns_total"], int)
    assert answer["ns_total"] > 0
    return answer, cpu


def measure(clients: dict[str, Client]) -> dict[str, Measurement]:
    """``ROUNDS`` interleaved rounds per client; the first goes first in even rounds only."""
    sizes = {}
    for name, client in clients.items():
        probe = 3
        per_session = bench(name, client, probe)[0]["ns_total"] / probe
        sizes[name] = max(1, int(ROUND_NS / per_session))
    samples: dict[str, list[float]] = {name: [] for name in clients}
    cpu: dict[str, list[float]] = {name: [] for name in clients}
    results: dict[str, dict[str, Any]] = {}
    names = list(clients)
    for i in range(ROUNDS):
        for name in names if i % 2 == 0 else reversed(names):
            answer, seconds = bench(name, clients[name], sizes[name])
            samples[name].append(answer["ns_total"] / sizes[name] / 1000)
            # The bench's untimed first call is a session too.
            cpu[name].append(seconds * 1e6 / (sizes[name] + 1))
            results[name] = answer["result"]
    return {
        name: Measurement(sizes[name], samples[name], results[name], cpu[name]) for name in clients
    }


def test_whole_session_reference_vs_rust_payjoin(
    clients: dict[str, Client], rust_payjoin_image: str, capsys: pytest.CaptureFixture[str]
) -> None:
    measured = measure(clients)
    ours, theirs = measured["reference"], measured["rust-payjoin"]
    assert {k: ours.result[k] for k in SUMMARY} == {k: theirs.result[k] for k in SUMMARY}
    ratio = ours.median / theirs.median
    assert math.isfinite(ratio)
    assert ratio > 0
    reference_cpu = statistics.median(ours.cpu_us_per_session)
    row: JsonObject = {
        "op": OP,
        "what": "one complete payjoin v2 session per iteration, builder to Closed(Success) on "
        "both sides, timed inside each implementation's own process",
        "reference": f"{IMPLEMENTATION} {VERSION}",
        "image": rust_payjoin_image,
        "rounds": ROUNDS,
        "reference_us_median": round(ours.median, 1),
        "rust_payjoin_us_median": round(theirs.median, 1),
        "ratio": round(ratio, 2),
        "ratio_is": "reference median / rust-payjoin median, microseconds per session",
        "reference_cpu_us_median": round(reference_cpu, 1),
        "iterations_per_round": {"reference": ours.iterations, "rust-payjoin": theirs.iterations},
        "reference_us": [round(us, 1) for us in ours.us_per_session],
        "rust_payjoin_us": [round(us, 1) for us in theirs.us_per_session],
        "session": {k: ours.result[k] for k in SUMMARY},
    }
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(row, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    with capsys.disabled():
        print(
            f"\n  bench {OP}: reference {ours.median:.0f} µs (CPU {reference_cpu:.0f} µs), "
            f"rust-payjoin {theirs.median:.0f} µs, ratio {ratio:.2f}x"
        )


# -- both refuse alike -----------------------------------------------------------------------------

OTHER = payment(f"{SEED}/other")
NOT_P2WPKH_COIN = {"value": 1000, "script_pubkey": "5120" + "11" * 32}

BAD, FAILED = "InvalidArgument", "SessionFailed"
NO_IKM = {k: v for k, v in ARGS.items() if k != "gateway_ikm"}
TAPROOT_COIN = [{**ARGS["inputs"][0], "txout": NOT_P2WPKH_COIN}]
OTHER_ADDRESS = {**ARGS, "address": OTHER.receiver_address}
OTHER_KEY = {**ARGS, "receiver_wif": OTHER.receiver_wif}

REFUSALS: list[tuple[str, JsonObject, str, str | None]] = [
    ("no gateway IKM", NO_IKM, BAD, None),
    ("short gateway IKM", {**ARGS, "gateway_ikm": "00" * 31}, BAD, None),
    ("receiver key not WIF", {**ARGS, "receiver_wif": "not-a-key"}, BAD, None),
    ("Original does not pay the address", OTHER_ADDRESS, FAILED, "build_recommended"),
    ("coin not P2WPKH", {**ARGS, "inputs": TAPROOT_COIN}, FAILED, "contribution"),
    ("receiver cannot sign its coin", OTHER_KEY, FAILED, "sender poll"),
]


@pytest.mark.parametrize(
    ("args", "kind", "step"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_both_refuse_alike(
    clients: dict[str, Client], args: JsonObject, kind: str, step: str | None
) -> None:
    for name, client in clients.items():
        for reply in (
            client.call(OP, args),
            client.call("bench", {"op": OP, "args": args, "iterations": 1}),
        ):
            assert (reply.kind, reply.value.get("kind")) == ("error", kind), (name, reply)
            if step is not None:
                assert reply.value["message"].startswith(f"{step}: "), (name, reply)
