"""``pjconf bench`` as a user runs it: options, outputs, progress and exit statuses."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pjconf.harness.cli import main

MUTANT = """
from pjconf.reference.adapter.bench_op import bench_handlers
from pjconf.reference.adapter.dispatch import InProcessAdapter
from pjconf.reference.adapter.ops import reference_adapter
from pjconf.reference.adapter.serve import serve
import sys
handlers = dict(reference_adapter().handlers)
right = handlers["short_id"]
handlers["short_id"] = lambda args: {**right(args), "id": "00" * 8}
handlers["bench"] = bench_handlers(handlers)["bench"]
sys.exit(serve(InProcessAdapter("mutant", "0", handlers), sys.stdin, sys.stdout))
"""
FAST = ["--rounds", "1", "--round-ms", "0.5"]


@pytest.fixture
def mutant(tmp_path: Path) -> str:
    """``cmd:`` spec of an adapter process: the reference with every short_id answer wrong."""
    script = tmp_path / "mutant.py"
    script.write_text(MUTANT, encoding="utf-8")
    return f"cmd:{sys.executable} {script}"


def test_a_run_writes_the_table_json_and_html(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_json, out_html = tmp_path / "b.json", tmp_path / "b.html"
    argv = ["bench", "--impl", "reference", "--ops", "short_id", *FAST]
    status = main([*argv, "--json", str(out_json), "--html", str(out_html)])
    captured = capsys.readouterr()
    assert status == 0
    assert "pjconf bench: OK: 1 timed, 0 gated" in captured.out
    assert "pjconf bench: gate short_id on pjconf-reference@" in captured.err
    assert "pjconf bench: [1/1] short_id: pjconf-reference@" in captured.err
    assert json.loads(out_json.read_text())["benchmarks"][0]["group"] == "short_id"
    assert "<svg" in out_html.read_text()


def test_quiet_prints_no_progress(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--impl", "reference", "--ops", "short_id", *FAST, "-q"]) == 0
    assert capsys.readouterr().err == ""


def test_a_gated_op_fails_the_run_unless_allowed(
    mutant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["bench", "--impl", "reference", "--impl", mutant, "--ops", "short_id", *FAST]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert "FAILED: 1 timed, 1 gated" in captured.out
    assert f"reproduce: pjconf run --impl '{mutant[4:]}'"[:40] in captured.out.replace(
        "--impl 'cmd:", "--impl '"
    )
    assert main([*argv, "--allow-gated", "-q"]) == 0


def test_known_failures_do_not_gate_but_the_timed_answer_is_still_checked(
    mutant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    known = tmp_path / "expectations.json"
    failures = {"uri/*": "this mutant answers every ShortId wrong"}
    document = {
        "format": "pjconf/expectations/v1",
        "implementations": {"mutant": {"known_failures": failures}},
    }
    known.write_text(json.dumps(document), encoding="utf-8")
    argv = ["bench", "--impl", mutant, "--ops", "short_id", *FAST, "--expectations", str(known)]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert "passed: vectors of short_id: 8 KNOWN_FAILURE" in captured.err
    assert "gated: what its bench timed is not the answer of vector uri/" in captured.out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--ops", "no-such-op"], "--ops 'no-such-op' names no group, op or item"),
        (["--impl", "nonsense"], "unknown --impl 'nonsense'"),
        (["--vectors", "/no/such/dir"], "/no/such/dir: no such directory"),
        (["--expectations", "/no/such/file.json"], "/no/such/file.json"),
        (["--json", "/no/such/dir/b.json"], "cannot write /no/such/dir/b.json"),
    ],
)
def test_bad_usage_is_exit_2_with_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "--impl", "reference", "--ops", "short_id", *FAST, *argv]) == 2
    assert message in capsys.readouterr().err


def test_list_names_the_items_an_ops_selection_takes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--impl", "reference", "--list", "--ops", "replay/sender,session"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == [
        "replay/sender/10",
        "replay/sender/100",
        "replay/sender/1000",
        "session.whole",
    ]
