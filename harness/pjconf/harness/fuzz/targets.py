"""Entry points a coverage-guided fuzzing engine can drive (atheris, so ClusterFuzzLite or
OSS-Fuzz), one per op group: ``TestOneInput(data: bytes)``.

An input is one protocol request as JSON, ``{"op": OP, "args": {...}}``, with ``OP`` one of the
group's ops: the seed corpus is the vector corpus in that form (``pjconf fuzz --export-seeds``)
and the dictionary (:func:`dictionary`) holds the protocol's tokens, so the engine's byte-level
mutations stay close to the grammar. Input that is not such a request is uninteresting (it
returns). The request goes to the implementation named by ``$PJCONF_FUZZ_IMPL`` (default: the
reference in process) and to the reference as the oracle; a difference (as ``pjconf fuzz``
judges one), a malfunction or an ``InternalError`` on either side raises :class:`FuzzFinding`,
which the engine records as a crash with its input.

They run without atheris too, for a seed or a crash file::

    python -m pjconf.harness.fuzz.targets events < crash-1234
    python -m pjconf.harness.fuzz.targets events seeds/events/*.json
    python -m pjconf.harness.fuzz.targets --atheris events -runs=1000   # with atheris
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from functools import cache

from pjconf.harness.corpus.profiles import DEFAULT_PROFILE
from pjconf.harness.fuzz.differ import broken, compare
from pjconf.harness.fuzz.strategies import Target, all_targets
from pjconf.harness.implementations.client import Client
from pjconf.harness.implementations.reference import reference_client
from pjconf.protocol.limits import DEFAULT_LIMITS

IMPL_VARIABLE = "PJCONF_FUZZ_IMPL"


class FuzzFinding(AssertionError):
    """A difference or a crash, raised so that the fuzzing engine keeps the input."""


def groups() -> dict[str, dict[str, Target]]:
    """Op group -> its targets by op."""
    found: dict[str, dict[str, Target]] = {}
    for target in all_targets():
        found.setdefault(target.group, {})[target.op] = target
    return found


@cache
def _clients() -> tuple[Client, Client]:
    """The implementation under test and the oracle, made once per fuzzing process."""
    impl = os.environ.get(IMPL_VARIABLE, "reference")
    if impl == "reference":
        return reference_client(seed="pjconf/fuzz/iut"), reference_client(seed="pjconf/fuzz/oracle")
    from pjconf.harness.cli.run import client_for  # noqa: PLC0415 - only for another impl

    return client_for(impl, 10.0, DEFAULT_LIMITS), reference_client(seed="pjconf/fuzz/oracle")


def test_one_input(group: str, data: bytes) -> None:
    """Run one input of ``group``; raise :class:`FuzzFinding` on a difference or a crash."""
    targets = groups()[group]
    try:
        request = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return
    if not isinstance(request, dict) or not isinstance(request.get("args"), dict):
        return
    target = targets.get(str(request.get("op")))
    if target is None:
        return
    iut, oracle = _clients()
    args = request["args"]
    said, got = oracle.call(target.op, args), iut.call(target.op, args)
    for side, reply in (("oracle", said), ("implementation", got)):
        if broken(reply):
            raise FuzzFinding(f"{target.op}: the {side} broke: {reply.kind} {reply.value}")
    difference = compare(
        target.op, target.aspect(args), args, said, got, profile=DEFAULT_PROFILE, ask=oracle.call
    )
    if difference is not None:
        raise FuzzFinding(f"{difference.key}\n{difference.detail}")


def entry_point(group: str) -> Callable[[bytes], None]:
    """``TestOneInput`` of one group, as atheris calls it."""

    def TestOneInput(data: bytes) -> None:  # noqa: N802 - the name atheris and OSS-Fuzz expect
        test_one_input(group, data)

    return TestOneInput


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pjconf.harness.fuzz.targets [--atheris] GROUP [FILE...]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    use_atheris = "--atheris" in args
    args = [a for a in args if a != "--atheris"]
    names = sorted(groups())
    if not args or args[0] not in names:
        print(
            f"usage: python -m pjconf.harness.fuzz.targets [--atheris] GROUP [FILE...]; "
            f"groups: {', '.join(names)}",
            file=sys.stderr,
        )
        return 2
    group, rest = args[0], args[1:]
    if use_atheris:
        atheris = importlib.import_module("atheris")  # optional: only under a fuzzing engine

        atheris.Setup([sys.argv[0], *rest], entry_point(group))
        atheris.Fuzz()
        return 0
    inputs = [open(path, "rb").read() for path in rest] if rest else [sys.stdin.buffer.read()]  # noqa: SIM115
    for data in inputs:
        test_one_input(group, data)
    print(f"{group}: {len(inputs)} input(s), no finding", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
