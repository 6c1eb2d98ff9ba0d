"""One plain HTTP/1.1 request to a directory, as the ``directory`` conformance family sends it.

Standard library only (``http.client``), so ``pjconf run --directory`` needs no extra. Each
request has its own connection, closed afterwards: no case can leak state into the next through
a kept-alive socket. A request may be *held*: when no answer head arrives within the hold
window, the exchange reports that instead of waiting out a directory's long poll.
"""

from __future__ import annotations

import http.client
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_ANSWER = 1 << 17
"""Bytes of an answer body read at most (BIP 77 answers are 8192; error pages are short)."""


class Unreachable(Exception):
    """The directory did not answer with HTTP at all: refused, reset, timed out, not HTTP."""


@dataclass(frozen=True)
class Answer:
    """What came back: the status, the content type (lower case, parameters dropped), the body
    (at most :data:`MAX_ANSWER` bytes) and its length; ``held`` when nothing came back within
    the hold window."""

    status: int = 0
    content_type: str = ""
    body: bytes = b""
    held: bool = False


def send(
    url: str,
    method: str,
    *,
    path: str,
    headers: dict[str, str],
    body: bytes,
    timeout: float,
    hold: float | None = None,
) -> Answer:
    """``method path`` on the origin of ``url``. With ``hold``, an answer head not received
    within ``hold`` seconds makes a held :class:`Answer`; otherwise the wait is ``timeout``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Unreachable(f"not an http(s) URL: {url!r}")
    connection_type = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_type(parts.hostname, parts.port, timeout=timeout)
    try:
        try:
            connection.putrequest(method, path, skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.putheader("Content-Length", str(len(body)))
            connection.endheaders()
            if body:
                connection.send(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # a server may refuse a body by answering before reading it: read the answer
        except OSError as e:
            raise Unreachable(f"{method} {url}{path}: {e}") from None
        if hold is not None and connection.sock is not None:
            connection.sock.settimeout(hold)
        try:
            response = connection.getresponse()
        except TimeoutError:
            if hold is not None:
                return Answer(held=True)
            raise Unreachable(f"{method} {url}{path}: no answer within {timeout:g}s") from None
        except (OSError, http.client.HTTPException) as e:
            raise Unreachable(f"{method} {url}{path}: {e}") from None
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        try:
            content = response.read(MAX_ANSWER)
        except (OSError, http.client.HTTPException) as e:
            raise Unreachable(f"{method} {url}{path}: body: {e}") from None
        kind = (response.getheader("Content-Type") or "").split(";", 1)[0].strip().lower()
        return Answer(response.status, kind, content)
    finally:
        connection.close()


def origin(url: str) -> str:
    """``scheme://host:port`` of ``url`` (what a relay path names)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
