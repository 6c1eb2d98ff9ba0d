"""The generator's ``describe``: recorded when content changes, kept when it does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pjconf.harness import vectorgen


def test_the_describe_names_this_checkout() -> None:
    describe = vectorgen.git_describe()
    assert describe
    assert " " not in describe


def test_unchanged_content_keeps_the_file_and_its_describe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vectorgen, "git_describe", lambda: "v0.1.0-3-gabc1234")
    path = vectorgen.write_family("bhttp", tmp_path)
    first = path.read_bytes()
    assert json.loads(first)["generator"]["describe"] == "v0.1.0-3-gabc1234"
    monkeypatch.setattr(vectorgen, "git_describe", lambda: "v0.1.0-9-gdef5678-dirty")
    vectorgen.write_family("bhttp", tmp_path)
    assert path.read_bytes() == first


def test_changed_content_is_written_with_the_new_describe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vectorgen, "git_describe", lambda: "old")
    path = vectorgen.write_family("bhttp", tmp_path)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["testGroups"][0]["tests"][0]["comment"] = "edited by hand"
    path.write_text(vectorgen.dumps(document), encoding="utf-8")
    monkeypatch.setattr(vectorgen, "git_describe", lambda: "new")
    vectorgen.write_family("bhttp", tmp_path)
    rewritten = json.loads(path.read_text(encoding="utf-8"))
    assert rewritten["generator"]["describe"] == "new"
    assert rewritten["testGroups"][0]["tests"][0]["comment"] != "edited by hand"
