"""The ``pjconf`` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from pjconf.harness import vectorgen, version
from pjconf.harness.clock import Clock, FixedTime, WallTime
from pjconf.harness.corpus.lint import lint
from pjconf.harness.corpus.load import Case, CorpusError, family_files, load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.implementations import reference
from pjconf.harness.implementations.client import Client, ProcessClient, Reply
from pjconf.harness.implementations.docker import DockerClient, DockerUnavailable
from pjconf.harness.reports import commands as report_commands
from pjconf.harness.reports import html as html_report
from pjconf.harness.reports import junit
from pjconf.harness.reports import summary as report
from pjconf.harness.reports.progress import ProgressLine
from pjconf.harness.run import expectations
from pjconf.harness.run.checker import Verdict
from pjconf.harness.run.expectations import Expectations
from pjconf.harness.run.runner import NOTHING_VERIFIED, RunResult, families_in_scope, run, select
from pjconf.harness.run.variants import fresh_variants, new_seed

DESCRIPTION = """\
Conformance and test-vector harness for Payjoin v2 (BIP 77).

  pjconf run                      check the built-in reference against the vector corpus
  pjconf run --impl cmd:'<cmd>'   check any implementation that speaks the adapter protocol
  pjconf run --impl docker:IMAGE  ... run in a locked-down container
  pjconf shim                     serve the reference over the adapter protocol (stdin/stdout)
  pjconf vectors generate         regenerate the corpus deterministically
  pjconf vectors list             list the corpus families and case counts
  pjconf vectors lint             validate every vector file against its JSON Schema
  pjconf report summary --markdown REPORT.json    a JSON report as a CI job summary
  pjconf report merge A.json B.json --json OUT    join the shard reports of one run

