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
    """A folder with no vector file cannot start a run (exit 2), rather than run nothing."""
    done = _run("run", "--vectors", str(tmp_path))
    assert done.returncode == 2
    assert "holds no vector files" in done.stderr
    _no_traceback(done)


def test_vectors_pointed_at_a_big_tree_looks_only_where_a_corpus_keeps_files(
    tmp_path: Path,
) -> None:
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    (deep / "stray.json").write_text("{}")  # three levels down: never read
    done = _run("run", "--vectors", str(tmp_path))
    assert done.returncode == 2
    assert "holds no vector files" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--impl", "bogus"], "unknown --impl 'bogus'"),
        (["--impl", "docker:no/such-image"], "no/such-image"),
        (["--family", "nosuchfamily"], "unknown family nosuchfamily; the corpus has bhttp"),
        (["--case", "uri/99999"], "no case named uri/99999"),
    ],
)
def test_a_run_that_cannot_start_exits_2_with_one_line(args: list[str], message: str) -> None:
    done = _run("run", "-q", *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "NOTHING RAN" not in done.stdout
    _no_traceback(done)


@pytest.mark.parametrize("value", ["-1", "0", "nan"])
def test_a_timeout_must_be_a_positive_number(value: str) -> None:
    done = _run("run", "--timeout", value)
    assert done.returncode == 2
    assert "--timeout" in done.stderr
