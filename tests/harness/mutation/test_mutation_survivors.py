"""The survivors file is well-formed and every mutant it lists still exists; the score counts
listed mutants as the report says; an earlier report's kills carry over."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pjconf.harness.cli import mutate as mutate_cli
from pjconf.harness.mutation import report, runner, survivors
from pjconf.harness.mutation.operators import mutants_of
from pjconf.harness.mutation.runner import Result, Status, ToolError
from pjconf.harness.mutation.scope import SCOPE
from pjconf.harness.mutation.survivors import FORMAT, Listed, SurvivorsError


def test_the_committed_survivors_file_parses_and_lists_only_current_mutants() -> None:
    listed = survivors.load(survivors.default_path())
    assert survivors.default_path().exists()
    current = {m.id for m in runner.collect(runner.reference_root(), SCOPE, check=False)}
    assert survivors.stale(listed, current) == [], "the line changed: re-check these listings"


def test_a_listing_goes_stale_when_its_line_changes() -> None:
    source = "def f(a):\n    return a < 1\n"
    (mutant,) = [m for m in mutants_of("toy", source) if m.operator == "compare"]
    listed = {mutant.id: Listed(mutant.id, "equivalent", "a reason long enough")}
    edited = {m.id for m in mutants_of("toy", source.replace("a < 1", "a < 2"))}
    assert survivors.stale(listed, {mutant.id}) == []
    assert survivors.stale(listed, edited) == [mutant.id]


GOOD = {"id": "crypto/hpke:compare:0123456789ab:0", "class": "equivalent", "reason": "x" * 12}


@pytest.mark.parametrize(
    "document",
    [
        [],
        {"format": "other", "survivors": []},
        {"format": FORMAT},
        {"format": FORMAT, "survivors": [{**GOOD, "class": "missing-case"}]},
        {"format": FORMAT, "survivors": [{**GOOD, "reason": "short"}]},
        {"format": FORMAT, "survivors": [{**GOOD, "reason": "two\nlines of reason"}]},
        {"format": FORMAT, "survivors": [{**GOOD, "id": "crypto/hpke:compare"}]},
        {"format": FORMAT, "survivors": [{"id": GOOD["id"], "class": "equivalent"}]},
        {"format": FORMAT, "survivors": [GOOD, GOOD]},
    ],
    ids=["list", "format", "no-list", "class", "short", "lines", "id", "no-reason", "twice"],
)
def test_malformed_files_are_refused(document: Any) -> None:
    with pytest.raises(SurvivorsError):
        survivors.parse(document, "test")


def test_a_well_formed_file_parses() -> None:
    listed = survivors.parse({"format": FORMAT, "survivors": [GOOD]}, "test")
    assert listed[GOOD["id"]].cls == "equivalent"


def test_the_scores_leave_listed_mutants_out_of_the_second_one() -> None:
    toy = mutants_of("toy", "def f(a):\n    return a < 1 and a > -5\n")
    statuses = [Status.KILLED, Status.SURVIVED, Status.SURVIVED, Status.TIMEOUT, Status.NOT_COVERED]
    results = [Result(m, s, 1) for m, s in zip(toy, statuses, strict=False)]
    listed = {toy[1].id: Listed(toy[1].id, "equivalent", "same on every input")}
    *_, total = report.table(results, listed)
    assert (total.mutants, total.killed, total.survived, total.timeouts) == (5, 1, 2, 1)
    assert (total.not_covered, total.equivalent) == (1, 1)
    assert total.raw == pytest.approx(40.0)
    assert total.adjusted == pytest.approx(50.0)
    gaps = report.unlisted_survivors(results, listed)
    assert [r.mutant.id for r in gaps] == [toy[2].id, toy[4].id]


def test_a_listed_gap_stays_in_the_score_and_a_killed_listing_is_reported() -> None:
    toy = mutants_of("toy", "def f(a):\n    return a < 1 and a > -5\n")
    statuses = [Status.KILLED, Status.SURVIVED, Status.SURVIVED]
    results = [Result(m, s, 1) for m, s in zip(toy, statuses, strict=False)]
    listed = {
        toy[0].id: Listed(toy[0].id, "equivalent", "claimed equivalent, yet a case kills it"),
        toy[1].id: Listed(toy[1].id, "gap", "needs a case with a = 1 to tell < from <="),
    }
    *_, total = report.table(results, listed)
    assert (total.gap, total.equivalent) == (1, 0)
    assert total.adjusted == pytest.approx(100.0 / 3)
    assert [r.mutant.id for r in report.unlisted_survivors(results, listed)] == [toy[2].id]
    assert [r.mutant.id for r in report.killed_but_listed(results, listed)] == [toy[0].id]


def test_an_earlier_reports_kills_are_carried_and_nothing_else(tmp_path: Path) -> None:
    toy = mutants_of("toy", "def f(a):\n    return a < 1 and a > -5\n")
    earlier = [
        {"id": toy[0].id, "status": "killed", "cases": 3, "failed": ["uri/1"]},
        {"id": toy[1].id, "status": "survived", "cases": 3, "failed": []},
    ]
    path = tmp_path / "earlier.json"
    path.write_text(json.dumps({"format": report.FORMAT, "mutants": earlier}))
    carried = mutate_cli._carried(path, toy)
    assert list(carried) == [toy[0].id]
    assert (carried[toy[0].id].status, carried[toy[0].id].failed) == (Status.KILLED, ["uri/1"])
    path.write_text("[]")
    with pytest.raises(ToolError):
        mutate_cli._carried(path, toy)
