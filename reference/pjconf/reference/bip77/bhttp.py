"""Binary HTTP messages (RFC 9292), as the ``bhttp`` 0.6.1 crate writes and reads them.

rust-payjoin wraps every directory request in a *known-length* BHTTP message before OHTTP
encapsulation, and reads the directory's answer the same way. This module is byte-exact with that:

- The writer always emits known-length framing with every section explicit, including the empty
  trailer, so that padding after the message can never be read as a section length.
- The reader follows ``bhttp::Message::read_bhttp``: it reads one message from the front of the
  buffer and never looks at what follows (BIP 77 pads requests with *random* bytes). Like bhttp it
  also accepts messages that stop at a section boundary (RFC 9292 §3.8 truncation, as in RFC 9458
  Appendix A), indeterminate-length framing, and non-minimal varints; it merges repeated
  ``cookie`` fields with ``"; "``; and a zero-length field name inside a known-length section is
  ``Truncated``, because in bhttp that is the indeterminate-length terminator.

Every malformed input raises :class:`~pjconf.reference.errors.ParseError`, whose ``reason`` is one
of ``Truncated``, ``InvalidFramingIndicator``, ``InvalidStatus``, ``InvalidVarint`` (writer only:
a value of 2^62 or more), ``EmptyFieldName`` (writer only), ``NotUtf8`` (mapping bytes to
protocol text, or text with a lone surrogate to bytes), or a URL reason of
:func:`parse_target_url` (rust-payjoin's ``UrlParseError`` names: ``InvalidScheme``,
``InvalidFormat``, ``EmptyHost``, ``InvalidHost``). Arguments of the wrong shape in
:func:`request_from_args` are :class:`~pjconf.reference.errors.InvalidArgument`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pjconf.reference.bip77.url import parse_url
from pjconf.reference.errors import InvalidArgument, ParseError

Field = tuple[bytes, bytes]
Fields = tuple[Field, ...]

KNOWN_LENGTH_REQUEST = 0
KNOWN_LENGTH_RESPONSE = 1
INDETERMINATE_LENGTH_REQUEST = 2
INDETERMINATE_LENGTH_RESPONSE = 3

MAX_VARINT = (1 << 62) - 1
"""The largest value a QUIC variable-length integer holds."""

_COOKIE = b"cookie"


@dataclass(frozen=True)
class BhttpRequest:
    """Request control data, header fields, content and trailer fields, all as raw bytes."""

    method: bytes
    scheme: bytes
    authority: bytes
    path: bytes
    headers: Fields = ()
    body: bytes = b""
    trailers: Fields = ()

    @classmethod
    def build(
        cls,
        method: str | bytes,
        scheme: str | bytes,
        authority: str | bytes,
        path: str | bytes,
        *,
        headers: Iterable[tuple[str | bytes, str | bytes]] = (),
        body: bytes = b"",
        trailers: Iterable[tuple[str | bytes, str | bytes]] = (),
    ) -> BhttpRequest:
        """Build a request from text or bytes (text is UTF-8 encoded)."""
        return cls(
            _b(method),
            _b(scheme),
            _b(authority),
            _b(path),
            _fields(headers),
            body,
            _fields(trailers),
        )


@dataclass(frozen=True)
class InformationalResponse:
    """A 1xx interim response that precedes the final one."""

    status: int
    headers: Fields = ()


@dataclass(frozen=True)
class BhttpResponse:
    """Final status, header fields, content, trailer fields and any interim 1xx responses."""

    status: int
    headers: Fields = ()
    body: bytes = b""
    trailers: Fields = ()
    informational: tuple[InformationalResponse, ...] = ()


def _b(value: str | bytes) -> bytes:
    """Text as UTF-8; a lone surrogate (a Python str can hold one, a Rust &str cannot) has no
    UTF-8 form and is ``NotUtf8``."""
    if not isinstance(value, str):
        return bytes(value)
    try:
        return value.encode()
    except UnicodeEncodeError:
        raise ParseError("NotUtf8", "text with a lone surrogate has no UTF-8 form") from None


def _fields(fields: Iterable[tuple[str | bytes, str | bytes]]) -> Fields:
    return tuple((_b(name), _b(value)) for name, value in fields)


# -- writing -----------------------------------------------------------------------------------


def encode_varint(value: int) -> bytes:
    """The shortest QUIC variable-length encoding of ``value`` (what bhttp always writes)."""
    if not 0 <= value <= MAX_VARINT:
        raise ParseError("InvalidVarint", f"{value} does not fit a QUIC varint")
    if value < 1 << 6:
        return value.to_bytes(1, "big")
    if value < 1 << 14:
        return (value | 1 << 14).to_bytes(2, "big")
    if value < 1 << 30:
        return (value | 2 << 30).to_bytes(4, "big")
    return (value | 3 << 62).to_bytes(8, "big")


def _vec(data: bytes) -> bytes:
    return encode_varint(len(data)) + data


def _section(fields: Fields) -> bytes:
    out = bytearray()
    for name, value in fields:
        if not name:
            raise ParseError("EmptyFieldName", "a field name must not be empty")
        out += _vec(name) + _vec(value)
    return _vec(bytes(out))


def _final_status(status: int) -> bytes:
    if not 200 <= status <= 599:
        raise ParseError("InvalidStatus", f"final status must be 200-599, got {status}")
    return encode_varint(status)


def encode_request(request: BhttpRequest) -> bytes:
    """The known-length encoding, every section explicit (no padding)."""
    return b"".join(
        (
            encode_varint(KNOWN_LENGTH_REQUEST),
            _vec(request.method),
            _vec(request.scheme),
            _vec(request.authority),
            _vec(request.path),
            _section(request.headers),
            _vec(request.body),
            _section(request.trailers),
        )
    )


def encode_response(response: BhttpResponse) -> bytes:
    """The known-length encoding, every section explicit (no padding)."""
    out = bytearray(encode_varint(KNOWN_LENGTH_RESPONSE))
    for interim in response.informational:
        if not 100 <= interim.status <= 199:
            raise ParseError("InvalidStatus", f"interim status must be 1xx, got {interim.status}")
        out += encode_varint(interim.status) + _section(interim.headers)
    out += _final_status(response.status)
    out += _section(response.headers) + _vec(response.body) + _section(response.trailers)
    return bytes(out)


# -- reading -----------------------------------------------------------------------------------


def _truncated(what: str) -> ParseError:
    return ParseError("Truncated", f"message ends inside {what}")


class _Reader:
    """A cursor over bytes that reads varints and length-prefixed vectors like bhttp's ``rw``."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def varint(self, what: str) -> int | None:
        """The next varint, or None at the very end; a partial varint is ``Truncated``."""
        if self.pos >= len(self.data):
            return None
        first = self.data[self.pos]
        size = 1 << (first >> 6)
        if self.pos + size > len(self.data):
            raise _truncated(what)
        raw = int.from_bytes(self.data[self.pos : self.pos + size], "big")
        self.pos += size
        return raw & ((1 << (8 * size - 2)) - 1)

    def vec(self, what: str) -> bytes | None:
        """The next length-prefixed vector, or None at the very end."""
        length = self.varint(what)
        if length is None:
            return None
        if length > len(self.data) - self.pos:
            raise _truncated(what)
        out = self.data[self.pos : self.pos + length]
        self.pos += length
        return out

    def required_vec(self, what: str) -> bytes:
        out = self.vec(what)
        if out is None:
            raise _truncated(what)
        return out


