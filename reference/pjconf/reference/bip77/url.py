"""rust-payjoin 1.0's own URL type (``payjoin/src/core/url.rs``), transcribed once.

rust-payjoin 1.0 no longer uses the ``url`` crate: :func:`parse_url` is its ``Url::parse`` and
:meth:`Url.serialize` its ``rebuild_raw``. What that means, quirks included:

- the scheme is lower-cased; any scheme is accepted, but ``://`` must follow it;
- a domain host is kept as written (no case folding, no IDNA, no percent-decoding); a host of four
  ``u8`` parts is IPv4 and re-rendered (``+1.02.3.4`` is ``1.2.3.4``); a bracketed IPv6 literal
  is re-rendered as eight lower-case hex groups, never compressed;
- an explicit port is kept even when it is the scheme's default;
- **one deliberate difference**: payjoin 1.0 keeps a malformed port (``:99999``, ``:8a``) in the
  path; here it is ``InvalidPort``, because every URL specification refuses that reading (WHATWG
  URL's port state fails on a port above 65535 or a non-digit; RFC 3986 section 3.2.3 makes
  ``:99999`` the port, never the path, and ``:8a`` no authority at all). payjoin 1.1.0 refuses it
  too (#1896). Only an empty port (``host:/``) stays allowed, as both specifications allow it;
- the path is never normalised (no dot segments, no percent-encoding), ``/`` when empty; the
  query ends at the first ``#``.

Errors are :class:`~pjconf.reference.errors.ParseError` with rust-payjoin's ``UrlParseError``
names as ``reason``: ``InvalidScheme``, ``InvalidFormat``, ``EmptyHost``, ``InvalidHost``
(and ``InvalidPort``, which payjoin 1.0 never lets escape ``Url::parse``).

Both the ``pj`` parameter (:mod:`pjconf.reference.bip77.uri`) and BHTTP target URLs
(:mod:`pjconf.reference.bip77.bhttp`) are parsed here, as rust-payjoin 1.0 parses both with this
type. Older rust-payjoin used the ``url`` crate (WHATWG: host lower-cased, default port dropped,
IPv4 shorthand resolved, paths normalised); none of that happens in 1.0.
"""

from __future__ import annotations

from dataclasses import dataclass

from pjconf.reference.errors import ParseError


@dataclass(frozen=True)
class Url:
    """A parsed absolute URL; ``host`` is rendered (IP literals canonical, domains as written)."""

    scheme: str
    host: str
    port: int | None
    path: str
    query: str | None = None
    fragment: str | None = None

    @property
    def authority(self) -> str:
        """``host[:port]``, as rust-payjoin puts it in a BHTTP request."""
        return self.host if self.port is None else f"{self.host}:{self.port}"

    def origin_root(self) -> str:
        """The URL with path ``/`` and no query or fragment (a BIP 77 directory)."""
        return f"{self.scheme}://{self.authority}/"

    def serialize(self) -> str:
        """rust-payjoin's ``Url::as_str``."""
        query = "" if self.query is None else "?" + self.query
        fragment = "" if self.fragment is None else "#" + self.fragment
        return f"{self.scheme}://{self.authority}{self.path}{query}{fragment}"


def _rust_uint(text: str, *, radix: int, limit: int) -> int | None:
    """Rust's ``uN::from_str_radix``: an optional ``+``, then at least one digit, no overflow.

    Leading zeros are fine (``00080`` is 80); more than 20 significant digits overflow any
    ``uN`` here, and are refused before Python converts them (it refuses 4301 digits itself).
    """
    digits = text.removeprefix("+")
    allowed = "0123456789abcdefABCDEF"[: 10 if radix == 10 else 22]
    if not digits or any(c not in allowed for c in digits):
        return None
    significant = digits.lstrip("0") or "0"
    if len(significant) > 20:
        return None
    value = int(significant, radix)
    return value if value <= limit else None


