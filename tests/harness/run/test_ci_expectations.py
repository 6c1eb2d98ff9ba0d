"""The expectations file .ci/run uses for rust-payjoin 1.0: valid, and naming real cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from pjconf.harness.corpus.load import load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.corpus.profiles import PROFILES
from pjconf.harness.run import expectations

FILE = Path(__file__).resolve().parents[3] / "ci" / "expectations" / "rust-payjoin.json"


@pytest.mark.parametrize("profile", PROFILES)
def test_the_rust_payjoin_expectations_load_and_name_existing_cases(profile: str) -> None:
    expect = expectations.load(FILE, "rust-payjoin", "1.0.0", profile)
    names = {case.name for case in load_corpus(vectors_dir())}
    assert expect.known_failures
    assert set(expect.known_failures) <= names
    for reason in expect.known_failures.values():
        assert reason.startswith("finding ")  # each one is written up in the findings
