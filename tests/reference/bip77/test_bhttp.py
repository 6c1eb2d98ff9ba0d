"""Binary HTTP: RFC 9292's examples, the BIP 77 messages, the corpus, and robustness."""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from helpers import pinned
from hypothesis import given, settings
from hypothesis import strategies as st

from pjconf.harness.vectorgen import bhttp as gen
from pjconf.reference.bip77 import bhttp
from pjconf.reference.bip77.bhttp import BhttpRequest, BhttpResponse, InformationalResponse
from pjconf.reference.errors import InvalidArgument, ParseError

FIG8 = bytes.fromhex(gen.RFC9292_FIG8)
FIG9 = bytes.fromhex(gen.RFC9292_FIG9)
FIG11 = bytes.fromhex(gen.RFC9292_FIG11)
FIG13 = bytes.fromhex(gen.RFC9292_FIG13)


# -- published and derived values ---------------------------------------------------------------


def test_rfc9292_figure8_round_trips_byte_for_byte() -> None:
    request = bhttp.decode_request(FIG8)
    assert (request.method, request.scheme, request.authority, request.path) == (
        b"GET",
        b"https",
        b"",
        b"/hello.txt",
    )
    assert [name for name, _ in request.headers] == [b"user-agent", b"host", b"accept-language"]
    assert bhttp.encode_request(request) == FIG8


def test_rfc9292_figure9_is_figure8_in_indeterminate_length() -> None:
    request, used = bhttp.read_request(FIG9)
    assert request == bhttp.decode_request(FIG8)
    assert len(FIG9) - used == 10  # the figure's zero padding is left unread


def test_rfc9292_figure11_interim_responses() -> None:
    response = bhttp.decode_response(FIG11)
    assert [i.status for i in response.informational] == [102, 103]
    assert response.status == 200
    assert response.body == b"Hello World! My content includes a trailing CRLF.\r\n"


def test_rfc9292_figure13_round_trips_with_its_trailer() -> None:
    response = bhttp.decode_response(FIG13)
    assert response.trailers == ((b"trailer", b"text"),)
    assert bhttp.encode_response(response) == FIG13


def test_rfc9458_minimal_messages_are_read_with_missing_sections() -> None:
    request = bhttp.decode_request(bytes.fromhex(gen.RFC9458_REQUEST))
    assert request == BhttpRequest.build("GET", "https", "example.com", "/")
    assert bhttp.encode_request(request).hex() == gen.RFC9458_REQUEST + "000000"
    assert bhttp.decode_response(bytes.fromhex("0140c8")) == BhttpResponse(200)


def test_derived_bip77_messages(derived: dict[str, Any]) -> None:
    values = derived["bhttp"]
    assert bhttp.encode_request(gen.receiver_poll()).hex() == values["receiver_poll_GET_hex"]
    post = bhttp.encode_request(gen.sender_post())
    assert post.hex().startswith(values["sender_POST_prefix_hex"])
    assert post.hex().endswith(values["sender_POST_suffix_hex"])
    assert len(post) == values["sender_POST_len"]
    assert post[len(post) - 7169 : -1] == bytes.fromhex(derived["message_a"]["hex"])
    assert bhttp.encode_response(BhttpResponse(202)).hex() == values["response_202_hex"]
    assert bhttp.encode_response(BhttpResponse(200)).hex() == values["response_200_empty_hex"]
    with_b = bhttp.encode_response(BhttpResponse(200, body=gen.message_b()))
    assert with_b.hex().startswith(values["response_200_prefix_hex"])
    assert len(with_b) == values["response_200_len"]


# -- varints -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (0, "00"),
        (63, "3f"),
        (64, "4040"),
        (16383, "7fff"),
        (16384, "80004000"),
        (2**30 - 1, "bfffffff"),
        (2**30, "c000000040000000"),
        (2**62 - 1, "ffffffffffffffff"),
    ],
)
def test_varints_are_minimal(value: int, encoded: str) -> None:
    assert bhttp.encode_varint(value).hex() == encoded


