"""The payjoin URI: vectors, rust-payjoin's Display, every failure mode, round trips."""

from __future__ import annotations

import contextlib
import dataclasses
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from helpers import outcome, unpinned, uri_cases
from hypothesis import given
from hypothesis import strategies as st

from pjconf.harness.vectorgen.uri import UNDISTINGUISHED_REASONS
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.bip77.short_id import format_short_id, short_id
from pjconf.reference.bip77.uri import (
    PjParamV1,
    PjParamV2,
    PjUri,
    format_amount,
    format_pj_param,
    format_uri,
    is_expired,
    new_pj_param,
    parse_amount,
    parse_pj_param,
    parse_pj_param_v2,
    parse_uri,
    uri_to_protocol,
)
from pjconf.reference.crypto.secp256k1 import KeyPair, N
from pjconf.reference.entropy import FixedClock
from pjconf.reference.errors import ParseError

ADDRESS = "12c6DSiU4Rq3P4ZxziKxzrL5LmMBrzjrJX"
RK = "RK1Q0DJS3VVDXWQQTLQ8022QGXSX7ML9PHZ6EDSF6AKEWQG758JPS2EV"
OH = "OH1QYPM5JXYNS754Y4R45QWE336QFX6ZR8DQGVQCULVZTV20TFVEYDMFQC"
EX = "EX1C4UC6ES"
FRAGMENT = f"{EX}-{OH}-{RK}"
# rust-payjoin v2.rs test_valid_v2_url_fragment_on_bip21 shape, the §6.1 example.
RUST_URI = f"bitcoin:{ADDRESS}?amount=0.01&pjos=0&pj=HTTPS://EXAMPLE.COM/TXJCGKTKXLUUZ%23{FRAGMENT}"


def _parsed(text: str) -> dict[str, Any]:
    return uri_to_protocol(parse_uri(text))


def _want(case: dict[str, Any]) -> dict[str, Any]:
    return {k: case[k] for k in ("expected", "error") if k in case}


def _v2(fragment: str = FRAGMENT, path: str = "TXJCGKTKXLUUZ") -> str:
    return f"bitcoin:{ADDRESS}?pj=HTTPS://PAYJO.IN/{path}%23{fragment}"


# -- the committed vectors ------------------------------------------------------------------------


def test_parse_vectors(corpus: Path) -> None:
    cases = uri_cases(corpus, "UriParse")
    assert len(cases) > 60
    for case in cases:
        assert case["op"] == "uri.parse"
        got = outcome(partial(_parsed, case["args"]["uri"]))
        assert unpinned(got, case) == _want(case), case["comment"]


def test_display_vectors(corpus: Path) -> None:
    cases = uri_cases(corpus, "UriDisplay")
    assert cases
    for case in cases:
        shown = format_uri(parse_uri(case["args"]["uri"]))
        assert {"uri": shown} == case["expected"], case["comment"]
        if ".onion" in case["args"]["uri"].lower() and "HTTP://" in shown:
            # Display upper-cases the host; v1.rs checks `ends_with(".onion")` case-sensitively,
            # so payjoin 1.0 refuses the http onion URI it has just written.
            with pytest.raises(ParseError) as info:
                parse_uri(shown)
            assert info.value.reason == "UnsecureEndpoint"
            continue
        # What Rust writes, Rust reads back and writes identically.
        assert format_uri(parse_uri(shown)) == shown


def test_strict_v2_vectors(corpus: Path) -> None:
    for case in uri_cases(corpus, "PjParamV2"):

        def run(case: dict[str, Any] = case) -> dict[str, Any]:
            pj = parse_pj_param_v2(case["args"]["pj"])
            return {"mailbox": format_short_id(pj.mailbox), "endpoint": pj.endpoint}

        assert outcome(run) == _want(case), case["comment"]


def test_expiry_vectors(corpus: Path) -> None:
    cases = uri_cases(corpus, "Expiry")
    assert cases
    for case in cases:
        expired = is_expired(case["args"]["expiration"], FixedClock(case["args"]["now"]))
        assert {"expired": expired} == case["expected"], case["comment"]


