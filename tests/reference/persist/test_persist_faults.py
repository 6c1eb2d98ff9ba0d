"""Storage faults: a failing ``save_event`` or ``close`` at each call, on every transition.

A storage error replaces the protocol outcome (it is neither transient nor fatal, and has no
effect class); ``close`` is never called after a failed ``save_event``; a failed ``close`` after
a successful ``save_event`` leaves the event durable (§1.4, P15). On the SQLite and file stores
the fault is injected underneath (a trigger, a short write, a failing fsync) and the log must
never hold a partial record.
"""

from __future__ import annotations

import asyncio
import errno
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from reference.persist.cases import EV, ROWS, Raises, Row

from pjconf.reference.errors import InvalidArgument
from pjconf.reference.persist import (
    FileStore,
    InMemoryPersister,
    MaybeFatalTransition,
    MaybeFatalTransitionWithNoResults,
    MaybeTerminalSuccessTransition,
    NextStateTransition,
    PersistAction,
    PersistedError,
    SqliteStore,
    StorageError,
    TerminalTransition,
    outcome_class,
)

INJECTED = StorageError("injected fault")


class FaultyPersister:
    """An in-memory log whose ``save_event`` or ``close`` fails on a chosen call."""

    def __init__(self, fail_on: str) -> None:
        self.inner = InMemoryPersister[str]()
        self.fail_on = fail_on
        self.calls: list[str] = []

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if name == self.fail_on:
            raise INJECTED

    def save_event(self, event: str) -> None:
        self._call("save_event")
        self.inner.save_event(event)

    def load(self) -> Iterator[str]:
        return self.inner.load()

    def close(self) -> None:
        self._call("close")
        self.inner.close()


class FaultyAsyncPersister:
    """The async face of a :class:`FaultyPersister`."""

    def __init__(self, sync: FaultyPersister) -> None:
        self.sync = sync

    async def save_event(self, event: str) -> None:
        self.sync.save_event(event)

    async def load(self) -> Iterator[str]:
        return self.sync.load()

    async def close(self) -> None:
        self.sync.close()


def _save(transition: Any, persister: FaultyPersister, mode: str) -> Any:
    if mode == "sync":
        return transition.save(persister)
    return asyncio.run(transition.save_async(FaultyAsyncPersister(persister)))


@pytest.mark.parametrize("fail_on", ["save_event", "close"])
@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_a_storage_fault_replaces_the_outcome(row: Row, mode: str, fail_on: str) -> None:
    persister = FaultyPersister(fail_on)
    transition = row.make()
    hit = row.action is not PersistAction.NOOP and (fail_on == "save_event" or row.closes)
    if not hit:  # the failing call is never made: the ordinary outcome
        if isinstance(row.result, Raises):
            with pytest.raises(PersistedError) as raised:
                _save(transition, persister, mode)
            assert raised.value.classification is row.result.kind
        else:
            assert _save(transition, persister, mode) == row.result
        assert (persister.inner.events, persister.inner.closed) == (row.events, row.closes)
        return
    expected_type = StorageError if row.bare_storage_error else PersistedError
    with pytest.raises(expected_type) as info:
        _save(transition, persister, mode)
    failure = info.value
    if isinstance(failure, PersistedError):
        assert failure.is_storage()
        assert failure.storage_error() is INJECTED
        assert failure.api_error() is None
        assert not failure.is_transient()
        assert not failure.is_fatal()
        assert failure.transient_state() is None
        assert failure.fatal_state() is None
        assert str(failure) == f"Storage error: {INJECTED}"
        with pytest.raises(InvalidArgument):
            outcome_class(transition.action, failure)
    else:
        assert failure is INJECTED
    if fail_on == "save_event":
        assert persister.calls == ["save_event"]  # close is never called after a failed save
        assert persister.inner.events == []
    else:
        assert persister.calls == ["save_event", "close"]
        assert persister.inner.events == [EV]  # durable, though the caller saw an error
    assert not persister.inner.closed


# -- faults underneath the durable stores, at each call of a whole session ------------------------

