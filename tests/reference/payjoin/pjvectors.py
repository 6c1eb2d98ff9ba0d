"""payjoin-test-utils' BIP 78 vectors and constants (values only), shared by the payjoin tests."""

from __future__ import annotations

from psbt_fixtures import RECEIVER_INPUT_CONTRIBUTION

from pjconf.harness.vectorgen.fixtures import BIP78_ORIGINAL_PSBT_BASE64, BIP78_PROPOSAL_PSBT_BASE64
from pjconf.reference.bitcoin.psbt import Psbt

QUERY_PARAMS = "maxadditionalfeecontribution=182&additionalfeeoutputindex=0"
MAX_ADDITIONAL_FEE_CONTRIBUTION = 182
ADDITIONAL_FEE_OUTPUT_INDEX = 0

PAYJOIN_PROPOSAL_WITH_SENDER_INFO = (
    "cHNidP8BAJwCAAAAAo8nutGgJdyYGXWiBEb45Hoe9lWGbkxh/6bNiOJdCDuDAAAAAAD+////jye60aAl3JgZdaIERvjkeh"
    "72VYZuTGH/ps2I4l0IO4MBAAAAAP7///8CJpW4BQAAAAAXqRQd6EnwadJ0FQ46/q6NcutaawlEMIcACT0AAAAAABepFHdA"
    "ltvPSGdDwi9DR+m0af6+i2d6h9MAAAAAAQEgqBvXBQAAAAAXqRTeTh6QYcpZE1sDWtXm1HmQRUNU0IcBBBYAFMeKRXJTVY"
    "KNVlgHTdUmDV/LaYUwIgYDFZrAGqDVh1TEtNi300ntHt/PCzYrT2tVEGcjooWPhRYYSFzWUDEAAIABAACAAAAAgAEAAAAA"
    "AAAAAAEBIICEHgAAAAAAF6kUyPLL+cphRyyI5GTUazV0hF2R2NWHAQcXFgAUX4BmVeWSTJIEwtUb5TlPS/ntohABCGsCRz"
    "BEAiBnu3tA3yWlT0WBClsXXS9j69Bt+waCs9JcjWtNjtv7VgIge2VYAaBeLPDB6HGFlpqOENXMldsJezF9Gs5amvDQRDQB"
    "IQJl1jz1tBt8hNx2owTm+4Du4isx0pmdKNMNIjjaMHFfrQABABYAFEb2Giu6c4KO5YW0pfw3lGp9jMUUIgICygvBWB5prp"
    "fx61y1HDAwo37kYP3YRJBvAjtunBAur3wYSFzWUDEAAIABAACAAAAAgAEAAAABAAAAAAA="
)
DUMMY32 = bytes.fromhex("5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456")
DUMMY20 = bytes.fromhex("b472a266d0bd89c13706a4132ccfb16f7c3b9fcb")
RAW_TX = (
    "010000000001015721029046ec1840d5bc8f4e59ae8ac4b576191d5e7994c8d1c44ddeaffc176c0300000000fdffff"
    "ff018e8d00000000000017a9144a87748bc7bcfee8290e36700eeca3112f53ecbe870140239d1975e0fc9b8345bce9"
    "a170a0224cf8eb327bfcaccf0f8b9434d17345579e4dcbb68f7be39eac7987dfaa08293b11fdc76ac28e26bd85e99a"
    "46b69675418100000000"
)
"""The transaction psbt/mod.rs's tests put in ``non_witness_utxo``."""


def original() -> Psbt:
    return Psbt.from_base64(BIP78_ORIGINAL_PSBT_BASE64)


def proposal() -> Psbt:
    return Psbt.from_base64(BIP78_PROPOSAL_PSBT_BASE64)


def proposal_with_sender_info() -> Psbt:
    return Psbt.from_base64(PAYJOIN_PROPOSAL_WITH_SENDER_INFO)


def receiver_input_contribution() -> Psbt:
    return Psbt.from_base64(RECEIVER_INPUT_CONTRIBUTION)
