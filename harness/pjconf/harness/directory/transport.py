"""A real directory over HTTP as the session driver's :class:`~pjconf.harness.sessions.driver.
Directory`: each request is POSTed to the relay as payjoin 1.0 sends it, the answer read back.

Blocking standard-library HTTP (``urllib``), one request at a time, as the driver moves one step
at a time; nothing here needs aiohttp. Works against ``pjconf directory serve`` (its relay and
gateway in one process) and against any directory with a relay in front of it.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass, field

from pjconf.harness.implementations.reference import Exchange
from pjconf.harness.sessions.driver import relay_url

KEYS_PATH = "/.well-known/ohttp-gateway"
OHTTP_REQUEST_TYPE = "message/ohttp-req"
MAX_ANSWER = 1 << 16


class DirectoryUnreachable(Exception):
    """The directory or relay did not answer with HTTP at all (refused, reset, timed out)."""


def fetch_keys(directory: str, timeout: float = 10.0) -> bytes:
    """The gateway's key configuration from ``GET {directory}/.well-known/ohttp-gateway``."""
    url = directory.rstrip("/") + KEYS_PATH
    request = urllib.request.Request(url, headers={"Accept": "application/ohttp-keys"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return bytes(answer.read(MAX_ANSWER))
    except (urllib.error.URLError, OSError) as e:
        raise DirectoryUnreachable(f"GET {url}: {e}") from None


@dataclass
class HttpDirectory:
    """Sends a driven session's requests to ``relay`` for ``directory``; keeps each exchange."""

    directory: str
    relay: str
    ohttp_keys: bytes
    timeout: float = 60.0
    exchanges: list[Exchange] = field(default_factory=list)

    @classmethod
    def connect(cls, directory: str, relay: str | None = None) -> HttpDirectory:
        """Fetch the keys; the relay defaults to the directory itself (pjconf's server is both)."""
        return cls(directory, relay or directory, fetch_keys(directory))

    def handle(self, request: bytes, *, label: str = "") -> bytes:
        url = relay_url(self.relay, self.directory)
        post = urllib.request.Request(
            url, data=request, method="POST", headers={"Content-Type": OHTTP_REQUEST_TYPE}
        )
        try:
            with urllib.request.urlopen(post, timeout=self.timeout) as answer:
                status, body = answer.status, bytes(answer.read(MAX_ANSWER))
        except urllib.error.HTTPError as e:
            status, body = e.code, bytes(e.read(MAX_ANSWER))
        except (urllib.error.URLError, OSError) as e:
            raise DirectoryUnreachable(f"POST {url}: {e}") from None
        self.exchanges.append(Exchange(len(self.exchanges), label, request, body, status))
        return body