def test_every_failure_reason_has_a_vector(corpus: Path) -> None:
    errors = [c for c in uri_cases(corpus, "UriParse") if "error" in c]
    pinned = {c["error"]["reason"] for c in errors if "reason" in c["error"]}
    unpinned = " ".join(c["comment"] for c in errors if "reason" not in c["error"])
    wanted = {reason for _, reason in FAILURES} - {"NotV2"}
    assert pinned >= wanted - set(UNDISTINGUISHED_REASONS)
    assert not pinned & set(UNDISTINGUISHED_REASONS)
    for reason in wanted & set(UNDISTINGUISHED_REASONS):
        assert f"reason {reason} not pinned" in unpinned


# -- published and research values ----------------------------------------------------------------


def test_rust_payjoin_uri_round_trips() -> None:
    uri = parse_uri(RUST_URI)
    assert format_uri(uri) == RUST_URI
    assert uri.amount == 1_000_000
    assert uri.output_substitution is False
    assert isinstance(uri.pj, PjParamV2)
    assert uri.pj.expiration == 1720547781
    assert uri.pj.mailbox == short_id(uri.pj.receiver_pk)
    # url.rs host_str: a Domain is returned as written; only the scheme is lower-cased.
    assert uri.pj.directory == "https://EXAMPLE.COM/"


def test_research_vectors_uri(derived: dict[str, Any]) -> None:
    receiver = KeyPair.from_secret(bytes.fromhex(derived["keys"]["receiver"]["sk"]))
    gateway = KeyPair.from_secret(bytes.fromhex(derived["ohttp_key_config"]["gateway_sk"]))
    keys = OhttpKeyConfig.bip77(1, gateway.public)
    pj = new_pj_param("https://payjo.in", receiver.public_compressed, keys, 1720547781)
    values = derived["uri"]
    assert format_pj_param(pj) == values["pj"]
    assert values["fragment"] == f"{values['EX_1720547781']}-{values['OH']}-{values['RK']}"
    assert pj.endpoint == "https://payjo.in/" + values["pj"].split("/")[-1]
    # The published pj is upper case (Display), and payjoin 1.0 keeps the host as written.
    parsed = parse_pj_param(values["pj"])
    assert parsed == dataclasses.replace(pj, directory="https://PAYJO.IN/")
    assert format_pj_param(parsed) == values["pj"]
    assert keys.encode().hex() == derived["ohttp_key_config"]["key_config_hex"]


def test_bip77_text_example() -> None:
    """BIP 77's example (pre-0.2.0: '+' and RK first) parses; Rust writes it '-' and ascending."""
    text = (
        "bitcoin:tb1q6q6de88mj8qkg0q5lupmpfexwnqjsr4d2gvx2p?amount=0.00666666&pjos=0&pj=HTTPS://"
        f"PAYJO.IN/TXJCGKTKXLUUZ%23{RK}+OH1QYPM59NK2LXXS4890SUAXXYT25Z2VAPHP0X7YEYCJXGWAG6UG9ZU6NQ"
        "+EX1WKV8CEC"
    )
    uri = parse_uri(text)
    assert isinstance(uri.pj, PjParamV2)
    assert uri.pj.expiration == 1736218741
    assert uri.pj.ohttp_keys.key_id == 1  # a 1-byte key id, whatever the BIP text says
    assert format_uri(uri) == (
        "bitcoin:tb1q6q6de88mj8qkg0q5lupmpfexwnqjsr4d2gvx2p?amount=0.00666666&pjos=0&pj=HTTPS://"
        "PAYJO.IN/TXJCGKTKXLUUZ%23EX1WKV8CEC-OH1QYPM59NK2LXXS4890SUAXXYT25Z2VAPHP0X7YEYCJXGWAG6UG9"
        f"ZU6NQ-{RK}"
    )


# -- Display --------------------------------------------------------------------------------------


def test_display_rules() -> None:
    uri = parse_uri(_v2(f"{RK}-{OH}-{EX}").replace("?", "?pjos=1&foo=bar&amount=1&", 1))
    shown = format_uri(uri)
    assert shown == f"bitcoin:{ADDRESS}?amount=1&pj=HTTPS://PAYJO.IN/TXJCGKTKXLUUZ%23{FRAGMENT}"
    assert uri.params == (("foo", "bar"),)


