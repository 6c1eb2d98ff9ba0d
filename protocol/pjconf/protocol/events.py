"""Naming a session event by its text: what both sides say when they talk about a log.

Logs cross the seam as payjoin 1.0's event JSON (``{"Variant": payload}`` or ``"Variant"``); the
harness reports paths as variant names, and adapters (the reference's ``session.whole``) summarise
their logs the same way, so the rule lives here once.
"""

from __future__ import annotations

import json
from typing import Any

MALFORMED_OUTCOME = "<malformed>"
"""The outcome named for a ``Closed`` whose payload is neither a string nor an object with a
key (``{"Closed": 5}``): such a text is no event, but naming it must not fail."""


def variant_name(text: str) -> str:
    """``Closed`` → ``Closed/Success``: the variant, and a ``Closed``'s outcome. Total: any text
    gets a name (``<not JSON>``, ``<not an event>``, ``Closed/<malformed>``), never an
    exception, since the texts named are often hostile."""
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
        return f"Closed/{_outcome(payload)}"
    return str(name)


def _outcome(payload: Any) -> str:
    if isinstance(payload, str):
        return payload
    if isinstance(payload, dict) and payload:
        return str(next(iter(payload)))
    return MALFORMED_OUTCOME
