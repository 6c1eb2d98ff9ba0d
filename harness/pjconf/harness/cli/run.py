"""``pjconf run``: the corpus against one implementation, judged, summarised and reported."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TextIO

from pjconf.harness.cli import run_matrix
from pjconf.harness.cli.options import at_least, percentage, positive, shard
from pjconf.harness.cli.output import write_output
from pjconf.harness.corpus.load import (
    DIRECTORY_FAMILY,
    Case,
    CorpusError,
    load_corpus,
)
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.corpus.profiles import DEFAULT_PROFILE, PROFILES, in_profile
from pjconf.harness.directory.conformance import (
    DEFAULT_LONG_POLL_MAX,
    DirectoryClient,
    DirectoryTarget,
    DirectoryUnavailable,
)
from pjconf.harness.excerpt import bounded, excerpt
from pjconf.harness.implementations import reference
from pjconf.harness.implementations.client import (
    Abortable,
    Client,
    LineClient,
    ProcessClient,
    Reply,
)
from pjconf.harness.reports import html as html_report
from pjconf.harness.reports import junit
from pjconf.harness.reports import summary as report
from pjconf.harness.reports.progress import ProgressLine, ProgressLog
from pjconf.harness.run import expectations
from pjconf.harness.run.breaker import DEFAULT_LIMIT, Breaker
from pjconf.harness.run.capabilities import injects_clock
from pjconf.harness.run.checker import Outcome, Verdict
from pjconf.harness.run.expectations import Expectations
from pjconf.harness.run.runner import RunResult, families_in_scope, run, select
from pjconf.harness.run.supervise import Stop, signals_stop, supervise
from pjconf.harness.run.variants import fresh_variants, new_seed, regenerate
from pjconf.harness.run.workers import WorkerCannotStart, WorkerProcess
from pjconf.protocol.limits import DEFAULT_LIMITS, Limits

INTERRUPTED = 3
"""Exit status of a run stopped early by SIGINT, SIGTERM or ``--deadline`` (reports partial)."""
HELLO_EXCERPT = 64 * 1024
"""Characters of the hello answer the reports keep (a real one lists ops in a few KiB)."""
DOCKER_EXTRA_MISSING = "--impl docker: needs the docker extra: pip install 'pjconf[docker]'"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``run`` subcommand and its options."""
    run_p = commands.add_parser(
        "run",
        help="check an implementation against the vector corpus",
        description="Run every corpus case through an implementation and report per case: "
        "PASS, FAIL (expected vs got, with the inputs), SKIP (unimplemented op), ACCEPTABLE "
        "(an allowed alternative) or ERROR (adapter malfunction); with --expectations also "
        "KNOWN_FAILURE and UNEXPECTED_PASS. Exit status is 0 only when every selected family "
        "ran something and nothing failed or errored outside the expectations; 1 otherwise; "
        "2 when the run could not start (unreadable corpus or expectations, no hello); 3 when "
        "it was stopped early (SIGINT, SIGTERM, --deadline: the reports are partial). With "
        "several --impl, each implementation runs in turn (its summary printed as for one) and "
        "--json/--html hold one matrix putting them side by side (docs/matrix.md); the exit "
        "status is 0 only when every implementation's run is, 1 when one failed, 2 when one "
        "could not start, 3 when one was stopped.",
    )
    run_p.add_argument(
        "--impl",
        action="append",
        help="'reference' (default, in-process), 'cmd:<command line>' for an adapter process, "
        "or 'docker:<image>' for an adapter image (run without network, read-only, no "
        "capabilities, memory-limited); repeat it to compare implementations in a matrix",
    )
    run_p.add_argument(
        "--directory",
        metavar="URL",
        help="run the 'directory' family against the BIP 77 directory at URL over HTTP "
        "(instead of an adapter; see docs/directory.md, 'Conformance'); without it that "
        "family is not run",
    )
    run_p.add_argument(
        "--relay",
        metavar="URL",
        help="with --directory: the OHTTP relay in front of it (default: the directory "
        "itself, which is its own relay for pjconf directory serve and payjoin-mailroom)",
    )
    run_p.add_argument(
        "--long-poll-max",
        type=positive(float),
        default=DEFAULT_LONG_POLL_MAX,
        metavar="SECONDS",
        help="with --directory: how long a GET on an empty mailbox is waited for before "
        "the case takes it as held (default %(default)g; keep it below the directory's "
        "long poll, 30 s for payjoin-mailroom)",
    )
    run_p.add_argument(
        "--profile",
        choices=PROFILES,
        default=DEFAULT_PROFILE,
        help="what the cases are judged by: 'bip77' (default) the specifications, where an "
        "answer they leave open is ACCEPTABLE and error kinds count only as finely as they tell "
        "refusals apart; 'payjoin-1.0' also pins payjoin 1.0's choices, error kinds and reasons "
        "(see docs/vectors.md)",
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
    run_p.add_argument("--shard", type=shard, help="run shard i of n, e.g. 1/4")
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
        action="append",
        metavar="[IMPL=]FILE",
        help="per-implementation known failures, disabled cases and excluded families "
        "(JSON, format pjconf/expectations/v1; see docs/runner.md); with several --impl, "
        "IMPL=FILE applies FILE to the --impl given exactly as IMPL, and one plain FILE to "
        "every other",
    )
    run_p.add_argument(
        "--reports-dir",
        type=Path,
        metavar="DIR",
        help="with several --impl: also keep each implementation's own JSON, JUnit and HTML "
        "report in DIR (N-<impl>.json, .xml, .html)",
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
        "--reproducible",
        action="store_true",
        help="reports without measured times, dated $SOURCE_DATE_EPOCH (or 1970): two runs "
        "with the same results write byte-identical reports",
    )
    run_p.add_argument(
        "--min-verified",
        type=percentage,
        metavar="PERCENT",
        help="fail the run when fewer than this share of the corpus's runnable cases are "
        "verified (PASS or ACCEPTABLE)",
    )
    run_p.add_argument(
        "--timeout", type=positive(float), default=DEFAULT_TIMEOUT, help="seconds per request"
    )
    run_p.add_argument(
        "--deadline",
        type=positive(float),
        metavar="SECONDS",
        help="stop the whole run after this long, write partial reports and exit 3",
    )
    run_p.add_argument(
        "--max-consecutive-errors",
        type=at_least(0),
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"after N adapter malfunctions in a row, send no more of that family (the next "
        f"family gets one probe; N families in a row cut off end the run); 0: never "
        f"(default {DEFAULT_LIMIT})",
    )
    for option, field, metavar, what in _LIMIT_OPTIONS:
        default = getattr(DEFAULT_LIMITS, field)
        run_p.add_argument(
            option,
            type=at_least(1),
            default=default,
            metavar=metavar,
            help=f"{what} (default {default})",
        )
    run_p.add_argument(
        "-j",
        "--jobs",
        type=at_least(0),
        default=1,
        metavar="N",
        help="send the cases to N adapter processes or containers at once (0: one per CPU); "
        "verdicts and reports are those of a serial run. Default 1. The in-process reference "
        "always runs serially (see docs/runner.md)",
    )
    run_p.add_argument("-q", "--quiet", action="store_true", help="no progress output")


