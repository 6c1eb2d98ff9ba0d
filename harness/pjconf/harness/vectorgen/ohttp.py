"""The ``ohttp`` family: RFC 9458 encapsulation as rust-payjoin and payjoin-mailroom use it.

- ``OhttpRfc9458``: RFC 9458 Appendix A (X25519, AES-128-GCM) through the same generic code as
  BIP 77. Reference-only: the protocol's ``ohttp.*`` ops have BIP 77's fixed sizes.
- ``OhttpRequestSeal``/``OhttpRequestOpen``: 8192-byte requests to the test gateway key
  (``payjoin-test-utils``' config), BHTTP zero-padded to 8104 bytes and a fixed ephemeral key, so
  the bytes are exactly what rust-payjoin would send with that key and zero padding.
  ``ohttp.request.open`` returns ``bhttp``: the whole decrypted plaintext (the BHTTP message and
  its padding, 8104 bytes), as bitcoin-ohttp's ``Server::decapsulate`` returns it; the message
  alone is in ``intermediates.bhttp_message``.
- ``OhttpResponseSeal``/``OhttpResponseOpen``: 8192-byte responses, BHTTP zero-padded to 8144,
  with a fixed response nonce. ``ohttp.response.open`` returns the 8144 padded bytes.

``context`` arguments are the hex of pjconf's serialized exchange context (see the schema and
``pjconf.reference.bip77.ohttp.ExchangeContext``). An implementation whose contexts are opaque
handles gets the same exchange by first running the request case named in
``intermediates.context_source`` (its ``ohttp.request.seal`` or ``ohttp.request.open``) and using
the handle that returns.
"""

from __future__ import annotations

import hashlib

from pjconf.harness.vectorgen import (
    CaseIds,
    Json,
    case,
    envelope,
    error_of,
    flip_bit,
    outcome_case,
)
from pjconf.harness.vectorgen.bhttp import message_b, receiver_poll, sender_post
from pjconf.harness.vectorgen.fixtures import named_key
from pjconf.reference.bip77 import bhttp, ohttp
from pjconf.reference.bip77.bhttp import BhttpResponse
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.crypto import hpke
from pjconf.reference.entropy import SeededRandom

FAMILY = "ohttp"
PATH = "crypto/ohttp.json"

# RFC 9458 Appendix A, values re-expressed.
RFC_GATEWAY_SK = "3c168975674b2fa8e465970b79c8dcf09f1c741626480bd4c6162fc5b6a98e1a"
RFC_KEY_CONFIG = (
    "01002031e1f05a740102115220e9af918f738674aec95f54db6e04eb705aae8e79815500080001000100010003"
)
RFC_SK_E = "bc51d5e930bda26589890ac7032f70ad12e4ecb37abb1b65b1256c9c48999c73"
RFC_REQUEST = "00034745540568747470730b6578616d706c652e636f6d012f"
RFC_RESPONSE = "0140c8"
RFC_RESPONSE_NONCE = "c789e7151fcba46158ca84b04464910d"
RFC_ENCAPSULATED_REQUEST = (
    "010020000100014b28f881333e7c164ffc499ad9796f877f4e1051ee6d31bad19dec96c208b4726374e4691359"
    "06992e1268c594d2a10c695d858c40a026e7965e7d86b83dd440b2c0185204b4d63525"
)
RFC_ENCAPSULATED_RESPONSE = "c789e7151fcba46158ca84b04464910d86f9013e404feea014e7be4a441f234f857fbd"

TEST_IKM = hashlib.sha256(hashlib.sha256(b"").digest()).digest()
"""payjoin-test-utils' ``DUMMY32`` = SHA256d(""), the ikm of its OHTTP test key."""
RESPONSE_NONCE_202 = hashlib.sha256(b"BIP77 test response nonce").digest()
RESPONSE_NONCE_200 = bytes.fromhex(
    "d183351ed315933a31c96bcaae15f3b5bde9266123024b9a842445ca5a97ac85"
)
"""The 200-with-message-B nonce of bip77-derived-vectors.json, kept as published."""
RESPONSE_NONCE_200_EMPTY = hashlib.sha256(b"BIP77 test response nonce POST").digest()

