"""Uniform draws from an injectable :class:`RandomSource` (payjoin uses ``thread_rng``).

Only the distribution matches rust-payjoin, not the stream: ChaCha ``thread_rng`` draws cannot be
reproduced, and the receiver's output shuffle and input positions need only be uniform.
"""

from __future__ import annotations

from typing import TypeVar

from pjconf.reference.entropy import RandomSource

T = TypeVar("T")


def below(rng: RandomSource, n: int) -> int:
    """A uniform integer in ``[0, n)`` by rejection sampling on 64-bit draws."""
    if n <= 0:
        raise ValueError("empty range")
    limit = (2**64 // n) * n
    while True:
        draw = int.from_bytes(rng.random_bytes(8), "big")
        if draw < limit:
            return draw % n


def coin(rng: RandomSource) -> bool:
    """``gen_bool(0.5)``."""
    return bool(rng.random_bytes(1)[0] & 1)


def shuffle(rng: RandomSource, items: list[T]) -> None:
    """Fisher-Yates from the end, as ``SliceRandom::shuffle``."""
    for i in range(len(items) - 1, 0, -1):
        j = below(rng, i + 1)
        items[i], items[j] = items[j], items[i]


def interleave_shuffle(rng: RandomSource, original: list[T], new: list[T]) -> list[T]:
    """Shuffle ``new``, then merge it into ``original`` keeping ``original``'s order.

    A coin is tossed only while both lists have items left, as payjoin's loop short-circuits.
    """
    new = list(new)
    shuffle(rng, new)
    out: list[T] = []
    i = j = 0
    while i < len(original) or j < len(new):
        if i < len(original) and (j >= len(new) or coin(rng)):
            out.append(original[i])
            i += 1
        else:
            out.append(new[j])
            j += 1
    return out
