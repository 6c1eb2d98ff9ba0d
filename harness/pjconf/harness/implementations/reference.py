"""The reference, as the harness may use it: the only module outside the vector generators and the
regtest kit that imports ``pjconf.reference`` (tests/test_architecture.py holds it to that).

The harness meets the reference in three ways, all listed here:

- as an implementation: ``--impl reference`` (the default) and ``pjconf shim`` run the reference's
  adapter, which answers the protocol like any other (:func:`reference_client`, :func:`serve`,
  :func:`serve_supervised`);
- as the peer in ``sessions`` cases, playing the role the implementation under test does not;
- as the world of a driven session: the directory stand-in with its fault knobs
  (:class:`Mailbox`, :class:`Status`, :class:`WrongSize`, :class:`Corrupt`) and the two seeded
  test wallets that make, answer for and sign the payment (:class:`Payment`);
- as the source of a whole session's inputs for ``pjconf bench`` (:func:`session_whole_args`:
  the seeded payment as the ``session.whole`` op takes it);
- as a real directory server: ``pjconf directory serve`` runs the reference's server
  (:func:`serve_directory`, :class:`ServerConfig`), and the benchmark and tests seal mailbox
  requests to any directory with the reference's client side (:func:`seal_mailbox_request`);
  the ``directory`` conformance family seals its requests and reads key configurations the
  same way (:func:`seal_target_request`, :func:`usable_key_config`).

Everything else in the harness (running cases, judging answers, reports) sees implementations
only through the adapter protocol.
"""

from __future__ import annotations

import hashlib
import sys
from typing import BinaryIO, TextIO, cast

from pjconf.harness.implementations.client import Client, Handles, InProcessClient, Reply, classify
from pjconf.protocol.wire import JsonObject, Request
from pjconf.reference.adapter import serve as _serve
from pjconf.reference.adapter import supervise as _supervise
from pjconf.reference.adapter.crafted_proposal import Tamper, tampered_proposals
from pjconf.reference.adapter.crafted_reply import edge_reply_bodies, reply_bodies, seal_reply
from pjconf.reference.adapter.crafted_sender import (
    UTXO_ACCEPTED_BODIES,
    CraftedBody,
    CraftedSender,
    accepted_bodies,
    crafted_bodies,
    undecodable_bodies,
    utxo_bodies,
)
from pjconf.reference.adapter.ops import IMPLEMENTATION, reference_adapter
from pjconf.reference.adapter.payment import (
    MIXED_SENDER_INPUTS,
    SENDER_INPUT_KINDS,
    Payment,
    WalletRefusal,
    payment,
    receiver_contribution,
    sender_payment,
)
from pjconf.reference.adapter.session_whole import OP as SESSION_WHOLE
from pjconf.reference.adapter.session_whole import payment_args
from pjconf.reference.bip77.directory import Corrupt, Exchange, Mailbox, Status, WrongSize
from pjconf.reference.bip77.short_id import format_short_id, short_id
from pjconf.reference.entropy import SYSTEM_RANDOM, RandomSource, SeededRandom
from pjconf.reference.errors import PjconfError
from pjconf.reference.server.client import (
    SealedRequest,
    seal_mailbox_request,
    seal_target_request,
    usable_key_config,
)
from pjconf.reference.server.config import LogFormat, ServerConfig

__all__ = [
    "IMPLEMENTATION",
    "MIXED_SENDER_INPUTS",
    "SENDER_INPUT_KINDS",
    "SESSION_WHOLE",
    "UTXO_ACCEPTED_BODIES",
    "Corrupt",
    "CraftedBody",
    "CraftedSender",
    "DirectoryExtraMissing",
    "Exchange",
    "LogFormat",
    "Mailbox",
    "Payment",
    "PjconfError",
    "RandomSource",
    "SealedRequest",
    "SeededRandom",
    "ServerConfig",
    "Status",
    "Tamper",
    "WalletRefusal",
    "WrongSize",
    "accepted_bodies",
    "crafted_bodies",
    "directory_rng",
    "edge_reply_bodies",
    "format_short_id",
    "payment",
    "receiver_contribution",
    "reference_builder",
    "reference_client",
    "reply_bodies",
    "seal_mailbox_request",
    "seal_reply",
    "seal_target_request",
    "sender_payment",
    "serve",
    "serve_directory",
    "session_whole_args",
    "short_id",
    "tampered_proposals",
    "undecodable_bodies",
    "usable_key_config",
    "utxo_bodies",
]


def reference_client(seed: str | None = None) -> InProcessClient:
    """The reference's adapter in this process; with ``seed``, every random draw reproducible."""
    return InProcessClient(reference_adapter(seed))


def reference_builder(seed: str) -> Client:
    """The reference's adapter called directly, without the JSON round trip of
    :func:`reference_client`: for building inputs (``pjconf fuzz`` strategies seal, encode and
    sign through it), never for judging, where the wire form is the point."""
    return _DirectClient(reference_adapter(seed))


class _DirectClient:
    def __init__(self, adapter: Handles) -> None:
        self._adapter = adapter
        self._next_id = 0

    def call(self, op: str, args: JsonObject) -> Reply:
        self._next_id += 1
        return classify(self._adapter.handle(Request(self._next_id, op, args)), self._next_id)

    def close(self) -> None:
        return None


def serve(seed: str | None, stdin: BinaryIO | TextIO, stdout: BinaryIO | TextIO) -> int:
    """``pjconf shim``: the reference's adapter on stdin/stdout, one JSON line each way."""
    return _serve.serve(reference_adapter(seed), stdin, stdout)


def serve_supervised(seed: str | None, stdin: BinaryIO | TextIO, stdout: BinaryIO | TextIO) -> int:
    """``pjconf shim --supervise``: ``pjconf shim`` in a child process that ``pjconf.respawn``
    kills and replaces (the respawn extension, offered by the reference like by any adapter)."""
    child = [sys.executable, "-m", "pjconf.harness", "shim", *(["--seed", seed] if seed else [])]
    source = cast(BinaryIO, getattr(stdin, "buffer", stdin))
    sink = cast(BinaryIO, getattr(stdout, "buffer", stdout))
    return _supervise.supervise(child, source, sink)


def session_whole_args(seed: str) -> JsonObject:
    """The ``session.whole`` arguments of the payment seeded by ``seed`` (its gateway IKM is
    ``sha256(seed + "/gateway")``): the same bytes on every run, for any implementation."""
    return payment_args(payment(seed), hashlib.sha256(f"{seed}/gateway".encode()).digest())


class DirectoryExtraMissing(Exception):
    """``pjconf directory serve`` without aiohttp (the ``directory`` extra)."""


def directory_rng(seed: str | None) -> RandomSource:
    """Seeded randomness for a directory's answers (``--seed``), else the system's."""
    return SYSTEM_RANDOM if seed is None else SeededRandom(f"{seed}/directory")


def serve_directory(config: ServerConfig, *, seed: str | None = None) -> int:
    """``pjconf directory serve``: the reference's directory server until a signal; exit status.

    The server is imported here, not above, so that the rest of pjconf runs without aiohttp."""
    try:
        from pjconf.reference.server.run import serve  # noqa: PLC0415
    except ImportError as e:
        raise DirectoryExtraMissing(str(e)) from None
    return serve(config, rng=directory_rng(seed))
