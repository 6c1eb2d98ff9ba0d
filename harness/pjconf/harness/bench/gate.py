"""The correctness gate: an op is timed on an implementation only after that implementation
passes the op's vectors in the same run (``acceptable`` cases count as passing, under the run's
profile; a known failure of ``--expectations`` does not gate either: the timed input's own
answer is still checked). A failing vector gates the op out with the failing case and the
command that reproduces it; vectors that are all SKIP mean the op is not implemented."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from pjconf.harness.bench.model import Member, Status
from pjconf.harness.corpus.load import Case
from pjconf.harness.run.capabilities import injects_clock
from pjconf.harness.run.checker import Verdict
from pjconf.harness.run.runner import run

_FAILING = (Verdict.FAIL, Verdict.ERROR)


@dataclass(frozen=True)
class Gate:
    status: Status
    """TIMED when the op may be timed, GATED or NOT_IMPLEMENTED when not."""
    summary: str


def gate(member: Member, op: str, cases: Sequence[Case], rerun: Sequence[str] = ()) -> Gate:
    """Run the vectors of ``op`` among ``cases`` on ``member``; ``rerun`` are the ``pjconf run``
    options besides ``--impl`` and ``--case`` that set such a run up (``--profile``)."""
    mine = [c for c in cases if c.op == op]
    listed = member.hello.get("ops")
    if isinstance(listed, list) and op not in listed:
        return Gate(Status.NOT_IMPLEMENTED, f"its hello does not list {op}")
    if not mine:
        return Gate(Status.TIMED, "no vectors: its bench answer is checked against the reference's")
    result = run(
        member.client, mine, clock=injects_clock(member.hello), expectations=member.expectations
    )
    failing = [o for o in result.outcomes if o.verdict in _FAILING]
    counts = ", ".join(f"{n} {v.value}" for v, n in result.counts().items() if n)
    if failing:
        first = failing[0]
        known = member.expectations
        own = ["--expectations", _quoted(known.source)] if known.entry else []
        command = " ".join(
            ["pjconf run", "--impl", _quoted(member.spec), *rerun, *own, "--case", first.case.name]
        )
        return Gate(
            Status.GATED,
            f"{len(failing)} of {len(mine)} vectors of {op} failed ({counts}); first "
            f"{first.case.name}: {first.verdict.value} {first.detail} -- reproduce: {command}",
        )
    if all(o.verdict is Verdict.SKIP for o in result.outcomes):
        return Gate(
            Status.NOT_IMPLEMENTED, f"its answers to the {len(mine)} vectors of {op}: {counts}"
        )
    return Gate(Status.TIMED, f"vectors of {op}: {counts}")


def _quoted(spec: str) -> str:
    return shlex.quote(spec)
