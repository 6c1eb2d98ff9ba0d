"""Oblivious HTTP: RFC 9458 Appendix A, the derived BIP 77 values, the corpus, and round trips."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pjconf.harness.vectorgen import bhttp as bhttp_gen
from pjconf.harness.vectorgen import ohttp as gen
from pjconf.reference.bip77 import bhttp, ohttp
from pjconf.reference.bip77.bhttp import BhttpResponse
from pjconf.reference.bip77.ohttp import ExchangeContext, RequestContext, ServerResponseContext
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.entropy import SeededRandom
from pjconf.reference.errors import (
    InvalidArgument,
    InvalidKey,
    InvalidSize,
    OpenError,
    ParseError,
    PayloadTooLarge,
    PjconfError,
    UnknownKeyId,
    UnsupportedSuite,
)

GATEWAY_SK, CONFIG = gen.gateway()
RFC_SK, RFC_CONFIG = gen.rfc_gateway()
POLL = bhttp.encode_request(bhttp_gen.receiver_poll())


# -- RFC 9458 Appendix A, through the same generic code -----------------------------------------


def test_rfc9458_appendix_a_request() -> None:
    assert RFC_CONFIG.encode().hex() == gen.RFC_KEY_CONFIG
    request, ctx = ohttp.encapsulate_request(
        RFC_CONFIG, bytes.fromhex(gen.RFC_REQUEST), sk_e=bytes.fromhex(gen.RFC_SK_E)
    )
    assert request.hex() == gen.RFC_ENCAPSULATED_REQUEST
    assert ctx.enc.hex() == "4b28f881333e7c164ffc499ad9796f877f4e1051ee6d31bad19dec96c208b472"
    assert (
        ohttp.request_info(request[:7]).hex()
        == "6d6573736167652f626874747020726571756573740001002000010001"
    )
    plaintext, gateway_ctx = ohttp.decapsulate_request(RFC_SK, RFC_CONFIG, request)
    assert plaintext.hex() == gen.RFC_REQUEST
    assert gateway_ctx.to_bytes() == ctx.to_bytes()


def test_rfc9458_appendix_a_response() -> None:
    _, ctx = ohttp.decapsulate_request(
        RFC_SK, RFC_CONFIG, bytes.fromhex(gen.RFC_ENCAPSULATED_REQUEST)
    )
    nonce = bytes.fromhex(gen.RFC_RESPONSE_NONCE)
    assert ctx.secret.hex() == "62d87a6ba569ee81014c2641f52bea36"
    keys = ohttp.response_keys(ctx, nonce)
    assert keys.prk.hex() == "979aaeae066cf211ab407b31ae49767f344e1501e475c84e8aff547cc5a683db"
    assert keys.key.hex() == "5d0172a080e428b16d298c4ea0db620d"
    assert keys.nonce.hex() == "f6bf1aeb88d6df87007fa263"
    response = ohttp.encapsulate_response(
        ctx, bytes.fromhex(gen.RFC_RESPONSE), response_nonce=nonce
    )
    assert response.hex() == gen.RFC_ENCAPSULATED_RESPONSE
    assert ohttp.decapsulate_response(ctx, response).hex() == gen.RFC_RESPONSE


# -- the derived BIP 77 values ------------------------------------------------------------------


def test_derived_gateway_key(derived: dict[str, Any]) -> None:
    values = derived["ohttp_key_config"]
    assert GATEWAY_SK.hex() == values["gateway_sk"]
    assert CONFIG.encode().hex() == values["key_config_hex"]


@pytest.mark.parametrize(
    ("name", "ephemeral", "message"),
    [
        ("ohttp_request_receiver_poll", "ohttp ephemeral GET", "get"),
        ("ohttp_request_sender_post", "ohttp ephemeral POST", "post"),
    ],
)
def test_derived_requests(derived: dict[str, Any], name: str, ephemeral: str, message: str) -> None:
    get, post = gen.exchanges()
    exchange = get if message == "get" else post
    values = derived[name]
    assert exchange.ephemeral_sk.hex() == derived["keys"][ephemeral]["sk"]
    assert exchange.request.hex() == values["hex"]
    assert hashlib.sha256(exchange.request).hexdigest() == values["sha256"]
    assert exchange.context.enc.hex() == values["enc"]
    plaintext, ctx = ohttp.open_request(GATEWAY_SK, CONFIG, exchange.request)
    assert plaintext == exchange.message.ljust(ohttp.PADDED_BHTTP_REQ_BYTES, b"\x00")
    assert ctx.to_bytes() == exchange.context.to_bytes()


@pytest.mark.parametrize(
    ("name", "message"),
    [("ohttp_response_202", "get"), ("ohttp_response_200_message_b", "post")],
)
def test_derived_responses(derived: dict[str, Any], name: str, message: str) -> None:
    get, post = gen.exchanges()
    exchange = get if message == "get" else post
    values = derived[name]
    body = (
        BhttpResponse(202) if message == "get" else BhttpResponse(200, body=bhttp_gen.message_b())
    )
    nonce = bytes.fromhex(values["response_nonce"])
    response = ohttp.seal_response(
        exchange.context, bhttp.encode_response(body), response_nonce=nonce
    )
    assert exchange.context.secret.hex() == values["export_secret"]
    keys = ohttp.response_keys(exchange.context, nonce)
    assert (keys.key.hex(), keys.nonce.hex()) == (values["aead_key"], values["aead_nonce"])
    assert response.hex() == values["hex"]
    assert hashlib.sha256(response).hexdigest() == values["sha256"]
    assert bhttp.decode_response(ohttp.open_response(exchange.context, response)) == body


# -- contexts ------------------------------------------------------------------------------------


def test_context_serialization_round_trips() -> None:
    _, ctx = ohttp.seal_request(CONFIG, POLL, rng=SeededRandom(1))
    data = ctx.to_bytes()
    assert data[:8] == bytes.fromhex("0100160001000341")
    assert len(data) == 8 + 65 + 32
    assert RequestContext.from_bytes(data) == ctx
    assert ServerResponseContext.from_bytes(data).to_bytes() == data


@pytest.mark.parametrize(
    "data", ["", "02001600010003410400", "0100160001000341" + "04" * 10, "0100160001000300"]
)
def test_malformed_contexts(data: str) -> None:
    with pytest.raises(ParseError) as info:
        ExchangeContext.from_bytes(bytes.fromhex(data))
    assert info.value.reason == "InvalidContext"


def test_context_with_a_wrong_secret_size_is_refused() -> None:
    _, ctx = ohttp.seal_request(CONFIG, POLL, rng=SeededRandom(2))
    short = ExchangeContext(ctx.kem_id, ctx.kdf_id, ctx.aead_id, ctx.enc, ctx.secret[:16])
    with pytest.raises(ParseError):
        ohttp.seal_response(short, b"")


# -- typed failures ------------------------------------------------------------------------------


def test_oversize_request_and_response() -> None:
    with pytest.raises(PayloadTooLarge):
        ohttp.seal_request(CONFIG, bytes(8105))
    _, ctx = ohttp.open_request(GATEWAY_SK, CONFIG, ohttp.seal_request(CONFIG, POLL)[0])
    with pytest.raises(PayloadTooLarge):
        ohttp.seal_response(ctx, bytes(8145))
    truncated = ohttp.seal_response(ctx, bytes(8145), truncate=True)
    assert len(truncated) == 8192


def test_bip77_wrappers_refuse_other_suites() -> None:
    with pytest.raises(UnsupportedSuite):
        ohttp.seal_request(RFC_CONFIG, POLL)
    aes_first = OhttpKeyConfig(1, 0x16, CONFIG.pk, ((1, 1), (1, 3)))
    with pytest.raises(UnsupportedSuite):  # bitcoin-ohttp would pick AES-128-GCM and fail
        ohttp.seal_request(aes_first, POLL)
    _, ctx = ohttp.encapsulate_request(RFC_CONFIG, POLL)
    with pytest.raises(UnsupportedSuite):
        ohttp.seal_response(ctx, b"")


def test_response_size_and_nonce_checks() -> None:
    request, ctx = ohttp.seal_request(CONFIG, POLL)
    _, gateway_ctx = ohttp.open_request(GATEWAY_SK, CONFIG, request)
    response = ohttp.seal_response(gateway_ctx, b"\x01\x40\xca")
    for size in (0, 32, 8191, 8193):
        with pytest.raises(InvalidSize):
            ohttp.open_response(ctx, (response * 2)[:size])
    with pytest.raises(InvalidArgument):
        ohttp.seal_response(gateway_ctx, b"", response_nonce=bytes(31))
    with pytest.raises(ParseError) as info:
        ohttp.decapsulate_response(ctx, response[:32])
    assert info.value.reason == "Truncated"
    with pytest.raises(OpenError):
        ohttp.decapsulate_response(ctx, response[:47])


def test_gateway_checks_in_bitcoin_ohttp_order() -> None:
    request, _ = ohttp.seal_request(CONFIG, POLL)
    header = bytes.fromhex("02002000020002")  # every field wrong: the key id is reported first
    with pytest.raises(UnknownKeyId):
        ohttp.open_request(GATEWAY_SK, CONFIG, header + request[7:])
    with pytest.raises(UnsupportedSuite):
        ohttp.open_request(GATEWAY_SK, CONFIG, b"\x01" + header[1:] + request[7:])
    with pytest.raises(ParseError):
        ohttp.open_request(GATEWAY_SK, CONFIG, header[:6])


def test_malformed_gateway_key_is_the_callers_invalid_key() -> None:
    request, _ = ohttp.seal_request(CONFIG, POLL)
    with pytest.raises(InvalidKey):
        ohttp.open_request(bytes(32), CONFIG, request)


def test_every_flipped_header_or_enc_byte_is_refused_typed() -> None:
    request, _ = ohttp.seal_request(CONFIG, POLL)
    for index in range(7 + 65):
        for bit in (0x01, 0x80):
            flipped = request[:index] + bytes([request[index] ^ bit]) + request[index + 1 :]
            with pytest.raises((OpenError, UnknownKeyId, UnsupportedSuite)):
                ohttp.open_request(GATEWAY_SK, CONFIG, flipped)


# -- the corpus ----------------------------------------------------------------------------------


def _run(args: dict[str, Any], op: str | None) -> dict[str, Any]:
    if op is None:  # RFC 9458 Appendix A, reference-only: the size-agnostic functions
        return _run_generic(args)
    if op == "ohttp.request.seal":
        request, sealed = ohttp.seal_request(
            OhttpKeyConfig.decode(bytes.fromhex(args["key_config"])),
            bytes.fromhex(args["bhttp"]),
            pad=args.get("pad", "random"),
            sk_e=bytes.fromhex(args["sk_e"]),
        )
        return {"request": request.hex(), "context": sealed.to_bytes().hex()}
    if op == "ohttp.request.open":
        plaintext, opened = ohttp.open_request(
            bytes.fromhex(args["gateway_sk"]),
            OhttpKeyConfig.decode(bytes.fromhex(args["key_config"])),
            bytes.fromhex(args["request"]),
        )
        return {"bhttp": plaintext.hex(), "context": opened.to_bytes().hex()}
    context = ExchangeContext.from_bytes(bytes.fromhex(args["context"]))
    if op == "ohttp.response.seal":
        response = ohttp.seal_response(
            context,
            bytes.fromhex(args["bhttp"]),
            response_nonce=bytes.fromhex(args["response_nonce"]),
        )
        return {"response": response.hex()}
    assert op == "ohttp.response.open"
    return {"bhttp": ohttp.open_response(context, bytes.fromhex(args["response"])).hex()}


def _run_generic(args: dict[str, Any]) -> dict[str, Any]:
    if "sk_e" in args:
        request, _ = ohttp.encapsulate_request(
            RFC_CONFIG, bytes.fromhex(args["bhttp"]), sk_e=bytes.fromhex(args["sk_e"])
        )
        return {"request": request.hex()}
    if "gateway_sk" in args:
        plaintext, _ = ohttp.decapsulate_request(
            bytes.fromhex(args["gateway_sk"]), RFC_CONFIG, bytes.fromhex(args["request"])
        )
        return {"bhttp": plaintext.hex()}
    context = ExchangeContext.from_bytes(bytes.fromhex(args["context"]))
    if "response_nonce" in args:
        response = ohttp.encapsulate_response(
            context,
            bytes.fromhex(args["bhttp"]),
            response_nonce=bytes.fromhex(args["response_nonce"]),
        )
        return {"response": response.hex()}
    return {"bhttp": ohttp.decapsulate_response(context, bytes.fromhex(args["response"])).hex()}


@pytest.fixture(scope="module")
def cases(corpus: Path) -> list[dict[str, Any]]:
    document = json.loads((corpus / gen.PATH).read_text(encoding="utf-8"))
    return [case for group in document["testGroups"] for case in group["tests"]]


def test_every_corpus_case(cases: list[dict[str, Any]]) -> None:
    assert len(cases) >= 35
    for listed in cases:
        case = listed
        if "expected" not in case and "error" not in case:  # acceptable: payjoin 1.0's answer
            case = {**listed, **listed["profiles"]["payjoin-1.0"]}
        if "expected" in case:  # the fields a case names, as the runner compares them
            got = _run(case["args"], case.get("op"))
            assert {key: got.get(key) for key in case["expected"]} == case["expected"], case["tcId"]
            continue
        with pytest.raises(PjconfError) as info:
            _run(case["args"], case.get("op"))
        assert info.value.kind == case["error"]["kind"], case["tcId"]
        if "reason" in case["error"]:
            assert getattr(info.value, "reason", None) == case["error"]["reason"], case["tcId"]


def test_response_contexts_name_the_request_that_made_them(cases: list[dict[str, Any]]) -> None:
    by_id = {case["tcId"]: case for case in cases}
    for case in cases:
        source = case.get("intermediates", {}).get("context_source")
        if source is not None:
            made = by_id[source]
            context = made["expected"].get("context") or made["intermediates"]["context"]
            assert context == case["args"]["context"]


# -- round trips ---------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    body=st.binary(max_size=ohttp.PADDED_BHTTP_REQ_BYTES),
    seed=st.integers(0, 2**32),
    pad=st.sampled_from(["random", "zero"]),
)
def test_request_seal_open_round_trip(body: bytes, seed: int, pad: ohttp.Padding) -> None:
    request, ctx = ohttp.seal_request(CONFIG, body, pad=pad, rng=SeededRandom(seed))
    assert len(request) == ohttp.ENCAPSULATED_MESSAGE_BYTES
    plaintext, gateway_ctx = ohttp.open_request(GATEWAY_SK, CONFIG, request)
    assert plaintext[: len(body)] == body
    assert len(plaintext) == ohttp.PADDED_BHTTP_REQ_BYTES
    if pad == "zero":
        assert not any(plaintext[len(body) :])
    assert gateway_ctx.to_bytes() == ctx.to_bytes()


@settings(max_examples=25, deadline=None)
@given(body=st.binary(max_size=ohttp.PADDED_BHTTP_RES_BYTES), seed=st.integers(0, 2**32))
def test_response_seal_open_round_trip(body: bytes, seed: int) -> None:
    rng = SeededRandom(seed)
    request, ctx = ohttp.seal_request(CONFIG, POLL, rng=rng)
    _, gateway_ctx = ohttp.open_request(GATEWAY_SK, CONFIG, request)
    response = ohttp.seal_response(gateway_ctx, body, rng=rng)
    assert len(response) == ohttp.ENCAPSULATED_MESSAGE_BYTES
    assert ohttp.open_response(ctx, response) == body.ljust(ohttp.PADDED_BHTTP_RES_BYTES, b"\x00")


@settings(max_examples=25, deadline=None)
@given(body=st.binary(max_size=2000), seed=st.integers(0, 2**32), aes=st.booleans())
def test_generic_round_trip_on_x25519(body: bytes, seed: int, aes: bool) -> None:
    rng = SeededRandom(seed)
    suite = (1, 1) if aes else (1, 3)
    request, ctx = ohttp.encapsulate_request(RFC_CONFIG, body, suite=suite, rng=rng)
    plaintext, gateway_ctx = ohttp.decapsulate_request(RFC_SK, RFC_CONFIG, request)
    assert plaintext == body
    response = ohttp.encapsulate_response(gateway_ctx, body[::-1], rng=rng)
    assert len(response) == (16 if aes else 32) + len(body) + 16
    assert ohttp.decapsulate_response(ctx, response) == body[::-1]
