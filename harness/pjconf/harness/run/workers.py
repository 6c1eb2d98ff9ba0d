"""``pjconf run -j N`` workers as processes: each holds one adapter and judges whole cases.

Why processes and not threads: most of a run's time is Python on the harness's side of a case
(a driven session's reference peer and checks, a fresh variant's expected values, which mean
driving the reference once more). Worker threads share one interpreter lock, so ``-j 4`` used one
core; a worker process uses its own. The parent keeps everything that decides a verdict's place
in the run (:class:`~pjconf.harness.run.parallel.OrderedPool`: the plan, the breaker, the
witness rule, the commit in corpus order). A worker only judges the cases it is sent, as the
same code would in a thread, so the verdicts are the same; only cases, twins and outcomes cross
the pipe.

Workers are forked (see :func:`_context`): a worker costs a fork, not an interpreter start and
its second of imports.

Stopping: :meth:`WorkerProcess.abort` sends the worker SIGTERM, on which it kills its adapter
(so the case in flight ends at once) and is sent nothing more. A worker ignores SIGINT (Ctrl-C
reaches the whole process group; the parent decides). A worker whose parent is gone exits, and
the watchdog of its client (:mod:`~pjconf.harness.implementations.watchdog`) removes what its
adapter left behind.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from pjconf.harness.corpus.load import Case
from pjconf.harness.implementations.client import Client, LineClient, Reply
from pjconf.harness.run.checker import Outcome, Verdict
from pjconf.harness.run.runner import judge_with_twin
from pjconf.protocol.wire import JsonObject

PRELOAD = [
    "pjconf.harness.cli.run",
    "pjconf.harness.run.workers",
    "pjconf.harness.vectorgen.sessions",
    "pjconf.harness.implementations.docker",  # skipped by the fork server without the extra
]
"""What the fork server imports once, so that no worker imports it again."""

CLOSE_GRACE = 20.0
"""Seconds a worker has to close its adapter (a container's removal) before it is killed."""
BUSY_GRACE = 2.0
"""Seconds :meth:`WorkerProcess.begin_close` waits for a request in flight to end."""
PARENT_POLL = 1.0
"""How often a worker checks that the harness that started it still lives (seconds)."""


class WorkerCannotStart(Exception):
    """The worker could not build its client (the ``--impl`` is wrong, no Docker, ...)."""


def _context() -> Any:
    """Fork when this process runs no other thread (the ``pjconf`` command starts its workers
    before any): a worker then costs a fork and no imports at all. Otherwise (a test calling
    :func:`~pjconf.harness.cli.main` inside a threaded runner) forking could copy a lock
    another thread holds; the fork server, one clean process started once, forks instead."""
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


class WorkerProcess:
    """One adapter of the implementation, in a worker process of its own.

    It is a :class:`~pjconf.harness.implementations.client.Client` for the odd single request
    (the run's ``hello``) and judges whole cases with :meth:`judge_case`, which
    :func:`~pjconf.harness.run.runner.run` prefers. One request at a time; any thread.
    """

    def __init__(self, factory: Callable[[], Client], *, name: str = "pjconf-worker") -> None:
        context = _context()
        self._conn, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(theirs, factory), name=name)
        self._process.start()
        theirs.close()
        self._lock = threading.Lock()
        self._started: str | None = None  # "" once ready, else why it could not start
        self._stopped = ""
        self._closing = False
        self.respawn = False
        """Whether the worker's adapter respawns on a crash (its hello said so)."""

    def ready(self) -> None:
        """Wait until the worker has its client; :class:`WorkerCannotStart` says why not."""
        with self._lock:
            self._await_start()
        if self._started:
            raise WorkerCannotStart(self._started)

    def _await_start(self) -> None:
        if self._started is not None:
            return
        try:
            first = self._conn.recv()
        except (EOFError, OSError):
            first = ("cannot-start", "the worker process exited while starting")
        self._started = "" if first[0] == "ready" else str(first[1])

    def _ask(self, message: tuple[Any, ...]) -> tuple[Any, ...]:
        """The worker's answer to ``message``; ``("gone", why)`` if it has none."""
        with self._lock:
            self._await_start()
            if self._started:
                return ("gone", f"the worker could not start: {self._started}")
            try:
                self._conn.send(message)
                answer: tuple[Any, ...] = self._conn.recv()
            except (EOFError, OSError) as exc:
                return ("gone", f"the worker process ended: {exc or 'no answer'}")
        if answer[0] == "failed":
            raise RuntimeError(f"a -j worker failed:\n{answer[1]}")
        return answer

    def call(self, op: str, args: JsonObject) -> Reply:
        if self._stopped:
            return Reply("malfunction", {"message": self._stopped})
        answer = self._ask(("call", op, args))
        if answer[0] != "reply":
            return Reply("malfunction", {"message": str(answer[1])})
        reply: Reply = answer[1]
        if op == "hello" and reply.kind == "result":
            self.respawn = reply.value.get("respawn") is True
        return reply

    def adopt_hello(self, hello: JsonObject) -> None:
        """Tell the worker's client what the run's hello announced (see
        :meth:`~pjconf.harness.implementations.client.LineClient.adopt_hello`)."""
        self._ask(("adopt", hello))
        self.respawn = hello.get("respawn") is True

    def judge_case(self, case: Case, twin: Case | None, unfinished: bool, seed: str) -> Outcome:
        if self._stopped:
            return Outcome(case, Verdict.ERROR, self._stopped)
        answer = self._ask(("judge", case, twin, unfinished, seed))
        if answer[0] != "outcome":
            return Outcome(case, Verdict.ERROR, str(answer[1]))
        outcome: Outcome = answer[1]
        return outcome

    def abort(self, reason: str) -> None:
        """Kill the worker's adapter now; every later request fails at once with ``reason``."""
        self._stopped = reason or "stopped"
        with contextlib.suppress(OSError):
            if self._process.pid is not None and self._process.exitcode is None:
                os.kill(self._process.pid, signal.SIGTERM)

    def begin_close(self) -> None:
        """Ask the worker to close its adapter and end, without waiting (:meth:`close` waits):
        closing several workers this way overlaps their adapters' removal."""
        if not self._lock.acquire(timeout=BUSY_GRACE):
            return  # still judging after an abort: close() ends the process instead
        try:
            if self._closing or self._process.exitcode is not None:
                return
            self._closing = True
            with contextlib.suppress(OSError, ValueError):
                self._conn.send(("close",))
        finally:
            self._lock.release()

    def close(self) -> None:
        """Close the worker's adapter (``shutdown``, then the kill) and end the worker."""
        self.begin_close()
        self._process.join(CLOSE_GRACE)
        if self._process.exitcode is None:
            self._process.kill()  # its client's watchdog removes what it leaves
            self._process.join()
        self._conn.close()