NOTES: dict[str, Json] = {
    "Rfc9458Example": {
        "description": "RFC 9458 Appendix A (X25519, HKDF-SHA256, AES-128-GCM).",
        "effect": "The OHTTP framing or key schedule differs from the RFC.",
    },
    "Bip77": {
        "description": "An 8192-byte request or response as rust-payjoin and its directory use.",
        "effect": "Interoperability with rust-payjoin and payjoin-mailroom breaks.",
    },
    "DerivedVector": {
        "description": "SHA-256 equal to shared/spec/bip77-derived-vectors.json's value.",
        "effect": "Disagreement with an independent derivation of the same bytes.",
    },
    "FixedEphemeral": {
        "description": "The HPKE ephemeral secret is given as sk_e.",
        "effect": "Byte-exact only for implementations that can inject the ephemeral key.",
    },
    "ZeroPadding": {
        "description": "The BHTTP request is padded with zeros (pad: zero), not random bytes.",
        "effect": "Byte-exact only where padding can be chosen; rust-payjoin pads randomly.",
    },
    "RandomPadding": {
        "description": "The BHTTP request is padded with random bytes, as rust-payjoin does.",
        "effect": "A gateway that requires zero padding refuses every rust-payjoin request.",
    },
    "FixedResponseNonce": {
        "description": "The response nonce is given as response_nonce.",
        "effect": "Byte-exact only for implementations that can inject the nonce.",
    },
    "ExchangeContext": {
        "description": "The result's context is compared: pjconf's hex serialization of the "
        "exchange (version, suite ids, enc, the exported response secret).",
        "effect": "A context that opens no response of this exchange (a wrong enc or secret, a "
        "misencoded suite id). An opaque handle (a context that is not a hex string) is not "
        "compared (docs/adapter-protocol.md).",
    },
    "ContextHandle": {
        "description": "The case needs the state of an earlier request (args.context).",
        "effect": "See intermediates.context_source for the case that creates it.",
    },
    "MaxBody": {
        "description": "The BHTTP message fills the padded size exactly (8104 or 8144 bytes).",
        "effect": "An off-by-one in the padding arithmetic.",
    },
    "Oversize": {
        "description": "The BHTTP message is one byte longer than the padded size.",
        "effect": "Must be refused with PayloadTooLarge (the mailroom would truncate it).",
    },
    "WrongKey": {
        "description": "Opened with a key or context the message was not sealed for.",
        "effect": "Must fail authentication (OpenError).",
    },
    "TruncatedContext": {
        "description": "A response opened with its request's context cut short (inside the "
        "secret or inside enc): the exchange state is not there to open it with.",
        "effect": "An implementation that reads past a short context or crashes on it "
        "(InternalError is never an acceptable refusal).",
    },
    "UnknownKeyId": {
        "description": "The request names a key id the gateway does not hold.",
        "effect": "Must be refused with UnknownKeyId before any decryption.",
    },
    "UnsupportedSuite": {
        "description": "The request names a KEM, KDF or AEAD the gateway's config does not offer.",
        "effect": "Must be refused with UnsupportedSuite before any decryption.",
    },
    "Tampered": {
        "description": "One bit flipped in enc, the ciphertext, the tag or the response nonce.",
        "effect": "Must fail authentication (OpenError); an enc off the curve too.",
    },
    "Truncated": {
        "description": "The request is cut inside its header or enc, or after the ciphertext.",
        "effect": "ParseError (Truncated) before the enc ends, OpenError after it.",
    },
    "RequestBoundary": {
        "description": "A request cut at an edge of its layout: exactly the 7-byte header, the "
        "header and one byte of enc, exactly header and enc (no ciphertext), header, enc and "
        "16 bytes (a tag's length, not authentic), and an authentic request whose plaintext is "
        "empty (header, enc and the tag alone).",
        "effect": "RFC 9458 section 4.3: a request shorter than its header or enc is malformed "
        "(ParseError), a ciphertext shorter than the tag fails to open (OpenError); the "
        "authentic empty request opens to an empty plaintext. An off-by-one in the slicing "
        "reads past the end or refuses a well-formed request.",
    },
    "ResponseBoundary": {
        "description": "A response of exactly the response nonce's size (32 bytes, max(Nn, Nk) "
        "for ChaCha20-Poly1305), one byte less, or the nonce and a tag (48 bytes).",
        "effect": "BIP 77 fixes the response at 8192 bytes: InvalidSize, checked before any "
        "parsing (RFC 9458 section 4.4 would make the first two malformed).",
    },
    "InvalidSize": {
        "description": "A response that is not exactly 8192 bytes.",
        "effect": "rust-payjoin refuses it (InvalidSize, a transient error) without decrypting.",
    },
    "MalformedContext": {
        "description": "A context that is not pjconf's serialization: another format version "
        "byte, shorter than its fixed part, an enc length with no enc or no secret after it, a "
        "secret longer than max(Nn, Nk).",
        "effect": "An implementation that takes hex contexts reads past a short one, opens with "
        "a misread one, or crashes (InternalError is never an acceptable refusal); it must refuse "
        "it as ParseError (InvalidContext) whatever the response.",
    },
    "ContextSuite": {
        "description": "A context naming a suite BIP 77 never uses: an unregistered KEM, KDF or "
        "AEAD id, HKDF-SHA384, the export-only AEAD, or AES-128-GCM (a 16-byte response nonce).",
        "effect": "Must be refused as UnsupportedSuite before any key is derived: a response is "
        "sealed and opened with ChaCha20-Poly1305 and a 32-byte nonce only (BIP 77's 8192 bytes "
        "= 32 + 8144 + 16), and RFC 9458 section 4.4 needs an AEAD to encrypt with.",
    },
    "HeaderOnly": {
        "description": "A request of exactly the 7-byte header that names a key id or KEM the "
        "gateway does not have.",
        "effect": "The header is complete, so the key id or KEM is refused as such (bitcoin-ohttp "
        "checks them before reading enc); a gateway that counts the header as truncated answers "
        "a ParseError the client cannot act on (RFC 9458 section 5.3's ohttp-key problem).",
    },
    "AesGcmFirst": {
        "description": "A key configuration that lists AES-128-GCM before (or without) "
        "ChaCha20-Poly1305.",
        "effect": "bitcoin-ohttp 0.6's client takes the first suite and cannot seal with it: "
        "payjoin 1.0 refuses to encapsulate. RFC 9458 section 3 lets a client pick any listed "
        "suite it supports, so sealing with ChaCha20-Poly1305 is as correct.",
    },
}

