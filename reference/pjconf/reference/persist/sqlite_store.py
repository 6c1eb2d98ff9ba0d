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

Damage is reported, never returned as data. SQLite keeps no checksums of its own, so every row
carries a CRC-32 of its content (schema version 2; a version-1 store gains them on its first
writable open). Opening runs ``PRAGMA quick_check``; every load checks that the rows are the
requested session's, numbered 0..n-1 without gap or repeat, with intact checksums, and that the
row after them does not claim to be one of them (a damaged key can cut a log short). Failures
are :class:`CorruptLog`; every other SQLite failure is a :class:`StorageError`, never a raw
``sqlite3`` or ``UnicodeError``.

A store that cannot be written (a read-only file, directory or mount) opens read-only: through
``mode=ro``, or, when SQLite cannot open its shared-memory file there and the WAL holds nothing,
``immutable=1``. Loads work; writes raise :class:`ReadOnlyStore`.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

from pjconf.reference.errors import InvalidArgument
from pjconf.reference.persist.errors import (
    CorruptLog,
    ReadOnlyStore,
    SessionClosed,
    StorageError,
)
from pjconf.reference.persist.protocols import IDENTITY, EventCodec

E = TypeVar("E")

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY NOT NULL CHECK (typeof(id) = 'text' AND length(id) > 0),
    closed INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
    closed_after INTEGER CHECK (closed_after IS NULL OR closed_after >= 0),
    crc INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS events (
    session_id TEXT NOT NULL REFERENCES sessions (id),
    seq INTEGER NOT NULL CHECK (typeof(seq) = 'integer' AND seq >= 0),
    event TEXT NOT NULL CHECK (typeof(event) = 'text'),
    crc INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;
"""

_UPGRADE_FROM_1 = (
    "ALTER TABLE sessions ADD COLUMN crc INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE events ADD COLUMN crc INTEGER NOT NULL DEFAULT 0",
)

_OPEN_TIMEOUT = 30.0
"""Seconds a statement waits for another connection's write lock before failing."""


def event_crc(session_id: str, seq: int, text: str) -> int:
    """The checksum of an event row: its session, its place and its text."""
    return zlib.crc32(b"%s\0%d\0%s" % (session_id.encode(), seq, text.encode()))


def session_crc(session_id: str, closed: int, closed_after: int | None) -> int:
    """The checksum of a session row."""
    after = b"" if closed_after is None else b"%d" % closed_after
    return zlib.crc32(b"%s\0%d\0%s" % (session_id.encode(), closed, after))


def _primary_code(error: BaseException) -> int:
    """SQLite's primary result code behind ``error`` (or behind the typed error it became)."""
    if isinstance(error, StorageError):
        error = error.__cause__ or error
    code = getattr(error, "sqlite_errorcode", None)  # absent on errors of the sqlite3 module
    return code & 0xFF if isinstance(code, int) else 0


def _typed(error: sqlite3.Error | UnicodeError, where: str) -> StorageError:
    """The store's error for a failure of SQLite or of its text (damaged UTF-8 is corruption)."""
    if isinstance(error, UnicodeEncodeError):
        return StorageError(f"{where}: text that is not valid Unicode cannot be stored")
    if isinstance(error, UnicodeError):
        return CorruptLog(f"{where}: the database holds text that is not UTF-8")
    code = _primary_code(error)
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "Could not decode" in str(error):
        return CorruptLog(f"{where}: the database is damaged: {error}")
    if code == sqlite3.SQLITE_READONLY:
        return ReadOnlyStore(f"{where}: the database is read-only: {error}")
    return StorageError(f"{where}: {error}")


@contextlib.contextmanager
def _typed_errors(where: str) -> Iterator[None]:
    """Turn every SQLite (and text) failure inside the block into the store's typed error."""
    try:
        yield
    except (sqlite3.Error, UnicodeError) as error:
        raise _typed(error, where) from error


def _cannot_share(error: StorageError) -> bool:
    """Whether opening failed for want of write access (to the file, or to the directory for
    the WAL's shared-memory file): the case a read-only open may get around."""
    return _primary_code(error) in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN)