def _serve(conn: Connection, factory: Callable[[], Client]) -> None:
    """The worker's loop: build the client, then answer requests until ``close`` or EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        client = factory()
    except Exception as exc:  # the --impl cannot start: the parent says why
        conn.send(("cannot-start", str(exc)))
        return

    def on_term(signum: int, frame: object) -> None:
        abort = getattr(client, "abort", None)
        if callable(abort):
            abort("stopped")

    signal.signal(signal.SIGTERM, on_term)
    _exit_with_parent()
    conn.send(("ready",))
    try:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                break
            if message[0] == "close":
                break
            try:
                conn.send(_answer(client, message))
            except Exception:
                conn.send(("failed", traceback.format_exc()))
    finally:
        client.close()


def _answer(client: Client, message: tuple[Any, ...]) -> tuple[Any, ...]:
    kind = message[0]
    if kind == "call":
        return ("reply", client.call(message[1], message[2]))
    if kind == "adopt":
        if isinstance(client, LineClient):
            client.adopt_hello(message[1])
        return ("ok",)
    if kind == "judge":
        _, case, twin, unfinished, seed = message
        return ("outcome", judge_with_twin(client, case, twin, seed, unfinished=unfinished))
    raise ValueError(f"unknown worker request {kind!r}")


def _exit_with_parent() -> None:
    """End this worker once the process that started it is gone (it is reparented)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL)
        os._exit(1)

    threading.Thread(target=watch, name="pjconf-worker-parent", daemon=True).start()
