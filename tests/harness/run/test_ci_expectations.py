"""The expectations files .ci/run uses for every rust-payjoin version: valid, naming real cases,
and each entry written up in the findings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pjconf.harness.corpus.load import load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.corpus.profiles import PROFILES
from pjconf.harness.run import expectations

ROOT = Path(__file__).resolve().parents[3]
FILES = sorted((ROOT / "ci" / "expectations").glob("rust-payjoin-*.json"))
VERSIONS = sorted(p.name for p in (ROOT / "adapters" / "rust-payjoin" / "versions").iterdir())
FINDINGS = (ROOT / "docs" / "rust-payjoin-findings.md").read_text(encoding="utf-8")


def _version(path: Path) -> str:
    return path.stem.removeprefix("rust-payjoin-")


def test_every_built_version_has_an_expectations_file() -> None:
    assert VERSIONS, "no adapters/rust-payjoin/versions/*"
    assert [_version(p) for p in FILES] == VERSIONS


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("path", FILES, ids=_version)
def test_the_expectations_load_and_name_existing_cases(path: Path, profile: str) -> None:
    expect = expectations.load(path, "rust-payjoin", _version(path), profile)
    names = {case.name for case in load_corpus(vectors_dir())}
    assert expect.known_failures
    assert set(expect.known_failures) <= names
    for reason in expect.known_failures.values():
        found = re.match(r"finding (\d+): ", reason)
        assert found, f"{reason!r} does not start with 'finding N: '"
        number = found.group(1)
        assert f"| {number} |" in FINDINGS, f"finding {number} is not in the findings"
