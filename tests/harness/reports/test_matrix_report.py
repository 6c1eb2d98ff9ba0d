"""The matrix report: ``pjconf run`` with several ``--impl``, and ``pjconf report merge`` of
several implementations' reports.

The second implementation is a real adapter process: the reference behind ``cmd:`` with one
planted difference, every ``uri.parse`` answer whose amount is 1,000,000 sat reported one sat
more. Which cases that touches is read from the corpus (every ``uri.parse`` case whose expected
answer has that amount), not from a run, so the matrix must show exactly those rows as
disagreements and no other.
"""

from __future__ import annotations

import io
import json
import sys
from contextlib import redirect_stdout
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pjconf.harness import cli
from pjconf.harness.corpus.load import load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.reference.entropy import FixedClock

ROOT = Path(__file__).resolve().parents[3]
CLOCK = 1_700_000_000
MUTANT = """
import sys
from pjconf.reference.adapter.dispatch import InProcessAdapter
from pjconf.reference.adapter.ops import reference_adapter
from pjconf.reference.adapter.serve import serve

handlers = dict(reference_adapter().handlers)
parse = handlers["uri.parse"]


def one_sat_more(args):
    result = parse(args)
    if result.get("amount") == 1000000:
        return {**result, "amount": 1000001}
    return result


handlers["uri.parse"] = one_sat_more
sys.exit(serve(InProcessAdapter("mutant", "0", handlers), sys.stdin, sys.stdout))
"""
SELECTION = ("--family", "uri", "--no-variants", "--reproducible", "-q")


def _planted() -> set[str]:
    """The cases the mutant must get wrong, from the corpus alone."""
    return {
        case.name
        for case in load_corpus(vectors_dir())
        if case.op == "uri.parse"
        and isinstance(case.expected, dict)
        and case.expected.get("amount") == 1_000_000
    }


@pytest.fixture(scope="module")
def mutant(tmp_path_factory: pytest.TempPathFactory) -> str:
    script = tmp_path_factory.mktemp("mutant") / "mutant.py"
    script.write_text(MUTANT)
    return f"cmd:{sys.executable} {script}"


def _main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv), clock=FixedClock(CLOCK))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def _schema_valid(document: dict[str, Any]) -> None:
    schema = json.loads((ROOT / "docs" / "matrix.v1.schema.json").read_text())
    jsonschema.validate(document, schema)


def _expectations(tmp_path: Path, entries: dict[str, list[str]]) -> Path:
    path = tmp_path / "expect.json"
    document = {
        "format": "pjconf/expectations/v1",
        "implementations": {
            name: {"known_failures": {case: "planted: one sat more" for case in cases}}
            for name, cases in entries.items()
        },
    }
    path.write_text(json.dumps(document))
    return path


