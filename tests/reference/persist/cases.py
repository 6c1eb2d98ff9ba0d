"""The one table of transition outcomes that the matrix and fault tests are generated from.

Each row is a transition kind, one of its constructors, and what ``save`` must do: the events it
appends, whether it closes, and what it returns or raises (payjoin 1.0, persist.rs; the spec's
§1.5 table). Every row runs against every backend, sync and async.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pjconf.reference.persist import (
    AsyncSessionPersister,
    EffectClass,
    FileStore,
    InMemoryAsyncPersister,
    InMemoryPersister,
    MaybeFatalOrSuccessTransition,
    MaybeFatalTransition,
    MaybeFatalTransitionWithNoResults,
    MaybeSuccessTransitionWithNoResults,
    MaybeTerminalSuccessTransition,
    MaybeTerminalTransition,
    MaybeTransientTransition,
    NextStateTransition,
    PersistAction,
    PersistedErrorKind,
    Progress,
    SessionPersister,
    SqliteStore,
    Stasis,
    TerminalTransition,
    ThreadedAsyncPersister,
)


class ApiErr(Exception):
    """A protocol error standing in for payjoin's ``Err``."""


EV = '{"Created":1}'
NEXT = "next-state"
CUR = "current-state"
ERS = "error-state"
VALUE = "fallback-tx"
ERR = ApiErr("rejected")


@dataclass(frozen=True)
class Raises:
    """``save`` raises a PersistedError of this classification with this error state."""

    kind: PersistedErrorKind
    state: object = None


@dataclass(frozen=True)
class Row:
    constructor: str
    make: Callable[[], Any]
    action: PersistAction
    result: object  # the value returned, or Raises(...)
    effect: EffectClass

    @property
    def kind(self) -> str:
        return type(self.make()).__name__

    @property
    def id(self) -> str:
        return f"{self.kind}.{self.constructor}"

    @property
    def events(self) -> list[str]:
        return [] if self.action is PersistAction.NOOP else [EV]

    @property
    def closes(self) -> bool:
        return self.action is PersistAction.SAVE_AND_CLOSE

    @property
    def bare_storage_error(self) -> bool:
        """The three kinds whose Rust ``save`` returns a bare storage error, no PersistedError."""
        return self.kind in BARE_STORAGE_ERROR


BARE_STORAGE_ERROR = {"NextStateTransition", "MaybeTerminalTransition", "TerminalTransition"}
S, SC, NO = PersistAction.SAVE, PersistAction.SAVE_AND_CLOSE, PersistAction.NOOP
P = EffectClass
TRANSIENT = Raises(PersistedErrorKind.TRANSIENT, CUR)
FATAL = Raises(PersistedErrorKind.FATAL)


def fws(state: object) -> Raises:
    return Raises(PersistedErrorKind.FATAL_WITH_STATE, state)


NS = NextStateTransition
MTr = MaybeTransientTransition
MF = MaybeFatalTransition
MFN = MaybeFatalTransitionWithNoResults
MSN = MaybeSuccessTransitionWithNoResults
MFS = MaybeFatalOrSuccessTransition
MT = MaybeTerminalTransition
MTS = MaybeTerminalSuccessTransition
TT = TerminalTransition

