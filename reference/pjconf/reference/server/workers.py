"""Several server processes on one port: ``pjconf directory serve --workers N``.

Why: a request costs the server a few hundred microseconds of Python (ECDH, HPKE, BHTTP,
aiohttp) and one process runs on one core; N workers use N cores.

How:

- the parent binds the port once with ``SO_REUSEPORT`` without listening (which resolves
  ``--port 0``), then forks the workers; each binds its own listening socket to that port (the
  kernel spreads new connections over them) and serves exactly as the single process does, on
  the same SQLite store file (WAL: readers never wait, each POST is one short write);
- a long poll held by one worker on a mailbox another worker is POSTed to is woken by the
  holder's look at the store's new rows every ``wake_interval`` (20 ms;
  :meth:`~.app.Directory.wake_from_store_forever`). Chosen over a notification channel between
  workers because the store is already what they share: nothing else to keep alive or to lose
  when a worker dies, one indexed query per worker per look; the price is up to one interval of
  latency for a wake-up across workers;
- the parent prints ``listening URL`` once every worker listens. On SIGTERM or SIGINT it sends
  SIGTERM to each worker, which stops as the single process does (long polls answered, requests
  in flight finished, store closed), and exits 0 when every worker stopped cleanly. A worker
  that cannot start stops the others (exit 2); one that dies otherwise too (exit 1);
- a worker whose parent is gone, even by kill -9, sees end of file on a pipe the parent held
  and stops cleanly, so no orphan keeps the port. Nothing committed is lost either way (WAL).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from types import FrameType

from pjconf.reference.entropy import Clock, RandomSource, SeededRandom
from pjconf.reference.server.config import ServerConfig
from pjconf.reference.server.logs import Logger
from pjconf.reference.server.relay import Origin
from pjconf.reference.server.run import EXIT_OK, EXIT_START_FAILED, _socket, run_server
from pjconf.reference.server.store import MailboxStore, StoreError

EXIT_WORKER_DIED = 1


def serve_workers(
    config: ServerConfig, rng: RandomSource, clock: Clock, announce: Callable[[str], None]
) -> int:
    """Fork ``config.workers`` servers on one port; serve until a signal; the exit status."""
    log = Logger(config.log_format, time.time)
    if config.store is None:
        log.event("start_failed", level="error", error="several workers need a --store file")
        return EXIT_START_FAILED
    try:  # created (schema, WAL mode) once here: workers doing it at once would lock each other
        MailboxStore(config.store, clock, config.mailbox_ttl).close()
    except StoreError as e:
        log.event("start_failed", level="error", error=str(e))
        return EXIT_START_FAILED
    try:
        reservation = _socket(replace(config, reuse_port=True), listen=False)
    except OSError as e:
        log.event("start_failed", level="error", error=f"cannot listen: {e}")
        return EXIT_START_FAILED
    port = reservation.getsockname()[1]
    worker_config = replace(config, port=port, reuse_port=True)
    ready_r, ready_w = os.pipe()
    alive_r, alive_w = os.pipe()
    pids: list[int] = []
    for index in range(config.workers):
        pid = os.fork()
        if pid == 0:
            reservation.close()
            os.close(ready_r)
            os.close(alive_w)
            _worker(worker_config, worker_rng(rng, index), clock, ready_w, alive_r)
        pids.append(pid)
    os.close(ready_w)
    os.close(alive_r)
    parent = _Parent(pids)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, parent.on_signal)
    started = _count_ready(ready_r, config.workers)
    reservation.close()
    if started == config.workers:
        announce(Origin("http", config.host, port).url)
    else:
        parent.stop()
    status = parent.wait()
    os.close(alive_w)
    if started != config.workers:
        return EXIT_START_FAILED
    return status


def worker_rng(rng: RandomSource, index: int) -> RandomSource:
    """Each worker's own stream: a seeded source would otherwise repeat itself in every fork
    (the system source reseeds itself after a fork)."""
    return rng.child(f"worker-{index}") if isinstance(rng, SeededRandom) else rng


def _worker(
    config: ServerConfig, rng: RandomSource, clock: Clock, ready_fd: int, parent_fd: int
) -> None:
    """A forked worker: serve, then leave the process without returning into the parent's code."""

    def ready(url: str) -> None:
        os.write(ready_fd, b".")
        os.close(ready_fd)

    status = EXIT_WORKER_DIED
    try:
        status = asyncio.run(run_server(config, rng, clock, ready, parent_fd=parent_fd))
    except BaseException:  # a forked child must never unwind into its parent's code
        traceback.print_exc()
    finally:
        sys.stderr.flush()
        os._exit(status)


def _count_ready(ready_fd: int, expected: int) -> int:
    """How many workers said they listen, before all had or the last one gave up."""
    count = 0
    while count < expected:
        chunk = os.read(ready_fd, expected)
        if not chunk:
            break
        count += len(chunk)
    os.close(ready_fd)
    return count


class _Parent:
    """The parent's bookkeeping: live workers, whether it is stopping, the exit status."""

    def __init__(self, pids: list[int]) -> None:
        self.live = set(pids)
        self.stopping = False
        self.status = EXIT_OK

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopping = True
        for pid in self.live:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def wait(self) -> int:
        """Reap every worker; one ending before the stop stops the rest."""
        while self.live:
            pid, wait_status = os.wait()
            self.live.discard(pid)
            code = os.waitstatus_to_exitcode(wait_status)
            if code != EXIT_OK or not self.stopping:
                self.status = EXIT_WORKER_DIED
                if not self.stopping:
                    self.stop()
        return self.status
