"""The adapter protocol's wire format (docs/adapter-protocol.md), shared by both ends.

One JSON object per line each way. This module only frames and validates: it knows nothing of
what any op does, so the shim (serving the reference) and the runners (driving any
implementation) agree on every byte without sharing anything else.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pjconf.protocol.limits import DEFAULT_LIMITS, LimitExceeded, Limits, decode_json

PROTOCOL_VERSION = 1

JsonObject = dict[str, Any]


class BadRequest(Exception):
    """A request line that is not a protocol request; answered with an error, never fatal."""

    def __init__(self, message: str, request_id: int | None = None) -> None:
        super().__init__(message)
        self.request_id = request_id


class Unimplemented(Exception):
    """Raised by a handler for an argument it does not support yet (say, one role of an op)."""


class ArgumentError(Exception):
    """A well-framed request whose ``args`` are missing a field or have one of the wrong type."""


@dataclass(frozen=True)
class Request:
    id: int
    op: str
    args: JsonObject


def parse_request(line: str, limits: Limits = DEFAULT_LIMITS) -> Request:
    """Parse one request line, or raise :class:`BadRequest` saying what is wrong with it
    (including a line nested deeper, or holding a longer number, than ``limits`` allow)."""
    try:
        obj = decode_json(line, limits)
    except LimitExceeded as exc:
        raise BadRequest(f"the request {exc}") from None
    except json.JSONDecodeError as exc:
        raise BadRequest(f"not JSON: {exc.msg} at column {exc.colno}") from None
    except ValueError as exc:  # anything else json refuses: still an answer, never a crash
        raise BadRequest(f"not JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise BadRequest("a request must be a JSON object")
    request_id = obj.get("id")
    if not isinstance(request_id, int) or isinstance(request_id, bool):
        raise BadRequest("`id` must be an integer")
    op = obj.get("op")
    if not isinstance(op, str):
        raise BadRequest("`op` must be a string", request_id)
    args = obj.get("args", {})
    if not isinstance(args, dict):
        raise BadRequest("`args` must be an object", request_id)
    return Request(request_id, op, args)


def encode_line(obj: JsonObject) -> str:
    """One compact JSON line (no trailing newline)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def result(request_id: int | None, value: JsonObject) -> JsonObject:
    return {"id": request_id, "result": value}


def error(request_id: int | None, kind: str, message: str, **extra: Any) -> JsonObject:
    return {"id": request_id, "error": {"kind": kind, "message": message, **extra}}


def unimplemented(request_id: int, message: str) -> JsonObject:
    return {"id": request_id, "unimplemented": True, "message": message}


# --- argument accessors: every op reads its args through these, so a bad argument is always an
# ArgumentError naming the field, never a KeyError or a ValueError from deep inside.


_LOWER_HEX = re.compile("(?:[0-9a-f]{2})*")
"""Bytes on the wire: pairs of lowercase hex digits and nothing else (``bytes.fromhex`` alone
would also take whitespace between and around them, and upper case)."""


def _hex_fault(value: str) -> str:
    """Why ``value`` is not lowercase hex, for the error message."""
    if re.fullmatch("[0-9a-fA-F]*", value) is None:
        return "is not valid hex (only the digits 0-9a-f, no whitespace)"
    if value != value.lower():
        return "must be lowercase hex"
    return f"has an odd number of hex digits ({len(value)})"


def arg_bytes(args: JsonObject, name: str, *, length: int | tuple[int, ...] | None = None) -> bytes:
    value = args.get(name)
    if not isinstance(value, str):
        raise ArgumentError(f"`{name}` must be a hex string")
    if _LOWER_HEX.fullmatch(value) is None:
        raise ArgumentError(f"`{name}` {_hex_fault(value)}")
    data = bytes.fromhex(value)
    allowed = (length,) if isinstance(length, int) else length
    if allowed is not None and len(data) not in allowed:
        want = " or ".join(str(n) for n in allowed)
        raise ArgumentError(f"`{name}` must be {want} bytes, got {len(data)}")
    return data


def opt_bytes(
    args: JsonObject, name: str, *, length: int | tuple[int, ...] | None = None
) -> bytes | None:
    if args.get(name) is None:
        return None
    return arg_bytes(args, name, length=length)


def arg_str(args: JsonObject, name: str, *, choices: tuple[str, ...] | None = None) -> str:
    value = args.get(name)
    if not isinstance(value, str):
        raise ArgumentError(f"`{name}` must be a string")
    if choices is not None and value not in choices:
        raise ArgumentError(f"`{name}` must be one of {', '.join(choices)}; got {value!r}")
    return value


def opt_str(args: JsonObject, name: str, *, choices: tuple[str, ...] | None = None) -> str | None:
    if args.get(name) is None:
        return None
    return arg_str(args, name, choices=choices)


def arg_int(args: JsonObject, name: str) -> int:
    value = args.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ArgumentError(f"`{name}` must be an integer")
    return value
