"""Naming a session event by its text: what both sides say when they talk about a log.

Logs cross the seam as payjoin 1.0's event JSON (``{"Variant": payload}`` or ``"Variant"``); the
harness reports paths as variant names, and adapters (the reference's ``session.whole``) summarise
their logs the same way, so the rule lives here once.
"""

from __future__ import annotations

import json
from typing import Any


def variant_name(text: str) -> str:
    """``Closed`` → ``Closed/Success``: the variant, and a ``Closed``'s outcome."""
    try:
        value: Any = json.loads(text)
    except ValueError:
        return "<not JSON>"
    if isinstance(value, str):
        return value
    if not isinstance(value, dict) or len(value) != 1:
        return "<not an event>"
    ((name, payload),) = value.items()
    if name == "Closed":
        outcome = payload if isinstance(payload, str) else next(iter(payload), "?")
        return f"Closed/{outcome}"
    return str(name)