The adapter protocol is documented in docs/adapter-protocol.md; the runner's statuses, exit
status, expectations file and report formats in docs/runner.md.
"""


def _shard(text: str) -> tuple[int, int]:
    try:
        index, total = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError("expected i/n, e.g. 2/4") from None
    if not 1 <= index <= total:
        raise argparse.ArgumentTypeError("shard i/n needs 1 <= i <= n")
    return index, total


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pjconf", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    version.add_option(parser)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run_p = commands.add_parser(
        "run",
        help="check an implementation against the vector corpus",
        description="Run every corpus case through an implementation and report per case: "
        "PASS, FAIL (expected vs got, with the inputs), SKIP (unimplemented op), ACCEPTABLE "
        "(an allowed alternative) or ERROR (adapter malfunction); with --expectations also "
        "KNOWN_FAILURE and UNEXPECTED_PASS. Exit status is 0 only when every selected family "
        "ran something and nothing failed or errored outside the expectations; 1 otherwise; "
        "2 when the run could not start (unreadable corpus or expectations, no hello).",
    )
    run_p.add_argument(
        "--impl",
        default="reference",
        help="'reference' (default, in-process), 'cmd:<command line>' for an adapter process, "
        "or 'docker:<image>' for an adapter image (run without network, read-only, no "
        "capabilities, memory-limited)",
    )
    run_p.add_argument("--vectors", type=Path, help="corpus directory (default: vectors/)")
    run_p.add_argument("-k", dest="keyword", help="only cases whose name/op/comment/flags match")
    run_p.add_argument("--family", action="append", help="only this family (repeatable)")
    run_p.add_argument(
        "--case",
        action="append",
        metavar="FAMILY/TCID",
        help="only this case, named exactly (repeatable)",
    )
    run_p.add_argument("--shard", type=_shard, help="run shard i of n, e.g. 1/4")
    run_p.add_argument(
        "--exclude-family",
        action="append",
        default=[],
        metavar="FAMILY",
        help="leave this family out on purpose (repeatable); it then does not count as NOT RUN",
    )
    run_p.add_argument("--list", action="store_true", help="list the selected cases and exit")
    run_p.add_argument(
        "--json", type=Path, metavar="FILE", help="also write a JSON report ('-' for stdout)"
    )
    run_p.add_argument(
        "--junit", type=Path, metavar="FILE", help="also write a JUnit XML report to this file"
    )
    run_p.add_argument(
        "--html", type=Path, metavar="FILE", help="also write a self-contained HTML report"
    )
    run_p.add_argument(
        "--expectations",
        type=Path,
        metavar="FILE",
        help="per-implementation known failures, disabled cases and excluded families "
        "(JSON, format pjconf/expectations/v1; see docs/runner.md)",
    )
    run_p.add_argument(
        "--strict-expectations",
        action="store_true",
        help="a known failure that now passes (UNEXPECTED_PASS) fails the run (default: a warning)",
    )
    run_p.add_argument(
        "--seed",
        help="seed of this run's fresh variants of the replay, sessions and transitions cases "
        "(default: random, printed in the summary; give it to reproduce a run)",
    )
    run_p.add_argument(
        "--no-variants",
        action="store_true",
        help="send the committed cases only (faster, but a transcript of an earlier run of the "
        "reference would pass them)",
    )
    run_p.add_argument(
        "--min-verified",
        type=_percentage,
        metavar="PERCENT",
        help="fail the run when fewer than this share of the corpus's runnable cases are "
        "verified (PASS or ACCEPTABLE)",
    )
    run_p.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    run_p.add_argument("-q", "--quiet", action="store_true", help="no progress line")

    shim_p = commands.add_parser(
        "shim",
        help="serve the reference implementation over the adapter protocol",
        description="Read one JSON request per line on stdin, answer one JSON line on stdout. "
        "Exits 0 on 'shutdown' or end of input. Malformed lines get an error answer.",
    )
    shim_p.add_argument("--seed", help="make every random draw deterministic")

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
    report_commands.add_parser(commands, _percentage)
    return parser


def _client(impl: str, timeout: float) -> Client:
    if impl == "reference":
        return reference.reference_client()
    if impl.startswith("cmd:"):
        return ProcessClient(impl[len("cmd:") :], timeout=timeout)
    if impl.startswith("docker:"):
        try:
            return DockerClient(impl[len("docker:") :], timeout=timeout)
        except DockerUnavailable as exc:
            raise SystemExit(f"pjconf: {exc}") from None
    raise SystemExit(
        f"pjconf: unknown --impl {impl!r} (use 'reference', 'cmd:<command>' or 'docker:<image>')"
    )


def _percentage(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text} is not a percentage from 0 to 100")
    return value


def _hello(client: Client) -> Reply | None:
    hello = client.call("hello", {})
    if hello.kind != "malfunction":
        return hello
    client.close()
    print(
        f"pjconf: the implementation did not answer hello: {hello.value['message']}",
        file=sys.stderr,
    )
    return None


def _supported_ops(implementation: dict[str, object]) -> set[str] | None:
    """The ops hello lists, or None when it lists none (then every case is tried)."""
    ops = implementation.get("ops")
    if isinstance(ops, list) and all(isinstance(op, str) for op in ops):
        return set(ops)
    return None


def _write(path: Path, text: str) -> bool:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"pjconf: cannot write {path}: {exc}", file=sys.stderr)
        return False
    return True


def _list_cases(cases: list[Case], args: argparse.Namespace, names: set[str] | None) -> int:
    chosen = select(
        cases,
        keyword=args.keyword,
        families=set(args.family) if args.family else None,
        shard=args.shard,
        exclude=set(args.exclude_family),
        names=names,
    )
    for case in chosen:
        print(f"{case.name}\t{case.op or '-'}\t{case.result}\t{case.comment}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    root = args.vectors or vectors_dir()
    try:
        cases = load_corpus(root)
    except CorpusError as exc:
        print(f"pjconf: {exc}", file=sys.stderr)
        return 2
    unknown = sorted(set(args.case or ()) - {c.name for c in cases})
    if unknown:
        print(f"pjconf: no case named {', '.join(unknown)} in {root}", file=sys.stderr)
        return 2
    names = set(args.case) if args.case else None
    if args.list:
        return _list_cases(cases, args, names)
    client = _client(args.impl, args.timeout)
    hello = _hello(client)
    if hello is None:
        return 2
    implementation = hello.value if hello.kind == "result" else {"impl": args.impl}
    name = str(implementation.get("implementation", args.impl))
    expect = Expectations()
    if args.expectations:
        try:
            expect = expectations.load(
                args.expectations, name, str(implementation.get("version", ""))
            )
        except expectations.ExpectationsError as exc:
            client.close()
            print(f"pjconf: {exc}", file=sys.stderr)
            return 2
    excluded = {f: "--exclude-family" for f in args.exclude_family}
    excluded.update(expect.excluded_families)
    named = [f for f in args.family if f not in excluded] if args.family else None
    unsharded = select(
        cases,
        keyword=args.keyword,
        families=set(named) if named is not None else None,
        exclude=excluded,
        names=names,
    )
    chosen = select(unsharded, shard=args.shard)
    variants = None if args.no_variants else fresh_variants(args.seed or new_seed(), chosen)
    json_to_stdout = args.json is not None and str(args.json) == "-"
    line = ProgressLine(sys.stderr, enabled=not args.quiet and not json_to_stdout)
    started_at = args.clock.now()
    started = time.monotonic()
    try:
        result = run(
            client,
            chosen,
            progress=line.update,
            expectations=expect,
            families=families_in_scope(named, unsharded, chosen),
            supported_ops=_supported_ops(implementation),
            variants=variants,
            corpus=select(cases, exclude=excluded),
        )
    finally:
        line.clear()
        client.close()
    _settle(result, args, cases, expect, excluded)
    info = report.RunInfo(
        implementation=implementation,
        impl=args.impl,
        corpus=report.corpus_identity(root),
        started=started_at,
        elapsed=time.monotonic() - started,
        expectations=f"{expect.source} ({expect.entry})" if args.expectations else "",
    )
    out = sys.stderr if json_to_stdout else sys.stdout
    _print_summary(result, info, root, out)
    renderers: list[tuple[Path | None, Callable[[], str]]] = [
        (None if json_to_stdout else args.json, lambda: _json_text(result, info)),
        (args.junit, lambda: junit.render(result, info)),
        (args.html, lambda: html_report.render(result, info)),
    ]
    written = [_write(path, render()) for path, render in renderers if path is not None]
    if json_to_stdout:
        sys.stdout.write(_json_text(result, info))
    if not all(written):
        return 2
    return 0 if result.ok else 1


def _settle(
    result: RunResult,
    args: argparse.Namespace,
    cases: list[Case],
    expect: Expectations,
    excluded: dict[str, str],
) -> None:
    """What judges the run beyond its cases: exclusions, stale configuration, the corpus share."""
    result.excluded = excluded
    families = {c.family for c in cases if c.op is not None}
    result.setup_problems = [
        f"--exclude-family {f!r} is no family of the corpus"
        for f in args.exclude_family
        if f not in families
    ] + (expect.problems(cases) if args.expectations else [])
    result.strict_expectations = args.strict_expectations
    result.corpus_runnable = sum(1 for c in cases if c.op is not None)
    result.min_verified = args.min_verified


def _json_text(result: RunResult, info: report.RunInfo) -> str:
    return json.dumps(report.to_json(result, info.implementation, info), indent=1) + "\n"


def _print_summary(result: RunResult, info: report.RunInfo, root: Path, out: TextIO) -> None:
    print(
        f"pjconf run: {info.name} {info.version}".strip() + f" against {root} "
        f"({info.elapsed:.2f}s)",
        file=out,
    )
    if info.expectations:
        print(f"expectations: {info.expectations}", file=out)
    print(report.summary_table(result), file=out)
    if result.not_runnable:
        print(
            f"({result.not_runnable} reference-only cases have no protocol op and were not run)",
            file=out,
        )
    notes = report.family_notes(result)
    if notes:
        print("\n" + notes, file=out)
    details = report.problems(result)
    if details:
        print("\n" + details, file=out)
    print(report.verified_line(result), file=out)
    graph = report.coverage_lines(result)
    if graph:
        print(graph, file=out)
    print(report.verdict_line(result), file=out)
    unexpected = result.count(Verdict.UNEXPECTED_PASS)
    if unexpected and not result.strict_expectations:
        print(
            f"pjconf: warning: {unexpected} known failure(s) now pass (UNEXPECTED_PASS): update "
            "the expectations file (--strict-expectations makes this fail the run)",
            file=sys.stderr,
        )
    if not result.verified:
        print(f"pjconf: {NOTHING_VERIFIED}", file=sys.stderr)


def _cmd_shim(args: argparse.Namespace) -> int:
    return reference.serve(args.seed, sys.stdin, sys.stdout)


def _cmd_vectors(args: argparse.Namespace) -> int:
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
    root = vectors_dir()
    for family in vectorgen.FAMILY_MODULES:
        path = root / vectorgen.family_module(family).PATH
        count = json.loads(path.read_text())["numberOfTests"] if path.exists() else "missing"
        print(f"{family:<16} {path.relative_to(root) if path.exists() else path}  {count}")
    return 0


def _default_clock() -> Clock:
    """The report date: ``$SOURCE_DATE_EPOCH`` when set (reproducible reports), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return FixedTime(int(epoch)) if epoch.isdigit() else WallTime()


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.clock = clock or _default_clock()
    handlers = {"run": _cmd_run, "shim": _cmd_shim, "vectors": _cmd_vectors}
    handlers["report"] = report_commands.run
    try:
        return handlers[args.command](args)
    except BrokenPipeError:
        # The reader went away (`pjconf run --list | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


__all__ = ["Reply", "main"]
