"""The hostile clients of ``pjconf directory bench --hostile``, over raw sockets.

Each kind is what a directory on the open internet meets: connections that never send a byte
(held open throughout), slowloris heads (a header line a byte at a time), bodies declared far
over the 8192-byte limit, a chunked body that never ends, a body that trickles, and well-sized
bodies that are not OHTTP. The honest clients run alongside (in :mod:`.bench`); here each
hostile request's fate is recorded: the status it got and how long that took, or that the server
closed the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from pjconf.harness.implementations.reference import SeededRandom

GATEWAY_PATH = "/.well-known/ohttp-gateway"
Attack = Callable[[], Awaitable[tuple[int | None, float]]]
WAIT = 15.0
"""Seconds a hostile request is given to be refused before it counts as not refused."""


class Crowd:
    """Idle connections held for the life of the context, and :meth:`attack` for the rest."""

    def __init__(self, base: str, idle: int, rng: SeededRandom) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.idle_count, self.rng = idle, rng.child("hostile")
        self.idle: list[asyncio.StreamWriter] = []
        self.idle_refused = 0

    async def __aenter__(self) -> Crowd:
        for _ in range(self.idle_count):
            try:
                _, writer = await asyncio.open_connection(self.host, self.port)
            except OSError:
                self.idle_refused += 1
                continue
            self.idle.append(writer)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for writer in self.idle:
            writer.close()
        for writer in self.idle:
            with contextlib.suppress(OSError, ConnectionError):
                await writer.wait_closed()

    async def _post(self, *framing: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A connection with the head of a gateway POST sent, ``framing`` its body headers."""
        reader, writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"POST {GATEWAY_PATH} HTTP/1.1", f"Host: {self.host}", *framing]
        lines.append("Content-Type: message/ohttp-req")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await writer.drain()
        return reader, writer

    async def _status(self, reader: asyncio.StreamReader) -> int | None:
        """The status of the answer, or None when the server closed without one."""
        with contextlib.suppress(ValueError, IndexError, ConnectionError):
            line = await reader.readline()
            return int(line.split()[1]) if line else None
        return None

    async def _send(
        self, framing: tuple[str, ...], first: bytes, more: bytes = b"", every: float = 0.0
    ) -> tuple[int | None, float]:
        """POST ``first``, then ``more`` every ``every`` seconds (when given) until the server
        answers or hangs up; the status (None: no answer within :data:`WAIT`) and how long."""
        started = time.perf_counter()
        reader, writer = await self._post(*framing)
        answer = asyncio.ensure_future(self._status(reader))
        try:
            with contextlib.suppress(ConnectionError):
                writer.write(first)
            async with asyncio.timeout(WAIT):
                while more and not answer.done():
                    await asyncio.sleep(every)
                    writer.write(more)
                    await writer.drain()
                status = await answer
        except (TimeoutError, ConnectionError):
            status = answer.result() if answer.done() else None
        finally:
            answer.cancel()
            writer.close()
        return status, time.perf_counter() - started

    async def oversized(self) -> tuple[int | None, float]:
        """Content-Length of 100 MB, 64 KiB sent, then wait for the answer."""
        return await self._send(("Content-Length: 100000000",), bytes(65536))

    async def chunked_forever(self) -> tuple[int | None, float]:
        """A chunked body that keeps coming until the server answers or hangs up."""
        chunk = b"4000\r\n" + bytes(0x4000) + b"\r\n"
        return await self._send(("Transfer-Encoding: chunked",), chunk, chunk, every=0.01)

    async def slow_body(self) -> tuple[int | None, float]:
        """8192 bytes declared, 100 sent, then one byte a second."""
        return await self._send(("Content-Length: 8192",), bytes(100), b"\x00", every=1.0)

    async def slowloris(self) -> tuple[int | None, float]:
        """A request head a byte every half second: how long until the server hangs up."""
        started = time.perf_counter()
        reader, writer = await asyncio.open_connection(self.host, self.port)
        closed = asyncio.ensure_future(reader.read(1))
        head = f"GET /health HTTP/1.1\r\nHost: {self.host}\r\nX-Slow: ".encode()
        try:
            async with asyncio.timeout(WAIT + 30):
                writer.write(head)
                while not closed.done():
                    await asyncio.sleep(0.5)
                    writer.write(b"a")
                    with contextlib.suppress(ConnectionError):
                        await writer.drain()
            status = None
        except (TimeoutError, ConnectionError):
            status = -1 if not closed.done() else None
        finally:
            closed.cancel()
            writer.close()
        return status, time.perf_counter() - started

    async def malformed(self) -> tuple[int | None, float]:
        """An 8192-byte body that is no OHTTP request."""
        framing = ("Content-Length: 8192", "Connection: close")
        return await self._send(framing, self.rng.random_bytes(8192))

    async def attack(self) -> dict[str, Any]:
        """Every kind at once; each kind's statuses and slowest answer, and what went unrefused."""
        kinds: dict[str, tuple[Attack, int, set[int | None]]] = {
            "oversized_content_length": (self.oversized, 20, {413}),
            "chunked_without_end": (self.chunked_forever, 10, {413}),
            "slow_body": (self.slow_body, 20, {408, 400}),
            "slowloris": (self.slowloris, 20, {None, 408, 400}),
            "malformed_ohttp": (self.malformed, 200, {400}),
        }
        tasks = {
            name: [asyncio.ensure_future(make()) for _ in range(count)]
            for name, (make, count, _) in kinds.items()
        }
        outcome: dict[str, Any] = {}
        not_refused: list[str] = []
        for name, futures in tasks.items():
            results = await asyncio.gather(*futures, return_exceptions=True)
            statuses: dict[str, int] = {}
            slowest = 0.0
            for result in results:
                key = "error" if isinstance(result, BaseException) else str(result[0])
                statuses[key] = statuses.get(key, 0) + 1
                if not isinstance(result, BaseException):
                    slowest = max(slowest, result[1])
            outcome[name] = {"statuses": statuses, "slowest_seconds": round(slowest, 2)}
            expected = {str(s) for s in kinds[name][2]}
            wrong = sum(n for key, n in statuses.items() if key not in expected)
            if wrong:
                not_refused.append(f"{name}: {wrong} of {len(results)} not refused as expected")
        outcome["idle_connections"] = {
            "opened": len(self.idle),
            "refused_at_connect": self.idle_refused,
        }
        outcome["not_refused"] = not_refused
        return outcome
