"""``pjconf shim``: serve an in-process adapter over stdin/stdout, one JSON line each way.

The loop never dies on bad input: a line that is not a request gets an error line and the next
line is read. It exits 0 on ``shutdown`` or end of input.
"""

from __future__ import annotations

from typing import TextIO

from pjconf.protocol.wire import BadRequest, encode_line, error, parse_request
from pjconf.reference.adapter.dispatch import InProcessAdapter


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
