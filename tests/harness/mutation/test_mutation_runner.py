"""The runner against the real reference, one case each: a mutant that breaks behaviour is
killed, an equivalent one survives, a hang is a timeout, and an unreached line is not covered."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from pjconf.harness.mutation import runner
from pjconf.harness.mutation.operators import Mutant
from pjconf.harness.mutation.runner import Slots, Status
from pjconf.harness.mutation.worker import IMPORT

MODULE = "bip77/messages"
TOO_LARGE = "bip77_messages/7"
"""A body one byte over the limit: the reference refuses it as PayloadTooLarge."""


def _mutant(text: str, operator: str) -> Mutant:
    mutants = runner.collect(runner.reference_root(), [MODULE])
    return next(m for m in mutants if m.text == text and m.operator == operator)


@pytest.fixture(scope="module")
def slots() -> Iterator[Slots]:
    made = Slots(runner.reference_root(), 1)
    yield made
    made.close()


def test_a_mutant_that_drops_a_checked_guard_is_killed(slots: Slots) -> None:
    mutant = _mutant("if len(body) > length:", "drop-guard")
    result = slots.run(mutant, lambda slot: runner.run_mutant(mutant, [TOO_LARGE], slot, 120))
    assert result.status is Status.KILLED
    assert result.failed == [f"payjoin-1.0: {TOO_LARGE}"]


def test_an_equivalent_mutant_survives(slots: Slots) -> None:
    base = _mutant("POLY1305_TAG_SIZE = 16", "int+1")
    same = replace(base, replacement="0x10")  # the same number, spelt otherwise
    result = slots.run(same, lambda slot: runner.run_mutant(same, [TOO_LARGE], slot, 120))
    assert result.status is Status.SURVIVED
    assert result.failed == []


def test_a_run_over_its_time_is_a_timeout(slots: Slots) -> None:
    mutant = _mutant("if len(body) > length:", "drop-guard")
    result = slots.run(mutant, lambda slot: runner.run_mutant(mutant, [TOO_LARGE], slot, 0.01))
    assert result.status is Status.TIMEOUT


def test_the_slot_is_restored_after_each_mutant(slots: Slots) -> None:
    mutant = _mutant("if len(body) > length:", "drop-guard")
    slot = slots.free.get()
    slots.free.put(slot)
    copy = slot / "pjconf" / "reference" / f"{MODULE}.py"
    original = (runner.reference_root() / f"{MODULE}.py").read_text(encoding="utf-8")
    slots.run(mutant, lambda s: runner.run_mutant(mutant, [TOO_LARGE], s, 0.01))
    assert copy.read_text(encoding="utf-8") == original


def test_case_selection_by_reach() -> None:
    mutant = _mutant("if len(body) > length:", "drop-guard")
    lines = {"a/1": {MODULE: {mutant.reach[0]}}, "b/2": {MODULE: {1}}, "c/3": {"other": {44}}}
    assert runner.cases_reaching(mutant, lines) == ["a/1"]
    assert runner.cases_reaching(replace(mutant, reach=(2, 3)), lines) == []
    assert runner.cases_reaching(replace(mutant, module_level=True), lines) is None
    imported = {**lines, IMPORT: {MODULE: {mutant.reach[0]}}}
    assert runner.cases_reaching(mutant, imported) is None  # a line the import runs: every case
    result = runner.run_all(
        [replace(mutant, reach=(2, 3))], lines, runner.reference_root(), jobs=1, timeout=1
    )
    assert [r.status for r in result] == [Status.NOT_COVERED]
