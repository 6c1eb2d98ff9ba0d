"""optional_parameters.rs's tests, ported, and the edges of payjoin's lenient parsing."""

from __future__ import annotations

import pytest

from pjconf.reference.payjoin.errors import ORIGINAL_PSBT_REJECTED, VERSION_UNSUPPORTED
from pjconf.reference.payjoin.params import (
    OutputSubstitution,
    Params,
    ParamsError,
    parse_f32,
    parse_sat_amount,
    parse_usize,
    query_pairs,
)


def test_parse_params() -> None:
    params = Params.from_query_str(
        "&maxadditionalfeecontribution=182&additionalfeeoutputindex=0&minfeerate=2"
        "&disableoutputsubstitution=true&optimisticmerge=true",
        (1,),
    )
    assert params.v == 1
    assert params.output_substitution is OutputSubstitution.DISABLED
    assert params.additional_fee_contribution == (182, 0)
    assert params.min_fee_rate == 500


def test_from_query_pairs_unsupported_versions() -> None:
    with pytest.raises(ParamsError) as e:
        Params.from_query_pairs([("v", "888")], (1, 2))
    assert e.value.variant == "UnknownVersion"
    assert e.value.supported_versions == (1, 2)
    assert e.value.error_code == VERSION_UNSUPPORTED
    assert e.value.supported_json() == "[1,2]"


def test_defaults_and_v2_accepted_even_if_unsupported() -> None:
    assert Params.from_query_str("", (1,)) == Params()
    assert Params().min_fee_rate == 250
    assert Params.from_query_str("v=2", (1,)).v == 2


def test_bad_minfeerate_is_an_error() -> None:
    with pytest.raises(ParamsError) as e:
        Params.from_query_str("minfeerate=abc", (1,))
    assert e.value.variant == "FeeRate"
    assert e.value.error_code == ORIGINAL_PSBT_REJECTED


@pytest.mark.parametrize(
    ("text", "sat_per_kwu"),
    [
        ("2", 500),
        ("1.1", 275),
        ("0.1", 25),
        ("0.001", 1),
        (".5", 125),
        ("1.", 250),
        ("1e1", 2500),
        ("-3", 0),
        ("nan", 0),
        ("inf", 2**64 - 1),
        ("1e39", 2**64 - 1),
    ],
)
def test_minfeerate_f32_ceil(text: str, sat_per_kwu: int) -> None:
    assert Params.from_query_str(f"minfeerate={text}", (1,)).min_fee_rate == sat_per_kwu


def test_lenient_values_only_warn() -> None:
    params = Params.from_query_str(
        "additionalfeeoutputindex=x&maxadditionalfeecontribution=1.5&disableoutputsubstitution=1",
        (1,),
    )
    assert params.additional_fee_contribution is None
    assert params.output_substitution is OutputSubstitution.ENABLED
    assert len(params.warnings) == 2
    one = Params.from_query_str("maxadditionalfeecontribution=182", (1,))
    assert one.additional_fee_contribution is None
    assert one.warnings


def test_number_parsers() -> None:
    assert parse_usize("+7") == 7
    assert parse_usize("-0") is None
    assert parse_usize("") is None
    assert parse_sat_amount("182.000") == 182
    assert parse_sat_amount("-0") is None
    assert parse_sat_amount(".0") is None
    assert parse_sat_amount("1" * 51) is None
    assert parse_sat_amount(str(2**64)) is None
    assert parse_f32("1e") is None
    assert parse_f32(" 1") is None
    assert parse_f32("1_0") is None
    assert parse_f32("INFINITY") == float("inf")


def test_query_pairs() -> None:
    assert query_pairs("a=1&&b&c=x%20y+z#v=9") == [("a", "1"), ("b", ""), ("c", "x y z")]
    assert query_pairs("v=\t2") == [("v", "2")]
