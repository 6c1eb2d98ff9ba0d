"""The directory's mailboxes in SQLite: durable across a crash, expiring after their TTL.

One row per mailbox: ShortId, body, creation time. Like payjoin-mailroom (``db/files.rs``
``try_insert``) a mailbox is written once: a POST of the same body again is accepted (an OHTTP
retry), a POST of another body leaves the first in place (and the mailroom still answers 200).
A GET leaves the body where it is. Mailboxes older than the TTL are removed (the mailroom prunes
on every write, and on a timer). PUT bodies (a v2 receiver's answer to a v1 sender) sit in their
own table with the same lifetime.

Durability: WAL journal with ``synchronous=NORMAL``: a committed POST survives the process being
killed (the WAL is in the operating system's hands), not a power cut; fsync per POST would cap
the rate at the disk's. ``":memory:"`` gives the same store without a file. Calls are quick,
blocking sqlite3 calls made from the event loop's thread: one row of at most 8 KiB each.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pjconf.reference.entropy import Clock
from pjconf.reference.errors import PjconfError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS mailboxes (
    id BLOB PRIMARY KEY NOT NULL,
    body BLOB NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS v1_replies (
    id BLOB PRIMARY KEY NOT NULL,
    body BLOB NOT NULL,
    created INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS mailboxes_created ON mailboxes (created);
CREATE INDEX IF NOT EXISTS v1_replies_created ON v1_replies (created);
"""


class StoreError(PjconfError):
    """The mailbox store cannot be opened or written (the CLI's exit 2 at start)."""


class MailboxStore:
    """Mailboxes by ShortId bytes; see the module docstring."""

    def __init__(self, path: str | None, clock: Clock, ttl: float) -> None:
        self.path = path or ":memory:"
        self._clock, self._ttl = clock, ttl
        try:
            if path is not None:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA busy_timeout = 5000")
            if path is not None:
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as e:
            raise StoreError(f"cannot open the mailbox store {self.path}: {e}") from None

    def post(self, short_id: bytes, body: bytes) -> bool:
        """Store ``body`` unless the mailbox holds another; True when it now holds ``body``."""
        now = self._clock.now()
        try:
            cursor = self._db.execute(
                "INSERT INTO mailboxes (id, body, created) VALUES (?, ?, ?) "
                "ON CONFLICT (id) DO NOTHING",
                (short_id, body, now),
            )
            if cursor.rowcount == 1:
                return True
        except sqlite3.Error as e:
            raise StoreError(f"cannot store a mailbox: {e}") from None
        return self.get(short_id) == body

    def get(self, short_id: bytes) -> bytes | None:
        """The mailbox's body, unless it is empty or expired."""
        oldest = self._clock.now() - self._ttl
        try:
            row = self._db.execute(
                "SELECT body FROM mailboxes WHERE id = ? AND created >= ?", (short_id, oldest)
            ).fetchone()
        except sqlite3.Error as e:
            raise StoreError(f"cannot read a mailbox: {e}") from None
        return None if row is None else bytes(row[0])

    def posted_since(self, mark: int) -> tuple[list[bytes], int]:
        """The mailboxes written after row ``mark`` (by any process sharing the file), and the
        new mark. How a worker learns of POSTs another worker took (see :mod:`.workers`).

        Rows only grow past the mark, except when pruning removed the newest ones: then the mark
        falls back to the highest row left, so a later row reusing their number is still seen.
        """
        try:
            rows = self._db.execute(
                "SELECT rowid, id FROM mailboxes WHERE rowid > ? ORDER BY rowid", (mark,)
            ).fetchall()
            if not rows:
                return [], min(mark, self.last_row())
        except sqlite3.Error as e:
            raise StoreError(f"cannot read the mailboxes: {e}") from None
        return [bytes(short_id) for _, short_id in rows], int(rows[-1][0])

    def last_row(self) -> int:
        """The highest mailbox row number now (0 when empty): a starting mark for
        :meth:`posted_since`."""
        try:
            return int(
                self._db.execute("SELECT coalesce(max(rowid), 0) FROM mailboxes").fetchone()[0]
            )
        except sqlite3.Error as e:
            raise StoreError(f"cannot read the mailboxes: {e}") from None

    def put_v1(self, short_id: bytes, body: bytes) -> None:
        """Keep a v2 receiver's answer to a v1 sender (the last one wins)."""
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO v1_replies (id, body, created) VALUES (?, ?, ?)",
                (short_id, body, self._clock.now()),
            )
        except sqlite3.Error as e:
            raise StoreError(f"cannot store a v1 reply: {e}") from None

    def prune(self) -> int:
        """Remove every expired mailbox and v1 reply; how many went."""
        oldest = self._clock.now() - self._ttl
        try:
            count = 0
            for table in ("mailboxes", "v1_replies"):
                sql = f"DELETE FROM {table} WHERE created < ?"
                count += self._db.execute(sql, (oldest,)).rowcount
        except sqlite3.Error as e:
            raise StoreError(f"cannot prune the mailboxes: {e}") from None
        return int(count)

    def count(self) -> int:
        """Mailboxes held, expired ones included until the next prune."""
        return int(self._db.execute("SELECT count(*) FROM mailboxes").fetchone()[0])

    def close(self) -> None:
        """Checkpoint the WAL and close; a closed store refuses further calls."""
        try:
            if self.path != ":memory:":
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.close()
        except sqlite3.Error as e:
            raise StoreError(f"cannot close the mailbox store: {e}") from None
