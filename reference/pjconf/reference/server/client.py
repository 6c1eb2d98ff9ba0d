"""A BIP 77 client's side of one mailbox request, sans-IO: what tests and the benchmark send.

:func:`seal_mailbox_request` makes the 8192-byte OHTTP request a payjoin client would send for
``GET``/``POST`` of a mailbox; :func:`open_mailbox_answer` reads the gateway's answer back into
the inner status and body. Nothing here imports aiohttp.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pjconf.reference.bip77 import bhttp, ohttp
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.bip77.short_id import format_short_id
from pjconf.reference.entropy import RandomSource
from pjconf.reference.errors import PjconfError


@dataclass(frozen=True)
class SealedRequest:
    """An encapsulated mailbox request and the context its answer opens with."""

    body: bytes
    context: ohttp.RequestContext

    def open(self, answer: bytes) -> tuple[int, bytes]:
        """The inner status and body of the gateway's 8192-byte answer."""
        return open_mailbox_answer(self.context, answer)


def seal_mailbox_request(
    ohttp_keys: bytes,
    directory: str,
    method: str,
    short_id: bytes,
    body: bytes = b"",
    *,
    rng: RandomSource,
) -> SealedRequest:
    """``method`` of the mailbox ``short_id`` at ``directory``, sealed to its gateway's key."""
    config = OhttpKeyConfig.decode(ohttp_keys)
    url = f"{directory.rstrip('/')}/{format_short_id(short_id)}"
    message = bhttp.encode_request(bhttp.request_for_url(method, url, body))
    sealed, context = ohttp.seal_request(config, message, rng=rng)
    return SealedRequest(sealed, context)


def seal_target_request(
    ohttp_keys: bytes,
    method: str,
    url: str,
    body: bytes = b"",
    *,
    rng: RandomSource,
    key_id: int | None = None,
) -> SealedRequest:
    """Any ``method`` on any ``url`` (not only a mailbox), sealed to the gateway's key: what the
    ``directory`` conformance cases send. ``key_id`` replaces the config's key identifier (a
    request the gateway must refuse as naming a key it does not have)."""
    config = OhttpKeyConfig.decode(ohttp_keys)
    if key_id is not None:
        config = replace(config, key_id=key_id)
    message = bhttp.encode_request(bhttp.request_for_url(method, url, body))
    sealed, context = ohttp.seal_request(config, message, rng=rng)
    return SealedRequest(sealed, context)


def usable_key_config(ohttp_keys: bytes) -> str:
    """``usable`` when ``ohttp_keys`` decodes to a key configuration a BIP 77 client can seal
    to, else the reference's error kind for it."""
    try:
        config = OhttpKeyConfig.decode(ohttp_keys)
        ohttp.seal_request(config, b"", pad="zero", sk_e=_PROBE_KEY)
    except PjconfError as e:
        return e.kind
    return "usable"


_PROBE_KEY = bytes(31) + b"\x01"
"""A fixed ephemeral key for the probe seal of :func:`usable_key_config` (nothing is sent)."""


def open_mailbox_answer(context: ohttp.RequestContext, answer: bytes) -> tuple[int, bytes]:
    """The inner status and body; raises the reference's errors for an unreadable answer."""
    response = bhttp.decode_response(ohttp.open_response(context, answer))
    return response.status, response.body
