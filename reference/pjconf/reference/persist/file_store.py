"""An append-only file log per session: one framed record per line, fsynced on every save.

A session's file is ``<directory>/<session_id>.log``. Its first line is a header naming the
format and the session; the file is created whole (written to a temporary name, fsynced, linked
into place, directory fsynced), so a header is never torn. Each further line is a record::

    E <byte length> <crc32, 8 hex digits> <event text>\\n     an event
    C 0 <crc32> \\n                                          the close marker

The CRC-32 covers the kind letter and the text. A crash can only cut the *last* record short
(each save is one write followed by ``fsync``, acknowledged after it), so a bad last line is a
torn write: :meth:`FileLogPersister.load` raises :class:`TornRecord` with what is intact rather
than dropping it, saving refuses to append after it, and :meth:`FileLogPersister.repair` moves
the torn bytes aside (``<id>.log.torn-<offset>``) and truncates the log, on request only. A bad
line that is *not* the last is corruption, :class:`CorruptLog`.

Event text must not contain a line break (JSON text from ``serde_json::to_string`` never does).
Appends after close are accepted and kept after the marker, as in :mod:`sqlite_store`, unless
``strict=True``. One process writes a session at a time (an exclusive ``flock`` on the file).
"""

from __future__ import annotations

import fcntl
import os
import re
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

from pjconf.reference.errors import InvalidArgument
from pjconf.reference.persist.errors import CorruptLog, SessionClosed, StorageError, TornRecord
from pjconf.reference.persist.protocols import IDENTITY, EventCodec

E = TypeVar("E")

MAGIC = b"pjconf-session-log 1 "
_SAFE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_RECORD = re.compile(rb"([EC]) (0|[1-9][0-9]{0,9}) ([0-9a-f]{8}) ")


def validate_file_session_id(session_id: str) -> str:
    """A safe file name: letters, digits, ``_ . -``, not starting with a dot, ≤ 128 chars."""
    if not isinstance(session_id, str) or not _SAFE_ID.fullmatch(session_id):
        raise InvalidArgument(f"session id {session_id!r} is not a safe file name")
    return session_id


def header(session_id: str) -> bytes:
    """The first line of ``session_id``'s log."""
    return MAGIC + session_id.encode() + b"\n"


def frame(kind: bytes, payload: bytes) -> bytes:
    """One record line."""
    crc = zlib.crc32(kind + payload)
    return b"%s %d %08x %s\n" % (kind, len(payload), crc, payload)


@dataclass(frozen=True)
class LogScan:
    """A file log read back: the intact events, the close state, and any torn tail."""

    texts: list[str]
    closed_after: int | None  # events before the first close marker; None while open
    end: int  # byte offset where the intact prefix ends
    torn: TornRecord | None

    @property
    def closed(self) -> bool:
        return self.closed_after is not None


def scan_bytes(data: bytes, session_id: str, where: str) -> LogScan:
    """Parse a whole log file; a bad last line is torn, a bad earlier line is corrupt."""
    first = header(session_id)
    if not data.startswith(first):
        raise CorruptLog(f"{where}: not a session log of {session_id!r}")
    pos: int = len(first)
    closed_after: int | None = None
    texts: list[str] = []
    while pos < len(data):
        match = _RECORD.match(data, pos)
        good = False
        if match is not None:
            kind, length, crc = match[1], int(match[2]), int(match[3], 16)
            start = match.end()
            stop = start + length
            payload = data[start:stop]
            good = (
                stop < len(data)
                and data[stop : stop + 1] == b"\n"
                and b"\n" not in payload
                and zlib.crc32(kind + payload) == crc
                and (kind == b"E" or length == 0)
            )
        if not good:
            newline = data.find(b"\n", pos)
            if newline != -1 and newline + 1 < len(data):
                raise CorruptLog(f"{where}: damaged record at byte {pos}, followed by more")
            return LogScan(
                texts,
                closed_after,
                pos,
                TornRecord(
                    f"{where}: torn last record at byte {pos} ({len(data) - pos} bytes) after "
                    f"{len(texts)} intact events",
                    offset=pos,
                    intact=len(texts),
                    torn=data[pos:],
                ),
            )
        assert match is not None
        if kind == b"E":
            try:
                texts.append(payload.decode())
            except UnicodeDecodeError as error:
                raise CorruptLog(f"{where}: record at byte {pos} is not UTF-8") from error
        elif closed_after is None:
            closed_after = len(texts)
        pos = stop + 1
    return LogScan(texts, closed_after, pos, None)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FileStore:
    """A directory of session logs, one file per application-chosen session id."""

    def __init__(self, directory: str | os.PathLike[str], *, strict: bool = False) -> None:
        self.directory = Path(directory)
        self.strict = strict
        try:
            if not self.directory.is_dir():
                self.directory.mkdir(parents=True)
                _fsync_dir(self.directory.parent)
        except OSError as error:
            raise StorageError(f"{self.directory}: {error}") from error

    @overload
    def persister(self, session_id: str) -> FileLogPersister[str]: ...
    @overload
    def persister(self, session_id: str, codec: EventCodec[E]) -> FileLogPersister[E]: ...
    def persister(
        self, session_id: str, codec: EventCodec[Any] = IDENTITY
    ) -> FileLogPersister[Any]:
        """The persister of ``session_id``; its file is created by the first save or close."""
        path = self.directory / f"{validate_file_session_id(session_id)}.log"
        return FileLogPersister(path, session_id, codec, strict=self.strict)

    def session_ids(self) -> list[str]:
        """Every session with a log file, in id order."""
        return sorted(p.name[:-4] for p in self.directory.glob("*.log") if p.is_file())


