"""The ``bhttp`` family: the Binary HTTP messages rust-payjoin writes and reads, byte for byte.

Request cases run through ``bhttp.request.encode``/``decode``. Responses, and the derivation of
the control data from a target URL, have no protocol op: those groups are reference-only (no
``op``), kept so that a reader of the corpus sees every BHTTP byte rust-payjoin puts on the wire.

Text fields (method, scheme, authority, path, field names and values) are UTF-8 strings in the
arguments; ``body`` is hex. Decoding reads one message from the front of the input and ignores
what follows (BIP 77 pads requests with random bytes).
"""

from __future__ import annotations

from pjconf.harness.vectorgen import CaseIds, Json, case, envelope, error_json, error_of
from pjconf.harness.vectorgen.fixtures import (
    BIP78_PROPOSAL_PSBT,
    SERIALIZED_BODY_V2,
    named_key,
)
from pjconf.reference.bip77 import bhttp, messages
from pjconf.reference.bip77.bhttp import BhttpRequest, BhttpResponse, InformationalResponse
from pjconf.reference.entropy import SeededRandom
from pjconf.reference.errors import ParseError

FAMILY = "bhttp"
PATH = "crypto/bhttp.json"

PADDED_BHTTP_REQ_BYTES = 8104
PADDED_BHTTP_RES_BYTES = 8144

DIRECTORY = "https://payjo.in"
RECEIVER_MAILBOX = "TYJLPCFLQVTQQ"
"""ShortId of the receiver test key (bip77-derived-vectors.json ``receiver_mailbox``)."""

# RFC 9292 §5 examples (values re-expressed from the RFC's figures).
RFC9292_FIG8 = (
    "0003474554056874747073000a2f68656c6c6f2e747874406c0a757365722d6167656e74346375726c2f372e31"
    "362e33206c69626375726c2f372e31362e33204f70656e53534c2f302e392e376c207a6c69622f312e322e3304"
    "686f73740f7777772e6578616d706c652e636f6d0f6163636570742d6c616e677561676506656e2c206d690000"
)
RFC9292_FIG9 = (
    "0203474554056874747073000a2f68656c6c6f2e7478740a757365722d6167656e74346375726c2f372e31362e"
    "33206c69626375726c2f372e31362e33204f70656e53534c2f302e392e376c207a6c69622f312e322e3304686f"
    "73740f7777772e6578616d706c652e636f6d0f6163636570742d6c616e677561676506656e2c206d6900000000"
    "000000000000000000"
)
RFC9292_FIG11 = (
    "0340660772756e6e696e670a22736c65657020313522004067046c696e6b233c2f7374796c652e6373733e3b20"
    "72656c3d7072656c6f61643b2061733d7374796c65046c696e6b243c2f7363726970742e6a733e3b2072656c3d"
    "7072656c6f61643b2061733d7363726970740040c804646174651d4d6f6e2c203237204a756c20323030392031"
    "323a32383a353320474d5406736572766572064170616368650d6c6173742d6d6f6469666965641d5765642c20"
    "3232204a756c20323030392031393a31353a353620474d5404657461671422333461613338372d642d31353638"
    "6562303022" + "0d6163636570742d72616e6765730562797465730e636f6e74656e742d6c656e677468023531"
    "04766172790f4163636570742d456e636f64696e670c636f6e74656e742d747970650a746578742f706c61696e"
    "003348656c6c6f20576f726c6421204d7920636f6e74656e7420696e636c75646573206120747261696c696e67"
    "2043524c462e0d0a0000"
)
RFC9292_FIG13 = (
    "0140c8001d5468697320636f6e74656e7420636f6e7461696e732043524c462e0d0a0d07747261696c65720474"
    "657874"
)
# RFC 9458 Appendix A: the request with its empty trailing sections left out.
RFC9458_REQUEST = "00034745540568747470730b6578616d706c652e636f6d012f"

