"""A sidecar that cleans up after the harness even when the harness is killed outright.

The harness kills what it starts (adapter process groups, containers) on every timeout,
malfunction and exit, but a harness that is SIGKILLed (a CI job cancelled, the OOM killer) runs
no cleanup at all, and an adapter busy computing, or one that ignores the end of its input, then
runs on: a process in its own session, or a container the Docker daemon keeps alive.

So the first adapter a client starts also starts this sidecar, ``python -m
pjconf.harness.implementations.watchdog``, in a session of its own (a signal to the harness's
process group does not reach it). The harness tells it, one line each on the sidecar's stdin,
what to clean up: ``group <pgid>`` (an adapter's process group), ``ungroup <pgid>`` (already
killed), ``label <key>=<value>`` (containers carrying that Docker label, then the networks and
volumes carrying it, which only a removed container no longer holds). The sidecar only reads;
when its stdin reaches end of file, which the kernel makes happen the moment the harness dies,
however it dies, it SIGKILLs every group still listed, removes every container carrying a listed
label, and exits. Detecting the death by the pipe, not by polling a pid, cannot be fooled by pid
reuse and costs nothing while the harness lives; a normal exit closes the pipe too, which makes
the sidecar check (and find nothing left).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from typing import IO


class Watchdog:
    """The harness's end: starts the sidecar on first use and tells it what to clean up."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sidecar: subprocess.Popen[bytes] | None = None

    def guard_group(self, pgid: int) -> None:
        """Kill process group ``pgid`` if the harness dies before :meth:`release_group`."""
        self._tell(f"group {pgid}")

    def release_group(self, pgid: int) -> None:
        """The harness killed group ``pgid`` itself (its id may now be reused)."""
        self._tell(f"ungroup {pgid}", start=False)

    def guard_label(self, label: str) -> None:
        """Remove the containers, then networks and volumes, labelled ``key=value`` if the
        harness dies."""
        self._tell(f"label {label}")

    def close(self) -> None:
        """The harness is done: the sidecar makes its final check and exits."""
        with self._lock:
            sidecar, self._sidecar = self._sidecar, None
        if sidecar is None:
            return
        _close_quietly(sidecar.stdin)
        with contextlib.suppress(subprocess.TimeoutExpired):
            sidecar.wait(timeout=10)

    def _tell(self, line: str, *, start: bool = True) -> None:
        with self._lock:
            if self._sidecar is None:
                if not start:
                    return
                self._sidecar = _start_sidecar()
            pipe = self._sidecar.stdin
            if pipe is None:
                return
            try:
                pipe.write(line.encode() + b"\n")
                pipe.flush()
            except OSError:
                pass  # the sidecar is gone; the harness's own cleanup still runs


def _start_sidecar() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", __name__],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _close_quietly(pipe: IO[bytes] | None) -> None:
    if pipe is not None:
        with contextlib.suppress(OSError):
            pipe.close()


# --- the sidecar ---------------------------------------------------------------------------------


def _watch(orders: IO[bytes]) -> tuple[set[int], set[str]]:
    """Read orders until end of file; what is still to clean up then."""
    groups: set[int] = set()
    labels: set[str] = set()
    for raw in orders:
        verb, _, argument = raw.decode("utf-8", "replace").strip().partition(" ")
        if verb == "group" and argument.isdigit():
            groups.add(int(argument))
        elif verb == "ungroup" and argument.isdigit():
            groups.discard(int(argument))
        elif verb == "label" and "=" in argument:
            labels.add(argument)
    return groups, labels


def _kill_groups(groups: set[int]) -> None:
    for pgid in groups:
        with contextlib.suppress(OSError):
            os.killpg(pgid, signal.SIGKILL)


def _remove_containers(labels: set[str]) -> None:
    """Remove the labelled containers first: a network or volume in use cannot be removed."""
    if not labels:
        return
    try:
        # Only a sidecar with containers to remove pays for importing the Docker client.
        import docker  # noqa: PLC0415
        import docker.errors  # noqa: PLC0415

        engine = docker.from_env()
        for label in labels:
            for container in engine.containers.list(all=True, filters={"label": label}):
                with contextlib.suppress(docker.errors.APIError):
                    container.remove(force=True, v=True)
        for label in labels:
            for network in engine.networks.list(filters={"label": label}):
                with contextlib.suppress(docker.errors.APIError):
                    network.remove()
            for volume in engine.volumes.list(filters={"label": label}):
                with contextlib.suppress(docker.errors.APIError):
                    volume.remove(force=True)
    except Exception:  # no engine, no package: nothing this sidecar can still do
        return


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # only the end of its input ends it
    groups, labels = _watch(sys.stdin.buffer)
    _kill_groups(groups)
    _remove_containers(labels)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
