"""The wheel carries every package of the tree and the corpus, and the metadata builds with the
setuptools it asks for."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _project() -> dict[str, Any]:
    project: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project


def _declared() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return set(config["tool"]["setuptools"]["packages"])


def test_every_package_in_the_tree_is_declared() -> None:
    found = {
        ".".join(init.parent.relative_to(top).parts)
        for top in (ROOT / "reference", ROOT / "harness")
        for init in top.rglob("__init__.py")
    }
    assert found <= _declared(), f"add to pyproject's packages: {sorted(found - _declared())}"


def test_the_corpus_is_declared_as_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "pjconf.vectors" in _declared()
    assert config["tool"]["setuptools"]["package-dir"]["pjconf.vectors"] == "vectors"
    assert config["tool"]["setuptools"]["package-data"]["pjconf.vectors"] == ["*/*.json"]
    assert all(p.parent.parent == ROOT / "vectors" for p in (ROOT / "vectors").rglob("*.json"))


def test_the_build_needs_a_setuptools_that_reads_spdx_licences() -> None:
    """``license = "MIT"`` is a PEP 639 expression: setuptools before 77 refuses the file."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert _project()["license"] == "MIT"
    assert config["build-system"]["requires"] == ["setuptools>=77"]


def test_the_licence_file_exists_and_ships() -> None:
    assert _project()["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "the pjconf authors" in text
