"""A payjoin network: payjoin-mailroom as the BIP 77 directory and as the OHTTP relay.

Two mailroom containers run on one :class:`~pjconf.harness.network.private.PrivateNetwork`, each
with its own storage volume (its OHTTP keys and mailboxes): one serves as the directory, the other
as the OHTTP relay in front of it. Two, because a mailroom refuses to relay to its own directory
(it tags what it forwards and rejects a request carrying its own tag, a self-loop guard), and a
client's relay and directory must differ anyway for OHTTP to hide anything.

The image has no shell or HTTP client, so Docker's ``HEALTHCHECK`` cannot be used; the harness
polls each mailroom's ``GET /health`` from the host until it answers 200.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from pjconf.harness.network.private import Lockdown, NetworkError, PrivateNetwork

MAILROOM_IMAGE = "pjconf/payjoin-mailroom:0.1.3"
MAILROOM_PORT = 8080  # the image's PJ_LISTENER
OHTTP_GATEWAY_PATH = "/.well-known/ohttp-gateway"  # RFC 9540: the gateway's keys, by GET
OHTTP_KEYS_MEDIA_TYPE = "application/ohttp-keys"
MAILROOM_LOCKDOWN = Lockdown(memory="128m", pids=64)  # it idles at a few MiB


class MailroomUnhealthy(NetworkError):
    """A mailroom did not answer ``/health`` in time; the message carries its log's tail."""


@dataclass(frozen=True)
class MailroomUrls:
    """Where the directory and the relay answer, as one kind of client sees them."""

    directory: str
    relay: str


@dataclass
class PayjoinNetwork:
    """A private network with a mailroom directory and a mailroom relay (a context manager).

    ``inside`` are the URLs containers on the network use; ``host`` the ones a client on the
    host uses (the containers' bridge addresses; only the host routes there).
    """

    image: str = MAILROOM_IMAGE
    health_timeout: float = 30.0
    long_poll_seconds: int | None = None
    """How long the directory holds a poll of an empty mailbox before answering 202 (the
    mailroom's ``timeout``, 30 s by default); a test waiting for "no answer yet" sets it low."""
    lockdown: Lockdown = MAILROOM_LOCKDOWN
    private: PrivateNetwork | None = None

    def __post_init__(self) -> None:
        self._inside: MailroomUrls | None = None
        self._host: MailroomUrls | None = None
        self._containers: dict[str, Any] = {}

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> Self:
        if self.private is None:
            self.private = PrivateNetwork()
        network = self.private.open()
        try:
            inside, host = {}, {}
            environment = {"RUST_LOG": "info", "NO_COLOR": "1"}
            if self.long_poll_seconds is not None:
                environment["PJ_TIMEOUT"] = str(self.long_poll_seconds)
            for role in ("directory", "relay"):
                volume = network.volume(f"mailroom-{role}")
                container = network.start(
                    self.image,
                    f"mailroom-{role}",
                    volumes={volume: "/data"},
                    environment=environment,
                    lockdown=self.lockdown,
                )
                self._containers[role] = container
                inside[role] = (
                    f"http://{network.container_name(f'mailroom-{role}')}:{MAILROOM_PORT}"
                )
                host[role] = f"http://{network.address_of(container)}:{MAILROOM_PORT}"
            for role, container in self._containers.items():
                self._wait_healthy(role, container, host[role])
            self._inside = MailroomUrls(**inside)
            self._host = MailroomUrls(**host)
        except BaseException:
            self.close()
            raise
        return self

    def _wait_healthy(self, role: str, container: Any, url: str) -> None:
        deadline = time.monotonic() + self.health_timeout
        delay = 0.05
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            container.reload()
            if container.status == "exited" or time.monotonic() > deadline:
                tail = container.logs(tail=20).decode("utf-8", "replace")
                raise MailroomUnhealthy(
                    f"mailroom {role} ({container.name}, {container.status}) did not answer "
                    f"{url}/health within {self.health_timeout}s:\n{tail}"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    @property
    def network(self) -> PrivateNetwork:
        if self.private is None:
            raise NetworkError("the payjoin network is not started")
        return self.private

    @property
    def inside(self) -> MailroomUrls:
        if self._inside is None:
            raise NetworkError("the payjoin network is not started")
        return self._inside

    @property
    def host(self) -> MailroomUrls:
        if self._host is None:
            raise NetworkError("the payjoin network is not started")
        return self._host

    def container(self, role: str) -> Any:
        """The ``directory`` or ``relay`` container (for its logs)."""
        return self._containers[role]

    def directory_ohttp_keys(self) -> bytes:
        """The directory's OHTTP key configuration, fetched by the host over the bridge.

        payjoin-cli fetches keys through its relay with an HTTP forward proxy request; over plain
        HTTP a mailroom relay answers such a GET from its own directory, so the client would get
        the relay's keys, not the directory's. The harness hands the receiver these instead.
        """
        request = urllib.request.Request(
            f"{self.host.directory}{OHTTP_GATEWAY_PATH}",
            headers={"Accept": OHTTP_KEYS_MEDIA_TYPE},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            body: bytes = answer.read()
        if not body:
            raise NetworkError(f"the directory at {self.host.directory} served no OHTTP keys")
        return body

    def close(self) -> None:
        self._containers.clear()
        if self.private is not None:
            self.private.close()