_LIMIT_OPTIONS = (
    ("--max-line-bytes", "max_line_bytes", "BYTES", "longest answer line read, in bytes"),
    ("--max-depth", "max_depth", "N", "deepest JSON nesting of an answer"),
    ("--max-int-digits", "max_int_digits", "N", "longest number in an answer, in digits"),
)
"""The protocol limits ``pjconf run`` reads answers within: option, Limits field, help."""


def client_for(impl: str, timeout: float, limits: Limits) -> Client:
    """The client for an ``--impl`` spec (``reference``, ``cmd:…``, ``docker:IMAGE``); ``pjconf
    compat`` takes the same specs."""
    if impl == "reference":
        return reference.reference_client()
    if impl.startswith("cmd:"):
        return ProcessClient(impl[len("cmd:") :], timeout=timeout, limits=limits)
    if impl.startswith("docker:"):
        # The docker package is an optional extra: imported only when a container is asked for.
        try:
            from pjconf.harness.implementations.docker import (  # noqa: PLC0415
                DockerClient,
                DockerUnavailable,
            )
        except ModuleNotFoundError as exc:
            if exc.name != "docker":
                raise
            raise CannotStart(DOCKER_EXTRA_MISSING) from None
        try:
            return DockerClient(impl[len("docker:") :], timeout=timeout, lines=limits)
        except DockerUnavailable as exc:
            raise CannotStart(str(exc)) from None
    raise CannotStart(
        f"unknown --impl {impl!r} (use 'reference', 'cmd:<command>' or 'docker:<image>')"
    )


DEFAULT_TIMEOUT = 10.0
"""Seconds an adapter has to answer one request."""


class CannotStart(Exception):
    """The run cannot start (a bad ``--impl``, no Docker engine, an unknown family): exit 2."""


