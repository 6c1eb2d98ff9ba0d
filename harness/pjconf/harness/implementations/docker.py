"""Adapters in Docker containers (``--impl docker:<image>``), through the ``docker`` package.

Each container runs locked down: no network, a read-only root, every capability dropped, no
privilege escalation, and limits on memory and processes. The harness enforces the per-request
timeout (:class:`~pjconf.harness.implementations.client.LineClient`) and replaces a container that
crashed, hung or broke the protocol; a replaced container is removed, never left behind, and a
watchdog removes the client's containers even when the harness is killed outright.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import docker
import docker.errors

from pjconf.harness.implementations.client import LineClient
from pjconf.harness.implementations.pump import LineQueue
from pjconf.harness.implementations.watchdog import Watchdog
from pjconf.protocol.limits import DEFAULT_LIMITS, Limits
from pjconf.protocol.lines import CHUNK


class DockerUnavailable(Exception):
    """No Docker engine answers, or the image is not built; the message says which."""


@dataclass(frozen=True)
class ContainerLimits:
    memory: str = "256m"
    pids: int = 64


SESSION_LABEL = "org.pjconf.session"
"""Every container of one :class:`DockerClient` carries its session id under this label."""

_STDOUT, _STDERR = 1, 2
_FRAME_HEADER = struct.Struct(">BxxxL")  # stream type, 3 zero bytes, payload length


class _DockerChannel:
    """One container: its attached stdin/stdout, with Docker's stream frames undone."""

    def __init__(
        self,
        engine: Any,
        image: str,
        limits: ContainerLimits,
        session: str,
        lines: Limits,
        *,
        reaper: ThreadPoolExecutor | None = None,
    ) -> None:
        self._reaper = reaper
        api = engine.api  # the low-level API: the high-level one cannot set StdinOnce
        host_config = api.create_host_config(
            network_mode="none",
            read_only=True,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            mem_limit=limits.memory,
            memswap_limit=limits.memory,
            pids_limit=limits.pids,
            # auto_remove deletes the container once it stops (see stdin_once below).
            auto_remove=True,
        )
        # The raw Engine API config: docker-py has no argument for StdinOnce. If the harness
        # dies, its attach socket closes; StdinOnce turns that into EOF for the adapter, which
        # then exits if it is reading. One that is not (busy, or deaf to EOF) is removed by the
        # client's watchdog.
        created = api.create_container_from_config(
            {
                "Image": image,
                "OpenStdin": True,
                "StdinOnce": True,
                "AttachStdin": True,
                "AttachStdout": True,
                "AttachStderr": True,
                "Tty": False,
                "Labels": {"org.pjconf.adapter": image, SESSION_LABEL: session},
                "HostConfig": host_config,
            }
        )
        self._container = engine.containers.get(created["Id"])
        attached = self._container.attach_socket(
            params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
        )
        self._socket: socket.socket = attached._sock  # the raw socket under docker-py's wrapper
        self.lines = LineQueue(lines.max_line_bytes)
        self._container.start()
        threading.Thread(target=self._pump, daemon=True).start()

    def _read_exactly(self, size: int) -> bytes | None:
        """A frame header: a few bytes, or ``None`` at the end of the stream."""
        chunks = bytearray()
        while len(chunks) < size:
            chunk = self._socket.recv(size - len(chunks))
            if not chunk:
                return None
            chunks += chunk
        return bytes(chunks)

    def _payload(self, size: int) -> Iterator[bytes]:
        """A frame's payload in chunks: the size is the adapter's word, so it is never
        buffered whole (a frame may claim gigabytes)."""
        while size > 0:
            chunk = self._socket.recv(min(size, CHUNK))
            if not chunk:
                raise EOFError
            size -= len(chunk)
            yield chunk

    def _pump(self) -> None:
        try:
            while (header := self._read_exactly(_FRAME_HEADER.size)) is not None:
                stream, size = _FRAME_HEADER.unpack(header)
                for chunk in self._payload(size):
                    if stream == _STDERR:
                        if os.environ.get("PJCONF_ADAPTER_STDERR"):
                            sys.stderr.write(chunk.decode("utf-8", "replace"))
                    elif not self.lines.feed(chunk):
                        return
        except (OSError, EOFError):
            pass
        self.lines.end()

    def send(self, line: bytes) -> None:
        self._socket.sendall(line)

    def kill(self) -> None:
        """Cut the adapter off now; the container is removed here, or by the reaper (which
        its client waits for when it closes) so that a crash-resume case does not wait."""
        self.lines.close()
        try:
            self._socket.close()
        finally:
            if self._reaper is None:
                self._remove()
            else:
                try:
                    self._reaper.submit(self._remove)
                except RuntimeError:  # the reaper is shut down: remove it here
                    self._remove()

    def _remove(self) -> None:
        with contextlib.suppress(docker.errors.APIError):  # already gone, or going
            self._container.remove(force=True)
        self._wait_until_removed()

    def _wait_until_removed(self, timeout: float = 10.0) -> None:
        """auto_remove may still be deleting the container: wait (boundedly) until it has."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self._container.reload()
            except docker.errors.NotFound:
                return
            except docker.errors.APIError:
                pass
            time.sleep(0.05)


def engine() -> Any:
    """The local Docker engine, or :class:`DockerUnavailable`."""
    try:
        client = docker.from_env()
        client.ping()
    except docker.errors.DockerException as exc:
        raise DockerUnavailable(f"no Docker engine answers: {exc}") from None
    return client


def image_present(client: Any, image: str) -> bool:
    try:
        client.images.get(image)
    except docker.errors.ImageNotFound:
        return False
    return True


class DockerClient(LineClient):
    """An adapter image run as a container per session of requests.

    Every container carries this client's :data:`SESSION_LABEL`; a
    :class:`~pjconf.harness.implementations.watchdog.Watchdog` removes the labelled containers
    if the harness dies without doing so itself. StdinOnce alone (below) stops only an adapter
    that is reading its input; one busy computing, or one that ignores the end of its input,
    would run on inside the daemon.
    """

    def __init__(
        self,
        image: str,
        *,
        timeout: float = 10.0,
        limits: ContainerLimits | None = None,
        lines: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.image = image
        self._engine = engine()
        if not image_present(self._engine, image):
            raise DockerUnavailable(
                f"image {image!r} is not built here (no registry is used: build it locally, "
                "e.g. ci/build-rust-payjoin.sh)"
            )
        chosen = limits or ContainerLimits()
        self.session = uuid.uuid4().hex
        self._watchdog = Watchdog()
        self._reaper = ThreadPoolExecutor(2, thread_name_prefix="pjconf-docker-remove")
        self._starter = ThreadPoolExecutor(1, thread_name_prefix="pjconf-docker-spare")
        self._spare: Future[_DockerChannel] | None = None
        self._spare_lock = threading.Lock()
        self.containers_started = 0
        """Containers this client started (warm spares among them): one for a whole run
        when the image's adapter respawns in place (``respawn`` in its hello)."""
        super().__init__(lambda: self._start(chosen, lines), timeout=timeout, limits=lines)

    def _new_channel(self, limits: ContainerLimits, lines: Limits) -> _DockerChannel:
        with self._spare_lock:
            self.containers_started += 1
        return _DockerChannel(
            self._engine, self.image, limits, self.session, lines, reaper=self._reaper
        )

    def _start(self, limits: ContainerLimits, lines: Limits) -> _DockerChannel:
        """A started container: the warm spare if there is one, else a new one. From the first
        restart on (a crash-resume case restarts the adapter at every persistence point), the
        next container is started in the background while this one serves: a ``docker run``
        costs a quarter of a second, far more than the requests between two crashes."""
        self._watchdog.guard_label(f"{SESSION_LABEL}={self.session}")
        with self._spare_lock:
            spare, self._spare = self._spare, None
        channel = None
        if spare is not None:
            with contextlib.suppress(Exception):  # a spare that failed: start one here
                channel = spare.result()
        if channel is None:
            channel = self._new_channel(limits, lines)
        if self.restarts:
            with self._spare_lock, contextlib.suppress(RuntimeError):  # shut down: no spare
                self._spare = self._starter.submit(self._new_channel, limits, lines)
        return channel

    def close(self) -> None:
        super().close()
        with self._spare_lock:
            spare, self._spare = self._spare, None
        self._starter.shutdown(wait=True)
        if spare is not None:
            with contextlib.suppress(Exception):
                spare.result().kill()
        self._reaper.shutdown(wait=True)
        self._watchdog.close()
