"""``event.roundtrip``: event texts of both roles, from the corpus's events, mutated.

A seed is picked by variant first (so a rare variant such as ``GotReplyableError`` is drawn as
often as ``Created``), then its JSON is edited structurally (any JSON value anywhere, arbitrary
doubles included: a free-form ``JsonReply.extra`` must keep them exactly) or its text edited
character by character.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pjconf.harness.fuzz.draw import Draw
from pjconf.harness.fuzz.seeds import seeds
from pjconf.harness.fuzz.strategies import Target, Tools
from pjconf.harness.fuzz.strategies.mutate import compact, json_value, mutate_json, mutate_text
from pjconf.protocol.events import variant_name
from pjconf.protocol.wire import JsonObject

OP = "event.roundtrip"
JSON_TOKENS = ('"', "{", "}", "[", "]", ",", ":", "\\", "\\u0000", "null", "1e999", "-0", " ")


@cache
def _by_variant(root: Path | None) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for args in seeds(OP, root):
        role, text = str(args.get("role")), str(args.get("event"))
        if role in ("receiver", "sender"):
            found.setdefault(f"{role} {variant_name(text)}", []).append((role, text))
    return found


@cache
def _error_codes(root: Path | None) -> tuple[str, ...]:
    """The ``JsonReply.error_code`` values the corpus's events use (BIP 78's well-known codes)."""
    codes = set()
    for _, text in _by_variant(root).get("receiver GotReplyableError", []):
        try:
            codes.add(str(json.loads(text)["GotReplyableError"]["error_code"]))
        except (ValueError, KeyError, TypeError):
            continue
    return tuple(sorted(codes)) or ("unavailable",)


def json_reply(draw: Draw, root: Path | None) -> str:
    """A ``GotReplyableError`` built from its type: a well-known code, any message, and an
    ``extra`` map of arbitrary JSON values (arbitrary doubles among them), which the event
    stores as it is and must write back unchanged."""
    extra = {draw.unicode(6): json_value(draw) for _ in range(draw.below(4))}
    reply = {"error_code": draw.pick(_error_codes(root)), "message": draw.unicode(), "extra": extra}
    return compact({"GotReplyableError": reply})


CONSTRUCTED = {"receiver GotReplyableError": json_reply}
"""Variants with a free-form payload, also drawn from their type rather than from a seed."""


def event_args(draw: Draw, tools: Tools) -> JsonObject:
    groups = _by_variant(tools.vectors)
    variant = draw.pick(sorted(groups))
    role, text = draw.pick(groups[variant])
    build = CONSTRUCTED.get(variant)
    if build is not None and draw.boolean():
        return {"role": role, "event": build(draw, tools.vectors)}
    how = draw.below(4)
    try:
        parsed = json.loads(text)
    except ValueError:  # a refusal case of the corpus: edit it as text
        how = min(how, 1)
    if how == 1:
        text = mutate_text(draw, text, JSON_TOKENS)
    elif how >= 2:
        text = compact(mutate_json(draw, parsed))
    if draw.chance(32):
        role = "sender" if role == "receiver" else "receiver"
    return {"role": role, "event": text}


def aspect(args: JsonObject) -> str:
    return f"{args.get('role')} {variant_name(str(args.get('event', '')))}"


TARGETS = [Target(OP, "events", event_args, aspect)]
