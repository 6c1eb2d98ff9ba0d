"""Random save / close / reopen sequences against an in-memory model, on every store.

The model is the crate's ``InMemoryPersister`` semantics plus what the durable stores add: the
log survives a reopen, and the first close is recorded with the event count at that moment.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pjconf.reference.persist import FileStore, InMemoryPersister, SqliteStore

TEXT = st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=["Cs"]), max_size=40)
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("save"), TEXT),
        st.tuples(st.just("close"), st.just("")),
        st.tuples(st.just("reopen"), st.just("")),
    ),
    max_size=12,
)


class Model:
    def __init__(self) -> None:
        self.events: list[str] = []
        self.closed_after: int | None = None

    def apply(self, op: str, text: str) -> None:
        if op == "save":
            self.events.append(text)
        elif op == "close" and self.closed_after is None:
            self.closed_after = len(self.events)


def _check(store: str, ops: list[tuple[str, str]], root: Path) -> None:
    model = Model()
    memory = InMemoryPersister[str]()
    sqlite: Any = None

    def open_log() -> Any:
        nonlocal sqlite
        if store == "sqlite":
            if sqlite is not None:
                sqlite.disconnect()
            sqlite = SqliteStore(root / "s.sqlite")
            return sqlite.persister("p")
        if store == "file":
            return FileStore(root / "logs").persister("p")
        return memory

    log = open_log()
    for op, text in ops:
        model.apply(op, text)
        if op == "save":
            log.save_event(text)
        elif op == "close":
            log.close()
        else:
            if store == "file":
                log.release()
            log = open_log()
        assert list(log.load()) == model.events
    if store == "sqlite":
        info = sqlite.info("p")
        assert (info.events, info.closed_after) == (len(model.events), model.closed_after)
        sqlite.disconnect()
    elif store == "file":
        scan = log.scan()
        assert (scan.texts, scan.closed_after, scan.torn) == (
            model.events,
            model.closed_after,
            None,
        )
        log.release()
    else:
        assert memory.closed == (model.closed_after is not None)


@pytest.mark.parametrize("store", ["memory", "sqlite", "file"])
@settings(max_examples=25, deadline=None)
@given(ops=OPS)
def test_random_sequences_match_the_model(store: str, ops: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as root:
        _check(store, ops, Path(root))