def _hello(client: Client, stop: Stop) -> Reply | None:
    """The hello answer (``None`` after printing why there is none); an unknown one when the
    run was stopped while waiting for it."""
    hello = supervise(lambda: client.call("hello", {}), stop, abort=_aborter(client))
    if hello is None:
        return Reply("malfunction", {"message": f"interrupted ({stop.reason})"})
    if hello.kind != "malfunction":
        return hello
    client.close()
    print(
        f"pjconf: the implementation did not answer hello: {hello.value['message']}",
        file=sys.stderr,
    )
    return None


def _aborter(client: Client) -> Callable[[str], None]:
    """What stops ``client`` at once: kill its adapter (an in-process one just finishes)."""
    if isinstance(client, Abortable):
        return client.abort
    return lambda reason: None


def _aborter_all(clients: list[Client]) -> Callable[[str], None]:
    """What stops every one of ``clients`` at once."""
    aborters = [_aborter(client) for client in clients]

    def abort(reason: str) -> None:
        for aborter in aborters:
            aborter(reason)

    return abort


def _implementation(hello: Reply, impl: str) -> dict[str, object]:
    """The hello result as the reports show it: bounded (it is the adapter's word), with a
    printable name and version."""
    if hello.kind != "result":
        return {"impl": impl}
    found = bounded(hello.value, HELLO_EXCERPT)
    if not isinstance(found, dict) or found.get("truncated") is True:
        return {"impl": impl, "hello": found}
    for key in ("implementation", "version"):
        if key in found:
            found[key] = excerpt(str(found[key]), 200)
    return dict(found)


def _supported_ops(implementation: dict[str, object]) -> set[str] | None:
    """The ops hello lists, or None when it lists none (then every case is tried)."""
    ops = implementation.get("ops")
    if isinstance(ops, list) and all(isinstance(op, str) for op in ops):
        return set(ops)
    return None


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


def command(args: argparse.Namespace) -> int:
    """One implementation, or several in a matrix (:mod:`run_matrix`); or, with
    ``--directory``, a directory by its URL."""
    if args.directory is None and args.relay is not None:
        print("pjconf: --relay needs --directory URL", file=sys.stderr)
        return 2
    if args.directory is not None:
        if args.impl:
            print("pjconf: --directory runs against a URL, not an --impl", file=sys.stderr)
            return 2
        args.impl = [f"directory:{args.directory}"]
    args.impl = args.impl or ["reference"]
    try:
        paired = run_matrix.pair_expectations(args.impl, args.expectations or [])
    except run_matrix.UsageError as exc:
        print(f"pjconf: {exc}", file=sys.stderr)
        return 2
    if len(args.impl) > 1:
        return run_matrix.command(args, paired, run_one)
    if args.reports_dir is not None:
        print("pjconf: --reports-dir needs several --impl", file=sys.stderr)
        return 2
    args.impl, args.expectations = args.impl[0], paired[args.impl[0]]
    return run_one(args)


def run_one(args: argparse.Namespace) -> int:
    """``pjconf run`` against one implementation (``args.impl`` a spec, ``args.expectations``
    a path or None)."""
    root = args.vectors or vectors_dir()
    try:
        cases = [in_profile(c, args.profile) for c in load_corpus(root)]
    except CorpusError as exc:
        print(f"pjconf: {exc}", file=sys.stderr)
        return 2
    against_url = args.directory is not None
    named = set(args.family or ()) | {name.split("/", 1)[0] for name in args.case or ()}
    if DIRECTORY_FAMILY in named and not against_url:
        print(
            f"pjconf: the {DIRECTORY_FAMILY} family runs against a directory's URL: "
            f"pjconf run --directory URL",
            file=sys.stderr,
        )
        return 2
    # The directory family is run against a URL and only then; every other family, never then.
    cases = [c for c in cases if (c.family == DIRECTORY_FAMILY) == against_url]
    unknown = sorted(set(args.case or ()) - {c.name for c in cases})
    if unknown:
        print(f"pjconf: no case named {', '.join(unknown)} in {root}", file=sys.stderr)
        return 2
    names = set(args.case) if args.case else None
    if args.list:
        return _list_cases(cases, args, names)
    limits = Limits(args.max_line_bytes, args.max_depth, args.max_int_digits)
    started = time.monotonic()
    if args.deadline is None:
        stop = Stop()
    else:
        stop = Stop(started + args.deadline, deadline_reason=f"--deadline {args.deadline:g}s")
    known = sorted({c.family for c in cases})
    strangers = sorted(set(args.family or ()) - set(known))
    if strangers:
        print(
            f"pjconf: unknown family {', '.join(strangers)}; the corpus has {', '.join(known)}",
            file=sys.stderr,
        )
        return 2
    seed = args.seed or new_seed()
    with signals_stop(stop):
        helpers: list[Client]
        try:  # the adapters first: -j's worker processes fork best before any thread starts
            if against_url:
                client, helpers = _directory_client(args), []
            else:
                client, helpers = _adapters(args, limits)
        except CannotStart as exc:
            print(f"pjconf: {exc}", file=sys.stderr)
            return 2
        regenerated = None if args.no_variants else _regenerating(seed, cases, args, names)
        try:
            return _run_with(
                client,
                args,
                cases=cases,
                names=names,
                root=root,
                stop=stop,
                started=started,
                helpers=helpers,
                seed=seed,
                regenerated=regenerated,
            )
        finally:
            for helper in helpers:
                helper.close()


