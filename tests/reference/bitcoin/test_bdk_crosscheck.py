"""Cross-check against bdkpython (rust-bitcoin underneath): same bytes, txids, fees and JSON."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from psbt_fixtures import BIP78_PSBTS
from psbt_strategies import psbts

from pjconf.reference.bitcoin import psbt_json
from pjconf.reference.bitcoin.psbt import Psbt

bdk = pytest.importorskip("bdkpython")


def check(p: Psbt) -> None:
    b64 = p.to_base64()
    theirs = bdk.Psbt(b64)
    assert theirs.serialize() == b64
    tx = p.extract_tx()
    extracted = theirs.extract_tx_unchecked_fee_rate()
    assert str(extracted.compute_txid()) == tx.txid_hex()
    assert str(extracted.compute_wtxid()) == tx.wtxid_hex()
    assert extracted.weight() == tx.weight()
    assert extracted.vsize() == tx.vsize()
    assert bytes(extracted.serialize()) == tx.serialize()
    # bdk exposes rust-bitcoin's serde JSON too: a second, independent build of the same codec.
    assert theirs.json_serialize() == psbt_json.dumps_psbt(p)
    try:
        fee = p.fee()
    except psbt_json.PsbtError:
        with pytest.raises(Exception):  # noqa: B017, PT011 - bdk's error classes are generated
            theirs.fee()
    else:
        assert theirs.fee() == fee


@pytest.mark.parametrize("name", sorted(BIP78_PSBTS))
def test_fixtures(name: str) -> None:
    check(Psbt.from_base64(BIP78_PSBTS[name]))


@settings(max_examples=100, deadline=None)
@given(psbts())
def test_generated(p: Psbt) -> None:
    check(p)
