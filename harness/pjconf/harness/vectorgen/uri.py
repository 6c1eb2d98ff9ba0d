"""The ``uri`` family: the payjoin URI, its ``pj`` parameter, ShortIds and OHTTP key configs.

Published values (rust-payjoin's tests, the BIP 77 example, RFC 9458's key config) are
re-expressed here with their source named; generated URIs come from a fixed seed. Every
``uri.parse`` failure mode of the reference has one ``invalid`` case, with its ``reason``, except
that a reason payjoin 1.0 cannot tell apart from another (:data:`UNDISTINGUISHED_REASONS`) is
named in the case's comment instead of pinned in its ``error``.
Expected values and errors are what the reference computes; the ``result`` written in each
table row is checked against it, so a reference change cannot silently flip a verdict.
Groups without ``op`` are reference-only (the protocol cannot express them): the re-display of
parsed URIs, the strict v2 parser, ShortId text, the compact ``OH1`` form, bech32 without
checksum and the expiry rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from pjconf.harness.vectorgen import CaseIds, Json, envelope, error_json
from pjconf.harness.vectorgen.fixtures import named_key
from pjconf.reference.bip77 import bech32
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.bip77.short_id import format_short_id, parse_short_id, short_id
from pjconf.reference.bip77.uri import (
    PjUri,
    format_uri,
    is_expired,
    new_pj_param,
    parse_pj_param_v2,
    parse_uri,
    uri_to_protocol,
)
from pjconf.reference.bitcoin import base58, bech32m
from pjconf.reference.crypto.secp256k1 import KeyPair, uncompress
from pjconf.reference.entropy import FixedClock, SeededRandom
from pjconf.reference.errors import PjconfError

FAMILY = "uri"
PATH = "crypto/uri.json"

NOTES: dict[str, Json] = {
    "Bip78Fallback": {
        "description": "The pj URL is not a v2 mailbox URL, so it is read as a BIP 78 endpoint "
        'and reported as pj = {"version": 1, "endpoint": <url>}.',
        "effect": "An implementation that refuses it, or reads it as v2, breaks BIP 78 senders.",
    },
    "LegacyPlusDelimiter": {
        "description": "Fragment parameters separated by '+', the delimiter before BIP 77 0.2.0.",
        "effect": "Older receivers' URIs become unusable; BIP 77 keeps '+' valid until 2026.",
    },
    "UnsortedFragment": {
        "description": "Fragment parameters not in ascending order; written back as EX, OH, RK.",
        "effect": "A strict order check would refuse URIs rust-payjoin accepts.",
    },
    "BipTextSaysTwoByteKeyId": {
        "description": "BIP 77's text says the OH1 key id has 2 bytes; code and example use 1.",
        "effect": "A 2-byte reading shifts the key and fails on every real URI.",
    },
    "ShortIdAlias": {
        "description": "A non-canonical ShortId text (padding bit set, a 14th character, or a "
        "prefix up to a '1') that rust-bech32's lenient decoder maps to the same 8 bytes.",
        "effect": "Accepting (as Rust does) or refusing are both defensible; the mailbox must "
        "then be the canonical id.",
    },
    "UncompressedReceiverKey": {
        "description": "RK1 carries a 65-byte uncompressed key; libsecp256k1 parses it.",
        "effect": "Rust accepts it and writes the 33-byte form back; refusing is also sound.",
    },
    "UnknownFragmentParam": {
        "description": "A fragment piece with an unknown prefix, ignored and not written back.",
        "effect": "Refusing it would break forward compatibility.",
    },
    "DuplicateFragmentParam": {
        "description": "A fragment parameter given twice; the first piece wins.",
        "effect": "Taking the last one, or refusing, gives a different session.",
    },
    "V2OverHttp": {
        "description": "A v2 mailbox URL over plain http to a non-onion host; rust-payjoin's v2 "
        "parser does not check the scheme (its BIP 78 parser does).",
        "effect": "Accepting is harmless to secrecy (OHTTP encrypts) but leaks metadata.",
    },
    "PayjoinUrl": {
        "description": "payjoin 1.0 parses the pj URL with its own Url type, not the url crate: "
        "the host is kept as written, an explicit default port is kept, only four decimal parts "
        "make an IPv4 address, and a malformed port is not an error (it stays in the path; "
        "the reference refuses it, see MalformedPort).",
        "effect": "An implementation on a WHATWG URL parser reports another directory or "
        "endpoint, or refuses a URI payjoin 1.0 accepts.",
    },
    "MalformedPort": {
        "description": "A pj URL whose port is above 65535 or not digits.",
        "effect": "Must be refused (InvalidPort): the WHATWG URL parser fails on it, and RFC "
        "3986 reads the digits as the port. payjoin 1.0 kept it in the path, which no URL "
        "specification allows (payjoin 1.1.0 refuses it, #1896).",
    },
    "UppercaseBitcoinUri": {
        "description": "BITCOIN: scheme and an upper-case bech32 address (QR alphanumeric mode).",
        "effect": "The address is reported and written back lower-case.",
    },
    "ParamOrder": {
        "description": "BIP 21 parameters in another order; Display writes amount, label, "
        "message, pjos, pj.",
        "effect": "A byte comparison of re-displayed URIs would differ.",
    },
    "UnknownParamDropped": {
        "description": "An unknown optional BIP 21 parameter: ignored, and not written back.",
        "effect": "Refusing it breaks BIP 21 extensibility.",
    },
    "AmountLenient": {
        "description": "rust-bitcoin 0.32 amount syntax: '1.' and '.5' are accepted.",
        "effect": "A stricter parser refuses them; both are reasonable.",
    },
    "DuplicateAmount": {
        "description": "amount given twice; bitcoin_uri keeps the last one.",
        "effect": "Refusing (as BIP 21 arguably wants) is equally reasonable.",
    },
    "ReqPj": {
        "description": "req-pj, which BIP 77 allows instead of pj, is an unknown required "
        "parameter to rust-payjoin and fails the whole URI.",
        "effect": "Accepting it as pj follows the BIP text; Rust refuses.",
    },
    "UnescapedHash": {
        "description": "The '#' inside the pj value is not written %23, so it ends the BIP 21 "
        "query and the fragment is lost: a v2 path without fragment.",
        "effect": "Must be refused (missing receiver key), not silently read as BIP 78.",
    },
    "ExpiryBoundary": {
        "description": "Expiry at 500000000 (the smallest allowed) or 2^32 - 1 (the largest).",
        "effect": "An off-by-one in the lock-time threshold or a signed 32-bit reading.",
    },
    "AddressBoundary": {
        "description": "The shortest and longest addresses of each kind (a 2-byte and a 40-byte "
        "witness program, BIP 141's limits, which BIP 173 and BIP 350 keep; P2WPKH, P2WSH, P2TR; "
        "base58 with an all-zero and an all-0xff hash, the testnet P2SH being 35 characters) and "
        "one byte past each edge (a 1- or 41-byte program, a 21-byte v0 program, a 20- or "
        "22-byte base58 payload), each with a valid checksum.",
        "effect": "An address check that looks only at the characters and length accepts "
        "addresses no wallet can pay (refused: InvalidAddress), or one that caps the length "
        "refuses valid ones.",
    },
    "EmptyUriBody": {
        "description": "'bitcoin:' with nothing after it. BIP 21's grammar requires the address "
        '(bitcoinurn = "bitcoin:" bitcoinaddress [ "?" bitcoinparams ]), and a payjoin needs '
        "it for the fallback transaction.",
        "effect": "Must be refused (InvalidAddress), never read as an empty payment request.",
    },
    "AmountBoundary": {
        "description": "An amount at an edge: 0, one satoshi, exactly 21,000,000 BTC (MAX_MONEY).",
        "effect": "An off-by-one in the decimal parser or a cap one satoshi too low.",
    },
    "AmountAboveMaxMoney": {
        "description": "amount=21000000.00000001, one satoshi above MAX_MONEY. BIP 21 sets no "
        "upper bound; rust-bitcoin 0.32 (payjoin 1.0) parses any u64 of satoshis; no output can "
        "pay it (consensus MAX_MONEY).",
        "effect": "Accepting (as payjoin 1.0 does) or refusing are both conformant with BIP 21.",
    },
    "KeyConfigBoundary": {
        "description": "A key configuration cut at an edge of its layout (RFC 9458 section 3.1: "
        "key id, KEM, a 65-byte key, a 2-byte suite list length, 4 bytes per suite).",
        "effect": "An off-by-one in the slicing reads past the end or accepts a cut config.",
    },
    "Generated": {
        "description": "Random keys, key id, expiry, amount and host from a fixed seed.",
        "effect": "Exercises the encoders beyond the published values.",
    },
    "LengthPrefixedKeyConfig": {
        "description": "The key config with RFC 9458 §3.2's 2-byte length prefix, which BIP 77 "
        "directories omit; rust-payjoin reads 0x00 as key id and 0x4a01 as the KEM.",
        "effect": "Accepting it as a one-entry list is RFC-conformant; Rust refuses it.",
    },
    "UnsupportedSuiteStripped": {
        "description": "A suite bitcoin-ohttp does not support is dropped from the decoded list.",
        "effect": "Keeping it lets a client pick a suite it cannot run.",
    },
    "AesGcmSuiteKept": {
        "description": "HKDF-SHA256/AES-128-GCM is kept by bitcoin-ohttp 0.6 (later revisions "
        "drop it), though rust-payjoin clients can only run ChaCha20-Poly1305.",
        "effect": "A config listing it first breaks Rust clients; directories must not serve it.",
    },
    "NoSupportedSuite": {
        "description": "Every suite of the config is unsupported.",
        "effect": "bitcoin-ohttp 0.6 returns an empty suite list; the reference refuses.",
    },
    "HybridPublicKey": {
        "description": "A 65-byte 'hybrid' (06/07) public key, accepted by libsecp256k1.",
        "effect": "Rust re-encodes it as 04; refusing is also sound.",
    },
    "LenientBech32": {
        "description": "rust-bech32 0.11 no-checksum leniency: padding bits and leftover bits "
        "(even five or more) are ignored; the separator is the last '1'.",
        "effect": "A strict decoder refuses strings rust-payjoin accepts.",
    },
}

SOURCES: list[Json] = [
    {
        "name": "rust-payjoin tests (payjoin/src/core/uri/{mod,v1,v2}.rs, directory.rs, "
        "ohttp.rs, bech32.rs; send/v2 PJ_URI)",
        "url": "https://github.com/payjoin/rust-payjoin",
        "revision": "904d264fd2afa925044a2fcc3389af78fc847dbe",
        "note": "URI strings and bech32 values re-expressed, not copied; the comment of each case "
        "names its test.",
    },
    {
        "name": "BIP 77 example URI (pre-0.2.0 text: '+' delimiters, RK first)",
        "url": "https://github.com/bitcoin/bips/blob/master/bip-0077.md",
        "revision": "028eb0f821656008e22369e6fcfe1ce901919669",
        "note": "The example of the section 'Receiver fragment parameters'.",
    },
    {
        "name": "payjoin-ffi python unit test: the 74-byte key config of the test OH1 key",
        "url": "https://github.com/payjoin/rust-payjoin/tree/master/payjoin-ffi/python/test",
        "revision": "904d264fd2afa925044a2fcc3389af78fc847dbe",
        "note": "Same key as v2.rs test_ohttp_get_set, reconstructed from OH1.",
    },
    {
        "name": "RFC 9458 Appendix A key configuration (X25519, AES-128-GCM)",
        "url": "https://www.rfc-editor.org/rfc/rfc9458.html#appendix-A",
        "revision": "RFC 9458",
        "note": "Used only as an unsupported KEM.",
    },
    {
        "name": "pjconf shared research: bip77-derived-vectors.json",
        "url": "shared/spec/bip77-derived-vectors.json",
        "revision": "2026-11-28",
        "note": "Named keys, their ShortIds, the test OHTTP key config and its OH1/URI form.",
    },
]

# -- published values ----------------------------------------------------------------------------

ADDRESS = "12c6DSiU4Rq3P4ZxziKxzrL5LmMBrzjrJX"
"""rust-payjoin's test address (mainnet P2PKH)."""
TESTNET_ADDRESS = "tb1q6q6de88mj8qkg0q5lupmpfexwnqjsr4d2gvx2p"
ADDRESSES = (
    ADDRESS,
    "2N47mmrWXsNBvQR6k78hWJoTji57zXwNcU7",
    TESTNET_ADDRESS,
    "tb1q6d3a2w975yny0asuvd9a67ner4nks58ff0q8g4",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
)
"""Addresses from rust-payjoin and BIP 173 tests, valid with checksums as a real parser needs."""