def test_bip78_fallback_keeps_the_endpoint() -> None:
    uri = parse_uri(f"bitcoin:{ADDRESS}?pj=HTTPS://Example.COM:443/BTC/pj%3Fx%3D1")
    # Scheme lower-cased, host case and the explicit default port kept (url.rs parse, rebuild_raw).
    assert uri.pj == PjParamV1("https://Example.COM:443/BTC/pj?x=1")
    assert uri.pj.version == 1
    assert uri_to_protocol(uri)["pj"] == {"version": 1, "endpoint": uri.pj.endpoint}
    assert format_uri(uri) == f"bitcoin:{ADDRESS}?pj=HTTPS://EXAMPLE.COM:443/BTC/pj?x%3D1"


def test_protocol_shape() -> None:
    result = uri_to_protocol(parse_uri(RUST_URI))
    assert result == {
        "address": ADDRESS,
        "amount": 1_000_000,
        "pj": {
            "version": 2,
            "directory": "https://EXAMPLE.COM/",
            "mailbox": "TXJCGKTKXLUUZ",
            "receiver_pk": "03db28458c699c002fe03bd4a020d037b7f286e2d65b04ebb6cb808f50f20c1596",
            "ohttp_keys": "01001604ba48c49c3d4a92a3ad00ecc63a024da10ced02180c73ec12d8a7ad2cc91bb483"
            "824fe2bee8d28bfe2eb2fc6453bc4d31cd851e8a6540e86c5382af588d370957000400010003",
            "expiration": 1720547781,
        },
        "output_substitution": False,
    }


# payjoin/src/core/url.rs: what Url::parse (L185-202) and rebuild_raw (L345-) make of a pj URL.
@pytest.mark.parametrize(
    ("url", "endpoint"),
    [
        # scheme lower-cased (L403), host as written (L438, L221), explicit :443 kept (L351-354)
        ("HTTPS://PAYJO.IN:443/", "https://PAYJO.IN:443/"),
        ("https://PAYJO.IN:00443/", "https://PAYJO.IN:443/"),  # the port is a u16 (L509)
        ("https://payjo.in", "https://payjo.in/"),  # an empty path is "/" (L197)
        ("https://example.com:/a", "https://example.com/a"),  # an empty port is dropped (L505)
        # only four u8 parts are IPv4 (L441-452); anything else is a domain, kept as written
        ("https://127.000.000.001:8443/", "https://127.0.0.1:8443/"),
        ("https://+1.2.3.4/", "https://1.2.3.4/"),
        ("https://0x7f.1:8443/", "https://0x7f.1:8443/"),
        ("https://1.2.3.256", "https://1.2.3.256/"),
        # IPv6 is re-rendered as eight groups, never compressed (L224-227)
        ("https://[::1]/", "https://[0:0:0:0:0:0:0:1]/"),
        # no path normalisation or percent-encoding (L514-526)
        ("https://payjo.in/a/./b/../c", "https://payjo.in/a/./b/../c"),
        ("http://abc.onion/#Frag ment", "http://abc.onion/#Frag ment"),
    ],
)
def test_pj_url_is_parsed_as_payjoin_1_0_url(url: str, endpoint: str) -> None:
    pj = parse_pj_param(url)
    assert pj == PjParamV1(endpoint)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com:x",
        f"https://PAYJO.IN:65536/TXJCGKTKXLUUZ#{FRAGMENT}",
        "https://u:p@payjo.in/%7e x",
    ],
)
def test_a_pj_url_with_a_malformed_port_is_refused(url: str) -> None:
    """payjoin 1.0 kept ':…' in the path (so ':65536/ID' read as BIP 78); no URL specification
    reads it so (vectors: uri MalformedPort), and payjoin 1.1.0 refuses it (#1896)."""
    with pytest.raises(ParseError) as info:
        parse_pj_param(url)
    assert info.value.reason == "InvalidPort"


def test_v2_directory_keeps_host_case_and_port() -> None:
    pj = parse_pj_param(f"HTTPS://PaYjO.In:443/TXJCGKTKXLUUZ#{FRAGMENT}")
    assert isinstance(pj, PjParamV2)
    assert pj.directory == "https://PaYjO.In:443/"
    # Display (mod.rs L69-76) upper-cases the host with replacen; the port stays.
    assert format_pj_param(pj) == f"HTTPS://PAYJO.IN:443/TXJCGKTKXLUUZ#{FRAGMENT}"