ROWS: list[Row] = [
    Row("success", lambda: NS.success(EV, NEXT), S, NEXT, P.PROGRESS),
    Row("success", lambda: MTr.success(EV, NEXT), S, NEXT, P.PROGRESS),
    Row("transient", lambda: MTr.transient(ERR, CUR), NO, TRANSIENT, P.TRANSIENT),
    Row("success", lambda: MF.success(EV, NEXT), S, NEXT, P.PROGRESS),
    Row("fatal", lambda: MF.fatal(EV, ERR), SC, FATAL, P.FATAL),
    Row("transient", lambda: MF.transient(ERR, CUR), NO, TRANSIENT, P.TRANSIENT),
    Row("replyable_error", lambda: MF.replyable_error(EV, ERS, ERR), S, fws(ERS), P.REPLYABLE),
    Row("success", lambda: MFN.success(EV, NEXT), S, Progress(NEXT), P.PROGRESS),
    Row("no_results", lambda: MFN.no_results(CUR), NO, Stasis(CUR), P.STASIS),
    Row("fatal", lambda: MFN.fatal(EV, ERR), SC, FATAL, P.FATAL),
    Row("transient", lambda: MFN.transient(ERR, CUR), NO, TRANSIENT, P.TRANSIENT),
    Row("success", lambda: MSN.success(VALUE, EV), SC, Progress(VALUE), P.TERMINAL),
    Row("no_results", lambda: MSN.no_results(CUR), NO, Stasis(CUR), P.STASIS),
    Row("fatal", lambda: MSN.fatal(EV, ERR), SC, FATAL, P.FATAL),
    Row("transient", lambda: MSN.transient(ERR, CUR), NO, TRANSIENT, P.TRANSIENT),
    Row("success", lambda: MFS.success(EV), SC, Progress(None), P.TERMINAL),
    Row("no_results", lambda: MFS.no_results(CUR), NO, Stasis(CUR), P.STASIS),
    Row("transient", lambda: MFS.transient(ERR, CUR), NO, TRANSIENT, P.TRANSIENT),
    Row("fatal", lambda: MFS.fatal(EV, ERR), SC, FATAL, P.FATAL),
    Row("advance", lambda: MT.advance(EV, NEXT), S, NEXT, P.PROGRESS),
    Row("terminate", lambda: MT.terminate(EV), SC, None, P.TERMINAL),
    Row("advance", lambda: MTS.advance(EV, NEXT), S, NEXT, P.PROGRESS),
    Row("terminate", lambda: MTS.terminate(EV), SC, None, P.TERMINAL),
    Row("fatal_advance", lambda: MTS.fatal_advance(EV, NEXT, ERR), S, fws(NEXT), P.REPLYABLE),
    Row("fatal_terminate", lambda: MTS.fatal_terminate(EV, ERR), SC, FATAL, P.FATAL),
    Row("transient", lambda: MTS.transient(ERR, CUR), NO, TRANSIENT, P.TRANSIENT),
    Row("new", lambda: TT.new(EV, VALUE), SC, VALUE, P.TERMINAL),
]  # fmt: skip

KINDS = sorted({row.kind for row in ROWS})
"""All nine kinds (checked by a test, so a missing kind cannot go unnoticed)."""


# -- backends ------------------------------------------------------------------------------------


@dataclass
class Backend:
    """A fresh session log with sync and async faces and a way to look at it."""

    sync: SessionPersister[str]
    async_: AsyncSessionPersister[str]
    events: Callable[[], list[str]]
    closed: Callable[[], bool]


def memory_backend(_: Path) -> Iterator[Backend]:
    sync, async_ = InMemoryPersister[str](), InMemoryAsyncPersister[str]()

    def events() -> list[str]:
        return sync.events + async_.events

    yield Backend(sync, async_, events, lambda: sync.closed or async_.closed)


def sqlite_backend(tmp: Path) -> Iterator[Backend]:
    store = SqliteStore(tmp / "sessions.sqlite")
    persister = store.persister("s1")
    yield Backend(
        persister,
        ThreadedAsyncPersister(persister),
        lambda: list(persister.load()),
        lambda: persister.closed,
    )
    store.disconnect()


def file_backend(tmp: Path) -> Iterator[Backend]:
    persister = FileStore(tmp / "logs").persister("s1")
    yield Backend(
        persister,
        ThreadedAsyncPersister(persister),
        lambda: list(persister.load()),
        lambda: persister.closed,
    )
    persister.release()


BACKENDS: dict[str, Callable[[Path], Iterator[Backend]]] = {
    "memory": memory_backend,
    "sqlite": sqlite_backend,
    "file": file_backend,
}


def run_save(row_transition: Any, backend: Backend, mode: str) -> Any:
    """``save`` or ``save_async`` the transition on the backend, returning what it returned."""
    if mode == "sync":
        return row_transition.save(backend.sync)
    return asyncio.run(row_transition.save_async(backend.async_))
