"""Reading a request body within a size and a time bound, never buffering more than the bound.

A declared ``Content-Length`` over the limit is refused before a byte of the body is read; a
chunked body is read piece by piece and refused as soon as it passes the limit; a body that
does not arrive within the time bound is refused as slow. Either way the connection is closed
afterwards (the rest of the body is never drained).
"""

from __future__ import annotations

import asyncio

from aiohttp import web


class BodyRefused(Exception):
    """The body is over the limit (413) or too slow (408)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


async def read_bounded(request: web.BaseRequest, limit: int, timeout: float) -> bytes:
    """The whole body, at most ``limit`` bytes, within ``timeout`` seconds."""
    declared = request.content_length
    if declared is not None and declared > limit:
        raise BodyRefused(413, f"Content-Length {declared} over {limit}")
    parts: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(timeout):
            while True:
                chunk = await request.content.read(limit + 1 - size)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise BodyRefused(413, f"body over {limit} bytes")
                parts.append(chunk)
    except TimeoutError:
        raise BodyRefused(408, f"body not received within {timeout:g} s") from None
    return b"".join(parts)