def test_v2_parse_does_not_check_the_scheme() -> None:
    """v2.rs PjParam::parse (L109-132) never looks at the scheme; only v1.rs (L819) does."""
    pj = parse_pj_param(f"wss://example.com/TXJCGKTKXLUUZ#{FRAGMENT}")
    assert isinstance(pj, PjParamV2)
    assert pj.directory == "wss://example.com/"
    with pytest.raises(ParseError) as info:
        parse_pj_param("wss://example.com/pj")
    assert info.value.reason == "UnsecureEndpoint"


def test_display_of_an_onion_endpoint_is_not_read_back() -> None:
    """Display upper-cases the host, and v1.rs L820's `ends_with(".onion")` is case-sensitive."""
    uri = parse_uri(f"bitcoin:{ADDRESS}?pj=http://abc.onion/pj")
    shown = format_uri(uri)
    assert shown == f"bitcoin:{ADDRESS}?pj=HTTP://ABC.ONION/pj"
    with pytest.raises(ParseError) as info:
        parse_uri(shown)
    assert info.value.reason == "UnsecureEndpoint"


def test_is_expired_is_inclusive() -> None:
    assert not is_expired(1_000_000_000, FixedClock(999_999_999))
    assert is_expired(1_000_000_000, FixedClock(1_000_000_000))


def test_new_pj_param_needs_an_origin_root() -> None:
    keys = OhttpKeyConfig.bip77(1, KeyPair.from_secret(bytes(31) + b"\x02").public)
    receiver = KeyPair.from_secret(bytes(31) + b"\x03").public_compressed
    with pytest.raises(ParseError) as info:
        new_pj_param("https://payjo.in/dir", receiver, keys, 1_800_000_000)
    assert info.value.reason == "InvalidUrl"
    pj = new_pj_param("HTTPS://PAYJO.IN:443", receiver, keys, 1_800_000_000)
    assert pj.directory == "https://PAYJO.IN:443/"
    assert pj.mailbox == short_id(receiver)


# -- every failure mode ---------------------------------------------------------------------------