RUST_ID = "TXJCGKTKXLUUZ"
RUST_PK = bytes.fromhex("03db28458c699c002fe03bd4a020d037b7f286e2d65b04ebb6cb808f50f20c1596")
RUST_RK = "RK1Q0DJS3VVDXWQQTLQ8022QGXSX7ML9PHZ6EDSF6AKEWQG758JPS2EV"
RUST_OH = "OH1QYPM5JXYNS754Y4R45QWE336QFX6ZR8DQGVQCULVZTV20TFVEYDMFQC"
RUST_EX = "EX1C4UC6ES"
RUST_FRAGMENT = f"{RUST_EX}-{RUST_OH}-{RUST_RK}"
RUST_MIXED_DELIMITER = (
    "23RK1QG2RH36X9ZWRK7UWCCQE0WD8T89XKK2W55KTK9UHSZLEG8Q2TGEGG-"
    "OH1QYP87E2AVMDKXDTU6R25WCPQ5ZUF02XHNPA65JMD8ZA2W4YRQN6UUWG+EX1XPK8Y6Q"
)
BIP77_OH = "OH1QYPM59NK2LXXS4890SUAXXYT25Z2VAPHP0X7YEYCJXGWAG6UG9ZU6NQ"
BIP77_EX = "EX1WKV8CEC"
BIP77_EXAMPLE = (
    f"bitcoin:{TESTNET_ADDRESS}?amount=0.00666666&pjos=0&pj=HTTPS://PAYJO.IN/{RUST_ID}"
    f"%23{RUST_RK}+{BIP77_OH}+{BIP77_EX}"
)
RUST_V2_PJ_URI = (
    f"bitcoin:2N47mmrWXsNBvQR6k78hWJoTji57zXwNcU7?pjos=0&pj=HTTPS://PAYJO.IN/{RUST_ID}"
    f"%23{BIP77_EX}-{BIP77_OH}-{RUST_RK}"
)
README_RK = "RK1QFWVXS2LQ2VD4T6DUMQ0F4RZQ5NL9GM0EFWVHJZ9L796L20Z7SL3J"
ONION = "http://vjdpwgybvubne5hda6v4c5iaeeevhge6jvo3w2cl6eocbwwvwxp7b7qd.onion"
FFI_KEY_CONFIG = bytes.fromhex(
    "01001604ba48c49c3d4a92a3ad00ecc63a024da10ced02180c73ec12d8a7ad2cc91bb483824fe2bee8d28bfe"
    "2eb2fc6453bc4d31cd851e8a6540e86c5382af588d370957000400010003"
)
RFC9458_KEY_CONFIG = bytes.fromhex(
    "01002031e1f05a740102115220e9af918f738674aec95f54db6e04eb705aae8e79815500080001000100010003"
)
DERIVED_GATEWAY = KeyPair.from_secret(
    bytes.fromhex("c7f7453ed776cd4ec31799dc537c08c725957753394bb7b8faf1480e6c3bff01")
)
"""The research vectors' test gateway (DeriveKeyPair of DUMMY32, key id 1)."""
DERIVED_EXPIRATION = 1720547781
NOT_ON_CURVE = bytes.fromhex("02" + "00" * 31 + "05")
"""x = 5 has no point on secp256k1 (5^3 + 7 = 132 is not a square mod p)."""
STUFF = bytes([0, 1, 2, 3, 31, 32, 33, 95, 0, 96, 127, 128, 129, 254, 255, 0])
"""rust-payjoin's bech32.rs ``bech32_for_qr`` bytes."""


