"""What ``pjconf bench`` writes: pytest-benchmark JSON its own tools load, and an HTML page with
an SVG chart of the ratios, no script, and every row that was not timed with its reason."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from harness.bench.adapters import planted_run

from pjconf.harness.bench import page, pytest_json
from pjconf.harness.bench.model import BenchRun


@pytest.fixture(scope="module")
def run() -> BenchRun:
    return planted_run()


def test_json_is_pytest_benchmark_json(run: BenchRun, tmp_path: Path) -> None:
    document = json.loads(pytest_json.render(run))
    assert {"machine_info", "commit_info", "benchmarks", "datetime", "version"} <= set(document)
    names = [b["name"] for b in document["benchmarks"]]
    assert names == [
        "ellswift.decode[fast]",
        "ellswift.decode[slow]",
        "ellswift.decode[libsecp256k1 floor]",
    ]
    fast, slow, floor = document["benchmarks"]
    assert fast["group"] == slow["group"] == floor["group"] == "ellswift.decode"
    assert slow["stats"]["median"] == pytest.approx(6e-6)  # seconds, as pytest-benchmark writes
    assert slow["stats"]["rounds"] == 3
    assert slow["stats"]["iterations"] == 1_000_000 // 6_000
    assert slow["extra_info"]["ratio"] == pytest.approx(3.0)
    assert slow["extra_info"]["ratio_to"] == "fast"
    assert floor["extra_info"]["floor"] is True
    (untimed,) = document["pjconf"]["untimed"]
    assert untimed["implementation"] == "mutant"
    assert untimed["status"] == "gated"
    assert "vectors of ellswift.decode failed" in untimed["reason"]
    # pytest-benchmark's own command reads it.
    path = tmp_path / "bench.json"
    path.write_text(pytest_json.render(run), encoding="utf-8")
    compare = subprocess.run(
        [sys.executable, "-m", "pytest_benchmark", "compare", "--columns=median", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert compare.returncode == 0, compare.stderr
    assert "ellswift.decode[slow]" in compare.stdout


def test_html_has_an_svg_chart_no_script_and_the_untimed_rows(run: BenchRun) -> None:
    text = page.render(run, allow_gated=False)
    svgs = re.findall(r"<svg.*?</svg>", text, re.DOTALL)
    assert len(svgs) == 2  # ratio to the first --impl, ratio to the floor
    for svg in svgs:
        ElementTree.fromstring(svg)  # well-formed: a browser draws what it parses
    assert "<script" not in text.lower()
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "3x</text>" in text  # the slow implementation's bar is labelled with its ratio
    assert "not timed (gated)" in text
    assert "vectors of ellswift.decode failed" in text
    assert "FAILED" in text


def test_html_escapes_what_the_implementation_said(run: BenchRun) -> None:
    row = next(r for r in run.rows.values() if r.label == "mutant")
    row.reason = 'answered <img src=x onerror="alert(1)">'
    text = page.render(run, allow_gated=False)
    assert "<img" not in text
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text
