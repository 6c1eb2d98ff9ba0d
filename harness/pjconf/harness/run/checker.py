"""Judging one reply against one case: PASS, FAIL, SKIP, ACCEPTABLE or ERROR.

Wycheproof's three-valued ``result`` decides what counts: a ``valid`` case must produce exactly
the expected fields, an ``invalid`` case must be refused with the expected error kind, and an
``acceptable`` case may go either way (the outcome names which way it went, and the flags that
left the answer open). Under the ``bip77`` profile error kinds are compared by the classes of
:mod:`~pjconf.harness.run.granularity` and ``reason`` is not compared; under ``payjoin-1.0``
both are compared exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pjconf.harness.corpus.load import Case
from pjconf.harness.corpus.profiles import DEFAULT_PROFILE
from pjconf.harness.implementations.client import Reply
from pjconf.harness.run.equivalence import equivalent, opaque_context, same_encoding, unpadded
from pjconf.harness.run.granularity import ErrorClass, shared_class, shared_transition_class
from pjconf.harness.run.texts import text_matches
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


def _mismatches(case: Case, expected: JsonObject, got: JsonObject) -> tuple[list[str], list[str]]:
    """What differs, and what only matched at the ``bip77`` granularity (a transition's error
    kind of the same class)."""
    diffs: list[str] = []
    widened: list[str] = []
    for key in expected:
        value = got.get(key, _MISSING)
        if _field_matches(key, expected[key], value):
            continue
        loose = _transition_class(case, key, expected[key], value)
        if loose is not None:
            widened.append(_same_class_note(loose, expected[key], value))
            continue
        trimmed = unpadded(case.op, key, expected[key], value) or opaque_context(
            case.op, key, expected[key], value
        )
        if trimmed is not None:
            widened.append(trimmed)
            continue
        respelt = _respelt_url(case, key, expected[key], value)
        if respelt is not None:
            widened.append(respelt)
            continue
        diffs.append(
            f"{key}: expected {_short(expected[key])}, got {_short(got.get(key, '<missing>'))}"
        )
    return diffs, widened


def _field_matches(key: str, expected: object, got: object) -> bool:
    """Exact equality, except that an expected ``error`` object pins only the keys it lists
    (a transition's error ``kind``; its ``message`` only where a profile pins payjoin 1.0's
    text, compared with :func:`~pjconf.harness.run.texts.text_matches`)."""
    if key == "error" and isinstance(expected, dict) and isinstance(got, dict):
        return all(_value_matches(k, v, got.get(k, _MISSING)) for k, v in expected.items())
    return got == expected


def _value_matches(key: str, expected: object, got: object) -> bool:
    return text_matches(expected, got) if key == "message" else got == expected


def _transition_class(case: Case, key: str, expected: object, got: object) -> ErrorClass | None:
    """Under ``bip77``: the class an expected and a reported transition error share, when the
    kind is all that differs."""
    if case.profile != DEFAULT_PROFILE or key != "error":
        return None
    if not isinstance(expected, dict) or not isinstance(got, dict):
        return None
    rest_equal = all(got.get(k, _MISSING) == v for k, v in expected.items() if k != "kind")
    if not rest_equal:
        return None
    return shared_transition_class(case.op, expected.get("kind"), got.get("kind"))


def _respelt_url(case: Case, key: str, expected: object, got: object) -> str | None:
    """Under ``bip77``: a note when ``key`` differs only in how its URLs are spelt, or is
    another encoding of the same thing."""
    if case.profile != DEFAULT_PROFILE:
        return None
    return equivalent(case.op, key, expected, got) or same_encoding(case.op, key, expected, got)


def _same_class_note(found: ErrorClass, expected: object, got: object) -> str:
    def kind(value: object) -> object:
        return value.get("kind") if isinstance(value, dict) else value

    return (
        f"error kind {kind(got)} where payjoin 1.0 says {kind(expected)}: one class under bip77 "
        f"({found.name}: {found.basis})"
    )


_MISSING = object()


def _short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return (
        text if len(text) <= limit else f"{text[: limit - 20]}...{text[-12:]} ({len(text)} chars)"
    )


def _error_matches(case: Case, expected: JsonObject, got: JsonObject) -> tuple[str | None, str]:
    """(what differs or None, a note when it matched only at the ``bip77`` granularity)."""
    strict = case.profile != DEFAULT_PROFILE
    note = ""
    if got.get("kind") != expected.get("kind"):
        found = None if strict else shared_class(case.op, expected.get("kind"), got.get("kind"))
        if found is None:
            return f"error kind: expected {expected.get('kind')}, got {got.get('kind')}", ""
        note = _same_class_note(found, expected.get("kind"), got.get("kind"))
    for key, value in expected.items():  # reason, message, fields an op's contract adds (closed)
        if key == "kind" or (key == "reason" and not strict):
            continue  # bip77: the specifications name no reasons
        if not _value_matches(key, value, got.get(key, _MISSING)):
            differs = (
                f"error {key}: expected {_short(value)}, got {_short(got.get(key, '<missing>'))}"
            )
            return differs, ""
    return None, note


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


def _pinned(case: Case) -> str:
    """Why a FAIL under a non-default profile may be that profile's pin, not a spec violation."""
    if case.profile == DEFAULT_PROFILE or case.profile not in case.profiles:
        return ""
    if not case.open_flags:  # same verdict in every profile; this one compares more of it
        return f" [pinned by --profile {case.profile}; bip77 does not compare this detail]"
    flags = ", ".join(case.open_flags)
    return f" [pinned by --profile {case.profile}; acceptable under bip77: {flags}]"


