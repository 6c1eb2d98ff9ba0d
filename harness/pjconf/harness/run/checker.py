"""Judging one reply against one case: PASS, FAIL, SKIP, ACCEPTABLE or ERROR.

Wycheproof's three-valued ``result`` decides what counts: a ``valid`` case must produce exactly
the expected fields, an ``invalid`` case must be refused with the expected error kind, and an
``acceptable`` case may go either way (the outcome names which way it went).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pjconf.harness.corpus.load import Case
from pjconf.harness.implementations.client import Reply
from pjconf.protocol.wire import JsonObject


class Verdict(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    SKIP = "SKIP"
    ACCEPTABLE = "ACCEPTABLE"
    ERROR = "ERROR"
    KNOWN_FAILURE = "KNOWN_FAILURE"
    """A FAIL or ERROR the expectations file predicted (see ``expectations.py``)."""
    UNEXPECTED_PASS = "UNEXPECTED_PASS"
    """A PASS or ACCEPTABLE on a case the expectations file lists as a known failure."""


@dataclass(frozen=True)
class Outcome:
    case: Case
    verdict: Verdict
    detail: str = ""
    got: JsonObject | None = None
    reason: str = ""
    """Why the expectations file disabled or reclassified the case (empty when it did not)."""
    judged: Verdict | None = None
    """The checker's own verdict when the expectations file reclassified it."""
    seconds: float = 0.0
    """How long the case took, fresh variant and setup steps included (0 when not timed)."""


def _mismatches(expected: JsonObject, got: JsonObject) -> list[str]:
    return [
        f"{key}: expected {_short(expected[key])}, got {_short(got.get(key, '<missing>'))}"
        for key in expected
        if not _field_matches(key, expected[key], got.get(key, _MISSING))
    ]


def _field_matches(key: str, expected: object, got: object) -> bool:
    """Exact equality, except that an expected ``error`` object pins only the keys it lists
    (a transition's error ``kind``, not the implementation's message text)."""
    if key == "error" and isinstance(expected, dict) and isinstance(got, dict):
        return all(got.get(k, _MISSING) == v for k, v in expected.items())
    return got == expected


_MISSING = object()


def _short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return (
        text if len(text) <= limit else f"{text[: limit - 20]}...{text[-12:]} ({len(text)} chars)"
    )


def _error_matches(expected: JsonObject, got: JsonObject) -> str | None:
    """None when the error is the expected one, else what differs."""
    if got.get("kind") != expected.get("kind"):
        return f"error kind: expected {expected.get('kind')}, got {got.get('kind')}"
    for key, value in expected.items():  # reason, and fields an op's contract adds (closed...)
        if key != "kind" and got.get(key, _MISSING) != value:
            return f"error {key}: expected {_short(value)}, got {_short(got.get(key, '<missing>'))}"
    return None


def judge(case: Case, reply: Reply) -> Outcome:
    if reply.kind == "malfunction":
        return Outcome(case, Verdict.ERROR, str(reply.value.get("message", "")))
    if reply.kind == "unimplemented":
        return Outcome(case, Verdict.SKIP, f"unimplemented: {reply.value.get('message', '')}")
    if case.result == "valid":
        return _judge_valid(case, reply)
    if case.result == "invalid":
        return _judge_invalid(case, reply)
    return _judge_acceptable(case, reply)


def _judge_valid(case: Case, reply: Reply) -> Outcome:
    if reply.kind == "error":
        detail = f"refused a valid input: {reply.value.get('kind')}: {reply.value.get('message')}"
        return Outcome(case, Verdict.FAIL, detail, reply.value)
    diffs = _mismatches(case.expected or {}, reply.value)
    if diffs:
        return Outcome(case, Verdict.FAIL, "; ".join(diffs), reply.value)
    return Outcome(case, Verdict.PASS)


def _judge_invalid(case: Case, reply: Reply) -> Outcome:
    if reply.kind == "result":
        return Outcome(case, Verdict.FAIL, "accepted an invalid input", reply.value)
    problem = _error_matches(case.error or {}, reply.value)
    if problem:
        return Outcome(case, Verdict.FAIL, problem, reply.value)
    return Outcome(case, Verdict.PASS)


NEVER_A_REFUSAL = frozenset({"InternalError", "BadRequest"})
"""Error kinds that say the adapter broke (a panic, a request it could not parse), not that it
refused the input: they never satisfy an ``acceptable`` case."""


def _judge_acceptable(case: Case, reply: Reply) -> Outcome:
    if reply.kind == "error" and reply.value.get("kind") in NEVER_A_REFUSAL:
        detail = (
            f"refused with {reply.value.get('kind')}, which reports a broken adapter, never an "
            f"acceptable refusal: {reply.value.get('message')}"
        )
        return Outcome(case, Verdict.FAIL, detail, reply.value)
    if reply.kind == "result":
        if case.expected is not None and _mismatches(case.expected, reply.value):
            return Outcome(case, Verdict.FAIL, "accepted, but with other results", reply.value)
        return Outcome(case, Verdict.ACCEPTABLE, "accepted", reply.value)
    if case.error is not None and _error_matches(case.error, reply.value):
        return Outcome(case, Verdict.FAIL, "refused with an unexpected error", reply.value)
    return Outcome(case, Verdict.ACCEPTABLE, f"refused: {reply.value.get('kind')}", reply.value)
