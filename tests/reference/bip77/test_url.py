"""rust-payjoin 1.0's own ``Url`` (payjoin/src/core/url.rs): its unit tests, and its quirks."""

from __future__ import annotations

import pytest

from pjconf.reference.bip77.url import Url, parse_url
from pjconf.reference.errors import ParseError

# -- url.rs's own tests (L551-746), re-expressed ---------------------------------------------------


def test_parse_url_with_port_and_fragment() -> None:
    url = parse_url("http://localhost:1234/PATH#FRAGMENT")
    assert url == Url("http", "localhost", 1234, "/PATH", None, "FRAGMENT")
    assert url.serialize() == "http://localhost:1234/PATH#FRAGMENT"


def test_parse_query_and_fragment() -> None:
    url = parse_url("http://example.com/path?q=1#frag")
    assert (url.path, url.query, url.fragment) == ("/path", "q=1", "frag")


def test_empty_path_is_root() -> None:
    assert parse_url("http://example.com").serialize() == "http://example.com/"


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("http://127.0.0.1:8080/path", "127.0.0.1"),
        ("http://255.255.255.255/", "255.255.255.255"),
        ("http://[2001:db8:85a3:0:0:8a2e:370:7334]/", "[2001:db8:85a3:0:0:8a2e:370:7334]"),
        ("http://[::1]:8080/path", "[0:0:0:0:0:0:0:1]"),
        ("http://[1:2:3::4:5:6]/", "[1:2:3:0:0:4:5:6]"),
        ("http://[1:2:3:4:5:6:7::]/", "[1:2:3:4:5:6:7:0]"),
    ],
)
def test_ip_hosts(text: str, host: str) -> None:
    assert parse_url(text).host == host


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("http:///path", "EmptyHost"),  # test_empty_host_rejected
        ("http://[::1/", "InvalidHost"),  # test_parse_ipv6_unclosed_bracket
        ("http://[1:2:3:4::5:6:7:8]/", "InvalidHost"),  # test_parse_ipv6_too_many_groups_rejected
        ("", "InvalidScheme"),  # parse_scheme: empty (L399)
        ("ht tp://x/", "InvalidScheme"),  # parse_scheme: ' ' (L395)
        ("https", "InvalidFormat"),  # no "://" (L194)
        ("mailto:x@y", "InvalidFormat"),
    ],
)
def test_errors(text: str, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_url(text)
    assert info.value.reason == reason


# -- quirks against a WHATWG parser ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "serialized", "port"),
    [
        ("HTTPS://PAYJO.IN:443/", "https://PAYJO.IN:443/", 443),  # L403, L438, L351
        ("https://h:0/", "https://h:0/", 0),
        ("https://h:/x", "https://h/x", None),  # empty port: the ':' is dropped (L505)
        ("https://1.2.3.4.5/", "https://1.2.3.4.5/", None),  # five parts: a domain
        ("https://01.002.3.4/", "https://1.2.3.4/", None),  # u8 parse takes leading zeros
        ("https://h/a/../b?x#y#z", "https://h/a/../b?x#y#z", None),  # no normalisation
        ("git+ssh://h/", "git+ssh://h/", None),  # any scheme
    ],
)
def test_quirks(text: str, serialized: str, port: int | None) -> None:
    url = parse_url(text)
    assert url.serialize() == serialized
    assert url.port == port


@pytest.mark.parametrize(
    "text", ["https://h:65536/x", "https://h:+1/x", "https://h:8a/", "https://u:p@h/"]
)
def test_a_malformed_port_is_invalid_port_not_path(text: str) -> None:
    """payjoin 1.0 kept these in the path (L190, L501, L509); every URL specification refuses
    that reading (WHATWG: port out of range or not digits; RFC 3986: ':65536' is the port), and
    payjoin 1.1.0 refuses them (#1896). The one deliberate difference from payjoin 1.0's Url."""
    with pytest.raises(ParseError) as info:
        parse_url(text)
    assert info.value.reason == "InvalidPort"


def test_fragment_may_hold_a_hash_and_query_stops_at_the_first() -> None:
    url = parse_url("https://h/p?a#b?c#d")
    assert (url.path, url.query, url.fragment) == ("/p", "a", "b?c#d")
