"""Bad input to the ``pjconf`` command: a clear message and a non-zero status, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PJCONF = [sys.executable, "-m", "pjconf.harness"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PJCONF, *args], check=False, capture_output=True, text=True, timeout=120
    )


def _no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr + done.stdout


def test_an_adapter_that_cannot_start_is_one_clear_error(tmp_path: Path) -> None:
    done = _run("run", "--impl", f"cmd:{tmp_path / 'absent'}", "-q")
    assert done.returncode == 2
    assert "did not answer hello" in done.stderr
    _no_traceback(done)


@pytest.mark.parametrize(
    "content", ['{"testGroups": 5}', '{"family": "x", "testGroups": [{"tests": [{}]}]}', "[]"]
)
def test_a_malformed_vector_file_is_reported_by_name(tmp_path: Path, content: str) -> None:
    (tmp_path / "bad.json").write_text(content)
    done = _run("run", "--vectors", str(tmp_path))
    assert done.returncode == 2
    assert "bad.json" in done.stderr
    _no_traceback(done)


def test_an_unwritable_output_directory_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    done = _run("vectors", "generate", "--out", str(blocker / "sub"), "--family", "uri")
    assert done.returncode == 2
    assert "cannot write uri" in done.stderr
    _no_traceback(done)


def test_an_empty_corpus_is_not_a_pass(tmp_path: Path) -> None:
    done = _run("run", "--vectors", str(tmp_path))
    assert done.returncode == 1
    assert "no case ran" in done.stderr
