"""The reference and rust-payjoin 1.0 against each other, through the adapter protocol.

Every message one side seals, the other must open; every value both compute, they must agree
on; every payjoin 1.0 event text must survive a round trip through the real crate unchanged.
An op the Rust adapter answers ``unimplemented`` fails here: this suite is the proof that the
reference interoperates, and a skipped half of it would prove nothing.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from pjconf.harness.implementations.client import Reply
from pjconf.harness.implementations.docker import DockerClient
from pjconf.harness.vectorgen.fixtures import (
    BIP78_ORIGINAL_PSBT_BASE64,
    SERIALIZED_BODY_V2,
    named_key,
)
from pjconf.harness.vectorgen.session_log_texts import RECEIVER_EVENTS, SENDER_EVENTS
from pjconf.reference.bip77 import bhttp, messages, ohttp
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.bip77.short_id import format_short_id, short_id
from pjconf.reference.bip77.uri import PjUri, format_uri, new_pj_param, parse_uri, uri_to_protocol
from pjconf.reference.crypto import ellswift, hpke
from pjconf.reference.crypto.secp256k1 import KeyPair
from pjconf.reference.entropy import SeededRandom

pytestmark = [pytest.mark.docker, pytest.mark.rust]

RECEIVER = named_key("receiver")
REPLY = named_key("reply")
SUITE = hpke.SECP256K1_CHACHA
GATEWAY_IKM = hashlib.sha256(b"BIP77 test gateway ikm").digest()
"""bitcoin-ohttp builds a gateway only from a seed, so the gateway key is derived from one."""
GATEWAY = KeyPair.from_secret(SUITE.derive_key_pair(GATEWAY_IKM)[0])
CONFIG = OhttpKeyConfig(key_id=1, kem_id=0x0016, pk=GATEWAY.public, suites=[(1, 3)])
GET_REQUEST = bhttp.encode_request(bhttp.request_for_url("GET", "https://payjo.in/TYJLPCFLQVTQQ"))


def ok(reply: Reply) -> dict[str, Any]:
    assert reply.kind == "result", f"rust-payjoin answered {reply.kind}: {reply.value}"
    return reply.value


def h(data: bytes) -> str:
    return data.hex()


# --- messages A and B ----------------------------------------------------------------------


def test_python_seals_message_a_rust_opens(rust: DockerClient) -> None:
    msg = messages.seal_message_a(SERIALIZED_BODY_V2, RECEIVER.public_key, REPLY.public_key)
    out = ok(rust.call("bip77.msg_a.open", {"receiver_sk": h(RECEIVER.secret), "msg": h(msg)}))
    assert out["reply_pk"] == h(REPLY.public_compressed)
    assert bytes.fromhex(out["plaintext"]).rstrip(b"\0") == SERIALIZED_BODY_V2


def test_rust_seals_message_a_python_opens(rust: DockerClient) -> None:
    args = {
        "receiver_pk": h(RECEIVER.public_compressed),
        "reply_pk": h(REPLY.public_compressed),
        "body": h(SERIALIZED_BODY_V2),
    }
    msg = bytes.fromhex(ok(rust.call("bip77.msg_a.seal", args))["msg"])
    assert len(msg) == messages.PADDED_MESSAGE_BYTES
    reply_pk, body = messages.open_message_a(msg, RECEIVER)
    assert reply_pk == REPLY.public_compressed
    assert body.rstrip(b"\0") == SERIALIZED_BODY_V2


def test_python_seals_message_b_rust_opens(rust: DockerClient) -> None:
    msg = messages.seal_message_b(b"proposal bytes", RECEIVER, REPLY.public_key)
    args = {
        "reply_sk": h(REPLY.secret),
        "receiver_pk": h(RECEIVER.public_compressed),
        "msg": h(msg),
    }
    plaintext = bytes.fromhex(ok(rust.call("bip77.msg_b.open", args))["plaintext"])
    assert plaintext.rstrip(b"\0") == b"proposal bytes"


def test_rust_seals_message_b_python_opens(rust: DockerClient) -> None:
    args = {
        "receiver_sk": h(RECEIVER.secret),
        "reply_pk": h(REPLY.public_compressed),
        "body": h(b"pj"),
    }
    msg = bytes.fromhex(ok(rust.call("bip77.msg_b.seal", args))["msg"])
    assert messages.open_message_b(msg, REPLY, RECEIVER.public_key).rstrip(b"\0") == b"pj"


# --- HPKE ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["base", "auth"])
def test_python_seals_hpke_rust_opens(rust: DockerClient, mode: str) -> None:
    auth = mode == "auth"
    enc, ct = SUITE.seal(
        RECEIVER.public,
        b"info",
        b"aad",
        b"plaintext",
        mode=hpke.Mode.AUTH if auth else hpke.Mode.BASE,
        sk_s=REPLY.secret if auth else None,
    )
    args = {
        "mode": mode,
        "sk_r": h(RECEIVER.secret),
        "enc": h(enc),
        "info": h(b"info"),
        "aad": h(b"aad"),
        "ct": h(ct),
    }
    if auth:
        args["pk_s"] = h(REPLY.public)
    assert ok(rust.call("hpke.open", args))["pt"] == h(b"plaintext")


@pytest.mark.parametrize("mode", ["base", "auth"])
def test_rust_seals_hpke_python_opens(rust: DockerClient, mode: str) -> None:
    auth = mode == "auth"
    args = {
        "mode": mode,
        "pk_r": h(RECEIVER.public),
        "info": h(b"info"),
        "aad": h(b"aad"),
        "pt": h(b"plaintext"),
    }
    if auth:
        args["sk_s"] = h(REPLY.secret)
    out = ok(rust.call("hpke.seal", args))
    pt = SUITE.open(
        bytes.fromhex(out["enc"]),
        RECEIVER.secret,
        b"info",
        b"aad",
        bytes.fromhex(out["ct"]),
        mode=hpke.Mode.AUTH if auth else hpke.Mode.BASE,
        pk_s=REPLY.public if auth else None,
    )
    assert pt == b"plaintext"


# --- OHTTP -----------------------------------------------------------------------------------


def test_ohttp_python_client_rust_gateway(rust: DockerClient) -> None:
    request, client_ctx = ohttp.seal_request(CONFIG, GET_REQUEST)
    args = {
        "gateway_sk": h(GATEWAY.secret),
        "gateway_ikm": h(GATEWAY_IKM),
        "key_config": h(CONFIG.encode()),
        "request": h(request),
    }
    opened = ok(rust.call("ohttp.request.open", args))
    assert bhttp.decode_request(bytes.fromhex(opened["bhttp"])) == bhttp.decode_request(GET_REQUEST)
    response_message = bhttp.encode_response(bhttp.BhttpResponse(202, (), b""))
    sealed = ok(
        rust.call(
            "ohttp.response.seal", {"context": opened["context"], "bhttp": h(response_message)}
        )
    )
    plain = ohttp.open_response(client_ctx, bytes.fromhex(sealed["response"]))
    assert bhttp.decode_response(plain).status == 202


def test_ohttp_rust_client_python_gateway(rust: DockerClient) -> None:
    sealed = ok(
        rust.call("ohttp.request.seal", {"key_config": h(CONFIG.encode()), "bhttp": h(GET_REQUEST)})
    )
    request = bytes.fromhex(sealed["request"])
    assert len(request) == 8192
    plain, server_ctx = ohttp.open_request(GATEWAY.secret, CONFIG, request)
    assert bhttp.decode_request(plain) == bhttp.decode_request(GET_REQUEST)
    body = bhttp.encode_response(bhttp.BhttpResponse(200, (), b"message B"))
    response = ohttp.seal_response(server_ctx, body)
    opened = ok(
        rust.call("ohttp.response.open", {"context": sealed["context"], "response": h(response)})
    )
    assert bhttp.decode_response(bytes.fromhex(opened["bhttp"])).body == b"message B"


def test_ohttp_key_config_decodes_alike(rust: DockerClient) -> None:
    out = ok(rust.call("ohttp.keys.decode", {"bytes": h(CONFIG.encode())}))
    assert (out["key_id"], out["kem_id"], out["pk"]) == (1, 0x0016, h(GATEWAY.public))
    assert out["suites"] == [[1, 3]]


# --- ElligatorSwift, ShortId, URI --------------------------------------------------------------


def test_ellswift_decodes_to_the_same_point(rust: DockerClient) -> None:
    rng = SeededRandom("interop ellswift")
    samples = [bytes(64), b"\xff" * 64, *(rng.random_bytes(64) for _ in range(48))]
    for ell in samples:
        assert ok(rust.call("ellswift.decode", {"ell64": h(ell)}))["pk"] == h(ellswift.decode(ell))


def test_ellswift_encodings_match_with_zero_randomness(rust: DockerClient) -> None:
    for name in ("receiver", "reply", "ephemeral A", "ephemeral B"):
        key = named_key(name)
        out = ok(
            rust.call("ellswift.encode", {"pk": h(key.public_compressed), "rnd32": h(bytes(32))})
        )
        assert out["ell64"] == h(ellswift.encode(key.public))


def _core(result: dict[str, Any]) -> dict[str, Any]:
    pj = result["pj"]
    keys = ("directory", "mailbox", "receiver_pk", "ohttp_keys", "expiration")
    return {
        "address": result["address"],
        "amount": result["amount"],
        "output_substitution": result["output_substitution"],
        "pj": {k: pj[k] for k in keys},
    }


def _generated_uris(count: int) -> list[str]:
    rng = SeededRandom("interop uris")
    uris = []
    for index in range(count):
        receiver = KeyPair.generate(rng)
        gateway = KeyPair.generate(rng)
        config = OhttpKeyConfig(
            key_id=1 + index % 255, kem_id=0x0016, pk=gateway.public, suites=[(1, 3)]
        )
        expiration = 1_700_000_000 + int.from_bytes(rng.random_bytes(3), "big")
        pj = new_pj_param(
            f"https://dir{index}.example/", receiver.public_compressed, config, expiration
        )
        amount = None if index % 3 == 0 else int.from_bytes(rng.random_bytes(4), "big")
        uri = PjUri(
            address="bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            amount=amount,
            pj=pj,
            output_substitution=index % 2 == 0,
        )
        uris.append(format_uri(uri))
    return uris


BIP78_PAYEE = "2N47mmrWXsNBvQR6k78hWJoTji57zXwNcU7"
"""The testnet P2SH address BIP 78's Original PSBT pays (output script a914774096…87)."""

