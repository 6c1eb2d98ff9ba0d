"""The harness's own clock: the date on its reports and the ``now`` it hands implementations.

An implementation's sense of time is part of what is judged, so the harness keeps a clock of its
own instead of borrowing the reference's; anything with ``now() -> int`` fits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    def now(self) -> int:
        """Seconds since the Unix epoch."""
        ...


@dataclass(frozen=True)
class FixedTime:
    """Always the same instant: reproducible reports, driven sessions at a chosen date."""

    at: int

    def now(self) -> int:
        return self.at


class WallTime:
    """The system's time."""

    def now(self) -> int:
        return int(time.time())
