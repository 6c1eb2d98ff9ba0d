"""The protocol's ``bench`` op for an in-process adapter: time one of its own handlers.

Timing inside the implementation keeps the pipe, the JSON framing and the harness out of the
figure, so a Python reference and a Rust binary in a container are compared on their work alone
(docs/adapter-protocol.md, "Benchmarks"). The rules are the Rust adapter's
(``adapters/rust-payjoin/src/bench.rs``): arguments are checked first, an op that keeps state or is
not served is ``unimplemented``, and an op that fails on the given ``args`` answers its own error
instead of a figure.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from pjconf.protocol.wire import ArgumentError, JsonObject, Unimplemented, arg_int, arg_str
from pjconf.reference.adapter.dispatch import Handler

__all__ = ["NEVER_BENCHED", "bench_handlers", "benchable"]

NEVER_BENCHED = frozenset({"hello", "shutdown", "bench"})
"""Ops that are not work to time: the session-less housekeeping and ``bench`` itself."""

_STATEFUL_PREFIX = "session."
"""Live-session ops: each call would add a handle or move a session, so no two calls are alike."""

Clock = Callable[[], int]
"""Monotonic nanoseconds (``time.perf_counter_ns``), injectable so tests can pin the figure."""


WHOLE_SESSION = "session.whole"
"""The one ``session.*`` op that keeps no state: it runs a whole session and drops it."""


def benchable(op: str) -> bool:
    """Whether ``bench`` may time ``op``: every served op that keeps no state between calls."""
    if op == WHOLE_SESSION:
        return True
    return op not in NEVER_BENCHED and not op.startswith(_STATEFUL_PREFIX)


def _bench_args(args: JsonObject) -> tuple[str, JsonObject, int]:
    op = arg_str(args, "op")
    op_args = args.get("args")
    if op_args is None:
        op_args = {}  # as in a request, absent `args` are empty
    if not isinstance(op_args, dict):
        raise ArgumentError("`args` must be an object")
    iterations = arg_int(args, "iterations")
    if iterations < 1:
        raise ArgumentError("`iterations` must be at least 1")
    return op, op_args, iterations


def bench_handlers(
    handlers: Mapping[str, Handler], *, clock: Clock = time.perf_counter_ns
) -> dict[str, Handler]:
    """``{"bench": handler}`` timing the benchable ops of ``handlers`` (a snapshot of the table).

    One untimed call first checks that the op succeeds on ``args`` (its answer is returned as
    ``result``, so the caller can see what was timed) and warms caches; then ``iterations`` calls
    between two clock readings. An error on any call ends the bench with that error.
    """
    table = {op: handler for op, handler in handlers.items() if benchable(op)}

    def bench(args: JsonObject) -> JsonObject:
        op, op_args, iterations = _bench_args(args)
        handler = table.get(op)
        if handler is None:
            raise Unimplemented(f"op {op!r} cannot be benched by this adapter")
        first = handler(op_args)
        start = clock()
        for _ in range(iterations):
            handler(op_args)
        ns_total = clock() - start
        return {"iterations": iterations, "ns_total": ns_total, "result": first}

    return {"bench": bench}
