"""Error texts compared with elided payloads."""

from __future__ import annotations

import pytest

from pjconf.harness.run.texts import text_matches


@pytest.mark.parametrize(
    ("expected", "got", "match"),
    [
        ("No events found in session", "No events found in session", True),
        ("No events found in session", "No events found in session.", False),
        ("A(S { .. }) for session", "A(S { x: 1, y: { z: 2 } }) for session", True),
        ("A(S { .. })", 'A(S { x: "}", y: [1, {2}] })', True),
        ("A(S { .. })", 'A(S { x: "\\"}" })', True),
        ("A(S { .. })", "A(S { x: 1 }) ", False),
        ("A(S { .. }, 1)", "A(S { x: 1 }, 2)", False),
        ("A(S { .. })", "A(S(x))", False),
        ("A(S { .. })", "A(S { x: 1 )", False),
        ("A { .. } B { .. }", "A { a } B { b }", True),
        ("A { .. } B { .. }", "A { a } C { b }", False),
        ("A { .. }", "A { .. }", True),
    ],
)
def test_elided_payloads(expected: str, got: str, match: bool) -> None:
    assert text_matches(expected, got) is match


def test_non_texts_compare_by_equality() -> None:
    assert text_matches(None, None)
    assert not text_matches("x", None)
