"""Framing and argument rules of the adapter protocol."""

from __future__ import annotations

import pytest

from pjconf.protocol.wire import (
    ArgumentError,
    BadRequest,
    arg_bytes,
    arg_int,
    arg_str,
    opt_bytes,
    parse_request,
)


def test_parse_request_reads_id_op_args() -> None:
    request = parse_request('{"id": 7, "op": "hello", "args": {"x": 1}}')
    assert (request.id, request.op, request.args) == (7, "hello", {"x": 1})


def test_parse_request_defaults_missing_args_to_empty() -> None:
    assert parse_request('{"id": 1, "op": "hello"}').args == {}


@pytest.mark.parametrize(
    ("line", "message", "request_id"),
    [
        ("not json", "not JSON", None),
        ("[1, 2]", "JSON object", None),
        ('{"op": "hello"}', "`id`", None),
        ('{"id": true, "op": "hello"}', "`id`", None),
        ('{"id": 3}', "`op`", 3),
        ('{"id": 4, "op": "x", "args": []}', "`args`", 4),
    ],
)
def test_parse_request_rejects_what_is_not_a_request(
    line: str, message: str, request_id: int | None
) -> None:
    with pytest.raises(BadRequest, match=message) as info:
        parse_request(line)
    assert info.value.request_id == request_id


def test_arg_bytes_decodes_lowercase_hex_of_allowed_lengths() -> None:
    assert arg_bytes({"k": "00ff"}, "k", length=(2, 3)) == b"\x00\xff"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({}, "hex string"),
        ({"k": 5}, "hex string"),
        ({"k": "0g"}, "not valid hex"),
        ({"k": "00FF"}, "lowercase"),
        ({"k": "00"}, "2 or 3 bytes"),
        ({"k": " 00ff"}, "not valid hex"),  # bytes.fromhex would take the space
        ({"k": "00 ff"}, "not valid hex"),
        ({"k": "00ff\n"}, "not valid hex"),
        ({"k": "00ff0"}, "odd number of hex digits"),
        ({"k": "0x00ff"}, "not valid hex"),
    ],
)
def test_arg_bytes_names_the_bad_field(args: dict[str, object], message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        arg_bytes(args, "k", length=(2, 3))


def test_optional_and_scalar_accessors() -> None:
    assert opt_bytes({"k": None}, "k") is None
    assert arg_str({"m": "base"}, "m", choices=("base", "auth")) == "base"
    with pytest.raises(ArgumentError, match="one of"):
        arg_str({"m": "psk"}, "m", choices=("base", "auth"))
    assert arg_int({"n": 3}, "n") == 3
    with pytest.raises(ArgumentError):
        arg_int({"n": True}, "n")
