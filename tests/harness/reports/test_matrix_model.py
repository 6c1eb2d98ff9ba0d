"""The matrix's rules on small hand-written reports: what agrees, what disagrees, what is known,
what was not compared, and how columns are named and ordered."""

from __future__ import annotations

from typing import Any

import pytest

from pjconf.harness.reports import merge
from pjconf.harness.reports.matrix_columns import Column, MatrixError, columns, group
from pjconf.harness.reports.matrix_model import build


def _report(name: str, verdicts: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "implementation": {"implementation": name, "version": "1"},
        "impl": extra.pop("impl", f"cmd:{name}"),
        "ok": True,
        "families": {"f": {"state": "ok", "reason": "", "counts": {}}},
        "excluded": extra.pop("excluded", {}),
        "rerun": ["--impl", f"cmd:{name}"],
        "cases": [
            {"name": n, "family": n.split("/")[0], "tcId": int(n.split("/")[1]), "verdict": v}
            for n, v in verdicts.items()
        ],
        **extra,
    }


ORDER = [f"f/{i}" for i in range(1, 10)] + ["g/1"]


def _rows(*reports: dict[str, Any]) -> dict[str, Any]:
    cols = [Column(f"c{i}", str(r["impl"]), r) for i, r in enumerate(reports)]
    return {row.name: row for row in build(cols, ORDER).rows}


def test_agreement_is_conformant_against_not_skip_and_absent_compare_nothing() -> None:
    a = _report(
        "a",
        {
            "f/1": "PASS",
            "f/2": "PASS",
            "f/3": "FAIL",
            "f/4": "PASS",
            "f/5": "PASS",
            "f/6": "PASS",
            "f/7": "ERROR",
        },
    )
    b = _report(
        "b",
        {
            "f/1": "ACCEPTABLE",  # both allowed: agree
            "f/2": "FAIL",
            "f/3": "ERROR",  # both not conformant: agree (failing everywhere)
            "f/4": "SKIP",  # not judged by b: nothing compared
            "f/6": "KNOWN_FAILURE",
            "f/7": "UNEXPECTED_PASS",
        },
    )
    rows = _rows(a, b)
    agreement = {name: (row.agreement, row.known) for name, row in rows.items()}
    assert agreement == {
        "f/1": ("agree", False),
        "f/2": ("disagree", False),
        "f/3": ("agree", False),
        "f/4": ("incomplete", False),
        "f/5": ("incomplete", False),  # absent from b's run
        "f/6": ("disagree", True),
        "f/7": ("disagree", False),  # a's ERROR is not in a's expectations
    }
    assert [n for n, r in rows.items() if r.failing_everywhere] == ["f/3"]
    assert rows["f/5"].cells[1] is None
    assert rows["f/2"].cells[1].reproduce == "pjconf run --impl cmd:b --case f/2"
    assert rows["f/1"].cells[1].reproduce is None


def test_a_disagreement_is_known_only_when_every_failing_cell_is_a_known_failure() -> None:
    rows = _rows(
        _report("a", {"f/1": "PASS", "f/2": "PASS"}),
        _report("b", {"f/1": "KNOWN_FAILURE", "f/2": "KNOWN_FAILURE"}),
        _report("c", {"f/1": "KNOWN_FAILURE", "f/2": "FAIL"}),
    )
    assert (rows["f/1"].agreement, rows["f/1"].known) == ("disagree", True)
    assert (rows["f/2"].agreement, rows["f/2"].known) == ("disagree", False)


def test_unexplained_disagreements_come_first_and_families_follow_the_corpus() -> None:
    cols = [
        Column("a", "cmd:a", _report("a", {"g/1": "PASS", "f/9": "PASS", "f/2": "PASS"})),
        Column(
            "b",
            "cmd:b",
            _report(
                "b",
                {"g/1": "FAIL", "f/9": "FAIL", "f/2": "KNOWN_FAILURE"},
                excluded={"h": "--exclude-family"},
            ),
        ),
    ]
    matrix = build(cols, ORDER)
    assert [r.name for r in matrix.disagreements()] == ["f/9", "g/1", "f/2"]
    assert [f.name for f in matrix.families] == ["f", "g", "h"]
    excluded = matrix.families[2].cells
    assert excluded[0] is None
    assert excluded[1] is not None
    assert (excluded[1].state, excluded[1].reason) == ("excluded", "--exclude-family")


def _shard(source: str, report: dict[str, Any]) -> merge.Shard:
    return merge.Shard(source, report)


def test_reports_group_by_implementation_and_impl_in_order_of_appearance() -> None:
    one = _report("x", {}, impl="reference")
    other = _report("x", {}, impl="cmd:pjconf shim")
    third = _report("y", {})
    groups = group([_shard("1", third), _shard("2", one), _shard("3", other), _shard("4", third)])
    assert [[s.source for s in g] for g in groups] == [["1", "4"], ["2"], ["3"]]


def test_columns_refuse_another_corpus_or_profile_with_the_files_named() -> None:
    base = {"corpus": {"sha256": "aa"}, "profile": "bip77"}
    a = _report("a", {}, **base)
    b = _report("b", {}, corpus={"sha256": "bb"}, profile="bip77")
    c = _report("c", {}, corpus={"sha256": "aa"}, profile="payjoin-1.0")
    with pytest.raises(MatrixError, match=r"a\.json.*different corpora"):
        columns([[_shard("b.json", b)], [_shard("a.json", a)]], lambda d: {})
    with pytest.raises(MatrixError, match=r"different profiles.*one matrix per profile"):
        columns([[_shard("a.json", a)], [_shard("c.json", c)]], lambda d: {})
