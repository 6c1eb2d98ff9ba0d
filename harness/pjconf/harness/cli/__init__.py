"""The ``pjconf`` command: one module per subcommand (``run``, ``vectors``; ``report`` lives with
the reports), this one parses and dispatches."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from pjconf.harness import version
from pjconf.harness.cli import bench as bench_command
from pjconf.harness.cli import compat as compat_command
from pjconf.harness.cli import directory as directory_command
from pjconf.harness.cli import fuzz as fuzz_command
from pjconf.harness.cli import mutate as mutate_command
from pjconf.harness.cli import run as run_command
from pjconf.harness.cli import vectors as vectors_command
from pjconf.harness.cli.options import percentage
from pjconf.harness.cli.run import DOCKER_EXTRA_MISSING, INTERRUPTED
from pjconf.harness.clock import Clock, FixedTime, WallTime
from pjconf.harness.implementations import reference
from pjconf.harness.implementations.client import Reply
from pjconf.harness.reports import commands as report_commands

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
  pjconf run --impl A --impl B --html OUT         implementations side by side (a matrix)
  pjconf compat --impl A --impl B  sessions saved by one implementation, continued by another
  pjconf mutate                   how many one-place changes of the reference the corpus catches
  pjconf bench --impl A --impl B  time implementations side by side (only where they are right)
  pjconf fuzz --impl X            differential fuzzing against the reference; findings shrunk
                                  and saved as vectors (--save DIR), see docs/fuzz.md
  pjconf directory serve          a real BIP 77 directory and OHTTP relay over HTTP
  pjconf directory bench URL      its throughput, long polls and hostile clients, any directory

The adapter protocol is documented in docs/adapter-protocol.md; the runner's statuses, exit
status, expectations file and report formats in docs/runner.md; the matrix in docs/matrix.md.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pjconf", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    version.add_option(parser)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run_command.add_parser(commands)
    shim_p = commands.add_parser(
        "shim",
        help="serve the reference implementation over the adapter protocol",
        description="Read one JSON request per line on stdin, answer one JSON line on stdout. "
        "Exits 0 on 'shutdown' or end of input. Malformed lines get an error answer.",
    )
    shim_p.add_argument("--seed", help="make every random draw deterministic")
    shim_p.add_argument(
        "--supervise",
        action="store_true",
        help="serve from a child process that the 'pjconf.respawn' request SIGKILLs and replaces "
        '(hello then says "respawn": true; docs/adapter-protocol.md, Respawn)',
    )
    vectors_command.add_parser(commands)
    compat_command.add_parser(commands)
    mutate_command.add_parser(commands)
    bench_command.add_parser(commands)
    fuzz_command.add_parser(commands)
    directory_command.add_parser(commands)
    report_commands.add_parser(commands, percentage)
    return parser


def _cmd_shim(args: argparse.Namespace) -> int:
    if args.supervise:
        return reference.serve_supervised(args.seed, sys.stdin, sys.stdout)
    return reference.serve(args.seed, sys.stdin, sys.stdout)


def _default_clock(reproducible: bool = False) -> Clock:
    """The report date: ``$SOURCE_DATE_EPOCH`` when set (reproducible reports), else now, or
    the epoch itself under ``--reproducible``."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return FixedTime(int(epoch))
    return FixedTime(0) if reproducible else WallTime()


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.clock = clock or _default_clock(getattr(args, "reproducible", False))
    handlers = {"run": run_command.command, "shim": _cmd_shim, "vectors": vectors_command.command}
    handlers["report"] = report_commands.run
    handlers["compat"] = compat_command.command
    handlers["mutate"] = mutate_command.command
    handlers["bench"] = bench_command.command
    handlers["fuzz"] = fuzz_command.command
    handlers["directory"] = directory_command.command
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        # A run handles its own signals (partial reports, exit 3); anything else just stops.
        print("pjconf: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`pjconf run --list | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


__all__ = ["DOCKER_EXTRA_MISSING", "INTERRUPTED", "Reply", "main"]
