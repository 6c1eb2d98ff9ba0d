"""``pjconf fuzz``: an implementation against an oracle on drawn inputs, findings shrunk and saved.

Exit status: 0 when no new finding turned up (known ones do not count), 1 on a finding, 2 when
the run could not start (a bad ``--impl``, ``--budget``, expectations file or save folder, no
``hello``), 3 when it was interrupted (what was found so far is still reported and saved).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from pjconf.harness.cli.options import at_least, positive
from pjconf.harness.cli.output import write_output
from pjconf.harness.cli.run import DEFAULT_TIMEOUT, INTERRUPTED, CannotStart, client_for
from pjconf.harness.corpus.profiles import DEFAULT_PROFILE, PROFILES
from pjconf.harness.excerpt import printable, utf8_json
from pjconf.harness.fuzz import stateful
from pjconf.harness.fuzz.export import export_seeds
from pjconf.harness.fuzz.known import KnownError, load_known
from pjconf.harness.fuzz.model import Budget, BudgetError, Finding, Stats
from pjconf.harness.fuzz.save import UNSAVED_FAMILIES, SaveError, save_findings
from pjconf.harness.fuzz.stateless import explore
from pjconf.harness.fuzz.strategies import Tools, all_targets
from pjconf.harness.implementations.client import Client
from pjconf.harness.run.capabilities import injects_clock
from pjconf.harness.run.variants import new_seed
from pjconf.protocol.limits import DEFAULT_LIMITS
from pjconf.protocol.wire import JsonObject

DEFAULT_BUDGET = "60s"
"""The whole run's budget: both engines share it (``--engine all``: half each)."""
DEFAULT_SEED = "pjconf"
"""The seed when none is given: a run is reproducible unless asked otherwise (``--seed random``)."""
PROGRESS_SECONDS = 5.0
ENGINES = ("stateless", "stateful", "all")
REPORT_FORMAT = "pjconf/fuzz-report/v1"


def budget(text: str) -> Budget:
    try:
        return Budget.parse(text)
    except BudgetError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    fuzz_p = commands.add_parser(
        "fuzz",
        help="differential fuzzing of an implementation against the reference",
        description="Draw inputs for every op both implementations list (event texts, logs "
        "with the hostile family's mutations, URIs, key configurations, OHTTP/BHTTP messages, "
        "messages A and B), send each to the implementation and to the oracle, and report "
        "every disagreement in outcome class, result or error kind as a finding, shrunk to a "
        "minimal input. Exit status: 0 no new finding, 1 a finding, 2 the run could not "
        "start, 3 interrupted. See docs/fuzz.md.",
    )
    fuzz_p.add_argument(
        "--impl",
        default="reference",
        help="the implementation under test "
        "('reference', 'cmd:<command line>', 'docker:<image>', as pjconf run)",
    )
    fuzz_p.add_argument(
        "--against",
        default="reference",
        metavar="IMPL",
        help="the oracle (default: the reference, in process)",
    )
    fuzz_p.add_argument(
        "--budget",
        type=budget,
        default=Budget.parse(DEFAULT_BUDGET),
        metavar="60s|2m|N",
        help=f"wall time, or a number of cases (steps for "
        f"sessions) for a run that is the same every time (default "
        f"{DEFAULT_BUDGET})",
    )
    fuzz_p.add_argument(
        "--seed",
        default=DEFAULT_SEED,
        help=f"seed of every draw (default "
        f"{DEFAULT_SEED!r}; 'random' for a fresh one, printed in the summary)",
    )
    fuzz_p.add_argument(
        "--engine",
        choices=ENGINES,
        default="all",
        help="stateless ops, stateful session steps, or both one after the other (default)",
    )
    fuzz_p.add_argument(
        "--crash",
        action="store_true",
        help="stateful engine: kill the implementation at random persistence points and resume "
        "it from the log it reported (a container restart each time: slower)",
    )
    fuzz_p.add_argument(
        "--profile",
        choices=PROFILES,
        default=DEFAULT_PROFILE,
        help="what counts as a difference, as in pjconf run (default bip77)",
    )
    fuzz_p.add_argument(
        "--op", action="append", metavar="OP", help="only this op (repeatable; stateless engine)"
    )
    fuzz_p.add_argument(
        "--save",
        type=Path,
        metavar="DIR",
        help="write each finding into DIR as a vector file (pjconf run --vectors DIR replays them)",
    )
    fuzz_p.add_argument(
        "--expectations",
        type=Path,
        metavar="FILE",
        help="known differences (format pjconf/fuzz-known/v1): counted as known, not as findings",
    )
    fuzz_p.add_argument(
        "--max-findings", type=at_least(1), metavar="N", help="stop after N new findings"
    )
    fuzz_p.add_argument(
        "--json", type=Path, metavar="FILE", help="also write a JSON report ('-' for stdout)"
    )
    fuzz_p.add_argument(
        "--reproducible",
        action="store_true",
        help="no times or rates in the reports (two runs with a case budget "
        "then write identical JSON)",
    )
    fuzz_p.add_argument(
        "--timeout", type=positive(float), default=DEFAULT_TIMEOUT, help="seconds per request"
    )
    fuzz_p.add_argument(
        "--export-seeds",
        type=Path,
        metavar="DIR",
        help="write the corpus as "
        "seed inputs of the fuzzing-engine entry points (one folder per target) "
        "and exit",
    )
    fuzz_p.add_argument(
        "--list-ops",
        action="store_true",
        help="list the ops the stateless engine draws inputs for, and exit",
    )
    fuzz_p.add_argument("-q", "--quiet", action="store_true", help="no progress output")


