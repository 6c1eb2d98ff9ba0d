"""Every case states its basis from the closed vocabulary, and profiles only open answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pjconf.harness.corpus.load import family_files
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.vectorgen import FAMILY_MODULES, family_module
from pjconf.harness.vectorgen.basis import BASIS, FLAG_BASIS, GROUP_BASIS, ordered
from pjconf.harness.vectorgen.profiles import OPEN, open_flags

FILES = family_files(vectors_dir())


def _document(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_schema_enforces_the_vocabulary(path: Path) -> None:
    family = _document(path)["family"]
    schema = json.loads((vectors_dir() / "schemas" / f"{family}.v1.json").read_text())
    assert schema["$defs"]["basis"]["items"]["enum"] == list(BASIS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_case_has_a_basis_and_only_open_cases_have_profiles(path: Path) -> None:
    document = _document(path)
    family = document["family"]
    for group in document["testGroups"]:
        for case in group["tests"]:
            assert case["basis"] == ordered(case["basis"]), case["tcId"]
            opened = open_flags(family, group["type"], case["flags"])
            if "profiles" in case and case["result"] != "acceptable":
                _assert_stricter_pin(case, STRICTER_FIELDS | FAMILY_STRICTER.get(family, set()))
            elif "profiles" in case:
                assert opened, case["tcId"]
                assert "payjoin-1.0" in case["basis"], case["tcId"]
            if opened:
                assert case["result"] == "acceptable", case["tcId"]
    for flag, note in document["notes"].items():
        assert note["basis"], flag
        assert ("alternatives" in note) == (flag in OPEN.get(family, {})), flag


STRICTER_FIELDS = {"message", "texts"}
FAMILY_STRICTER = {"directory": {"layer", "status", "problem", "inner_status"}}
"""What a family's same-verdict override may add: payjoin-mailroom's exact refusal (status,
outer or encapsulated, problem type) and inner status, where the texts fix only the class."""


def _assert_stricter_pin(case: dict[str, Any], added: set[str]) -> None:
    """A valid or invalid case's override keeps its verdict and only adds what payjoin 1.0
    alone fixes (``added``): an error's message, a session's error texts, a refusal's status."""
    pinned = case["profiles"]["payjoin-1.0"]
    assert pinned["result"] == case["result"], case["tcId"]
    assert "payjoin-1.0" in case["basis"], case["tcId"]
    key = "expected" if case["result"] == "valid" else "error"

    def bare(value: Any, base: Any) -> Any:
        """``value`` without the ``added`` keys ``base`` (the bip77 verdict) does not have."""
        if not isinstance(value, dict):
            return value
        known = base if isinstance(base, dict) else {}
        return {k: bare(v, known.get(k)) for k, v in value.items() if k not in added or k in known}

    assert bare(pinned[key], case[key]) == case[key], case["tcId"]
    assert pinned[key] != case[key], case["tcId"]


def test_the_tables_cover_every_family_and_name_only_used_flags() -> None:
    assert set(GROUP_BASIS) == set(FAMILY_MODULES) == set(FLAG_BASIS)
    for family in FAMILY_MODULES:
        notes = family_module(family).NOTES if hasattr(family_module(family), "NOTES") else None
        if notes is None:
            continue
        assert set(OPEN.get(family, {})) <= set(notes), family


def test_nothing_normative_is_open() -> None:
    """A payjoin-log case or a refusal every specification requires stays pinned everywhere."""
    for path in FILES:
        document = _document(path)
        for group in document["testGroups"]:
            for case in group["tests"]:
                if "MalformedPort" in case["flags"] or "ShortAuthenticPlaintext" in case["flags"]:
                    assert case["result"] == "invalid"
                    assert "profiles" not in case
                if "LivePrefix" in case["flags"]:
                    assert case["result"] == "valid"
                    assert "profiles" not in case
