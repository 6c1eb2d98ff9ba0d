"""``pjconf report merge``: shards of one run become the report of the unsharded run, and
reports that do not belong together are refused."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pjconf.harness import cli
from pjconf.reference.entropy import FixedClock

SELECTION = ("--family", "uri", "--family", "transitions", "--seed", "merge-test", "-q")
RECOMPUTED = ("ok", "counts", "families", "problems", "verified", "stateGraph", "cases")


def _run(tmp_path: Path, name: str, *argv: str) -> Path:
    out = tmp_path / f"{name}.json"
    junit = tmp_path / f"{name}.xml"
    # --reproducible: measured times would differ between the shards and the whole run.
    args = ["run", *SELECTION, *argv, "--reproducible", "--json", str(out), "--junit", str(junit)]
    assert cli.main(args, clock=FixedClock(1_700_000_000)) in (0, 1)
    return out


def _merge(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(["report", "merge", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three shards of one selection, and the same selection unsharded."""
    tmp = tmp_path_factory.mktemp("runs")
    found = {f"shard{i}": _run(tmp, f"shard{i}", "--shard", f"{i}/3") for i in (1, 2, 3)}
    found["whole"] = _run(tmp, "whole")
    return found


def _handles_blanked(value: Any) -> Any:
    """``value`` with every answer that holds a session handle blanked: the implementation numbers
    its handles in the order sessions are opened, so a shard's ``sender-49`` is the unsharded
    run's ``sender-143`` (an acceptable case reports what it was answered, handle included)."""
    if isinstance(value, list):
        return [_handles_blanked(v) for v in value]
    if isinstance(value, dict):
        if "handle" in json.dumps(value.get("got")):
            return {**value, "got": "<answer holding a handle>"}
        return value
    return value


def _load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def test_merged_shards_say_what_the_unsharded_run_says(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, xml = tmp_path / "merged.json", tmp_path / "merged.xml"
    shards = [str(runs[f"shard{i}"]) for i in (3, 1, 2)]  # any order
    status, stdout, _ = _merge(capsys, *shards, "--json", str(out), "--junit", str(xml))
    assert status == 0
    assert stdout.rstrip().endswith("pjconf report merge: ok")
    merged, whole = _load(out), _load(runs["whole"])
    for key in RECOMPUTED:
        assert _handles_blanked(merged[key]) == _handles_blanked(whole[key]), key
    assert merged["variants"]["seed"] == "merge-test"
    assert merged["variants"]["cases"] == whole["variants"]["cases"]
    assert merged["merged"] == {"reports": shards}
    # Every shard's share alone is a third; the merged share is the whole run's.
    assert all(
        _load(runs[f"shard{i}"])["verified"]["cases"] < whole["verified"]["cases"]
        for i in (1, 2, 3)
    )

    def testcases(path: Path) -> list[tuple[str | None, str | None]]:
        root = ET.parse(path).getroot()
        return [(t.get("classname"), t.get("name")) for t in root.iter("testcase")]

    assert testcases(xml) == testcases(runs["whole"].with_suffix(".xml"))


def test_a_failure_in_one_shard_makes_the_merged_run_red(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = _load(runs["shard2"])
    victim = next(c for c in broken["cases"] if c["family"] == "uri")
    victim.update(verdict="FAIL", detail="amount: expected 1, got 2")
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    md = tmp_path / "merged.md"
    status, stdout, _ = _merge(
        capsys, str(runs["shard1"]), str(tmp_path / "broken.json"), "--markdown", str(md)
    )
    assert status == 1
    assert "pjconf report merge: FAILED (1 FAIL)" in stdout
    summary = md.read_text()
    assert re.search(r"^\| uri \|.*\| FAILED \|$", summary, re.MULTILINE)
    assert f"pjconf run --impl reference --case {victim['name']}" in summary
    assert "merged from: 2 shard reports" in summary


def test_min_verified_judges_the_merged_share(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shards = [str(runs[f"shard{i}"]) for i in (1, 2, 3)]
    out = str(tmp_path / "m.json")
    assert _merge(capsys, *shards, "--json", out, "--min-verified", "5")[0] == 0
    status, stdout, _ = _merge(capsys, *shards, "--json", out, "--min-verified", "90")
    assert status == 1
    assert "below --min-verified 90%" in stdout


def _other_implementation_other_profile(other: dict[str, Any], _: dict[str, Any]) -> None:
    other["implementation"].update(version="2.0")
    other["profile"] = "payjoin-1.0"


def _overlap(other: dict[str, Any], first: dict[str, Any]) -> None:
    other["cases"] = [{**first["cases"][0], "verdict": "FAIL"}]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # Another implementation makes a matrix (tests/harness/reports/test_matrix_report.py), but
        # only of reports judged by one profile.
        (_other_implementation_other_profile, "different profiles"),
        (lambda r, _: r["corpus"].update(sha256="00" * 32), "different corpora"),
        (lambda r, _: r["expectations"].update(strict=True), "different strictness"),
        (_overlap, "these reports overlap"),
    ],
)
def test_reports_that_do_not_belong_together_are_refused(
    runs: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: Callable[[dict[str, Any], dict[str, Any]], None],
    message: str,
) -> None:
    other = _load(runs["shard2"])
    change(other, _load(runs["shard1"]))
    (tmp_path / "other.json").write_text(json.dumps(other))
    out = tmp_path / "out.json"
    status, _, err = _merge(
        capsys, str(runs["shard1"]), str(tmp_path / "other.json"), "--json", str(out)
    )
    assert status == 2
    assert message in err
    assert not out.exists()


def test_merge_needs_the_corpus_the_shards_ran(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = _merge(
        capsys, str(runs["shard1"]), "--json", str(tmp_path / "o.json"), "--vectors", str(tmp_path)
    )
    assert status == 2
    assert "give --vectors the corpus they ran" in err
    assert _merge(capsys, str(runs["shard1"]))[0] == 2  # no output asked for
