"""``pjconf shim`` as a real process on real pipes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SHIM = [sys.executable, "-m", "pjconf.harness", "shim"]


def _converse(lines: list[str]) -> tuple[list[dict[str, object]], int]:
    done = subprocess.run(
        SHIM,
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return [json.loads(line) for line in done.stdout.splitlines()], done.returncode


def test_hello_lists_ops_and_protocol_version() -> None:
    answers, code = _converse(['{"id": 1, "op": "hello", "args": {}}'])
    assert code == 0
    hello = answers[0]["result"]
    assert isinstance(hello, dict)
    assert hello["protocol"] == 1
    assert hello["implementation"] == "pjconf-reference"
    assert {"hello", "shutdown", "hpke.seal", "bip77.msg_a.open"} <= set(hello["ops"])


def test_malformed_lines_get_an_error_and_the_shim_keeps_serving() -> None:
    answers, code = _converse(
        [
            "this is not json",
            '{"id": 2, "op": 5}',
            '{"id": 3, "op": "ellswift.decode", "args": {"ell64": "zz"}}',
            '{"id": 4, "op": "no.such.op", "args": {}}',
            '{"id": 5, "op": "hello"}',
        ]
    )
    assert code == 0
    assert [a["id"] for a in answers] == [None, 2, 3, 4, 5]
    assert answers[0]["error"]["kind"] == "BadRequest"  # type: ignore[index]
    assert answers[1]["error"]["kind"] == "BadRequest"  # type: ignore[index]
    assert answers[2]["error"]["kind"] == "InvalidArgument"  # type: ignore[index]
    assert answers[3]["unimplemented"] is True
    assert "result" in answers[4]


@pytest.mark.parametrize("tail", [['{"id": 9, "op": "shutdown"}', '{"id": 10, "op": "hello"}'], []])
def test_exits_zero_on_shutdown_or_end_of_input(tail: list[str]) -> None:
    answers, code = _converse(['{"id": 1, "op": "hello"}', *tail])
    assert code == 0
    # Nothing is answered after shutdown.
    assert [a["id"] for a in answers] == [1, 9][: 1 + bool(tail)]
