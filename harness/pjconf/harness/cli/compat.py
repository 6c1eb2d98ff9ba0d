"""``pjconf compat``: do sessions saved by one implementation survive being continued and
replayed by another (rust-payjoin 1.0.0 → 1.1.0 → 1.2.0 and back)? See docs/compat.md."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pjconf.harness.cli.output import write_output
from pjconf.harness.cli.run import DEFAULT_TIMEOUT, CannotStart, client_for
from pjconf.harness.compat import corpus, jsonout, markdown, notes
from pjconf.harness.compat.matrix import path_names, run_matrix
from pjconf.harness.compat.model import CorpusRow, Member
from pjconf.harness.compat.verdict import judge
from pjconf.harness.implementations.client import Client
from pjconf.harness.sessions.driver import ROLES, Role
from pjconf.protocol.limits import DEFAULT_LIMITS, Limits

USAGE_ERROR = 2


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``compat`` subcommand and its options."""
    p = commands.add_parser(
        "compat",
        help="cross-version compatibility of persisted sessions between implementations",
        description="Drive every session path with each implementation alone, hand each "
        "session over between every pair at every persistence point (resume from the other's "
        "log), and replay every prefix of every log by every other implementation. Exit "
        "status 0 when everything agrees or every difference is explained in --notes, 1 "
        "otherwise, 2 on bad usage. See docs/compat.md.",
    )
    p.add_argument(
        "--impl",
        action="append",
        default=[],
        required=True,
        metavar="SPEC",
        help="an implementation, as in 'pjconf run --impl' (reference, cmd:..., docker:IMAGE); "
        "give two or more, in the order the page shows them",
    )
    p.add_argument("--role", action="append", choices=ROLES, help="only this role (repeatable)")
    p.add_argument("--path", action="append", metavar="NAME", help="only this path (repeatable)")
    p.add_argument(
        "--notes",
        type=Path,
        metavar="FILE",
        help="explanations of known differences (format pjconf/compat-notes/v1, e.g. "
        "docs/compat-notes.json); an explained difference does not fail the run",
    )
    p.add_argument(
        "--corpus",
        action="append",
        default=[],
        metavar="LABEL=FILE",
        help="also show the corpus results of a 'pjconf run --json' report under this label "
        "(repeatable), e.g. rust-payjoin@1.1.0/bip77=r.json",
    )
    p.add_argument("--json", type=Path, metavar="FILE", help="write the JSON artifact here")
    p.add_argument("--markdown", type=Path, metavar="FILE", help="write the Markdown page here")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per request")
    p.add_argument("-q", "--quiet", action="store_true", help="print failures only")


def make_client(spec: str, timeout: float, limits: Limits) -> Client:
    """The client ``pjconf run --impl`` makes for ``spec``: one syntax for both commands."""
    return client_for(spec, timeout, limits)


def _usage(message: str) -> int:
    print(f"pjconf compat: {message}", file=sys.stderr)
    return USAGE_ERROR


def member_label(client: Client, spec: str, taken: set[str]) -> str | None:
    """``<implementation>@<version>`` from hello (None: it did not answer), unique."""
    hello = client.call("hello", {})
    if hello.kind != "result":
        return None
    name = str(hello.value.get("implementation", spec))
    version = hello.value.get("version")
    label = f"{name}@{version}" if version else name
    unique, n = label, 1
    while unique in taken:
        n += 1
        unique = f"{label}#{n}"
    return unique


def _regenerate(args: argparse.Namespace) -> list[str]:
    """The options of this run in a fixed order: the page's 'regenerate with' line."""
    options = [part for spec in args.impl for part in ("--impl", spec)]
    options += [part for role in args.role or () for part in ("--role", role)]
    options += [part for path in args.path or () for part in ("--path", path)]
    if args.notes is not None:
        options += ["--notes", str(args.notes)]
    options += [part for item in args.corpus for part in ("--corpus", item)]
    if args.timeout != DEFAULT_TIMEOUT:
        options += ["--timeout", f"{args.timeout:g}"]
    for option, value in (("--json", args.json), ("--markdown", args.markdown)):
        if value is not None:
            options += [option, str(value)]
    return options


def command(args: argparse.Namespace) -> int:
    if len(args.impl) < 2:
        return _usage("give two or more --impl to compare")
    known = path_names()
    unknown = [p for p in args.path or () if p not in known]
    if unknown:
        return _usage(f"unknown --path {', '.join(unknown)}; the paths are {', '.join(known)}")
    try:
        found = notes.load(args.notes) if args.notes else notes.Notes()
        rows = [corpus.read(*corpus.split(item)) for item in args.corpus]
    except (notes.NotesError, corpus.CorpusReportError) as exc:
        return _usage(str(exc))
    members: list[Member] = []
    try:
        for spec in args.impl:
            client = make_client(spec, args.timeout, DEFAULT_LIMITS)
            label = member_label(client, spec, {m.label for m in members})
            if label is None:
                client.close()
                return _usage(f"{spec} did not answer hello")
            members.append(Member(label, spec, client))
        return _run(args, members, found, rows)
    except CannotStart as exc:
        return _usage(str(exc))
    finally:
        for member in members:
            member.client.close()


def _run(
    args: argparse.Namespace,
    members: list[Member],
    found: notes.Notes,
    rows: list[CorpusRow],
) -> int:
    started = time.monotonic()
    say = _printer(args.quiet)
    say(f"comparing {', '.join(f'{m.label} ({m.spec})' for m in members)}")
    roles: tuple[Role, ...] = tuple(r for r in ROLES if r in (args.role or ROLES))
    matrix = run_matrix(members, roles=roles, paths=args.path, progress=say)
    matrix.corpus, matrix.command = rows, _regenerate(args)
    judged = judge(matrix, found)
    elapsed = time.monotonic() - started
    for failure in judged.unexplained:
        print(
            f"pjconf compat: unexplained: {failure.key} -- reproduce: {failure.reproduce}",
            file=sys.stderr,
        )
    for difference in judged.corpus:
        if difference.explanation is None:
            print(
                f"pjconf compat: note: corpus difference without an explanation: {difference.key}",
                file=sys.stderr,
            )
    for pattern in judged.stale:
        print(f"pjconf compat: warning: note {pattern!r} explains nothing", file=sys.stderr)
    renderers: list[tuple[Path | None, Callable[[], str]]] = [
        (args.json, lambda: jsonout.render(matrix, judged, elapsed)),
        (args.markdown, lambda: markdown.render(matrix, judged)),
    ]
    written = [
        write_output(path, render(), "pjconf compat")
        for path, render in renderers
        if path is not None
    ]
    explained = len(matrix.failures) - len(judged.unexplained)
    print(
        f"pjconf compat: {'OK' if judged.ok else 'FAILED'}: {len(matrix.failures)} "
        f"difference(s), {explained} explained; "
        + "; ".join(
            f"{p.writer}->{p.reader} handovers {p.continued}/{p.handovers} "
            f"replays {p.agreements}/{p.prefixes}"
            for p in matrix.pairs.values()
        )
        + f" ({elapsed:.1f}s)",
        file=sys.stderr,
    )
    if not all(written):
        return USAGE_ERROR
    return 0 if judged.ok else 1


def _printer(quiet: bool) -> Callable[[str], None]:
    def say(line: str) -> None:
        if not quiet or line.startswith("FAIL"):
            print(f"pjconf compat: {line}", file=sys.stderr, flush=True)

    return say