@dataclass
class Outcome:
    """What the run did, for the summary and the JSON report."""

    seed: str
    findings: list[Finding] = field(default_factory=list)
    engines: dict[str, dict[str, object]] = field(default_factory=dict)
    saved: dict[str, str] = field(default_factory=dict)
    """Finding key -> the ``FAMILY/TCID`` it was saved as."""
    interrupted: bool = False


class Progress:
    """A plain line on stderr every few seconds (no TTY tricks: it is read in CI logs)."""

    def __init__(self, engine: str, enabled: bool, clock: Callable[[], float] = time.monotonic):
        self.engine = engine
        self.enabled = enabled
        self.clock = clock
        self.last = clock()

    def __call__(self, stats: Stats) -> None:
        if not self.enabled or self.clock() - self.last < PROGRESS_SECONDS:
            return
        self.last = self.clock()
        unit = f"{stats.steps} steps" if stats.steps else f"{stats.cases} cases"
        print(
            f"fuzz {self.engine}: {unit} in {stats.elapsed:.0f}s ({stats.rate():.0f}/s), "
            f"{stats.findings} findings, {stats.known} known",
            file=sys.stderr,
            flush=True,
        )


def command(args: argparse.Namespace) -> int:
    if args.list_ops:
        for target in all_targets():
            print(f"{target.op}\t{target.group}")
        return 0
    if args.export_seeds is not None:
        try:
            count = export_seeds(args.export_seeds)
        except OSError as exc:
            print(f"pjconf fuzz: cannot write seeds to {args.export_seeds}: {exc}", file=sys.stderr)
            return 2
        print(f"pjconf fuzz: {count} seed inputs written to {args.export_seeds}")
        return 0
    known: frozenset[str] = frozenset()
    if args.expectations is not None:
        try:
            known = load_known(args.expectations)
        except KnownError as exc:
            print(f"pjconf fuzz: {exc}", file=sys.stderr)
            return 2
    unknown_ops = sorted(set(args.op or ()) - {t.op for t in all_targets()})
    if unknown_ops:
        print(
            f"pjconf fuzz: no strategy for op {', '.join(unknown_ops)} (see --list-ops)",
            file=sys.stderr,
        )
        return 2
    seed = new_seed() if args.seed == "random" else args.seed
    try:
        iut = client_for(args.impl, args.timeout, DEFAULT_LIMITS)
    except CannotStart as exc:
        print(f"pjconf fuzz: {exc}", file=sys.stderr)
        return 2
    try:
        oracle = client_for(args.against, args.timeout, DEFAULT_LIMITS)
    except CannotStart as exc:
        iut.close()
        print(f"pjconf fuzz: --against: {exc}", file=sys.stderr)
        return 2
    try:
        return _fuzz(args, iut, oracle, seed, known)
    finally:
        iut.close()
        oracle.close()


def _hello(client: Client, name: str) -> JsonObject:
    """The ``hello`` result ({} when the answer is an error); raises CannotStart."""
    hello = client.call("hello", {})
    if hello.kind == "malfunction":
        raise CannotStart(f"{name} did not answer hello: {hello.value.get('message')}")
    return hello.value if hello.kind == "result" else {}


def _ops(hello: JsonObject) -> set[str] | None:
    """The ops ``hello`` lists (None: it lists none, every op is tried)."""
    ops = hello.get("ops")
    if isinstance(ops, list) and all(isinstance(op, str) for op in ops):
        return set(ops)
    return None


