"""Known differences: ``pjconf fuzz --expectations FILE`` (format ``pjconf/fuzz-known/v1``).

A finding key listed here was reported before (an upstream bug, a choice the implementation
made on purpose); the run counts it as known and does not report it, save it or fail on it.

.. code-block:: json

    {
      "format": "pjconf/fuzz-known/v1",
      "known": [
        {"key": "bip77.msg_a.open: error PayloadTooShort -> error InternalError",
         "reason": "payjoin 1.0 panics on a short plaintext (fixed in 1.1.0)"}
      ]
    }

Every entry needs a non-empty ``key`` and ``reason``; anything else is a :class:`KnownError`
(exit status 2), never a silently ignored file.
"""

from __future__ import annotations

import json
from pathlib import Path

FORMAT = "pjconf/fuzz-known/v1"


class KnownError(Exception):
    """A known-differences file that cannot be read or is not in the format."""


def load_known(path: Path) -> frozenset[str]:
    """The finding keys listed in ``path``."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise KnownError(f"{path}: cannot read the known differences: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise KnownError(f'{path}: not a known-differences file (needs "format": "{FORMAT}")')
    entries = document.get("known")
    if not isinstance(entries, list):
        raise KnownError(f'{path}: "known" must be a list of {{"key", "reason"}} objects')
    keys: set[str] = set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(f), str) and entry[f] for f in ("key", "reason")
        ):
            raise KnownError(f"{path}: known[{index}] needs a non-empty key and reason")
        keys.add(entry["key"])
    return frozenset(keys)


def known_document(keys: dict[str, str]) -> dict[str, object]:
    """A known-differences file listing ``keys`` (key -> reason), e.g. to accept a run's
    findings as known."""
    return {"format": FORMAT, "known": [{"key": k, "reason": r} for k, r in sorted(keys.items())]}
