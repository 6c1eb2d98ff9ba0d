"""``pjconf fuzz`` rediscovers rust-payjoin 1.0.0's float round trip (findings page row 16) and
short-message panic (row 3) from the default seed within the stateless share of the default
budget. Neither input is seeded: the corpus cases that pin them are held out of the seeds
(``fuzz.seeds.HELD_OUT``); the strategies reach them by construction (``extra`` maps of arbitrary
doubles, messages A sealed around plaintexts of every length)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from pjconf.harness.cli import main
from pjconf.harness.cli.fuzz import DEFAULT_BUDGET, DEFAULT_SEED
from pjconf.harness.fuzz.model import Budget

pytestmark = [pytest.mark.docker, pytest.mark.rust]

FLOAT_ROUND_TRIP = (
    "event.roundtrip [receiver GotReplyableError]: result -> result "
    "(event at GotReplyableError.extra.*: number)"
)
SHORT_MESSAGE_PANIC = "bip77.msg_a.open: error PayloadTooShort -> error InternalError"


def test_rust_1_0_0_findings_16_and_3_are_rediscovered(
    rust_payjoin_image: str, tmp_path: Path
) -> None:
    stateless_share = Budget.parse(DEFAULT_BUDGET).split(0.5).seconds
    assert stateless_share is not None
    report = tmp_path / "fuzz.json"
    started = time.monotonic()
    status = main(
        [
            "fuzz",
            "--impl",
            f"docker:{rust_payjoin_image}",
            "--engine",
            "stateless",
            "--budget",
            f"{stateless_share:g}s",
            "--seed",
            DEFAULT_SEED,
            "-q",
            "--json",
            str(report),
            "--save",
            str(tmp_path / "found"),
        ]
    )
    elapsed = time.monotonic() - started
    assert status == 1
    findings = {f["key"]: f for f in json.loads(report.read_text())["findings"]}
    assert FLOAT_ROUND_TRIP in findings, sorted(findings)
    assert SHORT_MESSAGE_PANIC in findings, sorted(findings)
    # Not the corpus's pinned inputs: the float is another one, the plaintext is drawn.
    event = findings[FLOAT_ROUND_TRIP]["case"]["args"]["event"]
    assert "2.7892570206071026e-253" not in event
    message = bytes.fromhex(findings[SHORT_MESSAGE_PANIC]["case"]["args"]["msg"])
    assert len(message) < 64 + 33 + 16  # shrunk: a plaintext shorter than the reply key
    assert elapsed < stateless_share + 30  # the budget, shrinking and container start
