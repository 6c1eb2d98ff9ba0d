"""Where the vector corpus and the shared research material are found."""

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


def shared_dir() -> Path | None:
    """``../shared`` beside the checkout (published vectors, research notes), if present."""
    override = os.environ.get("PJCONF_SHARED")
    candidate = Path(override) if override else _CHECKOUT.parent / "shared"
    return candidate if candidate.is_dir() else None
