"""``pjconf shim``: serve an in-process adapter over stdin/stdout, one JSON line each way.

The loop never dies on bad input: a line that is not a request gets an error line and the next
line is read. It exits 0 on ``shutdown`` or end of input.
"""

from __future__ import annotations

from typing import TextIO

from pjconf.harness.adapters.base import InProcessAdapter
from pjconf.harness.protocol import BadRequest, encode_line, error, parse_request


def serve(adapter: InProcessAdapter, stdin: TextIO, stdout: TextIO) -> int:
    for line in stdin:
        if not line.strip():
            continue
        try:
            request = parse_request(line)
        except BadRequest as exc:
            response = error(exc.request_id, "BadRequest", str(exc))
        else:
            response = adapter.handle(request)
        stdout.write(encode_line(response) + "\n")
        stdout.flush()
        if adapter.shut_down:
            break
    return 0
