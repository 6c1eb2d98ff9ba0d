"""Where a generated input's randomness comes from: a recorded sequence of choices.

Every strategy draws through :class:`Draw`, which asks a :class:`Choices` source for two kinds of
choice only: an integer below a bound, and a byte string up to a length. The exploring engine
draws them from a seeded PRNG (:class:`RandomChoices`); the shrinker replays an edited copy of the
recorded sequence (:class:`ReplayChoices`), so a smaller sequence re-runs the *strategy* and gives
a smaller but still well-formed input (a message A re-sealed around a shorter plaintext, not a
truncated ciphertext). Hypothesis works the same way; the engine keeps its own copy of the idea
because Hypothesis spends about a millisecond per example on its bookkeeping, more than the whole
cost of most cases here (``docs/fuzz.md``, "Throughput"); :mod:`.hypothesis_strategies` still
exposes every strategy as a Hypothesis strategy for property tests.
"""

from __future__ import annotations

import math
import random
import struct
from collections.abc import Sequence
from typing import Protocol, TypeVar

Choice = int | bytes
"""One recorded decision: an integer (offset within its bound) or a byte string."""

T = TypeVar("T")

MAX_BLOB = 16 * 1024
"""The longest byte string any strategy draws (a 7168-byte BIP 77 message fits twice)."""


class Choices(Protocol):
    """A source of choices; every source records the (normalized) choices it gave."""

    recorded: list[Choice]

    def below(self, bound: int) -> int:
        """An integer in ``[0, bound)``; ``bound >= 1``."""
        ...

    def blob(self, max_size: int) -> bytes:
        """A byte string of at most ``max_size`` bytes."""
        ...

    def size(self, bound: int) -> int:
        """An integer in ``[0, bound)`` for a length: drawn with a bias toward the edges (the
        largest value, small values), recorded as a plain integer that shrinks smoothly."""
        ...


class RandomChoices:
    """Choices from a seeded PRNG: the same seed gives the same sequence, on every platform."""

    def __init__(self, seed: str) -> None:
        self._rng = random.Random(seed)
        self.recorded: list[Choice] = []

    def below(self, bound: int) -> int:
        value = self._rng.randrange(bound) if bound > 1 else 0
        self.recorded.append(value)
        return value

    def blob(self, max_size: int) -> bytes:
        size = _biased_size(self._rng, max_size)
        value = self._rng.randbytes(size)
        self.recorded.append(value)
        return value

    def size(self, bound: int) -> int:
        value = _edge_biased(self._rng, bound) if bound > 1 else 0
        self.recorded.append(value)
        return value


def _biased_size(rng: random.Random, max_size: int) -> int:
    """Mostly short strings, sometimes long ones, now and then the longest allowed."""
    bucket = rng.randrange(8)
    if bucket == 0 or max_size == 0:
        return 0 if bucket == 0 else max_size
    if bucket < 5:
        return rng.randrange(min(max_size, 40) + 1)
    if bucket < 7:
        return rng.randrange(min(max_size, 300) + 1)
    return rng.randrange(max_size + 1)


def _edge_biased(rng: random.Random, bound: int) -> int:
    """Often the largest value, sometimes 0 or a small one, else any."""
    bucket = rng.randrange(8)
    if bucket < 3:
        return bound - 1
    if bucket == 3:
        return 0
    if bucket < 6:
        return rng.randrange(min(bound, 41))
    return rng.randrange(bound)


class ReplayChoices:
    """Choices read back from a recorded (possibly edited) sequence.

    A choice that does not fit its draw is brought into range (an integer is capped at its bound,
    a byte string cut to its length); past the end of the sequence every draw is the smallest
    one (0, the empty string). ``recorded`` holds what was actually given, so the shrinker keeps
    the normalized sequence.
    """

    def __init__(self, choices: Sequence[Choice]) -> None:
        self._choices = choices
        self._next = 0
        self.recorded: list[Choice] = []

    def _take(self) -> Choice | None:
        if self._next >= len(self._choices):
            return None
        value = self._choices[self._next]
        self._next += 1
        return value

    def below(self, bound: int) -> int:
        raw = self._take()
        value = min(raw, bound - 1) if isinstance(raw, int) else 0
        self.recorded.append(value)
        return value

    def blob(self, max_size: int) -> bytes:
        raw = self._take()
        value = raw[:max_size] if isinstance(raw, bytes) else b""
        self.recorded.append(value)
        return value

    def size(self, bound: int) -> int:
        return self.below(bound)


class Draw:
    """The draws strategies make, all reduced to :meth:`Choices.below` and :meth:`Choices.blob`.

    Every derived draw maps the choice 0 to its simplest value (the first option, the empty
    string, zero), so shrinking a choice toward 0 simplifies the input.
    """

    def __init__(self, choices: Choices) -> None:
        self.choices = choices

    def below(self, bound: int) -> int:
        return self.choices.below(bound)

    def integer(self, low: int, high: int) -> int:
        return low + self.choices.below(high - low + 1)

    def boolean(self) -> bool:
        return self.choices.below(2) == 1

    def chance(self, one_in: int) -> bool:
        """True about once in ``one_in`` draws (the choice 0 is False)."""
        return self.choices.below(one_in) == one_in - 1

    def pick(self, options: Sequence[T]) -> T:
        return options[self.choices.below(len(options))]

    def blob(self, max_size: int = MAX_BLOB) -> bytes:
        return self.choices.blob(max_size)

    def size(self, largest: int) -> int:
        """A length up to ``largest``, often ``largest`` itself or small."""
        return self.choices.size(largest + 1)

    def exact(self, size: int) -> bytes:
        """Exactly ``size`` bytes (zero-padded when a replayed choice is shorter)."""
        value = self.choices.blob(size)
        return value + bytes(size - len(value))

    def text(self, alphabet: str, max_size: int = 40) -> str:
        raw = self.choices.blob(max_size)
        return "".join(alphabet[b % len(alphabet)] for b in raw)

    def unicode(self, max_size: int = 20) -> str:
        """Any text: ASCII mostly, then controls, Latin-1, BMP and astral characters."""
        raw = self.choices.blob(max_size * 2)
        out = []
        for i in range(0, len(raw) - 1, 2):
            plane, low = raw[i], raw[i + 1]
            if plane < 160:
                out.append(chr(0x20 + low % 95))
            elif plane < 200:
                out.append(chr(low))
            elif plane < 240:
                code = 0x100 + low * 211 + plane
                out.append(chr(code) if not 0xD800 <= code < 0xE000 else "\ufffd")
            else:
                out.append(chr(0x10000 + low * 4099 + plane))
        return "".join(out)

    def double(self) -> float:
        """A finite double: small integers and halves first, then any bit pattern (every
        exponent, subnormals included), since the finite doubles are what JSON can carry."""
        kind = self.choices.below(4)
        if kind == 0:
            return float(self.integer(-1000, 1000))
        if kind == 1:
            return float(self.integer(-(2**20), 2**20)) / float(2 ** self.integer(1, 60))
        bits = int.from_bytes(self.exact(8), "big")
        value = float(struct.unpack(">d", bits.to_bytes(8, "big"))[0])
        if not math.isfinite(value):
            return float(bits & 0xFFFF)
        return value