FAILURES: list[tuple[str, str]] = [
    ("bitcoin", "InvalidScheme"),
    (f"btc:{ADDRESS}?pj=https://example.com", "InvalidScheme"),
    ("bitcoin:?pj=https://example.com", "InvalidAddress"),
    (f"bitcoin:{ADDRESS}0?pj=https://example.com", "InvalidAddress"),
    ("bitcoin:bc1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ?pj=https://example.com", "InvalidAddress"),
    (f"bitcoin:{ADDRESS}?pj", "MissingEquals"),
    (f"bitcoin:{ADDRESS}?pj=https://example.com&", "MissingEquals"),
    (f"bitcoin:{ADDRESS}?amount=0.1.2&pj=https://example.com", "InvalidAmount"),
    (f"bitcoin:{ADDRESS}?amount=%31&pj=https://example.com", "InvalidAmount"),
    (f"bitcoin:{ADDRESS}?message=%E&pj=https://example.com", "InvalidPercentEncoding"),
    (f"bitcoin:{ADDRESS}?req-x=1&pj=https://example.com", "UnknownRequiredParam"),
    (f"bitcoin:{ADDRESS}?pj=https://example.com&pj=https://example.com", "DuplicateParam"),
    (f"bitcoin:{ADDRESS}?pjos=0&pjos=0&pj=https://example.com", "DuplicateParam"),
    (f"bitcoin:{ADDRESS}?pjos=&pj=https://example.com", "InvalidPjos"),
    (f"bitcoin:{ADDRESS}?pjos=1", "MissingEndpoint"),
    (f"bitcoin:{ADDRESS}", "PjNotSupported"),
    (f"bitcoin:{ADDRESS}?pj=https://example.com/%C3", "NotUtf8"),
    # url.rs parse_scheme (L385-405): a character outside [A-Za-z0-9+.-] before ':'
    (f"bitcoin:{ADDRESS}?pj=%20https://example.com", "InvalidScheme"),
    (f"bitcoin:{ADDRESS}?pj=:https://example.com", "InvalidScheme"),
    # url.rs Url::parse (L188-195): no "://" after the scheme
    (f"bitcoin:{ADDRESS}?pj=example", "InvalidFormat"),
    (f"bitcoin:{ADDRESS}?pj=https:payjo.in\\a", "InvalidFormat"),
    (f"bitcoin:{ADDRESS}?pj=https:/payjo.in/", "InvalidFormat"),
    # url.rs parse_host (L407-439)
    (f"bitcoin:{ADDRESS}?pj=https:///", "EmptyHost"),
    (f"bitcoin:{ADDRESS}?pj=https://:443/", "EmptyHost"),
    (f"bitcoin:{ADDRESS}?pj=https://ex%20ample.com", "InvalidHost"),
    (f"bitcoin:{ADDRESS}?pj=https://ex\u00e4mple.com", "InvalidHost"),
    (f"bitcoin:{ADDRESS}?pj=https://pay_jo.in/", "InvalidHost"),
    (f"bitcoin:{ADDRESS}?pj=https://[::1", "InvalidHost"),
    (f"bitcoin:{ADDRESS}?pj=https://[1:2:3:4::5:6:7:8]/", "InvalidHost"),
    (f"bitcoin:{ADDRESS}?pj=https://[::g]/", "InvalidHost"),
    # v1.rs PjParam::parse (L819-825): https, or http to a domain ending ".onion" (case-sensitive)
    (f"bitcoin:{ADDRESS}?pj=http://example.com", "UnsecureEndpoint"),
    (f"bitcoin:{ADDRESS}?pj=http://onion", "UnsecureEndpoint"),
    (f"bitcoin:{ADDRESS}?pj=http://ABC.ONION/", "UnsecureEndpoint"),
    (f"bitcoin:{ADDRESS}?pj=wss://example.com/pj", "UnsecureEndpoint"),
    (_v2(FRAGMENT + "-x"), "LowercaseFragment"),
    # v2.rs L118: `char::is_lowercase`, Unicode's Lowercase property; an upper-case non-ASCII
    # letter passes that check and fails check_fragment_delimiter (L186-196) instead
    (_v2(FRAGMENT + "-%C3%A9"), "LowercaseFragment"),
    (_v2(FRAGMENT + "-%C3%89"), "InvalidFragmentChar"),
    (_v2(FRAGMENT + "-."), "InvalidFragmentChar"),
    (_v2(FRAGMENT + "%2520"), "InvalidFragmentChar"),
    (_v2(f"{EX}+{OH}-{RK}"), "AmbiguousDelimiter"),
    (f"bitcoin:{ADDRESS}?pj=HTTPS://PAYJO.IN/TXJCGKTKXLUUZ", "MissingReceiverKey"),
    (_v2(f"{EX}-{OH}-Q{RK}"), "MissingReceiverKey"),
    (_v2(f"{EX}-Q{OH}-{RK}"), "MissingOhttpKeys"),
    (_v2(f"Q{EX}-{OH}-{RK}"), "MissingExpiration"),
    (_v2(f"{EX}-{OH}-RK1B"), "InvalidBech32"),
    (_v2(f"{EX}-{OH[:3]}I{OH[4:]}-{RK}"), "InvalidBech32"),
    (_v2(f"{EX}-{OH}-RK1Q1Q"), "HrpMismatch"),
    (_v2(f"{EX}Q-{OH}-{RK}"), "IncorrectLength"),
    (_v2(f"{EX}-OH1QQ-{RK}"), "IncorrectLength"),
    (_v2(f"{EX}-{OH}-{RK[:-2]}"), "InvalidPublicKey"),
    (_v2(f"EX1QQQQQQQ-{OH}-{RK}"), "InvalidExpiration"),
]


