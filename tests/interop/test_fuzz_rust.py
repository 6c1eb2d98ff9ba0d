"""``pjconf fuzz`` against the rust-payjoin images, with their known-differences files
(``ci/expectations/rust-payjoin-<version>.fuzz.json``): every key a run reports must be listed
there, so a new finding (or a regression of the differ's open-choice rules) fails CI.

For 1.0.0 the stateless share of the default budget from the default seed also rediscovers the
float round trip (findings page row 16) and the short-message panic (row 3). Neither input is
seeded: the corpus cases that pin them are held out of the seeds (``fuzz.seeds.HELD_OUT``); the
strategies reach them by construction (``extra`` maps of arbitrary doubles, messages A sealed
around plaintexts of every length). Those two keys are taken out of the known file for that run,
so they are reported with their inputs, and nothing else may be."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from interop.conftest import rust_payjoin_image_of

from pjconf.harness.cli import main
from pjconf.harness.cli.fuzz import DEFAULT_BUDGET, DEFAULT_SEED
from pjconf.harness.fuzz.model import Budget

pytestmark = [pytest.mark.docker, pytest.mark.rust]

ROOT = Path(__file__).resolve().parents[2]
FLOAT_ROUND_TRIP = (
    "event.roundtrip [receiver GotReplyableError]: result -> result "
    "(event at GotReplyableError.extra.*: number)"
)
SHORT_MESSAGE_PANIC = "bip77.msg_a.open: error PayloadTooShort -> error InternalError"
REDISCOVERED = {FLOAT_ROUND_TRIP, SHORT_MESSAGE_PANIC}


def known_file(version: str) -> Path:
    return ROOT / "ci" / "expectations" / f"rust-payjoin-{version}.fuzz.json"


def fuzz(image: str, report: Path, *extra: str) -> int:
    common = ["--impl", f"docker:{image}", "--seed", DEFAULT_SEED, "-q", "--json", str(report)]
    return main(["fuzz", *common, *extra])


def test_rust_1_0_0_findings_16_and_3_are_rediscovered_and_nothing_unknown(
    rust_payjoin_image: str, tmp_path: Path
) -> None:
    stateless_share = Budget.parse(DEFAULT_BUDGET).split(0.5).seconds
    assert stateless_share is not None
    document = json.loads(known_file("1.0.0").read_text())
    assert {entry["key"] for entry in document["known"]} >= REDISCOVERED
    others = [e for e in document["known"] if e["key"] not in REDISCOVERED]
    (tmp_path / "known.json").write_text(json.dumps({**document, "known": others}))
    report = tmp_path / "fuzz.json"
    started = time.monotonic()
    status = fuzz(
        rust_payjoin_image,
        report,
        "--engine",
        "stateless",
        "--budget",
        f"{stateless_share:g}s",
        "--expectations",
        str(tmp_path / "known.json"),
        "--save",
        str(tmp_path / "found"),
    )
    elapsed = time.monotonic() - started
    assert status == 1
    findings = {f["key"]: f for f in json.loads(report.read_text())["findings"]}
    assert set(findings) == REDISCOVERED, sorted(findings)
    # Not the corpus's pinned inputs: the float is another one, the plaintext is drawn.
    event = findings[FLOAT_ROUND_TRIP]["case"]["args"]["event"]
    assert "2.7892570206071026e-253" not in event
    message = bytes.fromhex(findings[SHORT_MESSAGE_PANIC]["case"]["args"]["msg"])
    assert len(message) < 64 + 33 + 16  # shrunk: a plaintext shorter than the reply key
    assert elapsed < stateless_share + 30  # the budget, shrinking and container start


@pytest.mark.parametrize("version", ["1.1.0", "1.2.0"])
def test_later_releases_show_no_new_finding(
    version: str, docker_engine: Any, tmp_path: Path
) -> None:
    """A case budget (the same inputs on every machine): about 10 s per image."""
    image = rust_payjoin_image_of(docker_engine, version)
    report = tmp_path / "fuzz.json"
    status = fuzz(image, report, "--engine", "stateless", "--budget", "4000",
                  "--expectations", str(known_file(version)))  # fmt: skip
    document = json.loads(report.read_text())
    assert [f["key"] for f in document["findings"]] == []
    assert status == 0
    assert document["engines"]["stateless"]["cases"] == 4000


def test_rust_1_0_0_crash_and_resume_sessions_show_no_new_finding(
    rust_payjoin_image: str, tmp_path: Path
) -> None:
    """The stateful engine with ``--crash``: every crash starts a container (about 27
    steps/s), so a short step budget."""
    report = tmp_path / "fuzz.json"
    status = fuzz(rust_payjoin_image, report, "--engine", "stateful", "--crash",
                  "--budget", "100", "--expectations", str(known_file("1.0.0")))  # fmt: skip
    document = json.loads(report.read_text())
    assert [f["key"] for f in document["findings"]] == []
    assert status == 0
    assert document["engines"]["stateful"]["cases"] > 0
