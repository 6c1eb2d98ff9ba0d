"""A durable SQLite store of many sessions: one ``sessions`` table, one ``events`` table.

Durability: WAL journal with ``synchronous=FULL``, so every committed save is on disk when
``save_event`` returns; each save and each close is one transaction, so a crash leaves either
the whole record or none of it. Events are stored as text (the payjoin-1.0 JSON) with a
per-session sequence number; ``close`` is recorded in ``sessions`` together with how many events
the log held at that moment (``closed_after``).

Appends after close (payjoin does not forbid them; its ``InMemoryPersister`` accepts them) are
accepted and kept, so that a stale handle's writes stay visible to the harness: they are the
events with ``seq >= closed_after``. ``strict=True`` rejects them with :class:`SessionClosed`.
``load`` works on closed sessions; ``close`` of a closed session changes nothing.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from pjconf.reference.errors import InvalidArgument
from pjconf.reference.persist.errors import SessionClosed, StorageError
from pjconf.reference.persist.protocols import IDENTITY, EventCodec

E = TypeVar("E")

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY NOT NULL CHECK (typeof(id) = 'text' AND length(id) > 0),
    closed INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
    closed_after INTEGER CHECK (closed_after IS NULL OR closed_after >= 0)
);
CREATE TABLE IF NOT EXISTS events (
    session_id TEXT NOT NULL REFERENCES sessions (id),
    seq INTEGER NOT NULL CHECK (typeof(seq) = 'integer' AND seq >= 0),
    event TEXT NOT NULL CHECK (typeof(event) = 'text'),
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;
"""

_APPEND = (
    "INSERT INTO events (session_id, seq, event) "
    "SELECT ?1, COALESCE(MAX(seq) + 1, 0), ?2 FROM events WHERE session_id = ?1"
)
_CLOSE = (
    "UPDATE sessions SET closed = 1, closed_after = "
    "(SELECT COUNT(*) FROM events WHERE session_id = ?1) WHERE id = ?1 AND closed = 0"
)


@dataclass(frozen=True)
class SessionInfo:
    """What the store knows about a session besides its events."""

    session_id: str
    events: int
    closed: bool
    closed_after: int | None  # events in the log when it was first closed


def validate_session_id(session_id: str) -> str:
    """An application-chosen id: any non-empty text of at most 255 characters without NUL."""
    if not isinstance(session_id, str) or not 0 < len(session_id) <= 255 or "\0" in session_id:
        raise InvalidArgument(f"invalid session id {session_id!r}")
    return session_id


