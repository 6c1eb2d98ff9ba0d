"""payjoin 1.0's session-event JSON, byte for byte what ``serde_json::to_string`` writes.

Encoding prints the serde tree compactly with ``ensure_ascii=False`` (serde_json escapes exactly
the same characters). The only values ``json.dumps`` would spell differently are floats, which
occur only inside a ``JsonReply``'s ``extra``; those are printed as serde_json 1.0 prints them.
Decoding follows serde: unknown fields ignored, missing ``Option`` fields ``None``, unknown
variants, wrong shapes and bad leaves a :class:`DecodeError` whose ``path`` names the place.
"""

from __future__ import annotations

import json
from typing import Any

from pjconf.reference.bitcoin.psbt_json import parse_json_text
from pjconf.reference.persist.protocols import EventCodec
from pjconf.reference.session import serde_values as sv
from pjconf.reference.session.receiver import tree as receiver_tree
from pjconf.reference.session.receiver.events import GotReplyableError, ReceiverEvent
from pjconf.reference.session.sender import tree as sender_tree
from pjconf.reference.session.sender.events import SenderEvent
from pjconf.reference.session.serde_values import DecodeError

__all__ = [
    "DecodeError",
    "decode_receiver_event",
    "decode_sender_event",
    "dumps",
    "encode_receiver_event",
    "encode_sender_event",
    "loads",
]

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


def dumps(tree: Any) -> str:
    """A serde tree as ``serde_json::to_string`` writes it (floats included)."""
    if not sv.has_float(tree):
        return _dumps(tree)
    return _write(tree)


def _write(v: Any) -> str:
    if isinstance(v, float):
        return sv.format_f64(v)
    if isinstance(v, dict):
        return "{" + ",".join(_dumps(k) + ":" + _write(x) for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ",".join(_write(x) for x in v) + "]"
    return _dumps(v)


def loads(text: str) -> Any:
    """JSON text to a tree; malformed or truncated text is a ``DecodeError`` at ``$``.

    serde_json's limits hold (:func:`~pjconf.reference.bitcoin.psbt_json.parse_json_text`): at
    most 127 nested arrays and objects, no ``NaN``/``Infinity``, and an integer of more than 4300
    digits stays unconverted, refused as out of range wherever a value is read.
    """
    return parse_json_text(text, "$")


def encode_receiver_event(e: ReceiverEvent) -> str:
    tree = receiver_tree.to_tree(e)
    if isinstance(e, GotReplyableError):
        return dumps(tree)
    return _dumps(tree)


def decode_receiver_event(text: str) -> ReceiverEvent:
    return receiver_tree.from_tree(loads(text))


def encode_sender_event(e: SenderEvent) -> str:
    return _dumps(sender_tree.to_tree(e))


def decode_sender_event(text: str) -> SenderEvent:
    return sender_tree.from_tree(loads(text))


class _SenderJson:
    """The sender's payjoin 1.0 JSON as a persister codec (what payjoin-ffi's persisters store)."""

    def encode(self, event: SenderEvent) -> str:
        return encode_sender_event(event)

    def decode(self, text: str) -> SenderEvent:
        return decode_sender_event(text)


class _ReceiverJson:
    """The receiver's payjoin 1.0 JSON as a persister codec."""

    def encode(self, event: ReceiverEvent) -> str:
        return encode_receiver_event(event)

    def decode(self, text: str) -> ReceiverEvent:
        return decode_receiver_event(text)


SENDER_JSON: EventCodec[SenderEvent] = _SenderJson()
RECEIVER_JSON: EventCodec[ReceiverEvent] = _ReceiverJson()
