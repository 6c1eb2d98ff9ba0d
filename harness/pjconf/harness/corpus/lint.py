"""``pjconf vectors lint``: every vector file against the JSON Schema it names."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from pjconf.harness.corpus.load import CorpusError, family_files, load_file


def lint(root: Path) -> list[str]:
    """Every problem found under ``root``, one line each; empty when the corpus is clean."""
    problems: list[str] = []
    files = family_files(root)
    if not files:
        return [f"{root}: no vector files"]
    for path in files:
        try:
            document = load_file(path)
        except CorpusError as exc:
            problems.append(str(exc))
            continue
        schema_name = str(document.get("schema", ""))
        family, _, version = schema_name.removeprefix("pjconf/").partition("/")
        schema_path = root / "schemas" / f"{family}.{version}.json"
        if not schema_path.is_file():
            problems.append(f"{path}: names schema {schema_name!r}, but {schema_path} is missing")
            continue
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        validator = jsonschema.Draft202012Validator(schema)
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path)):
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            problems.append(f"{path.relative_to(root)}: {where}: {error.message[:200]}")
        if document.get("numberOfTests") != sum(len(g["tests"]) for g in document["testGroups"]):
            problems.append(f"{path.relative_to(root)}: numberOfTests does not match the cases")
    return problems
