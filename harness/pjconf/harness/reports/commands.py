"""``pjconf report``: what CI does with JSON reports after ``pjconf run`` wrote them.

``summary --markdown`` turns a report into a job summary; ``merge`` joins the shards of a CI
matrix into the one report that says whether the implementation is conformant. Both read only
JSON reports, so they run in a later job, on another machine, than the runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pjconf.harness.reports import from_json, junit, markdown, matrix_columns, matrix_report, merge
from pjconf.harness.reports import html as html_report
from pjconf.harness.reports import summary as report
from pjconf.harness.reports.from_json import ReportError
from pjconf.harness.run.runner import RunResult

Percentage = Callable[[str], float]


def add_parser(commands: Any, percentage: Percentage) -> None:
    """Add ``report summary`` and ``report merge`` to the ``pjconf`` subcommands."""
    report_p = commands.add_parser(
        "report", help="summarise or merge JSON reports written by 'pjconf run --json'"
    )
    actions = report_p.add_subparsers(dest="report_command", required=True, metavar="ACTION")
    summary_p = actions.add_parser(
        "summary",
        help="print a JSON report as Markdown (for a CI job summary)",
        description="Print the report's verdict, counts table, verified share and every failing "
        "case with its reproduce command, as Markdown on stdout, bounded in size for "
        "$GITHUB_STEP_SUMMARY (1 MiB). Exit 0 when printed, 2 when the report is unreadable; "
        "the run's own verdict is the exit status of 'pjconf run'.",
    )
    summary_p.add_argument("report", type=Path, metavar="REPORT.json")
    summary_p.add_argument(
        "--markdown",
        action="store_true",
        help="Markdown output (the default, and today the only format)",
    )
    summary_p.add_argument(
        "--max-failures",
        type=int,
        default=markdown.MAX_FAILURES,
        metavar="N",
        help=f"failing cases shown in full (default {markdown.MAX_FAILURES}; the rest counted)",
    )
    merge_p = actions.add_parser(
        "merge",
        help="join the JSON reports of the shards of one run, or of several implementations "
        "into a matrix",
        description="Join 'pjconf run --json' reports. Reports naming the same implementation "
        "(hello's name and version) and the same --impl are the shards of one run: they are "
        "merged into one report, the union of their cases, with counts, family states, ok and "
        "state-graph coverage computed again; they must share the corpus, expectations, profile "
        "and strictness. When the reports name more than one implementation (or with --matrix), "
        "each implementation's shards are merged so, and the implementations are put side by "
        "side in a matrix (--json format pjconf/matrix/v1, --html page; see docs/matrix.md); "
        "they must share the corpus and the profile. The corpus the reports ran is needed to "
        "rebuild the cases (--vectors, default: this pjconf's). Exit 0 when the merged run (in a "
        "matrix: every implementation's) is ok, 1 when not, 2 for reports that cannot be "
        "joined or an output that cannot be written.",
    )
    merge_p.add_argument("reports", type=Path, nargs="+", metavar="REPORT.json")
    merge_p.add_argument("--json", type=Path, metavar="FILE", help="merged JSON ('-': stdout)")
    merge_p.add_argument("--junit", type=Path, metavar="FILE", help="merged JUnit XML report")
    merge_p.add_argument("--html", type=Path, metavar="FILE", help="merged HTML report")
    merge_p.add_argument("--markdown", type=Path, metavar="FILE", help="merged Markdown summary")
    merge_p.add_argument("--vectors", type=Path, help="the corpus the shards ran (default: ours)")
    merge_p.add_argument(
        "--matrix",
        action="store_true",
        help="write a matrix even when every report is of one implementation (--json and "
        "--html then hold the matrix; --junit and --markdown are refused)",
    )
    merge_p.add_argument(
        "--min-verified",
        type=percentage,
        metavar="PERCENT",
        help="fail when the merged run verified less than this share of the corpus (a shard "
        "alone only verifies its part, so this belongs here rather than on the shards)",
    )


def run(args: argparse.Namespace) -> int:
    """Dispatch ``pjconf report ACTION``."""
    if args.report_command == "summary":
        return _summary(args)
    return _merge(args)


def _summary(args: argparse.Namespace) -> int:
    try:
        document = from_json.read_report(args.report)
    except ReportError as exc:
        print(f"pjconf: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(markdown.render(document, max_failures=max(0, args.max_failures)))
    return 0


def _merge(args: argparse.Namespace) -> int:
    if not any((args.json, args.junit, args.html, args.markdown)):
        print("pjconf: report merge needs --json, --junit, --html or --markdown", file=sys.stderr)
        return 2
    try:
        shards = [merge.Shard(str(p), from_json.read_report(p)) for p in args.reports]
        if args.matrix or len(matrix_columns.group(shards)) > 1:
            return matrix_report.merge_command(args, shards)
        result, info, document = merge.rebuilt(
            shards, lambda digest: from_json.corpus_for(args.vectors, digest), args.min_verified
        )
    except (ReportError, merge.MergeError) as exc:
        print(f"pjconf: {exc}", file=sys.stderr)
        return 2
    document["merged"] = {"reports": [s.source for s in shards]}
    json_text = json.dumps(document, indent=1) + "\n"
    to_stdout = args.json is not None and str(args.json) == "-"
    _print_summary(result, len(shards), sys.stderr if to_stdout else sys.stdout)
    outputs: list[tuple[Path | None, Callable[[], str]]] = [
        (None if to_stdout else args.json, lambda: json_text),
        (args.junit, lambda: junit.render(result, info)),
        (args.html, lambda: html_report.render(result, info)),
        (args.markdown, lambda: markdown.render(document)),
    ]
    written = [_write(path, render) for path, render in outputs if path is not None]
    if to_stdout:
        sys.stdout.write(json_text)
    if not all(written):
        return 2
    return 0 if result.ok else 1


def _print_summary(result: RunResult, shards: int, out: Any) -> None:
    print(f"pjconf report merge: {shards} reports, {len(result.outcomes)} cases", file=out)
    print(report.summary_table(result), file=out)
    print(report.verified_line(result), file=out)
    print(report.verdict_line(result).replace("pjconf run:", "pjconf report merge:"), file=out)


def _write(path: Path, render: Callable[[], str]) -> bool:
    try:
        path.write_text(render(), encoding="utf-8")
    except OSError as exc:
        print(f"pjconf: cannot write {path}: {exc}", file=sys.stderr)
        return False
    return True
