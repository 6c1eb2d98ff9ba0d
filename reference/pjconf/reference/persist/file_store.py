"""An append-only file log per session: one framed record per line, fsynced on every save.

A session's file is ``<directory>/<session_id>.log``. Its first line is a header naming the
format and the session; the file is created whole (written to a temporary name, fsynced, checked
complete, linked into place, directory fsynced; the temporary name is removed on every path), so
this code never leaves a torn header. One found anyway (an older writer, outside damage) is
:class:`TornHeader`: such a file holds no event, so the next save recreates it atomically.
Each further line is a record::

    E <byte length> <crc32, 8 hex digits> <event text>\\n     an event
    C 0 <crc32> \\n                                          the close marker

The CRC-32 covers the kind letter and the text. A crash can only cut the *last* record short
(each save is one write followed by ``fsync``, acknowledged after it), so a bad last line is a
torn write: :meth:`FileLogPersister.load` raises :class:`TornRecord` with what is intact rather
than dropping it, saving refuses to append after it, and :meth:`FileLogPersister.repair` moves
the torn bytes aside (``<id>.log.torn-<offset>``) and truncates the log, on request only and
under the writer's lock. A bad line that is *not* the last is corruption, :class:`CorruptLog`.

Event text must not contain a line break (JSON text from ``serde_json::to_string`` never does).
Appends after close are accepted and kept after the marker, as in :mod:`sqlite_store`, unless
``strict=True``. One process writes a session at a time: a writer holds an exclusive ``flock``
on the file for as long as its persister is open, and a second writer or a repair is refused
with :class:`LogLocked`.
"""

from __future__ import annotations

import contextlib
import errno
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
from pjconf.reference.persist.errors import (
    CorruptLog,
    LogLocked,
    SessionClosed,
    StorageError,
    TornHeader,
    TornRecord,
)
from pjconf.reference.persist.protocols import IDENTITY, EventCodec

E = TypeVar("E")

MAGIC = b"pjconf-session-log 1 "
_SAFE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_RECORD = re.compile(rb"([EC]) (0|[1-9][0-9]{0,9}) ([0-9a-f]{8}) ")
_ATTEMPTS = 8
"""Reopens allowed while the file at the path is being replaced under us (a header rewrite)."""


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
        if first.startswith(data):  # a cut-off creation: no event can follow an incomplete header
            raise TornHeader(
                f"{where}: the header is incomplete ({len(data)} of {len(first)} bytes); the "
                "log holds no event, and the next save or repair() writes it whole",
                offset=0,
                intact=0,
                torn=data,
            )
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


def _write_all(fd: int, data: bytes) -> None:
    """``os.write`` until all of ``data`` is written: a short write is not an error by itself."""
    written = 0
    while written < len(data):
        count = os.write(fd, data[written:])
        if count <= 0:
            raise OSError(errno.ENOSPC, "write made no progress")
        written += count


def _remove_quietly(path: Path) -> None:
    """Unlink a temporary file on the way out; the original error, if any, is the one to report."""
    with contextlib.suppress(OSError):
        os.unlink(path)


def _durable_copy(path: Path, data: bytes, *, replace: bool) -> None:
    """Put ``data`` at ``path`` whole or not at all: temporary name, fsync, size check, then
    ``link`` (never over a file another process made meanwhile) or ``rename`` over it.

    The temporary file is removed on every path out, so a failure (a full disk, a file size
    limit) leaves nothing behind.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            _write_all(fd, data)
            os.fsync(fd)
            size = os.fstat(fd).st_size
        finally:
            os.close(fd)
        if size != len(data):
            raise OSError(errno.EIO, f"wrote {size} of {len(data)} bytes")
        if replace:
            os.replace(tmp, path)
        else:
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        _fsync_dir(path.parent)
    finally:
        _remove_quietly(tmp)


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
        """The events, or :class:`TornRecord` if the last record is torn (never dropped), or
        :class:`TornHeader` if the header is (the next save writes it whole)."""
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
        """Cut a torn last record off, or write a torn header whole; returns what was removed.

        The torn bytes are kept in ``<id>.log.torn-<offset>`` (a torn header, a prefix of the
        header, is simply rewritten). Runs under the writer's exclusive lock and refuses at once
        with :class:`LogLocked` while another persister holds it: a live writer keeps the lock
        for as long as it is open, and its only incomplete record is the one it is still
        writing, which is not a tear. So a repair never cuts a record being written, and only
        ever removes bytes after the last complete record: never an acknowledged event.
        """
        with self._lock:
            self._release()  # our own lock, if we hold it, is taken again below
            fd = self._lock_file(create=False)
            if fd is None:
                return None
            try:
                try:
                    log = self.scan()
                except TornHeader as torn:
                    _durable_copy(self.path, header(self.session_id), replace=True)
                    return torn
                if log.torn is None:
                    return None
                aside = self.path.with_name(f"{self.path.name}.torn-{log.torn.offset}")
                _durable_copy(aside, log.torn.torn, replace=True)
                os.ftruncate(fd, log.end)
                os.fsync(fd)
                return log.torn
            except OSError as error:
                raise StorageError(f"repairing {self.path}: {error}") from error
            finally:
                os.close(fd)

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
        """Create if absent, lock, and find the end of the intact prefix; a torn header (no
        event behind it) is written whole again under the lock, then the file is reopened."""
        if self._fd is not None:
            return
        for _ in range(_ATTEMPTS):
            fd = self._lock_file(create=True)
            assert fd is not None
            try:
                log = self.scan()
            except TornHeader:
                try:
                    _durable_copy(self.path, header(self.session_id), replace=True)
                except OSError as error:
                    raise StorageError(f"rewriting the header of {self.path}: {error}") from error
                finally:
                    os.close(fd)
                continue
            except StorageError:
                os.close(fd)
                raise
            if log.torn is not None:
                os.close(fd)
                raise log.torn  # appending after a torn record would bury it mid-file
            self._fd, self._end, self._closed = fd, log.end, log.closed
            return
        raise StorageError(f"{self.path}: its header could not be written whole")

    def _lock_file(self, *, create: bool) -> int | None:
        """The log's descriptor under our exclusive lock (``None`` if absent and not ``create``).

        Refuses with :class:`LogLocked` if another writer holds the lock. Checks that the locked
        file is still the one at the path (a header rewrite renames a new file over it), and
        opens again if not.
        """
        for _ in range(_ATTEMPTS):
            try:
                if create and not self.path.exists():
                    _durable_copy(self.path, header(self.session_id), replace=False)
            except OSError as error:
                raise StorageError(f"creating {self.path}: {error}") from error
            try:
                fd = os.open(self.path, os.O_RDWR)
            except FileNotFoundError:
                if create:
                    continue
                return None
            except OSError as error:
                raise StorageError(f"{self.path}: {error}") from error
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                here = os.stat(self.path)
                mine = os.fstat(fd)
            except BlockingIOError as error:
                os.close(fd)
                raise LogLocked(f"{self.path} is locked by another writer") from error
            except FileNotFoundError:
                os.close(fd)
                continue
            except OSError as error:
                os.close(fd)
                raise StorageError(f"locking {self.path}: {error}") from error
            if (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino):
                return fd
            os.close(fd)
        raise StorageError(f"{self.path} kept changing while it was being opened")

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