def _ex(expiration: int) -> str:
    return bech32.encode_upper("EX", expiration.to_bytes(4, "little"))


def _frag(ex: str = RUST_EX, oh: str = RUST_OH, rk: str = RUST_RK) -> str:
    return f"{ex}-{oh}-{rk}"


def _v2(fragment: str = RUST_FRAGMENT, *, path: str = RUST_ID, host: str = "EXAMPLE.COM") -> str:
    """rust-payjoin's test URI shape: amount 0.01, pjos=0, pj last."""
    return f"bitcoin:{ADDRESS}?amount=0.01&pjos=0&pj=HTTPS://{host}/{path}%23{fragment}"


def _q(query: str, address: str = ADDRESS) -> str:
    return f"bitcoin:{address}?{query}"


def _pj(fragment: str = RUST_FRAGMENT) -> str:
    return f"pj=HTTPS://PAYJO.IN/{RUST_ID}%23{fragment}"


def _amount(amount: str) -> str:
    return _v2().replace("amount=0.01", f"amount={amount}")


def _config(suites: str, *, pk: bytes | None = None) -> bytes:
    """A secp256k1 key config of the test gateway with ``suites`` (hex) as its suite list."""
    raw = bytes.fromhex(suites)
    key = DERIVED_GATEWAY.public if pk is None else pk
    return b"\x01\x00\x16" + key + len(raw).to_bytes(2, "big") + raw


DERIVED_CONFIG = _config("00010003")
HYBRID_PK = bytes([6 + (DERIVED_GATEWAY.public[-1] & 1)]) + DERIVED_GATEWAY.public[1:]
RUST_OH_PAYLOAD = bech32.decode(RUST_OH)[1]

# -- tables: (result, flags, comment, input) ------------------------------------------------------

Row = tuple[str, str, str, Any]
V, A, X = "valid", "acceptable", "invalid"
R = "rust-payjoin"

UNDISTINGUISHED_REASONS: dict[str, str] = {
    "HrpMismatch": "payjoin 1.0 returns InvalidFormat for a wrong HRP and for bad bech32 alike "
    "(uri/v2.rs receiver_pubkey, ohttp, expiration)",
    "TrailingBytes": "bitcoin-ohttp 0.6 KeyConfig::decode returns Error::Format for trailing "
    "bytes and for a bad suite list alike",
    "InvalidSuiteList": "bitcoin-ohttp 0.6 KeyConfig::decode returns Error::Format for a bad "
    "suite list and for trailing bytes alike",
}
"""Reasons payjoin 1.0 does not distinguish: the reference names them, but rust-payjoin's error
types give them the same variant as another reason, so no adapter can report them. A case run
through an op keeps ``error.kind``, drops ``error.reason`` and names the reason in its comment."""