def _directory_client(args: argparse.Namespace) -> Client:
    """The directory at ``--directory`` as the run's implementation; :class:`CannotStart` when
    its key configuration cannot be fetched. ``-j`` is ignored: one case at a time."""
    if args.jobs != 1:
        print("pjconf: -j is ignored with --directory (one case at a time)", file=sys.stderr)
    target = DirectoryTarget(args.directory, args.relay, args.long_poll_max, args.timeout)
    try:
        # Never seeded: a repeated --seed would name the same mailboxes again, and a directory
        # that keeps its mailboxes would answer from the last run's.
        return DirectoryClient(target, reference.directory_rng(None))
    except DirectoryUnavailable as exc:
        raise CannotStart(str(exc)) from None


def _regenerating(
    seed: str, cases: list[Case], args: argparse.Namespace, names: set[str] | None
) -> Callable[[], dict[str, Case]]:
    """Start regenerating the variant families the options select, in the background: the
    run's biggest serial cost, which needs only the seed, overlaps starting the adapters,
    ``hello`` and the first families' cases. (A family the expectations file later excludes
    is regenerated in vain.) Returns what waits for the result."""
    wanted = select(
        cases,
        keyword=args.keyword,
        families=set(args.family) if args.family else None,
        exclude=set(args.exclude_family),
        names=names,
        shard=args.shard,
    )
    families = {c.family for c in wanted if c.op is not None}
    pool = ThreadPoolExecutor(1, thread_name_prefix="pjconf-variants")
    future = pool.submit(regenerate, seed, families)
    pool.shutdown(wait=False)
    return future.result


def _adapters(args: argparse.Namespace, limits: Limits) -> tuple[Client, list[Client]]:
    """The run's adapter, and ``-j``'s others. With ``-j`` 2 or more each lives in a worker
    process (:mod:`~pjconf.harness.run.workers`), so the harness's Python work on the cases
    uses every core; the first also answers the run's ``hello``. ``-j 1`` stays in this
    process."""
    jobs = _jobs(args)
    if jobs == 1:
        return client_for(args.impl, args.timeout, limits), []
    factory = partial(client_for, args.impl, args.timeout, limits)
    workers = [WorkerProcess(factory, name=f"pjconf-worker-{k + 1}") for k in range(jobs)]
    try:
        workers[0].ready()
    except WorkerCannotStart as exc:
        for worker in workers:
            worker.close()
        raise CannotStart(str(exc)) from None
    return workers[0], list(workers[1:])


def _jobs(args: argparse.Namespace) -> int:
    """How many adapters ``-j`` asks for: one per CPU for 0; one for the in-process reference
    (its threads would share one interpreter lock, so more would only add overhead)."""
    jobs: int = args.jobs or os.cpu_count() or 1
    if args.impl == "reference" and jobs > 1:
        print(
            "pjconf: -j is ignored for the in-process reference (one interpreter)", file=sys.stderr
        )
        return 1
    return jobs


