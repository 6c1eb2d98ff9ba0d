"""``pjconf bench``: the speed of implementations side by side, each timed by its own ``bench``
op, and only where it first answered the op's vectors right. See docs/bench.md."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from pjconf.harness.bench import page, pytest_json, table
from pjconf.harness.bench.items import GROUPS, UnknownSelection, catalog, select_names
from pjconf.harness.bench.model import Member
from pjconf.harness.bench.session import exit_status, run_bench
from pjconf.harness.cli.compat import member_label
from pjconf.harness.cli.options import at_least, positive
from pjconf.harness.cli.output import write_output
from pjconf.harness.cli.run import DEFAULT_TIMEOUT, CannotStart, client_for
from pjconf.harness.corpus.load import Case, CorpusError, load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.corpus.profiles import DEFAULT_PROFILE, PROFILES, in_profile
from pjconf.harness.reports.summary import corpus_identity
from pjconf.harness.run import expectations
from pjconf.harness.run.expectations import Expectations
from pjconf.protocol.limits import DEFAULT_LIMITS
from pjconf.protocol.wire import JsonObject

USAGE_ERROR = 2
DEFAULT_ROUNDS = 7
DEFAULT_ROUND_MS = 25.0
PROG = "pjconf bench"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``bench`` subcommand and its options."""
    p = commands.add_parser(
        "bench",
        help="time implementations side by side with the protocol's bench op",
        description="Time the crypto core, event round trips, replay of growing logs and a "
        "whole session on every --impl, each inside the implementation (the protocol's bench "
        "op), in interleaved rounds; medians, spread and ratios to the first --impl and to the "
        "libsecp256k1 floor. An op is timed on an implementation only after it passes the op's "
        "vectors in the same run, and only when its bench's untimed first answer is the one "
        "meant; otherwise the row says why. Exit status 0 when it ran and no row was gated "
        "out by a wrong answer (--allow-gated: even then); 1 when a row was gated out or "
        "nothing was timed; 2 on bad usage, an implementation that cannot start, or an "
        "unwritable output. See docs/bench.md.",
    )
    p.add_argument(
        "--impl",
        action="append",
        default=[],
        required=True,
        metavar="SPEC",
        help="an implementation, as in 'pjconf run --impl' (reference, cmd:..., docker:IMAGE); "
        "repeatable, the first is the one ratios are taken to",
    )
    p.add_argument(
        "--ops",
        action="append",
        default=[],
        metavar="LIST",
        help="what to time, comma-separated and repeatable: groups ("
        + ", ".join(GROUPS)
        + "), ops (replay, hpke.seal...) or items (replay/sender/100); default everything "
        "(--list shows the items)",
    )
    p.add_argument("--list", action="store_true", help="list the items --ops selects and exit")
    p.add_argument(
        "--rounds",
        type=at_least(1),
        default=DEFAULT_ROUNDS,
        metavar="N",
        help=f"interleaved rounds per op and implementation (default {DEFAULT_ROUNDS})",
    )
    p.add_argument(
        "--round-ms",
        type=positive(float),
        default=DEFAULT_ROUND_MS,
        metavar="MS",
        help="each round is sized to run about this long inside the implementation "
        f"(default {DEFAULT_ROUND_MS:g}; an op slower than that runs once per round)",
    )
    p.add_argument(
        "--profile",
        choices=PROFILES,
        default=DEFAULT_PROFILE,
        help="what the gate's vectors are judged by, as in 'pjconf run' (default "
        f"{DEFAULT_PROFILE})",
    )
    p.add_argument("--vectors", type=Path, help="corpus directory (default: vectors/)")
    p.add_argument(
        "--allow-gated",
        action="store_true",
        help="exit 0 even when a row was gated out by a wrong answer (the rows still say so)",
    )
    p.add_argument(
        "--expectations",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="known failures, as in 'pjconf run --expectations' (repeatable: each "
        "implementation takes the first file with an entry for it); a vector it is known to "
        "fail does not gate the op out",
    )
    p.add_argument("--json", type=Path, metavar="FILE", help="write pytest-benchmark JSON here")
    p.add_argument("--html", type=Path, metavar="FILE", help="write a self-contained HTML page")
    p.add_argument(
        "--timeout", type=positive(float), default=DEFAULT_TIMEOUT, help="seconds per request"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")


def _usage(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return USAGE_ERROR


def _words(args: argparse.Namespace) -> list[str]:
    return [w.strip() for text in args.ops for w in text.split(",") if w.strip()]


def command(args: argparse.Namespace) -> int:
    try:
        names = select_names(_words(args))
    except UnknownSelection as exc:
        return _usage(
            f"--ops {exc.args[0]!r} names no group, op or item; groups are "
            f"{', '.join(GROUPS)} (--list shows the items)"
        )
    if args.list:
        known = catalog()
        for name in names:
            print(f"{name}\t{known[name][0]}\t{known[name][1]}")
        return 0
    root = args.vectors or vectors_dir()
    try:
        cases = [in_profile(c, args.profile) for c in load_corpus(root)]
    except CorpusError as exc:
        return _usage(str(exc))
    members: list[Member] = []
    try:
        for spec in args.impl:
            client = client_for(spec, args.timeout, DEFAULT_LIMITS)
            label = member_label(client, spec, {m.label for m in members})
            hello = client.call("hello", {})
            if label is None or hello.kind != "result":
                client.close()
                return _usage(f"{spec} did not answer hello")
            failures = _expectations(args.expectations, hello.value, args.profile)
            members.append(Member(label, spec, client, dict(hello.value), failures))
        args.root = root
        return _bench(members, cases, names, args)
    except (CannotStart, expectations.ExpectationsError) as exc:
        return _usage(str(exc))
    finally:
        for member in members:
            member.client.close()


def _bench(
    members: list[Member], cases: Sequence[Case], names: Sequence[str], args: argparse.Namespace
) -> int:
    """Run, print the table, write the outputs: everything after the implementations answered."""
    run = run_bench(
        members,
        cases,
        names,
        rounds=args.rounds,
        round_ms=args.round_ms,
        rerun=_gate_options(args),
        say=_printer(args.quiet),
    )
    run.date = datetime.fromtimestamp(args.clock.now(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    run.profile, run.corpus, run.command = args.profile, corpus_identity(args.root), _options(args)
    sys.stdout.write(table.render(run, allow_gated=args.allow_gated))
    renderers: list[tuple[Path | None, Callable[[], str]]] = [
        (args.json, lambda: pytest_json.render(run)),
        (args.html, lambda: page.render(run, allow_gated=args.allow_gated)),
    ]
    written = [write_output(p, render(), PROG) for p, render in renderers if p is not None]
    if not all(written):
        return USAGE_ERROR
    return exit_status(run, allow_gated=args.allow_gated)


def _expectations(files: Sequence[Path], hello: JsonObject, profile: str) -> Expectations:
    """The known failures of the implementation that said ``hello``: the first file of
    ``files`` with an entry for it (none: no known failures)."""
    name, version = str(hello.get("implementation", "")), str(hello.get("version", ""))
    for path in files:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise expectations.ExpectationsError(f"{path}: {exc}") from None
        entries = document.get("implementations") if isinstance(document, dict) else None
        if isinstance(entries, dict) and ({f"{name}@{version}", name} & set(entries)):
            return expectations.parse(document, name, version, str(path), profile)
    return Expectations()


def _gate_options(args: argparse.Namespace) -> list[str]:
    """The ``pjconf run`` options that judge a case as this run's gate did."""
    options = []
    if args.profile != DEFAULT_PROFILE:
        options += ["--profile", args.profile]
    if args.vectors is not None:
        options += ["--vectors", str(args.vectors)]
    return options


def _expectation_options(args: argparse.Namespace) -> list[str]:
    return [part for path in args.expectations for part in ("--expectations", str(path))]


def _options(args: argparse.Namespace) -> list[str]:
    """This run's options in a fixed order (the page's 'command' line)."""
    options = [part for spec in args.impl for part in ("--impl", spec)]
    options += [part for text in args.ops for part in ("--ops", text)]
    options += ["--rounds", str(args.rounds), "--round-ms", f"{args.round_ms:g}"]
    options += _gate_options(args) + _expectation_options(args)
    return options


def _printer(quiet: bool) -> Callable[[str], None]:
    def say(line: str) -> None:
        if not quiet:
            print(f"{PROG}: {line}", file=sys.stderr, flush=True)

    return say


__all__ = ["add_parser", "command"]