def _fuzz(
    args: argparse.Namespace, iut: Client, oracle: Client, seed: str, known: frozenset[str]
) -> int:
    try:
        iut_hello, oracle_hello = _hello(iut, args.impl), _hello(oracle, args.against)
    except CannotStart as exc:
        print(f"pjconf fuzz: {exc}", file=sys.stderr)
        return 2
    ops = _intersection(_ops(iut_hello), _ops(oracle_hello), args.op)
    tools = Tools(clock=injects_clock(iut_hello) and injects_clock(oracle_hello))
    share = 0.5 if args.engine == "all" else 1.0
    outcome = Outcome(seed)
    quiet = args.quiet or (args.json is not None and str(args.json) == "-")

    def found(finding: Finding) -> None:
        outcome.findings.append(finding)
        if not quiet:
            print(f"fuzz: finding: {finding.key}", file=sys.stderr, flush=True)

    try:
        if args.engine in ("stateless", "all"):
            result = explore(
                iut,
                oracle,
                budget=args.budget.split(share),
                seed=seed,
                profile=args.profile,
                known=known,
                ops=ops,
                max_findings=args.max_findings,
                on_progress=Progress("stateless", not quiet),
                on_finding=found,
                tools=tools,
            )
            outcome.engines["stateless"] = {
                "stats": result.stats,
                "per_op": result.per_op,
                "skipped": result.skipped,
                "known_seen": sorted(result.known_seen),
            }
        more = args.max_findings is None or len(outcome.findings) < args.max_findings
        if args.engine in ("stateful", "all") and more:
            outcome.engines["stateful"] = _stateful(
                args,
                iut=iut,
                oracle=oracle,
                seed=seed,
                known=known,
                share=share,
                found=found,
                quiet=quiet,
            )
    except KeyboardInterrupt:
        outcome.interrupted = True
    if args.save is not None and outcome.findings:
        try:
            save_findings(outcome.findings, args.save)
        except SaveError as exc:
            print(f"pjconf fuzz: {exc}", file=sys.stderr)
            return 2
        outcome.saved = _saved_names(args.save, outcome.findings)
    json_to_stdout = args.json is not None and str(args.json) == "-"
    _print_summary(args, outcome, sys.stderr if json_to_stdout else sys.stdout)
    report = utf8_json(_report(args, outcome), indent=1) + "\n"
    if json_to_stdout:
        sys.stdout.write(report)
    elif args.json is not None and not write_output(args.json, report, "pjconf fuzz"):
        return 2
    if outcome.interrupted:
        return INTERRUPTED
    return 1 if outcome.findings else 0


def _intersection(
    a: set[str] | None, b: set[str] | None, chosen: list[str] | None
) -> set[str] | None:
    sets = [s for s in (a, b, set(chosen) if chosen else None) if s is not None]
    if not sets:
        return None
    return set.intersection(*sets)


def _stateful(
    args: argparse.Namespace,
    *,
    iut: Client,
    oracle: Client,
    seed: str,
    known: frozenset[str],
    share: float,
    found: Callable[[Finding], None],
    quiet: bool,
) -> dict[str, object]:

    def restart() -> Client:
        return client_for(args.impl, args.timeout, DEFAULT_LIMITS)

    findings, stats = stateful.explore_sessions(
        iut,
        oracle,
        budget=args.budget.split(share),
        seed=seed,
        crash=args.crash,
        restart=restart,
        known=known,
        on_progress=Progress("stateful", not quiet),
    )
    for finding in findings:
        found(finding)
    return {"stats": stats}


