"""Every built rust-payjoin version, through the ops that call payjoin's own hpke and ohttp code.

ci/build-rust-payjoin.sh builds one image per version under ``adapters/rust-payjoin/versions/``;
the rest of this suite runs against 1.0.0. These few cases (one container per version, well
under a second each) check on every version that hello names the crate version built and that
messages A and B and an OHTTP exchange made by payjoin's ``hpke``/``ohttp`` functions interoperate
with the reference.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from interop.test_rust_payjoin import (
    CONFIG,
    GATEWAY,
    GET_REQUEST,
    RECEIVER,
    REPLY,
    h,
    ok,
)

from pjconf.harness.implementations.docker import DockerClient, image_present
from pjconf.harness.vectorgen.fixtures import SERIALIZED_BODY_V2
from pjconf.reference.bip77 import bhttp, messages, ohttp

pytestmark = [pytest.mark.docker, pytest.mark.rust]

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = sorted(
    (p.name for p in (ROOT / "adapters" / "rust-payjoin" / "versions").iterdir() if p.is_dir()),
    key=lambda v: tuple(int(x) for x in v.split(".")),
)


@pytest.fixture(scope="module", params=VERSIONS)
def versioned(
    request: pytest.FixtureRequest, docker_engine: Any
) -> Iterator[tuple[str, DockerClient]]:
    version: str = request.param
    image = f"pjconf/rust-payjoin:{version}"
    if not image_present(docker_engine, image):
        assert shutil.which("cargo"), "cargo is required to build the rust-payjoin adapter"
        subprocess.run(["bash", str(ROOT / "ci" / "build-rust-payjoin.sh"), version], check=True)
    client = DockerClient(image, timeout=30)
    yield version, client
    client.close()


def test_hello_names_the_crate_version_built(versioned: tuple[str, DockerClient]) -> None:
    version, rust = versioned
    hello = ok(rust.call("hello", {}))
    assert (hello["implementation"], hello["version"]) == ("rust-payjoin", version)


def test_messages_a_and_b_both_ways(versioned: tuple[str, DockerClient]) -> None:
    _, rust = versioned
    msg = messages.seal_message_a(SERIALIZED_BODY_V2, RECEIVER.public_key, REPLY.public_key)
    out = ok(rust.call("bip77.msg_a.open", {"receiver_sk": h(RECEIVER.secret), "msg": h(msg)}))
    assert out["reply_pk"] == h(REPLY.public_compressed)
    assert bytes.fromhex(out["plaintext"]).rstrip(b"\0") == SERIALIZED_BODY_V2
    args = {
        "receiver_pk": h(RECEIVER.public_compressed),
        "reply_pk": h(REPLY.public_compressed),
        "body": h(b"original"),
    }
    sealed = bytes.fromhex(ok(rust.call("bip77.msg_a.seal", args))["msg"])
    assert messages.open_message_a(sealed, RECEIVER)[1].rstrip(b"\0") == b"original"

    msg_b = messages.seal_message_b(b"proposal", RECEIVER, REPLY.public_key)
    args = {
        "reply_sk": h(REPLY.secret),
        "receiver_pk": h(RECEIVER.public_compressed),
        "msg": h(msg_b),
    }
    assert bytes.fromhex(ok(rust.call("bip77.msg_b.open", args))["plaintext"]).rstrip(b"\0") == (
        b"proposal"
    )
    args = {
        "receiver_sk": h(RECEIVER.secret),
        "reply_pk": h(REPLY.public_compressed),
        "body": "706a",
    }
    sealed_b = bytes.fromhex(ok(rust.call("bip77.msg_b.seal", args))["msg"])
    assert messages.open_message_b(sealed_b, REPLY, RECEIVER.public_key).rstrip(b"\0") == b"pj"


def test_ohttp_client_exchange(versioned: tuple[str, DockerClient]) -> None:
    _, rust = versioned
    sealed = ok(
        rust.call("ohttp.request.seal", {"key_config": h(CONFIG.encode()), "bhttp": h(GET_REQUEST)})
    )
    plain, server_ctx = ohttp.open_request(GATEWAY.secret, CONFIG, bytes.fromhex(sealed["request"]))
    assert bhttp.decode_request(plain) == bhttp.decode_request(GET_REQUEST)
    body = bhttp.encode_response(bhttp.BhttpResponse(200, (), b"message B"))
    response = ohttp.seal_response(server_ctx, body)
    opened = ok(
        rust.call("ohttp.response.open", {"context": sealed["context"], "response": h(response)})
    )
    decoded = bhttp.decode_response(bytes.fromhex(opened["bhttp"]))
    assert (decoded.status, decoded.body) == (200, b"message B")
