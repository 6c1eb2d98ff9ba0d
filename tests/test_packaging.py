"""The wheel carries every package of the tree and the corpus."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