# fmt: off
URI_ROWS: list[Row] = [
    (V, "", f"{R} v2.rs test_valid_v2_url_fragment_on_bip21, v2 form (§6.1)", _v2()),
    (V, "LegacyPlusDelimiter UnsortedFragment BipTextSaysTwoByteKeyId",
     "BIP 77 example URI (pre-0.2.0 text)", BIP77_EXAMPLE),
    (V, "", f"{R} send/v2 V2_PJ_URI (no amount)", RUST_V2_PJ_URI),
    (V, "LegacyPlusDelimiter", f"{R} v2.rs test_fragment_delimiter_backwards_compatibility",
     _v2(RUST_FRAGMENT.replace("-", "+"))),
    (V, "UnsortedFragment", "fragment in descending order with '-'",
     _v2(f"{RUST_RK}-{RUST_OH}-{RUST_EX}")),
    (V, "Bip78Fallback UnsortedFragment",
     f"{R} v2.rs test_fragment_lexicographical_order: no RK1, so BIP 78",
     _v2(f"{RUST_OH}-{RUST_EX}")),
    (V, "Bip78Fallback", f"{R} v2.rs test_fragment_parameter_validation: only EX1, so BIP 78",
     _v2(RUST_EX)),
    (V, "Bip78Fallback", f"{R} mod.rs test_supported: OH1 on an empty path, so BIP 78",
     _q(f"amount=0.01&pjos=0&pj=HTTPS://EXAMPLE.COM/%23{RUST_OH}")),
    (V, "Bip78Fallback ParamOrder", f"{R} v2.rs test_valid_v2_url_fragment_on_bip21, reordered",
     _q(f"amount=0.01&pj=HTTPS://EXAMPLE.COM/%23{RUST_OH}&pjos=0")),
    (V, "Bip78Fallback", f"{R} v1.rs test_v1_failed_url_fragment: lower case, not a ShortId",
     _q(f"amount=0.01&pjos=0&pj=HTTPS://EXAMPLE.COM/missing_short_id%23{RUST_OH.lower()}")),
    (V, "Bip78Fallback", f"{R} v1.rs test_missing_amount",
     _q("pj=https://testnet.demo.btcpayserver.org/BTC/pj")),
    (V, "Bip78Fallback UppercaseBitcoinUri", f"{R} v1.rs test_valid_uris: onion BIP 78 endpoint",
     f"BITCOIN:TB1Q6D3A2W975YNY0ASUVD9A67NER4NKS58FF0Q8G4?amount=1&pj={ONION}"),
    (V, "UppercaseBitcoinUri", "upper-case scheme and bech32 address with a v2 pj",
     f"BITCOIN:{TESTNET_ADDRESS.upper()}?{_pj()}"),
    (A, "ShortIdAlias", "ShortId alias: padding bit set", _v2(path="TXJCGKTKXLUUR")),
    (A, "ShortIdAlias", "ShortId alias: a 14th character", _v2(path="TXJCGKTKXLUUZQ")),
    (A, "ShortIdAlias", "ShortId alias: text up to a '1' is an ignored HRP",
     _v2(path="X1TXJCGKTKXLUUZ")),
    (A, "UncompressedReceiverKey", "RK1 carrying the 65-byte form of the key",
     _v2(_frag(rk=bech32.encode_upper("RK", uncompress(RUST_PK))))),
    (V, "UnknownFragmentParam", "an unknown fragment piece XX1QQ", _v2(RUST_FRAGMENT + "-XX1QQ")),
    (A, "DuplicateFragmentParam", "EX1 given twice: the first piece wins",
     _v2(f"{RUST_FRAGMENT}-{_ex(2_000_000_000)}")),
    (A, "V2OverHttp", "a v2 mailbox URL over plain http",
     _q(f"pj=http://example.com/{RUST_ID}%23{RUST_FRAGMENT}")),
    (V, "PayjoinUrl", "explicit default port :443 is kept", _v2(host="PAYJO.IN:443")),
    (V, "", "a non-default port is kept", _v2(host="PAYJO.IN:8080")),
    (V, "PayjoinUrl", "a directory written 127.1 is a domain, kept as written", _v2(host="127.1")),
    (V, "PayjoinUrl", "the directory's host case is kept (HTTPS://PAYJO.IN/ gives PAYJO.IN)",
     _v2(host="PaYjO.In")),
    (V, "PayjoinUrl", "1.2.3.256 is no IPv4 address but a domain, kept as written",
     _v2(host="1.2.3.256")),
    (V, "PayjoinUrl", "four u8 parts make IPv4: +1.02.3.4 is written 1.2.3.4",
     _v2(host="+1.02.3.4")),
    (V, "PayjoinUrl", "IPv6 [::1] is written uncompressed, [0:0:0:0:0:0:0:1]", _v2(host="[::1]")),
    (V, "", "pjos=1 is reported, and elided on Display", _q("pjos=1&" + _pj())),
    (V, "UnknownParamDropped", "label, message and an unknown parameter",
     _q("label=Luke-Jr&message=Donation%20for%20project%20xyz&foo=bar&" + _pj())),
    (V, "", "20999999.99999999 BTC (rust-bitcoin 0.32 has no 21M cap)",
     _amount("20999999.99999999")),
    (V, "", "one satoshi", _amount("0.00000001")),
    (A, "AmountLenient", "amount '1.'", _amount("1.")),
    (A, "AmountLenient", "amount '.5'", _amount(".5")),
    (A, "DuplicateAmount", "amount given twice: the last wins", _amount("5&amount=0.01")),
    (V, "ExpiryBoundary", "expiry 500000000, the smallest allowed", _v2(_frag(_ex(500_000_000)))),
    (V, "ExpiryBoundary", "expiry 2^32 - 1", _v2(_frag(_ex(2**32 - 1)))),
]

