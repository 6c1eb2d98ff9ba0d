"""payjoin-cli (the rust-payjoin project's wallet client) as a party on a payjoin network.

Each party is one wallet of a bitcoind and one named volume holding payjoin-cli's session
database (``/data/payjoin.sqlite``, its working directory), so a session started by one command
(``send``) can be taken up by a later one (``cancel``, ``resume``). Every command is its own
locked-down container on the private network; the configuration goes on the command line, so no
config file is needed.
"""

from __future__ import annotations

import contextlib
import re
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker.errors
import requests.exceptions

from pjconf.harness.network.mailroom import PayjoinNetwork
from pjconf.harness.network.private import Lockdown, NetworkError

PAYJOIN_CLI_IMAGE = "pjconf/payjoin-cli:1.0.0"
CLI_LOCKDOWN = Lockdown(memory="128m", pids=64)
_KEYS_MOUNT = "/keys"
_SESSION_LINE = re.compile(r"^\[(?:Sender|Receiver)\s+(?P<id>[0-9A-Za-z-]+)\]", re.MULTILINE)


class PayjoinCliError(NetworkError):
    """A payjoin-cli command did not do what was waited for; the message carries its output."""


@dataclass(frozen=True)
class BitcoindRpc:
    """A bitcoind's RPC as a container on the network reaches it (``http://host:port``)."""

    url: str
    user: str
    password: str


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    output: str


class CliRun:
    """One running payjoin-cli command (its container)."""

    def __init__(self, container: Any, argv: list[str], network: PayjoinNetwork) -> None:
        self.container = container
        self.argv = argv
        self._network = network

    def output(self) -> str:
        """Everything it printed so far, stdout and stderr."""
        logs: bytes = self.container.logs(stdout=True, stderr=True)
        return logs.decode("utf-8", "replace")

    def wait_for(self, predicate: Callable[[str], bool], timeout: float, what: str) -> str:
        """Its output once ``predicate`` holds for it; :class:`PayjoinCliError` after
        ``timeout`` seconds or when it exits first."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.output()
            if predicate(text):
                return text
            self.container.reload()
            if self.container.status == "exited":
                raise PayjoinCliError(f"payjoin-cli exited before {what}:\n{self.output()}")
            if time.monotonic() > deadline:
                raise PayjoinCliError(f"no {what} within {timeout}s:\n{text}")
            time.sleep(0.2)

    def wait(self, timeout: float) -> CliResult:
        """Its exit status and output; :class:`PayjoinCliError` when it runs past ``timeout``."""
        try:
            status = self.container.wait(timeout=timeout)
        except (requests.exceptions.ConnectionError, requests.exceptions.ReadTimeout):
            raise PayjoinCliError(
                f"payjoin-cli {' '.join(self.argv)} still ran after {timeout}s:\n{self.output()}"
            ) from None
        return CliResult(int(status.get("StatusCode", -1)), self.output())

    def interrupt(self, timeout: float = 10.0) -> CliResult:
        """Ctrl-C (SIGINT: payjoin-cli saves the session and stops) and wait for the exit."""
        with contextlib.suppress(docker.errors.APIError):  # already exited
            self.container.kill(signal=int(signal.SIGINT))
        return self.wait(timeout)


@dataclass
class PayjoinCli:
    """One party: a bitcoind wallet and a payjoin-cli session database on ``network``."""

    network: PayjoinNetwork
    role: str
    rpc: BitcoindRpc
    wallet: str
    image: str = PAYJOIN_CLI_IMAGE
    lockdown: Lockdown = CLI_LOCKDOWN

    def __post_init__(self) -> None:
        self._volume = self.network.network.volume(f"payjoin-cli-{self.role}")
        self._keys_dir: tempfile.TemporaryDirectory[str] | None = None
        self._runs = 0

    def use_ohttp_keys(self, keys: bytes) -> None:
        """Hand the client these OHTTP keys (read-only, at ``/keys/ohttp-keys``) instead of
        letting it fetch them through the relay (see
        :meth:`~pjconf.harness.network.mailroom.PayjoinNetwork.directory_ohttp_keys`)."""
        self._keys_dir = tempfile.TemporaryDirectory(prefix="pjconf-ohttp-keys-")
        path = Path(self._keys_dir.name) / "ohttp-keys"
        path.write_bytes(keys)
        path.chmod(0o644)
        Path(self._keys_dir.name).chmod(0o755)

    def _global_args(self) -> list[str]:
        args = [
            "--rpchost",
            f"{self.rpc.url}/wallet/{self.wallet}",
            "--rpcuser",
            self.rpc.user,
            "--rpcpassword",
            self.rpc.password,
            "--ohttp-relays",
            self.network.inside.relay,
            "--pj-directories",
            self.network.inside.directory,
        ]
        if self._keys_dir is not None:
            args += ["--ohttp-keys", f"{_KEYS_MOUNT}/ohttp-keys"]
        return args

    def start(self, *command: str) -> CliRun:
        """Start ``payjoin-cli <global options> <command...>`` in a new container."""
        argv = [*self._global_args(), *command]
        self._runs += 1
        binds = {self._keys_dir.name: _KEYS_MOUNT} if self._keys_dir is not None else {}
        container = self.network.network.start(
            self.image,
            f"payjoin-cli-{self.role}",
            argv,
            name=self.network.network.container_name(f"payjoin-cli-{self.role}-{self._runs}"),
            volumes={self._volume: "/data"},
            read_only_binds=binds,
            environment={"HOME": "/data", "RUST_LOG": "info", "NO_COLOR": "1"},
            lockdown=self.lockdown,
        )
        return CliRun(container, list(command), self.network)

    def run(self, *command: str, timeout: float = 60.0) -> CliResult:
        """Run a command to its end."""
        return self.start(*command).wait(timeout)

    def close(self) -> None:
        if self._keys_dir is not None:
            self._keys_dir.cleanup()
            self._keys_dir = None


def session_id(output: str) -> str:
    """The session id payjoin-cli prints as ``[Sender   <id>] ...``; :class:`PayjoinCliError`
    when there is none."""
    found = _SESSION_LINE.search(output)
    if found is None:
        raise PayjoinCliError(f"no session id in payjoin-cli's output:\n{output}")
    return found.group("id")


def payjoin_uri(output: str) -> str:
    """The ``bitcoin:`` URI a receiver printed (the line that is only the URI)."""
    for line in output.splitlines():
        stripped = line.strip()
        if stripped.lower().startswith("bitcoin:") and "pj=" in stripped.lower():
            return stripped
    raise PayjoinCliError(f"no bitcoin: URI with pj= in payjoin-cli's output:\n{output}")
