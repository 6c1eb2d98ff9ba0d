"""Helpers of the store hardening tests: child processes, a small tmpfs, leftover files.

A child runs a short script with the reference package importable and reports one JSON object
on its last line of output; any traceback makes it exit non-zero, which the tests treat as a
failure (bad input must give typed errors, never tracebacks).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHILD_TIMEOUT = 30.0
"""Seconds a child may take before the test fails (each child is meant to take well under 1)."""


def run_child(script: str, *args: str) -> dict[str, Any]:
    """Run ``script`` in a fresh interpreter; its last stdout line is the JSON report."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    report: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return report


def temporary_files(directory: Path) -> list[str]:
    """Names in ``directory`` that a store writes only for a moment (``*.tmp``)."""
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@contextlib.contextmanager
def small_tmpfs(mountpoint: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` at ``mountpoint``, or a skip where mounting is not permitted."""
    mountpoint.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mountpoint)],
        capture_output=True,
        timeout=10,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mountpoint
    finally:
        unmount(mountpoint)


def unmount(mountpoint: Path) -> None:
    """Unmount, lazily if it is busy (so no mount outlives the test), and fail if it was."""
    if subprocess.run(["umount", str(mountpoint)], timeout=10, check=False).returncode != 0:
        subprocess.run(["umount", "-l", str(mountpoint)], timeout=10, check=False)
        raise AssertionError(f"{mountpoint} was still in use when the test ended")


@contextlib.contextmanager
def read_only_view(source: Path, mountpoint: Path) -> Iterator[Path]:
    """``source`` bind-mounted read-only at ``mountpoint`` (a skip if not permitted)."""
    mountpoint.mkdir()
    bind = ["mount", "--bind", str(source), str(mountpoint)]
    if subprocess.run(bind, capture_output=True, timeout=10, check=False).returncode != 0:
        pytest.skip("cannot bind-mount here")
    try:
        remount = ["mount", "-o", "remount,bind,ro", str(mountpoint)]
        subprocess.run(remount, capture_output=True, timeout=10, check=True)
        yield mountpoint
    finally:
        unmount(mountpoint)


def fill(directory: Path) -> Path:
    """Fill the file system of ``directory`` up with one file; returns the file."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                os.write(fd, b"\0" * 4096)
            except OSError:
                break
        with contextlib.suppress(OSError):
            while os.write(fd, b"\0"):
                pass
    finally:
        os.close(fd)
    return filler


def expected(i: int, big: int) -> str:
    """The ``i``-th event text the kill tests' writers save: ``big`` bytes and more of padding,
    so a SIGKILL can land in the middle of one write."""
    pad = "x" * (big + i % 300)
    return f'{{"n":{i},"pad":"{pad}"}}'
