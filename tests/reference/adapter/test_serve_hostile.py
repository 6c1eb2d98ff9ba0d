"""``pjconf shim`` never dies on an input line: every one gets an answer and the loop goes on."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from typing import Any

import pytest

from pjconf.protocol.limits import Limits
from pjconf.protocol.wire import JsonObject
from pjconf.reference.adapter.dispatch import InProcessAdapter
from pjconf.reference.adapter.serve import encode_answer, serve

HELLO = b'{"id": 99, "op": "hello"}\n'
HOSTILE_LINES = {
    "deep": b'{"id": 1, "op": "echo", "args": ' + b"[" * 5000 + b"]" * 5000 + b"}\n",
    "deep unparsable": b"[" * 100_000 + b"\n",
    "huge integer": b'{"id": 1, "op": "echo", "args": {"n": ' + b"1" * 5000 + b"}}\n",
    "huge id": b'{"id": ' + b"1" * 5000 + b', "op": "echo"}\n',
    "not UTF-8": b'{"id": 1, "op": "echo", "args": {"s": "\xff\xfe"}}\n',
    "overlong": b'{"id": 1, "op": "echo", "args": {"s": "' + b"a" * 20_000 + b'"}}\n',
    "NUL bytes": b"\x00\x00\x00\n",
    "lone surrogate echoed": b'{"id": 1, "op": "echo", "args": {"s": "\\ud800"}}\n',
    "answer with a huge integer": b'{"id": 1, "op": "huge"}\n',
    "answer that is not JSON": b'{"id": 1, "op": "bytes"}\n',
}


def _adapter() -> InProcessAdapter:
    handlers = {
        "echo": lambda args: args,
        "huge": lambda args: {"n": 10**5000},
        "bytes": lambda args: {"b": b"\x00"},
    }
    return InProcessAdapter("hostile-test", "0", handlers)


TIGHT = Limits(max_line_bytes=16_384)


def _serve(data: bytes) -> list[dict[str, Any]]:
    out = io.BytesIO()
    assert serve(_adapter(), io.BytesIO(data), out, TIGHT) == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.parametrize("name", sorted(HOSTILE_LINES))
def test_a_hostile_line_gets_one_answer_and_the_next_request_is_served(name: str) -> None:
    answers = _serve(HOSTILE_LINES[name] + HELLO)
    assert len(answers) == 2
    first, hello = answers
    assert hello["id"] == 99
    assert hello["result"]["implementation"] == "hostile-test"
    if "error" in first:
        assert first["error"]["kind"] in ("BadRequest", "InternalError")
        assert len(first["error"]["message"]) < 200  # one line of reason, not the input back


def test_each_hostile_line_says_what_was_wrong() -> None:
    kinds = {name: _serve(line)[0] for name, line in HOSTILE_LINES.items()}
    assert "deeper than 128" in kinds["deep"]["error"]["message"]
    assert "longer than 4300 digits" in kinds["huge integer"]["error"]["message"]
    assert "not UTF-8: byte 0xff" in kinds["not UTF-8"]["error"]["message"]
    assert "longer than 16384 bytes" in kinds["overlong"]["error"]["message"]
    assert kinds["lone surrogate echoed"]["result"] == {"s": "\ud800"}  # sent \u-escaped
    assert kinds["answer with a huge integer"]["error"]["kind"] == "InternalError"
    assert kinds["answer with a huge integer"]["id"] == 1


def test_an_answer_that_cannot_be_encoded_keeps_its_id() -> None:
    answer: JsonObject = {"id": 5, "result": {"x": {1, 2}}}
    assert json.loads(encode_answer(answer))["error"]["kind"] == "InternalError"
    assert json.loads(encode_answer(answer))["id"] == 5


def test_the_real_shim_survives_every_hostile_line_on_real_pipes() -> None:
    """``pjconf shim`` as a process, with the default limits: a 5 MiB line included."""
    overlong = b'{"id": 7, "op": "x", "args": "' + b"z" * (5 << 20) + b'"}\n'
    lines = [*HOSTILE_LINES.values(), overlong]
    done = subprocess.run(
        [sys.executable, "-m", "pjconf.harness", "shim"],
        input=b"".join(lines) + HELLO,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == len(lines) + 1
    assert answers[-1]["result"]["implementation"] == "pjconf-reference"
    assert "longer than 4194304 bytes" in answers[-2]["error"]["message"]
    assert b"Traceback" not in done.stderr