def _run_with(
    client: Client,
    args: argparse.Namespace,
    *,
    cases: list[Case],
    names: set[str] | None,
    root: Path,
    stop: Stop,
    started: float,
    helpers: list[Client] | None = None,
    seed: str = "",
    regenerated: Callable[[], dict[str, Case]] | None = None,
) -> int:
    """Hello, the run, the reports: everything after the implementation is started
    (``helpers``: more adapters of it for ``-j``, closed by the caller)."""
    started_at = args.clock.now()
    hello = _hello(client, stop)
    if hello is None:
        return 2
    implementation = _implementation(hello, args.impl)
    if hello.kind == "result":
        for helper in helpers or ():
            if isinstance(helper, LineClient | WorkerProcess):
                helper.adopt_hello(hello.value)  # the same implementation: respawn or not
    name = str(implementation.get("implementation", args.impl))
    expect = Expectations()
    if args.expectations and not stop():
        try:
            expect = expectations.load(
                args.expectations, name, str(implementation.get("version", "")), args.profile
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
    variants = (
        None
        if args.no_variants
        else fresh_variants(seed or args.seed or new_seed(), chosen, regenerated)
    )
    json_to_stdout = args.json is not None and str(args.json) == "-"
    line = ProgressLine(sys.stderr, enabled=not args.quiet and not json_to_stdout)
    log = ProgressLog(sys.stderr, enabled=not args.quiet)

    def progress(done: int, total: int, outcome: Outcome) -> None:
        line.update(done, total, outcome)
        log.update(done, total, outcome)

    result = RunResult()
    try:
        supervise(
            lambda: run(
                client,
                chosen,
                progress=progress,
                expectations=expect,
                families=families_in_scope(named, unsharded, chosen),
                supported_ops=_supported_ops(implementation),
                clock=injects_clock(implementation),
                breaker=Breaker(args.max_consecutive_errors),
                stop=stop,
                on_family=log.family,
                result=result,
                variants=variants,
                corpus=select(cases, exclude=excluded),
                helpers=helpers or (),
            ),
            stop,
            abort=_aborter_all([client, *(helpers or ())]),
            tick=log.tick,
        )
    finally:
        line.clear()
        log.finish("stopped" if stop() else "done")
        for worker in [client, *(helpers or ())]:
            if isinstance(worker, WorkerProcess):
                worker.begin_close()  # the workers close their adapters side by side
        client.close()
    if stop():
        # A runner still busy after the grace period keeps its own lists; report a snapshot.
        result = replace(result, outcomes=list(result.outcomes), interrupted=stop.reason)
    _settle(result, args, cases, expect, excluded)
    info = report.RunInfo(
        implementation=implementation,
        impl=args.impl,
        corpus=report.corpus_identity(root),
        started=started_at,
        elapsed=time.monotonic() - started,
        expectations=f"{expect.source} ({expect.entry})" if args.expectations else "",
        timed=not args.reproducible,
        profile=args.profile,
    )
    out = sys.stderr if json_to_stdout else sys.stdout
    _print_summary(result, info, root, out)
    renderers: list[tuple[Path | None, Callable[[], str]]] = [
        (None if json_to_stdout else args.json, lambda: _json_text(result, info)),
        (args.junit, lambda: junit.render(result, info)),
        (args.html, lambda: html_report.render(result, info)),
    ]
    written = [
        write_output(path, render(), "pjconf") for path, render in renderers if path is not None
    ]
    if json_to_stdout:
        sys.stdout.write(_json_text(result, info))
    if not all(written):
        return 2
    if result.interrupted:
        return INTERRUPTED
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
    result.rerun = _rerun_options(args)


def _rerun_options(args: argparse.Namespace) -> tuple[str, ...]:
    """The options a reproduce line needs to set the run up as this one was."""
    if args.directory is not None:
        options = ["--directory", args.directory]
        if args.relay is not None:
            options += ["--relay", args.relay]
        if args.long_poll_max != DEFAULT_LONG_POLL_MAX:
            options += ["--long-poll-max", f"{args.long_poll_max:g}"]
    else:
        options = ["--impl", args.impl]
    if args.profile != DEFAULT_PROFILE:
        options += ["--profile", args.profile]
    if args.vectors is not None:
        options += ["--vectors", str(args.vectors)]
    if args.expectations is not None:
        options += ["--expectations", str(args.expectations)]
    if args.timeout != DEFAULT_TIMEOUT:
        options += ["--timeout", f"{args.timeout:g}"]
    return tuple(options)


def _json_text(result: RunResult, info: report.RunInfo) -> str:
    return json.dumps(report.to_json(result, info.implementation, info), indent=1) + "\n"


def _print_summary(result: RunResult, info: report.RunInfo, root: Path, out: TextIO) -> None:
    print(
        f"pjconf run: {info.name} {info.version}".strip() + f" against {root} "
        f"({info.elapsed:.2f}s), profile {info.profile}",
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
    skipped = report.skip_lines(result)
    if skipped:
        print("\n" + skipped, file=out)
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
