"""Sans-IO wire helpers of the v2 receiver: its pj URI, mailbox URLs, requests and message B.

Kept apart from the typestates (as :mod:`.sender_wire` is for the sender); what both roles share
is in :mod:`.directory_wire`. Every function is pure apart from the injected
:class:`RandomSource`.
"""

from __future__ import annotations

from dataclasses import replace

from pjconf.reference.bip77 import messages
from pjconf.reference.bip77.short_id import format_short_id, short_id
from pjconf.reference.bip77.uri import PjParamV2, PjUri
from pjconf.reference.bip77.url import Url
from pjconf.reference.crypto.secp256k1 import KeyPair, compress
from pjconf.reference.entropy import SYSTEM_RANDOM, RandomSource
from pjconf.reference.errors import PjconfError
from pjconf.reference.session.directory_wire import OhttpResponse, Request, encapsulate, join
from pjconf.reference.session.receiver.errors import CreateRequestError
from pjconf.reference.session.receiver.events import SessionContext

__all__ = [
    "mailbox_endpoint",
    "pj_uri",
    "request",
    "seal_message_b",
]


def pj_uri(context: SessionContext) -> PjUri:
    """payjoin's ``pj_uri``: output substitution disabled (``pjos=0``: the crate always disables
    it here), the ``pj`` endpoint ``directory.join(<ShortId of the receiver key>)``. Both the
    live ``Initialized`` and a replayed ``SessionHistory`` hand out this one."""
    public = context.receiver_key.public
    pj = PjParamV2(
        join(context.directory, "").serialize(),
        short_id(public),
        compress(public),
        context.ohttp_keys,
        context.expiration,
    )
    return PjUri(context.address, context.amount, pj, output_substitution=False)


def mailbox_endpoint(directory: Url, mailbox: bytes) -> Url:
    """payjoin's ``mailbox_endpoint``: the ShortId *pushed* as a path segment of the directory.

    Unlike ``Url::join`` (which the pj URI uses) this keeps the directory's whole path, adding a
    ``/`` only when the path does not end with one, and keeps any query and fragment.
    """
    path = directory.path
    if path and not path.endswith("/"):
        path += "/"
    return replace(directory, path=path + format_short_id(mailbox))


def request(
    context: SessionContext,
    method: str,
    mailbox: bytes,
    body: bytes,
    *,
    relay: str,
    rng: RandomSource | None,
) -> tuple[Request, OhttpResponse]:
    """``method`` with ``body`` on ``mailbox`` of the session's directory, through the relay."""
    target = mailbox_endpoint(context.directory, mailbox).serialize()
    return encapsulate(
        context.ohttp_keys, method, target, body, directory=context.directory, relay=relay, rng=rng
    )


def seal_message_b(
    body: bytes, receiver: KeyPair, reply_pk: bytes, rng: RandomSource | None
) -> bytes:
    """``encrypt_message_b`` (a proposal or an error object to the sender's reply key)."""
    try:
        return messages.seal_message_b(body, receiver, reply_pk, rng=rng or SYSTEM_RANDOM)
    except PjconfError as e:
        raise CreateRequestError("Hpke", str(e)) from None
