"""The server process: bind, announce the port, serve until SIGTERM/SIGINT, stop cleanly.

Start: the store is opened (a store that cannot be opened ends the process with exit 2 before
anything listens), the socket bound, and one line ``listening http://HOST:PORT`` printed on
stdout (``--port 0`` lets the system choose; scripts read the port from that line).

Stop, on SIGTERM or SIGINT: the listening socket closes, every long poll is answered (202), the
requests in flight get ``shutdown_grace`` seconds to finish, idle connections are closed, the
store is checkpointed and closed, and the process exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import sys
import time
from collections.abc import Callable
from typing import TextIO

from aiohttp import web

from pjconf.reference.bip77.directory import Gateway
from pjconf.reference.entropy import SYSTEM_RANDOM, Clock, RandomSource, SystemClock
from pjconf.reference.server.app import Directory
from pjconf.reference.server.config import ServerConfig
from pjconf.reference.server.logs import Logger
from pjconf.reference.server.relay import Origin
from pjconf.reference.server.store import MailboxStore, StoreError

EXIT_OK = 0
EXIT_START_FAILED = 2


def serve(
    config: ServerConfig,
    *,
    rng: RandomSource = SYSTEM_RANDOM,
    clock: Clock | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Run the server until a signal stops it; the exit status."""
    out = stdout or sys.stdout

    def announce(url: str) -> None:
        print(f"listening {url}", file=out, flush=True)

    if config.workers > 1:
        from pjconf.reference.server.workers import serve_workers  # noqa: PLC0415

        return serve_workers(config, rng, clock or SystemClock(), announce)
    return asyncio.run(run_server(config, rng, clock or SystemClock(), announce))


def _socket(config: ServerConfig, *, listen: bool = True) -> socket.socket:
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if config.reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((config.host, config.port))
    if not listen:
        return sock
    sock.listen(4096)
    sock.setblocking(False)
    return sock


async def run_server(
    config: ServerConfig,
    rng: RandomSource,
    clock: Clock,
    announce: Callable[[str], None],
    *,
    stop: asyncio.Event | None = None,
    log_stream: TextIO | None = None,
    parent_fd: int | None = None,
) -> int:
    """Serve until ``stop`` is set (None: until SIGTERM/SIGINT); the exit status. ``announce``
    is called with the URL once connections are accepted. A worker is given ``parent_fd``, a
    pipe its parent holds open: end of file there (the parent died, even by kill -9) stops it."""
    log = Logger(config.log_format, time.time, log_stream)
    try:
        store = MailboxStore(config.store, clock, config.mailbox_ttl)
    except StoreError as e:
        log.event("start_failed", level="error", error=str(e))
        return EXIT_START_FAILED
    directory = Directory(config, Gateway(config.gateway_ikm), store, rng, log)
    server = web.Server(
        directory.handle,
        keepalive_timeout=config.idle_timeout,
        max_line_size=8190,
        max_field_size=8190,
        handler_cancellation=False,
        lingering_time=0,  # a refused body is never drained: the connection just closes
    )
    runner = web.ServerRunner(server, shutdown_timeout=config.shutdown_grace)
    await runner.setup()
    try:
        sock = _socket(config)
    except OSError as e:
        log.event("start_failed", level="error", error=f"cannot listen: {e}")
        store.close()
        await runner.cleanup()
        return EXIT_START_FAILED
    port = sock.getsockname()[1]
    directory.own = Origin("http", config.host.strip("[]").lower(), port).loopback_aliases()
    site = web.SockSite(runner, sock)
    await site.start()
    url = Origin("http", config.host, port).url
    announce(url)
    log.event("started", url=url, store=config.store or ":memory:", long_poll=config.long_poll)

    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    if parent_fd is not None:
        asyncio.get_running_loop().add_reader(parent_fd, stop.set)
    background = _background_tasks(directory)
    await stop.wait()
    if parent_fd is not None:
        asyncio.get_running_loop().remove_reader(parent_fd)

    log.event("stopping", in_flight=len(server.connections), long_polls=directory.waiters.held)
    await site.stop()
    directory.waiters.release_all()
    await _cancel(background)
    await runner.cleanup()
    await directory.close()
    status = EXIT_OK
    try:
        store.close()
    except StoreError as e:
        log.event("store_close_failed", level="error", error=str(e))
        status = EXIT_START_FAILED
    log.event("stopped")
    return status


def _background_tasks(directory: Directory) -> list[asyncio.Task[None]]:
    """Pruning, and with several workers the wake-ups of long polls from the shared store."""
    tasks = [asyncio.create_task(directory.prune_forever())]
    if directory.config.workers > 1:
        interval = directory.config.wake_interval
        tasks.append(asyncio.create_task(directory.wake_from_store_forever(interval)))
    return tasks


async def _cancel(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
