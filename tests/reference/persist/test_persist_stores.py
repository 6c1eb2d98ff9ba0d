"""The SQLite and file stores: many sessions, closing, strictness, codecs, torn and corrupt logs."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from pjconf.reference.errors import InvalidArgument
from pjconf.reference.persist import (
    CorruptLog,
    FileStore,
    SessionClosed,
    SqliteStore,
    StorageError,
    TornRecord,
)


class JsonCodec:
    """A stand-in for the event model's codec: dicts as compact JSON."""

    def encode(self, event: dict[str, int]) -> str:
        return json.dumps(event, separators=(",", ":"))

    def decode(self, text: str) -> dict[str, int]:
        value = json.loads(text)
        assert isinstance(value, dict)
        return value


# -- SQLite ---------------------------------------------------------------------------------------


def test_sqlite_keeps_many_sessions_durably(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with SqliteStore(path) as store:
        a, b = store.persister("alice"), store.persister("bob/1 ünïcode")
        for i in range(3):
            a.save_event(f"a{i}")
            b.save_event(f"b{i}")
        a.close()
    with SqliteStore(path) as store:
        assert store.session_ids() == ["alice", "bob/1 ünïcode"]
        assert list(store.persister("alice").load()) == ["a0", "a1", "a2"]  # closed: still loads
        assert list(store.persister("bob/1 ünïcode").load()) == ["b0", "b1", "b2"]
        assert store.info("alice").closed
        assert not store.info("bob/1 ünïcode").closed
        assert store.info("nobody").events == 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_sqlite_appends_after_close_are_kept_and_marked(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "s.sqlite") as store:
        log = store.persister("s")
        log.save_event("e0")
        log.close()
        log.close()  # idempotent: the first close is the one recorded
        log.save_event("stale")
        assert list(log.load()) == ["e0", "stale"]
        info = store.info("s")
        assert (info.events, info.closed, info.closed_after) == (2, True, 1)


def test_sqlite_strict_rejects_appends_after_close(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "s.sqlite", strict=True) as store:
        log = store.persister("s")
        log.save_event("e0")
        log.close()
        with pytest.raises(SessionClosed):
            log.save_event("stale")
        assert list(log.load()) == ["e0"]


def test_sqlite_codec_and_its_failures_are_storage_errors(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "s.sqlite") as store:
        log = store.persister("s", JsonCodec())
        log.save_event({"a": 1})
        assert list(log.load()) == [{"a": 1}]
        store.persister("s").save_event("not json")
        with pytest.raises(StorageError, match="decoding"):
            log.load()


@pytest.mark.parametrize("bad", ["", "x" * 256, "nul\0"])
def test_sqlite_rejects_bad_session_ids(tmp_path: Path, bad: str) -> None:
    with SqliteStore(tmp_path / "s.sqlite") as store, pytest.raises(InvalidArgument):
        store.persister(bad)


def test_sqlite_unusable_file_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "junk").write_bytes(b"not a database" * 100)
    with pytest.raises(StorageError):
        SqliteStore(tmp_path / "junk")


# -- file log -------------------------------------------------------------------------------------


def test_file_store_keeps_many_sessions_and_closes(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "deep" / "logs")
    a, b = store.persister("alice"), store.persister("bob-2.x")
    for i in range(3):
        a.save_event(f'{{"a":{i}}}')
        b.save_event(f"b{i}")
    a.close()
    a.close()
    a.save_event("stale")
    a.release()
    b.release()
    store = FileStore(tmp_path / "deep" / "logs")
    assert store.session_ids() == ["alice", "bob-2.x"]
    scan = store.persister("alice").scan()
    assert scan.texts == ['{"a":0}', '{"a":1}', '{"a":2}', "stale"]
    assert scan.closed_after == 3
    assert list(store.persister("bob-2.x").load()) == ["b0", "b1", "b2"]
    assert not store.persister("bob-2.x").closed
    assert list(store.persister("never").load()) == []


def test_file_strict_rejects_appends_after_close(tmp_path: Path) -> None:
    log = FileStore(tmp_path, strict=True).persister("s")
    log.save_event("e0")
    log.close()
    with pytest.raises(SessionClosed):
        log.save_event("stale")
    assert list(log.load()) == ["e0"]
    log.release()


@pytest.mark.parametrize("bad", ["", ".hidden", "../up", "a/b", "x" * 129, "sp ace", "nul\0"])
def test_file_rejects_unsafe_session_ids(tmp_path: Path, bad: str) -> None:
    with pytest.raises(InvalidArgument):
        FileStore(tmp_path).persister(bad)


def test_file_rejects_line_breaks_and_a_second_writer(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    log = store.persister("s")
    with pytest.raises(StorageError, match="line break"):
        log.save_event("two\nlines")
    log.save_event("e0")
    with pytest.raises(StorageError, match="locked"):
        store.persister("s").save_event("e1")
    log.release()
    assert list(store.persister("s").load()) == ["e0"]


def _three_events(tmp_path: Path) -> tuple[Path, int]:
    log = FileStore(tmp_path).persister("s")
    log.save_event("e0")
    log.save_event("e1")
    end = log.path.stat().st_size
    log.save_event('{"e":2}')
    log.release()
    return log.path, end


def test_every_cut_of_the_last_record_is_reported_torn_and_repairable(tmp_path: Path) -> None:
    path, end = _three_events(tmp_path)
    whole = path.read_bytes()
    for cut in range(end + 1, len(whole)):
        path.write_bytes(whole[:cut])
        log = FileStore(tmp_path).persister("s")
        with pytest.raises(TornRecord) as info:
            log.load()
        assert (info.value.intact, info.value.offset) == (2, end)
        assert info.value.torn == whole[end:cut]
        with pytest.raises(TornRecord):
            log.save_event("e3")  # never appended after a tear
        assert path.read_bytes() == whole[:cut]
    removed = log.repair()
    assert removed is not None
    assert removed.offset == end
    assert (tmp_path / f"s.log.torn-{end}").read_bytes() == whole[end : len(whole) - 1]
    log.save_event("e3")
    assert list(log.load()) == ["e0", "e1", "e3"]
    assert log.repair() is None
    log.release()


@pytest.mark.parametrize("tail", [b"\0" * 40, b'E 7 00000000 {"e":2}\n', b"garbage"])
def test_a_bad_tail_is_torn_not_dropped(tmp_path: Path, tail: bytes) -> None:
    path, _end = _three_events(tmp_path)
    path.write_bytes(path.read_bytes() + tail)  # zero fill, a bad checksum, junk
    scan = FileStore(tmp_path).persister("s").scan()
    assert scan.torn is not None
    assert scan.torn.intact == 3
    assert scan.texts == ["e0", "e1", '{"e":2}']


def test_damage_before_the_last_record_is_corruption(tmp_path: Path) -> None:
    path, end = _three_events(tmp_path)
    data = bytearray(path.read_bytes())
    data[end - 3] ^= 0x01  # flip a bit inside the second record's text
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptLog):
        FileStore(tmp_path).persister("s").load()


def test_a_foreign_file_is_corruption(tmp_path: Path) -> None:
    (tmp_path / "s.log").write_bytes(b"pjconf-session-log 1 other\n")
    with pytest.raises(CorruptLog):
        FileStore(tmp_path).persister("s").load()
