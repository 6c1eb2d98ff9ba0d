"""Writing a matrix (``pjconf run`` with several ``--impl``, ``pjconf report merge`` of several
implementations' reports): the log, the JSON and the page, and the exit status they share."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path

from pjconf.harness.corpus.load import Case
from pjconf.harness.reports import from_json, matrix_html, matrix_json, matrix_text, merge
from pjconf.harness.reports.from_json import ReportError
from pjconf.harness.reports.matrix_columns import Column, MatrixError, columns, group
from pjconf.harness.reports.matrix_model import Matrix, build

PER_IMPLEMENTATION = ("junit", "markdown")
"""``report merge`` outputs about one implementation, refused in matrix mode."""


def emit(matrix: Matrix, json_out: Path | None, html_out: Path | None, prog: str) -> bool:
    """Print the matrix to the log (stderr when the JSON goes to stdout) and write the JSON and
    HTML asked for; False when a file could not be written (said on stderr)."""
    to_stdout = json_out is not None and str(json_out) == "-"
    sys.stdout.flush()
    (sys.stderr if to_stdout else sys.stdout).write("\n" + matrix_text.render(matrix, prog))
    written = True
    outputs: list[tuple[Path | None, Callable[[], str]]] = [
        (None if to_stdout else json_out, lambda: matrix_json.render(matrix)),
        (html_out, lambda: matrix_html.render(matrix)),
    ]
    for path, render in outputs:
        if path is None:
            continue
        try:
            path.write_text(render(), encoding="utf-8")
        except OSError as exc:
            print(f"pjconf: cannot write {path}: {exc}", file=sys.stderr)
            written = False
    if to_stdout:
        sys.stdout.write(matrix_json.render(matrix))
    return written


def matrix_of(
    shards: list[merge.Shard],
    vectors: Path | None,
    *,
    min_verified: float | None = None,
    keep_sources: bool = True,
) -> Matrix:
    """The matrix of these reports: grouped by implementation, each group's shards merged.

    Raises :class:`MatrixError`, :class:`merge.MergeError` or :class:`ReportError`."""
    cases_of: Callable[[str], dict[str, Case]] = functools.cache(
        lambda digest: from_json.corpus_for(vectors, digest)
    )
    found: list[Column] = columns(
        group(shards), cases_of, min_verified=min_verified, keep_sources=keep_sources
    )
    return build(found, cases_of(merge.digest(found[0].report)))


def merge_command(args: argparse.Namespace, shards: list[merge.Shard]) -> int:
    """``pjconf report merge`` when the reports are of several implementations (or
    ``--matrix``): exit 0 when every implementation's merged run is ok, 1 when one is not, 2 for
    reports that cannot be joined."""
    refused = [f"--{name}" for name in PER_IMPLEMENTATION if getattr(args, name, None)]
    if refused:
        print(
            f"pjconf: {', '.join(refused)} describe one implementation; a matrix of several is "
            "written with --json and --html (merge each implementation's reports alone for "
            "its JUnit or Markdown)",
            file=sys.stderr,
        )
        return 2
    if not (args.json or args.html):
        print("pjconf: report merge of a matrix needs --json or --html", file=sys.stderr)
        return 2
    try:
        matrix = matrix_of(shards, args.vectors, min_verified=args.min_verified)
    except (MatrixError, merge.MergeError, ReportError) as exc:
        print(f"pjconf: {exc}", file=sys.stderr)
        return 2
    to_stdout = args.json is not None and str(args.json) == "-"
    print(
        f"pjconf report merge: {len(shards)} reports of {len(matrix.columns)} implementations",
        file=sys.stderr if to_stdout else sys.stdout,
    )
    if not emit(matrix, args.json, args.html, "pjconf report merge:"):
        return 2
    return 0 if matrix.ok else 1
