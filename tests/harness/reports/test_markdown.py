"""``pjconf report summary --markdown``: a job summary saying what failed, escaped and bounded."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pjconf.harness import cli
from pjconf.harness.reports import markdown


def _report(cases: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A report in the shape ``pjconf run --json`` writes, counted from ``cases``."""
    counts = {v: 0 for v in (*markdown.BASE, *markdown.EXTRA)}
    for c in cases:
        counts[c["verdict"]] += 1
    failed = counts["FAIL"] + counts["ERROR"]
    document: dict[str, Any] = {
        "implementation": {"implementation": "fake-impl", "version": "9.9"},
        "impl": "cmd:./my adapter",
        "ok": not failed,
        "counts": counts,
        "families": {
            "uri": {"state": "FAILED" if failed else "ok", "reason": "", "counts": counts},
            "hpke": {"state": "NOT RUN", "reason": "hello lists none of hpke.seal", "counts": {}},
        },
        "excluded": {"ohttp": "--exclude-family"},
        "expectations": {"applied": "", "strict": False, "problems": []},
        "problems": [],
        "verified": {"cases": counts["PASS"], "corpusRunnable": 1026, "share": 12.5},
        "variants": {"seed": "s33d", "cases": ["uri/2"], "unpaired": []},
        "stateGraph": {"receiver": {"covered": 3, "declared": 50, "missing": []}},
        "corpus": {"version": "pjconf 0.1.0", "sha256": "ab" * 32},
        "date": "2023-11-14T22:13:20Z",
        "elapsedSeconds": 1.5,
        "cases": cases,
    }
    document.update(extra)
    return document


def _case(tc_id: int, verdict: str, detail: str = "", **extra: Any) -> dict[str, Any]:
    entry = {"name": f"uri/{tc_id}", "op": "uri.parse", "comment": f"case {tc_id}"}
    return {**entry, "verdict": verdict, "detail": detail, "reason": "", **extra}


def test_a_failing_run_names_why_every_failing_case_and_how_to_rerun_it() -> None:
    text = markdown.render(
        _report(
            [_case(1, "PASS"), _case(2, "FAIL", "amount: expected 1, got 2"), _case(3, "ERROR")]
        )
    )
    assert text.startswith("## pjconf: FAILED - fake-impl 9.9\n")
    assert "Failed because: 1 FAIL; 1 ERROR; 1 family NOT RUN." in text
    assert "| **total** | **1** | **1** | **0** | **0** | **1** | **FAILED** |" in text
    assert "| hpke | - | - | - | - | - | NOT RUN |" in text
    assert "### Failing cases (2)" in text
    assert "amount: expected 1, got 2" in text
    # Quoted for a shell, with the run's seed only for the case that had a fresh variant.
    assert "pjconf run --impl 'cmd:./my adapter' --case uri/2 --seed s33d" in text
    assert "pjconf run --impl 'cmd:./my adapter' --case uri/3\n" in text
    assert "ohttp: excluded - --exclude-family" in text
    assert "**Verified:** 1 of 1026 runnable corpus cases (12.5%)" in text


def test_known_failures_and_a_lenient_unexpected_pass_keep_the_title_green() -> None:
    cases = [
        _case(1, "PASS"),
        _case(2, "KNOWN_FAILURE", reason="finding 3"),
        _case(3, "UNEXPECTED_PASS", reason="finding 4"),
    ]
    text = markdown.render(_report(cases))
    assert text.startswith("## pjconf: ok - ")
    assert "Failing cases" not in text
    assert "### Known failures that now pass (1)" in text
    assert "### Known failures (1)\n\n- `uri/2`: finding 3" in text
    assert "KNOWN_FAILURE | UNEXPECTED_PASS | status |" in text
    strict = _report(cases, expectations={"applied": "x", "strict": True, "problems": []})
    assert "### Failing cases (1)" in markdown.render(strict)


def test_what_an_implementation_says_cannot_become_markup() -> None:
    hostile = "<script>alert(1)</script> | [x](http://evil) ```\n# heading"
    report = _report([_case(1, "FAIL", hostile, comment=hostile)])
    report["families"]["we|rd<b>"] = {"state": "NOTHING RAN", "reason": hostile, "counts": {}}
    text = markdown.render(report)
    outside_fences = re.sub(r"(`{3,})\w*\n.*?\n\1\n", "", text, flags=re.DOTALL)
    assert "<script>" not in outside_fences
    assert "[x](http" not in outside_fences
    assert "case 1: &lt;script&gt;" not in outside_fences  # comment escaped, not cut
    assert "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\[x\\](http://evil)" in outside_fences
    # The detail sits in a fence longer than any backtick run inside it.
    assert "````text\n<script>alert(1)</script> | [x](http://evil) ```\n# heading\n````" in text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(rows) == 5  # header, uri, hpke, the odd family, total
    for row in rows:  # no cell was added by a family name
        assert len(re.findall(r"(?<!\\)\|", row)) == 8


def test_the_summary_stays_under_githubs_step_summary_limit() -> None:
    cases = [_case(i, "FAIL", "x" * 200_000) for i in range(2_000)]
    problems = [f"stale expectation {i}: " + "y" * 5_000 for i in range(500)]
    text = markdown.render(_report(cases, problems=problems))
    assert len(text.encode()) < markdown.BYTE_LIMIT
    assert "### Failing cases (2000)" in text
    assert "... and 1950 more cases (all are in the JSON report)." in text
    assert "... and 450 more problems" in text
    assert "more characters in the JSON report" in text
    assert text.count("```sh") == markdown.MAX_FAILURES


def test_report_summary_prints_markdown_and_refuses_a_file_that_is_no_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "r.json"
    good.write_text(json.dumps(_report([_case(1, "PASS")])))
    assert cli.main(["report", "summary", "--markdown", str(good)]) == 0
    assert capsys.readouterr().out.startswith("## pjconf: ok")
    bad = tmp_path / "bad.json"
    bad.write_text('{"ok": true}')
    assert cli.main(["report", "summary", "--markdown", str(bad)]) == 2
    assert "is not a pjconf run --json report" in capsys.readouterr().err
