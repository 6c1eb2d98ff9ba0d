"""``pjconf run --junit FILE``: the run as JUnit XML, for CI systems that display test reports.

The shape is the common one CI servers read (Jenkins' junit-10 schema, as h2spec emits): one
``testsuite`` per family, one ``testcase`` per case with ``classname`` = family. FAIL is a
``failure`` carrying expected vs got and the inputs, ERROR an ``error``, SKIP and KNOWN_FAILURE a
``skipped`` with the reason. What fails the run without being a case (a family NOT RUN or in
which nothing ran, stale expectations, a run that checked nothing) is an ``error`` test case too,
so the file is red exactly when the exit status is non-zero.

XML 1.0 cannot carry most control characters, even escaped; an implementation's messages can
contain anything, so such characters are written as visible ``\\xNN`` escapes instead.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from pjconf.harness.reports.summary import (
    NOTED_STATES,
    RunInfo,
    expected_of,
    not_sent,
    reproduce,
    visible,
)
from pjconf.harness.run.checker import Outcome, Verdict
from pjconf.harness.run.runner import RunResult

RUN_SUITE = "pjconf"
"""The suite holding the run's own problems (stale expectations, nothing checked)."""


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _body(outcome: Outcome, run: RunResult) -> str:
    case = outcome.case
    lines = [
        f"{outcome.verdict.value} {case.name} [{case.op}] {case.comment}",
        f"detail: {outcome.detail}",
        f"expected: {_dump(expected_of(outcome))}",
        f"got: {_dump(outcome.got)}",
        f"inputs: {_dump(case.args)}",
        f"flags: {', '.join(case.flags) or '-'}",
        f"reproduce: {reproduce(outcome, run)}",
    ]
    if outcome.reason:
        lines.insert(1, f"expectation: {outcome.reason}")
    return visible("\n".join(lines))


class _Suite:
    def __init__(self, parent: ET.Element, name: str, info: RunInfo) -> None:
        self.element = ET.SubElement(parent, "testsuite", name=visible(name))
        self.element.set("timestamp", info.date)
        self.properties = ET.SubElement(self.element, "properties")
        self.tally = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        self.seconds = 0.0

    def prop(self, name: str, value: str) -> None:
        ET.SubElement(self.properties, "property", name=name, value=visible(value))

    def case(self, classname: str, name: str, seconds: float = 0.0) -> ET.Element:
        self.tally["tests"] += 1
        self.seconds += seconds
        return ET.SubElement(
            self.element,
            "testcase",
            classname=visible(classname),
            name=visible(name),
            time=f"{seconds:.3f}",
        )

    def mark(self, case: ET.Element, tag: str, message: str, kind: str, body: str = "") -> None:
        """Add a ``failure``/``error`` (with ``type`` = ``kind``) or a ``skipped`` (whose
        message says the kind) to ``case``."""
        self.tally[{"failure": "failures", "error": "errors", "skipped": "skipped"}[tag]] += 1
        child = ET.SubElement(case, tag, message=visible(message))
        if tag != "skipped":
            child.set("type", kind)
        if body:
            child.text = body

    def close(self) -> dict[str, int]:
        for key, number in self.tally.items():
            self.element.set(key, str(number))
        self.element.set("time", f"{self.seconds:.3f}")
        return self.tally


def _add_outcome(suite: _Suite, outcome: Outcome, run: RunResult, info: RunInfo) -> None:
    strict = run.strict_expectations
    case = outcome.case
    seconds = outcome.seconds if info.timed else 0.0
    element = suite.case(case.family, f"{case.tc_id} {case.comment}".strip(), seconds)
    verdict = outcome.verdict
    if verdict is Verdict.FAIL:
        suite.mark(element, "failure", outcome.detail, "FAIL", _body(outcome, run))
    elif verdict is Verdict.ERROR:
        # A case the breaker did not send has no inputs to show.
        body = "" if not_sent(outcome) else _body(outcome, run)
        suite.mark(element, "error", outcome.detail, "ERROR", body)
    elif verdict is Verdict.SKIP:
        suite.mark(element, "skipped", outcome.detail, "SKIP")
    elif verdict is Verdict.KNOWN_FAILURE:
        message = f"known failure: {outcome.reason}"
        suite.mark(element, "skipped", message, "KNOWN_FAILURE", _body(outcome, run))
    elif verdict is Verdict.UNEXPECTED_PASS:
        message = f"a known failure now passes ({outcome.reason}): update the expectations"
        if strict:
            suite.mark(element, "failure", message, "UNEXPECTED_PASS", _body(outcome, run))
        else:
            ET.SubElement(element, "system-out").text = visible(f"UNEXPECTED_PASS: {message}")
    elif verdict is Verdict.ACCEPTABLE:
        ET.SubElement(element, "system-out").text = visible(f"ACCEPTABLE: {outcome.detail}")


def _common_properties(suite: _Suite, info: RunInfo) -> None:
    suite.prop("implementation", info.name)
    suite.prop("version", info.version)
    suite.prop("impl", info.impl)
    suite.prop("profile", info.profile)
    suite.prop("corpus.version", str(info.corpus.get("version", "")))
    suite.prop("corpus.sha256", str(info.corpus.get("sha256", "")))
    if info.expectations:
        suite.prop("expectations", info.expectations)


def render(run: RunResult, info: RunInfo) -> str:
    """The whole report as an XML document (UTF-8 declared)."""
    root = ET.Element("testsuites", name=visible(f"pjconf run: {info.name} {info.version}"))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    suites: list[_Suite] = []
    for family in run.families:
        suite = _Suite(root, family, info)
        _common_properties(suite, info)
        state, reason = run.family_state(family)
        suite.prop("family.state", state.value)
        if run.interrupted:
            suite.prop("partial", f"interrupted ({run.interrupted})")
        for outcome in run.outcomes:
            if outcome.case.family == family:
                _add_outcome(suite, outcome, run, info)
        if state in NOTED_STATES:
            marker = suite.case(family, f"({state.value.lower()})")
            suite.mark(marker, "error", reason, state.value)
        suites.append(suite)
    for family, reason in sorted(run.excluded.items()):
        suite = _Suite(root, family, info)
        _common_properties(suite, info)
        suite.prop("family.state", "excluded")
        suite.mark(suite.case(family, "(excluded)"), "skipped", f"excluded: {reason}", "EXCLUDED")
        suites.append(suite)
    problems = run.run_problems()
    if problems:
        suite = _Suite(root, RUN_SUITE, info)
        _common_properties(suite, info)
        for problem in problems:
            suite.mark(suite.case(RUN_SUITE, problem), "error", problem, "RUN")
        suites.append(suite)
    for suite in suites:
        for key, number in suite.close().items():
            totals[key] += number
    for key, number in totals.items():
        root.set(key, str(number))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
