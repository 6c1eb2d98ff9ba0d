"""Decoding failures are typed ``DecodeError``s that name the place, as serde refuses them."""

from __future__ import annotations

import cbor2
import pytest

from pjconf.harness.vectorgen.session_log_texts import RECEIVER_EVENTS, SENDER_EVENTS
from pjconf.reference.bitcoin import address as bitcoin_address
from pjconf.reference.errors import ParseError
from pjconf.reference.session import cbor_codec, json_codec
from pjconf.reference.session.json_codec import DecodeError

CREATED = RECEIVER_EVENTS["R1 Created"]


def rx_error(text: str) -> DecodeError:
    with pytest.raises(DecodeError) as info:
        json_codec.decode_receiver_event(text)
    assert info.value.kind == "DecodeError"
    return info.value


@pytest.mark.parametrize(
    ("text", "reason", "path"),
    [
        (
            '{"Created":{"address":"tb1q6d3a2w975yny0asuvd9a67ner4nks58ff0q8g4"}}',
            "MissingField",
            "Created.directory",
        ),
        ('{"Started":[]}', "UnknownVariant", "$"),
        ('"Started"', "UnknownVariant", "$"),
        ('"CheckedInputsNotOwned"', "InvalidType", "$"),
        ('{"CheckedInputsNotOwned":null}', "InvalidType", "CheckedInputsNotOwned"),
        ('{"CheckedInputsNotOwned":[1]}', "InvalidLength", "CheckedInputsNotOwned"),
        ('{"Closed":"Failure"}', "UnknownVariant", "Closed"),
        ('{"Closed":"Cancel"}', "UnknownVariant", "Closed"),
        ('{"Closed":{"Success":[]}}', "InvalidType", "Closed.Success"),
        ('"Closed"', "InvalidType", "$"),
        ('{"Cancelled":[]}', "InvalidType", "Cancelled"),
        ('{"IdentifiedReceiverOutputs":["1"]}', "InvalidType", "IdentifiedReceiverOutputs[0]"),
        ('{"IdentifiedReceiverOutputs":[-1]}', "InvalidValue", "IdentifiedReceiverOutputs[0]"),
        ('{"IdentifiedReceiverOutputs":[1.0]}', "InvalidType", "IdentifiedReceiverOutputs[0]"),
        ('{"CommittedOutputs":[]}', "InvalidType", "CommittedOutputs"),
        ('{"A":[],"B":[]}', "InvalidType", "$"),
        ("[]", "InvalidType", "$"),
        (CREATED[:-7], "InvalidJson", "$"),
        ("", "InvalidJson", "$"),
        ('{"Closed":{"Success":NaN}}', "InvalidJson", "$"),
        (
            CREATED.replace('"receiver_key":[[25,', '"receiver_key":[["25",'),
            "InvalidType",
            "Created.receiver_key[0][0]",
        ),
        (
            CREATED.replace('"receiver_key":[[25,', '"receiver_key":[[256,'),
            "InvalidValue",
            "Created.receiver_key[0][0]",
        ),
        (
            CREATED.replace('"receiver_key":[[25,19,', '"receiver_key":[['),
            "InvalidSecretKey",
            "Created.receiver_key[0]",
        ),
        (
            CREATED.replace('"expiration":1800000000', '"expiration":499999999'),
            "InvalidTime",
            "Created.expiration",
        ),
        (
            CREATED.replace('"directory":"https://', '"directory":"ftp:/'),
            "InvalidFormat",
            "Created.directory",
        ),
        (
            CREATED.replace('"ohttp_keys":[1,0,22', '"ohttp_keys":[1,0,32'),
            "UnsupportedSuite",
            "Created.ohttp_keys",
        ),
        (
            CREATED.replace('"address":"tb1q', '"address":"zz1q'),
            "InvalidBase58Char",
            "Created.address",
        ),
    ],
)
def test_receiver_decode_errors(text: str, reason: str, path: str) -> None:
    e = rx_error(text)
    assert (e.reason, e.path) == (reason, path), e


ADDRESS = "tb1q6d3a2w975yny0asuvd9a67ner4nks58ff0q8g4"


@pytest.mark.parametrize(
    "bad",
    [
        "zz1q6d3a2w975yny0asuvd9a67ner4nks58ff0q8g4",
        "tb1q6d3a2w975yny0asuvd9a67ner4nks58ff0q8g5",
        "tb1q6d3a",
        "",
    ],
    ids=["base58-char", "bech32-checksum", "bech32-length", "empty"],
)
def test_address_reason_is_the_parsers(bad: str) -> None:
    with pytest.raises(ParseError) as parsed:
        bitcoin_address.decode(bad)
    e = rx_error(CREATED.replace(f'"address":"{ADDRESS}"', f'"address":"{bad}"'))
    assert (e.reason, e.path) == (parsed.value.reason, "Created.address")