@pytest.mark.parametrize("value", [-1, 2**62])
def test_varint_out_of_range(value: int) -> None:
    with pytest.raises(ParseError) as info:
        bhttp.encode_varint(value)
    assert info.value.reason == "InvalidVarint"


def test_non_minimal_varints_are_read() -> None:
    # The framing indicator 0 in two bytes, as RFC 9000's 0x4025 example allows.
    assert bhttp.decode_request(bytes.fromhex("4000") + FIG8[1:]) == bhttp.decode_request(FIG8)


# -- rust-payjoin's URL --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "parts"),
    [
        ("https://payjo.in/ABC", ("https", "payjo.in", "/ABC")),
        ("HTTPS://PAYJO.IN/ABC", ("https", "PAYJO.IN", "/ABC")),
        ("https://payjo.in:443/A?b=c#d", ("https", "payjo.in:443", "/A")),
        ("http://localhost:08080", ("http", "localhost:8080", "/")),
        ("http://[2001:db8::1]/", ("http", "[2001:db8:0:0:0:0:0:1]", "/")),
        ("http://+10.0.0.1/", ("http", "10.0.0.1", "/")),
        ("http://h:/x", ("http", "h", "/x")),
    ],
)
def test_target_url_like_rust_payjoin(url: str, parts: tuple[str, str, str]) -> None:
    assert bhttp.parse_target_url(url) == parts


