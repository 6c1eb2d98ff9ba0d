"""``--junit``: well-formed JUnit XML whose counts, structure and colour match the run."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from harness.run.run_support import case, scripted_run

from pjconf.harness.reports import junit
from pjconf.harness.reports.summary import RunInfo, visible
from pjconf.harness.run.checker import Outcome, Verdict
from pjconf.harness.run.expectations import Expectations
from pjconf.harness.run.runner import RunResult

INFO = RunInfo(
    implementation={"implementation": "fake-impl", "version": "9.9"},
    impl="cmd:fake",
    corpus={"version": "pjconf 0.1.0", "sha256": "ab" * 32},
    started=1_700_000_000,
    expectations="e.json (fake-impl)",
)

# The common JUnit shape (Jenkins' junit-10.xsd): element -> (allowed attributes, children).
SHAPE: dict[str, tuple[set[str], set[str]]] = {
    "testsuites": (
        {"name", "time", "tests", "failures", "errors", "skipped", "disabled"},
        {"testsuite"},
    ),
    "testsuite": (
        {
            "name",
            "tests",
            "failures",
            "errors",
            "skipped",
            "time",
            "timestamp",
            "hostname",
            "id",
            "package",
            "disabled",
        },
        {"properties", "testcase", "system-out", "system-err"},
    ),
    "properties": (set(), {"property"}),
    "property": ({"name", "value"}, set()),
    "testcase": (
        {"name", "classname", "time", "assertions", "status"},
        {"skipped", "error", "failure", "system-out", "system-err"},
    ),
    "failure": ({"message", "type"}, set()),
    "error": ({"message", "type"}, set()),
    "skipped": ({"message"}, set()),
    "system-out": (set(), set()),
    "system-err": (set(), set()),
}


def _check_shape(element: ET.Element) -> None:
    attributes, children = SHAPE[element.tag]
    assert set(element.attrib) <= attributes, element.tag
    for child in element:
        assert child.tag in children, f"{child.tag} inside {element.tag}"
        _check_shape(child)


def _mixed_run(strict: bool = False) -> RunResult:
    cases = [
        case("alpha", 1),
        case("alpha", 2, "fail", comment="wrong answer", flags=("Edge",)),
        case("alpha", 3, "error"),
        case("alpha", 4, "skip"),
        case("alpha", 5, "fail"),
        case("alpha", 6, "pass"),
        case("beta", 1, "skip"),
        case("gamma", 1, op="gamma.unsupported"),
    ]
    expect = Expectations(known_failures={"alpha/5": "bug 5", "alpha/6": "bug 6"})
    result, _ = scripted_run(cases, expectations=expect, supported_ops={"alpha.op", "beta.op"})
    result.excluded = {"delta": "not for this adapter"}
    result.setup_problems = ["stale expectation: disabled['x/*'] matches no runnable case"]
    result.strict_expectations = strict
    return result


def _parse(run: RunResult) -> ET.Element:
    text = junit.render(run, INFO)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def _case(root: ET.Element, suite: str, name_start: str) -> ET.Element:
    found = [
        c
        for s in root.iter("testsuite")
        if s.get("name") == suite
        for c in s.iter("testcase")
        if str(c.get("name")).startswith(name_start)
    ]
    assert len(found) == 1, (suite, name_start)
    return found[0]


def test_the_document_has_the_common_junit_shape() -> None:
    root = _parse(_mixed_run())
    assert root.tag == "testsuites"
    _check_shape(root)


def test_one_suite_per_family_then_excluded_then_the_run_problems() -> None:
    root = _parse(_mixed_run())
    names = [s.get("name") for s in root.iter("testsuite")]
    assert names == ["alpha", "beta", "gamma", "delta", junit.RUN_SUITE]
    alpha = next(s for s in root.iter("testsuite") if s.get("name") == "alpha")
    assert {c.get("classname") for c in alpha.iter("testcase")} == {"alpha"}
    assert [c.get("name") for c in alpha.iter("testcase")][1] == "2 wrong answer"


def test_declared_counts_match_the_elements_at_every_level() -> None:
    root = _parse(_mixed_run())
    for suite in root.iter("testsuite"):
        cases = list(suite.iter("testcase"))
        assert int(suite.get("tests", "-1")) == len(cases)
        for tag, key in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
            assert int(suite.get(key, "-1")) == sum(1 for c in cases if c.find(tag) is not None)
    for key in ("tests", "failures", "errors", "skipped"):
        assert int(root.get(key, "-1")) == sum(int(s.get(key, "0")) for s in root.iter("testsuite"))
    assert (root.get("failures"), root.get("errors"), root.get("skipped")) == ("1", "4", "4")


def test_each_verdict_maps_to_its_element() -> None:
    root = _parse(_mixed_run())
    failure = _case(root, "alpha", "2 ").find("failure")
    assert failure is not None
    assert failure.get("type") == "FAIL"
    body = failure.text or ""
    for line in ("expected: ", "got: ", "inputs: ", "flags: Edge", "reproduce: pjconf run"):
        assert line in body
    assert '"value": "01"' in body
    assert '"value": "02"' in body
    assert '"answer": "fail"' in body  # the inputs

    error = _case(root, "alpha", "3 ").find("error")
    assert error is not None
    assert error.get("type") == "ERROR"
    assert "adapter exited" in str(error.get("message"))

    skipped = _case(root, "alpha", "4 ").find("skipped")
    assert skipped is not None
    assert "unimplemented" in str(skipped.get("message"))

    known = _case(root, "alpha", "5 ").find("skipped")
    assert known is not None
    assert known.get("message") == "known failure: bug 5"
    assert "expectation: bug 5" in (known.text or "")

    unexpected = _case(root, "alpha", "6 ")
    assert unexpected.find("failure") is None
    assert "UNEXPECTED_PASS" in str(unexpected.findtext("system-out"))

    assert list(_case(root, "alpha", "1 ")) == []  # a PASS is an empty testcase


def test_families_that_ran_nothing_and_run_problems_are_errors() -> None:
    root = _parse(_mixed_run())
    nothing = _case(root, "beta", "(nothing ran)").find("error")
    assert nothing is not None
    assert nothing.get("type") == "NOTHING RAN"
    not_run = _case(root, "gamma", "(not run)").find("error")
    assert not_run is not None
    assert "gamma.unsupported" in str(not_run.get("message"))
    excluded = _case(root, "delta", "(excluded)").find("skipped")
    assert excluded is not None
    assert excluded.get("message") == "excluded: not for this adapter"
    problem = _case(root, junit.RUN_SUITE, "stale expectation").find("error")
    assert problem is not None


def test_properties_name_the_implementation() -> None:
    root = _parse(_mixed_run())
    for suite in root.iter("testsuite"):
        properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert properties["implementation"] == "fake-impl"
        assert properties["version"] == "9.9"
        assert properties["corpus.sha256"] == "ab" * 32
        assert suite.get("timestamp") == "2023-11-14T22:13:20Z"


def test_strict_expectations_turn_an_unexpected_pass_into_a_failure() -> None:
    root = _parse(_mixed_run(strict=True))
    failure = _case(root, "alpha", "6 ").find("failure")
    assert failure is not None
    assert failure.get("type") == "UNEXPECTED_PASS"


NASTY = "a<b>&\"c' \x00\x01\x08\x0b\x0c\x1b[31m\x7f\ud800\ufffe\uffff end"


def test_markup_and_control_characters_survive_as_readable_text() -> None:
    bad = Outcome(
        case("esc", 1, comment=NASTY, flags=(NASTY,)),
        Verdict.FAIL,
        detail=NASTY + "\nsecond line",
        got={"value": NASTY},
    )
    run = RunResult(outcomes=[bad, Outcome(case("esc", 2), Verdict.PASS)], families=["esc"])
    root = _parse(run)  # parses: no raw control character reached the file
    testcase = _case(root, "esc", "1 ")
    name = str(testcase.get("name"))
    assert "a<b>&\"c'" in name
    for escape in ("\\x00", "\\x01", "\\x08", "\\x0b", "\\x0c", "\\x1b[31m", "\\x7f", "\\ud800"):
        assert escape in name
    assert "\\ufffe" in name
    assert "\\uffff" in name
    failure = testcase.find("failure")
    assert failure is not None
    assert failure.get("message") == visible(NASTY + "\nsecond line")
    assert visible(NASTY) in (failure.text or "")


@pytest.mark.parametrize(
    "make",
    [
        _mixed_run,
        lambda: scripted_run([case("a", 1)])[0],
        lambda: scripted_run([case("a", 1), case("a", 2, "fail")])[0],
        lambda: scripted_run([case("a", 1, "skip")])[0],
        lambda: scripted_run([])[0],
        lambda: scripted_run(
            [case("a", 1), case("a", 2, "pass")],
            expectations=Expectations(known_failures={"a/2": "x"}),
        )[0],
    ],
    ids=["mixed", "green", "fail", "all-skip", "empty", "unexpected-pass"],
)
def test_the_file_is_red_exactly_when_the_run_is(make: Callable[[], RunResult]) -> None:
    run = make()
    root = _parse(run)
    red = int(root.get("failures", "0")) + int(root.get("errors", "0")) > 0
    assert red is not run.ok
