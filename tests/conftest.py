"""Shared fixtures: where published vectors, the derived BIP 77 values and the corpus live."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pjconf.harness.corpus.paths import shared_dir, vectors_dir


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


@pytest.fixture(scope="session")
def derived(published: Path) -> dict[str, Any]:
    """``shared/spec/bip77-derived-vectors.json``: an independent derivation of BIP 77 values."""
    path = published.parent / "spec" / "bip77-derived-vectors.json"
    if not path.is_file():
        pytest.skip("shared/spec/bip77-derived-vectors.json is not present")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