@pytest.fixture(scope="module")
def direct(mutant: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The matrix of one ``pjconf run`` of both implementations, its page and its log."""
    tmp = tmp_path_factory.mktemp("direct")
    out, page = tmp / "m.json", tmp / "m.html"
    argv = ["run", *SELECTION, "--impl", "reference", "--impl", mutant]
    log = io.StringIO()  # a module fixture has no capsys: the log is stdout, caught here
    outputs = ["--json", str(out), "--html", str(page), "--reports-dir", str(tmp / "each")]
    with redirect_stdout(log):
        status = cli.main([*argv, *outputs], clock=FixedClock(CLOCK))
    each = sorted((tmp / "each").glob("*.json"))
    return {
        "status": status,
        "json": out,
        "html": page,
        "log": log.getvalue(),
        "each": each,
        "dir": tmp / "each",
    }


def test_the_matrix_shows_exactly_the_planted_disagreements(direct: dict[str, Any]) -> None:
    assert direct["status"] == 1  # the mutant's run fails, so the matrix does
    document = _load(direct["json"])
    _schema_valid(document)
    planted = _planted()
    assert len(planted) >= 10  # the corpus has enough such cases for the test to mean something
    assert [i["label"] for i in document["implementations"]] == [
        "pjconf-reference 0.1.0",
        "mutant 0",
    ]
    assert [i["ok"] for i in document["implementations"]] == [True, False]
    rows = {row["name"]: row for row in document["cases"]}
    assert {n for n, r in rows.items() if r["agreement"] == "disagree"} == planted
    assert [d["name"] for d in document["disagreements"]] == sorted(
        planted, key=lambda n: int(n.split("/")[1])
    )
    for name in planted:
        reference, mutant = rows[name]["cells"]
        assert reference["verdict"] in ("PASS", "ACCEPTABLE")
        assert mutant["verdict"] == "FAIL"
        assert mutant["detail"]
    for case in load_corpus(vectors_dir()):
        if case.name in planted and case.result == "valid":  # the amount is what differs
            assert "expected 1000000, got 1000001" in rows[case.name]["cells"][1]["detail"]
        assert mutant["reproduce"].startswith("pjconf run --impl 'cmd:")
        assert mutant["reproduce"].endswith(f"--case {name}")
    others = [r for n, r in rows.items() if n not in planted]
    assert others
    assert all(r["agreement"] == "agree" for r in others)
    assert document["summary"] == {
        "cases": len(rows),
        "agree": len(others),
        "disagree": len(planted),
        "disagreeKnown": 0,
        "incomplete": 0,
        "failingEverywhere": 0,
    }
    (family,) = document["families"]
    assert family["name"] == "uri"
    assert family["implementations"][1]["state"] == "FAILED"
    assert family["implementations"][1]["counts"]["FAIL"] == len(planted)
    # The log: each implementation's own summary, then the matrix, then its verdict.
    log = direct["log"]
    assert log.index("pjconf run: pjconf-reference") < log.index("pjconf run: mutant 0")
    assert f"DISAGREE {sorted(planted)[0]} [uri.parse]: [1] " in log
    assert log.rstrip().splitlines()[-1] == (
        f"pjconf run: matrix: FAILED ([2] FAILED); {len(rows)} cases: {len(others)} agree, "
        f"{len(planted)} disagree (0 known failures), 0 incomplete"
    )


class _Tree(HTMLParser):
    """Checks that every element is closed in order (void elements aside) and collects ids."""

    VOID = frozenset({"meta", "br", "hr", "img", "link", "input", "col", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.ids: list[str] = []
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.ids.extend(v or "" for k, v in attrs if k == "id")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_page_is_well_formed_has_no_script_and_a_disagreement_view(
    direct: dict[str, Any],
) -> None:
    page = direct["html"].read_text()
    tree = _Tree()
    tree.feed(page)
    tree.close()
    assert not tree.problems
    assert tree.stack == []
    assert "script" not in tree.tags
    assert "<script" not in page.lower()
    assert "onclick" not in page.lower()
    assert "javascript:" not in page.lower()
    assert len(tree.ids) == len(set(tree.ids))  # every anchor names one place
    assert {"implementations", "families", "disagreements", "cases", "family-uri"} <= set(tree.ids)
    assert 'href="#disagreements"' in page
    section = page[page.index('id="disagreements"') : page.index('id="cases"')]
    planted = _planted()
    shown = {name for name in planted if f'<th class="case">{name}</th>' in section}
    assert shown == planted
    rows_in_section = section.count('<th class="case">')
    assert rows_in_section == len(planted)


def test_same_inputs_give_the_same_bytes(
    mutant: str, direct: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, page = tmp_path / "again.json", tmp_path / "again.html"
    argv = ["run", *SELECTION, "--impl", "reference", "--impl", mutant]
    outputs = ["--json", str(out), "--html", str(page), "--reports-dir", str(direct["dir"])]
    assert _main(capsys, *argv, *outputs)[0] == 1
    assert out.read_bytes() == direct["json"].read_bytes()
    assert page.read_bytes() == direct["html"].read_bytes()


def test_merged_shards_of_both_implementations_make_the_direct_runs_matrix(
    mutant: str, direct: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shards = []
    for number, impl in enumerate(("reference", mutant)):
        for index in (1, 2):
            report = tmp_path / f"{number}-{index}.json"
            argv = [
                "run",
                *SELECTION,
                "--impl",
                impl,
                "--shard",
                f"{index}/2",
                "--json",
                str(report),
            ]
            assert _main(capsys, *argv)[0] in (0, 1)
            shards.append(str(report))
    out, page = tmp_path / "merged.json", tmp_path / "merged.html"
    order = [shards[2], shards[0], shards[3], shards[1]]  # interleaved; columns by first seen
    status, stdout, err = _merge(capsys, *order, "--json", str(out), "--html", str(page))
    assert status == 1, err
    assert "pjconf report merge: 4 reports of 2 implementations" in stdout
    merged, whole = _load(out), _load(direct["json"])
    _schema_valid(merged)
    assert [i.pop("reports") for i in merged["implementations"]] == [
        [shards[2], shards[3]],
        [shards[0], shards[1]],
    ]
    # Columns come in the order the implementations first appear: the mutant first here.
    merged_columns = merged["implementations"]
    assert [c["implementation"] for c in merged_columns] == ["mutant", "pjconf-reference"]
    for document in (merged, whole):
        for column in document["implementations"]:
            column.pop("reports", None)
    flipped = dict(merged)
    flipped["implementations"] = merged_columns[::-1]
    flipped["families"] = [
        {**f, "implementations": f["implementations"][::-1]} for f in merged["families"]
    ]
    flipped["cases"] = [{**c, "cells": c["cells"][::-1]} for c in merged["cases"]]
    assert flipped == whole
    # In the same column order, the page is the direct run's byte for byte.
    again = tmp_path / "ordered.html"
    status, _, _ = _merge(capsys, *shards, "--html", str(again))
    assert status == 1
    assert again.read_bytes() == direct["html"].read_bytes()


def _merge(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return _main(capsys, "report", "merge", *argv)


def test_known_failures_are_shown_as_such(
    mutant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    planted = sorted(_planted())
    listed = planted[:3]
    expect = _expectations(tmp_path, {"mutant": listed})
    out = tmp_path / "m.json"
    argv = ["run", *SELECTION, "--impl", "reference", "--impl", mutant, "--json", str(out)]
    status, stdout, _ = _main(capsys, *argv, "--expectations", f"{mutant}={expect}")
    assert status == 1  # the planted cases not listed still fail the mutant's run
    document = _load(out)
    rows = {row["name"]: row for row in document["cases"]}
    for name in planted:
        cell = rows[name]["cells"][1]
        assert rows[name]["agreement"] == "disagree"
        assert rows[name]["known"] is (name in listed)
        assert cell["verdict"] == ("KNOWN_FAILURE" if name in listed else "FAIL")
        assert cell["reason"] == ("planted: one sat more" if name in listed else "")
    assert document["summary"]["disagreeKnown"] == len(listed)
    # Unexplained disagreements are listed before the known ones.
    known_flags = [d["known"] for d in document["disagreements"]]
    assert known_flags == [False] * (len(planted) - len(listed)) + [True] * len(listed)
    assert document["implementations"][1]["expectations"] == f"{expect} (mutant)"
    assert document["implementations"][0]["expectations"] == ""
    assert f"known {listed[0]} [uri.parse]: [1] " in stdout


def test_one_expectations_file_for_all_and_every_difference_known_is_green(
    mutant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    planted = sorted(_planted())
    expect = _expectations(tmp_path, {"mutant": planted, "pjconf-reference": []})
    out, reports = tmp_path / "m.json", tmp_path / "each"
    argv = ["run", *SELECTION, "--impl", "reference", "--impl", mutant, "--json", str(out)]
    status, stdout, _ = _main(
        capsys, *argv, "--expectations", str(expect), "--reports-dir", str(reports)
    )
    assert status == 0
    document = _load(out)
    assert document["ok"] is True
    assert document["summary"]["disagree"] == document["summary"]["disagreeKnown"] == len(planted)
    assert "pjconf run: matrix: ok;" in stdout
    kept = {
        p.suffix: sorted(q.name for q in reports.glob(f"*{p.suffix}")) for p in reports.iterdir()
    }
    assert sorted(kept) == [".html", ".json", ".xml"]  # each implementation's own three reports
    (reference, mutant_report) = kept[".json"]
    assert reference == "1-reference.json"
    assert mutant_report.startswith("2-cmd_")
    assert all(len(names) == 2 for names in kept.values())
    assert [c["reports"] for c in document["implementations"]] == [
        [str(reports / reference)],
        [str(reports / mutant_report)],
    ]


def test_the_matrix_json_can_go_to_stdout(mutant: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["run", *SELECTION, "--impl", "reference", "--impl", mutant, "--json", "-"]
    status, stdout, stderr = _main(capsys, *argv)
    assert status == 1
    assert json.loads(stdout)["format"] == "pjconf/matrix/v1"  # nothing else on stdout
    assert "pjconf run: mutant 0" in stderr
    assert "pjconf run: matrix: FAILED" in stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--impl", "reference", "--impl", "reference"), "--impl 'reference' is given twice"),
        (
            (
                "--impl",
                "reference",
                "--impl",
                "cmd:x",
                "--expectations",
                "a",
                "--expectations",
                "b",
            ),
            "pair each file with its implementation as --expectations IMPL=FILE",
        ),
        (
            (
                "--impl",
                "reference",
                "--expectations",
                "reference=a",
                "--expectations",
                "reference=b",
            ),
            "pairs 'reference' with two files",
        ),
        (("--impl", "reference", "--impl", "cmd:x", "--junit", "j.xml"), "--reports-dir DIR"),
        (("--impl", "reference", "--reports-dir", "d"), "--reports-dir needs several --impl"),
        (
            ("--impl", "reference", "--impl", "nonsense"),
            "no matrix written: --impl nonsense could not run",
        ),
        (
            ("--impl", "reference", "--impl", "cmd:x", "--expectations", "reference=/nonexistent"),
            "/nonexistent",  # said before the matrix is given up: the reference's file is missing
        ),
    ],
)
def test_bad_multi_impl_options_are_refused_before_a_matrix_is_written(
    argv: tuple[str, ...], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "m.json"
    status, _, err = _main(capsys, "run", *SELECTION, *argv, "--json", str(out))
    assert status == 2
    assert message in err
    assert "Traceback" not in err
    assert not out.exists()


def _variant(tmp_path: Path, source: Path, name: str, change: Any) -> Path:
    """A copy of the report at ``source`` changed by ``change`` (a report is what merge reads)."""
    document = _load(source)
    change(document)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(document))
    return path


def test_reports_that_cannot_be_joined_are_refused(
    direct: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reference, other = (str(p) for p in direct["each"])
    payjoin10 = _variant(
        tmp_path, direct["each"][1], "p10", lambda r: r.update(profile="payjoin-1.0")
    )
    listed = _variant(
        tmp_path,
        direct["each"][1],
        "listed",
        lambda r: r["expectations"].update(applied="expect.json (mutant)"),
    )
    out = tmp_path / "out.json"
    cases = [
        ((reference, payjoin10), "different profiles (--profile)"),
        ((reference, other, listed), "different expectations"),  # one implementation, two ways
        ((reference, other, "--junit", str(tmp_path / "j.xml")), "--junit describe"),
        ((reference, "--matrix", "--markdown", str(tmp_path / "m.md")), "--markdown describe"),
        ((reference, other, "--vectors", str(tmp_path)), "give --vectors the corpus they ran"),
        ((reference, tmp_path / "nothing.json"), "cannot read"),
        ((reference, other), "report merge needs --json"),
    ]
    for argv, message in cases:
        with_out = [str(a) for a in argv]
        if "needs --json" not in message:
            with_out += ["--json", str(out)]
        status, _, err = _merge(capsys, *with_out)
        assert status == 2, (argv, err)
        assert message in err, err
        assert "Traceback" not in err
        assert not out.exists()


def test_one_implementation_with_matrix_makes_a_one_column_matrix(
    direct: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "one.json"
    status, _, _ = _merge(capsys, str(direct["each"][0]), "--matrix", "--json", str(out))
    assert status == 0
    document = _load(out)
    assert document["format"] == "pjconf/matrix/v1"
    assert len(document["implementations"]) == 1
    assert document["summary"]["incomplete"] == document["summary"]["cases"] > 0


def test_a_stopped_run_ends_the_matrix_there_partial_with_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "m.json"
    argv = ["run", *SELECTION, "--impl", "reference", "--impl", "cmd:never-started"]
    status, stdout, err = _main(capsys, *argv, "--deadline", "0.000001", "--json", str(out))
    assert status == 3
    assert "pjconf: stopped; not run: cmd:never-started" in err
    document = _load(out)
    _schema_valid(document)
    assert document["partial"] is True
    assert document["ok"] is False
    (column,) = document["implementations"]
    assert column["impl"] == "reference"
    assert column["interrupted"] == "--deadline 1e-06s"
    assert stdout.rstrip().splitlines()[-1].startswith("pjconf run: matrix: FAILED ([1] partial)")
