"""Where the vector corpus and the shared research material are found."""

from __future__ import annotations

import os
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[3]


def vectors_dir() -> Path:
    """The vector corpus: ``$PJCONF_VECTORS`` if set, else ``vectors/`` of this checkout."""
    override = os.environ.get("PJCONF_VECTORS")
    return Path(override) if override else _CHECKOUT / "vectors"


def shared_dir() -> Path | None:
    """``../shared`` beside the checkout (published vectors, research notes), if present."""
    override = os.environ.get("PJCONF_SHARED")
    candidate = Path(override) if override else _CHECKOUT.parent / "shared"
    return candidate if candidate.is_dir() else None
