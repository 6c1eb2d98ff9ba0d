"""The file log under hostile conditions: torn headers, short writes, full disks, locked repair.

Each test holds the store to the same promise: every acknowledged event stays readable, no
temporary file survives a failure, and a failure is a typed :class:`StorageError`, never a
traceback or a session that can no longer be written.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from reference.persist.hardening import fill, run_child, small_tmpfs, temporary_files

from pjconf.reference.persist import FileLogPersister, FileStore, StorageError, TornRecord
from pjconf.reference.persist.errors import LogLocked, TornHeader
from pjconf.reference.persist.file_store import header

SESSION = "s"
HEADER = header(SESSION)


# -- torn headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("length", range(len(HEADER) + 1))
def test_a_header_torn_at_any_length_is_typed_and_the_next_save_recovers(
    tmp_path: Path, length: int
) -> None:
    path = tmp_path / f"{SESSION}.log"
    path.write_bytes(HEADER[:length])
    log = FileStore(tmp_path).persister(SESSION)
    if length < len(HEADER):
        with pytest.raises(TornHeader) as info:
            log.load()
        assert (info.value.intact, info.value.torn) == (0, HEADER[:length])
        assert "header is incomplete" in str(info.value)
    else:
        assert list(log.load()) == []
    log.save_event("e0")  # no brick: the header is written whole again under the lock
    log.close()
    log.release()
    assert path.read_bytes().startswith(HEADER)
    reread = FileStore(tmp_path).persister(SESSION)
    assert list(reread.load()) == ["e0"]
    assert reread.closed
    assert temporary_files(tmp_path) == []


@pytest.mark.parametrize("length", [0, 1, len(HEADER) - 1])
def test_repair_writes_a_torn_header_whole(tmp_path: Path, length: int) -> None:
    path = tmp_path / f"{SESSION}.log"
    path.write_bytes(HEADER[:length])
    log = FileStore(tmp_path).persister(SESSION)
    removed = log.repair()
    assert isinstance(removed, TornHeader)
    assert path.read_bytes() == HEADER
    assert list(log.load()) == []
    assert log.repair() is None
    assert temporary_files(tmp_path) == []


def test_a_damaged_header_with_events_behind_it_is_corruption_not_a_tear(tmp_path: Path) -> None:
    log = FileStore(tmp_path).persister(SESSION)
    log.save_event("e0")
    log.release()
    data = bytearray(log.path.read_bytes())
    data[3] ^= 0x20
    log.path.write_bytes(bytes(data))
    with pytest.raises(StorageError) as info:
        log.load()
    assert not isinstance(info.value, TornRecord)  # never "repaired" away with its events
    with pytest.raises(StorageError):
        log.save_event("e1")
    assert log.path.read_bytes() == bytes(data)


# -- creation under write failures ----------------------------------------------------------------


def test_creation_survives_one_byte_short_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:1])))
    log = FileStore(tmp_path).persister(SESSION)
    log.save_event("e0")
    monkeypatch.undo()
    log.release()
    assert list(FileStore(tmp_path).persister(SESSION).load()) == ["e0"]
    assert temporary_files(tmp_path) == []


@pytest.mark.parametrize("fail", ["write-after-half", "write-at-once", "fsync", "link"])
def test_a_failed_creation_leaves_no_file_and_can_be_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail: str
) -> None:
    real_write = os.write

    def half_then_full(fd: int, data: bytes) -> int:
        if len(data) > 4:
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def broken(*args: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    if fail == "write-after-half":
        monkeypatch.setattr(os, "write", half_then_full)
    elif fail == "write-at-once":
        monkeypatch.setattr(os, "write", full)
    elif fail == "fsync":
        monkeypatch.setattr(os, "fsync", broken)
    else:
        monkeypatch.setattr(os, "link", broken)
    log = FileStore(tmp_path).persister(SESSION)
    with pytest.raises(StorageError, match="creating"):
        log.save_event("e0")
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no temporary, no half a log
    log.save_event("e0")  # the creation is simply retried
    log.release()
    assert list(FileStore(tmp_path).persister(SESSION).load()) == ["e0"]


# -- repair against a live writer -----------------------------------------------------------------

REPAIR_CHILD = """
import json, sys
from pjconf.reference.persist import FileStore, StorageError
log = FileStore(sys.argv[1]).persister("s")
try:
    removed = log.repair()
    print(json.dumps({"error": None, "removed": removed is not None}))
except StorageError as error:
    print(json.dumps({"error": type(error).__name__, "message": str(error)}))