def _judge_valid(case: Case, reply: Reply) -> Outcome:
    if reply.kind == "error":
        detail = f"refused a valid input: {reply.value.get('kind')}: {reply.value.get('message')}"
        return Outcome(case, Verdict.FAIL, detail + _pinned(case), reply.value)
    diffs, widened = _mismatches(case, case.expected or {}, reply.value)
    if diffs:
        return Outcome(case, Verdict.FAIL, "; ".join(diffs) + _pinned(case), reply.value)
    return Outcome(case, Verdict.PASS, "; ".join(widened))


def _judge_invalid(case: Case, reply: Reply) -> Outcome:
    if reply.kind == "result":
        return Outcome(case, Verdict.FAIL, "accepted an invalid input" + _pinned(case), reply.value)
    problem, note = _error_matches(case, case.error or {}, reply.value)
    if problem:
        return Outcome(case, Verdict.FAIL, problem + _pinned(case), reply.value)
    return Outcome(case, Verdict.PASS, note)


NEVER_A_REFUSAL = frozenset({"InternalError", "BadRequest", "SessionFailure"})
"""Error kinds that say the adapter broke (a panic, a request it could not parse) or, for a
``session.drive`` case, that the session failed before the step its open flag leaves to the
implementation (a different way taken there is ``PathDiverged``), not that it refused the
input: they never satisfy an ``acceptable`` case."""


def _judge_acceptable(case: Case, reply: Reply) -> Outcome:
    why = f" (open: {', '.join(case.open_flags)})" if case.open_flags else ""
    if reply.kind == "error" and reply.value.get("kind") in NEVER_A_REFUSAL:
        detail = (
            f"refused with {reply.value.get('kind')}, which reports a broken adapter, never an "
            f"acceptable refusal: {reply.value.get('message')}"
        )
        return Outcome(case, Verdict.FAIL, detail + why, reply.value)
    if reply.kind == "result":
        if case.expected is not None and _mismatches(case, case.expected, reply.value)[0]:
            detail = "accepted, but with other results" + why
            return Outcome(case, Verdict.FAIL, detail, reply.value)
        return Outcome(case, Verdict.ACCEPTABLE, "accepted" + why, reply.value)
    problem = None if case.error is None else _error_matches(case, case.error, reply.value)[0]
    if problem:
        detail = f"refused with an unexpected error ({problem})" + why
        return Outcome(case, Verdict.FAIL, detail, reply.value)
    refused = f"refused: {reply.value.get('kind')}" + why
    return Outcome(case, Verdict.ACCEPTABLE, refused, reply.value)
