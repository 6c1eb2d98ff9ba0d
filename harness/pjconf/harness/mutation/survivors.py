"""The survivors file: mutants the corpus may rightly leave alive, each with a checkable reason.

It lives in ``docs/mutation-survivors.json``, not under ``vectors/``: it describes the reference's
source, not cases, and everything under ``vectors/`` is loaded and shipped as the corpus.

``equivalent``, ``unreachable`` and ``unjudged`` mutants leave the score (the last change only
what no profile compares: pinning the reference's own wording would be imitation, not
conformance); a ``gap`` is a real behaviour no case
checks yet: it stays in the score as a survivor, and is listed only so that a run (CI's sample with
``--require-listed``) fails on a *new* gap, while the reason says which case would close it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

FORMAT = "pjconf/mutation-survivors/v1"
CLASSES = {
    "equivalent": "behaves exactly as the original on every input (the same result, error kind "
    "and text)",
    "unreachable": "no input the protocol can carry (through any adapter op) executes the change "
    "in a way that shows",
    "unjudged": "changes only what no profile judges: an error message no specification fixes and "
    "payjoin 1.0 does not print, or which generator a random draw comes from",
    "gap": "a real behaviour no case checks yet (still counted against the score); the reason "
    "names the case that would kill it",
}
EXCUSED = ("equivalent", "unreachable", "unjudged")
"""The classes that leave the score: the others are survivors the corpus should kill."""


class SurvivorsError(Exception):
    """The survivors file is malformed."""


@dataclass(frozen=True)
class Listed:
    id: str
    cls: str
    reason: str


def default_path() -> Path:
    """``docs/mutation-survivors.json`` of the checkout this module runs from."""
    return Path(__file__).resolve().parents[4] / "docs" / "mutation-survivors.json"


def load(path: Path) -> dict[str, Listed]:
    """Id -> listing; a missing file lists nothing."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SurvivorsError(f"{path}: {exc}") from None
    return parse(data, str(path))


def parse(data: object, where: str) -> dict[str, Listed]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SurvivorsError(f"{where}: not a {FORMAT} object")
    entries = data.get("survivors")
    if not isinstance(entries, list):
        raise SurvivorsError(f"{where}: 'survivors' must be a list")
    listed: dict[str, Listed] = {}
    for index, entry in enumerate(entries):
        at = f"{where}: survivors[{index}]"
        if not isinstance(entry, dict) or set(entry) != {"id", "class", "reason"}:
            raise SurvivorsError(f"{at}: needs exactly 'id', 'class' and 'reason'")
        ident, cls, reason = entry["id"], entry["class"], entry["reason"]
        if not isinstance(ident, str) or ident.count(":") != 3:
            raise SurvivorsError(f"{at}: 'id' must be module:operator:linehash:occurrence")
        if cls not in CLASSES:
            raise SurvivorsError(f"{at}: 'class' must be one of {', '.join(CLASSES)}")
        if not isinstance(reason, str) or len(reason.strip()) < 10 or "\n" in reason:
            raise SurvivorsError(f"{at}: 'reason' must be one line a reviewer can check")
        if ident in listed:
            raise SurvivorsError(f"{at}: {ident} is listed twice")
        listed[ident] = Listed(ident, cls, reason)
    return listed


def stale(listed: dict[str, Listed], current: set[str]) -> list[str]:
    """Listed ids no current mutant has: their line changed, so the listing must be re-checked."""
    return sorted(set(listed) - current)
