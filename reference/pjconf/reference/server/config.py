"""What ``pjconf directory serve`` is told: one frozen record, defaults as payjoin-mailroom's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pjconf.reference.bip77.ohttp import ENCAPSULATED_MESSAGE_BYTES

LogFormat = Literal["json", "text"]

DEFAULT_LONG_POLL = 30.0
"""Seconds a GET on an empty mailbox waits: payjoin-mailroom's ``timeout`` default (config.rs)."""
DEFAULT_MAILBOX_TTL = 7 * 24 * 3600.0
"""Seconds a mailbox lives: payjoin-mailroom's ``mailbox_ttl`` default, one week (config.rs)."""
DEFAULT_IDLE_TIMEOUT = 15.0
"""Seconds a connection may sit without a whole request head (a choice: slowloris defence)."""
DEFAULT_BODY_TIMEOUT = 10.0
"""Seconds a request body may take to arrive in full (a choice: slow-body defence)."""
MAX_GATEWAY_BODY = ENCAPSULATED_MESSAGE_BYTES
"""The largest body the gateway and relay read: BIP 77 requests are exactly 8192 bytes."""
DEFAULT_MAX_WAITERS = 10_000
"""Long polls held at once before more are answered 503 (a choice; the mailroom bounds its
mailboxes, ~2e6, not its waiters)."""

DEFAULT_WAKE_INTERVAL = 0.02
"""A choice: a long poll held by one worker answers at most this much later than the POST taken
by another; each look is one indexed query per worker, 50 a second."""


@dataclass(frozen=True)
class ServerConfig:
    """Everything the server needs; the CLI builds it from its flags."""

    gateway_ikm: bytes
    """The seed of the gateway key (``--seed`` or ``--key-file``)."""
    host: str = "127.0.0.1"
    port: int = 0
    store: str | None = None
    """SQLite file of the mailboxes; None keeps them in memory."""
    long_poll: float = DEFAULT_LONG_POLL
    mailbox_ttl: float = DEFAULT_MAILBOX_TTL
    relay_only_to: str | None = None
    """The one gateway the relay forwards to; None: this server's own gateway."""
    log_format: LogFormat = "json"
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    max_waiters: int = DEFAULT_MAX_WAITERS
    shutdown_grace: float = 10.0
    """Seconds in-flight requests get to finish after SIGTERM/SIGINT."""
    reuse_port: bool = False
    """Bind with SO_REUSEPORT so several worker processes can share the port."""
    workers: int = 1
    """Server processes sharing the port (SO_REUSEPORT) and the store file (:mod:`.workers`)."""
    wake_interval: float = DEFAULT_WAKE_INTERVAL
    """With several workers: seconds between a worker's looks at the store for mailboxes
    another worker was POSTed to, whose long polls it holds."""
