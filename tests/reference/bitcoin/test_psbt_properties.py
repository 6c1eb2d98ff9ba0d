"""Generated PSBTs with every field kind: binary and JSON round trips are lossless."""

from __future__ import annotations

import json

from hypothesis import given, settings
from psbt_strategies import psbts

from pjconf.reference.bitcoin import psbt_json
from pjconf.reference.bitcoin.psbt import Psbt


@settings(max_examples=150, deadline=None)
@given(psbts())
def test_binary_round_trip(p: Psbt) -> None:
    raw = p.serialize()
    again = Psbt.deserialize(raw)
    assert again == p
    assert again.serialize() == raw


@settings(max_examples=150, deadline=None)
@given(psbts())
def test_json_round_trip(p: Psbt) -> None:
    text = psbt_json.dumps_psbt(p)
    decoded = psbt_json.loads_psbt(text)
    assert decoded == p
    assert psbt_json.dumps_psbt(decoded) == text
    # JSON -> binary -> JSON is lossless as well.
    assert psbt_json.dumps_psbt(Psbt.deserialize(decoded.serialize())) == text
    assert json.loads(text)["version"] == 0