class FileLogPersister(Generic[E]):
    """One session's file log. Thread-safe; one writing process per file."""

    def __init__(
        self, path: Path, session_id: str, codec: EventCodec[E], *, strict: bool = False
    ) -> None:
        self.path = path
        self.session_id = session_id
        self.codec = codec
        self.strict = strict
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._end = 0
        self._closed = False

    # -- SessionPersister ----------------------------------------------------------------------

    def save_event(self, event: E) -> None:
        try:
            payload = self.codec.encode(event).encode()
        except Exception as error:
            raise StorageError(f"encoding an event of {self.session_id!r}: {error}") from error
        if b"\n" in payload or b"\r" in payload:
            raise StorageError("event text contains a line break; the log is one record a line")
        with self._lock:
            self._open()
            if self.strict and self._closed:
                raise SessionClosed(f"session {self.session_id!r} is closed")
            self._append(frame(b"E", payload))

    def load(self) -> Iterator[E]:
        """The events, or :class:`TornRecord` if the last record is torn (never dropped)."""
        log = self.scan()
        if log.torn is not None:
            raise log.torn
        try:
            return iter([self.codec.decode(text) for text in log.texts])
        except Exception as error:
            raise StorageError(f"decoding an event of {self.session_id!r}: {error}") from error

    def close(self) -> None:
        """Append the close marker; nothing if the log is already closed."""
        with self._lock:
            self._open()
            if not self._closed:
                self._append(frame(b"C", b""))
                self._closed = True

    # -- inspection and repair -----------------------------------------------------------------

    def scan(self) -> LogScan:
        """The log as it is on disk, torn tail included; an absent file is an empty open log."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return LogScan([], None, 0, None)
        except OSError as error:
            raise StorageError(f"{self.path}: {error}") from error
        return scan_bytes(data, self.session_id, str(self.path))

    @property
    def closed(self) -> bool:
        return self.scan().closed

    def repair(self) -> TornRecord | None:
        """Move a torn last record aside and truncate it off; returns what was removed."""
        with self._lock:
            log = self.scan()
            if log.torn is None:
                return None
            aside = self.path.with_name(f"{self.path.name}.torn-{log.torn.offset}")
            try:
                with open(aside, "wb") as out:
                    out.write(log.torn.torn)
                    out.flush()
                    os.fsync(out.fileno())
                fd = os.open(self.path, os.O_WRONLY)
                try:
                    os.ftruncate(fd, log.end)
                    os.fsync(fd)
                finally:
                    os.close(fd)
                _fsync_dir(self.path.parent)
            except OSError as error:
                raise StorageError(f"repairing {self.path}: {error}") from error
            self._release()
            return log.torn

    def release(self) -> None:
        """Close the file descriptor and its lock (the session stays as it is)."""
        with self._lock:
            self._release()

    # -- internals -----------------------------------------------------------------------------

    def _release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _open(self) -> None:
        """Open (creating if absent) and lock the file, and find the end of its intact prefix."""
        if self._fd is not None:
            return
        try:
            if not self.path.exists():
                self._create()
            fd = os.open(self.path, os.O_RDWR)
        except OSError as error:
            raise StorageError(f"{self.path}: {error}") from error
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            log = self.scan()
            if log.torn is not None:
                raise log.torn  # appending after a torn record would bury it mid-file
        except OSError as error:
            os.close(fd)
            raise StorageError(f"{self.path} is locked by another writer: {error}") from error
        except StorageError:
            os.close(fd)
            raise
        self._fd, self._end, self._closed = fd, log.end, log.closed

    def _create(self) -> None:
        """Write the header under a temporary name, fsync, link it into place, fsync the dir."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, header(self.session_id))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, self.path)  # never replaces a file another process created meanwhile
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        _fsync_dir(self.path.parent)

    def _append(self, record: bytes) -> None:
        """Write ``record`` at the end and fsync; on failure cut it off again, then raise."""
        assert self._fd is not None
        fd, end = self._fd, self._end
        try:
            written = 0
            while written < len(record):
                written += os.pwrite(fd, record[written:], end + written)
            os.fsync(fd)
        except OSError as error:
            try:
                os.ftruncate(fd, end)
                os.fsync(fd)
            except OSError:
                self._release()  # state unknown: the next call rescans (and reports a tear)
            raise StorageError(f"appending to {self.path}: {error}") from error
        self._end = end + len(record)
