"""Mutations every op group shares: of bytes (hex arguments), of text, and of JSON values.

Each takes a :class:`~pjconf.harness.fuzz.draw.Draw` and a valid value and returns a changed
copy; the choice 0 everywhere means "the first, smallest change", so a shrunk finding names the
simplest mutation that still shows it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pjconf.harness.fuzz.draw import Draw

INTERESTING_BYTES = (0x00, 0x01, 0x7F, 0x80, 0xFF, 0x3F, 0x40, 0xC0)
"""Byte values at the edges of the QUIC varints (BHTTP), lengths and signed/unsigned bounds."""

INTERESTING_NUMBERS: tuple[int | float, ...] = (
    0,
    1,
    -1,
    2**31,
    2**32 - 1,
    2**32,
    2**53 + 1,
    2**63,
    2**64 - 1,
    2**64,
    10**30,
    1.5,
    -0.0,
    1e300,
    5e-324,
)
"""Numbers past the Rust integer types payjoin's events use, and floats where integers go."""

TOKENS = (
    "%",
    "%23",
    "%2",
    "#",
    "&",
    "=",
    "?",
    "+",
    "-",
    ":",
    "/",
    "@",
    "[",
    "]",
    " ",
    "\u0000",
    "\u00e9",
    "\ufffd",
    "\U0001f600",
)
"""Characters that separate or escape parts of URIs, fragments and JSON texts."""


def mutate_bytes(draw: Draw, data: bytes, rounds: int = 3) -> bytes:
    """``data`` with 1..``rounds`` byte-level edits: flip, set, cut, extend, insert, delete."""
    out = bytearray(data)
    for _ in range(1 + draw.below(rounds)):
        kind = draw.below(7)
        at = draw.below(len(out) + 1)
        if kind == 0 and out:
            index = min(at, len(out) - 1)
            out[index] ^= 1 << draw.below(8)
        elif kind == 1 and out:
            out[min(at, len(out) - 1)] = draw.pick(INTERESTING_BYTES)
        elif kind == 2:
            del out[at:]
        elif kind == 3:
            out.extend(draw.blob(64))
        elif kind == 4:
            out[at:at] = draw.blob(16)
        elif kind == 5:
            del out[at : at + 1 + draw.below(16)]
        else:
            out[at:at] = bytes([draw.pick(INTERESTING_BYTES)]) * (1 + draw.below(4))
    return bytes(out)


def mutate_hex(draw: Draw, text: str, rounds: int = 3) -> str:
    """A hex argument mutated as bytes; now and then made odd-length or non-hex."""
    try:
        data = bytes.fromhex(text)
    except ValueError:
        data = text.encode("utf-8", "replace")
    changed = mutate_bytes(draw, data, rounds).hex()
    if draw.chance(16):
        return draw.pick((changed[:-1], changed + "g", changed.upper(), " " + changed))
    return changed


def mutate_text(draw: Draw, text: str, tokens: tuple[str, ...] = TOKENS, rounds: int = 3) -> str:
    """``text`` with 1..``rounds`` character-level edits, inserting tokens of its grammar."""
    out = text
    for _ in range(1 + draw.below(rounds)):
        kind = draw.below(7)
        at = draw.below(len(out) + 1)
        if kind == 0:
            out = out[:at] + draw.pick(tokens) + out[at:]
        elif kind == 1:
            out = out[:at] + out[at + 1 + draw.below(8) :]
        elif kind == 2:
            out = out[:at]
        elif kind == 3:
            out = out[:at] + draw.unicode(8) + out[at:]
        elif kind == 4:
            end = at + 1 + draw.below(16)
            out = out[:at] + out[at:end].swapcase() + out[end:]
        elif kind == 5:
            end = at + 1 + draw.below(16)
            out = out[:at] + out[at:end] * 2 + out[end:]
        else:
            out = out[:at] + draw.pick(tokens) * (1 + draw.below(3)) + out[at + 1 :]
    return out


def json_value(draw: Draw, depth: int = 2) -> Any:
    """Any JSON value: scalars of every type (arbitrary finite doubles among the numbers),
    and, while ``depth`` lasts, arrays and objects of them."""
    kind = draw.below(8 if depth > 0 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return draw.boolean()
    if kind == 2:
        return draw.pick(INTERESTING_NUMBERS) if draw.boolean() else draw.integer(-1000, 1000)
    if kind == 3:
        return draw.double()
    if kind == 4:
        return draw.unicode(12)
    if kind == 5:
        return draw.double()
    if kind == 6:
        return [json_value(draw, depth - 1) for _ in range(draw.below(4))]
    return {draw.unicode(6): json_value(draw, depth - 1) for _ in range(draw.below(4))}


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """Every node of a JSON value with its path, the root first."""
    found = [(path, value)]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_nodes(child, (*path, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_nodes(child, (*path, index)))
    return found


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: (_replace(v, rest, new) if k == head else v) for k, v in value.items()}
    return [(_replace(v, rest, new) if i == head else v) for i, v in enumerate(value)]


def mutate_json(draw: Draw, value: Any, rounds: int = 2) -> Any:
    """A JSON value with 1..``rounds`` structural edits. The kind of edit is drawn first, then
    a node it applies to, so an edit of objects is as likely in a value with few of them: any
    node replaced by any value, a number by an interesting one or any double, a member added to
    or removed from an object, an array item dropped or doubled, an object turned into the array
    of its values (serde's sequence form of a struct)."""
    out = value
    for _ in range(1 + draw.below(rounds)):
        nodes = _nodes(out)
        kind = draw.below(6)
        wanted = _APPLIES[kind]
        fitting = [(p, n) for p, n in nodes if wanted(n)] or nodes
        path, node = fitting[draw.below(len(fitting))]
        out = _replace(out, path, _edit(draw, kind, node))
    return out


_APPLIES: tuple[Callable[[Any], bool], ...] = (
    lambda node: True,
    lambda node: isinstance(node, int | float) and not isinstance(node, bool),
    lambda node: isinstance(node, dict) and bool(node),
    lambda node: isinstance(node, dict),
    lambda node: isinstance(node, list) and bool(node),
    lambda node: isinstance(node, dict),
)


def _edit(draw: Draw, kind: int, node: Any) -> Any:
    if kind == 1:
        return draw.pick(INTERESTING_NUMBERS) if draw.boolean() else draw.double()
    if kind == 2 and isinstance(node, dict) and node:
        drop = draw.pick(sorted(node))
        return {k: v for k, v in node.items() if k != drop}
    if kind == 3 and isinstance(node, dict):
        key = draw.pick([*sorted(node), draw.unicode(6)]) if node else draw.unicode(6)
        return {**node, key: json_value(draw)}
    if kind == 4 and isinstance(node, list) and node:
        index = draw.below(len(node))
        return node[:index] + node[index + 1 :] if draw.boolean() else [*node, node[index]]
    if kind == 5 and isinstance(node, dict):
        return list(node.values())
    return json_value(draw)


def compact(value: Any) -> str:
    """JSON as serde_json writes it: no spaces, non-ASCII characters as they are. A lone
    surrogate (read from a corpus event's ``\\ud800`` escape) stays escaped: written raw it
    would make a text no UTF-8 store can hold, which never reaches a library as an event."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join(f"\\u{ord(c):04x}" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text
