"""The SQLite mailbox store on its own: write-once as payjoin-mailroom, expiry, durability."""

from __future__ import annotations

from pathlib import Path

from pjconf.reference.entropy import FixedClock
from pjconf.reference.server.store import MailboxStore

BOX = b"\x01" * 8


def test_a_mailbox_keeps_its_first_body_and_accepts_the_same_again() -> None:
    store = MailboxStore(None, FixedClock(1000), ttl=60)
    assert store.post(BOX, b"first")
    assert store.post(BOX, b"first")
    assert not store.post(BOX, b"second")
    assert store.get(BOX) == b"first"


def test_a_mailbox_expires_after_its_ttl_and_is_pruned() -> None:
    clock = FixedClock(1000)
    store = MailboxStore(None, clock, ttl=60)
    store.post(BOX, b"body")
    store.put_v1(BOX, b"v1")
    clock.advance(60)
    assert store.get(BOX) == b"body"
    clock.advance(1)
    assert store.get(BOX) is None
    assert store.count() == 1
    assert store.prune() == 2
    assert store.count() == 0
    assert store.post(BOX, b"new")  # an expired mailbox can be written again


def test_a_file_store_keeps_its_mailboxes_across_a_reopen(tmp_path: Path) -> None:
    path = str(tmp_path / "deep" / "m.sqlite")
    store = MailboxStore(path, FixedClock(1000), ttl=60)
    store.post(BOX, b"body")
    store.close()
    assert MailboxStore(path, FixedClock(1000), ttl=60).get(BOX) == b"body"


def test_a_second_connection_to_the_file_sees_each_new_mailbox_once(tmp_path: Path) -> None:
    path = str(tmp_path / "m.sqlite")
    writer = MailboxStore(path, FixedClock(1000), ttl=60)
    watcher = MailboxStore(path, FixedClock(1000), ttl=60)  # another worker's connection
    writer.post(b"\x00" * 8, b"before")
    mark = watcher.last_row()
    assert watcher.posted_since(mark) == ([], mark)
    writer.post(BOX, b"one")
    writer.post(BOX, b"one again")  # no new row: the mailbox keeps its first body
    writer.post(b"\x02" * 8, b"two")
    posted, mark = watcher.posted_since(mark)
    assert posted == [BOX, b"\x02" * 8]
    assert watcher.posted_since(mark) == ([], mark)


def test_the_mark_falls_back_when_pruning_removed_the_newest_rows(tmp_path: Path) -> None:
    path = str(tmp_path / "m.sqlite")
    clock = FixedClock(1000)
    writer = MailboxStore(path, clock, ttl=60)
    watcher = MailboxStore(path, clock, ttl=60)
    writer.post(BOX, b"old")
    posted, mark = watcher.posted_since(0)
    assert posted == [BOX]
    clock.advance(61)
    assert writer.prune() == 1
    assert watcher.posted_since(mark) == ([], 0)  # the row number may now be used again
    writer.post(b"\x03" * 8, b"new")
    assert watcher.posted_since(0)[0] == [b"\x03" * 8]
