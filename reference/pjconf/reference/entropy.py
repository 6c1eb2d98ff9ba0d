"""Injectable randomness and clock.

Nothing in the reference calls ``os.urandom`` or ``time.time`` directly: it asks a
:class:`RandomSource` or a :class:`Clock`. Production code gets the system ones; vector
generation and tests get :class:`SeededRandom` and :class:`FixedClock`, so the same seed gives
byte-identical output on every machine.
"""

from __future__ import annotations

import hashlib
import os
import time
from typing import Protocol


class RandomSource(Protocol):
    """Where every random byte comes from."""

    def random_bytes(self, n: int) -> bytes:
        """Return ``n`` fresh random bytes."""
        ...


class Clock(Protocol):
    """Where every reading of the current time comes from."""

    def now(self) -> int:
        """Current time as integer Unix seconds."""
        ...


class SystemRandom:
    """The operating system's CSPRNG."""

    def random_bytes(self, n: int) -> bytes:
        return os.urandom(n)


class SeededRandom:
    """A deterministic byte stream for vectors and tests. Not for real keys.

    Block ``i`` of the stream is ``SHA-256("pjconf/seeded-random/v1" || len(seed) || seed ||
    i as 8 bytes big-endian)``. The definition is fixed: changing it would change every
    generated vector. :meth:`child` derives an independent stream, so that adding a draw in one
    place does not shift the bytes drawn elsewhere.
    """

    _DOMAIN = b"pjconf/seeded-random/v1"

    def __init__(self, seed: bytes | int | str) -> None:
        if isinstance(seed, int):
            seed = seed.to_bytes(max(1, (seed.bit_length() + 7) // 8), "big")
        elif isinstance(seed, str):
            seed = seed.encode()
        self._prefix = self._DOMAIN + len(seed).to_bytes(4, "big") + seed
        self._block = 0
        self._buffer = b""

    def random_bytes(self, n: int) -> bytes:
        while len(self._buffer) < n:
            block = hashlib.sha256(self._prefix + self._block.to_bytes(8, "big")).digest()
            self._buffer += block
            self._block += 1
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    def child(self, label: str) -> SeededRandom:
        """An independent stream named by ``label``, unaffected by draws on this one."""
        return SeededRandom(hashlib.sha256(self._prefix + b"/child/" + label.encode()).digest())


class SystemClock:
    """Wall-clock time."""

    def now(self) -> int:
        return int(time.time())


class FixedClock:
    """A clock that reads what it is told; :meth:`advance` moves it forward."""

    def __init__(self, now: int) -> None:
        self._now = now

    def now(self) -> int:
        return self._now

    def advance(self, seconds: int) -> None:
        self._now += seconds
