"""rust-payjoin 1.0's own URL type (``payjoin/src/core/url.rs``), transcribed once.

rust-payjoin 1.0 no longer uses the ``url`` crate: :func:`parse_url` is its ``Url::parse`` and
:meth:`Url.serialize` its ``rebuild_raw``. What that means, quirks included:

- the scheme is lower-cased; any scheme is accepted, but ``://`` must follow it;
- a domain host is kept as written (no case folding, no IDNA, no percent-decoding); a host of four
  ``u8`` parts is IPv4 and re-rendered (``+1.02.3.4`` is ``1.2.3.4``); a bracketed IPv6 literal
  is re-rendered as eight lower-case hex groups, never compressed;
- an explicit port is kept even when it is the scheme's default; a malformed one (``:99999``,
  ``:8a``) is not an error: it stays in the path;
- the path is never normalised (no dot segments, no percent-encoding), ``/`` when empty; the
  query ends at the first ``#``.

Errors are :class:`~pjconf.reference.errors.ParseError` with rust-payjoin's ``UrlParseError``
names as ``reason``: ``InvalidScheme``, ``InvalidFormat``, ``EmptyHost``, ``InvalidHost``.

:func:`parse_whatwg_http_url` is the ``url`` crate's (WHATWG) parse that older rust-payjoin used
for the ``pj`` parameter. It gives the same :class:`Url` value, but it is not what 1.0 does; it
stays only because the ``uri`` vectors pin it (see the note above it).
"""

from __future__ import annotations

import ipaddress
import re
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
    userinfo: str = ""
    """``user:pass@`` or empty; only :func:`parse_whatwg_http_url` keeps one."""

    @property
    def authority(self) -> str:
        """``host[:port]``, as rust-payjoin puts it in a BHTTP request."""
        return self.host if self.port is None else f"{self.host}:{self.port}"

    def origin_root(self) -> str:
        """The URL with path ``/`` and no query or fragment (a BIP 77 directory)."""
        return f"{self.scheme}://{self.userinfo}{self.authority}/"

    def serialize(self) -> str:
        """rust-payjoin's ``Url::as_str``."""
        query = "" if self.query is None else "?" + self.query
        fragment = "" if self.fragment is None else "#" + self.fragment
        return f"{self.scheme}://{self.userinfo}{self.authority}{self.path}{query}{fragment}"


def _rust_uint(text: str, *, radix: int, limit: int) -> int | None:
    """Rust's ``uN::from_str_radix``: an optional ``+``, then at least one digit, no overflow."""
    digits = text.removeprefix("+")
    allowed = "0123456789abcdefABCDEF"[: 10 if radix == 10 else 22]
    if not digits or any(c not in allowed for c in digits):
        return None
    value = int(digits, radix)
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
    """An explicit port; a malformed one is not an error but part of the path (``unwrap_or``)."""
    if not rest.startswith(":"):
        return None, rest
    after = rest[1:]
    end = next((i for i, c in enumerate(after) if c in "/?#"), len(after))
    digits = after[:end]
    if not digits:
        return None, after
    port = None if digits.startswith("+") else _rust_uint(digits, radix=10, limit=0xFFFF)
    if port is None:
        return None, rest
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
    """RFC 3986 decoding; a ``%`` not followed by two hex digits is an error."""
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


# -- the url crate's WHATWG parse, which the uri family still pins -------------------------------
#
# rust-payjoin 1.0 parses the ``pj`` value with :func:`parse_url` too. This older behaviour (host
# lower-cased, default port dropped, IPv4 shorthand such as ``127.1`` resolved, dot segments and
# percent-encoding applied, a bad port an error) is kept only because the ``uri`` vectors pin it;
# moving ``uri`` onto :func:`parse_url` changes those vectors, which is a corpus decision.

_C0 = frozenset(range(0x20)) | frozenset(range(0x7F, 0x100))
_FRAGMENT_SET = _C0 | frozenset(b' "<>`')
_QUERY_SET = _C0 | frozenset(b" \"#<>'")
_PATH_SET = _C0 | frozenset(b' "#<>?`{}')
_USERINFO_SET = _PATH_SET | frozenset(b"/:;=@[\\]^|")
_FORBIDDEN_HOST = frozenset(" #%/:<>?@[\\]^|\x7f") | frozenset(chr(c) for c in range(0x20))
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _encode_set(text: str, unsafe: frozenset[int]) -> str:
    return "".join(chr(b) if b not in unsafe else f"%{b:02X}" for b in text.encode())


def parse_whatwg_http_url(text: str) -> Url:
    """Parse an absolute ``http``/``https`` URL the way the WHATWG URL standard does."""
    check_unicode(text)
    text = text.strip("".join(chr(c) for c in range(0x21)))
    text = re.sub("[\t\n\r]", "", text)
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", text)
    if match is None:
        raise ParseError("InvalidUrl", f"{text!r} is not an absolute URL")
    scheme = match.group(1).lower()
    if scheme not in _DEFAULT_PORTS:
        raise ParseError("UnsecureEndpoint", f"scheme {scheme!r} is neither https nor http")
    rest = text[match.end() :].lstrip("/\\")
    authority_end = re.search(r"[/\\?#]", rest)
    split = authority_end.start() if authority_end else len(rest)
    authority, rest = rest[:split], rest[split:]
    userinfo, _, hostport = authority.rpartition("@")
    user, _, password = userinfo.partition(":")
    user, password = _encode_set(user, _USERINFO_SET), _encode_set(password, _USERINFO_SET)
    credentials = (user + (":" + password if password else "") + "@") if (user or password) else ""
    host, port = _whatwg_host_port(hostport, scheme)
    fragment: str | None = None
    query: str | None = None
    if "#" in rest:
        rest, _, fragment = rest.partition("#")
    if "?" in rest:
        rest, _, query = rest.partition("?")
    return Url(
        scheme,
        host,
        port,
        _normalize_path(rest),
        None if query is None else _encode_set(query, _QUERY_SET),
        None if fragment is None else _encode_set(fragment, _FRAGMENT_SET),
        credentials,
    )


