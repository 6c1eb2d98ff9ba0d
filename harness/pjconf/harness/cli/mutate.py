"""``pjconf mutate``: mutation testing of the reference against the corpus (docs/mutation.md)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from pjconf.harness.cli.options import at_least, positive
from pjconf.harness.mutation import report, runner, survivors
from pjconf.harness.mutation.operators import OPERATORS, Mutant
from pjconf.harness.mutation.runner import Result, Status, ToolError
from pjconf.harness.mutation.scope import SCOPE

TOOL_ERROR = 2
"""Exit status when the tool itself could not measure (the unmutated reference fails...)."""


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "mutate",
        help="mutation testing: how many one-place changes of the reference the corpus catches",
        description="Mutate the reference's source one place at a time (operators: "
        + "; ".join(f"{name}: {what}" for name, what in OPERATORS.items())
        + ") and run, in a fresh process per mutant, the corpus cases that reach the changed "
        "line under both profiles. Exit 0 when the measurement ran (whatever the score), 1 with "
        "--require-listed when a mutant survived that the survivors file does not list or a listed "
        "one was killed, 2 on a tool error.",
    )
    p.add_argument(
        "--module",
        action="append",
        choices=sorted(SCOPE),
        help="only this module (repeatable; default: all in scope)",
    )
    p.add_argument("--operator", action="append", choices=sorted(OPERATORS), help="only this one")
    p.add_argument(
        "--ids-from",
        type=Path,
        metavar="FILE",
        help="only the mutants whose ids this file lists, one a line (to re-run some)",
    )
    p.add_argument(
        "--carry-killed",
        type=Path,
        metavar="REPORT",
        help="take the mutants an earlier --json report of the same reference source counts as "
        "killed as killed, and run only the others (new cases can only kill more; after a change "
        "to the reference or the runner, measure afresh)",
    )
    p.add_argument("--sample", type=at_least(1), metavar="N", help="a deterministic sample of N")
    p.add_argument("--seed", default="pjconf", help="seed of --sample (default: pjconf)")
    p.add_argument("--jobs", type=at_least(1), default=2, help="parallel processes (default 2)")
    p.add_argument(
        "--timeout",
        type=positive(float),
        default=120.0,
        help="seconds one mutant's cases may take before it counts as a timeout (default 120)",
    )
    p.add_argument("--json", type=Path, metavar="FILE", help="write the full report as JSON")
    p.add_argument("--markdown", type=Path, metavar="FILE", help="write the table as Markdown")
    p.add_argument(
        "--survivors",
        type=Path,
        default=survivors.default_path(),
        help="the listing of mutants left alive: equivalent, unreachable, unjudged, gap "
        "(default: docs/mutation-survivors.json)",
    )
    p.add_argument(
        "--require-listed",
        action="store_true",
        help="fail (exit 1) when a mutant survives that the survivors file does not list, or a "
        "listed one is killed (the listing is wrong or the gap closed)",
    )
    p.add_argument("--list", action="store_true", help="list the selected mutants and exit")


def _progress(done: int, total: int, result: Result) -> None:
    m = result.mutant
    cases = "all" if result.cases < 0 else str(result.cases)
    print(
        f"[{done}/{total}] {result.status.value:<11} {m.id}  {m.module}.py:{m.line} "
        f"{m.description} ({cases} cases, {result.seconds:.1f}s)",
        flush=True,
    )


def command(args: argparse.Namespace) -> int:
    try:
        return _measure(args)
    except (ToolError, survivors.SurvivorsError) as exc:
        print(f"pjconf mutate: {exc}", file=sys.stderr)
        return TOOL_ERROR


def _measure(args: argparse.Namespace) -> int:
    listed = survivors.load(args.survivors)
    root = runner.reference_root()
    modules = args.module or list(SCOPE)
    everything = runner.collect(root, modules)
    chosen = [m for m in everything if args.operator is None or m.operator in args.operator]
    if args.ids_from is not None:
        wanted = set(args.ids_from.read_text(encoding="utf-8").split())
        chosen = [m for m in chosen if m.id in wanted]
    chosen = runner.sample(chosen, args.sample, args.seed)
    if args.list:
        for m in chosen:
            print(f"{m.id}\t{m.module}.py:{m.line}\t{m.description}\t{m.text}")
        return 0
    began = time.monotonic()
    print(
        f"pjconf mutate: {len(chosen)} mutants of {len(modules)} modules; coverage first",
        flush=True,
    )
    carried = _carried(args.carry_killed, chosen) if args.carry_killed else {}
    if carried:
        print(f"pjconf mutate: {len(carried)} killed in {args.carry_killed}, not run again")
    lines = runner.coverage(root, modules, args.timeout * 4)
    print(f"pjconf mutate: coverage took {time.monotonic() - began:.0f}s", flush=True)
    ran = runner.run_all(
        [m for m in chosen if m.id not in carried],
        lines,
        root,
        jobs=args.jobs,
        timeout=args.timeout,
        progress=_progress,
    )
    by_id = {r.mutant.id: r for r in ran} | carried
    results = [by_id[m.id] for m in chosen]
    elapsed = time.monotonic() - began
    rows = report.table(results, listed)
    print(report.markdown(rows))
    print(f"pjconf mutate: {len(results)} mutants in {elapsed:.0f}s with {args.jobs} jobs")
    if not (args.sample or args.module or args.operator or args.ids_from):
        for gone in survivors.stale(listed, {m.id for m in everything}):
            print(f"pjconf mutate: stale survivors entry (no such mutant): {gone}")
    meta: dict[str, object] = {
        "modules_in_scope": modules,
        "sample": args.sample,
        "seed": args.seed if args.sample else None,
        "profiles": list(runner.PROFILES),
        "seconds": round(elapsed),
        "jobs": args.jobs,
        "carried_killed_from": str(args.carry_killed) if carried else None,
        "carried_killed": len(carried),
    }
    if args.json:
        args.json.write_text(report.as_json(results, rows, listed, meta), encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(report.markdown(rows), encoding="utf-8")
    gaps = report.unlisted_survivors(results, listed)
    for result in gaps:
        print(f"pjconf mutate: unlisted survivor {result.mutant.id} ({_where(result)})")
    wrong = report.killed_but_listed(results, listed)
    for result in wrong:
        print(
            f"pjconf mutate: listed as {listed[result.mutant.id].cls} but killed by "
            f"{', '.join(result.failed) or 'a case'}: {result.mutant.id} ({_where(result)}); "
            "remove the listing"
        )
    timeouts = sum(1 for r in results if r.status is Status.TIMEOUT)
    print(
        f"pjconf mutate: {len(gaps)} unlisted survivors, {len(wrong)} listed but killed, "
        f"{timeouts} timeouts"
    )
    return 1 if args.require_listed and (gaps or wrong) else 0


def _carried(report_path: Path, chosen: list[Mutant]) -> dict[str, Result]:
    """The chosen mutants an earlier report counts as killed, with the cases that killed them."""
    try:
        document = json.loads(report_path.read_text(encoding="utf-8"))
        earlier = {m["id"]: m for m in document["mutants"] if m["status"] == Status.KILLED.value}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ToolError(f"{report_path}: not a pjconf mutate --json report ({exc})") from None
    return {
        m.id: Result(m, Status.KILLED, int(earlier[m.id]["cases"]), list(earlier[m.id]["failed"]))
        for m in chosen
        if m.id in earlier
    }


def _where(result: runner.Result) -> str:
    m = result.mutant
    return f"{m.module}.py:{m.line} {m.description}"