BIP77_EXAMPLE = (
    "bitcoin:12c6DSiU4Rq3P4ZxziKxzrL5LmMBrzjrJX?amount=0.01&pjos=0&pj=HTTPS://EXAMPLE.COM/"
    "TXJCGKTKXLUUZ%23EX1C4UC6ES-OH1QYPM5JXYNS754Y4R45QWE336QFX6ZR8DQGVQCULVZTV20TFVEYDMFQC-"
    "RK1Q0DJS3VVDXWQQTLQ8022QGXSX7ML9PHZ6EDSF6AKEWQG758JPS2EV"
)


@pytest.mark.parametrize("uri", [BIP77_EXAMPLE, *_generated_uris(24)])
def test_uri_parse_agrees(rust: DockerClient, uri: str) -> None:
    assert _core(ok(rust.call("uri.parse", {"uri": uri}))) == _core(uri_to_protocol(parse_uri(uri)))


def test_short_ids_agree(rust: DockerClient) -> None:
    for name in ("receiver", "reply", "gateway"):
        key = named_key(name)
        out = ok(rust.call("short_id", {"pk": h(key.public_compressed)}))
        assert out == ok_reference_short_id(key)


def ok_reference_short_id(key: KeyPair) -> dict[str, str]:
    mailbox = short_id(key.public_compressed)
    return {"id": mailbox.hex(), "text": format_short_id(mailbox)}


