"""Bounded, printable excerpts of whatever an implementation sent.

An implementation's answer may be megabytes long and hold any character; the runner keeps only a
short excerpt of it in an outcome, so a run's memory and its reports stay small however an
adapter misbehaves, and printing it cannot fail (a lone surrogate is written ``\\udXXX``).
"""

from __future__ import annotations

import json
from typing import Any

ANSWER_EXCERPT = 2048
"""Characters of an answer (its JSON text) an outcome keeps; longer ones are marked truncated."""
TEXT_EXCERPT = 2048
"""Characters of a message (an outcome's detail) an outcome keeps."""


def printable(text: str) -> str:
    """``text`` with lone surrogates escaped, so it can be encoded as UTF-8."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def utf8_json(value: Any, *, indent: int | None = None) -> str:
    """``value`` as JSON text that UTF-8 can carry: non-ASCII characters as they are, unless a
    string holds a lone surrogate (a drawn input may), then everything ``\\u``-escaped."""
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, indent=indent)
    return text


def excerpt(text: str, limit: int = TEXT_EXCERPT) -> str:
    """``text`` cut to at most about ``limit`` characters, saying how long it was."""
    if len(text) <= limit:
        return printable(text)
    return printable(text[:limit]) + f"... ({len(text)} chars, truncated)"


def bounded(value: Any, limit: int = ANSWER_EXCERPT) -> Any:
    """``value`` itself when its JSON text is at most ``limit`` characters, else a marked
    excerpt of that text: ``{"truncated": true, "chars": N, "excerpt": "..."}``."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (ValueError, TypeError, RecursionError):
        text = repr(value)
    if len(text) <= limit:
        return value
    return {"truncated": True, "chars": len(text), "excerpt": printable(text[:limit])}
