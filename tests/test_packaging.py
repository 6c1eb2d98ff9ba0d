"""The wheel carries every package of the tree and the corpus; what a user installs is only what
they need, and the metadata builds with the setuptools it asks for.

ci/check-package.sh checks the same things on a built wheel (reproducible, setuptools 77, installed
without the docker extra); these checks catch a regression in the fast suite.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from pjconf.harness.cli import DOCKER_EXTRA_MISSING

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


def test_docker_is_an_extra_and_the_tests_have_it() -> None:
    project = _project()
    assert not [d for d in project["dependencies"] if d.startswith("docker")]
    assert project["optional-dependencies"]["docker"] == ["docker>=7,<8"]
    assert "pjconf[docker]" in project["optional-dependencies"]["test"]


def _without_docker(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter where ``import docker`` fails as if not installed."""
    blocked = "import sys; sys.modules['docker'] = None\n"
    return subprocess.run(
        [sys.executable, "-c", blocked + code],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_does_not_import_docker_until_asked() -> None:
    done = _without_docker(
        "import pjconf.harness.cli, sys; assert sys.modules['docker'] is None; print('ok')"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"


def test_impl_docker_without_the_extra_is_one_clear_line() -> None:
    done = _without_docker(
        "from pjconf.harness.cli import main\n"
        "raise SystemExit(main(['run', '-q', '--impl', 'docker:pjconf/rust-payjoin:1.0.0']))"
    )
    assert done.returncode == 2
    assert done.stderr == f"pjconf: {DOCKER_EXTRA_MISSING}\n"
    assert done.stdout == ""