# --- payjoin 1.0 event JSON ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "name", "text"),
    [("receiver", n, t) for n, t in RECEIVER_EVENTS.items()]
    + [("sender", n, t) for n, t in SENDER_EVENTS.items()],
    ids=[*RECEIVER_EVENTS, *SENDER_EVENTS],
)
def test_event_round_trips_through_rust_unchanged(
    rust: DockerClient, role: str, name: str, text: str
) -> None:
    out = ok(rust.call("event.roundtrip", {"role": role, "event": text}))
    assert out["event"] == text


def test_rust_refuses_a_bare_string_for_an_empty_tuple_variant(rust: DockerClient) -> None:
    """serde: ``{"X":[]}`` is the only spelling of ``X()``; ``"X"`` is a decode error."""
    reply = rust.call("event.roundtrip", {"role": "receiver", "event": '"CheckedInputsNotOwned"'})
    assert (reply.kind, reply.value.get("kind")) == ("error", "DecodeError")


# --- sessions created by Rust ------------------------------------------------------------------


def test_rust_receiver_created_event_has_the_documented_shape(rust: DockerClient) -> None:
    out = ok(
        rust.call(
            "session.new_receiver",
            {
                "address": "tb1q6d3a2w975yny0asuvd9a67ner4nks58ff0q8g4",
                "directory": "https://example.com/",
                "ohttp_keys": h(CONFIG.encode()),
                "expiration": 1_800_000_000,
            },
        )
    )
    (created,) = out["appended"]
    event = json.loads(created)
    assert list(event) == ["Created"]
    fields = event["Created"]
    assert list(fields) == [
        "address",
        "directory",
        "ohttp_keys",
        "expiration",
        "amount",
        "receiver_key",
        "reply_key",
        "max_fee_rate",
    ]
    assert fields["ohttp_keys"] == list(CONFIG.encode())
    secret, public = fields["receiver_key"]
    assert KeyPair.from_secret(bytes(secret)).public == bytes(public)
    assert parse_uri(out["pj_uri"]).pj is not None


def test_rust_sender_created_event_has_the_documented_shape(rust: DockerClient) -> None:
    receiver = rust.call(
        "session.new_receiver",
        {
            "address": BIP78_PAYEE,
            "directory": "https://example.com/",
            "ohttp_keys": h(CONFIG.encode()),
            "expiration": 4_000_000_000,
        },
    )
    out = ok(
        rust.call(
            "session.new_sender",
            {
                "psbt": BIP78_ORIGINAL_PSBT_BASE64,
                "pj_uri": ok(receiver)["pj_uri"],
                "min_fee_rate": 250,
            },
        )
    )
    (created,) = out["appended"]
    fields = json.loads(created)["Created"]
    assert list(fields) == ["pj_param", "psbt_ctx", "reply_key"]
    assert list(fields["pj_param"]) == [
        "directory",
        "id",
        "expiration",
        "ohttp_keys",
        "receiver_pubkey",
    ]
    assert len(fields["reply_key"]) == 32