NOTES: dict[str, Json] = {
    "Bip77": {
        "description": "A message rust-payjoin 1.0 sends or receives through a BIP 77 directory.",
        "effect": "Interoperability with rust-payjoin and payjoin-mailroom breaks.",
    },
    "DerivedVector": {
        "description": "Equals the bhttp value of shared/spec/bip77-derived-vectors.json.",
        "effect": "Disagreement with an independent derivation of the same message.",
    },
    "Rfc9292Example": {
        "description": "A worked example of RFC 9292 section 5.",
        "effect": "The implementation does not follow RFC 9292.",
    },
    "Rfc9458Example": {
        "description": "The BHTTP message of RFC 9458 Appendix A.",
        "effect": "The implementation does not follow RFC 9292 as RFC 9458 uses it.",
    },
    "ExplicitSections": {
        "description": "Empty header section, content and trailer section are written explicitly.",
        "effect": "Padding after a shorter message would be read as section lengths.",
    },
    "TruncatedSections": {
        "description": "The message stops at a section boundary (RFC 9292 section 3.8).",
        "effect": "bhttp 0.6.1 reads the missing sections as empty; refusing it is a difference.",
    },
    "ZeroPadding": {
        "description": "Zero bytes follow the message up to the BIP 77 padded size.",
        "effect": "The reader must stop after the message.",
    },
    "RandomPadding": {
        "description": "Random bytes follow the message, as rust-payjoin pads (BIP 77).",
        "effect": "A reader that checks padding is zero refuses every rust-payjoin request.",
    },
    "PaddingReadAsLength": {
        "description": "A message without explicit trailing sections, followed by random padding.",
        "effect": "The padding is read as a section length: why writers must be explicit.",
    },
    "IndeterminateLength": {
        "description": "Indeterminate-length framing (indicator 2 or 3), which bhttp also reads.",
        "effect": "rust-payjoin's directory accepts it; refusing it is a difference.",
    },
    "NonMinimalVarint": {
        "description": "A length or indicator written in more bytes than needed.",
        "effect": "bhttp 0.6.1 accepts non-minimal varints; refusing them is a difference.",
    },
    "VarintBoundary": {
        "description": "A length at the edge of a varint size class (63/64, 16383/16384 bytes).",
        "effect": "An off-by-one in varint encoding.",
    },
    "CookieMerge": {
        "description": "Repeated cookie fields in one section.",
        "effect": "bhttp 0.6.1 joins them into one field with '; '.",
    },
    "Trailers": {
        "description": "A non-empty trailer section.",
        "effect": "The trailer is lost or misplaced.",
    },
    "Informational": {
        "description": "1xx interim responses before the final one.",
        "effect": "Interim responses are taken as final.",
    },
    "Truncated": {
        "description": "The input ends inside a field, a length or the control data.",
        "effect": "Must be refused with ParseError (Truncated), never read past the end.",
    },
    "FramingIndicator": {
        "description": "A framing indicator of the wrong message kind or out of range.",
        "effect": "Must be refused with ParseError; the reason InvalidFramingIndicator is pinned "
        "only where bhttp 0.6.1 can report it (an undefined indicator).",
    },
    "InvalidStatus": {
        "description": "A status code outside 100-599 (or a 1xx final status when writing).",
        "effect": "Must be refused with ParseError (InvalidStatus).",
    },
    "EmptyFieldName": {
        "description": "A zero-length field name in a known-length section.",
        "effect": "bhttp 0.6.1 reads it as Truncated (the end of the section came too early).",
    },
    "EmptyFieldNameWritten": {
        "description": "Writing a field with a zero-length name: bhttp 0.6.1 writes it (a 0 "
        "length, then the value); the reference refuses with ParseError (EmptyFieldName).",
        "effect": "Either is acceptable; what bhttp writes, its own reader refuses as Truncated, "
        "so a writer that refuses loses nothing.",
    },
    "MalformedPort": {
        "description": "A target URL whose port is above 65535 (WHATWG URL fails on it).",
        "effect": "Must be refused (ParseError); payjoin 1.0 sent ':99999/X' as the path.",
    },
    "TargetUrl": {
        "description": "Control data derived from a URL by rust-payjoin's own Url type.",
        "effect": "The authority or path differs from what rust-payjoin sends.",
    },
    "UrlQuirk": {
        "description": "A rust-payjoin Url behaviour that differs from WHATWG URL parsing.",
        "effect": "A different URL parser produces other bytes for the same target.",
    },
}