"""


def test_repair_in_another_process_is_refused_while_a_writer_holds_the_log(
    tmp_path: Path,
) -> None:
    writer = FileStore(tmp_path).persister(SESSION)
    writer.save_event("e0")
    # What a writer in the middle of its next record looks like on disk.
    with open(writer.path, "ab") as out:
        out.write(b'E 20 0badf00d {"half a rec')
    before = writer.path.read_bytes()
    report = run_child(REPAIR_CHILD, str(tmp_path))
    assert report["error"] == "LogLocked"
    assert writer.path.read_bytes() == before  # nothing was cut
    assert list(tmp_path.glob("*.torn-*")) == []
    writer.release()
    report = run_child(REPAIR_CHILD, str(tmp_path))  # the writer is gone: now it is a tear
    assert report == {"error": None, "removed": True}
    assert list(FileStore(tmp_path).persister(SESSION).load()) == ["e0"]


def test_repair_in_the_same_process_is_refused_too(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    writer = store.persister(SESSION)
    writer.save_event("e0")
    with pytest.raises(LogLocked, match="locked by another writer"):
        store.persister(SESSION).repair()
    writer.save_event("e1")  # the writer is undisturbed
    writer.release()
    assert list(store.persister(SESSION).load()) == ["e0", "e1"]


def test_a_failed_repair_leaves_the_log_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = FileStore(tmp_path).persister(SESSION)
    log.save_event("e0")
    log.release()
    with open(log.path, "ab") as out:
        out.write(b"E 9 00000000 torn")
    before = log.path.read_bytes()

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(StorageError, match="repairing"):
        log.repair()
    monkeypatch.undo()
    assert log.path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [log.path.name]
    assert log.repair() is not None
    assert list(log.load()) == ["e0"]


# -- a full disk ----------------------------------------------------------------------------------

FSIZE_CHILD = """
import json, resource, signal, sys
from pjconf.reference.persist import FileStore, StorageError
directory, limit, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # so that writes past the limit fail with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
acknowledged, error = 0, None
try:
    log = FileStore(directory).persister("s")
    for i in range(500):
        log.save_event("%04d" % i + "x" * size)
        acknowledged += 1
except StorageError as failure:
    error = [type(failure).__name__, str(failure)]
print(json.dumps({"acknowledged": acknowledged, "error": error}))
"""

EVENT_SIZE = 200


def _event(i: int) -> str:
    return f"{i:04d}" + "x" * EVENT_SIZE


def _save_until_failure(log: FileLogPersister[str]) -> tuple[int, StorageError | None]:
    """Save events until the store fails; how many were acknowledged, and the failure."""
    for i in range(10_000):
        try:
            log.save_event(_event(i))
        except StorageError as error:
            return i, error
    return 10_000, None


def _check_after_a_full_disk(directory: Path, acknowledged: int) -> None:
    """Nothing temporary left, no half record, every acknowledged event, and writable again."""
    assert temporary_files(directory) == []
    log = FileStore(directory).persister(SESSION)
    scan = log.scan()
    assert scan.torn is None
    assert scan.texts == [_event(i) for i in range(acknowledged)]
    log.save_event("after")
    log.release()
    assert list(log.load())[-1] == "after"


@pytest.mark.parametrize(
    "limit",
    [0, 1, len(HEADER) - 1, len(HEADER), len(HEADER) + 1, len(HEADER) + 300, 1000, 4096],
)
def test_a_file_size_limit_at_any_point_loses_nothing_acknowledged(
    tmp_path: Path, limit: int
) -> None:
    report = run_child(FSIZE_CHILD, str(tmp_path), str(limit), str(EVENT_SIZE))
    assert report["error"] is not None
    assert report["error"][0] == "StorageError"
    assert "File too large" in report["error"][1]
    if limit < len(HEADER):
        assert report["acknowledged"] == 0
        assert sorted(p.name for p in tmp_path.iterdir()) == []  # creation left nothing
    print(f"file RLIMIT_FSIZE={limit}: acknowledged {report['acknowledged']}")
    _check_after_a_full_disk(tmp_path, report["acknowledged"])


def test_a_full_tmpfs_loses_nothing_acknowledged_and_leaves_no_temporary(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "fs", "64k") as fs:
        log = FileStore(fs).persister(SESSION)
        acknowledged, error = _save_until_failure(log)
        assert isinstance(error, StorageError)
        assert "No space left" in str(error)
        log.release()
        assert acknowledged > 0
        filler = fill(fs)
        other = FileStore(fs).persister("other")
        with pytest.raises(StorageError, match="creating"):
            other.save_event("e0")  # the header cannot be written: nothing is left behind
        assert not other.path.exists()
        assert temporary_files(fs) == []
        filler.unlink()
        print(f"file tmpfs 64k: acknowledged {acknowledged}")
        _check_after_a_full_disk(fs, acknowledged)
