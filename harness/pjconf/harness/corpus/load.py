"""Reading the vector corpus into cases the runner can execute."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pjconf.protocol.wire import JsonObject

DIRECTORY_FAMILY = "directory"
"""The family run against a directory's URL (``pjconf run --directory``), never through an
adapter: runs of implementations leave it out."""


class CorpusError(Exception):
    """A vector file that cannot be read or does not have the corpus shape."""


@dataclass(frozen=True)
class Step:
    op: str
    args: JsonObject
    bind: dict[str, str]
    expect: JsonObject = field(default_factory=dict)
    """Fields the step's result must have (``{"state": "WantsInputs"}``): the case checks it
    reached the state it means to test."""


def steps_of(setup: object) -> tuple[Step, ...]:
    """The ``setup`` list of a case as steps; a malformed list is a ``ValueError``."""
    if setup is None:
        return ()
    if not isinstance(setup, list):
        raise ValueError("setup must be a list of steps")
    steps = []
    for raw in setup:
        if not isinstance(raw, dict) or not isinstance(raw.get("op"), str):
            raise ValueError("a setup step needs an op")
        args, bind, expect = raw.get("args", {}), raw.get("bind", {}), raw.get("expect", {})
        if not all(isinstance(x, dict) for x in (args, bind, expect)):
            raise ValueError("a setup step's args, bind and expect are objects")
        bound = {str(k): str(v) for k, v in bind.items()}
        steps.append(Step(raw["op"], args, bound, expect))
    return tuple(steps)


@dataclass(frozen=True)
class Case:
    """One test case of one family, with everything needed to run and to reproduce it."""

    family: str
    tc_id: int
    group_type: str
    comment: str
    flags: tuple[str, ...]
    result: str
    op: str | None
    args: JsonObject = field(default_factory=dict)
    expected: JsonObject | None = None
    error: JsonObject | None = None
    setup: tuple[Step, ...] = ()
    """Steps that bring the implementation to the state the case tests (transition cases)."""
    group: int = 0
    """The index of the case's test group in its file."""
    basis: tuple[str, ...] = ()
    """The normative text that requires the answer (``docs/vectors.md``, "Basis")."""
    profiles: Mapping[str, JsonObject] = field(default_factory=dict)
    """Verdicts under other profiles than the default (``pjconf.harness.corpus.profiles``)."""
    open_flags: tuple[str, ...] = ()
    """The flags whose note names alternatives: the choices that make the case ``acceptable``."""
    profile: str = "bip77"
    """The profile the verdict fields above are for."""

    @property
    def name(self) -> str:
        return f"{self.family}/{self.tc_id}"


def load_file(path: Path) -> JsonObject:
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CorpusError(f"{path}: {exc}") from None
    if not isinstance(document, dict) or "testGroups" not in document:
        raise CorpusError(f"{path}: not a vector file (no testGroups)")
    return document


def family_files(root: Path) -> list[Path]:
    """Every vector file of the corpus at ``root``, in a stable order: ``FAMILY.json`` files in
    ``root`` and one level of folders below it (``crypto/``, ``session/``), never ``schemas/``.
    The walk stops there, so pointing ``--vectors`` at a large directory costs nothing."""
    found = [*root.glob("*.json"), *root.glob("*/*.json")]
    return sorted(p for p in found if p.parent.name != "schemas" and p.is_file())


def cases_of(document: JsonObject) -> Iterator[Case]:
    """The cases of one vector file; a file without the corpus shape is a :class:`CorpusError`."""
    try:
        yield from _cases(document)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        name = document.get("family", "?") if isinstance(document, dict) else "?"
        raise CorpusError(f"family {name}: not a well-formed vector file ({exc!r})") from None


def _cases(document: JsonObject) -> Iterator[Case]:
    family = str(document["family"])
    notes = document.get("notes", {})
    choices = {f for f, note in notes.items() if isinstance(note, dict) and "alternatives" in note}
    for index, group in enumerate(document["testGroups"]):
        for test in group["tests"]:
            yield Case(
                family=family,
                tc_id=int(test["tcId"]),
                group_type=str(group.get("type", "")),
                comment=str(test.get("comment", "")),
                flags=tuple(test.get("flags", ())),
                result=str(test["result"]),
                op=test.get("op"),
                args=dict(test.get("args", {})),
                expected=test.get("expected"),
                error=test.get("error"),
                setup=steps_of(test.get("setup")),
                group=index,
                basis=tuple(test.get("basis", ())),
                profiles=dict(test.get("profiles", {})),
                open_flags=tuple(f for f in test.get("flags", ()) if f in choices),
            )


def load_corpus(root: Path) -> list[Case]:
    """Every case of the corpus at ``root``; a folder with no vector file is a
    :class:`CorpusError` (a typo in ``--vectors`` must not look like an empty, passing run)."""
    if not root.is_dir():
        raise CorpusError(f"{root}: no such directory")
    if not family_files(root):
        raise CorpusError(
            f"{root} holds no vector files (a corpus has FAMILY.json files, e.g. in crypto/ "
            "and session/)"
        )
    cases: list[Case] = []
    for path in family_files(root):
        document = load_file(path)  # its errors name the file already
        try:
            cases.extend(cases_of(document))
        except CorpusError as exc:
            raise CorpusError(f"{path}: {exc}") from None
    return cases
