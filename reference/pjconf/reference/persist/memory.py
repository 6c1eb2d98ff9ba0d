"""In-memory persisters: payjoin's ``InMemoryPersister`` and the async twin.

Like the crate's, they never fail, keep appending after ``close`` and let ``load`` read a closed
session. ``events`` and ``closed`` are there for tests and the harness to inspect.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Generic, TypeVar

E = TypeVar("E")


class InMemoryPersister(Generic[E]):
    """A list of events and a closed flag behind a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[E] = []
        self._closed = False

    def save_event(self, event: E) -> None:
        with self._lock:
            self._events.append(event)

    def load(self) -> Iterator[E]:
        with self._lock:
            return iter(list(self._events))

    def close(self) -> None:
        with self._lock:
            self._closed = True

    @property
    def events(self) -> list[E]:
        """A copy of the log."""
        with self._lock:
            return list(self._events)

    @property
    def closed(self) -> bool:
        return self._closed


class InMemoryAsyncPersister(Generic[E]):
    """The async twin (the crate's ``#[cfg(test)]`` one, with an ``asyncio.Lock``)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._events: list[E] = []
        self._closed = False

    async def save_event(self, event: E) -> None:
        async with self._lock:
            self._events.append(event)

    async def load(self) -> Iterator[E]:
        async with self._lock:
            return iter(list(self._events))

    async def close(self) -> None:
        async with self._lock:
            self._closed = True

    @property
    def events(self) -> list[E]:
        """A copy of the log."""
        return list(self._events)

    @property
    def closed(self) -> bool:
        return self._closed
