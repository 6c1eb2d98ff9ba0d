"""``pjconf vectors``: generate, list and lint the corpus."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pjconf.harness import vectorgen
from pjconf.harness.corpus.lint import lint
from pjconf.harness.corpus.load import (
    DIRECTORY_FAMILY,
    cases_of,
    family_files,
    load_file,
)
from pjconf.harness.corpus.paths import vectors_dir


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``vectors`` subcommand and its actions."""
    vectors_p = commands.add_parser("vectors", help="generate or inspect the vector corpus")
    vector_cmds = vectors_p.add_subparsers(dest="vectors_command", required=True, metavar="ACTION")
    gen_p = vector_cmds.add_parser(
        "generate", help="write the corpus (byte-identical on every run)"
    )
    gen_p.add_argument("--out", type=Path, help="directory to write into (default: vectors/)")
    gen_p.add_argument("--family", action="append", choices=vectorgen.FAMILY_MODULES)
    vector_cmds.add_parser("list", help="list families with their files and case counts")
    lint_p = vector_cmds.add_parser("lint", help="validate every vector file against its schema")
    lint_p.add_argument("--vectors", type=Path, help="corpus directory (default: vectors/)")


def command(args: argparse.Namespace) -> int:
    if args.vectors_command == "generate":
        missing = 0
        for family in args.family or vectorgen.FAMILY_MODULES:
            target = (args.out or vectors_dir()) / str(vectorgen.family_module(family).PATH)
            before = target.read_bytes() if target.is_file() else None
            try:
                path = vectorgen.write_family(family, args.out)
            except vectorgen.MissingSource as exc:
                print(f"pjconf: {family}: {exc}", file=sys.stderr)
                missing += 1
                continue
            except OSError as exc:
                print(f"pjconf: cannot write {family}: {exc}", file=sys.stderr)
                return 2
            print(f"{'unchanged' if path.read_bytes() == before else 'wrote'} {path}")
        return 1 if missing else 0
    if args.vectors_command == "lint":
        root = args.vectors or vectors_dir()
        found = lint(root)
        for problem in found:
            print(problem)
        print(f"pjconf vectors lint: {len(family_files(root))} files, {len(found)} problems")
        return 1 if found else 0
    return _list_families(vectors_dir())


def _list_families(root: Path) -> int:
    """``pjconf vectors list``: each family's file and cases, split into those ``pjconf run``
    sends (they have an op) and the reference-only ones the test suite checks."""
    print(f"{'family':<16} {'file':<28} {'cases':>6} {'runnable':>9} {'reference-only':>15}")
    totals = [0, 0]
    against_url = 0
    for family in vectorgen.FAMILY_MODULES:
        path = root / vectorgen.family_module(family).PATH
        if not path.exists():
            print(f"{family:<16} {path!s:<28} missing")
            continue
        cases = list(cases_of(load_file(path)))
        runnable = sum(1 for c in cases if c.op is not None)
        totals[0] += runnable
        totals[1] += len(cases) - runnable
        if family == DIRECTORY_FAMILY:
            against_url = runnable
        shown = str(path.relative_to(root))
        print(f"{family:<16} {shown:<28} {len(cases):>6} {runnable:>9} {len(cases) - runnable:>15}")
    print(f"{'total':<16} {'':<28} {sum(totals):>6} {totals[0]:>9} {totals[1]:>15}")
    print(
        f"pjconf run sends the {totals[0] - against_url} runnable cases to an implementation "
        f"(and, with --directory URL, the {against_url} {DIRECTORY_FAMILY} cases to a "
        f"directory); the "
        f"{totals[1]} reference-only cases have no protocol op (they pin the reference's "
        "intermediate values) and are checked by regenerating the corpus (tests/test_corpus.py)."
    )
    return 0
