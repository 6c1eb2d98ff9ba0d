"""Typed errors of session persistence, in the style of :mod:`pjconf.reference.errors`.

rust-payjoin's ``PersistedError`` is a ``Result`` error; here it is an exception that ``save``
raises. Its four classifications and accessors follow payjoin 1.0 (``persist.rs``): a storage
error *replaces* the protocol outcome and is neither transient nor fatal, because the outcome is
then unknown and recovery is replaying the log.
"""

from __future__ import annotations

import enum
from typing import Generic, TypeVar

from pjconf.reference.errors import PjconfError

A = TypeVar("A")
"""The protocol (API) error a transition rejects with."""
ES = TypeVar("ES")
"""The error state a replyable / fatal-advance rejection hands back."""
CS = TypeVar("CS")
"""The current state a transient rejection hands back for a retry in place."""


class StorageError(PjconfError):
    """A persister could not durably do what it was asked (payjoin's ``InternalStorageError``).

    Every persister in this package raises only this (or a subclass) for storage failures; the
    transitions catch only this, so a bug in a custom persister is not mistaken for storage.
    """

    kind = "StorageError"


class SessionClosed(StorageError):
    """An append to a closed session on a store opened with ``strict=True``."""

    kind = "SessionClosed"


class TornRecord(StorageError):
    """The last record of a file log is incomplete: a write was cut off by a crash.

    Never dropped silently: ``load`` raises this until the tail is repaired explicitly.
    ``intact`` is how many events precede the torn record, ``offset`` where it starts.
    """

    kind = "TornRecord"

    def __init__(self, message: str, *, offset: int, intact: int, torn: bytes) -> None:
        super().__init__(message)
        self.offset = offset
        self.intact = intact
        self.torn = torn


class TornHeader(TornRecord):
    """A file log whose header line is incomplete (a cut-off creation), so it holds no event.

    Nothing acknowledged can be lost with it: the next save recreates the header, and
    ``repair`` does the same on request. ``torn`` is the partial header as found.
    """

    kind = "TornHeader"


class LogLocked(StorageError):
    """Another writer holds the session's lock: a second writer or a repair is refused."""

    kind = "LogLocked"


class CorruptLog(StorageError):
    """Stored data that fails its checks and is not a torn write, so it is never repaired.

    A file log's damaged record before the last one; in SQLite a database that fails its
    integrity check, or rows with a bad checksum, a gap or a duplicate in their sequence.
    """

    kind = "CorruptLog"


class ReadOnlyStore(StorageError):
    """A write to a store that can only be read (a read-only file, directory or mount)."""

    kind = "ReadOnlyStore"


class AlreadySaved(PjconfError):
    """A transition was saved twice (payjoin-ffi panics "Already saved or moved").

    Raised before any persister call, so the second ``save`` persists nothing.
    """

    kind = "AlreadySaved"


class PersistedErrorKind(enum.Enum):
    """The four shapes of payjoin's ``InternalPersistedError``."""

    TRANSIENT = "Transient"
    FATAL = "Fatal"
    FATAL_WITH_STATE = "FatalWithState"
    STORAGE = "Storage"


class PersistedError(PjconfError, Generic[A, ES, CS]):
    """What ``save`` raises when a transition was rejected or its persistence failed.

    Build one with :meth:`transient`, :meth:`fatal`, :meth:`fatal_with_state` or
    :meth:`storage`. ``str()`` is payjoin's ``Display``: ``"Transient error: …"``,
    ``"Fatal error: …"`` (both fatal kinds) or ``"Storage error: …"``.
    """

    kind = "PersistedError"

    def __init__(
        self,
        classification: PersistedErrorKind,
        error: A | StorageError,
        state: ES | CS | None = None,
    ) -> None:
        label = {
            PersistedErrorKind.TRANSIENT: "Transient error",
            PersistedErrorKind.FATAL: "Fatal error",
            PersistedErrorKind.FATAL_WITH_STATE: "Fatal error",
            PersistedErrorKind.STORAGE: "Storage error",
        }[classification]
        super().__init__(f"{label}: {error}")
        self.classification = classification
        self._error = error
        self._state = state

    @classmethod
    def transient(cls, error: A, current_state: CS) -> PersistedError[A, ES, CS]:
        return cls(PersistedErrorKind.TRANSIENT, error, current_state)

    @classmethod
    def fatal(cls, error: A) -> PersistedError[A, ES, CS]:
        return cls(PersistedErrorKind.FATAL, error)

    @classmethod
    def fatal_with_state(cls, error: A, error_state: ES) -> PersistedError[A, ES, CS]:
        return cls(PersistedErrorKind.FATAL_WITH_STATE, error, error_state)

    @classmethod
    def storage(cls, error: StorageError) -> PersistedError[A, ES, CS]:
        return cls(PersistedErrorKind.STORAGE, error)

    def is_transient(self) -> bool:
        """Nothing was persisted; retry in place from :meth:`transient_state`."""
        return self.classification is PersistedErrorKind.TRANSIENT

    def is_fatal(self) -> bool:
        """An event was persisted; the session is closed or in an error state."""
        return self.classification in (
            PersistedErrorKind.FATAL,
            PersistedErrorKind.FATAL_WITH_STATE,
        )

    def is_storage(self) -> bool:
        """The outcome is unknown: recover by replaying the log (neither transient nor fatal)."""
        return self.classification is PersistedErrorKind.STORAGE

    def api_error(self) -> A | None:
        """The protocol error of any of the three API kinds; ``None`` for a storage error."""
        if self.classification is PersistedErrorKind.STORAGE:
            return None
        return self._error  # type: ignore[return-value]

    def storage_error(self) -> StorageError | None:
        """The storage failure that replaced the outcome; ``None`` for an API error."""
        if self.classification is PersistedErrorKind.STORAGE:
            return self._error  # type: ignore[return-value]
        return None

    def fatal_state(self) -> ES | None:
        """The error state of a ``FatalWithState`` rejection only (renamed in payjoin rc.5)."""
        if self.classification is PersistedErrorKind.FATAL_WITH_STATE:
            return self._state  # type: ignore[return-value]
        return None

    def transient_state(self) -> CS | None:
        """The unchanged current state of a transient rejection only."""
        if self.classification is PersistedErrorKind.TRANSIENT:
            return self._state  # type: ignore[return-value]
        return None