SOURCES: list[Json] = [
    {
        "name": "RFC 9458 Oblivious HTTP, Appendix A",
        "url": "https://www.rfc-editor.org/rfc/rfc9458",
        "revision": "RFC 9458 (January 2024)",
        "note": "Keys, messages and every intermediate of the example, re-expressed as hex.",
    },
    {
        "name": "bitcoin-ohttp 0.6 (payjoin/ohttp, ohttp/src/lib.rs)",
        "url": "https://github.com/payjoin/ohttp",
        "revision": "0.6.0",
        "note": "Order of the gateway's checks and the response key schedule, re-derived here.",
    },
    {
        "name": "pjconf shared research: bip77-derived-vectors.json",
        "url": "shared/spec/bip77-derived-vectors.json",
        "revision": "2026-11-28",
        "note": "Test gateway key, ephemeral keys and the 200 response nonce; SHA-256s agree.",
    },
]

OHTTP_GET = named_key("ohttp ephemeral GET")
OHTTP_POST = named_key("ohttp ephemeral POST")


def gateway() -> tuple[bytes, OhttpKeyConfig]:
    """payjoin-test-utils' gateway: KeyConfig::derive(1, K256, [HKDF-SHA256/ChaCha20], DUMMY32)."""
    sk, pk = hpke.SECP256K1_CHACHA.derive_key_pair(TEST_IKM)
    return sk, OhttpKeyConfig.bip77(1, pk)


def rfc_gateway() -> tuple[bytes, OhttpKeyConfig]:
    """RFC 9458 Appendix A's gateway key and config (X25519; not a BIP 77 config)."""
    raw = bytes.fromhex(RFC_KEY_CONFIG)
    suites = tuple(
        (int.from_bytes(raw[i : i + 2], "big"), int.from_bytes(raw[i + 2 : i + 4], "big"))
        for i in range(37, len(raw), 4)
    )
    config = OhttpKeyConfig(raw[0], int.from_bytes(raw[1:3], "big"), raw[3:35], suites)
    return bytes.fromhex(RFC_GATEWAY_SK), config


def _rfc_group(ids: CaseIds) -> Json:
    sk, config = rfc_gateway()
    request, ctx = ohttp.encapsulate_request(
        config, bytes.fromhex(RFC_REQUEST), sk_e=bytes.fromhex(RFC_SK_E)
    )
    assert request.hex() == RFC_ENCAPSULATED_REQUEST
    nonce = bytes.fromhex(RFC_RESPONSE_NONCE)
    response = ohttp.encapsulate_response(ctx, bytes.fromhex(RFC_RESPONSE), response_nonce=nonce)
    assert response.hex() == RFC_ENCAPSULATED_RESPONSE
    opened, gateway_ctx = ohttp.decapsulate_request(sk, config, request)
    assert gateway_ctx.to_bytes() == ctx.to_bytes()
    keys = ohttp.response_keys(ctx, nonce)
    flags = ["Rfc9458Example"]
    context = ctx.to_bytes().hex()
    tests = [
        case(
            ids,
            "encapsulate the request (the client picks the first suite, AES-128-GCM)",
            [*flags, "FixedEphemeral"],
            args={"key_config": RFC_KEY_CONFIG, "bhttp": RFC_REQUEST, "sk_e": RFC_SK_E},
            expected={"request": request.hex()},
            intermediates={
                "pk_e": ctx.enc.hex(),
                "info": ohttp.request_info(request[: ohttp.HEADER_SIZE]).hex(),
                "context": context,
            },
        ),
        case(
            ids,
            "decapsulate the request",
            flags,
            args={
                "gateway_sk": RFC_GATEWAY_SK,
                "key_config": RFC_KEY_CONFIG,
                "request": request.hex(),
            },
            expected={"bhttp": opened.hex()},
            intermediates={"context": context},
        ),
        case(
            ids,
            "encapsulate the response",
            [*flags, "FixedResponseNonce", "ContextHandle"],
            args={"context": context, "bhttp": RFC_RESPONSE, "response_nonce": RFC_RESPONSE_NONCE},
            expected={"response": response.hex()},
            intermediates={
                "secret": ctx.secret.hex(),
                "salt": (ctx.enc + nonce).hex(),
                "prk": keys.prk.hex(),
                "aead_key": keys.key.hex(),
                "aead_nonce": keys.nonce.hex(),
            },
        ),
        case(
            ids,
            "decapsulate the response",
            [*flags, "ContextHandle"],
            args={"context": context, "response": response.hex()},
            expected={"bhttp": RFC_RESPONSE},
        ),
        case(
            ids,
            "a response with its last tag bit flipped",
            [*flags, "ContextHandle", "Tampered"],
            args={"context": context, "response": flip_bit(response, len(response) - 1).hex()},
            error=error_of(ohttp.decapsulate_response, ctx, flip_bit(response, len(response) - 1)),
        ),
    ]
    return {
        "type": "OhttpRfc9458",
        "kem_id": config.kem_id,
        "kdf_id": 1,
        "aead_id": 1,
        "tests": tests,
    }