INVALID_URI_ROWS: list[Row] = [
    (X, "MalformedPort", "port 65536 (InvalidPort; payjoin 1.0 kept ':65536/…' in the path and "
     "read a BIP 78 endpoint)", _v2(host="PAYJO.IN:65536")),
    (X, "MalformedPort", "a port that is not digits (InvalidPort)", _v2(host="PAYJO.IN:44x")),
    (X, "", f"{R} mod.rs test_short: 'bitcoin' (InvalidScheme)", "bitcoin"),
    (X, "", "another scheme (InvalidScheme)", f"litecoin:{ADDRESS}?{_pj()}"),
    (X, "", "no address (InvalidAddress)", f"bitcoin:?{_pj()}"),
    (X, "", "non-base58 address (InvalidAddress)", f"bitcoin:0OIl0OIl0OIl0OIl0OIl0OIl0?{_pj()}"),
    (X, "", "a parameter without '=' (MissingEquals)", _q("pj")),
    (X, "", "an empty query (MissingEquals)", _q("")),
    (X, "", "amount 'abc' (InvalidAmount)", _amount("abc")),
    (X, "", "negative amount (InvalidAmount)", _amount("-1")),
    (X, "", "exponent form (InvalidAmount)", _amount("1e3")),
    (X, "", "9 decimals (InvalidAmount)", _amount("0.000000001")),
    (X, "", "2^64 sats (InvalidAmount)", _amount("184467440737.09551616")),
    (X, "", "bad percent escape in label (InvalidPercentEncoding)", _q("label=%ZZ&" + _pj())),
    (X, "", "unknown required parameter (UnknownRequiredParam)", _q("req-foo=1&" + _pj())),
    (A, "ReqPj", "req-pj instead of pj (UnknownRequiredParam)", _q("req-" + _pj())),
    (X, "", f"{R} mod.rs test_pj_duplicate_params: pj twice (DuplicateParam)",
     _v2() + "&pj=https://example.com"),
    (X, "", f"{R} mod.rs test_pj_duplicate_params: pjos twice (DuplicateParam)",
     _q("pjos=1&pjos=1&" + _pj())),
    (X, "", "pjos=2 (InvalidPjos)", _q("pjos=2&" + _pj())),
    (X, "", "pjos=true (InvalidPjos)", _q("pjos=true&" + _pj())),
    (X, "", "pjos without pj (MissingEndpoint)", _q("amount=1&pjos=0")),
    (X, "", "no pj at all (PjNotSupported)", _q("amount=1")),
    (X, "", "pj value not UTF-8 (NotUtf8)", _q("pj=https://example.com/%FF")),
    (X, "", f"{R} mod.rs test_valid_url: not a URL (InvalidScheme)",
     _q("amount=1&pj=this_is_NOT_a_validURL")),
    (X, "", "empty host (EmptyHost)", _q("pj=https:///")),
    (X, "", "one slash after the scheme (InvalidFormat)", _q(f"pj=https:/payjo.in/{RUST_ID}")),
    (X, "", "'_' in the host (InvalidHost)", _q("pj=https://pay_jo.in/")),
    (X, "", f"{R} mod.rs test_unencrypted: http (UnsecureEndpoint)",
     _q("amount=1&pj=http://example.com")),
    (X, "", f"{R} mod.rs test_unencrypted: ftp onion (UnsecureEndpoint)",
     _q("amount=1&pj=ftp://foo.onion")),
    (X, "", f"{R} v2.rs test_failed_url_fragment: lower case (LowercaseFragment)",
     _v2(RUST_OH.lower())),
    (X, "", f"{R} v2.rs test_failed_url_fragment: last letter lower case (LowercaseFragment)",
     _v2(RUST_OH[:-1] + RUST_OH[-1].lower())),
    (X, "", "'_' in the fragment (InvalidFragmentChar)", _v2(RUST_FRAGMENT + "-_")),
    (X, "", "'\u00e9' in the fragment is Unicode lower case (LowercaseFragment)",
     _v2(RUST_FRAGMENT + "-%C3%A9")),
    (X, "", f"{R} v2.rs test_fragment_mixed_delimiter (AmbiguousDelimiter)",
     _v2(RUST_MIXED_DELIMITER)),
    (X, "", "ShortId path, no fragment (MissingReceiverKey)", _q(f"pj=HTTPS://PAYJO.IN/{RUST_ID}")),
    (X, "UnescapedHash", "'#' not percent-encoded (MissingReceiverKey)",
     _q(f"pj=HTTPS://PAYJO.IN/{RUST_ID}#{RUST_FRAGMENT}")),
    (X, "", "RK1 only inside another piece (MissingReceiverKey)", _v2(_frag(rk="X" + RUST_RK))),
    (X, "", "OH1 only inside another piece (MissingOhttpKeys)", _v2(_frag(oh="X" + RUST_OH))),
    (X, "", "EX1 only inside another piece (MissingExpiration)", _v2(_frag("X" + RUST_EX))),
    (X, "", f"{R} v2.rs test_errors_when_parsing_exp: EX1INVALIDBECH32 (InvalidBech32)",
     _v2(_frag("EX1INVALIDBECH32"))),
    (X, "", f"{R} v2.rs test_errors_when_parsing_exp: EX1010, HRP EX10 (HrpMismatch)",
     _v2(_frag("EX1010"))),
    (X, "", f"{R} v2.rs test_errors_when_parsing_ohttp: 35-byte OH1 (IncorrectLength)",
     _v2(_frag(oh=RUST_OH + "C"))),
    (X, "", f"{R} v2.rs test_errors_when_parsing_ohttp: 33-byte OH1 (IncorrectLength)",
     _v2(_frag(oh=RUST_OH[:-1]))),
    (X, "", f"{R} v2.rs test_errors_when_parsing_exp: EX10, 0 bytes (IncorrectLength)",
     _v2(_frag("EX10"))),
    (X, "", f"{R} v2.rs test_errors_when_parsing_receiver_pubkey: RK10 (InvalidPublicKey)",
     _v2(_frag(rk="RK10"))),
    (X, "", "RK1 x not on the curve (InvalidPublicKey)",
     _v2(_frag(rk=bech32.encode_upper("RK", NOT_ON_CURVE)))),
    (X, "", "OH1 key not on the curve (InvalidPublicKey)",
     _v2(_frag(oh=bech32.encode_upper("OH", b"\x01" + NOT_ON_CURVE)))),
    (X, "ExpiryBoundary", "expiry 499999999, a block height (InvalidExpiration)",
     _v2(_frag(_ex(499_999_999)))),
]

PJ_V2_ROWS: list[Row] = [
    (V, "", "strict v2 parse of a v2 URL", f"HTTPS://PAYJO.IN/{RUST_ID}#{RUST_FRAGMENT}"),
    (X, "Bip78Fallback", "strict v2 parse of a BIP 78 URL (NotV2)", "https://example.com/pj"),
    (X, "Bip78Fallback", "strict v2 parse, two path segments (NotV2)",
     f"HTTPS://PAYJO.IN/dir/{RUST_ID}#{RUST_FRAGMENT}"),
]

SHORT_ID_KEY_ROWS: list[Row] = [
    (V, "", f"{R} v2.rs BIP 21 tests: the RK1 key (TXJCGKTKXLUUZ)", RUST_PK),
    (V, "", "research vectors: named key 'receiver' (TYJLPCFLQVTQQ)",
     named_key("receiver").public_compressed),
    (V, "", "research vectors: named key 'reply' (9Y9MGK50R3UYV)",
     named_key("reply").public_compressed),
    (V, "", "payjoin-cli README (stale example): RK1 key (EUQKYLU92GC6U)",
     bech32.decode(README_RK)[1]),
]

