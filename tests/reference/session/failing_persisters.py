"""In-memory persisters that fail on demand: replay's persistence-failure paths, for either role."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from pjconf.reference.persist import StorageError
from pjconf.reference.persist.memory import InMemoryAsyncPersister, InMemoryPersister

E = TypeVar("E")


class Failing(InMemoryPersister[E]):
    """Holds ``events``; ``load`` raises "disk on fire", ``close`` raises "cannot close"."""

    def __init__(self, events: Iterable[E], *, load: bool, close: bool) -> None:
        super().__init__()
        for e in events:
            self.save_event(e)
        self.fail_load, self.fail_close = load, close

    def load(self) -> Iterator[E]:
        if self.fail_load:
            raise StorageError("disk on fire")
        return super().load()

    def close(self) -> None:
        if self.fail_close:
            raise StorageError("cannot close")
        super().close()


class FailingAsync(InMemoryAsyncPersister[E]):
    """The async twin (empty until events are saved)."""

    def __init__(self, *, load: bool, close: bool) -> None:
        super().__init__()
        self.fail_load, self.fail_close = load, close

    async def load(self) -> Iterator[E]:
        if self.fail_load:
            raise StorageError("disk on fire")
        return await super().load()

    async def close(self) -> None:
        if self.fail_close:
            raise StorageError("cannot close")
        await super().close()
