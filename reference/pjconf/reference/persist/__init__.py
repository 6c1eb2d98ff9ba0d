"""Session persistence: payjoin 1.0's persister interfaces, transitions and durable stores.

The whole durable state of a payjoin 1.0 session is an append-only event log plus a "closed"
flag. This package has the interfaces (:mod:`.protocols`), the nine transition kinds that decide
what a state change persists (:mod:`.transitions`), their errors (:mod:`.errors`), and the
stores: in memory (:mod:`.memory`), SQLite (:mod:`.sqlite_store`) and a file log per session
(:mod:`.file_store`).
"""

from pjconf.reference.persist.errors import (
    AlreadySaved,
    CorruptLog,
    LogLocked,
    PersistedError,
    PersistedErrorKind,
    ReadOnlyStore,
    SessionClosed,
    StorageError,
    TornHeader,
    TornRecord,
)
from pjconf.reference.persist.file_store import FileLogPersister, FileStore, LogScan
from pjconf.reference.persist.memory import InMemoryAsyncPersister, InMemoryPersister
from pjconf.reference.persist.outcome import (
    EffectClass,
    OptionalTransitionOutcome,
    PersistAction,
    Progress,
    Stasis,
    outcome_class,
)
from pjconf.reference.persist.protocols import (
    IDENTITY,
    AsyncSessionPersister,
    EventCodec,
    IdentityCodec,
    SessionPersister,
)
from pjconf.reference.persist.sqlite_store import SessionInfo, SqlitePersister, SqliteStore
from pjconf.reference.persist.threaded import ThreadedAsyncPersister
from pjconf.reference.persist.transitions import (
    MaybeFatalOrSuccessTransition,
    MaybeFatalTransition,
    MaybeFatalTransitionWithNoResults,
    MaybeSuccessTransitionWithNoResults,
    MaybeTerminalSuccessTransition,
    MaybeTerminalTransition,
    MaybeTransientTransition,
    NextStateTransition,
    TerminalTransition,
)

__all__ = [
    "IDENTITY",
    "AlreadySaved",
    "AsyncSessionPersister",
    "CorruptLog",
    "EffectClass",
    "EventCodec",
    "FileLogPersister",
    "FileStore",
    "IdentityCodec",
    "InMemoryAsyncPersister",
    "InMemoryPersister",
    "LogLocked",
    "LogScan",
    "MaybeFatalOrSuccessTransition",
    "MaybeFatalTransition",
    "MaybeFatalTransitionWithNoResults",
    "MaybeSuccessTransitionWithNoResults",
    "MaybeTerminalSuccessTransition",
    "MaybeTerminalTransition",
    "MaybeTransientTransition",
    "NextStateTransition",
    "OptionalTransitionOutcome",
    "PersistAction",
    "PersistedError",
    "PersistedErrorKind",
    "Progress",
    "ReadOnlyStore",
    "SessionClosed",
    "SessionInfo",
    "SessionPersister",
    "SqlitePersister",
    "SqliteStore",
    "Stasis",
    "StorageError",
    "TerminalTransition",
    "ThreadedAsyncPersister",
    "TornHeader",
    "TornRecord",
    "outcome_class",
]