def _read_field_lines(reader: _Reader, *, terminated: bool, what: str) -> Fields:
    fields: list[Field] = []
    cookie_at: int | None = None
    while True:
        name = reader.vec(what)
        if name is None:
            if terminated:
                raise _truncated(what)
            return tuple(fields)
        if not name:
            if terminated:
                return tuple(fields)
            raise ParseError("Truncated", f"zero-length field name inside {what}")
        value = reader.required_vec(what)
        if name == _COOKIE and cookie_at is not None:
            fields[cookie_at] = (name, fields[cookie_at][1] + b"; " + value)
            continue
        if name == _COOKIE:
            cookie_at = len(fields)
        fields.append((name, value))


def _read_section(reader: _Reader, *, indeterminate: bool, what: str) -> Fields:
    if indeterminate:
        return _read_field_lines(reader, terminated=True, what=what)
    section = reader.vec(what)
    if section is None:
        return ()
    return _read_field_lines(_Reader(section), terminated=False, what=what)


def _read_content(reader: _Reader, *, indeterminate: bool) -> bytes:
    content = reader.vec("the content") or b""
    if indeterminate and content:
        chunks = [content]
        while chunk := reader.vec("the content"):
            chunks.append(chunk)
        content = b"".join(chunks)
    return content


def _read_status(reader: _Reader) -> int:
    status = reader.varint("the status code")
    if status is None:
        raise _truncated("the status code")
    if not 100 <= status <= 599:
        raise ParseError("InvalidStatus", f"status {status} is not in 100-599")
    return status


def _read_framing(reader: _Reader, *, request: bool) -> bool:
    """Read the framing indicator; True for indeterminate length."""
    indicator = reader.varint("the framing indicator")
    if indicator is None:
        raise _truncated("the framing indicator")
    expected = (0, 2) if request else (1, 3)
    if indicator not in expected:
        kind = "request" if request else "response"
        raise ParseError(
            "InvalidFramingIndicator", f"framing indicator {indicator} is not a {kind}"
        )
    return indicator >= INDETERMINATE_LENGTH_REQUEST