@pytest.mark.parametrize(("text", "reason"), FAILURES)
def test_failure_modes(text: str, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_uri(text)
    assert (info.value.kind, info.value.reason) == ("ParseError", reason)


def test_not_v2_is_a_typed_error_for_the_strict_parser() -> None:
    for url in ("https://example.com/pj", "HTTPS://PAYJO.IN/TXJCGKTKXLUUZ#EX1C4UC6ES"):
        assert isinstance(parse_pj_param(url), PjParamV1)
        with pytest.raises(ParseError) as info:
            parse_pj_param_v2(url)
        assert info.value.reason == "NotV2"


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(ParseError) as info:
        parse_uri(f"bitcoin:{ADDRESS}?label=\ud800&pj=https://example.com")
    assert info.value.reason == "NotUtf8"


@pytest.mark.parametrize(
    ("text", "sats"),
    [
        ("0", 0),
        (".", 0),
        ("1.", 100_000_000),
        (".5", 50_000_000),
        ("0.00000001", 1),
        ("184467440737.09551615", 2**64 - 1),
    ],
)
def test_amounts(text: str, sats: int) -> None:
    assert parse_amount(text) == sats


@pytest.mark.parametrize(
    "text", ["", "-0", "+1", "1,5", "1e3", "0.000000001", "0.000000010", "1" * 51, "1.2.3", " 1"]
)
def test_invalid_amounts(text: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_amount(text)
    assert info.value.reason == "InvalidAmount"


# -- properties -----------------------------------------------------------------------------------

_SECRETS = st.integers(min_value=1, max_value=N - 1).map(lambda n: n.to_bytes(32, "big"))
_LABELS = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_HOSTS = (
    st.lists(_LABELS, min_size=1, max_size=3)
    .map(".".join)
    .filter(lambda h: not h.split(".")[-1].isdigit())
)
_ADDRESSES = st.sampled_from(
    [ADDRESS, "2N47mmrWXsNBvQR6k78hWJoTji57zXwNcU7", "tb1q6d3a2w975yny0asuvd9a67ner4nks58ff0q8g4"]
)


@st.composite
def _pj_uris(draw: st.DrawFn) -> PjUri:
    receiver = KeyPair.from_secret(draw(_SECRETS))
    gateway = KeyPair.from_secret(draw(_SECRETS))
    port = draw(st.one_of(st.none(), st.integers(1, 65535)))
    directory = f"https://{draw(_HOSTS)}" + ("" if port is None else f":{port}")
    keys = OhttpKeyConfig.bip77(draw(st.integers(0, 255)), gateway.public)
    expiration = draw(st.integers(500_000_000, 2**32 - 1))
    pj = new_pj_param(directory, receiver.public_compressed, keys, expiration)
    amount = draw(st.one_of(st.none(), st.integers(0, 2**64 - 1)))
    label = draw(st.one_of(st.none(), st.text(max_size=12)))
    return PjUri(draw(_ADDRESSES), amount, pj, draw(st.booleans()), label=label)


@given(uri=_pj_uris())
def test_format_parse_round_trip(uri: PjUri) -> None:
    text = format_uri(uri)
    # Display upper-cases the host and payjoin 1.0 reads it back as written: the directory
    # comes back upper case, everything else unchanged, and the text is then a fixed point.
    assert isinstance(uri.pj, PjParamV2)
    directory = "https://" + uri.pj.directory.removeprefix("https://").upper()
    assert parse_uri(text) == dataclasses.replace(
        uri, pj=dataclasses.replace(uri.pj, directory=directory)
    )
    assert format_uri(parse_uri(text)) == text
    assert "#" not in text
    assert text.rpartition("&pj=")[2].count("%23") == 1


@given(sats=st.integers(0, 2**64 - 1))
def test_amount_round_trip(sats: int) -> None:
    assert parse_amount(format_amount(sats)) == sats


@given(text=st.text(max_size=80))
def test_arbitrary_text_fails_typed(text: str) -> None:
    for candidate in (text, f"bitcoin:{ADDRESS}?{text}", f"bitcoin:{ADDRESS}?pj={text}"):
        with contextlib.suppress(ParseError):
            parse_uri(candidate)


@given(index=st.integers(0, len(RUST_URI) - 1), char=st.characters(max_codepoint=0x7F))
def test_mutated_uri_fails_typed(index: int, char: str) -> None:
    with contextlib.suppress(ParseError):
        parse_uri(RUST_URI[:index] + char + RUST_URI[index + 1 :])