SHORT_ID_TEXT_ROWS: list[Row] = [
    (V, "", "canonical", RUST_ID),
    (V, "", f"{R} directory.rs: ShortId([0; 8]) is 13 Qs", "QQQQQQQQQQQQQ"),
    (A, "ShortIdAlias", "padding bit set", "TXJCGKTKXLUUR"),
    (A, "ShortIdAlias", "a 14th character", "TXJCGKTKXLUUZQ"),
    (A, "ShortIdAlias", "text up to a '1' is an ignored HRP", "X1TXJCGKTKXLUUZ"),
    (X, "", "lower case (MixedCase against 'ID1')", RUST_ID.lower()),
    (X, "", "12 characters (IncorrectLength)", RUST_ID[:12]),
    (X, "", "15 characters (IncorrectLength)", RUST_ID + "QQ"),
    (X, "", "empty (IncorrectLength)", ""),
    (X, "", "'B' is not bech32 (InvalidChar)", RUST_ID[:12] + "B"),
]

KEY_CONFIG_ROWS: list[Row] = [
    (V, "", "research vectors: payjoin-test-utils config (DeriveKeyPair(DUMMY32))", DERIVED_CONFIG),
    (V, "", "payjoin-ffi unit test: the config of the OH1 test key", FFI_KEY_CONFIG),
    (V, "", "key id 0", b"\x00" + DERIVED_CONFIG[1:]),
    (V, "", "key id 255", b"\xff" + DERIVED_CONFIG[1:]),
    (V, "UnsupportedSuiteStripped", "AES-256-GCM listed first is dropped",
     _config("0001000200010003")),
    (V, "UnsupportedSuiteStripped", "HKDF-SHA384 listed first is dropped",
     _config("0002000300010003")),
    (A, "AesGcmSuiteKept", "AES-128-GCM listed first is kept", _config("0001000100010003")),
    (A, "HybridPublicKey", "hybrid 06/07 public key", _config("00010003", pk=HYBRID_PK)),
    (X, "", "RFC 9458 Appendix A config: X25519 (UnsupportedSuite)", RFC9458_KEY_CONFIG),
    (A, "LengthPrefixedKeyConfig", "with RFC 9458 §3.2's length prefix (UnsupportedSuite)",
     len(DERIVED_CONFIG).to_bytes(2, "big") + DERIVED_CONFIG),
    (A, "NoSupportedSuite", "only AES-256-GCM (UnsupportedSuite)", _config("00010002")),
    (X, "", "unknown AEAD 0xffff fails the whole config (UnsupportedSuite)",
     _config("0001ffff00010003")),
    (X, "", "empty (Truncated)", b""),
    (X, "", "cut inside the public key (Truncated)", DERIVED_CONFIG[:40]),
    (X, "", "one byte short (Truncated)", DERIVED_CONFIG[:-1]),
    (X, "", "one trailing byte (TrailingBytes)", DERIVED_CONFIG + b"\x00"),
    (X, "", "empty suite list (InvalidSuiteList)", _config("")),
    (X, "", "suite list of 2 bytes (InvalidSuiteList)", _config("0001")),
    (X, "", "public key not on the curve (InvalidPublicKey)",
     _config("00010003", pk=b"\x04" + bytes(63) + b"\x05")),
]

COMPACT_ROWS: list[Row] = [
    (V, "", f"{R} v2.rs test_ohttp_get_set: {RUST_OH}", RUST_OH_PAYLOAD),
    (V, "BipTextSaysTwoByteKeyId", "BIP 77 example OH1 (1-byte key id)",
     bech32.decode(BIP77_OH)[1]),
    (V, "", "research vectors: the test gateway key", b"\x01" + DERIVED_GATEWAY.public_compressed),
    (X, "", "35 bytes (IncorrectLength)", RUST_OH_PAYLOAD + b"\x00"),
    (X, "", "33 bytes (IncorrectLength)", RUST_OH_PAYLOAD[:-1]),
    (X, "", "prefix 04 in 33 bytes (InvalidPublicKey)", b"\x01\x04" + RUST_OH_PAYLOAD[2:]),
    (X, "", "x not on the curve (InvalidPublicKey)", b"\x01" + NOT_ON_CURVE),
]

BECH32_ENCODE_ROWS: list[Row] = [
    (V, "", f"{R} bech32.rs bech32_for_qr", ("STUFF", STUFF)),
    (V, "", f"{R} v2.rs test_exp_get_set: 1720547781", ("EX", (1720547781).to_bytes(4, "little"))),
    (V, "", "empty data", ("X", b"")),
]

STUFF_TEXT = bech32.encode_upper("STUFF", STUFF)
BECH32_DECODE_ROWS: list[Row] = [
    (V, "", f"{R} bech32.rs bech32_for_qr", STUFF_TEXT),
    (A, "LenientBech32", f"{R} bech32.rs bech32_for_qr: QQPP appended still decodes",
     STUFF_TEXT + "QQPP"),
    (V, "", "lower case", STUFF_TEXT.lower()),
    (A, "LenientBech32", "15 bits: 7 leftover bits dropped", "X1QQQ"),
    (A, "LenientBech32", "non-zero padding bits ignored", "X1QL"),
    (V, "LenientBech32", "the last '1' is the separator", "EX1010"),
    (X, "", "mixed case (MixedCase)", "Ex1C4UC6ES"),
    (X, "", "no separator (MissingSeparator)", "QQQQ"),
    (X, "", "'B' in the data part (InvalidChar)", "EX1B"),
    (X, "", "empty HRP (InvalidHrp)", "1QQQQ"),
]

def _segwit(version: int, size: int, hrp: str = "bc") -> str:
    """A segwit address with a ``size``-byte program; the encoder checks no length, so one past
    an edge still carries a valid checksum and only its length makes it invalid."""
    return bech32m.encode_segwit(hrp, version, bytes(range(size)))


def _base58(version: int, body: bytes) -> str:
    return base58.encode_check(bytes([version]) + body)


