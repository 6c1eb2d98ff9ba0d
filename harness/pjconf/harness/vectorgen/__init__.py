"""Deterministic generation of the vector corpus.

Each family is a module here with ``FAMILY`` (its name), ``PATH`` (its file, relative to
``vectors/``) and ``generate() -> dict`` (the whole file, built with :func:`envelope`). Generation
reads no clock and draws no unseeded randomness, so running it twice writes identical bytes.
"""

from __future__ import annotations

import importlib
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.vectorgen import profiles
from pjconf.harness.vectorgen.basis import case_basis, flag_basis
from pjconf.reference.errors import PjconfError

GENERATOR_VERSION = "0.1.0"

FAMILY_MODULES: tuple[str, ...] = (
    "hpke",
    "ellswift",
    "bip77_messages",
    "ohttp",
    "bhttp",
    "uri",
    "events",
    "replay",
    "transitions",
    "sessions",
    "hostile",
    "directory",
)
"""Every family module, in the order ``pjconf vectors generate`` writes them."""

Json = dict[str, Any]


class MissingSource(Exception):
    """A family re-expresses published vectors and their source files are not at hand."""


NEEDS_CHECKOUT = (
    "this family re-expresses published vectors: it needs a pjconf checkout (tests/data/published)"
)
"""Why ``ellswift`` and ``hpke`` cannot regenerate from an installed wheel: it has no copies."""


class CaseIds:
    """tcIds 1, 2, 3... in the order a family builds its cases (one counter per file)."""

    def __init__(self) -> None:
        self.next = 0

    def __call__(self) -> int:
        self.next += 1
        return self.next


def case(ids: CaseIds, comment: str, flags: list[str], **rest: Any) -> Json:
    """A case in corpus key order; it is ``invalid`` exactly when ``rest`` has an ``error``."""
    result = "invalid" if "error" in rest else "valid"
    return {"tcId": ids(), "comment": comment, "flags": flags, "result": result, **rest}


def error_json(exc: PjconfError) -> Json:
    """The vector's ``error``: the kind, and for ParseError the reason too."""
    reason = getattr(exc, "reason", None)
    return {"kind": exc.kind} if reason is None else {"kind": exc.kind, "reason": reason}


def error_of(call: Callable[..., object], *args: Any) -> Json:
    """The ``error`` of a call the vector expects to fail; it is a generator bug if it succeeds."""
    try:
        call(*args)
    except PjconfError as exc:
        return error_json(exc)
    raise AssertionError(f"{call.__name__} succeeded; the vector expects an error")


def outcome_case(
    ids: CaseIds,
    comment: str,
    flags: list[str],
    *,
    op: str,
    args: Json,
    run: Callable[[], tuple[Json, Json]],
    intermediates: Json | None = None,
) -> Json:
    """A case whose outcome is whatever the reference does: ``run`` returns the ``expected``
    result and any intermediates it found; a typed error becomes the case's ``error``."""
    try:
        expected, found = run()
    except PjconfError as exc:
        extra = {} if intermediates is None else {"intermediates": intermediates}
        return case(ids, comment, flags, op=op, args=args, error=error_json(exc), **extra)
    merged = {**(intermediates or {}), **found}
    extra = {"intermediates": merged} if merged else {}
    return case(ids, comment, flags, op=op, args=args, expected=expected, **extra)


def flip_bit(data: bytes, index: int) -> bytes:
    """``data`` with the low bit of byte ``index`` flipped (a tampered copy)."""
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def envelope(
    family: str,
    *,
    module: str,
    sources: list[Json],
    notes: dict[str, Json],
    groups: list[Json],
) -> Json:
    """Wrap test groups in the corpus envelope, numbering nothing and checking everything.

    Raises ``ValueError`` when tcIds repeat or a case uses a flag that ``notes`` does not explain:
    both are corpus bugs that must not reach a user.
    """
    groups = [_with_basis_and_profiles(family, g) for g in groups]
    seen: set[int] = set()
    count = 0
    for group in groups:
        for case in group["tests"]:
            tc_id = case["tcId"]
            if tc_id in seen:
                raise ValueError(f"{family}: duplicate tcId {tc_id}")
            seen.add(tc_id)
            unknown = set(case.get("flags", [])) - notes.keys()
            if unknown:
                raise ValueError(f"{family}: tcId {tc_id} uses unexplained flags {sorted(unknown)}")
            count += 1
    return {
        "schema": f"pjconf/{family}/v1",
        "family": family,
        "generator": {
            "name": "pjconf",
            "version": GENERATOR_VERSION,
            "module": module,
            "describe": git_describe(),
        },
        "sources": sources,
        "numberOfTests": count,
        "notes": _notes_with_basis(family, notes, groups),
        "testGroups": groups,
    }


def _with_basis_and_profiles(family: str, group: Json) -> Json:
    """Every case of ``group`` with its ``basis`` (after ``flags``) and its profile verdicts."""
    tests = []
    for raw in group["tests"]:
        basis = case_basis(family, group["type"], raw.get("flags", []))
        ordered: Json = {}
        for key, value in raw.items():
            if key != "basis":
                ordered[key] = value
            if key == "flags":
                ordered["basis"] = basis
        tests.append(profiles.pin_messages(profiles.apply(family, group["type"], ordered)))
    return {**group, "tests": tests}


def _notes_with_basis(family: str, notes: dict[str, Json], groups: list[Json]) -> dict[str, Json]:
    """Each flag's note with the basis it rests on and, for a choice, its alternatives."""
    used: dict[str, set[str]] = {}
    for group in groups:
        for case in group["tests"]:
            for flag in case.get("flags", []):
                used.setdefault(flag, set()).add(group["type"])
    out: dict[str, Json] = {}
    for flag, note in notes.items():
        entry = {**note, "basis": flag_basis(family, flag, sorted(used.get(flag, {"*"})))}
        rule = profiles.OPEN.get(family, {}).get(flag)
        if rule is not None:
            entry["alternatives"] = rule.alternatives
        out[flag] = entry
    return out


def dumps(document: Json) -> str:
    """The canonical text of a vector file."""
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def git_describe() -> str:
    """``git describe --always --dirty --tags`` of the checkout the generator runs from, or
    ``no-git`` (an installed wheel). Where the content of a file has not changed, the file keeps
    the describe it was written with (:func:`write_family`), so regeneration stays byte-identical
    across commits."""
    root = Path(__file__).resolve().parents[4]
    if not (root / ".git").exists():
        return "no-git"
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "describe", "--always", "--dirty", "--tags"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "no-git"
    return done.stdout.strip() or "no-git"


def with_describe(document: Json, describe: str) -> Json:
    """``document`` with its generator's ``describe`` replaced (to compare content only)."""
    return {**document, "generator": {**document["generator"], "describe": describe}}


def committed_describe(path: Path) -> str | None:
    """The ``describe`` of the file at ``path``, if it is a readable vector file."""
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["generator"]["describe"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def family_module(name: str) -> ModuleType:
    return importlib.import_module(f"pjconf.harness.vectorgen.{name}")


def write_family(name: str, root: Path | None = None) -> Path:
    """Generate one family and write it under ``root`` (default: the corpus directory)."""
    module = family_module(name)
    target: Path = (root or vectors_dir()) / str(module.PATH)
    target.parent.mkdir(parents=True, exist_ok=True)
    document = module.generate()
    previous = committed_describe(target)
    if previous is not None:
        unchanged = dumps(with_describe(document, previous))
        if target.read_text(encoding="utf-8") == unchanged:
            return target  # same content: keep the file, and the describe it was written with
    target.write_text(dumps(document), encoding="utf-8")
    return target
