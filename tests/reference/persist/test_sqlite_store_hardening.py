"""The SQLite store under hostile conditions: damaged files, bad rows, read-only media, full disks.

The promise under test: damage is a typed :class:`CorruptLog` (or another
:class:`StorageError`) from opening or loading, never a raw ``sqlite3`` or ``UnicodeError`` and
never wrong data; a store that cannot be written still opens and loads, and refuses writes with
:class:`ReadOnlyStore`; a full disk loses no acknowledged event.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from reference.persist.hardening import (
    fill,
    read_only_view,
    run_child,
    small_tmpfs,
    temporary_files,
)

from pjconf.reference.errors import InvalidArgument
from pjconf.reference.persist import CorruptLog, SessionInfo, SqliteStore, StorageError
from pjconf.reference.persist.errors import ReadOnlyStore
from pjconf.reference.persist.sqlite_store import SCHEMA_VERSION, event_crc

SESSIONS = [f"s{n:02d}" for n in range(12)]
PAGE = 4096

Contents = tuple[list[str], dict[str, list[str]], dict[str, SessionInfo]]


def _event(session_id: str, i: int) -> str:
    return f'{{"session":"{session_id}","i":{i},"pad":"{"y" * (40 * i)}"}}'


def _make(path: Path, sessions: list[str] = SESSIONS, events: int = 6) -> None:
    with SqliteStore(path) as store:
        for n, session_id in enumerate(sessions):
            for i in range(events):
                store.append_text(session_id, _event(session_id, i))
            if n % 3 == 0:
                store.close_session(session_id)
    assert not Path(f"{path}-wal").exists()  # all of it is in the main file


def _read_all(path: Path) -> Contents:
    """Everything a user of the store can read: the list, every log, every session's info."""
    with SqliteStore(path) as store:
        ids = store.session_ids()
        return ids, {i: store.load_texts(i) for i in ids}, {i: store.info(i) for i in ids}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Contents]:
    path = tmp_path_factory.mktemp("pristine") / "s.sqlite"
    _make(path)
    return path.read_bytes(), _read_all(path)


# -- damaged files ---------------------------------------------------------------------------------

TRIALS = 250


@pytest.mark.parametrize("how", ["bit", "byte"])
@pytest.mark.parametrize("region", ["header-and-schema-page", "data-pages"])
def test_damage_anywhere_is_a_typed_error_never_wrong_data(
    tmp_path: Path, pristine: tuple[bytes, Contents], region: str, how: str
) -> None:
    data, want = pristine
    rng = random.Random(f"{region}-{how}")
    low, high = (0, PAGE) if region == "header-and-schema-page" else (PAGE, len(data))
    outcomes: dict[str, int] = {}
    for trial in range(TRIALS):
        damaged = bytearray(data)
        offset = rng.randrange(low, high)
        if how == "bit":
            damaged[offset] ^= 1 << rng.randrange(8)
        else:
            damaged[offset] = rng.choice([b for b in range(256) if b != data[offset]])
        path = tmp_path / f"t{trial}.sqlite"
        path.write_bytes(bytes(damaged))
        try:
            got = _read_all(path)
        except StorageError as error:  # anything else fails the test, with its traceback
            outcomes[type(error).__name__] = outcomes.get(type(error).__name__, 0) + 1
        else:
            assert got == want, f"damage at byte {offset} returned wrong data"
            outcomes["unchanged"] = outcomes.get("unchanged", 0) + 1
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    print(f"\n{region} {how}: {outcomes}")
    assert outcomes.get("CorruptLog", 0) > 0


def test_invalid_utf8_in_the_schema_is_corruption_not_a_unicode_error(
    tmp_path: Path, pristine: tuple[bytes, Contents]
) -> None:
    data = bytearray(pristine[0])
    name = data.index(b"tablesessionssessions") + len(b"table")
    data[name + 1] ^= 0x80  # the table's name in sqlite_schema is no longer UTF-8
    path = tmp_path / "s.sqlite"
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptLog):
        SqliteStore(path)


def test_a_damaged_btree_page_is_caught_when_opening(
    tmp_path: Path, pristine: tuple[bytes, Contents]
) -> None:
    data = bytearray(pristine[0])
    data[2 * PAGE + 3 : 2 * PAGE + 5] = b"\xff\xff"  # page 3's cell count
    path = tmp_path / "s.sqlite"
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptLog, match="damaged"):
        SqliteStore(path)