def test_unknown_fields_are_ignored_and_missing_options_are_none() -> None:
    text = CREATED.replace('"amount":null,', '"colour":"red",')
    event = json_codec.decode_receiver_event(text)
    assert json_codec.encode_receiver_event(event) == CREATED


def test_unit_variant_also_reads_as_object_with_null() -> None:
    assert (
        json_codec.encode_receiver_event(json_codec.decode_receiver_event('{"Cancelled":null}'))
        == '"Cancelled"'
    )
    e = json_codec.decode_receiver_event('{"Closed":{"Aborted":null}}')
    assert json_codec.encode_receiver_event(e) == '{"Closed":"Aborted"}'


@pytest.mark.parametrize(
    ("text", "reason", "path"),
    [
        ('"PostedOriginalPsbt"', "InvalidType", "$"),
        ('"Cancelled"', "InvalidType", "$"),
        ('{"Closed":"Failure"}', "UnknownVariant", "Closed"),
        ('{"Closed":"Success"}', "InvalidType", "Closed"),
        ('{"ReceivedProposalPsbt":{}}', "UnknownVariant", "$"),
        (
            SENDER_EVENTS["S1 Created"].replace('"id":[89,', '"id":['),
            "InvalidLength",
            "Created.pj_param.id",
        ),
        (SENDER_EVENTS["S1 Created"][:100], "InvalidJson", "$"),
    ],
)
def test_sender_decode_errors(text: str, reason: str, path: str) -> None:
    with pytest.raises(DecodeError) as info:
        json_codec.decode_sender_event(text)
    assert (info.value.reason, info.value.path) == (reason, path), info.value


def test_hybrid_public_key_is_read_and_written_uncompressed() -> None:
    created = json_codec.decode_receiver_event(CREATED)
    public = created.context.receiver_key.public  # type: ignore[union-attr]
    hybrid = bytes([6 + (public[64] & 1)]) + public[1:]
    text = CREATED.replace(str(list(public)).replace(" ", ""), str(list(hybrid)).replace(" ", ""))
    assert text != CREATED
    assert json_codec.encode_receiver_event(json_codec.decode_receiver_event(text)) == CREATED


# --- CBOR -------------------------------------------------------------------------------------

CBOR_CREATED = cbor_codec.encode_receiver_event(json_codec.decode_receiver_event(CREATED), 1)


def cbor_error(data: bytes) -> DecodeError:
    with pytest.raises(DecodeError) as info:
        cbor_codec.decode(data)
    return info.value


def test_cbor_truncated() -> None:
    assert cbor_error(CBOR_CREATED[:-3]).reason == "InvalidCbor"
    assert cbor_error(b"").reason == "InvalidCbor"


def test_cbor_non_canonical_is_refused() -> None:
    value = cbor2.loads(CBOR_CREATED)
    shuffled = dict(reversed(list(value.items())))
    assert cbor_error(cbor2.dumps(shuffled)).reason == "NonCanonical"


@pytest.mark.parametrize(
    ("change", "reason", "path"),
    [
        ({"v": 2}, "UnsupportedVersion", "v"),
        ({"role": "relay"}, "InvalidValue", "role"),
        ({"seq": -1}, "InvalidValue", "seq"),
        ({"extra": 1}, "UnknownField", "$"),
    ],
)
def test_cbor_envelope_errors(change: dict[str, object], reason: str, path: str) -> None:
    value = cbor2.loads(CBOR_CREATED) | change
    e = cbor_error(cbor_codec.dumps(value))
    assert (e.reason, e.path) == (reason, path)


def test_cbor_missing_field_and_event_paths() -> None:
    value = cbor2.loads(CBOR_CREATED)
    del value["seq"]
    assert (
        cbor_error(cbor_codec.dumps(value)).reason,
        cbor_error(cbor_codec.dumps(value)).path,
    ) == ("MissingField", "seq")
    value = cbor2.loads(CBOR_CREATED)
    value["event"]["Created"]["receiver_key"][0] = b"\x00" * 31
    e = cbor_error(cbor_codec.dumps(value))
    assert (e.reason, e.path) == ("InvalidSecretKey", "event.Created.receiver_key[0]")


def test_cbor_wrong_role() -> None:
    with pytest.raises(DecodeError) as info:
        cbor_codec.decode_sender_event(CBOR_CREATED)
    assert info.value.reason == "WrongRole"
