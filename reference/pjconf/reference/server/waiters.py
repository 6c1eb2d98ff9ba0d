"""Long polls: a GET on an empty mailbox waits until a POST arrives there, or its timeout.

One :class:`asyncio.Event` per mailbox with waiters, shared by all of them (payjoin-mailroom
shares one oneshot receiver per mailbox the same way, ``db/files.rs``), dropped when the last
waiter leaves, so memory grows with the mailboxes being waited on, not with time. The number of
waiters held at once is bounded; past it :meth:`Waiters.wait` refuses (the server answers 503,
as the mailroom does when its storage is at capacity). :meth:`Waiters.release_all` ends every
wait at shutdown, so each long poll is answered (202) before the server stops.
"""

from __future__ import annotations

import asyncio
import contextlib


class TooManyWaiters(Exception):
    """The server already holds its maximum of long polls."""


class Waiters:
    """Who waits on which mailbox; see the module docstring."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._events: dict[bytes, asyncio.Event] = {}
        self._counts: dict[bytes, int] = {}
        self._held = 0
        self._released = False

    @property
    def held(self) -> int:
        """Long polls waiting now."""
        return self._held

    async def wait(self, short_id: bytes, timeout: float) -> bool:
        """Wait for :meth:`notify` of ``short_id``; False when the timeout (or shutdown) came
        first. Raises :class:`TooManyWaiters` at the limit."""
        if self._released or timeout <= 0:
            return False
        if self._held >= self._limit:
            raise TooManyWaiters
        event = self._events.get(short_id)
        if event is None:
            event = self._events[short_id] = asyncio.Event()
        self._counts[short_id] = self._counts.get(short_id, 0) + 1
        self._held += 1
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await event.wait()
            return event.is_set() and not self._released
        finally:
            self._held -= 1
            self._counts[short_id] -= 1
            if self._counts[short_id] == 0:
                del self._counts[short_id]
                if self._events.get(short_id) is event:
                    del self._events[short_id]

    def notify(self, short_id: bytes) -> None:
        """Wake every waiter of ``short_id``; the next waiters get a fresh event."""
        event = self._events.pop(short_id, None)
        if event is not None:
            event.set()

    def release_all(self) -> None:
        """Shutdown: end every wait now and refuse to start new ones (they time out at once)."""
        self._released = True
        for event in self._events.values():
            event.set()
        self._events.clear()
