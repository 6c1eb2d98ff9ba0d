"""Saving findings as vector files, so ``pjconf run --vectors DIR`` replays them.

Each finding goes to ``DIR/<family>.json`` (a corpus file of schema ``pjconf/fuzz/v1``, with
the schema itself in ``DIR/schemas/``, so ``pjconf vectors lint --vectors DIR`` checks it). A
file already there is appended to: new cases get the next tcIds, and a finding whose key the
file already holds is skipped, so saving the findings of many runs into one folder keeps one
case per bug. The case's expectation is the oracle's answer; its ``key`` field is the finding
key an expectations file (:mod:`.known`) lists.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path

from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.excerpt import utf8_json
from pjconf.harness.fuzz.model import Finding
from pjconf.harness.fuzz.open_choices import NOTES as OPEN_NOTES
from pjconf.harness.version import package_version
from pjconf.protocol.wire import JsonObject

SCHEMA = "pjconf/fuzz/v1"
SCHEMA_FILE = "fuzz.v1.json"
FLAGS: dict[str, JsonObject] = {
    "FuzzStateless": {
        "description": "Found by pjconf fuzz: one op on one input, the implementation's answer "
        "against the oracle's.",
        "effect": "The expectation is the oracle's answer, as pjconf run judges it.",
    },
    "FuzzStateful": {
        "description": "Found by pjconf fuzz: a sequence of session steps whose effects or "
        "invariants differ from the oracle's.",
        "effect": "The expectation is the oracle's answer to the last step, as pjconf run "
        "judges it.",
    },
}


UNSAVED_FAMILIES = frozenset({"fuzz_oracle_broke"})
"""Findings where the oracle crashed: there is no expectation to write down."""


class SaveError(Exception):
    """The save folder cannot be written, or holds a file that is not a fuzz vector file."""


def flag_of(finding: Finding) -> str:
    return "FuzzStateful" if finding.engine == "stateful" else "FuzzStateless"


def save_findings(findings: Iterable[Finding], folder: Path) -> list[Path]:
    """Append each new finding to its family's file in ``folder``; the files written."""
    by_family: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.family in UNSAVED_FAMILIES:
            continue
        by_family.setdefault(finding.family, []).append(finding)
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _install_schema(folder)
        for family, found in sorted(by_family.items()):
            path = folder / f"{family}.json"
            document = _load(path, family)
            if _append(document, found):
                path.write_text(utf8_json(document, indent=1) + "\n", "utf-8")
                written.append(path)
    except OSError as exc:
        raise SaveError(f"cannot save findings in {folder}: {exc}") from None
    return written


def _install_schema(folder: Path) -> None:
    target = folder / "schemas" / SCHEMA_FILE
    if not target.is_file():
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(vectors_dir() / "schemas" / SCHEMA_FILE, target)


def _load(path: Path, family: str) -> JsonObject:
    if not path.exists():
        return {
            "schema": SCHEMA,
            "family": family,
            "generator": {"name": "pjconf fuzz", "version": package_version()},
            "numberOfTests": 0,
            "notes": {},
            "testGroups": [],
        }
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SaveError(f"{path}: not a vector file pjconf fuzz wrote ({exc})") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise SaveError(f"{path}: not a vector file pjconf fuzz wrote (schema is not {SCHEMA})")
    return document


def _append(document: JsonObject, findings: list[Finding]) -> bool:
    groups: list[JsonObject] = document["testGroups"]
    cases = [case for group in groups for case in group["tests"]]
    keys = {case.get("key") for case in cases}
    next_id = max((int(case["tcId"]) for case in cases), default=0) + 1
    added = False
    for finding in findings:
        if finding.key in keys:
            continue
        keys.add(finding.key)
        flag = flag_of(finding)
        case = {"tcId": next_id, **finding.case, "key": finding.key, "engine": finding.engine}
        case["flags"] = sorted({*case.get("flags", []), flag})
        next_id += 1
        for name in case["flags"]:
            note = FLAGS.get(name) or OPEN_NOTES.get(name) or _note(name, finding.engine)
            document["notes"].setdefault(name, note)
        group = next((g for g in groups if _same_group(g, finding.group)), None)
        if group is None:
            group = {**finding.group, "tests": []}
            groups.append(group)
        group["tests"].append(case)
        added = True
    document["numberOfTests"] = sum(len(g["tests"]) for g in groups)
    return added


def _note(flag: str, engine: str) -> JsonObject:
    return {
        "description": f"Set by the {engine} fuzz engine on the finding it saved.",
        "effect": f"Names the kind of finding ({flag}); the expectation is the oracle's answer.",
    }


def _same_group(group: JsonObject, wanted: JsonObject) -> bool:
    return {k: v for k, v in group.items() if k != "tests"} == wanted
