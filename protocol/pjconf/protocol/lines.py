"""Splitting a byte stream into protocol lines without ever holding more than one bounded line.

Reading with ``for line in stream`` buffers a line however long it is: one endless line takes all
the memory there is. :class:`LineSplitter` keeps at most ``max_line_bytes`` of the line being
assembled; a longer line is reported once, as :class:`Oversized`, as soon as it crosses the bound
(an endless line never reaches its newline), and the rest of it is dropped up to the newline.
Lines come out as bytes: decoding them (strictly, as UTF-8) is the reader's business, so a byte
that is not UTF-8 spoils one line, not the stream.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Oversized:
    """A line longer than ``limit`` bytes: reported instead of the line, which is dropped."""

    limit: int

    def __str__(self) -> str:
        return f"line longer than {self.limit} bytes (discarded)"


Line = bytes | Oversized


class LineSplitter:
    """Bytes in (any chunking), whole lines out, each at most ``max_line_bytes`` long."""

    def __init__(self, max_line_bytes: int) -> None:
        self.limit = max_line_bytes
        self._pending = bytearray()
        self._dropping = False

    def feed(self, data: bytes) -> list[Line]:
        """The lines ``data`` completes (without their ``\\n``), and an :class:`Oversized` the
        moment the current line outgrows the bound."""
        out: list[Line] = []
        view = memoryview(data)
        start = 0
        while start < len(data):
            newline = data.find(b"\n", start)
            end = len(data) if newline < 0 else newline
            if not self._dropping:
                if len(self._pending) + end - start > self.limit:
                    out.append(Oversized(self.limit))
                    self._pending.clear()
                    self._dropping = True
                else:
                    self._pending += view[start:end]
            if newline < 0:
                break
            if not self._dropping:
                out.append(bytes(self._pending))
            self._pending.clear()
            self._dropping = False
            start = newline + 1
        return out

    def finish(self) -> list[Line]:
        """At the end of the stream: an unterminated last line, if any."""
        rest: list[Line] = [] if self._dropping or not self._pending else [bytes(self._pending)]
        self._pending.clear()
        self._dropping = False
        return rest


class Readable(Protocol):
    def read1(self, size: int = ..., /) -> bytes: ...


def read_lines(stream: Readable, max_line_bytes: int) -> Iterator[Line]:
    """Every line of ``stream`` until its end, as :meth:`LineSplitter.feed` gives them; reads
    whatever is available (``read1``), so a line is handed over as soon as its newline arrives."""
    splitter = LineSplitter(max_line_bytes)
    while chunk := stream.read1(CHUNK):
        yield from splitter.feed(chunk)
    yield from splitter.finish()
