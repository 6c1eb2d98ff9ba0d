"""The progress of ``pjconf run`` on stderr, for a terminal and for a log.

On a terminal, :class:`ProgressLine`: one line rewritten in place with ``\\r``, off when the
caller turns it off (``-q``, or ``--json -`` where stdout carries the report); redraws are
throttled so a fast in-process run does not spend its time writing to the terminal. Anywhere
else (CI logs, pipes), :class:`ProgressLog`: plain lines at a steady pace, off with ``-q``.
"""

from __future__ import annotations

import shutil
import threading
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


class ProgressLog:
    """Plain progress lines for a log that is no terminal (CI), where ``\\r`` redraws show
    nothing until the job ends: a line when each family starts and ends, and one every
    ``interval`` seconds between (also while a case is waiting on the adapter, through
    :meth:`tick`), so a slow or stuck run is visible as it happens::

        [pjconf] replay: 342 cases
        [pjconf] replay 120/342 PASS 119 ERROR 1 (12.3s)
        [pjconf] replay done 342/342 PASS 341 ERROR 1 (15.0s)

    Counts are the family's; the time is since the run started. Off on a terminal (the
    :class:`ProgressLine` is there) and with ``-q``. Safe to call from two threads (the runner
    reports cases, the main thread ticks).
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        enabled: bool = True,
        interval: float = 10.0,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self.enabled = enabled and not _is_tty(stream)
        self._interval = interval
        self._now = now
        self._lock = threading.Lock()
        self._started = now()
        self._last = self._started
        self._family = ""
        self._total = 0
        self._done = 0
        self._counts: dict[Verdict, int] = {}

    def family(self, name: str, total: int) -> None:
        """A family starts: close the previous one's line, announce this one."""
        with self._lock:
            self._end("done")
            self._family, self._total, self._done = name, total, 0
            self._counts = dict.fromkeys(Verdict, 0)
            self._write(f"{name}: {total} case{'s' if total != 1 else ''}")

    def update(self, done: int, total: int, outcome: Outcome) -> None:
        """Count one case; write a line if ``interval`` has passed since the last one."""
        with self._lock:
            self._done += 1
            self._counts[outcome.verdict] = self._counts.get(outcome.verdict, 0) + 1
            self._due()

    def tick(self) -> None:
        """Nothing finished, but time passed: write a line if one is due."""
        with self._lock:
            self._due()

    def finish(self, how: str = "done") -> None:
        """The run ended (``done``) or was stopped (say ``stopped``): the last family's line."""
        with self._lock:
            self._end(how)

    def _due(self) -> None:
        if self._family and self._now() - self._last >= self._interval:
            self._write(self._status(""))

    def _end(self, how: str) -> None:
        if self._family:
            self._write(self._status(f" {how}"))
            self._family = ""

    def _status(self, how: str) -> str:
        counts = " ".join(f"{v.value} {n}" for v, n in self._counts.items() if n)
        return f"{self._family}{how} {self._done}/{self._total} {counts}".rstrip() + (
            f" ({self._now() - self._started:.1f}s)"
        )

    def _write(self, text: str) -> None:
        self._last = self._now()
        if self.enabled:
            self._stream.write(f"[pjconf] {text}\n")
            self._stream.flush()