def _parse_ipv6(text: str) -> str:
    def groups(part: str) -> list[int]:
        if not part:
            return []
        out = [_rust_uint(p, radix=16, limit=0xFFFF) for p in part.split(":")]
        if any(g is None for g in out):
            raise ParseError("InvalidHost", f"bad IPv6 group in {text!r}")
        return [g for g in out if g is not None]

    if "::" in text:
        left, right = text.split("::", 1)
        head, tail = groups(left), groups(right)
        if len(head) + len(tail) > 7:
            raise ParseError("InvalidHost", f"too many IPv6 groups in {text!r}")
        segments = head + [0] * (8 - len(head) - len(tail)) + tail
    else:
        segments = groups(text)
        if len(segments) != 8:
            raise ParseError("InvalidHost", f"an IPv6 address needs 8 groups: {text!r}")
    return "[" + ":".join(f"{s:x}" for s in segments) + "]"


def _parse_host(rest: str) -> tuple[str, str]:
    """Split the host off ``rest``: (host as rust-payjoin renders it, remainder)."""
    if rest.startswith("["):
        end = rest.find("]")
        if end < 0:
            raise ParseError("InvalidHost", "unclosed IPv6 literal")
        return _parse_ipv6(rest[1:end]), rest[end + 1 :]
    end = next((i for i, c in enumerate(rest) if c in ":/?#"), len(rest))
    host, rest = rest[:end], rest[end:]
    octets = [_rust_uint(p, radix=10, limit=255) for p in host.split(".")]
    if len(octets) == 4 and all(o is not None for o in octets):
        return ".".join(str(o) for o in octets), rest
    if not host:
        raise ParseError("EmptyHost", "the URL has no host")
    if not all(c.isascii() and (c.isalnum() or c in "-.") for c in host):
        raise ParseError("InvalidHost", f"invalid host {host!r}")
    return host, rest


def _parse_port(rest: str) -> tuple[int | None, str]:
    """An explicit port; a malformed one is ``InvalidPort`` (payjoin 1.0 kept it as path)."""
    if not rest.startswith(":"):
        return None, rest
    after = rest[1:]
    end = next((i for i, c in enumerate(after) if c in "/?#"), len(after))
    digits = after[:end]
    if not digits:
        return None, after
    port = None if digits.startswith("+") else _rust_uint(digits, radix=10, limit=0xFFFF)
    if port is None:
        shown = digits if len(digits) <= 20 else f"{digits[:20]}... ({len(digits)} chars)"
        raise ParseError("InvalidPort", f"malformed port {shown!r}")
    return port, after[end:]


def parse_url(text: str) -> Url:
    """rust-payjoin 1.0's ``Url::parse``."""
    colon = text.find(":")
    scheme = text if colon < 0 else text[:colon]
    if not scheme or not all(c.isascii() and (c.isalnum() or c in "+-.") for c in scheme):
        raise ParseError("InvalidScheme", f"invalid scheme in {text!r}")
    rest = text[len(scheme) :]
    if not rest.startswith("://"):
        raise ParseError("InvalidFormat", f"{text!r} is not scheme://host...")
    host, rest = _parse_host(rest[3:])
    port, rest = _parse_port(rest)
    rest, has_fragment, fragment = rest.partition("#")
    path, has_query, query = rest.partition("?")
    return Url(
        scheme.lower(),
        host,
        port,
        path or "/",
        query if has_query else None,
        fragment if has_fragment else None,
    )


def percent_decode(text: str) -> bytes:
    """RFC 3986 decoding; a ``%`` not followed by two hex digits is an error, and text with a
    lone surrogate (no Rust ``&str`` holds one) is ``NotUtf8``."""
    check_unicode(text)
    raw = text.encode()
    out = bytearray()
    i = 0
    while i < len(raw):
        if raw[i] == ord("%"):
            pair = raw[i + 1 : i + 3]
            if len(pair) != 2 or not all(chr(b) in "0123456789abcdefABCDEF" for b in pair):
                raise ParseError("InvalidPercentEncoding", f"bad escape at {text[i : i + 3]!r}")
            out.append(int(pair, 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return bytes(out)


def check_unicode(text: str) -> None:
    """Refuse lone surrogates (possible in a Python str or JSON, impossible in a Rust &str)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ParseError("NotUtf8", "text is not valid Unicode") from None