BOUNDARY_ROWS: list[Row] = [
    (V, "AddressBoundary", "P2WPKH (42 characters)", _q(_pj(), _segwit(0, 20))),
    (V, "AddressBoundary", "P2WSH (62 characters)", _q(_pj(), _segwit(0, 32))),
    (V, "AddressBoundary", "P2TR, bech32m (62 characters)", _q(_pj(), _segwit(1, 32))),
    (V, "AddressBoundary", "v1 program of 2 bytes, the shortest segwit address",
     _q(_pj(), _segwit(1, 2))),
    (V, "AddressBoundary", "v16 program of 40 bytes, the longest segwit address (74 characters)",
     _q(_pj(), _segwit(16, 40))),
    (V, "AddressBoundary", "upper-case 40-byte v1 program on testnet",
     _q(_pj(), _segwit(1, 40, "tb").upper())),
    (V, "AddressBoundary", "P2PKH with an all-zero hash, the shortest base58 (27 characters)",
     _q(_pj(), _base58(0x00, bytes(20)))),
    (V, "AddressBoundary", "P2PKH with an all-0xff hash (34 characters)",
     _q(_pj(), _base58(0x00, b"\xff" * 20))),
    (V, "AddressBoundary", "P2SH with an all-0xff hash (34 characters)",
     _q(_pj(), _base58(0x05, b"\xff" * 20))),
    (V, "AddressBoundary", "testnet P2SH with an all-0xff hash, the longest base58 (35 "
     "characters)", _q(_pj(), _base58(0xC4, b"\xff" * 20))),
    (X, "AddressBoundary", "v1 program of 1 byte (InvalidAddress)", _q(_pj(), _segwit(1, 1))),
    (X, "AddressBoundary", "v1 program of 41 bytes (InvalidAddress)", _q(_pj(), _segwit(1, 41))),
    (X, "AddressBoundary", "v16 program of 41 bytes (InvalidAddress)",
     _q(_pj(), _segwit(16, 41))),
    (X, "AddressBoundary", "v0 program of 21 bytes (InvalidAddress)", _q(_pj(), _segwit(0, 21))),
    (X, "AddressBoundary", "v0 program of 31 bytes (InvalidAddress)", _q(_pj(), _segwit(0, 31))),
    (X, "AddressBoundary", "base58 P2PKH payload of 20 bytes (InvalidAddress)",
     _q(_pj(), _base58(0x00, bytes(19)))),
    (X, "AddressBoundary", "base58 P2PKH payload of 22 bytes (InvalidAddress)",
     _q(_pj(), _base58(0x00, b"\xff" * 21))),
    (X, "EmptyUriBody", "'bitcoin:' alone (InvalidAddress)", "bitcoin:"),
    (X, "EmptyUriBody", "'bitcoin:?' alone (InvalidAddress)", "bitcoin:?"),
    (V, "AmountBoundary", "amount=0", _amount("0")),
    (V, "AmountBoundary", "amount=0.00000000", _amount("0.00000000")),
    (V, "AmountBoundary", "amount=21000000, MAX_MONEY", _amount("21000000")),
    (V, "AmountBoundary", "amount=21000000.00000000, MAX_MONEY", _amount("21000000.00000000")),
    (A, "AmountAboveMaxMoney", "amount=21000000.00000001, one satoshi above MAX_MONEY",
     _amount("21000000.00000001")),
    (A, "AmountAboveMaxMoney", "amount=184467440737.09551615, u64::MAX sats",
     _amount("184467440737.09551615")),
]

KEY_CONFIG_BOUNDARY_ROWS: list[Row] = [
    (X, "KeyConfigBoundary", "3 bytes: key id and KEM, no key (Truncated)", DERIVED_CONFIG[:3]),
    (X, "KeyConfigBoundary", "68 bytes: ends right after the key, no suite list length "
     "(Truncated)", DERIVED_CONFIG[:68]),
    (X, "KeyConfigBoundary", "69 bytes: one byte of the suite list length (Truncated)",
     DERIVED_CONFIG[:69]),
    (X, "KeyConfigBoundary", "suite list of 6 bytes, one and a half suites (InvalidSuiteList)",
     _config("000100030001")),
    (X, "KeyConfigBoundary", "suite list length 8 with 4 bytes present (Truncated)",
     DERIVED_CONFIG[:68] + b"\x00\x08" + DERIVED_CONFIG[70:]),
]

EXPIRY_ROWS: list[Row] = [
    (V, "", "one second before the expiry", DERIVED_EXPIRATION - 1),
    (V, "", "at the expiry second: already expired", DERIVED_EXPIRATION),
    (V, "", "one second after", DERIVED_EXPIRATION + 1),
]
# fmt: on

# -- runs: input -> result ------------------------------------------------------------------------


def _parse(text: str) -> Json:
    return uri_to_protocol(parse_uri(text))


def _display(text: str) -> Json:
    return {"uri": format_uri(parse_uri(text))}


def _pj_v2(text: str) -> Json:
    pj = parse_pj_param_v2(text)
    return {"mailbox": format_short_id(pj.mailbox), "endpoint": pj.endpoint}


def _short_id(pk: bytes) -> Json:
    return {"id": short_id(pk).hex(), "text": format_short_id(short_id(pk))}


def _short_id_text(text: str) -> Json:
    return {"id": parse_short_id(text).hex()}


def _decode_config(data: bytes) -> Json:
    config = OhttpKeyConfig.decode(data)
    return {
        "key_id": config.key_id,
        "kem_id": config.kem_id,
        "pk": config.pk.hex(),
        "suites": [list(suite) for suite in config.suites],
    }


def _from_compact(data: bytes) -> Json:
    return {"bytes": OhttpKeyConfig.from_compact(data).encode().hex()}


def _encode(value: tuple[str, bytes]) -> Json:
    return {"text": bech32.encode_upper(*value)}


def _decode(text: str) -> Json:
    hrp, data = bech32.decode(text)
    return {"hrp": hrp, "data": data.hex()}


def _encode_args(value: tuple[str, bytes]) -> Json:
    return {"hrp": value[0], "data": value[1].hex()}


def _expiry_args(now: int) -> Json:
    return {"expiration": DERIVED_EXPIRATION, "now": now}


def _expired(now: int) -> Json:
    return {"expired": is_expired(DERIVED_EXPIRATION, FixedClock(now))}


# -- case construction ----------------------------------------------------------------------------


def _outcome(run: Callable[[], Json]) -> tuple[Json | None, Json | None]:
    """Run the reference: ``(result, None)`` or ``(None, error)``."""
    try:
        return run(), None
    except PjconfError as exc:
        return None, error_json(exc)


