"""rust-bitcoin's serde JSON of PSBTs: payjoin 1.0's event texts, losslessly, with typed errors."""

from __future__ import annotations

import json
import re

import pytest
from psbt_fixtures import BIP78_PSBTS

from pjconf.harness.vectorgen.session_log_texts import (
    INPUT_PAIR,
    PSBT,
    RECEIVER_EVENTS,
    SENDER_EVENTS,
)
from pjconf.reference.bitcoin import psbt_json
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.bitcoin.psbt_json import DecodeError


def _psbt_objects(text: str) -> list[str]:
    """Every PSBT object inside an event text (they all start with ``{"unsigned_tx":``)."""
    out = []
    for m in re.finditer(r'\{"unsigned_tx":', text):
        depth = 0
        for end in range(m.start(), len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                out.append(text[m.start() : end + 1])
                break
    return out


ALL_EVENTS = {**RECEIVER_EVENTS, **{f"sender {k}": v for k, v in SENDER_EVENTS.items()}}
PSBT_TEXTS = sorted({t for e in ALL_EVENTS.values() for t in _psbt_objects(e)})


def test_events_hold_psbt_objects() -> None:
    assert PSBT_TEXTS == [PSBT]
    assert sum(len(_psbt_objects(e)) for e in ALL_EVENTS.values()) >= 8


@pytest.mark.parametrize("text", PSBT_TEXTS)
def test_event_psbt_round_trips(text: str) -> None:
    p = psbt_json.loads_psbt(text)
    assert psbt_json.dumps_psbt(p) == text
    # JSON -> Psbt -> binary -> Psbt -> JSON is lossless.
    assert psbt_json.dumps_psbt(Psbt.deserialize(p.serialize())) == text
    assert p.to_base64() == BIP78_PSBTS["original"]


def test_input_pair_parts() -> None:
    pair = json.loads(INPUT_PAIR)
    txin = psbt_json.txin_from_json_value(pair["txin"])
    inp = psbt_json.input_from_json_value(pair["psbtin"])
    assert psbt_json.dumps(psbt_json.txin_to_json(txin)) == psbt_json.dumps(pair["txin"])
    assert psbt_json.dumps(psbt_json.input_to_json(inp)) == psbt_json.dumps(pair["psbtin"])


@pytest.mark.parametrize("name", sorted(BIP78_PSBTS))
def test_fixture_psbts_round_trip(name: str) -> None:
    p = Psbt.from_base64(BIP78_PSBTS[name])
    assert psbt_json.loads_psbt(psbt_json.dumps_psbt(p)) == p


def _decode_error(value: object, strict: bool = True) -> DecodeError:
    with pytest.raises(DecodeError) as e:
        psbt_json.psbt_from_json(value, strict=strict)
    return e.value


def test_errors_name_the_path() -> None:
    base = json.loads(PSBT)
    bad = json.loads(PSBT)
    bad["inputs"][0]["witness_utxo"]["value"] = -1
    e = _decode_error(bad)
    assert (e.reason, e.path) == ("InvalidValue", "inputs[0].witness_utxo.value")
    assert e.kind == "DecodeError"
    bad = json.loads(PSBT)
    bad["unsigned_tx"]["input"][0]["previous_output"] = "zz:0"
    assert _decode_error(bad).path == "unsigned_tx.input[0].previous_output"
    bad = json.loads(PSBT)
    del bad["outputs"][1]["bip32_derivation"]
    e = _decode_error(bad)
    assert (e.reason, e.path) == ("MissingField", "outputs[1].bip32_derivation")
    bad = json.loads(PSBT)
    bad["inputs"][0]["final_script_witness"] = ["0g"]
    assert _decode_error(bad).path == "inputs[0].final_script_witness[0]"
    bad = json.loads(PSBT)
    bad["inputs"][0]["partial_sigs"] = {
        "02" + "00" * 32: {"signature": "3000", "sighash_type": "SIGHASH_ALL"}
    }
    assert _decode_error(bad).path.startswith("inputs[0].partial_sigs")
    assert psbt_json.psbt_from_json(base) == psbt_json.loads_psbt(PSBT)


def test_missing_option_fields_default_to_none() -> None:
    value = json.loads(PSBT)
    del value["inputs"][0]["tap_key_sig"]
    assert psbt_json.psbt_from_json(value) == psbt_json.loads_psbt(PSBT)


def test_unknown_fields_strict_and_serde_mode() -> None:
    value = json.loads(PSBT)
    value["inputs"][0]["surprise"] = 1
    e = _decode_error(value)
    assert (e.reason, e.path) == ("UnknownField", "inputs[0]")
    # serde itself ignores unknown fields.
    assert psbt_json.psbt_from_json(value, strict=False) == psbt_json.loads_psbt(PSBT)


def test_bad_json_text() -> None:
    with pytest.raises(DecodeError) as e:
        psbt_json.loads_psbt("{")
    assert e.value.reason == "InvalidJson"
