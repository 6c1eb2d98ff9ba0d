"""The differ judges an input that shows a choice the specifications leave open as the corpus
judges such a case (``acceptable`` under the profiles where the flag is open), and nothing else
that is wrong with the input slips through with it. The implementation's answers below are
what rust-payjoin 1.0.0 answered on these inputs (``pjconf fuzz`` findings before this rule)."""

from __future__ import annotations

import pytest

from pjconf.harness.fuzz.differ import compare
from pjconf.harness.fuzz.open_choices import KeyConfig, as_objects
from pjconf.harness.implementations.client import Reply
from pjconf.harness.implementations.reference import reference_client
from pjconf.protocol.wire import JsonObject

ORACLE = reference_client()
PK = (
    "0431c94181fbf780249f22aa2b83830a5519f5ec23fc25806216eb30447a0886850c17a4d7bf8f63c80bd6100a"
    "1f0f5bdf65f8da625aebbe7b0e4bed62200d4d5e"
)
BAD_PK = "05" + PK[2:]
CHACHA, AES128, AES256 = (1, 3), (1, 1), (1, 2)
GET = "0003474554056874747073087061796a6f2e696e0e2f54594a4c5043464c5156545151000000"
ZERO_KEY = "00" * 31 + "01"


def _config(suites: list[tuple[int, int]], pk: str = PK) -> str:
    return KeyConfig(bytes.fromhex("010016" + pk), ()).with_suites(suites)


def _key(op: str, args: JsonObject, iut: Reply, profile: str = "bip77") -> str | None:
    oracle = ORACLE.call(op, args)
    found = compare(op, "", args, oracle, iut, profile=profile, ask=ORACLE.call)
    return None if found is None else found.key


def _result(**value: object) -> Reply:
    return Reply("result", dict(value))


def _error(kind: str) -> Reply:
    return Reply("error", {"kind": kind, "message": "-"})


def test_struct_as_sequence_is_acceptable_only_with_the_object_forms_answer() -> None:
    args = {"role": "receiver", "event": '{"CommittedOutputs":[[],1]}'}
    canonical = '{"CommittedOutputs":{"outputs":[],"change_vout":1}}'
    assert _key("event.roundtrip", args, _result(event=canonical)) is None
    assert _key("event.roundtrip", args, _error("DecodeError")) is None
    other = '{"CommittedOutputs":{"outputs":[],"change_vout":2}}'
    assert _key("event.roundtrip", args, _result(event=other)) == (
        "event.roundtrip: error DecodeError -> result"
    )
    assert _key("event.roundtrip", args, _error("InternalError")) is not None


def test_an_array_of_the_wrong_length_is_no_struct_and_stays_invalid() -> None:
    args = {"role": "receiver", "event": '{"CommittedOutputs":[[],1,2]}'}
    canonical = '{"CommittedOutputs":{"outputs":[],"change_vout":1}}'
    assert _key("event.roundtrip", args, _result(event=canonical)) == (
        "event.roundtrip: error DecodeError -> result"
    )


def test_arrays_are_written_back_only_where_the_corpus_has_a_struct() -> None:
    event = {"CommittedOutputs": [[{"value": 1, "script_pubkey": "00"}], 0]}
    assert as_objects("receiver", event) == {
        "CommittedOutputs": {"outputs": [{"value": 1, "script_pubkey": "00"}], "change_vout": 0}
    }
    # A GotReplyableError's extra is a map (its keys differ between events): never rewritten.
    reply = {"GotReplyableError": {"error_code": "Unavailable", "message": "", "extra": [1]}}
    assert as_objects("receiver", reply) == reply


def test_an_empty_header_name_may_be_written_or_refused_as_parse_error() -> None:
    args = {
        "method": "GET",
        "scheme": "https",
        "authority": "payjo.in",
        "path": "/",
        "headers": [["", "x"]],
        "body": "",
    }
    written = "0003474554056874747073087061796a6f2e696e012f030001780000"
    assert _key("bhttp.request.encode", args, _result(bhttp=written)) is None
    assert _key("bhttp.request.encode", args, _error("ParseError")) is None
    assert _key("bhttp.request.encode", args, _error("InvalidKey")) is not None


def test_an_empty_header_name_does_not_excuse_another_fault() -> None:
    args = {
        "method": "GET",
        "scheme": "https",
        "authority": "payjo.in",
        "path": "/\ud800",  # a lone surrogate has no UTF-8 form: refused with or without
        "headers": [["", "x"]],  # the empty name
        "body": "",
    }
    assert ORACLE.call("bhttp.request.encode", {**args, "headers": []}).kind == "error"
    assert _key("bhttp.request.encode", args, _error("ParseError")) is None
    assert _key("bhttp.request.encode", args, _result(bhttp="00")) is not None


@pytest.mark.parametrize("profile", ["bip77", "payjoin-1.0"])
def test_no_supported_suite_may_decode_to_an_empty_list(profile: str) -> None:
    args = {"bytes": _config([AES256])}
    empty = _result(key_id=1, kem_id=22, pk=PK, suites=[])
    assert _key("ohttp.keys.decode", args, empty, profile) is None
    wrong_key = _result(key_id=2, kem_id=22, pk=PK, suites=[])
    assert _key("ohttp.keys.decode", args, wrong_key, profile) is not None


def test_a_kept_or_dropped_aes_suite_is_open_under_bip77_only() -> None:
    args = {"bytes": _config([AES128, CHACHA])}
    dropped = _result(key_id=1, kem_id=22, pk=PK, suites=[list(CHACHA)])
    assert _key("ohttp.keys.decode", args, dropped) is None
    assert _key("ohttp.keys.decode", args, dropped, "payjoin-1.0") == (
        "ohttp.keys.decode: result -> result (suites)"
    )


def test_aes_gcm_first_may_be_refused_with_any_kind_under_bip77_only() -> None:
    args = {"key_config": _config([AES128, CHACHA]), "bhttp": GET, "sk_e": ZERO_KEY, "pad": "zero"}
    assert _key("ohttp.request.seal", args, _error("ParseError")) is None
    assert _key("ohttp.request.seal", args, _error("ParseError"), "payjoin-1.0") == (
        "ohttp.request.seal: error UnsupportedSuite -> error ParseError"
    )


def test_aes_gcm_first_with_a_bad_key_must_still_be_refused() -> None:
    args = {"key_config": _config([AES128], BAD_PK), "bhttp": GET, "sk_e": ZERO_KEY, "pad": "zero"}
    assert _key("ohttp.request.seal", args, _error("UnsupportedSuite")) is None
    accepted = _result(request="00", context="00")
    assert _key("ohttp.request.seal", args, accepted) is not None
