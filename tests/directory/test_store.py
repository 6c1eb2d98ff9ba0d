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
