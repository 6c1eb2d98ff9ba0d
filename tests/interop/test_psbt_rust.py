"""The PSBT JSON codec against rust-bitcoin 0.32 itself (the adapter's oracle ops).

``psbt.to_json`` is ``serde_json::to_string`` of the crate's ``Psbt``; ``psbt.from_json`` is its
serde decode followed by BIP 174 binary. For fixture and generated PSBTs the reference must give
the same JSON text and, from its own JSON, the crate must give back the same bytes.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from psbt_fixtures import BIP78_PSBTS
from psbt_strategies import psbts

from pjconf.harness.implementations.client import Reply
from pjconf.harness.implementations.docker import DockerClient
from pjconf.harness.vectorgen.session_log_texts import PSBT
from pjconf.reference.bitcoin import psbt_json
from pjconf.reference.bitcoin.psbt import Psbt

pytestmark = [pytest.mark.docker, pytest.mark.rust]


def ok(reply: Reply) -> dict[str, Any]:
    assert reply.kind == "result", reply
    return reply.value


def check_both_ways(rust: DockerClient, p: Psbt) -> None:
    text = psbt_json.dumps_psbt(p)
    assert ok(rust.call("psbt.to_json", {"psbt": p.to_base64()}))["json"] == text
    back = rust.call("psbt.from_json", {"json": text})
    if any(i.tap_scripts for i in p.inputs):
        # Finding: secp256k1 0.29's `Parity` deserializer implements only `visit_u8`, and
        # serde_json hands integers over as u64, so the crate cannot read back the
        # `output_key_parity` it writes. Any PSBT with a tap leaf script fails to decode.
        assert back.kind == "error", back
        assert back.value["kind"] == "DecodeError"
        assert "expected 8-bit integer (byte) with value 0 or 1" in back.value["message"]
        return
    assert ok(back)["psbt"] == p.to_base64()


@pytest.mark.parametrize("name", sorted(BIP78_PSBTS))
def test_fixture_psbts(rust: DockerClient, name: str) -> None:
    check_both_ways(rust, Psbt.from_base64(BIP78_PSBTS[name]))


def test_session_log_psbt_object(rust: DockerClient) -> None:
    p = psbt_json.loads_psbt(PSBT)
    assert ok(rust.call("psbt.from_json", {"json": PSBT}))["psbt"] == p.to_base64()
    assert ok(rust.call("psbt.to_json", {"psbt": p.to_base64()}))["json"] == PSBT


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(p=psbts())
def test_generated_psbts(rust: DockerClient, p: Psbt) -> None:
    check_both_ways(rust, p)


def test_bad_arguments(rust: DockerClient) -> None:
    assert rust.call("psbt.to_json", {"psbt": "not base64"}).value["kind"] == "InvalidArgument"
    assert rust.call("psbt.to_json", {}).value["kind"] == "InvalidArgument"
    assert rust.call("psbt.from_json", {"json": "{}"}).value["kind"] == "DecodeError"
    assert rust.call("psbt.from_json", {"json": "["}).value["kind"] == "DecodeError"