@pytest.mark.parametrize("url", ["http://h:+1/x", "http://h:12a/x", "http://h:99999/X"])
def test_a_malformed_port_is_refused_where_payjoin_1_0_sent_it_as_path(url: str) -> None:
    """WHATWG URL fails on these ports; payjoin 1.0 sent ':…/x' as the path (1.1.0 refuses)."""
    with pytest.raises(ParseError) as info:
        bhttp.parse_target_url(url)
    assert info.value.reason == "InvalidPort"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "InvalidScheme"),
        ("://x", "InvalidScheme"),
        ("ht tp://x/", "InvalidScheme"),
        ("https", "InvalidFormat"),
        ("https:x", "InvalidFormat"),
        ("https://", "EmptyHost"),
        ("https://é.com/", "InvalidHost"),
        ("http://[::1/", "InvalidHost"),
        ("http://[1::2::3]/", "InvalidHost"),
        ("http://[1:2:3:4:5:6:7]/", "InvalidHost"),
        ("http://[12345::]/", "InvalidHost"),
    ],
)
def test_target_url_errors(url: str, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        bhttp.parse_target_url(url)
    assert info.value.reason == reason


# -- protocol arguments --------------------------------------------------------------------------


def test_request_args_round_trip() -> None:
    request = BhttpRequest.build(
        "POST", "https", "a", "/", headers=[("x", "y")], body=b"\x00", trailers=[("t", "v")]
    )
    assert bhttp.request_from_args(bhttp.request_args(request)) == request


@pytest.mark.parametrize(
    "args",
    [
        {"method": "GET"},
        {"method": 1, "scheme": "https", "authority": "", "path": "/", "body": ""},
        {"method": "GET", "scheme": "https", "authority": "", "path": "/", "body": "zz"},
        {"method": "GET", "scheme": "https", "authority": "", "path": "/", "body": " 00"},
        {"method": "GET", "scheme": "https", "authority": "", "path": "/", "body": "0A"},
        {"method": "GET", "scheme": "https", "authority": "", "path": "/", "body": 5},
        {"method": "GET", "scheme": "h", "authority": "", "path": "/", "headers": [["a"]]},
    ],
)
def test_bad_request_args(args: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument):
        bhttp.request_from_args(args)


def test_non_utf8_fields_have_no_protocol_form() -> None:
    with pytest.raises(ParseError) as info:
        bhttp.request_args(BhttpRequest(b"\xff", b"https", b"", b"/"))
    assert info.value.reason == "NotUtf8"


# -- the corpus ----------------------------------------------------------------------------------


def _fields(value: list[list[str]]) -> bhttp.Fields:
    return tuple((name.encode(), val.encode()) for name, val in value)


def _response_from_args(args: dict[str, Any]) -> BhttpResponse:
    return BhttpResponse(
        args["status"],
        _fields(args.get("headers", [])),
        bytes.fromhex(args.get("body", "")),
        _fields(args.get("trailers", [])),
        tuple(
            InformationalResponse(i["status"], _fields(i["headers"]))
            for i in args.get("informational", [])
        ),
    )


def _run(group: str, args: dict[str, Any]) -> dict[str, Any]:
    if group == "BhttpRequestEncode":
        return {"bhttp": bhttp.encode_request(bhttp.request_from_args(args)).hex()}
    if group == "BhttpRequestDecode":
        return bhttp.request_args(bhttp.decode_request(bytes.fromhex(args["bhttp"])))
    if group == "BhttpResponseEncode":
        return {"bhttp": bhttp.encode_response(_response_from_args(args)).hex()}
    if group == "BhttpResponseDecode":
        return gen.response_args(bhttp.decode_response(bytes.fromhex(args["bhttp"])))
    request = bhttp.request_for_url(args["method"], args["url"])
    return {
        "scheme": request.scheme.decode(),
        "authority": request.authority.decode(),
        "path": request.path.decode(),
        "bhttp": bhttp.encode_request(request).hex(),
    }


def _corpus_cases(corpus: Path) -> list[tuple[str, dict[str, Any]]]:
    document = json.loads((corpus / gen.PATH).read_text(encoding="utf-8"))
    return [(g["type"], pinned(case)) for g in document["testGroups"] for case in g["tests"]]


def test_every_corpus_case(corpus: Path) -> None:
    cases = _corpus_cases(corpus)
    assert len(cases) >= 50
    for group, case in cases:
        if "expected" in case:
            assert _run(group, case["args"]) == case["expected"], case["tcId"]
            continue
        with pytest.raises(ParseError) as info:
            _run(group, case["args"])
        if "reason" in case["error"]:
            assert info.value.reason == case["error"]["reason"], case["tcId"]
        else:
            # An unpinned reason is one payjoin 1.0 cannot report; the comment still names it.
            assert f"({info.value.reason})" in case["comment"] or (
                f"reason {info.value.reason} not pinned" in case["comment"]
            ), case["tcId"]


def test_unpinned_and_acceptable_cases(corpus: Path) -> None:
    """The two bhttp 0.6.1 differences: the empty field name written, indicator 1 read."""
    by_comment = {
        case["comment"].split(";")[0].split(":")[0]: case for _, case in _corpus_cases(corpus)
    }
    written = by_comment["a header field with an empty name"]
    assert written["result"] == "acceptable"
    assert written["error"] == {"kind": "ParseError"}
    assert "EmptyFieldNameWritten" in written["flags"]
    indicator = by_comment["a response framing indicator"]
    assert indicator["result"] == "invalid"
    assert indicator["error"] == {"kind": "ParseError"}
    assert set(gen.REASON_NOT_PINNED) == {"a response framing indicator"}
    # Every other invalid case pins its reason.
    for _, case in _corpus_cases(corpus):
        if case["tcId"] not in (written["tcId"], indicator["tcId"]) and "error" in case:
            assert "reason" in case["error"], case["tcId"]


def test_corpus_ops_are_the_protocol_ops(corpus: Path) -> None:
    ops = {case.get("op") for _, case in _corpus_cases(corpus)}
    assert ops == {"bhttp.request.encode", "bhttp.request.decode", None}


# -- robustness ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", [FIG8, FIG9, bytes.fromhex(gen.RFC9458_REQUEST)])
def test_every_prefix_of_a_request_is_read_or_refused(sample: bytes) -> None:
    for cut in range(len(sample)):
        try:
            request, used = bhttp.read_request(sample[:cut])
        except ParseError:
            continue
        # Only a cut at a section boundary (or inside Figure 9's padding) reads.
        assert used <= cut
        assert bhttp.read_request(sample[:used]) == (request, used)


@pytest.mark.parametrize("sample", [FIG11, FIG13])
def test_every_prefix_of_a_response_is_read_or_refused(sample: bytes) -> None:
    for cut in range(len(sample)):
        try:
            _, used = bhttp.read_response(sample[:cut])
        except ParseError:
            continue
        assert used == cut


def test_every_prefix_of_the_bip77_post_is_read_or_refused() -> None:
    post = bhttp.encode_request(gen.sender_post())
    readable = []
    for cut in range(len(post)):
        try:
            bhttp.read_request(post[:cut])
        except ParseError:
            continue
        readable.append(cut)
    # After the path (no headers), after the headers (no content), after the content (no trailer).
    assert readable == [len(post) - 7172, len(post) - 7171, len(post) - 1]


_text = st.binary(max_size=40)
_field = st.tuples(st.binary(min_size=1, max_size=20), st.binary(max_size=40))
_fields_st = st.lists(_field, max_size=4).map(tuple)


def _merged(fields: bhttp.Fields) -> bhttp.Fields:
    """What bhttp's reader makes of repeated ``cookie`` fields."""
    out: list[tuple[bytes, bytes]] = []
    cookie_at: int | None = None
    for name, value in fields:
        if name == b"cookie" and cookie_at is not None:
            out[cookie_at] = (name, out[cookie_at][1] + b"; " + value)
            continue
        if name == b"cookie":
            cookie_at = len(out)
        out.append((name, value))
    return tuple(out)


_requests = st.builds(
    BhttpRequest, _text, _text, _text, _text, _fields_st, st.binary(max_size=300), _fields_st
)
_interim = st.builds(InformationalResponse, st.integers(100, 199), _fields_st)
_responses = st.builds(
    BhttpResponse,
    st.integers(200, 599),
    _fields_st,
    st.binary(max_size=300),
    _fields_st,
    st.lists(_interim, max_size=3).map(tuple),
)


@settings(max_examples=150, deadline=None)
@given(request=_requests, padding=st.binary(max_size=64))
def test_request_round_trip_with_any_padding(request: BhttpRequest, padding: bytes) -> None:
    encoded = bhttp.encode_request(request)
    decoded, used = bhttp.read_request(encoded + padding)
    assert used == len(encoded)
    assert decoded == replace(
        request, headers=_merged(request.headers), trailers=_merged(request.trailers)
    )


@settings(max_examples=150, deadline=None)
@given(response=_responses, padding=st.binary(max_size=64))
def test_response_round_trip_with_any_padding(response: BhttpResponse, padding: bytes) -> None:
    encoded = bhttp.encode_response(response)
    decoded, used = bhttp.read_response(encoded + padding)
    assert used == len(encoded)
    assert decoded == replace(
        response,
        headers=_merged(response.headers),
        trailers=_merged(response.trailers),
        informational=tuple(replace(i, headers=_merged(i.headers)) for i in response.informational),
    )


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes_are_read_or_refused_with_parse_error(data: bytes) -> None:
    for read in (bhttp.read_request, bhttp.read_response):
        try:
            _, used = read(data)
        except ParseError:
            continue
        assert 0 < used <= len(data)


@settings(max_examples=200, deadline=None)
@given(index=st.integers(0, len(FIG8) - 1), value=st.integers(0, 255))
def test_mutated_messages_are_read_or_refused_with_parse_error(index: int, value: int) -> None:
    mutated = FIG8[:index] + bytes([value]) + FIG8[index + 1 :]
    for read in (bhttp.read_request, bhttp.read_response):
        with contextlib.suppress(ParseError):
            read(mutated)