def _patch(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert data.count(old) == 1
    path.write_bytes(data.replace(old, new))


def test_a_key_moved_out_of_its_session_does_not_cut_the_log_short(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    _make(path, ["a1", "a2", "a3"], 3)
    last = _event("a2", 2).encode()
    _patch(path, b"a2\x02" + last, b"a3\x02" + last)  # a2's last row now claims to be a3's
    with SqliteStore(path) as store, pytest.raises(CorruptLog, match="cut short"):
        store.load_texts("a2")
    with SqliteStore(path) as store, pytest.raises(CorruptLog):
        store.load_texts("a3")


def test_a_repeated_sequence_number_is_corruption(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    _make(path, ["a1", "a2", "a3"], 3)
    last = _event("a2", 2).encode()
    _patch(path, b"a2\x02" + last, b"a2\x01" + last)  # two rows numbered 1
    with SqliteStore(path) as store, pytest.raises(CorruptLog, match="repeat"):
        store.load_texts("a2")


@contextlib.contextmanager
def _raw(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain connection for damage done through SQL, committed on the way out."""
    conn = sqlite3.connect(path)
    try:
        yield conn
        conn.commit()
    finally:
        conn.close()


def _resequence(conn: sqlite3.Connection, session_id: str, seqs: list[int]) -> None:
    """Renumber a session's rows to ``seqs`` with valid checksums: only the sequence is wrong."""
    rows = conn.execute(
        "SELECT seq, event FROM events WHERE session_id = ? ORDER BY seq", (session_id,)
    ).fetchall()
    conn.execute("DELETE FROM events WHERE session_id = ?", (session_id,))
    for seq, (_, text) in zip(seqs, rows, strict=False):
        conn.execute(
            "INSERT INTO events (session_id, seq, event, crc) VALUES (?, ?, ?, ?)",
            (session_id, seq, text, event_crc(session_id, seq, text)),
        )


A2 = "WHERE session_id = 'a2' AND seq = 1"
SQL_DAMAGE: dict[str, Any] = {
    "missing-middle": lambda c: _resequence(c, "a2", [0, 2]),
    "missing-first": lambda c: _resequence(c, "a2", [1, 2, 3]),
    "gap": lambda c: _resequence(c, "a2", [0, 1, 5]),
    "text-changed": lambda c: c.execute(f"UPDATE events SET event = 'x' {A2}"),
    "checksum-changed": lambda c: c.execute(f"UPDATE events SET crc = crc + 1 {A2}"),
    "not-text": lambda c: (
        c.execute("PRAGMA ignore_check_constraints = ON"),
        c.execute(f"UPDATE events SET event = 42 {A2}"),
    ),
}


@pytest.mark.parametrize("damage", list(SQL_DAMAGE))
def test_rows_damaged_through_sql_are_corruption_on_load(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "s.sqlite"
    _make(path, ["a1", "a2", "a3"], 3)
    with _raw(path) as conn:
        SQL_DAMAGE[damage](conn)
    with SqliteStore(path) as store:
        with pytest.raises(CorruptLog):
            store.load_texts("a2")
        assert store.load_texts("a1") == [_event("a1", i) for i in range(3)]  # the others load


def test_a_null_event_is_corruption(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    _make(path, ["a1", "a2"], 3)
    with _raw(path) as conn:  # a schema without the constraints, as a damaged one could be
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute(
            "UPDATE sqlite_schema SET sql = replace(sql, "
            "'event TEXT NOT NULL CHECK (typeof(event) = ''text'')', 'event TEXT') "
            "WHERE name = 'events'"
        )
    with _raw(path) as conn:
        conn.execute("UPDATE events SET event = NULL WHERE session_id = 'a2' AND seq = 1")
    with SqliteStore(path) as store, pytest.raises(CorruptLog, match="not text"):
        store.load_texts("a2")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE sessions SET closed = 0 WHERE closed = 1",
        "UPDATE sessions SET closed_after = 1 WHERE closed = 1",
        "UPDATE sessions SET id = 'zz' WHERE id = 'a2'",
    ],
)
def test_a_damaged_session_row_is_corruption(tmp_path: Path, sql: str) -> None:
    path = tmp_path / "s.sqlite"
    _make(path, ["a1", "a2"], 3)
    with _raw(path) as conn:
        conn.execute(sql)
    with SqliteStore(path) as store:
        with pytest.raises(CorruptLog):
            store.session_ids()
        with pytest.raises(CorruptLog):
            store.info("a1" if "closed" in sql else "a2")


def test_events_without_their_session_row_are_corruption(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    _make(path, ["a1", "a2"], 3)
    with _raw(path) as conn:
        conn.execute("DELETE FROM sessions WHERE id = 'a2'")
    with SqliteStore(path) as store, pytest.raises(CorruptLog, match="no row"):
        store.info("a2")


# -- bad input gives typed errors -----------------------------------------------------------------


def test_text_that_is_not_unicode_is_a_typed_error(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "s.sqlite") as store:
        with pytest.raises(InvalidArgument):
            store.persister("bad\ud800id")
        with pytest.raises(StorageError, match="not valid Unicode"):
            store.persister("s").save_event("bad\udc80text")
        assert store.session_ids() == []  # the failed save left no session row


def test_a_version_1_store_is_upgraded_with_checksums(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite"
    with _raw(path) as conn:  # the tables as the first version of this store made them
        conn.executescript(
            "CREATE TABLE sessions (id TEXT PRIMARY KEY NOT NULL, closed INTEGER NOT NULL "
            "DEFAULT 0, closed_after INTEGER);"
            "CREATE TABLE events (session_id TEXT NOT NULL REFERENCES sessions (id), seq "
            "INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (session_id, seq)) WITHOUT ROWID;"
            "INSERT INTO sessions VALUES ('a', 1, 2), ('b', 0, NULL);"
            "INSERT INTO events VALUES ('a', 0, 'a0'), ('a', 1, 'a1'), ('b', 0, 'b0');"
            "PRAGMA user_version = 1;"
        )
    with SqliteStore(path) as store:
        assert store.session_ids() == ["a", "b"]
        assert store.load_texts("a") == ["a0", "a1"]
        assert store.info("a") == SessionInfo("a", 2, True, 2)
        store.append_text("b", "b1")
    with _raw(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        conn.execute("UPDATE events SET event = 'changed' WHERE seq = 1 AND session_id = 'b'")
    with SqliteStore(path) as store, pytest.raises(CorruptLog):
        store.load_texts("b")  # the upgraded rows are checked like new ones


# -- read-only stores -----------------------------------------------------------------------------

READ_CHILD = """
import json, os, sys
from pjconf.reference.persist import SqliteStore, StorageError
path, uid = sys.argv[1], int(sys.argv[2])
if uid >= 0:
    os.setgid(uid)
    os.setuid(uid)  # root ignores file modes: an unprivileged user does not
report = {"uid": os.geteuid()}
try:
    with SqliteStore(path) as store:
        report["read_only"] = store.read_only
        report["ids"] = store.session_ids()
        report["texts"] = {i: store.load_texts(i) for i in report["ids"]}
        for what, write in [("save", lambda: store.append_text("s00", "more")),
                            ("close", lambda: store.close_session("s01"))]:
            try:
                write()
                report[what] = "written"
            except StorageError as error:
                report[what] = type(error).__name__
except StorageError as error:
    report["open"] = "%s: %s" % (type(error).__name__, error)
print(json.dumps(report))
"""


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory an unprivileged user can reach (pytest's own are private to root)."""
    directory = Path(tempfile.mkdtemp(prefix="pjconf-ro-"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        directory.chmod(0o755)
        shutil.rmtree(directory)


def _as_nobody() -> int:
    """The user id a child drops to: ``nobody`` when running as root, else ourselves."""
    return 65534 if os.geteuid() == 0 else -1


@pytest.mark.parametrize("directory_mode", [0o555, 0o777], ids=["ro-dir", "rw-dir"])
def test_a_read_only_file_opens_for_reading_and_refuses_writes(
    shared_dir: Path, directory_mode: int
) -> None:
    path = shared_dir / "s.sqlite"
    _make(path, SESSIONS[:3], 3)
    path.chmod(0o444)
    shared_dir.chmod(directory_mode)
    report = run_child(READ_CHILD, str(path), str(_as_nobody()))
    assert "open" not in report, report
    assert report["read_only"] is True
    assert report["ids"] == SESSIONS[:3]
    assert report["texts"] == {s: [_event(s, i) for i in range(3)] for s in SESSIONS[:3]}
    assert (report["save"], report["close"]) == ("ReadOnlyStore", "ReadOnlyStore")
    shared_dir.chmod(0o755)
    path.chmod(0o644)
    with SqliteStore(path) as store:  # nothing was written
        assert store.load_texts("s00") == [_event("s00", i) for i in range(3)]
        assert not store.info("s01").closed


@pytest.mark.parametrize("live_writer", [False, True], ids=["clean", "wal-in-use"])
def test_a_store_on_a_read_only_mount_opens_for_reading(tmp_path: Path, live_writer: bool) -> None:
    source = tmp_path / "source"
    source.mkdir()
    _make(source / "s.sqlite", SESSIONS[:3], 3)
    with read_only_view(source, tmp_path / "view") as view:
        # SQLite keeps a file open until every connection to it in the process is closed, so
        # both are closed before the view is unmounted.
        writer = SqliteStore(source / "s.sqlite") if live_writer else None
        try:
            if writer is not None:
                writer.append_text("s02", "in the wal")
            store = SqliteStore(view / "s.sqlite")
            try:
                assert store.read_only
                assert store.session_ids() == SESSIONS[:3]
                assert store.load_texts("s01") == [_event("s01", i) for i in range(3)]
                last = "in the wal" if live_writer else _event("s02", 2)
                assert store.load_texts("s02")[-1] == last
                with pytest.raises(ReadOnlyStore):
                    store.persister("s01").save_event("more")
                with pytest.raises(ReadOnlyStore):
                    store.persister("s01").close()
            finally:
                store.disconnect()
        finally:
            if writer is not None:
                writer.disconnect()


def test_a_missing_store_in_a_read_only_place_is_a_storage_error(shared_dir: Path) -> None:
    shared_dir.chmod(0o555)
    report = run_child(READ_CHILD, str(shared_dir / "absent.sqlite"), str(_as_nobody()))
    assert report["open"].startswith("StorageError")


# -- a full disk ----------------------------------------------------------------------------------

FSIZE_CHILD = """
import json, resource, signal, sys
from pjconf.reference.persist import SqliteStore, StorageError
path, limit = sys.argv[1], int(sys.argv[2])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # so that writes past the limit fail with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
acknowledged, error = 0, None
try:
    log = SqliteStore(path).persister("s")
    for i in range(2000):
        log.save_event("%04d" % i + "x" * 300)
        acknowledged += 1
except StorageError as failure:
    error = [type(failure).__name__, str(failure)]
print(json.dumps({"acknowledged": acknowledged, "error": error}))
"""


def _fsize_event(i: int) -> str:
    return f"{i:04d}" + "x" * 300


def _check_after_a_full_disk(path: Path, acknowledged: int, *, room: bool = True) -> None:
    """Only the database and its WAL files, every acknowledged event, and (given ``room``)
    writable again."""
    names = {p.name for p in path.parent.iterdir()} - {"filler"}
    assert names <= {path.name, f"{path.name}-wal", f"{path.name}-shm"}
    assert temporary_files(path.parent) == []
    with SqliteStore(path) as store:
        texts = store.load_texts("s")
        assert acknowledged <= len(texts) <= acknowledged + 1
        assert texts == [_fsize_event(i) for i in range(len(texts))]
        if room:
            store.append_text("s", "after")
            assert store.load_texts("s")[-1] == "after"


@pytest.mark.parametrize("limit", [0, 512, PAGE, 2 * PAGE, 8 * PAGE, 64 * PAGE])
def test_a_file_size_limit_at_any_point_loses_nothing_acknowledged(
    tmp_path: Path, limit: int
) -> None:
    path = tmp_path / "s.sqlite"
    report = run_child(FSIZE_CHILD, str(path), str(limit))
    assert report["error"] is not None
    assert report["error"][0] == "StorageError"
    print(f"sqlite RLIMIT_FSIZE={limit}: acknowledged {report['acknowledged']}")
    _check_after_a_full_disk(path, report["acknowledged"])


def test_a_full_tmpfs_loses_nothing_acknowledged(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "fs", "128k") as fs:
        path = fs / "s.sqlite"
        store = SqliteStore(path)
        acknowledged = 0
        error: StorageError | None = None
        for i in range(10_000):
            try:
                store.append_text("s", _fsize_event(i))
            except StorageError as failure:
                error = failure
                break
            acknowledged += 1
        store.disconnect()
        assert error is not None
        assert "full" in str(error)
        print(f"sqlite tmpfs 128k: acknowledged {acknowledged}")
        _check_after_a_full_disk(path, acknowledged, room=False)  # the store itself filled it
        filler = fill(fs)
        with pytest.raises(StorageError):
            SqliteStore(fs / "new.sqlite")  # no room to create a store: typed, and nothing left
        filler.unlink()
        assert {p.name for p in fs.iterdir()} <= {
            path.name,
            f"{path.name}-wal",
            f"{path.name}-shm",
            "new.sqlite",
        }
