"""The transitions family's Original-input cases: what the reference's builder answers each."""

from __future__ import annotations

from typing import Any

import pytest

from pjconf.harness.vectorgen import transitions

Json = dict[str, Any]


@pytest.fixture(scope="module")
def cases() -> dict[str, Json]:
    family = transitions.generate()
    group = next(g for g in family["testGroups"] if g["type"] == "OriginalInputs")
    return {c["comment"].removeprefix("new_sender: "): c for c in group["tests"]}


def _pinned(case: Json) -> Json:
    return dict(case["profiles"]["payjoin-1.0"])


def test_pushdata_redeem_scripts_are_found(cases: dict[str, Json]) -> None:
    for width in ("1", "2", "4"):
        case = cases[f"P2SH input, final scriptSig: OP_PUSHDATA{width} of the redeem script"]
        assert _pinned(case) == {"result": "valid", "expected": {"state": "WithReplyKey"}}


@pytest.mark.parametrize(
    "what",
    [
        "a direct push one byte short of its length",
        "OP_PUSHDATA1 without its length byte",
        "OP_PUSHDATA2 with one of its two length bytes",
        "OP_PUSHDATA4 with three of its four length bytes",
        "the redeem script, then OP_1 (not a push)",
        "an empty scriptSig",
    ],
)
def test_a_scriptsig_without_a_last_push_has_no_redeem_script(
    cases: dict[str, Json], what: str
) -> None:
    """The PSBT's redeem_script field is set too: a final scriptSig is read instead of it."""
    case = cases[f"P2SH input, final scriptSig: {what}"]
    assert case["result"] == "acceptable"
    assert _pinned(case)["error"] == {
        "kind": "BuildSenderError",
        "message": "can not determine expected input weight: p2sh input missing a redeem script",
    }


def test_an_empty_last_push_is_a_redeem_script_payjoin_cannot_price(
    cases: dict[str, Json],
) -> None:
    what = "the redeem script, then OP_PUSHDATA1 of zero bytes ending the scriptSig"
    message = _pinned(cases[f"P2SH input, final scriptSig: {what}"])["error"]["message"]
    assert message == "can not determine expected input weight: weight prediction not supported"


def test_a_second_input_of_another_type_is_priced_or_named(cases: dict[str, Json]) -> None:
    assert cases["a P2WPKH input and a P2TR one (mixed types)"]["result"] == "valid"
    assert _pinned(cases["a P2WPKH input and a P2A one (mixed types)"])["result"] == "valid"
    unknown = _pinned(cases["a P2WPKH input and a v2 program of P2A's two bytes"])
    assert unknown["error"]["message"] == (
        "can not determine input address type: unknown address type"
    )


def test_inconsistent_utxo_fields_are_refused_in_every_profile(cases: dict[str, Json]) -> None:
    utxo = [c for c in cases.values() if "OriginalUtxoFields" in c["flags"]]
    assert [c["result"] for c in utxo] == ["valid"] + ["invalid"] * (len(utxo) - 1)
    for case in utxo:
        assert case["args"]["fee_contribution"] == {"max_amount": 1000, "change_vout": 1}
    mismatch = cases["a good first input, a second whose witness_utxo is not its "
                     "non_witness_utxo's output"]  # fmt: skip
    assert _pinned(mismatch)["error"]["message"] == (
        "an input in the original transaction is invalid: PsbtInputsError {\n"
        "    index: 1,\n    error: SegWitTxOutMismatch,\n}"
    )