def _request_of_size(size: int) -> bytes:
    """A POST whose BHTTP encoding is exactly ``size`` bytes (its length takes 2 varint bytes)."""

    def encode(body_size: int) -> bytes:
        request = bhttp.BhttpRequest.build("POST", "https", "payjo.in", "/X", body=bytes(body_size))
        return bhttp.encode_request(request)

    out = encode(size - (len(encode(100)) - 100))
    assert len(out) == size
    return out


def _response_of_size(size: int) -> bytes:
    """A 200 response whose BHTTP encoding is exactly ``size`` bytes."""

    def encode(body_size: int) -> bytes:
        return bhttp.encode_response(BhttpResponse(200, body=bytes(body_size)))

    out = encode(size - (len(encode(100)) - 100))
    assert len(out) == size
    return out


def _seal_intermediates(
    request: bytes, message: bytes, ephemeral_sk: bytes, config: OhttpKeyConfig
) -> Json:
    header = request[: ohttp.HEADER_SIZE]
    _, hpke_ctx = hpke.SECP256K1_CHACHA.setup_sender(
        config.pk, ohttp.request_info(header), sk_e=ephemeral_sk
    )
    return {
        "header": header.hex(),
        "info": ohttp.request_info(header).hex(),
        "enc": request[ohttp.HEADER_SIZE : ohttp.HEADER_SIZE + 65].hex(),
        "key": hpke_ctx.key.hex(),
        "base_nonce": hpke_ctx.base_nonce.hex(),
        "sha256": hashlib.sha256(request).hexdigest(),
        "bhttp_message": message.hex(),
    }


class _Exchange:
    """One sealed request of the test gateway, kept so that later groups can reuse its context."""

    def __init__(self, message: bytes, ephemeral_sk: bytes) -> None:
        self.sk, self.config = gateway()
        self.message = message
        self.ephemeral_sk = ephemeral_sk
        self.request, self.context = ohttp.seal_request(
            self.config, message, pad="zero", sk_e=ephemeral_sk
        )
        self.seal_tc = 0
        self.open_tc = 0


def _request_seal_group(ids: CaseIds, get: _Exchange, post: _Exchange) -> Json:
    tests: list[Json] = []
    for exchange, comment in (
        (get, "receiver poll GET of its mailbox"),
        (post, "sender POST of message A"),
    ):
        exchange.seal_tc = ids.next + 1
        tests.append(
            case(
                ids,
                comment,
                ["Bip77", "DerivedVector", "FixedEphemeral", "ZeroPadding", "ExchangeContext"],
                op="ohttp.request.seal",
                args={
                    "key_config": exchange.config.encode().hex(),
                    "bhttp": exchange.message.hex(),
                    "sk_e": exchange.ephemeral_sk.hex(),
                    "pad": "zero",
                },
                expected={
                    "request": exchange.request.hex(),
                    "context": exchange.context.to_bytes().hex(),
                },
                intermediates=_seal_intermediates(
                    exchange.request, exchange.message, exchange.ephemeral_sk, get.config
                ),
            )
        )
    exact = _request_of_size(ohttp.PADDED_BHTTP_REQ_BYTES)
    request, context = ohttp.seal_request(get.config, exact, pad="zero", sk_e=OHTTP_POST.secret)
    tests.append(
        case(
            ids,
            "a BHTTP plaintext of exactly 8104 bytes needs no padding",
            ["Bip77", "FixedEphemeral", "MaxBody", "ExchangeContext"],
            op="ohttp.request.seal",
            args={
                "key_config": get.config.encode().hex(),
                "bhttp": exact.hex(),
                "sk_e": OHTTP_POST.secret.hex(),
                "pad": "zero",
            },
            expected={"request": request.hex(), "context": context.to_bytes().hex()},
        )
    )
    oversize = exact + b"\x00"
    tests.append(
        case(
            ids,
            "a BHTTP message of 8105 bytes does not fit",
            ["Bip77", "Oversize"],
            op="ohttp.request.seal",
            args={
                "key_config": get.config.encode().hex(),
                "bhttp": oversize.hex(),
                "sk_e": OHTTP_POST.secret.hex(),
                "pad": "zero",
            },
            error=error_of(ohttp.seal_request, get.config, oversize),
        )
    )
    return {"type": "OhttpRequestSeal", "kem_id": 0x16, "kdf_id": 1, "aead_id": 3, "tests": tests}


