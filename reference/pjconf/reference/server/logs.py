"""Structured logs: one line per event on stderr, JSON objects or ``key=value`` text.

Every request's line carries its request id (also sent back as ``X-Request-Id``), method, path
class, status, byte counts and duration. Nothing secret or linking is logged: no bodies, no
keys, no mailbox ShortIds (which would tie a session's requests together), no client addresses.
Times come from an injected clock, so a test can fix them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TextIO

from pjconf.reference.server.config import LogFormat

LogValue = str | int | float | bool | None


class Logger:
    """Writes one line per :meth:`event`; ``format`` picks JSON or text."""

    def __init__(
        self, format: LogFormat, clock: Callable[[], float], stream: TextIO | None = None
    ) -> None:
        self._format, self._clock = format, clock
        self._stream = stream

    def event(self, event: str, level: LogValue = "info", **fields: LogValue) -> None:
        record: dict[str, LogValue] = {"ts": round(self._clock(), 3), "level": str(level)}
        record["event"] = event
        record.update(fields)
        if self._format == "json":
            line = json.dumps(record, separators=(",", ":"), sort_keys=False)
        else:
            line = " ".join(f"{k}={_text(v)}" for k, v in record.items())
        stream = self._stream or sys.stderr
        try:
            stream.write(line + "\n")
            stream.flush()
        except (OSError, ValueError):  # a closed stderr must not take a request down
            pass


def _text(value: LogValue) -> str:
    text = "-" if value is None else str(value)
    return json.dumps(text) if (" " in text or "=" in text or not text) else text
