"""``pjconf run`` with several ``--impl``: each implementation runs as ``pjconf run`` runs one,
then their JSON reports become one matrix, by the same code as ``pjconf report merge``.

Building the matrix from the reports (rather than from the runs in memory) is what makes a
matrix of CI shards, merged later, equal to the matrix of one run: both read the same JSON.

How ``--expectations`` pairs with several ``--impl`` (:func:`pair_expectations`): a value
``IMPL=FILE``, where ``IMPL`` is exactly one of the ``--impl`` given, applies to that
implementation; at most one plain ``FILE`` applies to every implementation not paired so (an
expectations file holds an entry per implementation name, so one file can serve all); an
implementation with neither runs without expectations.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from pjconf.harness.reports import from_json, merge
from pjconf.harness.reports.from_json import ReportError
from pjconf.harness.reports.matrix_columns import MatrixError
from pjconf.harness.reports.matrix_report import emit, matrix_of
from pjconf.harness.run.variants import new_seed

RunOne = Callable[[argparse.Namespace], int]
CANNOT_START = 2
INTERRUPTED = 3


class UsageError(Exception):
    """Options that do not make sense for the implementations given: exit 2 before any run."""


def pair_expectations(impls: Sequence[str], values: Sequence[str]) -> dict[str, Path | None]:
    """Each ``--impl`` with its expectations file (or None), by the rule in the module text."""
    if len(set(impls)) != len(impls):
        twice = sorted({i for i in impls if impls.count(i) > 1})
        raise UsageError(f"--impl {twice[0]!r} is given twice")
    paired: dict[str, Path | None] = {}
    plain: list[str] = []
    for value in values:
        impl = next(
            (i for i in impls if value.startswith(f"{i}=") and len(value) > len(i) + 1), None
        )
        if impl is None:
            plain.append(value)
        elif impl in paired:
            raise UsageError(f"--expectations pairs {impl!r} with two files")
        else:
            paired[impl] = Path(value[len(impl) + 1 :])
    if len(plain) > 1:
        raise UsageError(
            "several --expectations FILE without IMPL=: pair each file with its implementation "
            "as --expectations IMPL=FILE (IMPL exactly as given to --impl)"
        )
    return {impl: paired.get(impl, Path(plain[0]) if plain else None) for impl in impls}


def _slug(index: int, impl: str) -> str:
    """A file name for the ``index``-th implementation's own reports."""
    return f"{index}-" + (re.sub(r"[^A-Za-z0-9._-]+", "_", impl).strip("_")[:60] or "impl")


def command(args: argparse.Namespace, expectations: dict[str, Path | None], run_one: RunOne) -> int:
    """Run every implementation, print each one's summary, then write the matrix.

    Exit status: 2 when an implementation could not start or an output could not be written (no
    matrix then), 3 when a run was stopped (the matrix of what ran, marked partial), else 0 when
    every run is ok and 1 when one is not (as for one implementation)."""
    if args.junit is not None:
        print(
            "pjconf: --junit describes one implementation; with several --impl, write each "
            "one's JSON, JUnit and HTML with --reports-dir DIR (the matrix: --json, --html)",
            file=sys.stderr,
        )
        return 2
    if args.list:
        one = argparse.Namespace(**vars(args))
        one.impl, one.expectations = args.impl[0], None
        return run_one(one)
    if args.seed is None and not args.no_variants:
        # One seed for all: every implementation is sent the same fresh variants.
        args.seed = new_seed()
    to_stdout = args.json is not None and str(args.json) == "-"
    with contextlib.ExitStack() as stack:
        if args.reports_dir is not None:
            where = args.reports_dir
            try:
                where.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                print(f"pjconf: cannot create {where}: {exc}", file=sys.stderr)
                return 2
        else:
            where = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pjconf-matrix-")))
        keep = args.reports_dir is not None
        shards: list[merge.Shard] = []
        statuses: list[int] = []
        for index, impl in enumerate(args.impl, 1):
            one = argparse.Namespace(**vars(args))
            one.impl, one.expectations = impl, expectations[impl]
            base = where / _slug(index, impl)
            one.json = base.with_suffix(".json")
            one.junit = base.with_suffix(".xml") if keep else None
            one.html = base.with_suffix(".html") if keep else None
            print(f"== [{index}/{len(args.impl)}] --impl {impl}", file=sys.stderr, flush=True)
            with contextlib.redirect_stdout(sys.stderr) if to_stdout else contextlib.nullcontext():
                status = run_one(one)
            if status == CANNOT_START and not one.json.is_file():
                print(f"pjconf: no matrix written: --impl {impl} could not run", file=sys.stderr)
                return 2
            statuses.append(status)
            try:
                shards.append(merge.Shard(str(one.json), from_json.read_report(one.json)))
            except ReportError as exc:
                print(f"pjconf: no matrix written: {exc}", file=sys.stderr)
                return 2
            if status == INTERRUPTED:
                left = args.impl[index:]
                if left:
                    print(f"pjconf: stopped; not run: {', '.join(left)}", file=sys.stderr)
                break
        try:
            matrix = matrix_of(shards, args.vectors, keep_sources=keep)
        except (MatrixError, merge.MergeError, ReportError) as exc:
            print(f"pjconf: no matrix written: {exc}", file=sys.stderr)
            return 2
        if not emit(matrix, args.json, args.html, "pjconf run:"):
            return 2
    if INTERRUPTED in statuses:
        return INTERRUPTED
    if CANNOT_START in statuses:
        return 2
    return 0 if matrix.ok and not any(statuses) else 1