def _case(ids: CaseIds, op: str | None, row: Row, args: Json, run: Callable[[], Json]) -> Json:
    """One case; its expected value or error is the reference's, its ``result`` the row's."""
    result, flags, comment, _ = row
    expected, error = _outcome(run)
    if (result == V and error is not None) or (result == X and error is None):
        raise ValueError(f"{comment}: the reference disagrees with result {result!r}: {error}")
    if op is not None and error is not None and error.get("reason") in UNDISTINGUISHED_REASONS:
        reason = error.pop("reason")
        comment += f"; reason {reason} not pinned: {UNDISTINGUISHED_REASONS[reason]}"
    case: Json = {"tcId": ids(), "comment": comment, "flags": flags.split(), "result": result}
    if op is not None:
        case["op"] = op
    case["args"] = args
    if expected is not None:
        case["expected"] = expected
    else:
        case["error"] = error
    return case


def _args(key: str, value: Any) -> Json:
    return {key: value.hex() if isinstance(value, bytes) else value}


def _group(
    ids: CaseIds,
    kind: str,
    op: str | None,
    rows: Sequence[Row],
    run: Callable[[Any], Json],
    *,
    args: Callable[[Any], Json],
    comment: str | None = None,
) -> Json:
    group: Json = {"type": kind}
    if comment is not None:
        group["comment"] = comment
    group["tests"] = [_case(ids, op, row, args(row[3]), partial(run, row[3])) for row in rows]
    return group


# -- generated values -----------------------------------------------------------------------------


def generated_uris(count: int = 6) -> list[PjUri]:
    """Receiver-made URIs from a fixed seed (keys, key id, expiry, amount, host, port, pjos)."""
    rng = SeededRandom("pjconf/vectors/uri/v1")
    uris: list[PjUri] = []
    for index in range(count):
        draw = rng.child(f"uri {index}")
        receiver = KeyPair.generate(draw.child("receiver"))
        gateway = KeyPair.generate(draw.child("gateway"))
        n = draw.random_bytes(16)
        expiration = 500_000_000 + int.from_bytes(n[:4], "big") % (2**32 - 500_000_000)
        amount = int.from_bytes(n[4:11], "big") % (21_000_000 * 10**8)
        host = f"dir{n[11]:02x}.example" if index % 2 else "payjo.in"
        port = f":{1024 + n[12] * 200}" if index % 3 == 2 else ""
        keys = OhttpKeyConfig.bip77(n[13], gateway.public)
        pj = new_pj_param(f"https://{host}{port}", receiver.public_compressed, keys, expiration)
        address = ADDRESSES[index % len(ADDRESSES)]
        uris.append(PjUri(address, None if index == 1 else amount, pj, bool(n[14] & 1)))
    return uris


def derived_uri() -> str:
    """The research vectors' pj (named receiver key, test gateway, EX1C4UC6ES) as a BIP 21 URI."""
    keys = OhttpKeyConfig.bip77(1, DERIVED_GATEWAY.public)
    receiver = named_key("receiver").public_compressed
    pj = new_pj_param("https://payjo.in", receiver, keys, DERIVED_EXPIRATION)
    return format_uri(PjUri(TESTNET_ADDRESS, None, pj, output_substitution=False))


def _generated_key_rows() -> list[Row]:
    rng = SeededRandom("pjconf/vectors/uri/short_id")
    return [
        (
            V,
            "Generated",
            f"generated key #{i}",
            KeyPair.generate(rng.child(str(i))).public_compressed,
        )
        for i in range(4)
    ]


def generate() -> Json:
    ids = CaseIds()
    uri_rows: list[Row] = [
        *URI_ROWS,
        (V, "", "research vectors: named receiver key, test OHTTP config", derived_uri()),
        *[
            (V, "Generated", f"generated #{i}", format_uri(u))
            for i, u in enumerate(generated_uris())
        ],
        *INVALID_URI_ROWS,
    ]
    by_uri, by_pj = partial(_args, "uri"), partial(_args, "pj")
    parsed = _group(ids, "UriParse", "uri.parse", uri_rows, _parse, args=by_uri)
    accepted = [
        row for row, case in zip(uri_rows, parsed["tests"], strict=True) if "expected" in case
    ]
    # fmt: off
    groups = [
        parsed,
        _group(ids, "UriDisplay", None, accepted, _display, args=by_uri,
               comment="Reference-only: each accepted URI as rust-payjoin's Display writes it."),
        _group(ids, "PjParamV2", None, PJ_V2_ROWS, _pj_v2, args=by_pj,
               comment="Reference-only: parse_pj_param_v2, the v2 parser without BIP 78 fallback."),
        _group(ids, "ShortId", "short_id", [*SHORT_ID_KEY_ROWS, *_generated_key_rows()],
               _short_id, args=partial(_args, "pk")),
        _group(ids, "ShortIdParse", None, SHORT_ID_TEXT_ROWS, _short_id_text,
               args=partial(_args, "text"),
               comment="Reference-only: ShortId::from_str, leniency included."),
        _group(ids, "OhttpKeysDecode", "ohttp.keys.decode", KEY_CONFIG_ROWS, _decode_config,
               args=partial(_args, "bytes")),
        _group(ids, "OhttpKeysCompact", None, COMPACT_ROWS, _from_compact,
               args=partial(_args, "compact"),
               comment="Reference-only: the 74-byte key config rebuilt from an OH1 payload."),
        _group(ids, "Bech32Encode", None, BECH32_ENCODE_ROWS, _encode, args=_encode_args,
               comment="Reference-only: encode_upper without checksum."),
        _group(ids, "Bech32Decode", None, BECH32_DECODE_ROWS, _decode,
               args=partial(_args, "text"),
               comment="Reference-only: rust-bech32 0.11 NoChecksum decoding."),
        _group(ids, "Expiry", None, EXPIRY_ROWS, _expired, args=_expiry_args,
               comment="Reference-only: rust-payjoin's Time::elapsed, expiry <= now."),
        _group(ids, "UriParse", "uri.parse", BOUNDARY_ROWS, _parse, args=by_uri),
        _group(ids, "OhttpKeysDecode", "ohttp.keys.decode", KEY_CONFIG_BOUNDARY_ROWS,
               _decode_config, args=partial(_args, "bytes")),
    ]
    # fmt: on
    used = {flag for group in groups for case in group["tests"] for flag in case["flags"]}
    notes = {name: note for name, note in NOTES.items() if name in used}
    return envelope(FAMILY, module=__name__, sources=SOURCES, notes=notes, groups=groups)