def _wal_is_empty(path: str) -> bool:
    try:
        return os.path.getsize(f"{path}-wal") == 0
    except FileNotFoundError:
        return True


def _quick_check(conn: sqlite3.Connection, where: str) -> None:
    """``PRAGMA quick_check``: the b-trees are well formed (linear in the file's size)."""
    verdict = conn.execute("PRAGMA quick_check(1)").fetchone()
    if verdict is None or verdict[0] != "ok":
        raise CorruptLog(f"{where}: the database is damaged: {verdict and verdict[0]}")


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
    try:
        session_id.encode()
    except UnicodeEncodeError:
        raise InvalidArgument(f"session id {session_id!r} is not valid Unicode") from None
    return session_id


class SqliteStore:
    """One database file; :meth:`persister` gives the :class:`SessionPersister` of a session."""

    def __init__(self, path: str | os.PathLike[str], *, strict: bool = False) -> None:
        self.path = os.fspath(path)
        self.strict = strict
        self.read_only = False
        self._lock = threading.Lock()
        self._registered: set[str] = set()  # sessions known to have a row: skip the upsert
        self._version = SCHEMA_VERSION
        with _typed_errors(self.path):
            try:
                self._conn = self._open_writable()
            except StorageError as error:
                if not _cannot_share(error) or not os.path.isfile(self.path):
                    raise
                self._conn = self._open_read_only()
                self.read_only = True
            else:  # SQLite may open a file it cannot write (e.g. on a read-only mount) all the same
                self.read_only = os.path.exists(self.path) and not os.access(self.path, os.W_OK)

    def _open_writable(self) -> sqlite3.Connection:
        """Open read-write in WAL mode, create or upgrade the schema, then check the b-trees."""
        with _typed_errors(self.path):
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=_OPEN_TIMEOUT
            )
        try:
            with _typed_errors(self.path):
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if mode != "wal":
                    raise StorageError(f"{self.path}: journal_mode is {mode}, not wal")
                conn.execute("PRAGMA synchronous=FULL")
                conn.execute("PRAGMA foreign_keys=ON")
                _quick_check(conn, self.path)
                if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                    with _Transaction(conn):  # the version read again under the write lock
                        self._prepare_schema(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _prepare_schema(self, conn: sqlite3.Connection) -> None:
        """Create the tables of a new store, or add the checksums to a version-1 store."""
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:  # another connection was first
            return
        if version == 0:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
        elif version == 1:
            for statement in _UPGRADE_FROM_1:
                conn.execute(statement)
            rows = conn.execute("SELECT id, closed, closed_after FROM sessions").fetchall()
            conn.executemany(
                "UPDATE sessions SET crc = ? WHERE id = ?",
                [(session_crc(*row), row[0]) for row in rows],
            )
            rows = conn.execute("SELECT session_id, seq, event FROM events").fetchall()
            conn.executemany(
                "UPDATE events SET crc = ? WHERE session_id = ? AND seq = ?",
                [(event_crc(*row), row[0], row[1]) for row in rows],
            )
        else:
            raise StorageError(f"{self.path}: schema version {version}, expected 0 to 2")
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _open_read_only(self) -> sqlite3.Connection:
        """Open a store that cannot be written: ``mode=ro``, else ``immutable=1`` (safe only
        while the WAL is empty, since an immutable connection does not read it)."""
        uri = Path(self.path).absolute().as_uri()
        try:
            conn = self._probe(f"{uri}?mode=ro")
        except StorageError as error:
            if not _cannot_share(error) or not _wal_is_empty(self.path):
                raise
            conn = self._probe(f"{uri}?mode=ro&immutable=1")
        try:
            with _typed_errors(self.path):
                _quick_check(conn, self.path)
                self._version = conn.execute("PRAGMA user_version").fetchone()[0]
            if self._version not in (1, SCHEMA_VERSION):
                raise StorageError(
                    f"{self.path}: read-only, and schema version {self._version} is not a store"
                )
        except BaseException:
            conn.close()
            raise
        return conn

    def _probe(self, uri: str) -> sqlite3.Connection:
        """A read-only connection that has read the database header (opening is lazy)."""
        with _typed_errors(self.path):
            conn = sqlite3.connect(
                uri, uri=True, isolation_level=None, check_same_thread=False, timeout=_OPEN_TIMEOUT
            )
        try:
            with _typed_errors(self.path):
                conn.execute("PRAGMA schema_version").fetchone()
        except BaseException:
            conn.close()
            raise
        return conn

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn)

    def _writable(self, what: str) -> None:
        if self.read_only:
            raise ReadOnlyStore(f"{what}: {self.path} is open read-only")

    @overload
    def persister(self, session_id: str) -> SqlitePersister[str]: ...
    @overload
    def persister(self, session_id: str, codec: EventCodec[E]) -> SqlitePersister[E]: ...
    def persister(self, session_id: str, codec: EventCodec[Any] = IDENTITY) -> SqlitePersister[Any]:
        """The persister of ``session_id`` (created by its first save or close)."""
        return SqlitePersister(self, validate_session_id(session_id), codec)

    def session_ids(self) -> list[str]:
        """Every session that has been saved to or closed, in id order (rows checked)."""
        with self._lock, _typed_errors(self.path):  # row by row: no second copy of the table
            cursor = self._conn.execute(
                "SELECT id, closed, closed_after, crc FROM sessions ORDER BY id"
            )
            ids = [self._checked_session(row) for row in cursor]
        if any(a >= b for a, b in itertools.pairwise(ids)):
            raise CorruptLog(f"{self.path}: the session list repeats or is out of order")
        return ids

    def info(self, session_id: str) -> SessionInfo:
        """Event count and closed flag of a session (an unknown one is empty and open)."""
        with self._lock:
            rows = self._query(
                "SELECT id, closed, closed_after, crc FROM sessions WHERE id = ?", (session_id,)
            )
            ((count,),) = self._query(
                "SELECT COUNT(*) FROM events WHERE session_id = ?", (session_id,)
            )
        if not rows:
            if count:
                raise CorruptLog(f"{self.path}: session {session_id!r} has events but no row")
            return SessionInfo(session_id, 0, False, None)
        if self._checked_session(rows[0]) != session_id:
            raise CorruptLog(f"{self.path}: asked for session {session_id!r}, got another")
        _, closed, closed_after, _ = rows[0]
        if closed_after is not None and closed_after > count:
            raise CorruptLog(f"{self.path}: session {session_id!r} lost events since its close")
        return SessionInfo(session_id, count, bool(closed), closed_after)

    def disconnect(self) -> None:
        """Close the database connection (not a session: that is ``persister(id).close()``)."""
        with self._lock, _typed_errors(self.path):
            self._conn.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.disconnect()

    # -- the three persister operations, on text --------------------------------------------

    def append_text(self, session_id: str, text: str) -> None:
        """Append one event text to a session in one durable transaction."""
        where = f"saving an event of {session_id!r}"
        self._writable(where)
        with self._lock:
            with _typed_errors(where), self._transaction():
                if session_id not in self._registered:
                    self._conn.execute(
                        "INSERT OR IGNORE INTO sessions (id, crc) VALUES (?, ?)",
                        (session_id, session_crc(session_id, 0, None)),
                    )
                if self.strict:
                    row = self._conn.execute(
                        "SELECT closed FROM sessions WHERE id = ?", (session_id,)
                    ).fetchone()
                    if row[0]:
                        raise SessionClosed(f"session {session_id!r} is closed")
                seq = self._conn.execute(
                    "SELECT COALESCE(MAX(seq) + 1, 0) FROM events WHERE session_id = ?",
                    (session_id,),
                ).fetchone()[0]
                self._conn.execute(
                    "INSERT INTO events (session_id, seq, event, crc) VALUES (?, ?, ?, ?)",
                    (session_id, seq, text, event_crc(session_id, seq, text)),
                )
            self._registered.add(session_id)  # only once the row is committed

    def load_texts(self, session_id: str) -> list[str]:
        """Every event text of a session in sequence order, each row checked.

        The rows must be this session's, numbered 0..n-1, with intact text and checksums; and
        the row after the last one is read too and must not be a damaged row of this session
        (a flipped bit in a key moves a row out of the session's range, cutting its log short).
        """
        crc = "crc" if self._version >= 2 else "NULL"
        with self._lock, _typed_errors(f"loading {session_id!r}"):
            cursor = self._conn.execute(
                f"SELECT session_id, seq, event, {crc} FROM events "
                "WHERE session_id >= ? ORDER BY session_id, seq",
                (session_id,),
            )
            try:
                texts: list[str] = []
                for row in cursor:
                    if row[0] != session_id:
                        try:
                            self._check_event(row, row[0], row[1])
                        except CorruptLog as error:
                            raise CorruptLog(
                                f"{error}; it is the row after {session_id!r}'s last, "
                                "so that log may be cut short"
                            ) from None
                        break
                    texts.append(self._check_event(row, session_id, len(texts)))
            finally:
                cursor.close()
        return texts

    def close_session(self, session_id: str) -> None:
        """Record the session as closed, in one durable transaction; idempotent."""
        where = f"closing {session_id!r}"
        self._writable(where)
        with self._lock, _typed_errors(where), self._transaction():
            self._conn.execute(
                "INSERT OR IGNORE INTO sessions (id, crc) VALUES (?, ?)",
                (session_id, session_crc(session_id, 0, None)),
            )
            (closed,) = self._conn.execute(
                "SELECT closed FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
            if not closed:
                (count,) = self._conn.execute(
                    "SELECT COUNT(*) FROM events WHERE session_id = ?", (session_id,)
                ).fetchone()
                self._conn.execute(
                    "UPDATE sessions SET closed = 1, closed_after = ?, crc = ? WHERE id = ?",
                    (count, session_crc(session_id, 1, count), session_id),
                )

    # -- checks ------------------------------------------------------------------------------

    def _check_event(self, row: tuple[Any, ...], session_id: str, seq: int) -> str:
        """The text of an event row that must be event ``seq`` of ``session_id``."""
        found_id, found_seq, text, crc = row
        where = f"{self.path}: session {session_id!r} event {seq}"
        if found_seq != seq or type(found_seq) is not int:
            raise CorruptLog(f"{where}: the sequence has a gap or a repeat (found {found_seq!r})")
        if not isinstance(text, str) or not isinstance(found_id, str):
            raise CorruptLog(f"{where}: the event is {type(text).__name__}, not text")
        if self._version >= 2 and crc != event_crc(found_id, found_seq, text):
            raise CorruptLog(f"{where}: the row fails its checksum")
        return text

    def _checked_session(self, row: tuple[Any, ...]) -> str:
        """The id of a session row whose fields and checksum are intact."""
        session_id, closed, closed_after, crc = row
        if not (
            isinstance(session_id, str)
            and closed in (0, 1)
            and (closed_after is None or isinstance(closed_after, int))
            and crc == session_crc(session_id, closed, closed_after)
        ):
            raise CorruptLog(f"{self.path}: a session row is damaged ({session_id!r})")
        return session_id

    def _query(self, sql: str, args: tuple[object, ...]) -> list[Any]:
        with _typed_errors(self.path):
            return self._conn.execute(sql, args).fetchall()


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
