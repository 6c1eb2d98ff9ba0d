"""The persister interfaces (payjoin 1.0's ``SessionPersister`` / ``AsyncSessionPersister``).

A persister owns one session's append-only event log and its "closed" flag. Storage failures
are raised as :class:`~pjconf.reference.persist.errors.StorageError`. The durable stores keep
event *text* (the payjoin-1.0 JSON of the event) and turn it into events through an
:class:`EventCodec`, so they do not depend on the event model.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, TypeVar

E = TypeVar("E")


class SessionPersister(Protocol[E]):
    """One session's log: append, read back in order, mark closed."""

    def save_event(self, event: E) -> None:
        """Append one event; durable when this returns."""
        ...

    def load(self) -> Iterator[E]:
        """Every event of the session in the order saved. Works on a closed session."""
        ...

    def close(self) -> None:
        """Mark the session closed. The library calls it after terminal and fatal outcomes."""
        ...


class AsyncSessionPersister(Protocol[E]):
    """The async twin of :class:`SessionPersister`, used by ``save_async``."""

    async def save_event(self, event: E) -> None:
        """Append one event; durable when the awaitable completes."""
        ...

    async def load(self) -> Iterator[E]:
        """Every event of the session in the order saved. Works on a closed session."""
        ...

    async def close(self) -> None:
        """Mark the session closed."""
        ...


class EventCodec(Protocol[E]):
    """Event ⇄ stored text. ``decode`` raising anything is reported as a storage error on load.

    That is payjoin-ffi's rule: a serde failure in its JSON persister adapters becomes
    ``ForeignError::InternalError``, which replay sees as a persistence failure.
    """

    def encode(self, event: E) -> str:
        """The event's stored text (for payjoin events: ``serde_json::to_string``)."""
        ...

    def decode(self, text: str) -> E:
        """The event a stored text stands for."""
        ...


class IdentityCodec:
    """Plain strings stored as they are: the codec of a log of event texts."""

    def encode(self, event: str) -> str:
        return event

    def decode(self, text: str) -> str:
        return text


IDENTITY: EventCodec[str] = IdentityCodec()
"""The shared identity codec."""