def _whatwg_host_port(hostport: str, scheme: str) -> tuple[str, int | None]:
    if hostport.startswith("["):
        close = hostport.find("]")
        raw_host, port_text = hostport[: close + 1], hostport[close + 1 :]
        if close < 0 or (port_text and not port_text.startswith(":")):
            raise ParseError("InvalidUrl", f"malformed IPv6 host {hostport!r}")
        port_text = port_text[1:]
    else:
        raw_host, _, port_text = hostport.partition(":")
    host = _whatwg_host(raw_host)
    if not re.fullmatch(r"[0-9]*", port_text) or (port_text and int(port_text) > 0xFFFF):
        raise ParseError("InvalidUrl", f"invalid port {port_text!r}")
    port = int(port_text) if port_text else None
    return host, None if port == _DEFAULT_PORTS[scheme] else port


def _whatwg_host(raw: str) -> str:
    if raw.startswith("["):
        inner = raw[1:-1]
        try:
            if "%" in inner:
                raise ValueError("zone ids are not allowed")
            address = ipaddress.IPv6Address(inner)
        except ValueError:
            raise ParseError("InvalidUrl", f"invalid IPv6 address {inner!r}") from None
        return "[" + _ipv6_text(address.packed) + "]"
    try:
        host = percent_decode(raw).decode("ascii").lower()
    except (ParseError, UnicodeDecodeError):
        raise ParseError("InvalidUrl", f"host {raw!r} is not an ASCII domain") from None
    if not host or any(ch in _FORBIDDEN_HOST for ch in host):
        raise ParseError("InvalidUrl", f"invalid host {raw!r}")
    labels = host.split(".")
    last = labels[-2] if labels[-1] == "" and len(labels) > 1 else labels[-1]
    if re.fullmatch(r"[0-9]+|0[xX][0-9a-fA-F]*", last):
        return _ipv4_text(host)
    return host


def _ipv4_text(host: str) -> str:
    """WHATWG IPv4 parsing (decimal, ``0x`` hex and leading-zero octal parts, 1 to 4 of them)."""
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    numbers: list[int] = []
    for part in parts:
        if re.fullmatch(r"0[xX][0-9a-fA-F]*", part):
            numbers.append(int(part[2:] or "0", 16))
        elif re.fullmatch(r"0[0-7]+", part):
            numbers.append(int(part, 8))
        elif re.fullmatch(r"[0-9]+", part):
            numbers.append(int(part))
        else:
            raise ParseError("InvalidUrl", f"invalid IPv4 host {host!r}")
    if len(numbers) > 4 or any(n > 255 for n in numbers[:-1]):
        raise ParseError("InvalidUrl", f"invalid IPv4 host {host!r}")
    if numbers[-1] >= 256 ** (5 - len(numbers)):
        raise ParseError("InvalidUrl", f"invalid IPv4 host {host!r}")
    value = numbers[-1] + sum(n << (8 * (3 - i)) for i, n in enumerate(numbers[:-1]))
    return ".".join(str((value >> shift) & 0xFF) for shift in (24, 16, 8, 0))


def _ipv6_text(packed: bytes) -> str:
    """WHATWG IPv6 serialization: lower-case hex, the first longest run of 2+ zeros as ``::``."""
    pieces = [int.from_bytes(packed[i : i + 2], "big") for i in range(0, 16, 2)]
    best_start, best_len, i = -1, 1, 0
    while i < 8:
        j = i
        while j < 8 and pieces[j] == 0:
            j += 1
        if j - i > best_len:
            best_start, best_len = i, j - i
        i = j + 1 if j == i else j
    if best_start < 0:
        return ":".join(f"{p:x}" for p in pieces)
    head = ":".join(f"{p:x}" for p in pieces[:best_start])
    tail = ":".join(f"{p:x}" for p in pieces[best_start + best_len :])
    return f"{head}::{tail}"


def _normalize_path(raw: str) -> str:
    """Split on ``/`` and ``\\``, percent-encode, and resolve ``.`` and ``..`` segments."""
    if not raw:
        return "/"
    parts = re.split(r"[/\\]", raw)[1:]
    segments: list[str] = []
    for index, part in enumerate(parts):
        is_last = index == len(parts) - 1
        encoded = _encode_set(part, _PATH_SET)
        dots = encoded.lower().replace("%2e", ".")
        if dots == "..":
            if segments:
                segments.pop()
            if is_last:
                segments.append("")
        elif dots == ".":
            if is_last:
                segments.append("")
        else:
            segments.append(encoded)
    return "/" + "/".join(segments)
