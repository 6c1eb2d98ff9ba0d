"""PSBT fixtures shared by the Bitcoin data-layer tests (values only, sources named)."""

from __future__ import annotations

from pjconf.harness.vectorgen.fixtures import BIP78_ORIGINAL_PSBT_BASE64, BIP78_PROPOSAL_PSBT_BASE64

RECEIVER_INPUT_CONTRIBUTION = (
    "cHNidP8BAJwCAAAAAo8nutGgJdyYGXWiBEb45Hoe9lWGbkxh/6bNiOJdCDuDAAAAAAD+////jye60aAl3JgZdaIERvjkeh"
    "72VYZuTGH/ps2I4l0IO4MBAAAAAP7///8CJpW4BQAAAAAXqRQd6EnwadJ0FQ46/q6NcutaawlEMIcACT0AAAAAABepFHdA"
    "ltvPSGdDwi9DR+m0af6+i2d6h9MAAAAAAAEBIICEHgAAAAAAF6kUyPLL+cphRyyI5GTUazV0hF2R2NWHAQcXFgAUX4BmVe"
    "WSTJIEwtUb5TlPS/ntohABCGsCRzBEAiBnu3tA3yWlT0WBClsXXS9j69Bt+waCs9JcjWtNjtv7VgIge2VYAaBeLPDB6HGF"
    "lpqOENXMldsJezF9Gs5amvDQRDQBIQJl1jz1tBt8hNx2owTm+4Du4isx0pmdKNMNIjjaMHFfrQAAAA=="
)
"""BIP 78's receiver input contribution, as rust-payjoin's ``payjoin-test-utils`` (src/lib.rs,
``RECEIVER_INPUT_CONTRIBUTION``) carries it: the proposal with only the receiver's input map."""

BIP78_PSBTS = {
    "original": BIP78_ORIGINAL_PSBT_BASE64,
    "proposal": BIP78_PROPOSAL_PSBT_BASE64,
    "receiver-input-contribution": RECEIVER_INPUT_CONTRIBUTION,
}
