"""JSON within limits: deep nesting and huge numbers are refused with a reason, never raised."""

from __future__ import annotations

import contextlib
import json
import time

import pytest

from pjconf.protocol.limits import LimitExceeded, Limits, check_json, decode_json
from pjconf.protocol.wire import BadRequest, parse_request

SMALL = Limits(max_line_bytes=1024, max_depth=4, max_int_digits=5)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": [[1]]}',
        "[[[[]]]]",  # exactly the allowed depth
        '{"x": 12345, "y": -12345.5e10}',
        '"[[[[[[[[[[ 123456789 {{{{{{"',  # brackets and digits inside a string do not count
        '["a\\"[[[[[[", 1]',  # nor after an escaped quote
        '["unterminated [[[[[[ 1234567',  # a string running to the end hides the rest
        "",  # not JSON at all: the check says nothing about that
    ],
)
def test_texts_within_the_limits_pass_the_check(text: str) -> None:
    check_json(text, SMALL)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[[[[]]]]]", "deeper than 4"),
        ('{"a":{"b":{"c":{"d":{}}}}}', "deeper than 4"),
        ('{"x": 123456}', "longer than 5 digits"),
        ('["a", 1234567, "b"]', "longer than 5 digits"),
    ],
)
def test_texts_beyond_the_limits_are_refused(text: str, message: str) -> None:
    with pytest.raises(LimitExceeded, match=message):
        check_json(text, SMALL)


def test_the_defaults_refuse_what_crashes_python_json() -> None:
    """1,000-deep arrays (RecursionError in json) and 4,301 digits (ValueError in int())."""
    with pytest.raises(LimitExceeded, match="deeper than 128"):
        decode_json("[" * 1000 + "]" * 1000)
    with pytest.raises(LimitExceeded, match="longer than 4300 digits"):
        decode_json('{"x": ' + "9" * 4301 + "}")
    assert decode_json("[" * 128 + "]" * 128) is not None
    assert decode_json("9" * 4300) == int("9" * 4300)


def test_invalid_json_is_a_value_error_and_nothing_else() -> None:
    with pytest.raises(ValueError, match="Expecting"):
        decode_json('{"x": ')


def test_the_check_is_linear_on_hostile_texts() -> None:
    """Megabytes of brackets, escapes or unterminated strings are refused or passed in well
    under a second each (no quadratic rescanning)."""
    texts = [
        "[" * (4 << 20),
        '"' + '\\"' * (2 << 20),  # an unterminated string full of escaped quotes
        '["' + "a" * (4 << 20) + '"]',
        "[" + "1," * (2 << 20) + "1]",
    ]
    for text in texts:
        started = time.monotonic()
        with contextlib.suppress(ValueError):
            decode_json(text)
        assert time.monotonic() - started < 2.0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": 1, "op": "x", "args": ' + "[" * 1000 + "]" * 1000 + "}", "deeper than 128"),
        ('{"id": 1, "op": "x", "args": {"n": ' + "1" * 5000 + "}}", "longer than 4300"),
    ],
)
def test_a_hostile_request_is_a_bad_request(line: str, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        parse_request(line)


def test_a_request_at_the_limits_still_parses() -> None:
    args = {"n": int("7" * 4300), "deep": json.loads("[" * 100 + "]" * 100)}
    request = parse_request(json.dumps({"id": 3, "op": "x", "args": args}))
    assert request.args["n"] == args["n"]
