"""The sender's request body, against payjoin 1.0's own test and Rust's f32 formatting."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pjconf.harness.vectorgen.fixtures import BIP78_ORIGINAL_PSBT_BASE64, SERIALIZED_BODY_V2
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.payjoin.params import OutputSubstitution, Params
from pjconf.reference.payjoin.request_body import (
    min_fee_rate_param,
    rust_f32_display,
    sender_query,
    serialize_v2_body,
)
from pjconf.reference.payjoin.sender import AdditionalFeeContribution, SenderContext


def test_serialize_v2_matches_payjoins_test_vector() -> None:
    """send/v2 ``test_serialize_v2``: no options give ``base64 "\\nv=2"`` (436 bytes)."""
    psbt = Psbt.from_base64(BIP78_ORIGINAL_PSBT_BASE64)
    context = SenderContext(psbt, OutputSubstitution.ENABLED, None, 0, b"")
    assert serialize_v2_body(psbt, context) == SERIALIZED_BODY_V2


def test_parameter_order_is_serialize_urls() -> None:
    query = sender_query(
        OutputSubstitution.DISABLED, AdditionalFeeContribution(max_amount=91, vout=0), 250
    )
    assert query == (
        "v=2&disableoutputsubstitution=true&additionalfeeoutputindex=0"
        "&maxadditionalfeecontribution=91&minfeerate=1"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2.0, "2"),
        (2.5, "2.5"),
        (1.004, "1.004"),
        (1 / 3, "0.33333334"),
        (0.0001, "0.0001"),
        (1e-7, "0.0000001"),
        (16777216.0, "16777216"),
        (1e20, "100000000000000000000"),
    ],
)
def test_rust_f32_display(value: float, text: str) -> None:
    as_f32 = struct.unpack("<f", struct.pack("<f", value))[0]
    assert rust_f32_display(as_f32) == text


@given(st.integers(min_value=1, max_value=10**9))
def test_minfeerate_reads_back_as_payjoin_parses_it(sat_per_kwu: int) -> None:
    """What the sender writes, the receiver's parser (payjoin's f32 path) reads back to at least
    the same rate: ceil(f32(f32(kwu) / 250) * 250)."""
    query = f"v=2&minfeerate={min_fee_rate_param(sat_per_kwu)}"
    parsed = Params.from_query_str(query, (1, 2))
    assert parsed.min_fee_rate >= sat_per_kwu - sat_per_kwu // 2**22
    assert parsed.min_fee_rate <= sat_per_kwu + sat_per_kwu // 2**22 + 1
