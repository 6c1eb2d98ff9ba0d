"""Excerpts of what an implementation sent: short, marked when cut, always printable."""

from __future__ import annotations

from pjconf.harness.excerpt import bounded, excerpt, printable


def test_a_short_value_is_kept_as_it_is() -> None:
    value = {"a": [1, 2, "three"]}
    assert bounded(value) is value


def test_a_long_value_becomes_a_marked_excerpt() -> None:
    cut = bounded({"x": "y" * 10_000}, 100)
    assert cut == {"truncated": True, "chars": 10_008, "excerpt": '{"x":"' + "y" * 94}


def test_a_long_text_says_how_long_it_was() -> None:
    assert excerpt("z" * 50, 10) == "zzzzzzzzzz... (50 chars, truncated)"
    assert excerpt("short", 10) == "short"


def test_lone_surrogates_become_printable() -> None:
    text = printable("a\ud800b")
    assert text == "a\\ud800b"
    text.encode("utf-8")
    assert bounded({"s": "\udfff" * 5000}, 10)["excerpt"].encode("utf-8")