def _open_case(
    ids: CaseIds,
    comment: str,
    flags: list[str],
    *,
    sk: bytes,
    config: OhttpKeyConfig,
    request: bytes,
) -> Json:
    args = {"gateway_sk": sk.hex(), "key_config": config.encode().hex(), "request": request.hex()}
    if sk == gateway()[0]:
        # The seed too, for implementations that can only derive a gateway key (bitcoin-ohttp).
        args["gateway_ikm"] = TEST_IKM.hex()

    def run() -> tuple[Json, Json]:
        plaintext, ctx = ohttp.open_request(sk, config, request)
        message, _ = bhttp.read_request(plaintext)
        found = {"bhttp_message": bhttp.encode_request(message).hex()}
        return {"bhttp": plaintext.hex(), "context": ctx.to_bytes().hex()}, found

    opened = outcome_case(ids, comment, flags, op="ohttp.request.open", args=args, run=run)
    if "expected" in opened:  # an opened request's context is compared
        opened["flags"] = [*flags, "ExchangeContext"]
    return opened


def _with_header(request: bytes, key_id: int, kem: int, kdf: int, aead: int) -> bytes:
    return ohttp.request_header(key_id, kem, kdf, aead) + request[ohttp.HEADER_SIZE :]


def _request_open_group(ids: CaseIds, get: _Exchange, post: _Exchange) -> Json:
    sk, config = get.sk, get.config
    tests: list[Json] = []
    for exchange, comment in ((get, "receiver poll GET"), (post, "sender POST of message A")):
        exchange.open_tc = ids.next + 1
        tests.append(
            _open_case(
                ids,
                comment,
                ["Bip77", "ZeroPadding"],
                sk=sk,
                config=config,
                request=exchange.request,
            )
        )
    rng = SeededRandom("pjconf/ohttp/random-padding")
    random_padded, _ = ohttp.seal_request(config, get.message, sk_e=OHTTP_GET.secret, rng=rng)
    req = get.request
    enc_at = ohttp.HEADER_SIZE
    ct_at = enc_at + 65
    cases: list[tuple[str, list[str], bytes, bytes]] = [
        (
            "receiver poll GET with random padding, as rust-payjoin sends it",
            ["Bip77", "RandomPadding"],
            sk,
            random_padded,
        ),
        ("opened with another gateway key", ["WrongKey"], named_key("stranger").secret, req),
        ("key id 2", ["UnknownKeyId"], sk, _with_header(req, 2, 0x16, 1, 3)),
        ("KEM X25519 (0x0020)", ["UnsupportedSuite"], sk, _with_header(req, 1, 0x20, 1, 3)),
        ("KDF HKDF-SHA384 (0x0002)", ["UnsupportedSuite"], sk, _with_header(req, 1, 0x16, 2, 3)),
        ("AEAD AES-128-GCM (0x0001)", ["UnsupportedSuite"], sk, _with_header(req, 1, 0x16, 1, 1)),
        ("enc's point format byte 0x04 flipped to 0x05", ["Tampered"], sk, flip_bit(req, enc_at)),
        ("a bit of enc's x coordinate flipped", ["Tampered"], sk, flip_bit(req, enc_at + 20)),
        ("a bit of the ciphertext flipped", ["Tampered"], sk, flip_bit(req, ct_at + 4000)),
        ("the last bit of the tag flipped", ["Tampered"], sk, flip_bit(req, len(req) - 1)),
        ("6 bytes: the header is cut", ["Truncated"], sk, req[:6]),
        ("71 bytes: enc is cut", ["Truncated"], sk, req[: ct_at - 1]),
        ("87 bytes: less ciphertext than a tag", ["Truncated"], sk, req[: ct_at + 15]),
        ("8191 bytes: the last byte is missing", ["Truncated"], sk, req[:-1]),
        ("8193 bytes: one byte too many", ["Truncated"], sk, req + b"\x00"),
    ]
    for comment, flags, key, request in cases:
        tests.append(_open_case(ids, comment, flags, sk=key, config=config, request=request))
    return {"type": "OhttpRequestOpen", "kem_id": 0x16, "kdf_id": 1, "aead_id": 3, "tests": tests}


def _context_source(exchange: _Exchange, *, gateway_side: bool) -> Json:
    """The tcId of the request case whose context a response case uses."""
    return {"context_source": exchange.open_tc if gateway_side else exchange.seal_tc}


