"""Whether two answers to one input disagree, judged as ``pjconf run`` would judge them.

The oracle's answer becomes a corpus case (``valid`` with its result as ``expected``, or
``invalid`` with its error kind and the op's closed error fields), and the implementation's
answer is judged against it by :func:`~pjconf.harness.run.checker.judge` under the run's profile.
So a difference the ``bip77`` profile accepts (two error kinds of one class, a URL spelt
otherwise, another encoding of the same point, an opaque OHTTP context) is no finding under
``--profile bip77``, and a saved finding replays through ``pjconf run`` with the same verdict.

A finding's key names what differed, not the input: the op (and its aspect, e.g. the event
variant), the outcome class on each side (``result``, ``error <kind>``, ``malfunction``) and, for
two results, which fields differ, so the many inputs that show one bug give one key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pjconf.harness.corpus.load import Case
from pjconf.harness.excerpt import excerpt
from pjconf.harness.fuzz.open_choices import Ask, open_choice
from pjconf.harness.implementations.client import Reply
from pjconf.harness.run.checker import Verdict, judge
from pjconf.protocol.wire import JsonObject

OPEN_ERROR_FIELDS = frozenset({"message", "reason"})
"""Error fields never pinned: texts are the library's own words (``reason`` is pinned by the
corpus only where payjoin 1.0 can tell reasons apart, which a fuzz input cannot know)."""


@dataclass(frozen=True)
class Difference:
    key: str
    summary: str
    detail: str
    case: JsonObject
    """The corpus case (no ``tcId``) whose expectation is the oracle's answer."""
    oracle_broke: bool = False
    """The oracle itself crashed (a malfunction or an ``InternalError``): a bug of the oracle,
    reported, but with no answer to pin in a vector."""


def broken(reply: Reply) -> bool:
    """An answer that reports a broken adapter, never a refusal."""
    return reply.kind == "malfunction" or (
        reply.kind == "error" and reply.value.get("kind") == "InternalError"
    )


def outcome_class(reply: Reply) -> str:
    if reply.kind == "error":
        return f"error {reply.value.get('kind')}"
    return reply.kind


def expectation(op: str, args: JsonObject, oracle: Reply) -> JsonObject | None:
    """The oracle's answer as a corpus case; None when it gave none to compare with."""
    if oracle.kind == "result":
        return {"result": "valid", "op": op, "args": args, "expected": oracle.value}
    if oracle.kind == "error":
        error = {k: v for k, v in oracle.value.items() if k not in OPEN_ERROR_FIELDS}
        return {"result": "invalid", "op": op, "args": args, "error": error}
    return None


def as_case(raw: JsonObject, family: str, profile: str) -> Case:
    flags = tuple(str(f) for f in raw.get("flags", ()))
    return Case(
        family=family,
        tc_id=0,
        group_type=str(raw["op"]),
        comment="",
        flags=flags,
        result=str(raw["result"]),
        op=str(raw["op"]),
        args=raw["args"],
        expected=raw.get("expected"),
        error=raw.get("error"),
        profile=profile,
        open_flags=flags if raw.get("result") == "acceptable" else (),
    )


def compare(
    op: str,
    aspect: str,
    args: JsonObject,
    oracle: Reply,
    iut: Reply,
    *,
    profile: str,
    ask: Ask | None = None,
) -> Difference | None:
    """The difference between the two answers, or None when they agree under ``profile``
    (or the oracle has no answer, or the implementation does not implement the op).

    With ``ask`` (the oracle, to be asked again), an input that shows a choice the
    specifications leave open under ``profile`` is judged as the corpus judges such a case
    (:mod:`.open_choices`); without it every input is judged strictly."""
    named = f"{op} [{aspect}]" if aspect else op
    said, got = outcome_class(oracle), outcome_class(iut)
    if broken(oracle):
        return Difference(
            key=f"{named}: the oracle broke ({said})",
            summary=f"{named}: the oracle itself broke ({said}); the implementation says {got}",
            detail=f"oracle: {_show(oracle)}\nimplementation: {_show(iut)}",
            case={"result": "invalid", "op": op, "args": args, "error": {"kind": "InternalError"}},
            oracle_broke=True,
        )
    raw = expectation(op, args, oracle)
    if raw is None or iut.kind == "unimplemented":
        return None
    choice = None if ask is None else open_choice(op, args, oracle, ask, profile)
    if choice is not None and choice.case is None:
        if iut.kind == "error" and not broken(iut):
            return None  # the input is wrong either way: any refusal is right
    elif choice is not None and choice.case is not None:
        raw = choice.case
    outcome = judge(as_case(raw, "fuzz", profile), iut)
    if outcome.verdict in (Verdict.PASS, Verdict.ACCEPTABLE, Verdict.SKIP):
        return None
    fields = _differing(oracle, iut)
    where = f" ({fields})" if fields else ""
    return Difference(
        key=f"{named}: {said} -> {got}{where}",
        summary=f"{named}: the oracle answers {said}, the implementation {got}{where}",
        detail=f"oracle: {_show(oracle)}\nimplementation: {_show(iut)}\nchecker: {outcome.detail}",
        case=raw,
    )


def _show(reply: Reply) -> str:
    return excerpt(json.dumps({reply.kind: reply.value}, ensure_ascii=False), 400)


def _differing(oracle: Reply, iut: Reply) -> str:
    """For two results: the fields that differ (where inside a JSON text field)."""
    if oracle.kind != "result" or iut.kind != "result":
        return ""
    names = []
    for key, want in sorted(oracle.value.items()):
        have = iut.value.get(key)
        if have == want:
            continue
        inside = _json_where(want, have)
        names.append(f"{key} at {inside}" if inside else key)
    return ", ".join(names)


def _json_where(want: object, have: object) -> str:
    """Where two JSON texts first differ, as ``Variant.field: type``, or "" when either is no
    JSON text. Only the first two levels are named: below them keys are often free-form
    (``JsonReply.extra``), and a key must not change with every input."""
    if not isinstance(want, str) or not isinstance(have, str):
        return ""
    try:
        a, b = json.loads(want), json.loads(have)
    except ValueError:
        return ""
    if not isinstance(a, dict | list):
        return ""
    path = _first_difference(a, b, ())
    if path is None:
        return "the same JSON value, spelt otherwise"
    node: Any = a
    for step in path:
        node = node[step] if isinstance(node, dict | list) else None
    named = ".".join("[]" if isinstance(p, int) else str(p) for p in path[:2])
    deeper = ".*" if len(path) > 2 else ""
    return f"{named or '<root>'}{deeper}: {_type(node)}"


def _first_difference(a: Any, b: Any, path: tuple[Any, ...]) -> tuple[Any, ...] | None:
    if type(a) is not type(b):
        return path
    if isinstance(a, dict):
        if list(a) != list(b):
            return path
        for key in a:
            found = _first_difference(a[key], b[key], (*path, key))
            if found is not None:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return path
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, (*path, index))
            if found is not None:
                return found
        return None
    return None if a == b else path


def _type(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return "literal"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