SOURCES: list[Json] = [
    {
        "name": "RFC 9292 Binary Representation of HTTP Messages, section 5 examples",
        "url": "https://www.rfc-editor.org/rfc/rfc9292",
        "revision": "RFC 9292 (August 2022)",
        "note": "Figures 8, 9, 11 and 13 re-expressed as hex; only the bytes are kept.",
    },
    {
        "name": "RFC 9458 Oblivious HTTP, Appendix A",
        "url": "https://www.rfc-editor.org/rfc/rfc9458",
        "revision": "RFC 9458 (January 2024)",
        "note": "The example's BHTTP request and response.",
    },
    {
        "name": "bhttp 0.6.1 (martinthomson/ohttp, bhttp/src)",
        "url": "https://github.com/martinthomson/ohttp",
        "revision": "v0.6.1",
        "note": "Reader and writer behaviour (varints, truncation, cookies) re-derived here.",
    },
    {
        "name": "pjconf shared research: bip77-derived-vectors.json",
        "url": "shared/spec/bip77-derived-vectors.json",
        "revision": "2026-11-28",
        "note": "The receiver poll GET, sender POST and the 202/200 responses agree byte for byte.",
    },
]


def _fields_json(fields: bhttp.Fields) -> list[list[str]]:
    return [[n.decode(), v.decode()] for n, v in fields]


def response_args(response: BhttpResponse) -> Json:
    """The response in the same shape as request arguments (status as an integer)."""
    out: Json = {
        "status": response.status,
        "headers": _fields_json(response.headers),
        "body": response.body.hex(),
    }
    if response.trailers:
        out["trailers"] = _fields_json(response.trailers)
    if response.informational:
        out["informational"] = [
            {"status": i.status, "headers": _fields_json(i.headers)} for i in response.informational
        ]
    return out


def message_a() -> bytes:
    """Message A of the BIP 78 Original PSBT, as bip77-derived-vectors.json derives it."""
    return messages.seal_message_a(
        SERIALIZED_BODY_V2,
        named_key("receiver").public_compressed,
        named_key("reply").public_compressed,
        sk_e=named_key("ephemeral A").secret,
    )


def message_b() -> bytes:
    """Message B of the BIP 78 Payjoin proposal, as bip77-derived-vectors.json derives it."""
    return messages.seal_message_b(
        BIP78_PROPOSAL_PSBT,
        named_key("receiver"),
        named_key("reply").public_compressed,
        sk_e=named_key("ephemeral B").secret,
    )


def receiver_poll() -> BhttpRequest:
    """The receiver's poll of its own mailbox."""
    return bhttp.request_for_url("GET", f"{DIRECTORY}/{RECEIVER_MAILBOX}")


def sender_post() -> BhttpRequest:
    """The sender's POST of message A, to a pj URI written in upper case (authority as written)."""
    return bhttp.request_for_url("POST", f"HTTPS://PAYJO.IN/{RECEIVER_MAILBOX}", message_a())


def _pad(data: bytes, size: int, fill: bytes | None = None) -> bytes:
    return data + (fill if fill is not None else bytes(size - len(data)))


def _encode_group(ids: CaseIds) -> Json:
    cases: list[tuple[str, list[str], BhttpRequest]] = [
        ("receiver poll GET of its mailbox", ["Bip77", "DerivedVector"], receiver_poll()),
        (
            "sender POST of message A, authority as written in an upper-case pj URI",
            ["Bip77", "DerivedVector"],
            sender_post(),
        ),
        (
            "RFC 9458 Appendix A request, written with its empty sections explicit",
            ["Rfc9458Example", "ExplicitSections"],
            bhttp.decode_request(bytes.fromhex(RFC9458_REQUEST)),
        ),
        (
            "RFC 9292 Figure 8: header fields, empty authority",
            ["Rfc9292Example"],
            bhttp.decode_request(bytes.fromhex(RFC9292_FIG8)),
        ),
        (
            "a 63-byte body keeps a 1-byte length",
            ["VarintBoundary"],
            BhttpRequest.build("PUT", "https", "payjo.in", "/X", body=b"\x3f" * 63),
        ),
        (
            "a 64-byte body needs a 2-byte length",
            ["VarintBoundary"],
            BhttpRequest.build("PUT", "https", "payjo.in", "/X", body=b"\x40" * 64),
        ),
        (
            "a 16384-byte body needs a 4-byte length",
            ["VarintBoundary"],
            BhttpRequest.build("PUT", "https", "payjo.in", "/X", body=b"\x01" * 16384),
        ),
    ]
    tests = [
        case(
            ids,
            comment,
            flags,
            op="bhttp.request.encode",
            args=bhttp.request_args(request),
            expected={"bhttp": bhttp.encode_request(request).hex()},
        )
        for comment, flags, request in cases
    ]
    empty_name = BhttpRequest.build("GET", "https", "payjo.in", "/", headers=[("", "x")])
    refused = error_of(bhttp.encode_request, empty_name)
    # Acceptable either way: bhttp 0.6.1 writes it, the reference refuses (EmptyFieldName). A
    # refusal must be a ParseError; its reason is not pinned, since payjoin 1.0 never refuses.
    tests.append(
        {
            **case(
                ids,
                f"a header field with an empty name: bhttp 0.6.1 writes it, the reference "
                f"refuses it ({refused['reason']})",
                ["EmptyFieldName", "EmptyFieldNameWritten"],
                op="bhttp.request.encode",
                args=bhttp.request_args(empty_name),
                error={"kind": refused["kind"]},
            ),
            "result": "acceptable",
        }
    )
    return {"type": "BhttpRequestEncode", "tests": tests}