def _response_seal_group(ids: CaseIds, get: _Exchange, post: _Exchange) -> Json:
    cases: list[tuple[str, list[str], _Exchange, BhttpResponse, bytes]] = [
        (
            "202 Accepted to the receiver's poll",
            ["DerivedVector"],
            get,
            BhttpResponse(202),
            RESPONSE_NONCE_202,
        ),
        (
            "200 OK carrying message B",
            ["DerivedVector"],
            post,
            BhttpResponse(200, body=message_b()),
            RESPONSE_NONCE_200,
        ),
        (
            "200 OK without content, the mailroom's answer to a POST",
            [],
            post,
            BhttpResponse(200),
            RESPONSE_NONCE_200_EMPTY,
        ),
    ]
    tests: list[Json] = []
    for comment, flags, exchange, bhttp_response, nonce in cases:
        message = bhttp.encode_response(bhttp_response)
        response = ohttp.seal_response(exchange.context, message, response_nonce=nonce)
        keys = ohttp.response_keys(exchange.context, nonce)
        tests.append(
            case(
                ids,
                comment,
                ["Bip77", "FixedResponseNonce", "ContextHandle", *flags],
                op="ohttp.response.seal",
                args={
                    "context": exchange.context.to_bytes().hex(),
                    "bhttp": message.hex(),
                    "response_nonce": nonce.hex(),
                },
                expected={"response": response.hex()},
                intermediates={
                    **_context_source(exchange, gateway_side=True),
                    "secret": exchange.context.secret.hex(),
                    "aead_key": keys.key.hex(),
                    "aead_nonce": keys.nonce.hex(),
                    "sha256": hashlib.sha256(response).hexdigest(),
                },
            )
        )
    exact = _response_of_size(ohttp.PADDED_BHTTP_RES_BYTES)
    for comment, flags, message in (
        ("a BHTTP response of exactly 8144 bytes", ["MaxBody"], exact),
        ("a BHTTP response of 8145 bytes does not fit", ["Oversize"], exact + b"\x00"),
    ):
        args = {
            "context": post.context.to_bytes().hex(),
            "bhttp": message.hex(),
            "response_nonce": RESPONSE_NONCE_200_EMPTY.hex(),
        }
        all_flags = ["Bip77", "FixedResponseNonce", "ContextHandle", *flags]
        source = _context_source(post, gateway_side=True)

        def seal(message: bytes = message) -> tuple[Json, Json]:
            response = ohttp.seal_response(
                post.context, message, response_nonce=RESPONSE_NONCE_200_EMPTY
            )
            return {"response": response.hex()}, {}

        tests.append(
            outcome_case(
                ids,
                comment,
                all_flags,
                op="ohttp.response.seal",
                args=args,
                run=seal,
                intermediates=source,
            )
        )
    return {"type": "OhttpResponseSeal", "kem_id": 0x16, "kdf_id": 1, "aead_id": 3, "tests": tests}


def _response_open_group(ids: CaseIds, get: _Exchange, post: _Exchange) -> Json:
    r202 = ohttp.seal_response(
        get.context, bhttp.encode_response(BhttpResponse(202)), response_nonce=RESPONSE_NONCE_202
    )
    r200 = ohttp.seal_response(
        post.context,
        bhttp.encode_response(BhttpResponse(200, body=message_b())),
        response_nonce=RESPONSE_NONCE_200,
    )
    cases: list[tuple[str, list[str], _Exchange, bytes]] = [
        ("202 Accepted", ["DerivedVector"], get, r202),
        ("200 OK carrying message B", ["DerivedVector"], post, r200),
        ("8191 bytes: the last byte is missing", ["InvalidSize"], get, r202[:-1]),
        ("8193 bytes: one byte too many", ["InvalidSize"], get, r202 + b"\x00"),
        ("an empty body", ["InvalidSize"], get, b""),
        ("a bit of the response nonce flipped", ["Tampered"], get, flip_bit(r202, 3)),
        ("a bit of the ciphertext flipped", ["Tampered"], get, flip_bit(r202, 4000)),
        ("the last bit of the tag flipped", ["Tampered"], get, flip_bit(r202, len(r202) - 1)),
        ("opened with the context of another request", ["WrongKey"], post, r202),
    ]
    tests: list[Json] = []
    for comment, flags, exchange, response in cases:
        tests.append(_response_open_case(ids, comment, flags, exchange, response))
    whole = get.context.to_bytes()
    for comment, cut in (
        ("the context without the last byte of its secret", whole[:-1]),
        ("the context cut inside enc", whole[:20]),
    ):
        args = {"context": cut.hex(), "response": r202.hex()}

        def open_cut(cut: bytes = cut) -> tuple[Json, Json]:
            context = ohttp.ExchangeContext.from_bytes(cut)
            return {"bhttp": ohttp.open_response(context, r202).hex()}, {}

        source = {"truncated_from": get.seal_tc}
        tests.append(
            outcome_case(
                ids,
                comment,
                ["Bip77", "TruncatedContext"],
                op="ohttp.response.open",
                args=args,
                run=open_cut,
                intermediates=source,
            )
        )
    return {"type": "OhttpResponseOpen", "kem_id": 0x16, "kdf_id": 1, "aead_id": 3, "tests": tests}


def _response_open_case(
    ids: CaseIds,
    comment: str,
    flags: list[str],
    exchange: _Exchange,
    response: bytes,
) -> Json:
    """One ``ohttp.response.open`` case, its outcome whatever the reference's is."""
    args = {"context": exchange.context.to_bytes().hex(), "response": response.hex()}

    def open_() -> tuple[Json, Json]:
        plaintext = ohttp.open_response(exchange.context, response)
        message = bhttp.encode_response(bhttp.decode_response(plaintext))
        return {"bhttp": plaintext.hex()}, {"bhttp_message": message.hex()}

    return outcome_case(
        ids,
        comment,
        ["Bip77", "ContextHandle", *flags],
        op="ohttp.response.open",
        args=args,
        run=open_,
        intermediates=_context_source(exchange, gateway_side=False),
    )


