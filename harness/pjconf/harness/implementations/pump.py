"""The answer lines of one running adapter, from its reader thread to the client, bounded.

A reader thread feeds the adapter's output in; the client takes one line per request. Memory is
bounded whatever the adapter writes: the splitter holds at most one line being assembled, the
queue at most :data:`DEPTH` finished lines, each at most ``max_line_bytes`` (so with the default
4 MiB line, at most 12 MiB of unread output). An adapter that writes faster than it is asked is
held back: its reader blocks, the adapter's pipe fills and the adapter blocks writing. Once the
channel is closed the reader stops within :data:`POLL` seconds instead of waiting for room.
"""

from __future__ import annotations

import queue
import threading
import time

from pjconf.protocol.lines import Line, LineSplitter

DEPTH = 2
"""Finished lines waiting for the client (one answer each; more is an adapter writing unasked)."""
POLL = 0.1

Item = Line | None
"""A line (bytes), an :class:`~pjconf.protocol.lines.Oversized` report, or ``None``: the end."""


class LineQueue:
    """Lines of one adapter's stdout: :meth:`feed` from the reader thread, :meth:`get` from the
    client."""

    def __init__(self, max_line_bytes: int) -> None:
        self._splitter = LineSplitter(max_line_bytes)
        self._queue: queue.Queue[Item] = queue.Queue(maxsize=DEPTH)
        self._closed = threading.Event()

    def feed(self, data: bytes) -> bool:
        """Queue the lines ``data`` completes; ``False`` once the channel is closed (stop
        reading)."""
        return all(self._put(line) for line in self._splitter.feed(data))

    def end(self) -> None:
        """The adapter's output ended: the client's next :meth:`get` sees ``None``."""
        for line in self._splitter.finish():
            self._put(line)
        self._put(None)

    def get(self, timeout: float) -> Item:
        """The next line; ``None`` as soon as the channel is closed (killed from another
        thread); ``queue.Empty`` when nothing came within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not self._closed.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise queue.Empty
            try:
                return self._queue.get(timeout=min(remaining, POLL))
            except queue.Empty:
                continue
        return None

    def close(self) -> None:
        """The channel is gone: the reader stops at its next line instead of waiting for room."""
        self._closed.set()

    def _put(self, item: Item) -> bool:
        while not self._closed.is_set():
            try:
                self._queue.put(item, timeout=POLL)
            except queue.Full:
                continue
            return True
        return False
