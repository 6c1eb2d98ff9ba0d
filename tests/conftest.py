"""Shared fixtures: where published vectors and the project's corpus live."""

from __future__ import annotations

from pathlib import Path

import pytest

from pjconf.harness.paths import shared_dir, vectors_dir


@pytest.fixture(scope="session")
def corpus() -> Path:
    return vectors_dir()


@pytest.fixture(scope="session")
def published() -> Path:
    """``../shared/published-vectors``. CI always has it; a bare clone elsewhere may not."""
    root = shared_dir()
    if root is None:
        pytest.skip("../shared is not present beside this checkout")
    return root / "published-vectors"
