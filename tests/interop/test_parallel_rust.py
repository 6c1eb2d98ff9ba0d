"""``pjconf run -j`` against rust-payjoin's image: the same verdicts as one container."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pjconf.harness import cli

pytestmark = [pytest.mark.docker, pytest.mark.rust]

ROOT = Path(__file__).resolve().parents[2]


def _counts(
    image: str, jobs: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> dict[str, Any]:
    report = tmp_path / f"j{jobs}.json"
    argv = ["run", "-q", "--impl", f"docker:{image}", "--no-variants", "-j", jobs]
    argv += ["--expectations", str(ROOT / "ci/expectations/rust-payjoin-1.0.0.json")]
    code = cli.main([*argv, "--reproducible", "--json", str(report)])
    out = capsys.readouterr().out
    assert code == 0, out[-3000:]
    document: dict[str, Any] = json.loads(report.read_text())
    return document


def test_the_corpus_with_minus_j_gives_the_verdicts_of_one_container(
    rust_payjoin_image: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    alone = _counts(rust_payjoin_image, "1", tmp_path, capsys)
    together = _counts(rust_payjoin_image, "3", tmp_path, capsys)
    assert together["counts"] == alone["counts"]
    assert [(c["name"], c["verdict"]) for c in together["cases"]] == [
        (c["name"], c["verdict"]) for c in alone["cases"]
    ]
    assert together["counts"]["PASS"] > 1000
