"""``--expectations``: known failures, disabled cases, excluded families, stale entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from harness.run.run_support import case, reference_only, scripted_run

from pjconf.harness.corpus.load import load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.implementations.client import InProcessClient
from pjconf.harness.run import expectations
from pjconf.harness.run.checker import Outcome, Verdict
from pjconf.harness.run.expectations import Expectations, ExpectationsError
from pjconf.harness.run.runner import FamilyState, run, select
from pjconf.protocol.wire import JsonObject
from pjconf.reference.adapter.dispatch import InProcessAdapter
from pjconf.reference.adapter.ops import reference_adapter


def _document(**implementations: Any) -> dict[str, Any]:
    return {"format": expectations.FORMAT, "implementations": implementations}


def test_the_schema_is_a_valid_2020_12_schema_named_by_the_format() -> None:
    schema = expectations.schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == expectations.FORMAT


def test_name_at_version_wins_over_the_bare_name() -> None:
    document = _document(
        **{"impl": {"disabled": {"a/1": "bare"}}, "impl@2.0": {"disabled": {"a/1": "v2"}}}
    )
    assert expectations.parse(document, "impl", "2.0").disabled == {"a/1": "v2"}
    assert expectations.parse(document, "impl", "1.0").disabled == {"a/1": "bare"}
    assert expectations.parse(document, "impl", "1.0").entry == "impl"


def test_a_file_without_an_entry_for_the_implementation_is_refused() -> None:
    document = _document(other={}, **{"impl@1.0": {}})
    with pytest.raises(ExpectationsError, match=r"no entry for implementation 'impl'.*impl@1\.0"):
        expectations.parse(document, "impl", "2.0", "exp.json")


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ({"format": "pjconf/expectations/v2", "implementations": {}}, "format"),
        ({"format": expectations.FORMAT}, "(root)"),
        (_document(impl={"known_failures": {"no-slash": "r"}}), "implementations/impl"),
        (_document(impl={"known_failures": {"a/1": ""}}), "known_failures/a/1"),
        (_document(impl={"disabled": {"a/1": 5}}), "disabled/a/1"),
        (_document(impl={"knownFailures": {}}), "implementations/impl"),
        (_document(impl={"excluded_families": {"a*": "glob"}}), "excluded_families"),
        (_document(**{"a@b@c": {}}), "implementations"),
    ],
    ids=[
        "format",
        "no-implementations",
        "pattern",
        "empty-reason",
        "reason-type",
        "unknown-key",
        "family-glob",
        "key",
    ],
)
def test_an_invalid_document_is_refused_with_where(document: object, where: str) -> None:
    with pytest.raises(ExpectationsError) as raised:
        expectations.parse(document, "impl", "1")
    assert where in str(raised.value)


@pytest.mark.parametrize("content", ["{", b"\xff\xfe", None])
def test_an_unreadable_file_is_an_error_naming_it(tmp_path: Path, content: object) -> None:
    path = tmp_path / "exp.json"
    if isinstance(content, str):
        path.write_text(content)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(ExpectationsError, match=r"exp\.json"):
        expectations.load(path, "impl", "1")


MATCHING = [
    # (table, case name, expected reason)
    ({"uri/1": "exact", "uri/*": "glob"}, "uri/1", "exact"),
    ({"uri/*": "glob", "uri/1": "exact"}, "uri/1", "exact"),
    ({"uri/1?": "first", "uri/1*": "second"}, "uri/12", "first"),
    ({"uri/1?": "first", "uri/1*": "second"}, "uri/123", "second"),
    ({"*/3": "any family"}, "hpke/3", "any family"),
    ({"uri/1": "exact"}, "uri/10", None),
    ({"uri/[12]": "set"}, "uri/2", "set"),
    ({"Uri/1": "case matters"}, "uri/1", None),
]


@pytest.mark.parametrize(("table", "name", "reason"), MATCHING)
def test_an_exact_entry_wins_then_the_first_glob(
    table: dict[str, str], name: str, reason: str | None
) -> None:
    family, tc_id = name.split("/")
    target = case(family, int(tc_id))
    assert Expectations(known_failures=table).known_failure_reason(target) == reason
    assert Expectations(disabled=table).disabled_reason(target) == reason


APPLY = [
    (Verdict.FAIL, Verdict.KNOWN_FAILURE),
    (Verdict.ERROR, Verdict.KNOWN_FAILURE),
    (Verdict.PASS, Verdict.UNEXPECTED_PASS),
    (Verdict.ACCEPTABLE, Verdict.UNEXPECTED_PASS),
    (Verdict.SKIP, Verdict.SKIP),
]


@pytest.mark.parametrize(("judged", "reported"), APPLY)
def test_a_known_failure_is_reclassified_and_keeps_the_judgement(
    judged: Verdict, reported: Verdict
) -> None:
    expect = Expectations(known_failures={"fam/1": "bug 7"})
    result = expect.apply(Outcome(case("fam", 1), judged, "detail", {"value": "02"}))
    assert (result.verdict, result.reason, result.detail) == (reported, "bug 7", "detail")
    assert result.judged == (None if judged is Verdict.SKIP else judged)


@pytest.mark.parametrize("judged", list(Verdict)[:5])
def test_a_case_not_listed_is_left_alone(judged: Verdict) -> None:
    original = Outcome(case("fam", 2), judged, "detail")
    assert Expectations(known_failures={"fam/1": "bug"}).apply(original) is original


CORPUS = [case("a", 1), case("a", 2), case("b", 1), reference_only("c", 1)]


@pytest.mark.parametrize(
    ("expect", "problems"),
    [
        (Expectations(known_failures={"a/*": "r"}, disabled={"b/1": "r"}), []),
        (Expectations(known_failures={"a/3": "r"}), ["known_failures['a/3'] matches no"]),
        (Expectations(disabled={"z/*": "r"}), ["disabled['z/*'] matches no"]),
        (Expectations(disabled={"c/1": "r"}), ["disabled['c/1'] matches no runnable"]),
        (Expectations(excluded_families={"c": "r"}), ["excluded_families['c'] is no family"]),
        (
            Expectations(known_failures={"a/1": "r"}, disabled={"a/*": "r"}),
            ["a/1 is both disabled['a/*'] and known_failures['a/1']"],
        ),
    ],
    ids=["clean", "stale-known", "stale-disabled", "reference-only", "stale-family", "both"],
)
def test_entries_matching_nothing_or_contradicting_are_problems(
    expect: Expectations, problems: list[str]
) -> None:
    found = expect.problems(CORPUS)
    assert len(found) == len(problems)
    for text, wanted in zip(found, problems, strict=True):
        assert wanted in text


def test_a_disabled_case_is_not_sent_and_is_a_skip_with_its_reason() -> None:
    expect = Expectations(disabled={"a/2": "hangs the adapter"})
    result, client = scripted_run([case("a", 1), case("a", 2, "error")], expectations=expect)
    assert client.calls == ["a.op"]
    skipped = result.outcomes[1]
    assert (skipped.verdict, skipped.reason) == (Verdict.SKIP, "hangs the adapter")
    assert "hangs the adapter" in skipped.detail
    assert result.ok


@pytest.mark.parametrize(
    ("answers", "strict", "ok"),
    [
        (["pass", "fail"], False, True),  # the known failure fails: green
        (["pass", "error"], False, True),  # ... or breaks the adapter: green
        (["fail", "fail"], False, False),  # a failure outside the expectations: red
        (["pass", "pass"], False, True),  # the known failure passes: a warning only
        (["pass", "pass"], True, False),  # ... which --strict-expectations makes red
    ],
)
def test_exit_status_counts_only_what_the_expectations_did_not_predict(
    answers: list[str], strict: bool, ok: bool
) -> None:
    cases = [case("a", i + 1, answer) for i, answer in enumerate(answers)]
    result, _ = scripted_run(cases, expectations=Expectations(known_failures={"a/2": "bug"}))
    result.strict_expectations = strict
    assert result.ok is ok


def test_a_run_of_only_known_failures_checks_nothing_and_is_not_green() -> None:
    result, _ = scripted_run(
        [case("a", 1, "fail")], expectations=Expectations(known_failures={"a/*": "all broken"})
    )
    assert result.count(Verdict.KNOWN_FAILURE) == 1
    assert not result.ok


def test_stale_entries_make_the_run_red() -> None:
    result, _ = scripted_run([case("a", 1)])
    assert result.ok
    result.setup_problems = Expectations(known_failures={"a/9": "gone"}).problems([case("a", 1)])
    assert not result.ok


def _flip_pt(result: JsonObject) -> JsonObject:
    value = str(result["pt"])
    return {**result, "pt": f"{int(value[:2] or '00', 16) ^ 1:02x}{value[2:]}"}


def _hpke_open_mutant() -> InProcessClient:
    handlers = dict(reference_adapter().handlers)
    original = handlers["hpke.open"]
    handlers["hpke.open"] = lambda args: _flip_pt(original(args))
    return InProcessClient(InProcessAdapter("mutant", "0", handlers))


def test_a_real_broken_op_listed_as_known_failures_keeps_the_run_green() -> None:
    """The hpke.open mutant FAILs its valid cases; ``hpke/*`` absorbs them, and the family's
    other cases (seal, refusals) come out as UNEXPECTED_PASS because the glob is too wide."""
    cases = select(load_corpus(vectors_dir()), families={"hpke"})
    plain = run(_hpke_open_mutant(), cases)
    failed = {o.case.name for o in plain.outcomes if o.verdict is Verdict.FAIL}
    assert failed
    assert not plain.ok

    wide = run(
        _hpke_open_mutant(), cases, expectations=Expectations(known_failures={"hpke/*": "x"})
    )
    assert {o.case.name for o in wide.outcomes if o.verdict is Verdict.KNOWN_FAILURE} == failed
    assert wide.count(Verdict.UNEXPECTED_PASS) == plain.count(Verdict.PASS) + plain.count(
        Verdict.ACCEPTABLE
    )
    assert wide.ok
    wide.strict_expectations = True
    assert not wide.ok

    exact = Expectations(known_failures=dict.fromkeys(sorted(failed)[1:], "mutant"))
    one_left = run(_hpke_open_mutant(), cases, expectations=exact)
    assert [o.case.name for o in one_left.outcomes if o.verdict is Verdict.FAIL] == [
        sorted(failed)[0]
    ]
    assert not one_left.ok
    assert one_left.family_state("hpke")[0] is FamilyState.FAILED


def test_the_expectations_file_shape_round_trips_through_json(tmp_path: Path) -> None:
    document = _document(
        **{
            "rust-payjoin@1.0.0": {
                "comment": "why these",
                "known_failures": {"events/120": "float"},
                "disabled": {"ohttp/1?": "slow"},
                "excluded_families": {"hpke": "no hpke ops"},
            }
        }
    )
    path = tmp_path / "e.json"
    path.write_text(json.dumps(document))
    loaded = expectations.load(path, "rust-payjoin", "1.0.0")
    assert loaded == Expectations(
        entry="rust-payjoin@1.0.0",
        known_failures={"events/120": "float"},
        disabled={"ohttp/1?": "slow"},
        excluded_families={"hpke": "no hpke ops"},
        source=str(path),
    )


def test_a_profile_list_applies_only_under_its_profile() -> None:
    document = _document(
        impl={
            "known_failures": {"a/1": "everywhere"},
            "profiles": {"payjoin-1.0": {"known_failures": {"a/2": "pinned quirk"}}},
        }
    )
    bip77 = expectations.parse(document, "impl", "1")
    strict = expectations.parse(document, "impl", "1", profile="payjoin-1.0")
    assert bip77.known_failures == {"a/1": "everywhere"}
    assert strict.known_failures == {"a/1": "everywhere", "a/2": "pinned quirk"}
    assert strict.profile == "payjoin-1.0"


@pytest.mark.parametrize(
    "profiles",
    [{"strict": {"known_failures": {}}}, {"payjoin-1.0": {"unknown": {}}}, {}],
)
def test_profile_lists_are_validated_strictly(profiles: object) -> None:
    with pytest.raises(ExpectationsError, match="profiles"):
        expectations.parse(_document(impl={"profiles": profiles}), "impl", "1")


def test_a_stale_profile_entry_is_reported_under_its_profile() -> None:
    document = _document(impl={"profiles": {"payjoin-1.0": {"known_failures": {"nope/9": "gone"}}}})
    cases = [case("a", 1)]
    assert expectations.parse(document, "impl", "1").problems(cases) == []
    stale = expectations.parse(document, "impl", "1", profile="payjoin-1.0").problems(cases)
    assert stale == [
        "stale expectation: known_failures['nope/9'] matches no runnable case (profile payjoin-1.0)"
    ]
