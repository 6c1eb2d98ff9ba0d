"""Every public decoder of the reference raises only the errors it documents, for any input.

An outside review fed the reference ~1.4 million hostile inputs and found decoders that let
``OverflowError``, ``ValueError``, ``RecursionError`` or ``UnicodeError`` escape, which the
adapter can only answer as ``InternalError``. :data:`DECODERS` lists each public decoder with
the error types its docstring names; one property per decoder feeds it deep, huge and odd input
(nesting up to 5000 levels, integers of 4000-20000 digits, overflowing float literals, lone
surrogates as JSON escapes and as code points, CBOR bignums, random and truncated bytes) and
accepts either a result or one of those errors. The regressions below pin each defect found.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pjconf.reference.bip77 import bech32, bhttp, messages, ohttp, short_id, uri, url
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig, decode_list
from pjconf.reference.bitcoin import address, base58, bech32m, encoding, psbt_json, psbt_types
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxOut, deserialize_witness
from pjconf.reference.crypto import ellswift, hpke, secp256k1
from pjconf.reference.errors import (
    InvalidArgument,
    InvalidKey,
    InvalidSize,
    OpenError,
    ParseError,
    PayloadTooShort,
    UnknownKeyId,
    UnsupportedSuite,
)
from pjconf.reference.payjoin.params import Params, ParamsError, parse_f32
from pjconf.reference.payjoin.receiver import decode_body, parse_payload
from pjconf.reference.payjoin.receiver_errors import PayloadError
from pjconf.reference.session import cbor_codec, json_codec
from pjconf.reference.session.receiver.events import GotReplyableError
from pjconf.reference.session.serde_values import DecodeError

VECTORS = Path(__file__).resolve().parents[2] / "vectors"

# --- valid seeds, from the committed corpus -------------------------------------------------


def _vector_args(family: str, op: str) -> list[dict[str, Any]]:
    """The arguments of every ``valid`` case of ``op`` in ``vectors/<family>.json``."""
    data = json.loads((VECTORS / f"{family}.json").read_text(encoding="utf-8"))
    return [
        t["args"]
        for g in data["testGroups"]
        for t in g["tests"]
        if t.get("op") == op and t.get("result") == "valid"
    ]


def _events(role: str) -> list[str]:
    return [
        a["event"] for a in _vector_args("session/events", "event.roundtrip") if a["role"] == role
    ]


RECEIVER_TEXTS = _events("receiver")
SENDER_TEXTS = _events("sender")
REPLY = '{"GotReplyableError":{"error_code":"Unavailable","message":"m","extra":{"a":%s}}}'
"""A receiver event whose ``extra`` is a ``serde_json::Value``: any JSON may go in the hole."""
REPLY_HOLES = (
    REPLY,
    REPLY % '[1,{"b":%s}]',
    '{"GotReplyableError":{"error_code":"Unavailable","message":"m","zz":%s,"extra":{}}}',
)
"""Holes deeper in ``extra``, and in an unknown field (which serde skips)."""


def _psbt_trees() -> list[Any]:
    """Every PSBT (rust-bitcoin serde JSON) inside the corpus events."""
    found: list[Any] = []

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            if "unsigned_tx" in v and "inputs" in v:
                found.append(v)
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    for text in RECEIVER_TEXTS + SENDER_TEXTS:
        walk(json.loads(text))
    return found


PSBT_TREES = _psbt_trees()
PSBT_TEXTS = [json.dumps(t, separators=(",", ":")) for t in PSBT_TREES]
PSBT_BYTES = [psbt_json.loads_psbt(t).serialize() for t in PSBT_TEXTS[:8]]
TX_BYTES = [Psbt.deserialize(b).unsigned_tx.serialize() for b in PSBT_BYTES]
URIS = [a["uri"] for a in _vector_args("crypto/uri", "uri.parse")]
BHTTP_REQUESTS = [
    bytes.fromhex(a["bhttp"]) for a in _vector_args("crypto/bhttp", "bhttp.request.decode")
]
KEY_CONFIGS = [bytes.fromhex(a["bytes"]) for a in _vector_args("crypto/uri", "ohttp.keys.decode")]
OHTTP_OPEN = _vector_args("crypto/ohttp", "ohttp.request.open")[0]
OHTTP_RESPONSE = _vector_args("crypto/ohttp", "ohttp.response.open")[0]
MSG_A = _vector_args("crypto/bip77_messages", "bip77.msg_a.open")[0]
MSG_B = _vector_args("crypto/bip77_messages", "bip77.msg_b.open")[0]
HPKE_OPEN = next(a for a in _vector_args("crypto/hpke", "hpke.open") if a["mode"] == "base")
PUBLIC_KEY = secp256k1.public_key(b"\x01" * 32)

# --- odd pieces -------------------------------------------------------------------------------

SURROGATES = ["\ud800", "\udfff", "\udc00"]
HUGE_DIGITS = st.one_of(st.integers(4000, 20000), st.integers(300, 420), st.integers(19, 25))
"""Digit counts: past Python's 4300-digit int/str limit, past f64, past u64."""
digit_runs = st.builds(lambda n, d: d * n, HUGE_DIGITS, st.sampled_from("123456789"))
zero_padded = st.builds(
    lambda n, d: "0" * n + d, st.integers(4000, 6000), st.sampled_from(["1", "80", "4294967295"])
)
"""Small numbers behind thousands of zeros, which Rust's integer parsers accept."""
odd_chars = st.one_of(st.characters(), st.sampled_from(SURROGATES))
odd_short_text = st.text(odd_chars, max_size=24)
odd_strings = st.one_of(
    odd_short_text,
    st.builds(
        lambda pre, digits, post: pre + digits + post,
        st.sampled_from(
            [
                "",
                "m/",
                "84'/0'/",
                "0" * 64 + ":",
                "https://1.2.3.",
                "https://a:",
                "https://[::",
                "https://a/",
                "1.",
                "+",
                "-",
                "0.",
            ]
        ),
        st.one_of(digit_runs, zero_padded),
        st.sampled_from(["", "'", "h", "/", "]/", "e5", ".0"]),
    ),
    st.builds(lambda a, s, b: a + s + b, odd_short_text, st.sampled_from(SURROGATES), st.text()),
)
"""Python strings: lone surrogates as code points, digit runs behind the prefixes of paths,
outpoints, hosts, ports and amounts."""

