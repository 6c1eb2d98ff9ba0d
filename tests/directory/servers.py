"""Real directory servers on loopback for the tests: in a thread (fast), or as the
``pjconf directory serve`` process (for signals, kill -9 and the CLI itself)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from pjconf.reference.bip77.short_id import format_short_id
from pjconf.reference.entropy import SeededRandom, SystemClock
from pjconf.reference.server.client import SealedRequest, seal_mailbox_request
from pjconf.reference.server.config import ServerConfig
from pjconf.reference.server.run import run_server

SEED = "directory-tests"
IKM = hashlib.sha256(f"{SEED}/gateway".encode()).digest()
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Served:
    url: str
    logs: io.StringIO
    keys: bytes

    def seal(self, method: str, short: bytes, body: bytes = b"", seed: str = "c") -> SealedRequest:
        rng = SeededRandom(f"{seed}/{method}/{short.hex()}/{len(body)}")
        return seal_mailbox_request(self.keys, self.url, method, short, body, rng=rng)


def http(
    url: str, body: bytes | None = None, headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, dict[str, str], bytes]:
    """One request; status, headers and body, HTTP errors included."""
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def gateway(served: Served, sealed: SealedRequest, path: str = "/") -> tuple[int, bytes]:
    """POST a sealed request to the gateway; the inner status and body (outer must be 200)."""
    status, headers, answer = http(
        served.url + path, sealed.body, {"Content-Type": "message/ohttp-req"}
    )
    assert status == 200, (status, answer[:200])
    assert headers["Content-Type"] == "message/ohttp-res"
    assert len(answer) == 8192
    return sealed.open(answer)


@contextmanager
def thread_server(**settings: object) -> Iterator[Served]:
    """The server in a thread of this process, stopped (as a signal would) on exit."""
    config = replace(ServerConfig(gateway_ikm=IKM, long_poll=0.0), **settings)  # type: ignore[arg-type]
    logs = io.StringIO()
    ready: list[str] = []
    started = threading.Event()
    loop_box: list[asyncio.AbstractEventLoop] = []
    stop_box: list[asyncio.Event] = []
    status: list[int] = []

    async def main() -> None:
        loop_box.append(asyncio.get_running_loop())
        stop = asyncio.Event()
        stop_box.append(stop)

        def announce(url: str) -> None:
            ready.append(url)
            started.set()

        status.append(
            await run_server(
                config, SeededRandom(SEED), SystemClock(), announce, stop=stop, log_stream=logs
            )
        )
        started.set()

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    assert started.wait(10), "the server did not start"
    assert ready, f"the server did not start: {logs.getvalue()}"
    url = ready[0]
    _, _, keys = http(url + "/.well-known/ohttp-gateway")
    try:
        yield Served(url, logs, keys)
    finally:
        loop_box[0].call_soon_threadsafe(stop_box[0].set)
        thread.join(15)
        assert not thread.is_alive(), "the server did not stop"
        assert status == [0]


@dataclass
class Process:
    proc: subprocess.Popen[str]
    served: Served

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 15) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(timeout)


def start_process(*args: str) -> Process:
    """``pjconf directory serve`` as a child process; waits for its ``listening`` line."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pjconf.harness", "directory", "serve", "--seed", SEED, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("listening "):
        proc.kill()
        raise AssertionError(
            f"no listening line: {line!r} {proc.stderr.read() if proc.stderr else ''}"
        )
    url = line.split()[1]
    _, _, keys = http(url + "/.well-known/ohttp-gateway")
    return Process(proc, Served(url, io.StringIO(), keys))


def mailbox(n: int) -> bytes:
    """A ShortId for test mailbox ``n``."""
    return hashlib.sha256(f"mailbox {n}".encode()).digest()[:8]


__all__ = ["format_short_id"]
