"""Sans-IO wire helpers of the v2 sender: endpoints, relay URL, OHTTP sealing and opening.

Kept apart from the typestates so the state machine reads as the crate's table of transitions;
everything here is a pure function of its inputs plus the injected :class:`RandomSource`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pjconf.reference.bip77 import bhttp, messages, ohttp
from pjconf.reference.bip77.ohttp import RequestContext
from pjconf.reference.bip77.short_id import format_short_id
from pjconf.reference.bip77.uri import PjParamV2, format_fragment
from pjconf.reference.bip77.url import Url, parse_url
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.crypto.secp256k1 import compress
from pjconf.reference.entropy import SYSTEM_RANDOM, RandomSource
from pjconf.reference.errors import OpenError, PjconfError
from pjconf.reference.session.sender_errors import CreateRequestError, DirectoryResponseError
from pjconf.reference.session.sender_events import PjParam

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


def endpoint(pj: PjParam) -> Url:
    """``PjParam::endpoint``: the directory with its last path segment replaced by the mailbox
    ShortId, no query, and the fragment rewritten from the persisted parameters."""
    base = pj.directory.path[: pj.directory.path.rfind("/") + 1] or "/"
    v2 = PjParamV2("", pj.id, compress(pj.receiver_pubkey), pj.ohttp_keys, pj.expiration)
    return replace(
        pj.directory,
        path=base + format_short_id(pj.id),
        query=None,
        fragment=format_fragment(v2),
    )


def full_relay_url(pj: PjParam, ohttp_relay: str) -> str:
    """The relay URL with the directory's origin appended as a path: only scheme and authority
    of the directory are revealed to the relay."""
    try:
        relay = parse_url(ohttp_relay)
    except PjconfError as e:
        raise CreateRequestError("Url", str(e)) from None
    directory_base = endpoint(pj).origin_root()
    return Url(relay.scheme, relay.host, relay.port, "/" + directory_base).serialize()


def mailbox_url(pj: PjParam, mailbox: bytes) -> str:
    """``endpoint().join(mailbox)``: the same directory path with another ShortId, no fragment."""
    url = endpoint(pj)
    base = url.path[: url.path.rfind("/") + 1]
    return replace(url, path=base + format_short_id(mailbox), fragment=None).serialize()


def clear_unneeded_fields(psbt: Psbt) -> Psbt:
    """What the sender strips from the Original PSBT before sending it (``send/mod.rs``)."""
    inputs = tuple(
        replace(
            i,
            bip32_derivation=(),
            tap_internal_key=None,
            tap_key_origins=(),
            tap_key_sig=None,
            tap_merkle_root=None,
            tap_script_sigs=(),
            proprietary=(),
            unknown=(),
        )
        for i in psbt.inputs
    )
    outputs = tuple(
        replace(
            o,
            bip32_derivation=(),
            tap_internal_key=None,
            tap_key_origins=(),
            proprietary=(),
            unknown=(),
        )
        for o in psbt.outputs
    )
    return replace(psbt, xpub=(), proprietary=(), unknown=(), inputs=inputs, outputs=outputs)


def seal(
    pj: PjParam,
    reply_pk: bytes,
    method: str,
    target: str,
    body: bytes,
    *,
    relay: str,
    rng: RandomSource | None,
) -> tuple[Request, OhttpResponse]:
    """Message A of ``body`` to the receiver, in a BHTTP ``method`` on ``target``, in OHTTP."""
    rng = rng or SYSTEM_RANDOM
    try:
        message_a = messages.seal_message_a(body, pj.receiver_pubkey, reply_pk, rng=rng)
    except PjconfError as e:
        raise CreateRequestError("Hpke", str(e)) from None
    try:
        inner = bhttp.encode_request(bhttp.request_for_url(method, target, message_a))
        sealed, context = ohttp.seal_request(pj.ohttp_keys, inner, rng=rng)
    except PjconfError as e:
        raise CreateRequestError("OhttpEncapsulation", str(e)) from None
    request = Request(full_relay_url(pj, relay), V2_REQ_CONTENT_TYPE, sealed)
    return request, OhttpResponse(context)


def open_directory_response(response: bytes, ctx: OhttpResponse, *, get: bool) -> bytes | None:
    """``process_get_res`` / ``process_post_res``: the body of a 200, ``None`` for a GET's 202,
    else a :class:`DirectoryResponseError`."""
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
