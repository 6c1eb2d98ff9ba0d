"""How big and how deep one protocol line may be, and JSON decoding that keeps to it.

Both ends read lines the other side wrote, and Python's ``json`` cannot be trusted with every
valid JSON text: nesting a thousand deep raises ``RecursionError``, and an integer of more than
4,300 digits raises ``ValueError`` (CPython's ``int_max_str_digits``). :func:`decode_json` checks a
text against :class:`Limits` *before* handing it to ``json``, with one linear pass of a regular
expression over the text (brackets and digit runs outside strings), so a hostile line is refused
with a reason instead of raising out of whoever reads it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The bounds on one line; the defaults are generous for every op the protocol has."""

    max_line_bytes: int = 4 * MIB
    """The longest line read whole (the largest real answers are tens of KiB); a longer one
    is discarded up to its newline and reported, never buffered."""
    max_depth: int = 128
    """The deepest nesting of arrays and objects (serde_json's default recursion limit)."""
    max_int_digits: int = 4300
    """The longest run of digits in a number (CPython's default ``int_max_str_digits``)."""


DEFAULT_LIMITS = Limits()


class LimitExceeded(ValueError):
    """A JSON text beyond :class:`Limits`; the message says which bound and by how much."""


# One token per match, scanned left to right: a string (an unterminated one runs to the end of
# the text, so the scan stays linear), a bracket, or a run of digits longer than allowed.
_TOKENS = r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{{}}]|\d{{{over},}}'


def check_json(text: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise :class:`LimitExceeded` when ``text`` nests deeper or holds a longer number than
    ``limits`` allow. Says nothing about whether ``text`` is JSON at all."""
    if "[" not in text and "{" not in text and len(text) <= limits.max_int_digits:
        return  # a scalar too short to hold a long number: nothing to scan
    if (
        text.count("[") + text.count("{") <= limits.max_depth
        and re.search(rf"\d{{{limits.max_int_digits + 1}}}", text) is None
    ):
        # Fewer brackets than the depth allowed, and no long digit run even inside strings:
        # within the limits whatever the structure (two scans in C; most answers end here).
        return
    tokens = re.compile(_TOKENS.format(over=limits.max_int_digits + 1), re.DOTALL)
    depth = 0
    for match in tokens.finditer(text):
        token = match.group()
        first = token[0]
        if first == '"':
            continue
        if first in "[{":
            depth += 1
            if depth > limits.max_depth:
                raise LimitExceeded(f"nests deeper than {limits.max_depth} levels")
        elif first in "]}":
            depth -= 1
        else:
            raise LimitExceeded(f"holds a number longer than {limits.max_int_digits} digits")


def decode_json(text: str, limits: Limits = DEFAULT_LIMITS) -> Any:
    """``json.loads(text)`` within ``limits``: :class:`LimitExceeded` or ``ValueError``
    (``json.JSONDecodeError``) for anything it will not decode, never another exception."""
    check_json(text, limits)
    try:
        return json.loads(text)
    except RecursionError:  # unreachable after the check; kept so no input can escape as one
        raise LimitExceeded("nests too deep to decode") from None
