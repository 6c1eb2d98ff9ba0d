"""The OHTTP relay: ``POST /{gateway URL}`` forwarded to the one gateway it serves, no other.

payjoin 1.0 clients send every request to ``{relay}/{directory origin}/`` (``full_relay_url``)
with ``Content-Type: message/ohttp-req``; payjoin-mailroom's relay (``ohttp_relay/mod.rs``)
reads the gateway from that path, answers 400 for a path that names none, 405 for another
method, 415 for another content type, forwards the body to the gateway's RFC 9540 path
``/.well-known/ohttp-gateway`` and answers 502 when the gateway cannot be reached. Where the
mailroom relays to any gateway that opts in (its prober), this relay forwards to exactly one
origin and refuses the rest with 403 (a choice: a test relay must never be an open proxy).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

OHTTP_REQUEST_TYPE = "message/ohttp-req"
OHTTP_RESPONSE_TYPE = "message/ohttp-res"
RFC9540_GATEWAY_PATH = "/.well-known/ohttp-gateway"

_DEFAULT_PORTS = {"http": 80, "https": 443}
_LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@dataclass(frozen=True)
class Origin:
    """scheme, host (lower case, no brackets) and port of a URL: what the relay compares."""

    scheme: str
    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    def loopback_aliases(self) -> set[Origin]:
        """This origin under every loopback name, when it is a loopback origin."""
        if self.host not in _LOOPBACK:
            return {self}
        return {Origin(self.scheme, h, self.port) for h in ("127.0.0.1", "localhost", "::1")}


def origin_of(url: str) -> Origin | None:
    """The origin of an ``http(s)://`` URL; None for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return Origin(scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme])


def gateway_in_path(raw_path: str) -> Origin | None:
    """The gateway a relay request names: ``/http(s)://authority[/...]``; None if none."""
    target = raw_path[1:] if raw_path.startswith("/") else raw_path
    if not target.lower().startswith(("http://", "https://")):
        return None
    return origin_of(target)
