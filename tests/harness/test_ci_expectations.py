"""The expectations file .ci/run uses for rust-payjoin 1.0: valid, and naming real cases."""

from __future__ import annotations

from pathlib import Path

from pjconf.harness import expectations
from pjconf.harness.corpus import load_corpus
from pjconf.harness.paths import vectors_dir

FILE = Path(__file__).resolve().parents[2] / "ci" / "expectations" / "rust-payjoin.json"


def test_the_rust_payjoin_expectations_load_and_name_existing_cases() -> None:
    expect = expectations.load(FILE, "rust-payjoin", "1.0.0")
    names = {case.name for case in load_corpus(vectors_dir())}
    assert expect.known_failures
    assert set(expect.known_failures) <= names
    for reason in expect.known_failures.values():
        assert reason.startswith("finding ")  # each one is written up in the findings
