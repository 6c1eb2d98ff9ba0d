"""Shared fixtures: where published vectors, the derived BIP 77 values and the corpus live.

The published files and the derived values are committed under ``tests/data`` (provenance in the
READMEs there), so no test depends on anything beside the checkout and none skips for want of it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pjconf.harness.corpus.paths import vectors_dir

DATA = Path(__file__).resolve().parent / "data"
PUBLISHED = DATA / "published"
DERIVED = DATA / "derived" / "bip77-derived-vectors.json"


@pytest.fixture(scope="session")
def corpus() -> Path:
    return vectors_dir()


@pytest.fixture(scope="session")
def published() -> Path:
    """``tests/data/published``: BIP 324's CSVs and bitcoin-hpke's known answers, unchanged."""
    return PUBLISHED


@pytest.fixture(scope="session")
def derived() -> dict[str, Any]:
    """``tests/data/derived/bip77-derived-vectors.json``: an independent derivation of BIP 77."""
    data: dict[str, Any] = json.loads(DERIVED.read_text(encoding="utf-8"))
    return data