def _saved_names(folder: Path, findings: list[Finding]) -> dict[str, str]:
    """Where each finding ended up in ``folder`` (it may have been saved by an earlier run)."""
    names: dict[str, str] = {}
    for family in {f.family for f in findings}:
        try:
            document = json.loads((folder / f"{family}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for group in document.get("testGroups", []):
            for case in group.get("tests", []):
                names.setdefault(str(case.get("key")), f"{family}/{case.get('tcId')}")
    return {f.key: names[f.key] for f in findings if f.key in names}


def _rerun(args: argparse.Namespace, seed: str, cases: int | None) -> str:
    """The command that runs this fuzz run again (a case budget makes it the same run)."""
    parts = ["pjconf fuzz", "--impl", _quote(args.impl)]
    if args.against != "reference":
        parts += ["--against", _quote(args.against)]
    if args.engine != "all":
        parts += ["--engine", args.engine]
    if args.crash:
        parts.append("--crash")
    if args.profile != DEFAULT_PROFILE:
        parts += ["--profile", args.profile]
    for op in args.op or ():
        parts += ["--op", op]
    if args.expectations is not None:
        parts += ["--expectations", _quote(str(args.expectations))]
    parts += ["--seed", _quote(seed)]
    if cases is not None:
        parts += ["--budget", str(cases)]
    return " ".join(parts)


def _quote(text: str) -> str:
    return shlex.quote(text)


class _Printable:
    """A text stream that writes lone surrogates (a drawn input may hold one) as ``\\udXXX``:
    printing a finding must not fail on the input that showed it."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(printable(text))

    def flush(self) -> None:
        self.stream.flush()


def _print_summary(args: argparse.Namespace, outcome: Outcome, stream: TextIO) -> None:
    out = _Printable(stream)
    print(
        f"pjconf fuzz: {args.impl} against {args.against}, profile {args.profile}, "
        f"seed {outcome.seed}",
        file=out,
    )
    total_cases = 0
    for name, engine in outcome.engines.items():
        stats = engine["stats"]
        assert isinstance(stats, Stats)
        total_cases += stats.cases
        unit = f"{stats.steps} steps" if name == "stateful" else f"{stats.cases} cases"
        timing = "" if args.reproducible else f" in {stats.elapsed:.1f}s ({stats.rate():.0f}/s)"
        print(f"  {name}: {unit}{timing}, {stats.findings} findings, {stats.known} known", file=out)
        skipped = engine.get("skipped")
        if isinstance(skipped, dict):
            for op, why in sorted(skipped.items()):
                print(f"    not fuzzed: {op}: {why}", file=out)
    if outcome.interrupted:
        print("  interrupted: the counts above are partial", file=out)
    for number, finding in enumerate(outcome.findings, 1):
        print(f"\nFINDING {number}: {finding.summary}", file=out)
        print(f"  key: {finding.key}", file=out)
        for line in finding.detail.splitlines():
            print(f"  {line}", file=out)
        saved = outcome.saved.get(finding.key)
        if finding.family in UNSAVED_FAMILIES:
            print(
                "  not saved: the oracle itself broke, so there is no answer to pin; the input:",
                file=out,
            )
            print(f"  {json.dumps(finding.case.get('args'), ensure_ascii=False)[:2000]}", file=out)
        elif saved is not None:
            print(
                f"  saved as {saved}; replay: pjconf run --impl {_quote(args.impl)} "
                f"--vectors {_quote(str(args.save))} --case {saved}",
                file=out,
            )
        else:
            print(
                f"  inputs: {json.dumps(finding.case.get('args'), ensure_ascii=False)[:600]}",
                file=out,
            )
    stateless = outcome.engines.get("stateless", {}).get("stats")
    cases = stateless.cases if isinstance(stateless, Stats) and args.engine == "stateless" else None
    print(f"\nreproduce: {_rerun(args, outcome.seed, cases)}", file=out)
    verdict = f"{len(outcome.findings)} new finding(s)" if outcome.findings else "no new finding"
    print(f"pjconf fuzz: {verdict}", file=out)


def _report(args: argparse.Namespace, outcome: Outcome) -> dict[str, object]:
    engines: dict[str, object] = {}
    for name, engine in outcome.engines.items():
        stats = engine["stats"]
        assert isinstance(stats, Stats)
        entry: dict[str, object] = {
            "cases": stats.cases,
            "steps": stats.steps,
            "findings": stats.findings,
            "known": stats.known,
        }
        if not args.reproducible:
            entry.update(seconds=round(stats.elapsed, 3), rate=round(stats.rate(), 1))
        entry.update({k: v for k, v in engine.items() if k != "stats"})
        engines[name] = entry
    return {
        "format": REPORT_FORMAT,
        "impl": args.impl,
        "against": args.against,
        "profile": args.profile,
        "seed": outcome.seed,
        "budget": {"seconds": args.budget.seconds, "cases": args.budget.cases},
        "interrupted": outcome.interrupted,
        "engines": engines,
        "findings": [
            {
                "engine": f.engine,
                "target": f.target,
                "key": f.key,
                "summary": f.summary,
                "family": f.family,
                "case": f.case,
                "detail": f.detail,
                "saved_as": outcome.saved.get(f.key),
            }
            for f in outcome.findings
        ],
    }
