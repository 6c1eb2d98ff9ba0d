"""Running the cases so that the run can be stopped cleanly: a signal, or a deadline.

CI kills a job that runs too long (SIGTERM, then SIGKILL), and a person presses Ctrl-C (SIGINT).
Either used to end ``pjconf run`` with a traceback and no report at all. Here the work runs in a
thread while the main thread waits: a signal (or the deadline passing) only sets :class:`Stop`;
the main thread then aborts the implementation (its pending request returns at once), gives
the runner a moment to notice, and the caller writes the partial reports. No exception is thrown
into the middle of whatever the runner was doing, which is what a signal handler that raises
(``KeyboardInterrupt``) would do.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TypeVar

T = TypeVar("T")

POLL = 0.1
"""How often the waiting main thread looks at the clock and the stop flag (seconds)."""
GRACE = 5.0
"""How long a stopped run may take to notice, after its implementation was aborted."""
STOPPING_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stop:
    """Whether, and why, the run must stop: triggered once (the first reason wins), or by
    itself once ``deadline`` (a ``time.monotonic()`` instant) has passed; read from any
    thread."""

    def __init__(self, deadline: float | None = None, *, deadline_reason: str = "deadline") -> None:
        self.reason = ""
        self._event = threading.Event()
        self._lock = threading.RLock()  # re-entrant: a signal handler may run inside trigger()
        self._deadline = deadline
        self._deadline_reason = deadline_reason

    def trigger(self, reason: str) -> None:
        with self._lock:
            if not self._event.is_set():
                self.reason = reason
                self._event.set()

    def __call__(self) -> bool:
        if self._deadline is not None and time.monotonic() >= self._deadline:
            self.trigger(self._deadline_reason)
        return self._event.is_set()


@contextmanager
def signals_stop(stop: Stop) -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM trigger ``stop`` (their name is the reason)
    instead of ending the process; the previous handlers come back afterwards. Off the main
    thread (where Python allows no handler) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.trigger(signal.Signals(signum).name)

    previous = {sig: signal.getsignal(sig) for sig in STOPPING_SIGNALS}
    for sig in STOPPING_SIGNALS:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def supervise(
    work: Callable[[], T],
    stop: Stop,
    *,
    abort: Callable[[str], None] = lambda reason: None,
    tick: Callable[[], None] = lambda: None,
    grace: float = GRACE,
) -> T | None:
    """``work()`` run in a thread, or ``None`` when ``stop`` was triggered (by a signal, or
    its deadline) before it finished.

    On a stop, ``abort(reason)`` is called (it should make the work's pending I/O return) and
    the work gets ``grace`` seconds to end; one that does not is left behind (a daemon thread).
    ``tick`` is called every :data:`POLL` seconds while waiting. An exception raised by
    ``work`` is raised here.
    """
    done: list[T] = []
    failed: list[BaseException] = []

    def target() -> None:
        try:
            done.append(work())
        except BaseException as exc:  # handed to the main thread, raised there
            failed.append(exc)

    thread = threading.Thread(target=target, name="pjconf-run", daemon=True)
    thread.start()
    while thread.is_alive() and not stop():
        thread.join(POLL)
        tick()
    if stop():
        abort(stop.reason)
        thread.join(grace)
    if failed:
        raise failed[0]
    return None if stop() or not done else done[0]
