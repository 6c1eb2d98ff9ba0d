"""What a person reads in a CI log or a report: a reproduce line that runs as printed, the
right words when nothing passed, SKIPs listed by reason, coverage in the HTML, what an
ACCEPTABLE case answered, measured times (or none, on request), and the corpus listing."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

from harness.run.run_support import case, scripted_run

from pjconf.harness.implementations.client import Reply
from pjconf.harness.reports import html, junit
from pjconf.harness.reports.summary import RunInfo, reproduce, skip_lines, to_json
from pjconf.harness.run.checker import Verdict, judge
from pjconf.harness.run.runner import NOTHING_PASSED, NOTHING_RAN
from pjconf.harness.run.variants import Variants

PJCONF = [sys.executable, "-m", "pjconf.harness"]
INFO = RunInfo(implementation={"implementation": "x", "version": "1"}, impl="cmd:./x")


def test_the_reproduce_line_repeats_the_runs_setup_and_seed() -> None:
    result, _ = scripted_run([case("replay", 7, "fail"), case("uri", 3, "fail")])
    result.rerun = ("--impl", "cmd:./my adapter", "--expectations", "mine.json")
    result.variants = Variants("5eed", {"replay/7": case("replay", 7)})
    replay_line, uri_line = (reproduce(o, result) for o in result.outcomes)
    assert replay_line == (
        "pjconf run --impl 'cmd:./my adapter' --expectations mine.json --case replay/7 --seed 5eed"
    )
    assert uri_line.endswith("--case uri/3")  # no variant, no seed
    assert "--impl 'cmd:./my adapter'" in uri_line


def test_a_run_whose_cases_all_failed_says_so_not_that_nothing_ran() -> None:
    failed, _ = scripted_run([case("uri", 1, "fail")])
    assert NOTHING_PASSED in failed.run_problems()
    assert NOTHING_RAN not in failed.run_problems()
    skipped, _ = scripted_run([case("uri", 1, "skip")])
    assert NOTHING_RAN in skipped.run_problems()


def test_the_nothing_passed_line_is_printed_once(tmp_path: Path) -> None:
    adapter = tmp_path / "refuse.py"
    adapter.write_text(
        "import json, sys\n"
        "for line in sys.stdin:\n"
        "    r = json.loads(line)\n"
        "    a = {'result': {'protocol': 1}} if r['op'] in ('hello', 'shutdown') else "
        "{'error': {'kind': 'No', 'message': 'no'}}\n"
        "    print(json.dumps({'id': r['id'], **a}), flush=True)\n"
    )
    done = subprocess.run(
        [*PJCONF, "run", "-q", "--family", "uri", "--impl", f"cmd:{sys.executable} {adapter}"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    both = done.stdout + done.stderr
    assert both.count("no case passed") == 1
    assert "no case ran" not in both
    assert f"--impl 'cmd:{sys.executable} {adapter}'" in done.stdout  # reproduce, as run


def test_skips_are_listed_by_reason_with_counts() -> None:
    result, _ = scripted_run([case("uri", n, "skip") for n in range(1, 9)])
    text = skip_lines(result)
    assert text.startswith("SKIP 8: unimplemented: op not implemented")
    assert "uri/1, uri/2" in text
    assert "(+2)" in text


def test_the_html_report_lists_skips_by_reason_and_the_state_graph() -> None:
    result, _ = scripted_run([case("uri", 1, "skip"), case("uri", 2, "pass")])
    page = html.render(result, INFO)
    assert "Skipped, by reason" in page
    assert "1 &times; unimplemented: op not implemented" in page
    assert "State-graph coverage" in page
    assert "receiver: 0 of" in page


def test_an_acceptable_case_keeps_what_the_implementation_answered() -> None:
    acceptable = case("uri", 1, result="acceptable")
    accepted = judge(acceptable, Reply("result", {"value": "01"}))
    refused = judge(acceptable, Reply("error", {"kind": "InvalidUri", "message": "no"}))
    assert accepted.verdict is refused.verdict is Verdict.ACCEPTABLE
    assert accepted.got == {"value": "01"}
    assert refused.got == {"kind": "InvalidUri", "message": "no"}


def test_junit_records_measured_times_unless_asked_not_to() -> None:
    result, _ = scripted_run([case("uri", 1)])
    result.outcomes[0] = replace(result.outcomes[0], seconds=0.25)
    timed = ET.fromstring(junit.render(result, INFO).encode())
    (testcase,) = timed.iter("testcase")
    assert testcase.get("time") == "0.250"
    assert next(timed.iter("testsuite")).get("time") == "0.250"
    untimed = ET.fromstring(junit.render(result, replace(INFO, timed=False)).encode())
    assert next(untimed.iter("testcase")).get("time") == "0.000"
    assert to_json(result, {}, replace(INFO, timed=False))["cases"][0]["seconds"] == 0


def test_reproducible_reports_are_byte_identical(tmp_path: Path) -> None:
    outputs = []
    for n in range(2):
        report = tmp_path / f"r{n}.xml"
        subprocess.run(
            [*PJCONF, "run", "-q", "--family", "uri", "--reproducible", "--junit", str(report)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        outputs.append(report.read_bytes())
    assert outputs[0] == outputs[1]
    assert b'timestamp="1970-01-01T00:00:00Z"' in outputs[0]


def test_vectors_list_has_a_header_and_explains_its_total() -> None:
    done = subprocess.run(
        [*PJCONF, "vectors", "list"], check=True, capture_output=True, text=True, timeout=60
    )
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["family", "file", "cases", "runnable", "reference-only"]
    total = next(line for line in lines if line.startswith("total")).split()
    assert int(total[1]) == int(total[2]) + int(total[3])
    directory = next(line for line in lines if line.startswith("directory ")).split()
    to_adapters = int(total[2]) - int(directory[3])
    assert f"sends the {to_adapters} runnable cases to an implementation" in done.stdout
    assert f"with --directory URL, the {directory[3]} directory cases" in done.stdout
