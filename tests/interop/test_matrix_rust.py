"""The matrix of the reference and every rust-payjoin image (one ``pjconf run``, four ``--impl``).

Each image runs with its own expectations file (``--expectations IMPL=FILE``) and
``--strict-expectations``, as ``ci/run-rust-payjoin-corpus.sh`` runs them. The families are the
two without sessions (a few seconds for all four). What the matrix must show is read from the
expectations files, not from a run: a version's KNOWN_FAILURE cells are exactly its listed cases
in the selection, and the rows where the implementations disagree are exactly the listed cases,
all known.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from pjconf.harness import cli
from pjconf.harness.corpus.load import load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.implementations.docker import image_present
from pjconf.reference.entropy import FixedClock

pytestmark = [pytest.mark.docker, pytest.mark.rust]

ROOT = Path(__file__).resolve().parents[2]
FAMILIES = ("uri", "bip77_messages")
VERSIONS = sorted(
    (p.name for p in (ROOT / "adapters" / "rust-payjoin" / "versions").iterdir() if p.is_dir()),
    key=lambda v: tuple(int(x) for x in v.split(".")),
)


def _listed(version: str, selected: list[str]) -> set[str]:
    """The selected cases the version's expectations file lists as known failures (bip77)."""
    path = ROOT / "ci" / "expectations" / f"rust-payjoin-{version}.json"
    entry = json.loads(path.read_text())["implementations"][f"rust-payjoin@{version}"]
    patterns = [
        *entry.get("known_failures", {}),
        *entry.get("profiles", {}).get("bip77", {}).get("known_failures", {}),
    ]
    return {name for name in selected if any(fnmatchcase(name, p) for p in patterns)}


@pytest.fixture(scope="module")
def matrix(
    docker_engine: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[int, dict[str, Any], str]:
    for version in VERSIONS:  # built from the committed lock file when missing, as elsewhere
        if not image_present(docker_engine, f"pjconf/rust-payjoin:{version}"):
            assert shutil.which("cargo"), "cargo is required to build the rust-payjoin adapter"
            build = ["bash", str(ROOT / "ci" / "build-rust-payjoin.sh"), version]
            subprocess.run(build, check=True)
    tmp = tmp_path_factory.mktemp("matrix")
    argv = ["run", "-q", "--no-variants", "--reproducible", "--strict-expectations"]
    for family in FAMILIES:
        argv += ["--family", family]
    argv += ["--impl", "reference"]
    for version in VERSIONS:
        impl = f"docker:pjconf/rust-payjoin:{version}"
        expectations = ROOT / "ci" / "expectations" / f"rust-payjoin-{version}.json"
        argv += ["--impl", impl, "--expectations", f"{impl}={expectations}"]
    out, page = tmp / "matrix.json", tmp / "matrix.html"
    status = cli.main([*argv, "--json", str(out), "--html", str(page)], clock=FixedClock(0))
    return status, json.loads(out.read_text()), page.read_text()


def test_the_matrix_of_every_version_shows_their_known_failures_and_nothing_else(
    matrix: tuple[int, dict[str, Any], str],
) -> None:
    status, document, page = matrix
    assert status == 0
    assert document["ok"] is True
    labels = [c["label"] for c in document["implementations"]]
    assert labels == ["pjconf-reference 0.1.0", *(f"rust-payjoin {v}" for v in VERSIONS)]
    selected = [
        case.name
        for case in load_corpus(vectors_dir())
        if case.family in FAMILIES and case.op is not None
    ]
    rows = {row["name"]: row for row in document["cases"]}
    assert set(rows) == set(selected)
    listed_anywhere: set[str] = set()
    for column, version in enumerate(VERSIONS, 1):
        listed = _listed(version, selected)
        listed_anywhere |= listed
        known = {n for n, r in rows.items() if r["cells"][column]["verdict"] == "KNOWN_FAILURE"}
        assert known == listed, version
        assert not any(r["cells"][column]["verdict"] in ("FAIL", "ERROR") for r in rows.values())
    disagreeing = {d["name"] for d in document["disagreements"]}
    assert disagreeing == listed_anywhere
    assert all(d["known"] for d in document["disagreements"])
    assert "<script" not in page.lower()
    for name in disagreeing:
        assert f'<th class="case">{name}</th>' in page
