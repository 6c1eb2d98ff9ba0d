"""Sans-IO wire helpers of the v2 receiver: mailbox URLs, the relay URL, OHTTP requests and
the directory's responses.

Kept apart from the typestates (as :mod:`.sender_wire` is for the sender). Every function is pure
apart from the injected :class:`RandomSource`.
"""

from __future__ import annotations

from dataclasses import replace

from pjconf.reference.bip77 import bhttp, messages, ohttp
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.bip77.short_id import format_short_id
from pjconf.reference.bip77.url import Url, parse_url
from pjconf.reference.crypto.secp256k1 import KeyPair
from pjconf.reference.entropy import SYSTEM_RANDOM, RandomSource
from pjconf.reference.errors import OpenError, PjconfError
from pjconf.reference.session.receiver_session_errors import (
    CreateRequestError,
    DirectoryResponseError,
)
from pjconf.reference.session.sender_wire import (
    HTTP_ACCEPTED,
    HTTP_OK,
    V2_REQ_CONTENT_TYPE,
    OhttpResponse,
    Request,
)

__all__ = [
    "OhttpResponse",
    "Request",
    "encapsulate",
    "full_relay_url",
    "join_base",
    "mailbox_endpoint",
    "open_directory_response",
    "seal_message_b",
]


def mailbox_endpoint(directory: Url, mailbox: bytes) -> Url:
    """payjoin's ``mailbox_endpoint``: the ShortId *pushed* as a path segment of the directory.

    Unlike ``Url::join`` (which the pj URI uses) this keeps the directory's whole path, adding a
    ``/`` only when the path does not end with one, and keeps any query and fragment.
    """
    path = directory.path
    if path and not path.endswith("/"):
        path += "/"
    return replace(directory, path=path + format_short_id(mailbox))


def join_base(directory: Url) -> str:
    """What ``directory.join(<segment>)`` keeps: the path up to its last ``/``, no query or
    fragment (dot segments are not resolved: payjoin's directories have none)."""
    base = directory.path[: directory.path.rfind("/") + 1] or "/"
    return replace(directory, path=base, query=None, fragment=None).serialize()


def full_relay_url(directory: Url, ohttp_relay: str) -> str:
    """``SessionContext::full_relay_url``: the relay with the directory's origin as its path, so
    the relay learns only the directory's scheme and authority."""
    try:
        relay = parse_url(ohttp_relay)
    except PjconfError as e:
        raise CreateRequestError("Url", str(e)) from None
    return Url(relay.scheme, relay.host, relay.port, "/" + directory.origin_root()).serialize()


def encapsulate(
    ohttp_keys: OhttpKeyConfig,
    method: str,
    target: Url,
    body: bytes,
    *,
    directory: Url,
    relay: str,
    rng: RandomSource | None,
) -> tuple[Request, OhttpResponse]:
    """``ohttp_encapsulate`` + ``Request::new_v2``: ``method`` on ``target`` in a BHTTP request,
    padded and sealed to the gateway, addressed to the relay."""
    try:
        inner = bhttp.encode_request(bhttp.request_for_url(method, target.serialize(), body))
        sealed, context = ohttp.seal_request(ohttp_keys, inner, rng=rng or SYSTEM_RANDOM)
    except PjconfError as e:
        raise CreateRequestError("OhttpEncapsulation", str(e)) from None
    request = Request(full_relay_url(directory, relay), V2_REQ_CONTENT_TYPE, sealed)
    return request, OhttpResponse(context)


def seal_message_b(
    body: bytes, receiver: KeyPair, reply_pk: bytes, rng: RandomSource | None
) -> bytes:
    """``encrypt_message_b`` (a proposal or an error object to the sender's reply key)."""
    try:
        return messages.seal_message_b(body, receiver, reply_pk, rng=rng or SYSTEM_RANDOM)
    except PjconfError as e:
        raise CreateRequestError("Hpke", str(e)) from None


AEAD_FAILURE = "a problem occurred with the AEAD"
"""bitcoin-ohttp's ``Error::Aead`` Display: what a response that is not authentic prints."""


def open_directory_response(response: bytes, ctx: OhttpResponse, *, get: bool) -> bytes | None:
    """``process_get_res`` / ``process_post_res``: a 200's body, ``None`` for a GET's 202, else
    a :class:`DirectoryResponseError` whose text is the crate's (the same rules as the sender's
    :func:`~pjconf.reference.session.sender_wire.open_directory_response`)."""
    if len(response) != ohttp.ENCAPSULATED_MESSAGE_BYTES:
        raise DirectoryResponseError("InvalidSize", size=len(response))
    try:
        inner = bhttp.decode_response(ohttp.open_response(ctx.context, response))
    except OpenError:
        raise DirectoryResponseError("OhttpDecapsulation", detail=AEAD_FAILURE) from None
    except PjconfError as e:
        raise DirectoryResponseError("OhttpDecapsulation", detail=str(e)) from None
    if inner.status == HTTP_OK:
        return inner.body
    if get and inner.status == HTTP_ACCEPTED:
        return None
    raise DirectoryResponseError("UnexpectedStatusCode", status=inner.status)