class SqliteStore:
    """One database file; :meth:`persister` gives the :class:`SessionPersister` of a session."""

    def __init__(self, path: str | os.PathLike[str], *, strict: bool = False) -> None:
        self.path = os.fspath(path)
        self.strict = strict
        self._lock = threading.Lock()
        self._registered: set[str] = set()  # sessions known to have a row: skip the upsert
        try:
            # Autocommit mode: every transaction below is an explicit BEGIN ... COMMIT.
            self._conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30.0
            )
            mode = self._conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode != "wal":
                raise StorageError(f"{self.path}: journal_mode is {mode}, not wal")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            with self._transaction():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._conn.execute(statement)
                version = self._conn.execute("PRAGMA user_version").fetchone()[0]
                if version not in (0, SCHEMA_VERSION):
                    raise StorageError(f"{self.path}: schema version {version}, expected 1")
                self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.Error as error:
            raise StorageError(f"{self.path}: {error}") from error

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn)

    @overload
    def persister(self, session_id: str) -> SqlitePersister[str]: ...
    @overload
    def persister(self, session_id: str, codec: EventCodec[E]) -> SqlitePersister[E]: ...
    def persister(self, session_id: str, codec: EventCodec[Any] = IDENTITY) -> SqlitePersister[Any]:
        """The persister of ``session_id`` (created by its first save or close)."""
        return SqlitePersister(self, validate_session_id(session_id), codec)

    def session_ids(self) -> list[str]:
        """Every session that has been saved to or closed, in id order."""
        with self._lock:
            rows = self._query("SELECT id FROM sessions ORDER BY id", ())
        return [row[0] for row in rows]

    def info(self, session_id: str) -> SessionInfo:
        """Event count and closed flag of a session (an unknown one is empty and open)."""
        with self._lock:
            rows = self._query(
                "SELECT s.closed, s.closed_after, (SELECT COUNT(*) FROM events e "
                "WHERE e.session_id = s.id) FROM sessions s WHERE s.id = ?",
                (session_id,),
            )
        if not rows:
            return SessionInfo(session_id, 0, False, None)
        closed, closed_after, count = rows[0]
        return SessionInfo(session_id, count, bool(closed), closed_after)

    def disconnect(self) -> None:
        """Close the database connection (not a session: that is ``persister(id).close()``)."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.disconnect()

    # -- the three persister operations, on text --------------------------------------------

    def append_text(self, session_id: str, text: str) -> None:
        """Append one event text to a session in one durable transaction."""
        with self._lock:
            try:
                with self._transaction():
                    if session_id not in self._registered:
                        self._conn.execute(
                            "INSERT OR IGNORE INTO sessions (id) VALUES (?)", (session_id,)
                        )
                    if self.strict:
                        row = self._conn.execute(
                            "SELECT closed FROM sessions WHERE id = ?", (session_id,)
                        ).fetchone()
                        if row[0]:
                            raise SessionClosed(f"session {session_id!r} is closed")
                    self._conn.execute(_APPEND, (session_id, text))
            except sqlite3.Error as error:
                raise StorageError(f"saving an event of {session_id!r}: {error}") from error
            self._registered.add(session_id)  # only once the row is committed

    def load_texts(self, session_id: str) -> list[str]:
        """Every event text of a session in sequence order."""
        with self._lock:
            rows = self._query(
                "SELECT event FROM events WHERE session_id = ? ORDER BY seq", (session_id,)
            )
        return [row[0] for row in rows]

    def close_session(self, session_id: str) -> None:
        """Record the session as closed, in one durable transaction; idempotent."""
        with self._lock:
            try:
                with self._transaction():
                    self._conn.execute(
                        "INSERT OR IGNORE INTO sessions (id) VALUES (?)", (session_id,)
                    )
                    self._conn.execute(_CLOSE, (session_id,))
            except sqlite3.Error as error:
                raise StorageError(f"closing {session_id!r}: {error}") from error

    def _query(self, sql: str, args: tuple[object, ...]) -> list[Any]:
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.Error as error:
            raise StorageError(f"{self.path}: {error}") from error


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        try:
            if exc_type is None:
                self._conn.execute("COMMIT")
        finally:
            if self._conn.in_transaction:  # an exception, or a COMMIT that failed
                self._conn.execute("ROLLBACK")


class SqlitePersister(Generic[E]):
    """One session of a :class:`SqliteStore`, events through ``codec``."""

    def __init__(self, store: SqliteStore, session_id: str, codec: EventCodec[E]) -> None:
        self.store = store
        self.session_id = session_id
        self.codec = codec

    def save_event(self, event: E) -> None:
        try:
            text = self.codec.encode(event)
        except Exception as error:
            raise StorageError(f"encoding an event of {self.session_id!r}: {error}") from error
        self.store.append_text(self.session_id, text)

    def load(self) -> Iterator[E]:
        texts = self.store.load_texts(self.session_id)
        try:
            return iter([self.codec.decode(text) for text in texts])
        except Exception as error:
            raise StorageError(f"decoding an event of {self.session_id!r}: {error}") from error

    def close(self) -> None:
        self.store.close_session(self.session_id)

    @property
    def closed(self) -> bool:
        return self.store.info(self.session_id).closed
