"""Hand-made cases and a scripted implementation for the runner and report tests.

Each case carries in its ``args`` the answer the fake implementation gives (``"answer"``), so a
test states the outcome it wants next to the case instead of in a separate table.
"""

from __future__ import annotations

from pjconf.harness.corpus.load import Case
from pjconf.harness.implementations.client import Reply
from pjconf.harness.run.expectations import Expectations
from pjconf.harness.run.runner import RunResult, run
from pjconf.protocol.wire import JsonObject

RIGHT: JsonObject = {"value": "01"}
ANSWERS: dict[str, Reply] = {
    "pass": Reply("result", RIGHT),
    "fail": Reply("result", {"value": "02"}),
    "refuse": Reply("error", {"kind": "Other", "message": "no"}),
    "skip": Reply("unimplemented", {"message": "op not implemented"}),
    "error": Reply("malfunction", {"message": "adapter exited without answering"}),
}


def case(
    family: str,
    tc_id: int,
    answer: str = "pass",
    *,
    op: str | None = None,
    comment: str = "",
    flags: tuple[str, ...] = (),
    result: str = "valid",
) -> Case:
    """A ``valid`` case expecting :data:`RIGHT`, to which the fake gives ``answer``."""
    return Case(
        family=family,
        tc_id=tc_id,
        group_type="Fake",
        comment=comment or f"{family} case {tc_id}",
        flags=flags,
        result=result,
        op=op if op is not None else f"{family}.op",
        args={"answer": answer},
        expected=RIGHT if result != "invalid" else None,
        error={"kind": "Other"} if result == "invalid" else None,
    )


def reference_only(family: str, tc_id: int) -> Case:
    return Case(family, tc_id, "Fake", "no protocol op", (), "valid", None)


class ScriptedClient:
    """Answers each call with ``ANSWERS[args["answer"]]`` and records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def call(self, op: str, args: JsonObject) -> Reply:
        self.calls.append(op)
        return ANSWERS[str(args["answer"])]

    def close(self) -> None:
        return None


def scripted_run(
    cases: list[Case],
    *,
    expectations: Expectations | None = None,
    families: list[str] | None = None,
    supported_ops: set[str] | None = None,
    clock: bool = True,
) -> tuple[RunResult, ScriptedClient]:
    client = ScriptedClient()
    result = run(
        client,
        cases,
        expectations=expectations,
        families=families,
        supported_ops=supported_ops,
        clock=clock,
    )
    return result, client
