"""Session events as deterministic CBOR (RFC 8949 §4.2.1) in a versioned envelope.

payjoin's JSON log has no schema version, sequence number or role; this format adds them:
``{"v": 1, "role": "receiver"|"sender", "seq": n, "event": <serde tree>}``. The event is the
same serde tree the JSON codec prints, except that byte arrays are CBOR byte strings, so
JSON -> CBOR -> JSON gives back the same text.

Determinism: ``cbor2``'s ``canonical=True`` gives preferred (shortest) integers, lengths and
floats, but sorts map keys length-first (RFC 8949 §4.2.3). That equals §4.2.1's bytewise order
whenever a map's keys share one major type, and every map here has text keys only (struct
fields, enum tags, string-keyed PSBT maps, ``JsonReply.extra``); a test checks it. Decoding
refuses anything that does not re-encode to the very same bytes (``NonCanonical``).

Limits (a choice, as this format is pjconf's own): the event nests at most 127 arrays, maps and
tags deep, the JSON codec's (serde_json's) limit, so every event one codec reads the other can
hold; cbor2 itself stops at 400. Integers beyond u64 (bignums) decode, and are refused as out
of range wherever the event model reads a number. Every refusal is a ``DecodeError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import cbor2

from pjconf.reference.bitcoin.psbt_json import MAX_NESTING, shown
from pjconf.reference.payjoin.units import U64_MAX
from pjconf.reference.session.receiver import tree as receiver_tree
from pjconf.reference.session.receiver.events import ReceiverEvent
from pjconf.reference.session.sender import tree as sender_tree
from pjconf.reference.session.sender.events import SenderEvent
from pjconf.reference.session.serde_values import DecodeError

__all__ = [
    "FORMAT_VERSION",
    "DecodeError",
    "Envelope",
    "decode",
    "decode_receiver_event",
    "decode_sender_event",
    "encode_receiver_event",
    "encode_sender_event",
]

FORMAT_VERSION = 1
ROLES = ("receiver", "sender")
ENVELOPE_FIELDS = ("v", "role", "seq", "event")

Envelope = tuple[str, int, ReceiverEvent | SenderEvent]
"""(role, sequence number, event)."""


def dumps(tree: Any) -> bytes:
    return cbor2.dumps(tree, canonical=True)


def _envelope(role: str, seq: int, tree: Any) -> bytes:
    if not 0 <= seq <= U64_MAX:
        raise ValueError(f"sequence number {seq} is not a u64")
    return dumps({"v": FORMAT_VERSION, "role": role, "seq": seq, "event": tree})


def encode_receiver_event(e: ReceiverEvent, seq: int = 0) -> bytes:
    return _envelope("receiver", seq, receiver_tree.to_tree(e, cbor=True))


def encode_sender_event(e: SenderEvent, seq: int = 0) -> bytes:
    return _envelope("sender", seq, sender_tree.to_tree(e, cbor=True))


def _loads(data: bytes) -> Any:
    try:
        value = cbor2.loads(data)
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError, RecursionError) as e:
        raise DecodeError("InvalidCbor", "$", str(e) or type(e).__name__) from None
    try:
        again = dumps(value)
    except (cbor2.CBOREncodeError, ValueError, TypeError) as e:
        raise DecodeError("InvalidCbor", "$", f"not a plain CBOR value: {e}") from None
    if again != data:
        raise DecodeError("NonCanonical", "$", "not RFC 8949 deterministic encoding")
    if _deeper_than(value, MAX_NESTING + 1):  # the envelope is one level more than the event
        raise DecodeError(
            "InvalidCbor", "$", f"recursion limit exceeded: event nests deeper than {MAX_NESTING}"
        )
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays, maps (keys too) and tags nest more than ``limit`` deep; no recursion."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, cbor2.CBORTag):
            children: Any = (item.value,)
        elif isinstance(item, Mapping):  # cbor2 decodes a map used as a key to a frozendict
            children = (*item.keys(), *item.values())
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth == limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def decode(data: bytes) -> Envelope:
    """Any envelope: its role, sequence number and event; errors name the path."""
    value = _loads(data)
    if not isinstance(value, dict):
        raise DecodeError("InvalidType", "$", "expected an envelope map")
    for name in ENVELOPE_FIELDS:
        if name not in value:
            raise DecodeError("MissingField", name, f"missing field {name!r}")
    extra = [k for k in value if k not in ENVELOPE_FIELDS]
    if extra:
        raise DecodeError("UnknownField", "$", f"unknown envelope field {shown(extra[0])}")
    version, role, seq = value["v"], value["role"], value["seq"]
    if type(version) is not int or version != FORMAT_VERSION:
        raise DecodeError("UnsupportedVersion", "v", f"format version {shown(version)}")
    if role not in ROLES:
        raise DecodeError("InvalidValue", "role", f"role {shown(role)}")
    if type(seq) is not int or not 0 <= seq <= U64_MAX:
        raise DecodeError("InvalidValue", "seq", "the sequence number is a u64")
    decode_tree = receiver_tree.from_tree if role == "receiver" else sender_tree.from_tree
    try:
        event: ReceiverEvent | SenderEvent = decode_tree(value["event"])
    except DecodeError as e:
        path = "event" if e.path == "$" else "event." + e.path
        raise DecodeError(e.reason, path, e.message.split(": ", 2)[-1]) from None
    return role, seq, event


def _expect(data: bytes, role: str) -> tuple[int, Any]:
    got, seq, event = decode(data)
    if got != role:
        raise DecodeError("WrongRole", "role", f"a {got} event, expected a {role} event")
    return seq, event


def decode_receiver_event(data: bytes) -> tuple[int, ReceiverEvent]:
    """(sequence number, event) of a receiver envelope."""
    seq, event = _expect(data, "receiver")
    return seq, event


def decode_sender_event(data: bytes) -> tuple[int, SenderEvent]:
    seq, event = _expect(data, "sender")
    return seq, event
