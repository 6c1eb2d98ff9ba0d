"""Where the vector corpus, the published vector files and the shared research notes are found."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[4]


def vectors_dir() -> Path:
    """The vector corpus: ``$PJCONF_VECTORS``, else this checkout's ``vectors/``, else the copy
    installed with the package (``pjconf.vectors``), so an installed pjconf needs no checkout."""
    override = os.environ.get("PJCONF_VECTORS")
    if override:
        return Path(override)
    checkout = _CHECKOUT / "vectors"
    if checkout.is_dir():
        return checkout
    spec = importlib.util.find_spec("pjconf.vectors")
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) if locations else checkout


def published_dir() -> Path | None:
    """The published vector files (BIP 324's CSVs, bitcoin-hpke's known answers) that the
    ``ellswift`` and ``hpke`` generators re-express: committed unchanged in the checkout's
    ``tests/data/published`` (provenance and licences in its README), so a clone regenerates the
    corpus alone. ``None`` outside a checkout: the wheel carries the corpus, not its sources."""
    candidate = _CHECKOUT / "tests" / "data" / "published"
    return candidate if candidate.is_dir() else None


def shared_dir() -> Path | None:
    """``../shared`` beside the checkout, if present: research notes for reading only. Nothing a
    test or a generator needs may come from here (published vectors: :func:`published_dir`)."""
    override = os.environ.get("PJCONF_SHARED")
    candidate = Path(override) if override else _CHECKOUT.parent / "shared"
    return candidate if candidate.is_dir() else None
