"""Sans-IO wire helpers both v2 roles share: the request and response types, the relay URL,
OHTTP encapsulation, and the directory's answer as ``process_get_res`` / ``process_post_res``
read it (payjoin's ``ohttp.rs``).

Every function is pure apart from the injected :class:`RandomSource`. The role-specific parts
(message A for the sender, mailbox endpoints and message B for the receiver) stay in
:mod:`.sender_wire` and :mod:`.receiver_wire`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pjconf.reference.bip77 import bhttp, ohttp
from pjconf.reference.bip77.ohttp import RequestContext
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.bip77.url import Url, parse_url
from pjconf.reference.entropy import SYSTEM_RANDOM, RandomSource
from pjconf.reference.errors import OpenError, PjconfError
from pjconf.reference.session.sender.errors import CreateRequestError, DirectoryResponseError

__all__ = [
    "AEAD_FAILURE",
    "HTTP_ACCEPTED",
    "HTTP_OK",
    "V2_REQ_CONTENT_TYPE",
    "OhttpResponse",
    "Request",
    "encapsulate",
    "full_relay_url",
    "join",
    "open_directory_response",
]

V2_REQ_CONTENT_TYPE = "message/ohttp-req"
HTTP_OK = 200
HTTP_ACCEPTED = 202
AEAD_FAILURE = "a problem occurred with the AEAD"
"""bitcoin-ohttp's ``Error::Aead`` Display: what payjoin prints for a response that is not
authentic (the reference's own ``OpenError`` text is its crypto core's)."""


@dataclass(frozen=True, slots=True)
class Request:
    """payjoin's ``Request``: where to send what, with which content type."""

    url: str
    content_type: str
    body: bytes


@dataclass(frozen=True, slots=True)
class OhttpResponse:
    """payjoin's ``OhttpResponse``: the OHTTP client context needed to open the reply."""

    context: RequestContext


def join(directory: Url, segment: str) -> Url:
    """``Url::join`` of a plain segment: the path up to its last ``/`` plus ``segment``, no
    query or fragment (dot segments are not resolved: payjoin's directories have none)."""
    base = directory.path[: directory.path.rfind("/") + 1] or "/"
    return replace(directory, path=base + segment, query=None, fragment=None)


def full_relay_url(directory: Url, ohttp_relay: str) -> str:
    """The relay with the directory's origin appended as a path, so the relay learns only the
    directory's scheme and authority (``full_relay_url`` of either role)."""
    try:
        relay = parse_url(ohttp_relay)
    except PjconfError as e:
        raise CreateRequestError("Url", str(e)) from None
    return Url(relay.scheme, relay.host, relay.port, "/" + directory.origin_root()).serialize()


def encapsulate(
    ohttp_keys: OhttpKeyConfig,
    method: str,
    target: str,
    body: bytes,
    *,
    directory: Url,
    relay: str,
    rng: RandomSource | None,
) -> tuple[Request, OhttpResponse]:
    """``ohttp_encapsulate`` + ``Request::new_v2``: ``method`` on ``target`` in a BHTTP request,
    padded and sealed to the gateway, addressed to the relay."""
    try:
        inner = bhttp.encode_request(bhttp.request_for_url(method, target, body))
        sealed, context = ohttp.seal_request(ohttp_keys, inner, rng=rng or SYSTEM_RANDOM)
    except PjconfError as e:
        raise CreateRequestError("OhttpEncapsulation", str(e)) from None
    request = Request(full_relay_url(directory, relay), V2_REQ_CONTENT_TYPE, sealed)
    return request, OhttpResponse(context)


def open_directory_response(response: bytes, ctx: OhttpResponse, *, get: bool) -> bytes | None:
    """``process_get_res`` / ``process_post_res``: the body of a 200, ``None`` for a GET's 202,
    else a :class:`DirectoryResponseError` with the crate's text."""
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
