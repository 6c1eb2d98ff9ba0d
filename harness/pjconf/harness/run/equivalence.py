"""Result fields the ``bip77`` profile compares by meaning rather than spelling.

Two kinds. **URLs** (below). **Encodings the specification leaves to the encoder**: BIP 324 lets
an ElligatorSwift encoder pick any of the many 64-byte encodings of a key (libsecp256k1 derives
its choice from ``rnd32``, which is payjoin 1.0's), and BIP 77 needs only that the receiver's
decoder gets the same point back. Such a field matches when the reference, asked through the
adapter protocol like any peer, decodes the expected and the reported value to the same thing.

A URL is one resource however its case-insensitive parts are spelt: RFC 3986 section 6.2.2
(syntax-based normalization) makes the scheme and host case-insensitive, the hexadecimal digits
of a percent-encoding case-insensitive, an empty path equal to ``/`` for http(s), and the scheme's
default port equal to no port (section 6.2.3). payjoin 1.0 keeps the spelling it was given
(``https://PAYJO.IN:443/``); a WHATWG-style parser writes ``https://payjo.in/``. Both are correct,
so under ``bip77`` the URL fields of a result are compared after that normalization; the
``payjoin-1.0`` profile compares them byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from pjconf.harness.implementations.client import Client
from pjconf.harness.implementations.reference import reference_client

URL_FIELDS: Mapping[str, tuple[tuple[str, ...], ...]] = {
    "uri.parse": (("pj", "directory"), ("pj", "endpoint")),
}
"""Per op: paths (top-level key first) to result fields that hold a URL."""

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)(.*)$", re.DOTALL)
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


def normalized_url(text: str) -> str | None:
    """``text`` in RFC 3986 normal form, or None when it is no absolute URL with an authority
    (then only the exact spelling matches)."""
    found = _URL.match(text)
    if found is None:
        return None
    scheme, authority, rest = found.group(1).lower(), found.group(2), found.group(3)
    userinfo, at, hostport = authority.rpartition("@")
    host, port = hostport, ""
    if ":" in hostport and not hostport.endswith("]"):
        host, _, port = hostport.rpartition(":")
    if port == _DEFAULT_PORTS.get(scheme):
        port = ""
    if rest == "" and scheme in _DEFAULT_PORTS:
        rest = "/"
    rest = _PERCENT.sub(lambda m: m.group(0).upper(), rest)
    authority = f"{userinfo}{at}{host.lower()}{':' if port else ''}{port}"
    return f"{scheme}://{authority}{rest}"


def _at(value: object, path: tuple[str, ...]) -> object:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _without(value: object, path: tuple[str, ...]) -> object:
    """``value`` with the field at ``path`` removed (a copy; the original is untouched)."""
    if not path or not isinstance(value, dict):
        return value
    head, rest = path[0], path[1:]
    if not rest:
        return {k: v for k, v in value.items() if k != head}
    return {k: (_without(v, rest) if k == head else v) for k, v in value.items()}


def equivalent(op: str | None, key: str, expected: object, got: object) -> str | None:
    """A note naming the URL fields that differ only in spelling, when that is all that differs
    in result field ``key``; None when ``key`` differs otherwise (or holds no URL of ``op``)."""
    paths = [p[1:] for p in URL_FIELDS.get(op or "", ()) if p[0] == key]
    if not paths:
        return None
    respelt: list[str] = []
    rest_expected, rest_got = expected, got
    for path in paths:
        want, have = _at(expected, path), _at(got, path)
        if want == have:
            continue
        if not isinstance(want, str) or not isinstance(have, str):
            return None
        normal = normalized_url(want)
        if normal is None or normal != normalized_url(have):
            return None
        respelt.append(f"{key}.{'.'.join(path)} {have!r} for {want!r}")
        rest_expected, rest_got = _without(rest_expected, path), _without(rest_got, path)
    if not respelt or rest_expected != rest_got:
        return None
    return f"the same URL spelt otherwise (RFC 3986 section 6.2.2): {'; '.join(respelt)}"


@dataclass(frozen=True)
class Decoded:
    """A result field whose value is one of many encodings of a thing: two values are the same
    answer when the decoder op gives the same result for both."""

    field: str
    op: str
    arg: str
    result: str
    why: str


ENCODINGS: Mapping[str, Decoded] = {
    "ellswift.encode": Decoded(
        "ell64",
        "ellswift.decode",
        "ell64",
        "pk",
        "another ElligatorSwift encoding of the same point (BIP 324 leaves the choice to the "
        "encoder; BIP 77 needs the decoder to get the same point back)",
    ),
}


@cache
def _oracle() -> Client:
    """The reference's adapter, in process: the second opinion on open encodings."""
    return reference_client()


def _decoded(spec: Decoded, value: object) -> object:
    if not isinstance(value, str):
        return None
    reply = _oracle().call(spec.op, {spec.arg: value})
    return reply.value.get(spec.result) if reply.kind == "result" else None


def same_encoding(op: str | None, key: str, expected: object, got: object) -> str | None:
    """A note when ``got`` is another encoding of what ``expected`` encodes; else None."""
    spec = ENCODINGS.get(op or "")
    if spec is None or key != spec.field or expected == got:
        return None
    want = _decoded(spec, expected)
    if want is None or want != _decoded(spec, got):
        return None
    return f"{spec.why}: {key} {got!r}"


UNPADDED: Mapping[str, str] = {"ohttp.response.open": "bhttp"}
"""Per op: a hex field the protocol lets an IUT return with or without its trailing zero padding
(an OHTTP client that parses the response itself returns the message alone;
``docs/adapter-protocol.md``). Compared so in every profile: it is a protocol convention, not a
choice of payjoin's."""


def unpadded(op: str | None, key: str, expected: object, got: object) -> str | None:
    """A note when ``got`` is ``expected`` without (some of) its trailing zero padding."""
    if UNPADDED.get(op or "") != key or not isinstance(expected, str) or not isinstance(got, str):
        return None
    if len(got) % 2 or not expected.startswith(got) or got == expected:
        return None
    padding = expected[len(got) :]
    if padding.strip("0"):
        return None
    return f"{key} without its {len(padding) // 2} bytes of zero padding"


OPAQUE_CONTEXT: frozenset[str] = frozenset({"ohttp.request.seal", "ohttp.request.open"})
"""Ops whose ``context`` result an IUT may return as an opaque handle instead of pjconf's hex
serialization (``docs/adapter-protocol.md``). A hex string is read as that serialization and
compared; any other string is a handle, which only a later op can judge. Every profile: it is a
protocol convention, not a choice of payjoin's."""

_HEX = re.compile(r"^(?:[0-9a-f]{2})+$")


def opaque_context(op: str | None, key: str, expected: object, got: object) -> str | None:
    """A note when ``got`` is an opaque context handle where ``expected`` is a serialization."""
    if key != "context" or op not in OPAQUE_CONTEXT or not isinstance(expected, str):
        return None
    if not isinstance(got, str) or not got or _HEX.match(got):
        return None
    return f"context {got!r} is an opaque handle, not compared"
