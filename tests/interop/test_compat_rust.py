"""``pjconf compat`` between rust-payjoin 1.0 in Docker and the reference: every session path in
both roles, handed over at every persistence point in both directions, and every prefix of every
log replayed by the other, all agree (about 5 s)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pjconf.harness.cli import main
from pjconf.harness.compat.matrix import path_names

pytestmark = [pytest.mark.docker, pytest.mark.rust]


def test_rust_payjoin_1_0_and_the_reference_continue_and_replay_each_others_sessions(
    rust_payjoin_image: str, tmp_path: Path
) -> None:
    artifact, page = tmp_path / "compat.json", tmp_path / "compat.md"
    argv = ["compat", "--impl", f"docker:{rust_payjoin_image}", "--impl", "reference"]
    assert main([*argv, "--json", str(artifact), "--markdown", str(page)]) == 0
    document = json.loads(artifact.read_text())
    labels = [m["label"] for m in document["implementations"]]
    assert labels == ["rust-payjoin@1.0.0", "pjconf-reference@0.1.0"]
    paths = 2 * len(path_names())
    assert all(m["alone"] == {"paths": paths, "passed": paths} for m in document["implementations"])
    assert document["failures"] == []
    for pair in document["pairs"]:
        assert pair["logs"] == paths
        assert pair["prefixes"] == pair["agreements"] > paths
        assert pair["handovers"] == pair["continued"] > paths
    assert "None: every handover and every replay agreed." in page.read_text()