def _request_boundary_group(ids: CaseIds, get: _Exchange) -> Json:
    """Requests cut at each edge of header, enc and tag, and an authentic empty one."""
    sk, config, req = get.sk, get.config, get.request
    enc_end = ohttp.HEADER_SIZE + 65
    cases: list[tuple[str, bytes]] = [
        ("7 bytes: exactly the header", req[: ohttp.HEADER_SIZE]),
        ("8 bytes: the header and one byte of enc", req[: ohttp.HEADER_SIZE + 1]),
        ("72 bytes: exactly header and enc, no ciphertext", req[:enc_end]),
        ("88 bytes: header, enc and 16 bytes that are not a tag", req[: enc_end + 16]),
    ]
    tests = [
        _open_case(ids, comment, ["RequestBoundary"], sk=sk, config=config, request=request)
        for comment, request in cases
    ]
    empty, _ = ohttp.encapsulate_request(config, b"", sk_e=OHTTP_GET.secret)
    args = {
        "gateway_sk": sk.hex(),
        "key_config": config.encode().hex(),
        "request": empty.hex(),
        "gateway_ikm": TEST_IKM.hex(),
    }

    def run() -> tuple[Json, Json]:
        plaintext, _ = ohttp.open_request(sk, config, empty)
        return {"bhttp": plaintext.hex()}, {}

    tests.append(
        outcome_case(
            ids,
            "88 bytes: an authentic request of an empty plaintext (header, enc and the tag)",
            ["RequestBoundary"],
            op="ohttp.request.open",
            args=args,
            run=run,
        )
    )
    return {"type": "OhttpRequestOpen", "kem_id": 0x16, "kdf_id": 1, "aead_id": 3, "tests": tests}


def _response_boundary_group(ids: CaseIds, get: _Exchange) -> Json:
    """Responses of the nonce's size, one byte less, and nonce and tag: all the wrong size."""
    size = ohttp.response_nonce_size(get.context)
    r202 = ohttp.seal_response(
        get.context, bhttp.encode_response(BhttpResponse(202)), response_nonce=RESPONSE_NONCE_202
    )
    tests: list[Json] = []
    for comment, response in (
        (f"{size} bytes: exactly the response nonce", r202[:size]),
        (f"{size - 1} bytes: one byte less than the nonce", r202[: size - 1]),
        (f"{size + 16} bytes: the nonce and a tag's length", r202[: size + 16]),
    ):

        def open_(response: bytes = response) -> tuple[Json, Json]:
            return {"bhttp": ohttp.open_response(get.context, response).hex()}, {}

        tests.append(
            outcome_case(
                ids,
                comment,
                ["Bip77", "ContextHandle", "ResponseBoundary"],
                op="ohttp.response.open",
                args={"context": get.context.to_bytes().hex(), "response": response.hex()},
                run=open_,
                intermediates=_context_source(get, gateway_side=False),
            )
        )
    return {"type": "OhttpResponseOpen", "kem_id": 0x16, "kdf_id": 1, "aead_id": 3, "tests": tests}


def _context(kem_id: int, kdf_id: int, aead_id: int, enc: bytes, secret: bytes) -> bytes:
    """pjconf's serialized exchange context with the given fields (see ``ExchangeContext``)."""
    return ohttp.ExchangeContext(kem_id, kdf_id, aead_id, enc, secret).to_bytes()


