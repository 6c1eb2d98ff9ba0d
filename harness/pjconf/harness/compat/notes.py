"""Explanations of known differences, kept in a committed file so that regenerating the page
keeps them (``docs/compat-notes.json``).

The file is ``{"format": "pjconf/compat-notes/v1", "notes": {PATTERN: TEXT}}``: a pattern is a
failure key (``replay/rust-payjoin@1.0.0->rust-payjoin@1.2.0/receiver/success/3``) or an
``fnmatch`` pattern over keys (``replay/rust-payjoin@1.0.0->*/receiver/*``), and the text names
the upstream change that explains it (a CHANGELOG entry, a pull request)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

FORMAT = "pjconf/compat-notes/v1"


class NotesError(Exception):
    """The notes file cannot be read or is not in the format: bad usage, exit 2."""


@dataclass(frozen=True)
class Notes:
    """Patterns in file order; the first that matches a key explains it."""

    entries: tuple[tuple[str, str], ...] = ()
    source: str = ""
    used: set[str] = field(default_factory=set, compare=False)

    def explain(self, key: str) -> str | None:
        for pattern, text in self.entries:
            if pattern == key or fnmatchcase(key, pattern):
                self.used.add(pattern)
                return text
        return None

    def stale(self) -> list[str]:
        """Patterns that explained nothing in this run (the difference went away, or the
        pattern is mistyped)."""
        return [pattern for pattern, _ in self.entries if pattern not in self.used]


def load(path: Path) -> Notes:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NotesError(f"cannot read the notes file {path}: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise NotesError(f"{path} is not a notes file (its format must be {FORMAT!r})")
    notes = document.get("notes")
    if not isinstance(notes, dict):
        raise NotesError(f"{path} has no 'notes' object")
    if not all(isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in notes.items()):
        raise NotesError(f"{path}: every note maps a key pattern to a non-empty text")
    return Notes(tuple(notes.items()), str(path))
