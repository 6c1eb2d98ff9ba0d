"""``pjconf shim``: serve an in-process adapter over stdin/stdout, one JSON line each way.

The loop never dies on what it reads: a line that is not a request (bad JSON, not UTF-8, longer
than the line limit, nested too deep, holding a huge number) gets a ``BadRequest`` answer, an
answer that cannot be encoded becomes an ``InternalError`` answer, and the next line is read.
Lines are read as bytes with a size cap (:mod:`pjconf.protocol.lines`), so an endless line costs
at most one line's worth of memory. It exits 0 on ``shutdown`` or end of input.
"""

from __future__ import annotations

import json
from typing import BinaryIO, TextIO, cast

from pjconf.protocol.limits import DEFAULT_LIMITS, Limits
from pjconf.protocol.lines import Line, Oversized, Readable, read_lines
from pjconf.protocol.wire import BadRequest, JsonObject, encode_line, error, parse_request
from pjconf.reference.adapter.dispatch import InProcessAdapter


def serve(
    adapter: InProcessAdapter,
    stdin: BinaryIO | TextIO,
    stdout: BinaryIO | TextIO,
    limits: Limits = DEFAULT_LIMITS,
) -> int:
    """Answer every line of ``stdin`` on ``stdout``. Text streams are served through their
    binary ``buffer`` (``sys.stdin``), so bytes that are not UTF-8 are seen as such."""
    source = cast(Readable, getattr(stdin, "buffer", stdin))
    sink = cast(BinaryIO, getattr(stdout, "buffer", stdout))
    for line in read_lines(source, limits.max_line_bytes):
        response = answer(adapter, line, limits)
        if response is None:
            continue
        sink.write(encode_answer(response) + b"\n")
        sink.flush()
        if adapter.shut_down:
            break
    return 0


def answer(adapter: InProcessAdapter, line: Line, limits: Limits) -> JsonObject | None:
    """The answer to one line (``None`` for a blank one); never raises."""
    if isinstance(line, Oversized):
        return error(None, "BadRequest", f"request {line}")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return error(None, "BadRequest", f"not UTF-8: byte {line[exc.start]:#04x} at {exc.start}")
    if not text.strip():
        return None
    try:
        request = parse_request(text, limits)
    except BadRequest as exc:
        return error(exc.request_id, "BadRequest", str(exc))
    try:
        return adapter.handle(request)
    except Exception as exc:  # dispatch catches handler errors; this is the last resort
        return error(request.id, "InternalError", f"{type(exc).__name__}: {exc}")


def encode_answer(response: JsonObject) -> bytes:
    """``response`` as one UTF-8 line. A string with a lone surrogate is written ``\\udXXX``
    escaped; an answer JSON cannot carry at all becomes an ``InternalError`` for its id."""
    try:
        return encode_line(response).encode("utf-8")
    except UnicodeEncodeError:
        pass
    except (ValueError, TypeError, RecursionError) as exc:
        request_id = response.get("id")
        safe_id = request_id if isinstance(request_id, int) else None
        message = f"the answer cannot be encoded as JSON: {type(exc).__name__}"
        return encode_line(error(safe_id, "InternalError", message)).encode("utf-8")
    try:
        return json.dumps(response, separators=(",", ":")).encode("ascii")
    except (ValueError, TypeError, RecursionError):
        return encode_answer(error(None, "InternalError", "the answer cannot be encoded"))