def _valid_decodes() -> list[tuple[str, list[str], bytes]]:
    poll = bhttp.encode_request(receiver_poll())
    post = bhttp.encode_request(sender_post())
    rng = SeededRandom("pjconf/bhttp/padding")
    fig8 = bytes.fromhex(RFC9292_FIG8)
    cookies = bhttp.encode_request(
        BhttpRequest.build(
            "GET",
            "https",
            "payjo.in",
            "/",
            headers=[("cookie", "a=1"), ("accept", "*/*"), ("cookie", "b=2")],
        )
    )
    trailer = bhttp.encode_request(
        BhttpRequest.build("POST", "https", "payjo.in", "/X", body=b"hi", trailers=[("t", "v")])
    )
    return [
        ("receiver poll GET", ["Bip77", "DerivedVector"], poll),
        (
            "receiver poll GET zero-padded to 8104 bytes",
            ["Bip77", "ZeroPadding"],
            _pad(poll, PADDED_BHTTP_REQ_BYTES),
        ),
        (
            "receiver poll GET padded to 8104 bytes with random bytes, as rust-payjoin sends it",
            ["Bip77", "RandomPadding"],
            _pad(poll, 0, rng.random_bytes(PADDED_BHTTP_REQ_BYTES - len(poll))),
        ),
        (
            "sender POST of message A padded to 8104 bytes with random bytes",
            ["Bip77", "RandomPadding"],
            _pad(post, 0, rng.random_bytes(PADDED_BHTTP_REQ_BYTES - len(post))),
        ),
        (
            "RFC 9458 Appendix A request, which stops after the path",
            ["Rfc9458Example", "TruncatedSections"],
            bytes.fromhex(RFC9458_REQUEST),
        ),
        ("RFC 9292 Figure 8", ["Rfc9292Example"], fig8),
        (
            "RFC 9292 Figure 8 without its empty trailer section",
            ["Rfc9292Example", "TruncatedSections"],
            fig8[:-1],
        ),
        (
            "RFC 9292 Figure 9: indeterminate length, then 10 bytes of zero padding",
            ["Rfc9292Example", "IndeterminateLength", "ZeroPadding"],
            bytes.fromhex(RFC9292_FIG9),
        ),
        (
            "framing indicator and method length written in 2 bytes, path length in 8",
            ["NonMinimalVarint"],
            bytes.fromhex("4000" + "4003474554" + "056874747073" + "087061796a6f2e696e")
            + bytes.fromhex("c000000000000001")
            + b"/"
            + bytes.fromhex("000000"),
        ),
        ("two cookie fields are joined", ["CookieMerge"], cookies),
        ("a request with a trailer field", ["Trailers"], trailer),
    ]


REASON_NOT_PINNED: dict[str, str] = {
    "a response framing indicator": "bhttp 0.6.1 reads a message of either kind, so it reads "
    "a response here and fails on its status (InvalidStatus), not on the framing indicator",
}
"""Invalid decode cases whose reference reason payjoin 1.0 (through bhttp 0.6.1) cannot report:
the case keeps ``error.kind`` and names the reference's reason in its comment instead."""


