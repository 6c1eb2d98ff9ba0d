"""The live progress line of ``pjconf run``: one stderr line rewritten in place with ``\\r``.

Only for people watching a terminal: it is off when the stream is not a TTY (CI logs, pipes) and
when the caller turns it off (``-q``, or ``--json -`` where stdout carries the report). Redraws
are throttled so a fast in-process run does not spend its time writing to the terminal.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import TextIO

from pjconf.harness.run.checker import Outcome, Verdict


class ProgressLine:
    """``family  done/total  PASS n FAIL n ...``, counts over the whole run so far."""

    def __init__(
        self,
        stream: TextIO,
        *,
        enabled: bool = True,
        interval: float = 0.1,
        now: Callable[[], float] = time.monotonic,
        width: int | None = None,
    ) -> None:
        self._stream = stream
        self.enabled = enabled and _is_tty(stream)
        self._interval = interval
        self._now = now
        self._width = width or shutil.get_terminal_size(fallback=(80, 24)).columns
        self._counts: dict[Verdict, int] = dict.fromkeys(Verdict, 0)
        self._last_draw: float | None = None
        self._last_family = ""
        self._drawn = 0

    def update(self, done: int, total: int, outcome: Outcome) -> None:
        """Count ``outcome`` and redraw if the family changed, it is the last case, or the
        interval has passed since the last redraw."""
        self._counts[outcome.verdict] += 1
        if not self.enabled:
            return
        family = outcome.case.family
        moment = self._now()
        due = self._last_draw is None or moment - self._last_draw >= self._interval
        if due or family != self._last_family or done == total:
            self._draw(self.render(family, done, total))
            self._last_draw = moment
            self._last_family = family

    def render(self, family: str, done: int, total: int) -> str:
        counts = "  ".join(
            f"{v.value} {n}"
            for v, n in self._counts.items()
            if n or v in (Verdict.PASS, Verdict.FAIL)
        )
        text = f"{family:<16} {done}/{total}  {counts}"
        return text[: max(self._width - 1, 1)]

    def _draw(self, text: str) -> None:
        self._stream.write("\r" + text + " " * max(self._drawn - len(text), 0))
        self._stream.flush()
        self._drawn = len(text)

    def clear(self) -> None:
        """Erase the line, so the report that follows starts on a clean line."""
        if self.enabled and self._drawn:
            self._stream.write("\r" + " " * self._drawn + "\r")
            self._stream.flush()
            self._drawn = 0


def _is_tty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
