"""``pjconf bench`` on the reference and rust-payjoin 1.0 (its container), as a user runs it.

This replaces the two hand-wired comparisons this suite had (replay and event round trips;
whole sessions): the command gates every op on each implementation's vectors, checks that what
each timed is the answer meant (a replay that reaches the reference's state, a whole session
that closes as the reference's), interleaves the rounds and writes the medians and ratios. Here
it runs with a short round budget and writes ``reports/bench_vs_rust.{json,html}``.

No speed is asserted: the reference is a readable Python model, not a fast one. What must hold:
the run is green (nothing gated out beyond rust-payjoin 1.0's known failures, which
``ci/expectations`` lists), rust-payjoin is timed on everything its adapter benches, and every
ratio is a finite positive number.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from pjconf.harness.cli import main

pytestmark = [pytest.mark.docker, pytest.mark.rust]

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports"
UNBENCHED = {
    "ohttp.request.seal",
    "ohttp.request.open",
    "ohttp.response.seal",
    "ohttp.response.open",
}
"""The ops the Rust adapter serves but does not bench (it keeps their contexts in a table), or,
for the seal ops, does not serve with a fixed ephemeral key."""
NOT_DETERMINISTIC = {"hpke.seal", "bip77.msg_a.seal", "bip77.msg_b.seal"}
"""Seal vectors fix the ephemeral key; the Rust adapter draws its own, so they are SKIPs."""


def test_bench_command_against_rust_payjoin(
    rust_payjoin_image: str, capsys: pytest.CaptureFixture[str]
) -> None:
    REPORTS.mkdir(exist_ok=True)
    out_json, out_html = REPORTS / "bench_vs_rust.json", REPORTS / "bench_vs_rust.html"
    version = rust_payjoin_image.rsplit(":", 1)[1]
    status = main(
        [
            "bench",
            "--impl",
            "reference",
            "--impl",
            f"docker:{rust_payjoin_image}",
            "--expectations",
            str(ROOT / "ci" / "expectations" / f"rust-payjoin-{version}.json"),
            "--rounds",
            "3",
            "--round-ms",
            "10",
            "--json",
            str(out_json),
            "--html",
            str(out_html),
        ]
    )
    captured = capsys.readouterr()
    with capsys.disabled():
        print("\n" + captured.out)
    assert status == 0, captured.out + captured.err
    document = json.loads(out_json.read_text(encoding="utf-8"))
    rust = f"rust-payjoin@{version}"
    timed = {
        b["group"]: b for b in document["benchmarks"] if b["extra_info"]["implementation"] == rust
    }
    untimed = {u["op"]: u for u in document["pjconf"]["untimed"] if u["implementation"] == rust}
    # The adapter benches replay and event.roundtrip for both roles, and whole sessions.
    for name in (
        *(f"replay/{role}/{n}" for role in ("receiver", "sender") for n in (10, 100, 1000)),
        "event.roundtrip/receiver/Created",
        "event.roundtrip/receiver/FinalizedProposal",
        "event.roundtrip/sender/Created",
        "session.whole",
        "hpke.open",
        "bip77.msg_a.open",
        "bip77.msg_b.open",
        "ellswift.encode",
        "ellswift.decode",
        "uri.parse",
        "short_id",
    ):
        assert name in timed, (name, untimed.get(name))
        ratio = timed[name]["extra_info"]["ratio"]
        assert math.isfinite(ratio), name
        assert ratio > 0, name
    assert set(untimed) == UNBENCHED | NOT_DETERMINISTIC
    assert {u["status"] for u in untimed.values()} <= {"not benched", "not implemented"}
    assert "<svg" in out_html.read_text(encoding="utf-8")