SCRIPT: list[Callable[[], Any]] = [
    lambda: NextStateTransition.success("e0", "s1"),
    lambda: MaybeFatalTransition.success("e1", "s2"),
    lambda: MaybeFatalTransitionWithNoResults.no_results("s2"),
    lambda: MaybeFatalTransition.replyable_error("e2", "err-state", "bad"),
    lambda: MaybeTerminalSuccessTransition.advance("e3", "s3"),
    lambda: TerminalTransition.new("e4", "done"),
]
SAVED = ["e0", "e1", "e2", "e3", "e4"]
CALLS = len(SAVED) + 1  # five saves and the final close


def _run_script(persister: Any) -> int:
    """Save the script until a storage error; return how many events were acknowledged."""
    acknowledged = 0
    for make in SCRIPT:
        transition = make()
        try:
            transition.save(persister)
        except PersistedError as error:
            if error.is_storage():
                return acknowledged
        except StorageError:
            return acknowledged
        acknowledged += transition.action is not PersistAction.NOOP
    return acknowledged


def _expected(call: int) -> tuple[int, list[str]]:
    """Acknowledged saves and durable events when call number ``call`` fails.

    A failing final ``close`` leaves all five events durable, the last one unacknowledged.
    """
    return min(call, len(SAVED) - 1) if call == len(SAVED) else call, SAVED[:call]


@pytest.mark.parametrize("call", range(CALLS))
def test_sqlite_fault_at_each_call_leaves_whole_records(tmp_path: Path, call: int) -> None:
    path = tmp_path / "s.sqlite"
    store = SqliteStore(path)
    if call < len(SAVED):
        trigger = f"BEFORE INSERT ON events WHEN NEW.seq = {call}"
    else:
        trigger = "BEFORE UPDATE ON sessions"
    with sqlite3.connect(path) as other:  # another connection installs the fault
        other.execute(f"CREATE TRIGGER fault {trigger} BEGIN SELECT RAISE(ABORT, 'x'); END")
    acknowledged, durable = _expected(call)
    assert _run_script(store.persister("s")) == acknowledged
    store.disconnect()
    reopened = SqliteStore(path)
    assert list(reopened.persister("s").load()) == durable
    info = reopened.info("s")
    assert (info.events, info.closed) == (len(durable), False)
    assert reopened.session_ids() == ([] if call == 0 else ["s"])  # the session row rolled back
    reopened.disconnect()


@pytest.mark.parametrize("how", ["short-write", "fsync"])
@pytest.mark.parametrize("call", range(CALLS))
def test_file_fault_at_each_call_leaves_whole_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: int, how: str
) -> None:
    real_pwrite, real_fsync = os.pwrite, os.fsync
    state = {"writes": 0, "armed": False}

    def pwrite(fd: int, data: bytes, offset: int) -> int:
        index = state["writes"]
        state["writes"] = index + 1
        if index == call:
            if how == "short-write":
                real_pwrite(fd, data[: len(data) // 2], offset)  # half a record reaches the file
                raise OSError(errno.ENOSPC, "No space left on device")
            state["armed"] = True
        return real_pwrite(fd, data, offset)

    def fsync(fd: int) -> None:
        if state["armed"]:
            state["armed"] = False
            raise OSError(errno.EIO, "Input/output error")
        real_fsync(fd)

    monkeypatch.setattr(os, "pwrite", pwrite)
    monkeypatch.setattr(os, "fsync", fsync)
    acknowledged, durable = _expected(call)
    first = FileStore(tmp_path / "logs").persister("t")
    assert _run_script(first) == acknowledged
    monkeypatch.undo()
    first.release()
    scan = FileStore(tmp_path / "logs").persister("t").scan()
    assert scan.torn is None  # the half-written record was cut off again
    assert scan.texts == durable
    assert not scan.closed
    # and the store goes on: a later save and close land after the intact prefix
    again = FileStore(tmp_path / "logs").persister("t")
    again.save_event("later")
    again.close()
    assert list(again.load()) == [*durable, "later"]
    assert again.closed
    again.release()
