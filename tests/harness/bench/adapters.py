"""In-process adapters for the bench tests: the reference with one op's answer wrong, with a
``bench`` that lies about what it timed, or with planted timings.

Each is built from the reference's own handler table, so everything else answers as the
reference does (and passes its vectors); the ``bench`` handler is rebuilt over the changed table
so that it times, and reports, the changed op.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from pjconf.harness.bench.model import BenchRun, Member
from pjconf.harness.bench.session import run_bench
from pjconf.harness.corpus.load import Case, load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.implementations.client import InProcessClient
from pjconf.protocol.wire import ArgumentError, JsonObject, Unimplemented
from pjconf.reference.adapter.bench_op import bench_handlers
from pjconf.reference.adapter.dispatch import Handler, InProcessAdapter
from pjconf.reference.adapter.ops import reference_adapter

Mutation = Callable[[JsonObject], JsonObject]
SEED = "bench-tests"


def _table() -> dict[str, Handler]:
    handlers = dict(reference_adapter(seed=SEED).handlers)
    del handlers["bench"]
    return handlers


def adapter(
    name: str,
    handlers: dict[str, Handler],
    bench: Handler | None = None,
) -> InProcessAdapter:
    """An adapter serving ``handlers``, with the reference's ``bench`` over them (or ``bench``)."""
    table = dict(handlers)
    table["bench"] = bench if bench is not None else bench_handlers(handlers)["bench"]
    return InProcessAdapter(name, "0", table)


def member(label: str, served: InProcessAdapter, spec: str = "") -> Member:
    client = InProcessClient(served)
    hello = client.call("hello", {})
    assert hello.kind == "result"
    return Member(label, spec or f"test:{label}", client, dict(hello.value))


def reference() -> InProcessAdapter:
    return adapter("reference", _table())


def wrong_answer(op: str, mutate: Mutation) -> InProcessAdapter:
    """The reference whose ``op`` answers ``mutate(right answer)``, timed so by its bench."""
    handlers = _table()
    original = handlers[op]
    handlers[op] = lambda args: mutate(original(args))
    return adapter(f"mutant-{op}", handlers)


def bench_of_other_work(op: str, mutate: Mutation) -> InProcessAdapter:
    """Answers ``op`` right (so its vectors pass), but its bench times another computation:
    the answer its bench reports is ``mutate(right answer)``."""
    handlers = _table()
    original = handlers[op]
    lying = dict(handlers)
    lying[op] = lambda args: mutate(original(args))
    return adapter(f"liar-{op}", handlers, bench_handlers(lying)["bench"])


def bench_refusing(op: str, *, error: bool) -> InProcessAdapter:
    """Answers ``op`` right, but its bench of it answers an error (or ``unimplemented``)."""
    handlers = _table()
    real = bench_handlers(handlers)["bench"]

    def bench(args: JsonObject) -> JsonObject:
        if args.get("op") != op:
            return real(args)
        if error:
            raise ArgumentError("the bench broke")
        raise Unimplemented(f"{op} is not benched here")

    return adapter(f"refusing-{op}", handlers, bench)


def without(op: str) -> InProcessAdapter:
    """The reference without ``op`` (its hello does not list it)."""
    handlers = _table()
    del handlers[op]
    return adapter(f"without-{op}", handlers)


def planted(ns_per_op: int) -> InProcessAdapter:
    """The reference whose bench answers ``ns_total = iterations * ns_per_op`` (and the op's
    real first answer, so the check passes): timings known in advance."""
    handlers = _table()

    def bench(args: JsonObject) -> JsonObject:
        iterations = args["iterations"]
        assert isinstance(iterations, int)
        op_args = args.get("args", {})
        assert isinstance(op_args, dict)
        result = handlers[str(args["op"])](op_args)
        return {"iterations": iterations, "ns_total": iterations * ns_per_op, "result": result}

    return adapter(f"planted-{ns_per_op}", handlers, bench)


ROUND_MS = 1.0
ROUND_NS = 1_000_000


@cache
def corpus() -> tuple[Case, ...]:
    return tuple(load_corpus(vectors_dir()))


class OneRoundPerReading:
    """A monotonic clock whose every reading is one round later than the last."""

    def __init__(self) -> None:
        self.now = 0

    def __call__(self) -> int:
        self.now += ROUND_NS
        return self.now


def planted_run(rounds: int = 3) -> BenchRun:
    """``ellswift.decode`` timed on ``fast`` (2 µs per op, planted), ``slow`` (6 µs) and a
    ``mutant`` that answers it wrong; the floor takes 1 ms per op on the ticking clock."""
    members = [
        member("fast", planted(2_000)),
        member("slow", planted(6_000)),
        member("mutant", wrong_answer("ellswift.decode", lambda r: {"pk": "00"})),
    ]
    return run_bench(
        members,
        corpus(),
        ["ellswift.decode"],
        rounds=rounds,
        round_ms=ROUND_MS,
        clock=OneRoundPerReading(),
    )