def _invalid_decodes() -> list[tuple[str, list[str], bytes]]:
    poll = bhttp.encode_request(receiver_poll())
    fig8 = bytes.fromhex(RFC9292_FIG8)
    head = bytes.fromhex("0003474554056874747073087061796a6f2e696e012f")  # GET https payjo.in /
    return [
        ("empty input", ["Truncated"], b""),
        ("a response framing indicator", ["FramingIndicator"], b"\x01" + poll[1:]),
        ("framing indicator 4 is not defined", ["FramingIndicator"], b"\x04" + poll[1:]),
        ("the framing indicator's second byte is missing", ["Truncated"], b"\x40"),
        ("the input ends inside the method", ["Truncated"], poll[:3]),
        ("the input ends after the authority", ["Truncated"], fig8[:8]),
        ("the header section claims more bytes than remain", ["Truncated"], fig8[:40]),
        (
            "the content claims more bytes than remain",
            ["Truncated"],
            head + bytes.fromhex("00" + "4100") + b"x" * 100,
        ),
        (
            "a zero-length field name inside a known-length header section",
            ["EmptyFieldName"],
            head + bytes.fromhex("02" + "0000" + "0000"),
        ),
        (
            "a field name without its value at the end of the header section",
            ["Truncated"],
            head + bytes.fromhex("02" + "0161" + "0000"),
        ),
        (
            "an indeterminate-length header section without its terminator",
            ["IndeterminateLength", "Truncated"],
            b"\x02" + head[1:] + bytes.fromhex("01610162"),
        ),
        (
            "no explicit trailing sections, then random padding starting 0xff: read as a length",
            ["PaddingReadAsLength", "Truncated"],
            head
            + bytes.fromhex("ff")
            + SeededRandom("pjconf/bhttp/read-as-length").random_bytes(63),
        ),
    ]


def _decode_group(ids: CaseIds) -> Json:
    tests = [
        case(
            ids,
            comment,
            flags,
            op="bhttp.request.decode",
            args={"bhttp": data.hex()},
            expected=bhttp.request_args(bhttp.decode_request(data)),
        )
        for comment, flags, data in _valid_decodes()
    ]
    for row_comment, flags, data in _invalid_decodes():
        error = error_of(bhttp.decode_request, data)
        comment = row_comment
        if row_comment in REASON_NOT_PINNED:
            why = REASON_NOT_PINNED[row_comment]
            comment += f"; reason {error.pop('reason')} not pinned: {why}"
        tests.append(
            case(
                ids,
                comment,
                flags,
                op="bhttp.request.decode",
                args={"bhttp": data.hex()},
                error=error,
            )
        )
    return {"type": "BhttpRequestDecode", "tests": tests}


def _responses() -> list[tuple[str, list[str], BhttpResponse]]:
    fig13 = bhttp.decode_response(bytes.fromhex(RFC9292_FIG13))
    return [
        ("202 Accepted: the mailbox is empty", ["Bip77", "DerivedVector"], BhttpResponse(202)),
        (
            "200 OK without content: a POST or PUT was stored",
            ["Bip77", "DerivedVector"],
            BhttpResponse(200),
        ),
        (
            "200 OK carrying message B (7168-byte body)",
            ["Bip77", "DerivedVector"],
            BhttpResponse(200, body=message_b()),
        ),
        ("RFC 9292 Figure 13: content and a trailer field", ["Rfc9292Example", "Trailers"], fig13),
        (
            "an interim 103 response before the final 200",
            ["Informational"],
            BhttpResponse(200, informational=(InformationalResponse(103, ((b"link", b"</x>"),)),)),
        ),
    ]


def _response_encode_group(ids: CaseIds) -> Json:
    tests = [
        case(
            ids,
            comment,
            flags,
            args=response_args(response),
            expected={"bhttp": bhttp.encode_response(response).hex()},
        )
        for comment, flags, response in _responses()
    ]
    for comment, status in (("final status 101", 101), ("status 600", 600)):
        try:
            bhttp.encode_response(BhttpResponse(status))
        except ParseError as exc:
            tests.append(
                case(
                    ids, comment, ["InvalidStatus"], args={"status": status}, error=error_json(exc)
                )
            )
    return {"type": "BhttpResponseEncode", "tests": tests}