def _context_edge_groups(ids: CaseIds, get: _Exchange) -> list[Json]:
    """Contexts that are not pjconf's serialization, or name a suite BIP 77 never uses: every
    one refused before the response is looked at (which is an authentic 8192-byte 202)."""
    whole, enc, secret = get.context.to_bytes(), get.context.enc, get.context.secret
    r202 = ohttp.seal_response(
        get.context, bhttp.encode_response(BhttpResponse(202)), response_nonce=RESPONSE_NONCE_202
    )
    x448, sha384, unassigned, export_only = 0x0021, 0x0002, 0x0004, 0xFFFF
    opened: list[tuple[str, str, bytes]] = [
        ("format version byte 0x02, the rest intact", "MalformedContext", b"\x02" + whole[1:]),
        ("7 bytes: version and suite ids, no enc length", "MalformedContext", whole[:7]),
        ("8 bytes: an enc length of 0 and nothing after it", "MalformedContext", whole[:7] + b"\0"),
        ("73 bytes: enc complete, no secret", "MalformedContext", whole[: 8 + len(enc)]),
        ("a secret one byte longer than max(Nn, Nk)", "MalformedContext", whole + b"\0"),
        (
            "KEM 0x0021 (DHKEM(X448)), enc complete, no secret: parsed before its suite is used",
            "MalformedContext",
            _context(x448, 1, 3, enc, secret)[: 8 + len(enc)],
        ),
        ("KEM 0x0021 (DHKEM(X448))", "ContextSuite", _context(x448, 1, 3, enc, secret)),
        ("KDF 0x0002 (HKDF-SHA384)", "ContextSuite", _context(0x16, sha384, 3, enc, secret)),
        ("AEAD 0x0004 (unassigned)", "ContextSuite", _context(0x16, 1, unassigned, enc, secret)),
        ("AEAD 0xffff (export-only)", "ContextSuite", _context(0x16, 1, export_only, enc, secret)),
    ]
    open_tests: list[Json] = []
    for comment, flag, context in opened:

        def open_(context: bytes = context) -> tuple[Json, Json]:
            exchange = ohttp.ExchangeContext.from_bytes(context)
            return {"bhttp": ohttp.open_response(exchange, r202).hex()}, {}

        open_tests.append(
            outcome_case(
                ids,
                f"open a 202 with a context: {comment}",
                ["Bip77", flag],
                op="ohttp.response.open",
                args={"context": context.hex(), "response": r202.hex()},
                run=open_,
                intermediates={"derived_from": get.seal_tc},
            )
        )
    aes_secret = get.context.secret[:16]  # max(Nn, Nk) of AES-128-GCM
    aes = _context(0x16, 1, 1, enc, aes_secret)
    sealed: list[tuple[str, str, bytes]] = [
        ("format version byte 0x02, the rest intact", "MalformedContext", b"\x02" + whole[1:]),
        ("AEAD 0x0001 (AES-128-GCM, a 16-byte nonce)", "ContextSuite", aes),
        ("KEM 0x0021 (DHKEM(X448))", "ContextSuite", _context(x448, 1, 3, enc, secret)),
    ]
    message = bhttp.encode_response(BhttpResponse(202))
    seal_tests: list[Json] = []
    for comment, flag, context in sealed:

        def seal(context: bytes = context) -> tuple[Json, Json]:
            exchange = ohttp.ExchangeContext.from_bytes(context)
            response = ohttp.seal_response(exchange, message, response_nonce=RESPONSE_NONCE_202)
            return {"response": response.hex()}, {}

        seal_tests.append(
            outcome_case(
                ids,
                f"seal a 202 with a context: {comment}",
                ["Bip77", "FixedResponseNonce", flag],
                op="ohttp.response.seal",
                args={
                    "context": context.hex(),
                    "bhttp": message.hex(),
                    "response_nonce": RESPONSE_NONCE_202.hex(),
                },
                run=seal,
                intermediates={"derived_from": get.open_tc},
            )
        )
    suite = {"kem_id": 0x16, "kdf_id": 1, "aead_id": 3}
    return [
        {"type": "OhttpResponseOpen", **suite, "tests": open_tests},
        {"type": "OhttpResponseSeal", **suite, "tests": seal_tests},
    ]


def _header_only_group(ids: CaseIds, get: _Exchange) -> Json:
    """Requests of exactly a header whose key id or KEM is not the gateway's."""
    tests = [
        _open_case(
            ids,
            comment,
            ["HeaderOnly"],
            sk=get.sk,
            config=get.config,
            request=ohttp.request_header(key_id, kem, 1, 3),
        )
        for comment, key_id, kem in (
            ("7 bytes: exactly a header naming key id 2", 2, 0x16),
            ("7 bytes: exactly a header naming KEM X25519 (0x0020)", 1, 0x20),
        )
    ]
    return {"type": "OhttpRequestOpen", "kem_id": 0x16, "kdf_id": 1, "aead_id": 3, "tests": tests}


def _aes_first_group(ids: CaseIds, get: _Exchange) -> Json:
    """Key configurations whose first suite is AES-128-GCM: what bitcoin-ohttp 0.6 picks."""
    aes, chacha = (1, 1), (1, 3)
    tests: list[Json] = []
    for comment, suites in (
        ("AES-128-GCM listed before ChaCha20-Poly1305", (aes, chacha)),
        ("AES-128-GCM only", (aes,)),
    ):
        config = OhttpKeyConfig(get.config.key_id, get.config.kem_id, get.config.pk, suites)

        def seal(config: OhttpKeyConfig = config) -> tuple[Json, Json]:
            request, _ = ohttp.seal_request(config, get.message, pad="zero", sk_e=OHTTP_GET.secret)
            return {"request": request.hex()}, {}

        tests.append(
            outcome_case(
                ids,
                f"seal the receiver's poll to a key configuration with {comment}",
                ["Bip77", "AesGcmFirst"],
                op="ohttp.request.seal",
                args={
                    "key_config": config.encode().hex(),
                    "bhttp": get.message.hex(),
                    "sk_e": OHTTP_GET.secret.hex(),
                    "pad": "zero",
                },
                run=seal,
            )
        )
    return {"type": "OhttpRequestSeal", "kem_id": 0x16, "kdf_id": 1, "aead_id": 3, "tests": tests}


def exchanges() -> tuple[_Exchange, _Exchange]:
    """The receiver poll and sender POST requests every BIP 77 group refers to."""
    get = _Exchange(bhttp.encode_request(receiver_poll()), OHTTP_GET.secret)
    post = _Exchange(bhttp.encode_request(sender_post()), OHTTP_POST.secret)
    return get, post


def generate() -> Json:
    ids = CaseIds()
    get, post = exchanges()
    groups = [
        _rfc_group(ids),
        _request_seal_group(ids, get, post),
        _request_open_group(ids, get, post),
        _response_seal_group(ids, get, post),
        _response_open_group(ids, get, post),
        _request_boundary_group(ids, get),
        _response_boundary_group(ids, get),
        *_context_edge_groups(ids, get),
        _header_only_group(ids, get),
        _aes_first_group(ids, get),
    ]
    return envelope(FAMILY, module=__name__, sources=SOURCES, notes=NOTES, groups=groups)
