"""The vacuous-green guard: every family in scope must run something, or the run is red."""

from __future__ import annotations

import pytest
from harness.run.run_support import case, reference_only, scripted_run

from pjconf.harness.corpus.load import Case
from pjconf.harness.reports import summary as report
from pjconf.harness.run.checker import Verdict
from pjconf.harness.run.expectations import Expectations
from pjconf.harness.run.runner import FamilyState, families_in_scope, select


@pytest.mark.parametrize(
    ("answers", "disabled", "reason"),
    [
        (["skip", "skip"], {}, "all 2 cases skipped (2 unimplemented)"),
        (["pass", "pass"], {"b/*": "slow"}, "all 2 cases skipped (2 disabled)"),
        (["skip", "pass"], {"b/2": "slow"}, "all 2 cases skipped (1 disabled, 1 unimplemented)"),
    ],
    ids=["unimplemented", "disabled", "both"],
)
def test_a_family_where_every_case_skipped_is_red(
    answers: list[str], disabled: dict[str, str], reason: str
) -> None:
    cases = [case("a", 1), *(case("b", i + 1, a) for i, a in enumerate(answers))]
    result, _ = scripted_run(cases, expectations=Expectations(disabled=disabled))
    assert result.family_state("a") == (FamilyState.OK, "")
    assert result.family_state("b") == (FamilyState.NOTHING_RAN, reason)
    assert not result.ok


def test_a_named_family_filtered_to_nothing_by_k_is_red() -> None:
    corpus = [case("a", 1, comment="alpha"), case("b", 1, comment="beta")]
    chosen = select(corpus, keyword="alpha", families={"a", "b"})
    scope = families_in_scope(["a", "b"], chosen, chosen)
    result, _ = scripted_run(chosen, families=scope)
    assert result.family_state("b") == (FamilyState.NOTHING_RAN, "no case selected")
    assert not result.ok
    unnamed, _ = scripted_run(chosen, families=families_in_scope(None, chosen, chosen))
    assert unnamed.families == ["a"]
    assert unnamed.ok


CORPUS = [case("a", i) for i in range(1, 5)] + [case("b", 1), reference_only("r", 1)]


@pytest.mark.parametrize(
    ("named", "keyword", "shard", "scope"),
    [
        (None, None, None, ["a", "b"]),  # reference-only families have nothing to run
        (["r"], None, None, ["r"]),  # ... unless named, then they are NOTHING RAN
        (["a", "zz"], None, None, ["a", "zz"]),  # an unknown name stays, to be reported
        (["a", "b"], "a case", None, ["a", "b"]),  # -k left b empty: b is still in scope
        (None, "a case", None, ["a"]),  # without --family, -k narrows the scope
        (["a", "b"], None, (1, 3), ["a"]),  # b's one case is in shard 2: shard 2 runs it
        (["a", "b"], None, (2, 3), ["a", "b"]),
    ],
)
def test_the_families_in_scope(
    named: list[str] | None,
    keyword: str | None,
    shard: tuple[int, int] | None,
    scope: list[str],
) -> None:
    families = set(named) if named else None
    unsharded = select(CORPUS, keyword=keyword, families=families)
    chosen = select(unsharded, shard=shard)
    assert families_in_scope(named, unsharded, chosen) == scope


def test_an_excluded_family_is_not_selected() -> None:
    assert {c.family for c in select(CORPUS, exclude={"a"})} == {"b", "r"}


def _two_families() -> list[Case]:
    return [case("a", 1, op="a.x"), case("a", 2, op="a.y"), case("b", 1, op="b.x")]


def test_a_family_none_of_whose_ops_hello_lists_is_not_run_and_not_sent() -> None:
    result, client = scripted_run(_two_families(), supported_ops={"hello", "b.x"})
    assert client.calls == ["b.x"]
    state, reason = result.family_state("a")
    assert state is FamilyState.NOT_RUN
    assert "a.x, a.y" in reason
    assert result.family_state("b")[0] is FamilyState.OK
    assert not result.ok


def test_a_family_with_some_listed_ops_is_run_in_full() -> None:
    """hello is a hint, not a filter: unlisted ops are still asked, and answer unimplemented."""
    result, client = scripted_run(_two_families(), supported_ops={"a.x", "b.x"})
    assert client.calls == ["a.x", "a.y", "b.x"]
    assert result.not_run == {}
    assert result.ok


def test_without_an_ops_list_every_case_is_sent() -> None:
    result, client = scripted_run(_two_families(), supported_ops=None)
    assert len(client.calls) == 3
    assert result.ok


def test_the_summary_shows_not_run_and_the_expectation_columns_only_when_present() -> None:
    result, _ = scripted_run(_two_families(), supported_ops={"b.x"})
    table = report.summary_table(result)
    assert "KNOWN_FAILURE" not in table
    assert "UNEXPECTED_PASS" not in table
    row_a = next(line for line in table.splitlines() if line.startswith("a "))
    assert row_a.split() == ["a", "-", "-", "-", "-", "-", "NOT", "RUN"]
    assert table.splitlines()[-1].split()[-1] == "FAILED"
    assert "a: NOT RUN - the implementation's hello lists none" in report.family_notes(result)

    known, _ = scripted_run(
        [case("a", 1), case("a", 2, "fail")],
        expectations=Expectations(known_failures={"a/2": "bug"}),
    )
    header = report.summary_table(known).splitlines()[0].split()
    assert header[-3:] == ["KNOWN_FAILURE", "UNEXPECTED_PASS", "status"]
    assert report.summary_table(known).splitlines()[-1].split()[-3:] == ["1", "0", "ok"]


def test_the_verdict_line_names_everything_that_made_the_run_red() -> None:
    cases = [case("a", 1, "fail"), case("b", 1, "skip"), case("c", 1, op="c.z")]
    result, _ = scripted_run(cases, supported_ops={"a.op", "b.op"})
    result.setup_problems = ["stale expectation: x"]
    line = report.verdict_line(result)
    for part in ("1 FAIL", "1 family NOT RUN", "1 family NOTHING RAN", "stale expectation: x"):
        assert part in line
    assert report.verdict_line(scripted_run([case("a", 1)])[0]) == "pjconf run: ok"


def test_the_json_report_has_every_status_and_per_family_counts() -> None:
    cases = [case("a", 1), case("a", 2, "fail"), case("a", 3, "fail"), case("b", 1, "skip")]
    result, _ = scripted_run(cases, expectations=Expectations(known_failures={"a/3": "bug"}))
    document = report.to_json(result, {"implementation": "fake"})
    assert set(document["counts"]) == {v.value for v in Verdict}
    assert document["counts"]["KNOWN_FAILURE"] == 1
    assert document["counts"]["FAIL"] == 1
    assert document["families"]["a"]["state"] == "FAILED"
    assert document["families"]["b"] == {
        "state": "NOTHING RAN",
        "reason": "all 1 case skipped (1 unimplemented)",
        "counts": {**dict.fromkeys(document["counts"], 0), "SKIP": 1},
    }
    for status, total in document["counts"].items():
        assert total == sum(f["counts"][status] for f in document["families"].values())
    known = next(c for c in document["cases"] if c["name"] == "a/3")
    assert (known["verdict"], known["judged"], known["reason"]) == ("KNOWN_FAILURE", "FAIL", "bug")
    assert known["args"] == {"answer": "fail"}
    assert document["ok"] is False
