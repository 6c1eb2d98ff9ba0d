"""Writing a report or page a subcommand was asked for: an unwritable path is one plain line on
stderr and a False the caller turns into its exit status, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path


def write_output(path: Path, text: str, prog: str) -> bool:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"{prog}: cannot write {path}: {exc}", file=sys.stderr)
        return False
    return True
