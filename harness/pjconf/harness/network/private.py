"""A private Docker network and the locked-down long-running containers the harness starts on it.

The network is ``--internal``: its containers reach each other (by container name, through
Docker's embedded DNS) and the host's address on the bridge, and nothing else. Docker publishes no
ports for an internal network, so the host reaches a container at its address on the bridge,
which only the host routes to. Every container runs with a read-only root, every capability
dropped, no privilege escalation and limits on memory and processes; state lives in named volumes.

The network, its volumes and its containers all carry one session id under
:data:`~pjconf.harness.implementations.docker.SESSION_LABEL`, and the harness's
:class:`~pjconf.harness.implementations.watchdog.Watchdog` is told that label before anything is
created: a harness killed outright (SIGKILL included) still leaves nothing behind, and a normal
exit or Ctrl-C removes everything through :meth:`PrivateNetwork.close`.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import docker.errors

from pjconf.harness.implementations.docker import SESSION_LABEL, DockerUnavailable, image_present
from pjconf.harness.implementations.docker import engine as docker_engine
from pjconf.harness.implementations.watchdog import Watchdog

ROLE_LABEL = "org.pjconf.network-role"
"""What a container, volume or network is for (``mailroom-directory``, ``payjoin-cli``...)."""


class NetworkError(Exception):
    """The network or one of its containers could not be set up; the message says which."""


@dataclass(frozen=True)
class Lockdown:
    """Limits of one container (memory includes swap: none is allowed)."""

    memory: str = "256m"
    pids: int = 128


@dataclass
class PrivateNetwork:
    """One ``--internal`` network with its containers and volumes (a context manager).

    ``session`` names everything created (a fresh random id unless given, for reproducible
    names in a test).
    """

    session: str = field(default_factory=lambda: uuid.uuid4().hex)
    engine: Any = None
    _network: Any = field(default=None, init=False)
    _containers: list[Any] = field(default_factory=list, init=False)
    _volumes: list[Any] = field(default_factory=list, init=False)
    _watchdog: Watchdog = field(default_factory=Watchdog, init=False)

    @property
    def label(self) -> str:
        """``key=value``: the label on everything of this network."""
        return f"{SESSION_LABEL}={self.session}"

    @property
    def name(self) -> str:
        return f"pjconf-{self.session[:12]}"

    def open(self) -> Self:
        if self.engine is None:
            self.engine = docker_engine()
        # The watchdog first: a harness killed while creating still gets everything removed.
        self._watchdog.guard_label(self.label)
        self._network = self.engine.networks.create(
            self.name,
            driver="bridge",
            internal=True,
            labels={SESSION_LABEL: self.session, ROLE_LABEL: "network"},
        )
        return self

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _ipam(self, key: str) -> str:
        network = self._require_network()
        network.reload()
        for config in network.attrs.get("IPAM", {}).get("Config") or []:
            value = config.get(key)
            if value:
                return str(value)
        raise NetworkError(f"network {self.name} has no {key}")

    @property
    def gateway(self) -> str:
        """The host's address on this network: where a host service listens for containers
        (bitcoind's RPC, bound there and on loopback only)."""
        return self._ipam("Gateway")

    @property
    def subnet(self) -> str:
        """The network's addresses, CIDR (what a host service allows in)."""
        return self._ipam("Subnet")

    def _require_network(self) -> Any:
        if self._network is None:
            raise NetworkError("the private network is not open")
        return self._network

    def volume(self, role: str) -> str:
        """A new named volume for ``role``'s state; its name."""
        self._require_network()
        name = f"{self.name}-{role}"
        created = self.engine.volumes.create(
            name=name, labels={SESSION_LABEL: self.session, ROLE_LABEL: role}
        )
        self._volumes.append(created)
        return name

    def container_name(self, role: str) -> str:
        """The name (and DNS name on this network) of ``role``'s container."""
        return f"{self.name}-{role}"

    def start(
        self,
        image: str,
        role: str,
        command: list[str] | None = None,
        *,
        volumes: dict[str, str] | None = None,
        read_only_binds: dict[str, str] | None = None,
        environment: dict[str, str] | None = None,
        lockdown: Lockdown | None = None,
        name: str | None = None,
    ) -> Any:
        """Start ``image`` detached and locked down on this network.

        ``volumes`` maps a volume name to its mount point (read-write); ``read_only_binds`` maps
        a host path to its mount point. The container is removed by :meth:`close` (or the
        watchdog), not when it exits, so that its output and exit status can still be read.
        """
        self._require_network()
        lockdown = lockdown or Lockdown()
        if not image_present(self.engine, image):
            raise DockerUnavailable(
                f"image {image!r} is not built here (no registry is used: build it locally with "
                "bash ci/build-payjoin-programs.sh)"
            )
        mounts = {volume: {"bind": path, "mode": "rw"} for volume, path in (volumes or {}).items()}
        mounts |= {
            host: {"bind": path, "mode": "ro"} for host, path in (read_only_binds or {}).items()
        }
        container = self.engine.containers.run(
            image,
            command,
            name=name or self.container_name(role),
            detach=True,
            network=self.name,
            read_only=True,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            mem_limit=lockdown.memory,
            memswap_limit=lockdown.memory,
            pids_limit=lockdown.pids,
            volumes=mounts,
            environment=environment or {},
            labels={SESSION_LABEL: self.session, ROLE_LABEL: role},
        )
        self._containers.append(container)
        return container

    def address_of(self, container: Any) -> str:
        """``container``'s address on this network (the host reaches it there)."""
        container.reload()
        networks = container.attrs.get("NetworkSettings", {}).get("Networks", {})
        address = (networks.get(self.name) or {}).get("IPAddress")
        if not address:
            raise NetworkError(f"container {container.name} has no address on {self.name}")
        return str(address)

    def remove(self, container: Any) -> None:
        """Remove one container now (it is also forgotten by :meth:`close`)."""
        with contextlib.suppress(docker.errors.APIError):
            container.remove(force=True)
        with contextlib.suppress(ValueError):
            self._containers.remove(container)

    def close(self) -> None:
        """Remove the containers, then the volumes and the network; safe to call twice."""
        try:
            for container in self._containers:
                with contextlib.suppress(docker.errors.APIError):
                    container.remove(force=True)
            self._containers.clear()
            for volume in self._volumes:
                with contextlib.suppress(docker.errors.APIError):
                    volume.remove(force=True)
            self._volumes.clear()
            if self._network is not None:
                with contextlib.suppress(docker.errors.APIError):
                    self._network.remove()
                self._network = None
        finally:
            # The sidecar's last check removes whatever carries the label and is still there.
            self._watchdog.close()
