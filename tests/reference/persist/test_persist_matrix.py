"""Every transition kind, every outcome, sync and async, every store: from the one table.

For each row: the events saved, the closed flag, the value returned (or the error raised with
its classification and accessors), and the effect class, which must also agree with the log
diff as the adapter protocol's "Live sessions" table defines it.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
from reference.persist.cases import BACKENDS, CUR, ERR, ROWS, Backend, Raises, Row, run_save

from pjconf.reference.errors import InvalidArgument
from pjconf.reference.persist import (
    AlreadySaved,
    EffectClass,
    InMemoryAsyncPersister,
    InMemoryPersister,
    PersistAction,
    PersistedError,
    PersistedErrorKind,
    Progress,
    Stasis,
    StorageError,
    outcome_class,
    transitions,
)

ROW_IDS = [row.id for row in ROWS]
MODES = ["sync", "async"]

LOG_RULE = {  # effect class -> (events gained, closed afterwards); None: either
    EffectClass.PROGRESS: (1, False),
    EffectClass.STASIS: (0, None),
    EffectClass.TRANSIENT: (0, False),
    EffectClass.REPLYABLE: (1, False),
    EffectClass.FATAL: (1, True),
    EffectClass.TERMINAL: (1, True),
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    yield from BACKENDS[request.param](tmp_path)


def test_the_table_has_every_constructor_of_the_nine_kinds() -> None:
    kinds = {
        name: cls
        for name, cls in vars(transitions).items()
        if inspect.isclass(cls) and "Transition" in name and not name.startswith("_")
    }
    assert len(kinds) == 9
    expected = {
        (name, attr)
        for name, cls in kinds.items()
        for attr, value in vars(cls).items()
        if isinstance(value, classmethod)
    }
    assert sorted((row.kind, row.constructor) for row in ROWS) == sorted(expected)


def check_result(row: Row, transition: object, run: object) -> object:
    """Run ``run()`` (a save) and check its value or error against the row; return it."""
    assert callable(run)
    if not isinstance(row.result, Raises):
        got = run()
        assert got == row.result
        return got
    with pytest.raises(PersistedError) as info:
        run()
    error = info.value
    kind = row.result.kind
    assert error.classification is kind
    assert error.api_error() is ERR
    assert error.storage_error() is None
    assert not error.is_storage()
    assert error.is_transient() == (kind is PersistedErrorKind.TRANSIENT)
    assert error.is_fatal() == (kind is not PersistedErrorKind.TRANSIENT)
    assert error.transient_state() == (CUR if kind is PersistedErrorKind.TRANSIENT else None)
    fatal_state = row.result.state if kind is PersistedErrorKind.FATAL_WITH_STATE else None
    assert error.fatal_state() == fatal_state
    label = "Transient error" if kind is PersistedErrorKind.TRANSIENT else "Fatal error"
    assert str(error) == f"{label}: {ERR}"
    return error


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_matrix(row: Row, mode: str, backend: Backend) -> None:
    transition = row.make()
    assert transition.action is row.action
    assert transition.effect is row.effect
    result = check_result(row, transition, lambda: run_save(transition, backend, mode))
    events, closed = backend.events(), backend.closed()
    assert events == row.events
    assert closed == row.closes
    effect = outcome_class(transition.action, result)
    assert effect is row.effect
    gained, must_close = LOG_RULE[effect]
    assert len(events) == gained
    assert must_close is None or closed == must_close


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_a_transition_is_single_use(row: Row) -> None:
    sync, async_ = InMemoryPersister[str](), InMemoryAsyncPersister[str]()
    transition = row.make()
    with contextlib.suppress(PersistedError):
        transition.save(sync)
    before = (sync.events, sync.closed)
    with pytest.raises(AlreadySaved, match="already saved or moved"):
        transition.save(sync)
    with pytest.raises(AlreadySaved):
        asyncio.run(transition.save_async(async_))
    assert (sync.events, sync.closed) == before
    assert (async_.events, async_.closed) == ([], False)


@pytest.mark.parametrize(
    ("action", "result"),
    [
        (PersistAction.NOOP, Progress(1)),
        (PersistAction.NOOP, "next"),
        (PersistAction.SAVE, Stasis(1)),
        (PersistAction.SAVE_AND_CLOSE, Stasis(1)),
        (PersistAction.NOOP, PersistedError[str, None, None].fatal("x")),
        (PersistAction.SAVE, PersistedError[str, None, str].transient("x", "cur")),
        (PersistAction.SAVE_AND_CLOSE, PersistedError[str, str, None].fatal_with_state("x", "s")),
        (PersistAction.SAVE, PersistedError[str, None, None].storage(StorageError("disk"))),
    ],
)
def test_outcome_class_rejects_what_no_transition_produces(
    action: PersistAction, result: object
) -> None:
    with pytest.raises(InvalidArgument):
        outcome_class(action, result)


def test_the_unreachable_replyable_arm_is_classed_by_its_log_effect() -> None:
    fatal = PersistedError[str, None, None].fatal("x")
    assert outcome_class(PersistAction.SAVE, fatal) is EffectClass.REPLYABLE
