"""Any sync persister as an :class:`AsyncSessionPersister`, its blocking I/O on a thread.

The durable stores fsync on every save; run on the event loop that would stall every other
task for the length of a disk flush, so the async face hands each call to ``asyncio.to_thread``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Generic, TypeVar

from pjconf.reference.persist.protocols import SessionPersister

E = TypeVar("E")


class ThreadedAsyncPersister(Generic[E]):
    """Awaitable ``save_event`` / ``load`` / ``close`` over a thread-safe sync persister."""

    def __init__(self, inner: SessionPersister[E]) -> None:
        self.inner = inner

    async def save_event(self, event: E) -> None:
        await asyncio.to_thread(self.inner.save_event, event)

    async def load(self) -> Iterator[E]:
        return await asyncio.to_thread(lambda: iter(list(self.inner.load())))

    async def close(self) -> None:
        await asyncio.to_thread(self.inner.close)
