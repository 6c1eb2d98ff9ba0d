"""Shrinking a failing choice sequence to a minimal one that still fails the same way.

A candidate sequence is replayed through the strategy (so the input stays well-formed) and both
implementations; it is kept when it gives the same finding key and is smaller. Smaller is
shortlex over the choices: fewer choices, then fewer bytes in them, then smaller values, so a
kept candidate is always strictly simpler and the loop ends. Passes, repeated until none helps
or the attempts run out: delete runs of choices, lower each integer (to 0, halved, minus one),
shorten each byte string (empty, halved, one byte less) and zero its bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from pjconf.harness.fuzz.draw import Choice

Attempt = Callable[[list[Choice]], list[Choice] | None]
"""Replay a candidate; the normalized choices when it still fails the same way, else None."""

DEFAULT_ATTEMPTS = 400
"""Replays one finding may spend on shrinking (each is one case on both implementations)."""


def size_key(choices: Sequence[Choice]) -> tuple[int, int, tuple[tuple[int, int, bytes], ...]]:
    """Shortlex order: number of choices, total bytes, then each choice's value."""
    blob_bytes = sum(len(c) for c in choices if isinstance(c, bytes))
    values = tuple((c, 0, b"") if isinstance(c, int) else (len(c), 1, c) for c in choices)
    return (len(choices), blob_bytes, values)


def shrink(
    choices: list[Choice],
    attempt: Attempt,
    max_attempts: int = DEFAULT_ATTEMPTS,
    stop: Callable[[], bool] = lambda: False,
) -> list[Choice]:
    """The smallest failing sequence found from ``choices`` within ``max_attempts`` replays
    (or until ``stop`` says so: a wall-clock guard for runs with a time budget)."""
    current = choices
    spent = 0
    improved = True
    while improved and spent < max_attempts and not stop():
        improved = False
        for candidate in _candidates(current):
            if spent >= max_attempts or stop():
                break
            if size_key(candidate) >= size_key(current):
                continue
            spent += 1
            kept = attempt(candidate)
            if kept is not None and size_key(kept) < size_key(current):
                current = kept
                improved = True
                break
    return current


def _candidates(current: list[Choice]) -> Iterator[list[Choice]]:
    n = len(current)
    for span in (8, 4, 2, 1):
        for start in range(n - span, -1, -1):
            yield current[:start] + current[start + span :]
    for index, value in enumerate(current):
        for smaller in _smaller(value):
            yield [*current[:index], smaller, *current[index + 1 :]]


def _smaller(value: Choice) -> Iterator[Choice]:
    if isinstance(value, int):
        if value == 0:
            return
        yield 0
        if value > 2:
            yield value // 2
        yield value - 1
        return
    if not value:
        return
    yield b""
    if len(value) > 2:
        yield value[: len(value) // 2]
    yield value[:-1]
    if any(value):
        yield bytes(len(value))
        half = len(value) // 2
        if half:
            yield bytes(half) + value[half:]
        for i, byte in enumerate(value[:64]):
            if byte:
                yield value[:i] + b"\x00" + value[i + 1 :]
                break
