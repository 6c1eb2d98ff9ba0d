"""The operators write the source they promise, every mutant compiles, and ids do not move when
an unrelated line of the module changes."""

from __future__ import annotations

import ast

import pytest

from pjconf.harness.cli import main
from pjconf.harness.mutation import runner
from pjconf.harness.mutation.operators import TEXT_MARK, Mutant, apply, mutants_of
from pjconf.harness.mutation.scope import SCOPE

SOURCE = """\
LIMIT = 7


def check(n, items):
    if n < LIMIT and not items:
        raise ValueError("too small")
    if n == 3:
        return None
    if n in items or n >= 9:
        raise KeyError(f"bad {n}")
    return n
"""


def _by(operator: str) -> list[Mutant]:
    return [m for m in mutants_of("toy", SOURCE) if m.operator == operator]


def _line(mutant: Mutant, number: int) -> str:
    return apply(SOURCE, mutant).splitlines()[number - 1].strip()


def test_comparisons_swap_one_operator_each() -> None:
    changed = sorted(_line(m, m.line) for m in _by("compare"))
    assert changed == sorted(
        [
            "if (n <= LIMIT) and not items:",
            "if (n != 3):",
            "if (n not in items) or n >= 9:",
            "if n in items or (n > 9):",
        ]
    )


def test_boolean_operators_swap() -> None:
    assert sorted(_line(m, m.line) for m in _by("boolop")) == [
        "if (n < LIMIT or not items):",
        "if (n in items and n >= 9):",
    ]


def test_integers_move_by_one_and_module_level_ones_say_so() -> None:
    plus = {m.text: m for m in _by("int+1")}
    assert _line(plus["LIMIT = 7"], 1) == "LIMIT = 8"
    assert _line(plus["if n == 3:"], 7) == "if n == 4:"
    assert plus["LIMIT = 7"].module_level
    assert not plus["if n == 3:"].module_level
    assert [_line(m, m.line) for m in _by("int-1") if m.line == 9] == ["if n in items or n >= 8:"]


def test_guards_are_dropped_and_a_lone_raise_is_not_mutated_twice() -> None:
    dropped = _by("drop-guard")
    assert [m.line for m in dropped] == [5, 7, 9]
    assert _line(dropped[0], 5) == "pass"
    assert ast.parse(apply(SOURCE, dropped[0]))
    assert _by("raise-pass") == []  # each raise is a whole guard body: drop-guard is that mutant
    assert dropped[0].reach == (5, 5)  # reached where the condition is evaluated


def test_not_is_removed_and_error_texts_are_marked() -> None:
    assert [_line(m, 5) for m in _by("not")] == ["if n < LIMIT and (items):"]
    texts = sorted(_line(m, m.line) for m in _by("error-text"))
    assert texts == [
        f"raise KeyError(f'{TEXT_MARK}bad {{n}}')",
        f"raise ValueError('{TEXT_MARK}too small')",
    ]


def test_a_raise_with_other_statements_around_it_becomes_pass() -> None:
    source = "def f(x):\n    if x:\n        print(x)\n        raise ValueError\n    return 1\n"
    (mutant,) = [m for m in mutants_of("toy", source) if m.operator == "raise-pass"]
    assert apply(source, mutant).splitlines()[3] == "        pass"


def test_ids_survive_an_unrelated_edit_and_change_with_the_line() -> None:
    before = {m.id for m in mutants_of("toy", SOURCE)}
    edited = SOURCE.replace("    return n\n", "    n = n * 2  # unrelated\n    return n\n")
    edited = "import os\n\n" + edited
    after = {m.id for m in mutants_of("toy", edited)}
    assert before <= after
    changed = SOURCE.replace("if n == 3:", "if n == 3 :  # reworded")
    assert {m.id for m in mutants_of("toy", changed)} != before


def test_identical_lines_get_distinct_occurrences() -> None:
    source = "def f(a):\n    if a < 1:\n        return 0\n    if a < 1:\n        return 1\n"
    ids = [m.id for m in mutants_of("toy", source) if m.operator == "compare"]
    assert len(ids) == len(set(ids)) == 2
    assert {i.rsplit(":", 1)[1] for i in ids} == {"0", "1"}


def test_non_ascii_text_before_a_site_is_spliced_by_bytes() -> None:
    source = 'def f(x):\n    s = "é€"; return x < 1\n'
    (mutant,) = [m for m in mutants_of("toy", source) if m.operator == "compare"]
    assert apply(source, mutant).splitlines()[1] == '    s = "é€"; return (x <= 1)'


def test_ids_are_unique_over_the_whole_scope() -> None:
    mutants = runner.collect(runner.reference_root(), SCOPE, check=False)
    assert len({m.id for m in mutants}) == len(mutants) > 1000


@pytest.mark.parametrize("module", ["bip77/messages", "persist/transitions", "session/json_codec"])
def test_every_mutant_of_a_module_compiles_and_changes_it(module: str) -> None:
    source = (runner.reference_root() / f"{module}.py").read_text(encoding="utf-8")
    mutants = mutants_of(module, source, check=False)
    assert mutants
    for mutant in mutants:
        assert apply(source, mutant) != source
        compile(apply(source, mutant), module, "exec")


def test_a_sample_is_deterministic_and_seeded() -> None:
    mutants = runner.collect(runner.reference_root(), ["bip77/ohttp"], check=False)
    first = runner.sample(mutants, 10, "a")
    assert [m.id for m in first] == [m.id for m in runner.sample(mutants, 10, "a")]
    assert [m.id for m in first] != [m.id for m in runner.sample(mutants, 10, "b")]
    assert len(runner.sample(mutants, None, "a")) == len(mutants)


def test_the_cli_lists_a_modules_mutants(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mutate", "--module", "bip77/messages", "--list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 10
    assert all(line.startswith("bip77/messages:") for line in listed)
