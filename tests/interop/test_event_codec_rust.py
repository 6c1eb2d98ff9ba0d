"""The event codecs against payjoin 1.0 itself: the adapter's ``event.roundtrip`` is
``serde_json::to_string(serde_json::from_str::<SessionEvent>(text))``, so a Python-encoded event
of any variant must come back byte for byte, and the crate's own ``Created`` events must decode
in Python and re-encode to the same text.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from psbt_fixtures import BIP78_PSBTS
from reference.session.event_strategies import receiver_events, sender_events

from pjconf.harness.implementations.client import Reply
from pjconf.harness.implementations.docker import DockerClient
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.crypto.secp256k1 import public_key
from pjconf.reference.session import json_codec

pytestmark = [pytest.mark.docker, pytest.mark.rust]

INTEROP = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CONFIG = OhttpKeyConfig.bip77(1, public_key(bytes(31) + b"\x07", compressed=True))


def ok(reply: Reply) -> dict[str, Any]:
    assert reply.kind == "result", reply
    return reply.value


def roundtrip(rust: DockerClient, role: str, text: str) -> str:
    return str(ok(rust.call("event.roundtrip", {"role": role, "event": text}))["event"])


@INTEROP
@given(event=receiver_events(rust_safe=True))
def test_receiver_events_survive_the_crate(rust: DockerClient, event: Any) -> None:
    text = json_codec.encode_receiver_event(event)
    assert roundtrip(rust, "receiver", text) == text


@INTEROP
@given(event=sender_events(rust_safe=True))
def test_sender_events_survive_the_crate(rust: DockerClient, event: Any) -> None:
    text = json_codec.encode_sender_event(event)
    assert roundtrip(rust, "sender", text) == text


def _new_receiver(rust: DockerClient) -> dict[str, Any]:
    return ok(
        rust.call(
            "session.new_receiver",
            {
                "address": "2N47mmrWXsNBvQR6k78hWJoTji57zXwNcU7",
                "directory": "https://example.com/",
                "ohttp_keys": CONFIG.encode().hex(),
                "amount": 2_000_000,
            },
        )
    )


def test_rust_receiver_created_decodes_and_reencodes(rust: DockerClient) -> None:
    (created,) = _new_receiver(rust)["appended"]
    assert json_codec.encode_receiver_event(json_codec.decode_receiver_event(created)) == created


def test_rust_sender_created_decodes_and_reencodes(rust: DockerClient) -> None:
    out = ok(
        rust.call(
            "session.new_sender",
            {
                "psbt": BIP78_PSBTS[sorted(BIP78_PSBTS)[0]],
                "pj_uri": _new_receiver(rust)["pj_uri"],
                "min_fee_rate": 250,
            },
        )
    )
    (created,) = out["appended"]
    assert json_codec.encode_sender_event(json_codec.decode_sender_event(created)) == created