def read_request(data: bytes) -> tuple[BhttpRequest, int]:
    """Read one request from the front of ``data``: the request and how many bytes it used."""
    reader = _Reader(data)
    indeterminate = _read_framing(reader, request=True)
    method = reader.required_vec("the method")
    scheme = reader.required_vec("the scheme")
    authority = reader.required_vec("the authority")
    path = reader.required_vec("the path")
    headers = _read_section(reader, indeterminate=indeterminate, what="the header section")
    body = _read_content(reader, indeterminate=indeterminate)
    trailers = _read_section(reader, indeterminate=indeterminate, what="the trailer section")
    return BhttpRequest(method, scheme, authority, path, headers, body, trailers), reader.pos


def read_response(data: bytes) -> tuple[BhttpResponse, int]:
    """Read one response from the front of ``data``: the response and how many bytes it used."""
    reader = _Reader(data)
    indeterminate = _read_framing(reader, request=False)
    interim: list[InformationalResponse] = []
    status = _read_status(reader)
    while status < 200:
        fields = _read_section(reader, indeterminate=indeterminate, what="an interim response")
        interim.append(InformationalResponse(status, fields))
        status = _read_status(reader)
    headers = _read_section(reader, indeterminate=indeterminate, what="the header section")
    body = _read_content(reader, indeterminate=indeterminate)
    trailers = _read_section(reader, indeterminate=indeterminate, what="the trailer section")
    return BhttpResponse(status, headers, body, trailers, tuple(interim)), reader.pos


def decode_request(data: bytes) -> BhttpRequest:
    """The request at the front of ``data``; whatever follows it (padding) is ignored."""
    return read_request(data)[0]


def decode_response(data: bytes) -> BhttpResponse:
    """The response at the front of ``data``; whatever follows it (padding) is ignored."""
    return read_response(data)[0]


# -- rust-payjoin's target URL -------------------------------------------------------------------


def parse_target_url(url: str) -> tuple[str, str, str]:
    """(scheme, authority, path) of ``url`` exactly as rust-payjoin 1.0's own ``Url`` gives them.

    See :mod:`pjconf.reference.bip77.url`: the scheme is lower-cased, the host kept as written
    (IP literals re-rendered), an explicit port kept even when it is the default, and the path is
    the path only, ``/`` when empty, without query or fragment.
    """
    parsed = parse_url(url)
    return parsed.scheme, parsed.authority, parsed.path


def request_for_url(method: str, url: str, body: bytes = b"") -> BhttpRequest:
    """The BHTTP request rust-payjoin builds for ``method`` on ``url`` (no header fields)."""
    scheme, authority, path = parse_target_url(url)
    return BhttpRequest.build(method, scheme, authority, path, body=body)


# -- adapter-protocol arguments --------------------------------------------------------------------


def _text(value: bytes, what: str) -> str:
    try:
        return value.decode()
    except UnicodeDecodeError:
        raise ParseError("NotUtf8", f"{what} is not UTF-8, so it has no protocol form") from None


def _json_fields(fields: Fields) -> list[list[str]]:
    return [[_text(n, "a field name"), _text(v, "a field value")] for n, v in fields]


def request_args(request: BhttpRequest) -> dict[str, Any]:
    """The request as ``bhttp.request.*`` arguments: text fields, ``body`` as hex.

    ``trailers`` is added only when the request has some (the protocol's core has none).
    """
    out: dict[str, Any] = {
        "method": _text(request.method, "the method"),
        "scheme": _text(request.scheme, "the scheme"),
        "authority": _text(request.authority, "the authority"),
        "path": _text(request.path, "the path"),
        "headers": _json_fields(request.headers),
        "body": request.body.hex(),
    }
    if request.trailers:
        out["trailers"] = _json_fields(request.trailers)
    return out


def _arg_fields(value: Any, what: str) -> Fields:
    if not isinstance(value, list) or not all(
        isinstance(f, list) and len(f) == 2 and all(isinstance(x, str) for x in f) for f in value
    ):
        raise InvalidArgument(f"{what} must be a list of [name, value] strings")
    return _fields((n, v) for n, v in value)


_LOWER_HEX = re.compile("(?:[0-9a-f]{2})*")
"""The protocol's bytes: lowercase hex digit pairs (``bytes.fromhex`` would skip whitespace)."""


def request_from_args(args: Mapping[str, Any]) -> BhttpRequest:
    """The inverse of :func:`request_args`."""
    try:
        text = {k: args[k] for k in ("method", "scheme", "authority", "path")}
        body_hex = args.get("body", "")
    except (KeyError, TypeError) as exc:
        raise InvalidArgument(f"bad bhttp request arguments: {exc}") from None
    if not isinstance(body_hex, str) or _LOWER_HEX.fullmatch(body_hex) is None:
        raise InvalidArgument("body must be lowercase hex (pairs of digits 0-9a-f, no spaces)")
    body = bytes.fromhex(body_hex)
    if not all(isinstance(v, str) for v in text.values()):
        raise InvalidArgument("method, scheme, authority and path must be strings")
    return BhttpRequest.build(
        text["method"],
        text["scheme"],
        text["authority"],
        text["path"],
        headers=_arg_fields(args.get("headers", []), "headers"),
        body=body,
        trailers=_arg_fields(args.get("trailers", []), "trailers"),
    )