def _response_decode_group(ids: CaseIds) -> Json:
    b_message = bhttp.encode_response(BhttpResponse(200, body=message_b()))
    valid: list[tuple[str, list[str], bytes]] = [
        ("202 Accepted", ["Bip77"], bytes.fromhex("0140ca000000")),
        (
            "200 OK with message B, zero-padded to 8144 bytes as payjoin-mailroom sends it",
            ["Bip77", "ZeroPadding"],
            _pad(b_message, PADDED_BHTTP_RES_BYTES),
        ),
        (
            "RFC 9458 Appendix A response, which stops after the status",
            ["Rfc9458Example", "TruncatedSections"],
            bytes.fromhex("0140c8"),
        ),
        ("RFC 9292 Figure 13", ["Rfc9292Example", "Trailers"], bytes.fromhex(RFC9292_FIG13)),
        (
            "RFC 9292 Figure 11: indeterminate length with interim 102 and 103",
            ["Rfc9292Example", "IndeterminateLength", "Informational"],
            bytes.fromhex(RFC9292_FIG11),
        ),
    ]
    invalid: list[tuple[str, list[str], bytes]] = [
        ("empty input", ["Truncated"], b""),
        ("a request framing indicator", ["FramingIndicator"], bytes.fromhex("0040c8000000")),
        ("status 99", ["InvalidStatus"], bytes.fromhex("014063000000")),
        ("status 600", ["InvalidStatus"], bytes.fromhex("014258000000")),
        ("status 2^62 - 1", ["InvalidStatus"], bytes.fromhex("01ffffffffffffffff000000")),
        (
            "an interim 103 and nothing after it",
            ["Informational", "Truncated"],
            bytes.fromhex("01406700"),
        ),
        ("the status code is cut after one byte", ["Truncated"], bytes.fromhex("0140")),
    ]
    tests = [
        case(
            ids,
            comment,
            flags,
            args={"bhttp": data.hex()},
            expected=response_args(bhttp.decode_response(data)),
        )
        for comment, flags, data in valid
    ]
    tests += [
        case(
            ids,
            comment,
            flags,
            args={"bhttp": data.hex()},
            error=error_of(bhttp.decode_response, data),
        )
        for comment, flags, data in invalid
    ]
    return {"type": "BhttpResponseDecode", "tests": tests}


_URLS: list[tuple[str, list[str], str, str]] = [
    ("the receiver's mailbox", ["Bip77"], "GET", f"{DIRECTORY}/{RECEIVER_MAILBOX}"),
    ("host case kept as written", ["UrlQuirk"], "POST", "HTTPS://PAYJO.IN/TYJLPCFLQVTQQ"),
    ("an explicit default port is kept", ["UrlQuirk"], "GET", "https://payjo.in:443/X"),
    ("leading zeros of a port are dropped", ["UrlQuirk"], "GET", "http://localhost:08080/X"),
    ("query and fragment are not sent", [], "GET", "https://payjo.in/X?v=2#frag"),
    ("an empty path becomes /", [], "GET", "https://payjo.in"),
    ("IPv4 literal re-rendered", ["UrlQuirk"], "GET", "http://127.000.000.001:3000/X"),
    ("IPv6 literal re-rendered uncompressed", ["UrlQuirk"], "GET", "http://[::1]:8080/X"),
    (
        "a port above 65535 is refused (payjoin 1.0 put it in the path)",
        ["MalformedPort"],
        "GET",
        "http://h:99999/X",
    ),
    ("no scheme", [], "GET", "payjo.in/X"),
    ("one slash after the scheme", [], "GET", "https:/payjo.in/X"),
    ("an empty host", [], "GET", "https:///X"),
    ("an underscore in the host", [], "GET", "https://pay_jo.in/X"),
]


def _url_group(ids: CaseIds) -> Json:
    tests: list[Json] = []
    for comment, flags, method, url in _URLS:
        args = {"method": method, "url": url}
        try:
            request = bhttp.request_for_url(method, url)
        except ParseError as exc:
            tests.append(
                case(ids, comment, ["TargetUrl", *flags], args=args, error=error_json(exc))
            )
            continue
        expected = {
            "scheme": request.scheme.decode(),
            "authority": request.authority.decode(),
            "path": request.path.decode(),
            "bhttp": bhttp.encode_request(request).hex(),
        }
        tests.append(case(ids, comment, ["TargetUrl", *flags], args=args, expected=expected))
    return {"type": "BhttpTargetUrl", "tests": tests}


def generate() -> Json:
    ids = CaseIds()
    groups = [
        _encode_group(ids),
        _decode_group(ids),
        _response_encode_group(ids),
        _response_decode_group(ids),
        _url_group(ids),
    ]
    return envelope(FAMILY, module=__name__, sources=SOURCES, notes=NOTES, groups=groups)