FLOAT_LITERALS = [
    "1e400",
    "-1e400",
    "1E+400",
    "1e-400",
    "2e308",
    "1.7976931348623159e308",
    "1e99999999999999999999",
    "NaN",
    "-NaN",
    "Infinity",
    "-Infinity",
    "1" * 400 + ".0",
    "1" * 5000 + ".5",
    "0." + "0" * 5000 + "1",
    "-0",
    "-0.0",
    "18446744073709551616",
    "-9223372036854775809",
]


@st.composite
def deep_json(draw: st.DrawFn) -> str:
    """1..5000 nested arrays or objects around an odd number."""
    depth = draw(st.integers(1, 5000))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"k":', "}"), ('[{"k":', "}]")]))
    inner: str = draw(st.one_of(st.just("0"), json_numbers))
    return opener * depth + inner + closer * depth


json_numbers = st.one_of(
    st.builds(lambda sign, digits: sign + digits, st.sampled_from(["", "-"]), digit_runs),
    st.sampled_from(FLOAT_LITERALS),
)
json_fragments = st.one_of(
    json_numbers,
    deep_json(),
    st.builds(json.dumps, odd_strings, ensure_ascii=st.booleans()),
    st.sampled_from(['"\\ud800"', '"\\udfff"', '"a\\ud800b"', '"\\ud800\\u0041"', "[", "{", "]"]),
    st.sampled_from(["null", "true", "[]", "{}", '""', "0", "-1"]),
)
"""JSON text (or nearly JSON) to put anywhere a value goes."""

_MARK = "\x00pjconf-odd\x00"
_MARK_JSON = json.dumps(_MARK)


def _paths(tree: Any, here: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Every place in a JSON tree, the root included."""
    yield here
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _paths(v, (*here, k))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from _paths(v, (*here, i))


def _with_mark(tree: Any, path: tuple[str | int, ...], *, extra_field: bool) -> Any:
    """A copy of ``tree`` with the mark at ``path`` (or as a new field of the object there)."""
    tree = copy.deepcopy(tree)
    if not path and not extra_field:
        return _MARK
    parent = tree
    for step in path[:-1] if not extra_field else path:
        parent = parent[step]
    if extra_field:
        if isinstance(parent, dict):
            parent["pjconf_unknown"] = _MARK
        return tree
    parent[path[-1]] = _MARK
    return tree


def json_texts(seeds: list[str], holes: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """Seed texts with an odd fragment put in (or beside) one value, or in one of the ``holes``
    (templates with a ``%s``), truncated, or replaced."""
    trees = [json.loads(s) for s in seeds]
    places = [(n, p) for n, t in enumerate(trees) for p in _paths(t)]

    def put(place: tuple[int, tuple[str | int, ...]], fragment: str, extra: bool) -> str:
        n, path = place
        text = json.dumps(_with_mark(trees[n], path, extra_field=extra), ensure_ascii=False)
        return text.replace(_MARK_JSON, fragment, 1) if _MARK_JSON in text else text

    in_holes = st.builds(
        lambda hole, fragment: hole % fragment, st.sampled_from(holes or ("%s",)), json_fragments
    )
    return st.one_of(
        in_holes,
        st.builds(put, st.sampled_from(places), json_fragments, st.booleans()),
        st.builds(
            lambda s, cut: s[: len(s) * cut // 100], st.sampled_from(seeds), st.integers(0, 99)
        ),
        json_fragments,
        st.text(odd_chars, max_size=64),
    )


# --- CBOR -------------------------------------------------------------------------------------


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    size = next(s for s in (1, 2, 4, 8) if n < 1 << (8 * s))
    return bytes([major << 5 | {1: 24, 2: 25, 4: 26, 8: 27}[size]]) + n.to_bytes(size, "big")


cbor_fragments = st.one_of(
    st.builds(
        lambda bits, negative: cbor2.dumps(-(2**bits) if negative else 2**bits, canonical=True),
        st.integers(60, 70_000),
        st.booleans(),
    ),
    st.builds(lambda n: _cbor_head(4, 1) * n + _cbor_head(4, 0), st.integers(1, 5000)),
    st.builds(
        lambda n: (_cbor_head(5, 1) + _cbor_head(3, 1) + b"k") * n + b"\x00", st.integers(1, 5000)
    ),
    st.sampled_from([math.inf, -math.inf, math.nan, 1e308, -0.0]).map(
        lambda f: cbor2.dumps(f, canonical=True)
    ),
    st.sampled_from(
        [b"\x63\xed\xa0\x80", b"\x62\xc3\x28", b"\xf7", b"\xf0", b"\xc1\x1b" + b"\xff" * 8]
    ),
    st.builds(
        lambda tag, body: _cbor_head(6, tag) + body, st.integers(0, 2**16), st.binary(max_size=12)
    ),
    st.binary(max_size=16),
)
"""Canonical CBOR values the JSON model has no room for, and a few broken ones."""

_MARK_CBOR = cbor2.dumps(_MARK)


def _envelopes() -> list[bytes]:
    texts = [REPLY % '[1,{"b":2.5}]', *RECEIVER_TEXTS[:40]]
    out = [
        cbor_codec.encode_receiver_event(json_codec.decode_receiver_event(t), n)
        for n, t in enumerate(texts)
    ]
    out += [cbor_codec.encode_sender_event(json_codec.decode_sender_event(t)) for t in SENDER_TEXTS]
    return out


ENVELOPES = _envelopes()


def cbor_inputs() -> st.SearchStrategy[bytes]:
    trees = [cbor2.loads(e) for e in ENVELOPES]
    places = [(n, p) for n, t in enumerate(trees) for p in _paths(t) if p]

    def put(place: tuple[int, tuple[str | int, ...]], fragment: bytes) -> bytes:
        n, path = place
        data = cbor_codec.dumps(_with_mark(trees[n], path, extra_field=False))
        return data.replace(_MARK_CBOR, fragment, 1)

    in_extra = st.sampled_from([p for p in places if p[0] == 0 and "extra" in p[1]])
    return st.one_of(
        st.builds(put, in_extra, cbor_fragments),
        st.builds(put, st.sampled_from(places), cbor_fragments),
        mutated(ENVELOPES),
    )


# --- bytes ------------------------------------------------------------------------------------


def mutated(seeds: list[bytes]) -> st.SearchStrategy[bytes]:
    """Random bytes, or a seed truncated, with bytes overwritten, or with bytes put in."""
    seeds = seeds or [b""]
    picks = st.sampled_from(seeds)
    return st.one_of(
        st.binary(max_size=256),
        st.builds(lambda s, cut: s[: len(s) * cut // 100], picks, st.integers(0, 99)),
        st.builds(
            lambda s, at, b: s[: len(s) * at // 100] + b + s[len(s) * at // 100 + len(b) :],
            picks,
            st.integers(0, 99),
            st.sampled_from([b"\xff" * 9, b"\x00", b"\xfe\xff\xff\xff\xff", b"\xc0" * 8]),
        ),
        st.builds(
            lambda s, at, b: s[: len(s) * at // 100] + b + s[len(s) * at // 100 :],
            picks,
            st.integers(0, 99),
            st.binary(min_size=1, max_size=16),
        ),
        st.just(b""),
    )


# --- the decoders -----------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Decoder:
    """A public decoding entry point, what to feed it, and the errors its docstring names."""

    name: str
    run: Callable[[Any], object]
    inputs: st.SearchStrategy[Any]
    errors: tuple[type[Exception], ...]

    def __repr__(self) -> str:
        return f"<decoder {self.name}>"


def _texts(*seeds: str) -> st.SearchStrategy[str]:
    """Text for a string parser: seeds truncated or with an odd string spliced in, or odd."""
    picks = st.sampled_from(list(seeds) or [""])
    return st.one_of(
        odd_strings,
        st.builds(lambda s, cut: s[: len(s) * cut // 100], picks, st.integers(0, 99)),
        st.builds(
            lambda s, at, odd: s[: len(s) * at // 100] + odd + s[len(s) * at // 100 :],
            picks,
            st.integers(0, 100),
            odd_strings,
        ),
    )


def _open_request(data: bytes) -> object:
    config = OhttpKeyConfig.decode(bytes.fromhex(OHTTP_OPEN["key_config"]))
    return ohttp.open_request(bytes.fromhex(OHTTP_OPEN["gateway_sk"]), config, data)


def _open_response(data: bytes) -> object:
    context = ohttp.ExchangeContext.from_bytes(bytes.fromhex(OHTTP_RESPONSE["context"]))
    return ohttp.open_response(context, data)


def _open_a(data: bytes) -> object:
    return messages.open_message_a(
        data, secp256k1.KeyPair.from_secret(bytes.fromhex(MSG_A["receiver_sk"]))
    )


def _open_b(data: bytes) -> object:
    reply = secp256k1.KeyPair.from_secret(bytes.fromhex(MSG_B["reply_sk"]))
    return messages.open_message_b(data, reply, bytes.fromhex(MSG_B["receiver_pk"]))


def _hpke_open(data: bytes) -> object:
    return hpke.SECP256K1_CHACHA.open(
        data[:65], bytes.fromhex(HPKE_OPEN["sk_r"]), b"info", b"", data[65:]
    )


def _bhttp_args(fields: tuple[str, str, list[list[str]]]) -> object:
    method, path, headers = fields
    args = {"method": method, "scheme": "https", "authority": "a", "path": path}
    return bhttp.encode_request(bhttp.request_from_args({**args, "headers": headers}))


def _key(data: bytes) -> object:
    return secp256k1.PublicKey.parse(data)


HPKE_SEED = bytes.fromhex(HPKE_OPEN["enc"]) + bytes.fromhex(HPKE_OPEN["ct"])
KEY_SEEDS = [PUBLIC_KEY, secp256k1.compress(PUBLIC_KEY), b"\x06" + PUBLIC_KEY[1:]]
PARSE = (ParseError,)

DECODERS: list[Decoder] = [
    # session events, both codecs, both roles
    Decoder(
        "json.receiver_event",
        json_codec.decode_receiver_event,
        json_texts(RECEIVER_TEXTS, REPLY_HOLES),
        (DecodeError,),
    ),
    Decoder(
        "json.sender_event",
        json_codec.decode_sender_event,
        json_texts(SENDER_TEXTS),
        (DecodeError,),
    ),
    Decoder("json.loads", json_codec.loads, json_texts([REPLY % "0"], REPLY_HOLES), (DecodeError,)),
    Decoder("cbor.decode", cbor_codec.decode, cbor_inputs(), (DecodeError,)),
    Decoder("cbor.receiver_event", cbor_codec.decode_receiver_event, cbor_inputs(), (DecodeError,)),
    Decoder("cbor.sender_event", cbor_codec.decode_sender_event, cbor_inputs(), (DecodeError,)),
    # PSBTs and transactions
    Decoder(
        "psbt_json.loads_psbt", psbt_json.loads_psbt, json_texts(PSBT_TEXTS[:12]), (DecodeError,)
    ),
    Decoder(
        "psbt_json.loads_psbt(lenient)",
        lambda t: psbt_json.loads_psbt(t, strict=False),
        json_texts(PSBT_TEXTS[:12]),
        (DecodeError,),
    ),
    Decoder("psbt.deserialize", Psbt.deserialize, mutated(PSBT_BYTES), PARSE),
    Decoder(
        "psbt.from_base64",
        Psbt.from_base64,
        _texts(*(Psbt.deserialize(b).to_base64() for b in PSBT_BYTES)),
        PARSE,
    ),
    Decoder("tx.deserialize", Transaction.deserialize, mutated(TX_BYTES), PARSE),
    Decoder("txout.deserialize", TxOut.deserialize, mutated([b"\x01" + bytes(7) + b"\x00"]), PARSE),
    Decoder("witness.deserialize", deserialize_witness, mutated([b"\x02\x01\x00\x00"]), PARSE),
    Decoder("outpoint.parse", OutPoint.parse, _texts("00" * 32 + ":1"), PARSE),
    Decoder("hex.parse", encoding.parse_hex, _texts("00ff"), PARSE),
    Decoder("hex.from_display", encoding.from_display_hex, _texts("00ff"), PARSE),
    Decoder(
        "derivation_path.parse", psbt_types.parse_path, _texts("m/84'/0'/0'/0/1", "84h/1"), PARSE
    ),
    Decoder("key_source.parse", psbt_types.KeySource.parse, mutated([bytes(4) + bytes(8)]), PARSE),
    Decoder(
        "ecdsa_sig.parse",
        psbt_types.EcdsaSignature.parse,
        mutated([bytes.fromhex("3006020101020101") + b"\x01"]),
        PARSE,
    ),
    Decoder("taproot_sig.parse", psbt_types.TaprootSignature.parse, mutated([bytes(64)]), PARSE),
    Decoder(
        "control_block.parse",
        psbt_types.ControlBlock.parse,
        mutated([b"\xc0" + PUBLIC_KEY[1:33]]),
        PARSE,
    ),
    Decoder(
        "proprietary_key.parse", psbt_types.ProprietaryKey.parse, mutated([b"\x02ab\x01"]), PARSE
    ),
    Decoder(
        "xpub.parse",
        psbt_types.Xpub.parse,
        mutated([psbt_types.MAINNET_XPUB + bytes(41) + secp256k1.compress(PUBLIC_KEY)]),
        PARSE,
    ),
    Decoder("xpub.from_base58", psbt_types.Xpub.from_base58, _texts("xpub661MyMwAqRbcF"), PARSE),
    # addresses and their encodings
    Decoder(
        "address.decode",
        address.decode,
        _texts("tb1q6d3a2w975yny0asuvd9a67ner4nks58ff0q8g4", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"),
        PARSE,
    ),
    Decoder(
        "bech32m.decode_segwit",
        bech32m.decode_segwit,
        _texts("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"),
        PARSE,
    ),
    Decoder("base58.decode", base58.decode, _texts("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"), PARSE),
    Decoder(
        "base58.decode_check",
        base58.decode_check,
        _texts("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"),
        PARSE,
    ),
    Decoder("bip77.bech32.decode", bech32.decode, _texts("EX1QQQQ", "RK1QQ"), PARSE),
    # BIP 77: URIs, URLs, ShortIds, OHTTP keys
    Decoder("uri.parse", uri.parse_uri, _texts(*URIS), PARSE),
    Decoder(
        "uri.pj_param", uri.parse_pj_param, _texts("https://payjo.in/TXJCGKTKXLUUZ#EX1QQ"), PARSE
    ),
    Decoder(
        "uri.pj_param_v2", uri.parse_pj_param_v2, _texts("HTTPS://PAYJO.IN/TXJCGKTKXLUUZ"), PARSE
    ),
    Decoder("uri.parse_amount", uri.parse_amount, _texts("0.00001", "1."), PARSE),
    Decoder(
        "uri.check_address",
        uri.check_address,
        _texts("tb1q6d3a2w975yny0asuvd9a67ner4nks58ff0q8g4"),
        PARSE,
    ),
    Decoder(
        "url.parse", url.parse_url, _texts("https://[::1]:8080/a?b#c", "https://1.2.3.4/"), PARSE
    ),
    Decoder("url.percent_decode", url.percent_decode, _texts("a%20b"), PARSE),
    Decoder("short_id.parse", short_id.parse_short_id, _texts("TXJCGKTKXLUUZ"), PARSE),
    Decoder("short_id.of_key", short_id.short_id, mutated(KEY_SEEDS), (InvalidKey,)),
    Decoder(
        "ohttp_keys.decode",
        OhttpKeyConfig.decode,
        mutated(KEY_CONFIGS),
        (ParseError, UnsupportedSuite),
    ),
    Decoder(
        "ohttp_keys.from_compact",
        OhttpKeyConfig.from_compact,
        mutated([b"\x01" + secp256k1.compress(PUBLIC_KEY)]),
        (ParseError, UnsupportedSuite),
    ),
    Decoder(
        "ohttp_keys.decode_list",
        decode_list,
        mutated([len(k).to_bytes(2, "big") + k for k in KEY_CONFIGS]),
        (ParseError, UnsupportedSuite),
    ),
    # BHTTP and OHTTP
    Decoder("bhttp.decode_request", bhttp.decode_request, mutated(BHTTP_REQUESTS), PARSE),
    Decoder(
        "bhttp.decode_response",
        bhttp.decode_response,
        mutated([bhttp.encode_response(bhttp.BhttpResponse(200, ((b"a", b"b"),), b"x"))]),
        PARSE,
    ),
    Decoder(
        "bhttp.request_from_args",
        _bhttp_args,
        st.tuples(
            odd_strings,
            odd_strings,
            st.lists(st.lists(odd_strings, min_size=2, max_size=2), max_size=2),
        ),
        (InvalidArgument, ParseError),
    ),
    Decoder(
        "ohttp.open_request",
        _open_request,
        mutated([bytes.fromhex(OHTTP_OPEN["request"])]),
        (ParseError, UnknownKeyId, UnsupportedSuite, OpenError),
    ),
    Decoder(
        "ohttp.open_response",
        _open_response,
        mutated([bytes.fromhex(OHTTP_RESPONSE["response"])]),
        (InvalidSize, OpenError, ParseError),
    ),
    Decoder(
        "ohttp.context.from_bytes",
        ohttp.ExchangeContext.from_bytes,
        mutated([bytes.fromhex(OHTTP_RESPONSE["context"])]),
        (ParseError, UnsupportedSuite),
    ),
    # BIP 77 messages, HPKE, keys
    Decoder(
        "bip77.msg_a.open",
        _open_a,
        mutated([bytes.fromhex(MSG_A["msg"])]),
        (PayloadTooShort, OpenError, InvalidKey),
    ),
    Decoder(
        "bip77.msg_b.open",
        _open_b,
        mutated([bytes.fromhex(MSG_B["msg"])]),
        (PayloadTooShort, OpenError, InvalidKey),
    ),
    Decoder("hpke.open", _hpke_open, mutated([HPKE_SEED]), (OpenError, InvalidKey)),
    Decoder("ellswift.decode", ellswift.decode, mutated([bytes(64)]), PARSE),
    Decoder("secp256k1.public_key", _key, mutated(KEY_SEEDS), (InvalidKey,)),
    Decoder(
        "secp256k1.key_pair", secp256k1.KeyPair.from_secret, mutated([b"\x01" * 32]), (InvalidKey,)
    ),
    # payjoin: the Original PSBT request of a receiver
    Decoder("payjoin.decode_body", decode_body, mutated([b"cHNidP8=\nv=2"]), (PayloadError,)),
    Decoder(
        "payjoin.params",
        lambda q: Params.from_query_str(q, (1, 2)),
        _texts("v=2&minfeerate=1.5&additionalfeeoutputindex=1&maxadditionalfeecontribution=100"),
        (ParamsError,),
    ),
    Decoder(
        "payjoin.parse_payload",
        lambda q: parse_payload(Psbt.deserialize(PSBT_BYTES[0]).to_base64(), q, (1, 2)),
        _texts("v=2&minfeerate=1e5"),
        (PayloadError,),
    ),
]


@pytest.mark.parametrize("decoder", DECODERS, ids=[d.name for d in DECODERS])
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_decoder_raises_only_documented_errors(decoder: Decoder, data: st.DataObject) -> None:
    value = data.draw(decoder.inputs, label="input")
    with contextlib.suppress(*decoder.errors):  # anything else fails the test
        decoder.run(value)


# --- regressions: each defect the review found, and its neighbours -----------------------------


def _refusal(decode: Callable[[Any], object], value: Any) -> DecodeError:
    with pytest.raises(DecodeError) as info:
        decode(value)
    return info.value


@pytest.mark.parametrize(
    "number",
    ["1e400", "-1e400", "1" * 400, "-" + "9" * 309, "1" * 4301],
    ids=["1e400", "-1e400", "400-digits", "-309-digits", "4301-digits"],
)
def test_a_number_no_f64_holds_is_out_of_range_in_extra(number: str) -> None:
    """serde_json's "number out of range" (was ``OverflowError``/``ValueError``)."""
    e = _refusal(json_codec.decode_receiver_event, REPLY % number)
    assert (e.reason, e.path) == ("InvalidValue", "GotReplyableError.extra.a")
    assert "number out of range" in e.message


@pytest.mark.parametrize("number", ["1e308", "1" * 308, "18446744073709551616", "-1e-400"])
def test_numbers_an_f64_holds_still_decode_in_extra(number: str) -> None:
    event = json_codec.decode_receiver_event(REPLY % number)
    assert isinstance(event, GotReplyableError)
    assert isinstance(event.reply.extra["a"], float)


@pytest.mark.parametrize("digits", [4301, 5000, 20_000])
def test_an_integer_past_the_int_str_limit_is_typed_wherever_read(digits: int) -> None:
    huge = "7" * digits
    e = _refusal(json_codec.decode_receiver_event, f'{{"IdentifiedReceiverOutputs":[{huge}]}}')
    assert (e.reason, e.path) == ("InvalidValue", "IdentifiedReceiverOutputs[0]")
    assert f"{digits} digits exceed u64" in e.message
    text = re.sub(r'"version":\d+', '"version":-' + huge, PSBT_TEXTS[0], count=1)
    e = _refusal(psbt_json.loads_psbt, text)
    assert (e.reason, e.path) == ("InvalidValue", "unsigned_tx.version")


def test_an_integer_past_the_int_str_limit_in_an_unknown_field_is_skipped_as_serde_does() -> None:
    text = '{"GotReplyableError":{"error_code":"Unavailable","message":"m","zz":%s,"extra":{}}}'
    event = json_codec.decode_receiver_event(text % ("1" * 5000))
    assert json_codec.encode_receiver_event(event) == REPLY.replace('{"a":%s}', "{}")


def _psbt_with_path(path: str) -> str:
    tree = copy.deepcopy(PSBT_TREES[0])
    key = secp256k1.compress(PUBLIC_KEY).hex()
    tree["inputs"][0]["bip32_derivation"] = [[key, ["d90c6a4f", path]]]
    return json.dumps(tree)


def test_a_derivation_path_index_of_thousands_of_digits_is_invalid_child_number() -> None:
    assert psbt_json.loads_psbt(_psbt_with_path("84'/0'/0'/0/00000000001"))
    for path in ["84'/" + "1" * 5000, "m/" + "9" * 4301 + "'", "0/" + "0" * 4999 + "12345678901"]:
        e = _refusal(psbt_json.loads_psbt, _psbt_with_path(path))
        assert e.reason == "InvalidChildNumber"
        assert e.path.startswith("inputs[0].bip32_derivation[0]")
    with pytest.raises(ParseError, match="out of range"):
        psbt_types.parse_path("1" * 5000)


@pytest.mark.parametrize("depth", [125, 300, 1000, 5000, 100_000])
def test_extra_nested_past_serde_json_recursion_limit_is_invalid_json(depth: int) -> None:
    """The event's own three levels plus ``depth`` arrays; serde_json stops at 128."""
    e = _refusal(json_codec.decode_receiver_event, REPLY % ("[" * depth + "]" * depth))
    assert (e.reason, e.path) == ("InvalidJson", "$")
    assert "recursion limit exceeded" in e.message


def test_extra_nested_to_serde_json_limit_decodes_in_both_codecs() -> None:
    text = REPLY % ("[" * 124 + "]" * 124)  # 3 + 124 = 127 levels, serde_json's maximum
    event = json_codec.decode_receiver_event(text)
    assert json_codec.encode_receiver_event(event) == text
    data = cbor_codec.encode_receiver_event(event)
    assert cbor_codec.decode_receiver_event(data) == (0, event)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = REPLY % json.dumps("[" * 500 + '\\"{' * 300)
    assert json_codec.decode_receiver_event(text)
    assert not psbt_json.nesting_depth_exceeds(json.dumps('["' * 300))
    assert psbt_json.nesting_depth_exceeds(json.dumps("\\") + "[" * 128)
    # an unterminated string ends the scan in linear time
    assert not psbt_json.nesting_depth_exceeds('"' + '\\"[' * 200_000)


def test_psbt_json_nested_deeply_is_invalid_json() -> None:
    e = _refusal(psbt_json.loads_psbt, "[" * 5000 + "]" * 5000)
    assert e.reason == "InvalidJson"


def _cbor_reply(extra_value: object) -> bytes:
    tree = cbor2.loads(
        cbor_codec.encode_receiver_event(json_codec.decode_receiver_event(REPLY % 0))
    )
    tree["event"]["GotReplyableError"]["extra"]["a"] = extra_value
    return cbor_codec.dumps(tree)


@pytest.mark.parametrize(
    "value",
    [2**1100, -(2**1100), 2**70_000, math.inf, math.nan],
    ids=["2^1100", "-2^1100", "2^70000", "inf", "nan"],
)
def test_a_cbor_number_no_f64_holds_is_out_of_range(value: object) -> None:
    e = _refusal(cbor_codec.decode, _cbor_reply(value))
    assert (e.reason, e.path) == ("InvalidValue", "event.GotReplyableError.extra.a")
    assert "number out of range" in e.message


def test_a_cbor_bignum_in_an_integer_place_is_refused_without_printing_it() -> None:
    value = cbor2.loads(
        cbor_codec.encode_receiver_event(json_codec.decode_receiver_event(REPLY % 0))
    )
    for field, reason in [("v", "UnsupportedVersion"), ("seq", "InvalidValue")]:
        e = _refusal(cbor_codec.decode, cbor_codec.dumps(value | {field: 2**70_000}))
        assert e.reason == reason
    e = _refusal(cbor_codec.decode, cbor_codec.dumps(value | {"event": {2**70_000: 0}}))
    assert e.reason == "UnknownVariant"
    ids = {"IdentifiedReceiverOutputs": [2**70_000]}
    e = _refusal(cbor_codec.decode, cbor_codec.dumps(value | {"event": ids}))
    assert (e.reason, "70001 bits" in e.message) == ("InvalidValue", True)


def test_cbor_nested_past_the_json_limit_is_refused() -> None:
    nested: list[Any] = []
    for _ in range(123):  # 124 arrays
        nested = [nested]
    assert cbor_codec.decode(_cbor_reply(nested))  # 1 envelope + 3 + 124 = the JSON maximum
    e = _refusal(cbor_codec.decode, _cbor_reply([nested]))
    assert (e.reason, "recursion limit exceeded" in e.message) == ("InvalidCbor", True)
    deep = _cbor_head(4, 1) * 100_000 + _cbor_head(4, 0)
    assert _refusal(cbor_codec.decode, deep).reason == "InvalidCbor"


@pytest.mark.parametrize("field", ["method", "scheme", "authority", "path"])
def test_a_lone_surrogate_in_a_bhttp_field_is_not_utf8(field: str) -> None:
    args = {"method": "GET", "scheme": "https", "authority": "a", "path": "/", field: "x\ud800"}
    with pytest.raises(ParseError) as info:
        bhttp.request_from_args(args)
    assert info.value.reason == "NotUtf8"
    with pytest.raises(ParseError, match="NotUtf8"):
        bhttp.request_from_args({**args, field: "x", "headers": [["a", "\udfff"]]})


def test_a_lone_surrogate_in_a_query_string_is_typed() -> None:
    with pytest.raises(ParamsError) as params:
        Params.from_query_str("v=2&minfeerate=\ud800", (1, 2))
    assert params.value.variant == "MalformedQuery"
    psbt = Psbt.deserialize(PSBT_BYTES[0]).to_base64()
    with pytest.raises(PayloadError) as payload:
        parse_payload(psbt, "v=2&\udc00=1", (1, 2))
    assert payload.value.chain() == ("SenderParams", "MalformedQuery")
    for text in ["%41\ud800", "\udfff"]:
        with pytest.raises(ParseError, match="NotUtf8"):
            url.percent_decode(text)
    with pytest.raises(ParseError, match="NotUtf8"):
        uri.parse_uri("bitcoin:tb1q6d3a2w975yny0asuvd9a67ner4nks58ff0q8g4?pj=\ud800")


def test_url_numbers_of_thousands_of_digits_parse_as_rust_payjoin_would() -> None:
    """Not IPv4 (a part overflows u8), so a domain kept as written; a port past u16 is
    InvalidPort (payjoin 1.0 kept it as path), its message cut short."""
    host = "1.2.3." + "4" * 5000
    assert url.parse_url(f"https://{host}/x").host == host
    with pytest.raises(ParseError, match="InvalidPort") as info:
        url.parse_url("https://a:" + "1" * 5000 + "/")
    assert len(str(info.value)) < 200
    assert url.parse_url("https://a:" + "0" * 5000 + "80/").port == 80
    with pytest.raises(ParseError, match="InvalidHost"):
        url.parse_url("https://[" + "1" * 5000 + "::]/")
    assert isinstance(uri.parse_pj_param(f"https://{host}/"), uri.PjParamV1)


def test_an_outpoint_vout_of_thousands_of_digits_does_not_fit() -> None:
    with pytest.raises(ParseError, match="does not fit in 32 bits"):
        OutPoint.parse("00" * 32 + ":" + "1" * 5000)
    assert OutPoint.parse("00" * 32 + ":4294967295").vout == 2**32 - 1


def test_query_numbers_of_thousands_of_digits_parse_like_rust() -> None:
    params = Params.from_query_str(
        "v=2&additionalfeeoutputindex=" + "1" * 5000 + "&maxadditionalfeecontribution=1", (1, 2)
    )
    assert params.additional_fee_contribution is None  # a usize overflow is only a warning
    assert Params.from_query_str("v=2&minfeerate=1e" + "9" * 5000, (1, 2)).min_fee_rate == 2**64 - 1
    assert Params.from_query_str("v=2&minfeerate=1e-" + "9" * 5000, (1, 2)).min_fee_rate == 0
    long_rate = Params.from_query_str("v=2&minfeerate=" + "1" * 5000 + "e-4998", (1, 2))
    assert long_rate == Params.from_query_str("v=2&minfeerate=11.11111111111", (1, 2))


def test_a_long_f32_mantissa_still_rounds_correctly() -> None:
    """1 + 2^-24 is halfway between two binary32 values: exactly it rounds to even (1.0), a
    digit above it 5000 places later rounds up."""
    halfway = "1.000000059604644775390625" + "0" * 5000
    assert parse_f32(halfway) == 1.0
    assert parse_f32(halfway + "1") == 1 + 2**-23
    assert parse_f32("0." + "0" * 4990 + "1" + "0" * 20 + "e4991") == 1.0
