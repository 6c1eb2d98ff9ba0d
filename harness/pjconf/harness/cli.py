"""The ``pjconf`` command."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from pjconf.harness import report, vectorgen
from pjconf.harness.adapters.client import Client, InProcessClient, ProcessClient, Reply
from pjconf.harness.adapters.docker import DockerClient, DockerUnavailable
from pjconf.harness.adapters.reference import reference_adapter
from pjconf.harness.checker import Outcome, Verdict
from pjconf.harness.corpus import CorpusError, family_files, load_corpus
from pjconf.harness.lint import lint
from pjconf.harness.paths import vectors_dir
from pjconf.harness.runner import run, select
from pjconf.harness.shim import serve

DESCRIPTION = """\
Conformance and test-vector harness for Payjoin v2 (BIP 77).

  pjconf run                      check the built-in reference against the vector corpus
  pjconf run --impl cmd:'<cmd>'   check any implementation that speaks the adapter protocol
  pjconf run --impl docker:IMAGE  ... run in a locked-down container
  pjconf shim                     serve the reference over the adapter protocol (stdin/stdout)
  pjconf vectors generate         regenerate the corpus deterministically
  pjconf vectors list             list the corpus families and case counts
  pjconf vectors lint             validate every vector file against its JSON Schema

The adapter protocol is documented in docs/adapter-protocol.md.
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
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run_p = commands.add_parser(
        "run",
        help="check an implementation against the vector corpus",
        description="Run every corpus case through an implementation and report per case: "
        "PASS, FAIL (expected vs got, with the inputs), SKIP (unimplemented op), ACCEPTABLE "
        "(an allowed alternative) or ERROR (adapter malfunction). Exit status is 0 only when "
        "something ran and nothing failed or errored.",
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
    run_p.add_argument("--shard", type=_shard, help="run shard i of n, e.g. 1/4")
    run_p.add_argument("--list", action="store_true", help="list the selected cases and exit")
    run_p.add_argument("--json", type=Path, help="also write a JSON report to this file")
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
    return parser


def _client(impl: str, timeout: float) -> Client:
    if impl == "reference":
        return InProcessClient(reference_adapter())
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


def _cmd_run(args: argparse.Namespace) -> int:
    root = args.vectors or vectors_dir()
    try:
        cases = load_corpus(root)
    except CorpusError as exc:
        print(f"pjconf: {exc}", file=sys.stderr)
        return 2
    chosen = select(
        cases,
        keyword=args.keyword,
        families=set(args.family) if args.family else None,
        shard=args.shard,
    )
    if args.list:
        for case in chosen:
            print(f"{case.name}\t{case.op or '-'}\t{case.result}\t{case.comment}")
        return 0
    client = _client(args.impl, args.timeout)
    hello = client.call("hello", {})
    if hello.kind == "malfunction":
        client.close()
        print(
            f"pjconf: the implementation did not answer hello: {hello.value['message']}",
            file=sys.stderr,
        )
        return 2
    implementation = hello.value if hello.kind == "result" else {"impl": args.impl}
    live = sys.stderr.isatty() and not args.quiet
    started = time.monotonic()

    def progress(done: int, outcome: Outcome) -> None:
        if live:
            sys.stderr.write(f"\r{done}/{len(chosen)} {outcome.case.name:<40.40}")
            sys.stderr.flush()

    try:
        result = run(client, chosen, progress=progress)
    finally:
        client.close()
    if live:
        sys.stderr.write("\r" + " " * 60 + "\r")
    elapsed = time.monotonic() - started
    name = f"{implementation.get('implementation', args.impl)} {implementation.get('version', '')}"
    print(f"pjconf run: {name.strip()} against {root} ({elapsed:.2f}s)")
    print(report.summary_table(result))
    if result.not_runnable:
        print(f"({result.not_runnable} reference-only cases have no protocol op and were not run)")
    details = report.problems(result)
    if details:
        print("\n" + details)
    if args.json:
        args.json.write_text(json.dumps(report.to_json(result, implementation), indent=1) + "\n")
    if not result.outcomes or result.count(Verdict.PASS) + result.count(Verdict.ACCEPTABLE) == 0:
        print("pjconf: no case ran - a run that checks nothing is not a pass", file=sys.stderr)
    return 0 if result.ok else 1


def _cmd_shim(args: argparse.Namespace) -> int:
    return serve(reference_adapter(args.seed), sys.stdin, sys.stdout)


def _cmd_vectors(args: argparse.Namespace) -> int:
    if args.vectors_command == "generate":
        missing = 0
        for family in args.family or vectorgen.FAMILY_MODULES:
            try:
                path = vectorgen.write_family(family, args.out)
            except vectorgen.MissingSource as exc:
                print(f"pjconf: {family}: {exc}", file=sys.stderr)
                missing += 1
                continue
            except OSError as exc:
                print(f"pjconf: cannot write {family}: {exc}", file=sys.stderr)
                return 2
            print(f"wrote {path}")
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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {"run": _cmd_run, "shim": _cmd_shim, "vectors": _cmd_vectors}
    return handlers[args.command](args)


__all__ = ["Reply", "main"]
