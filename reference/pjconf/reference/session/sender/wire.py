"""Sans-IO wire helpers of the v2 sender: endpoints, message A in OHTTP, the Original's fields.

Kept apart from the typestates so the state machine reads as the crate's table of transitions;
everything here is a pure function of its inputs plus the injected :class:`RandomSource`. What
both roles share (the request types, the relay URL, OHTTP, the directory's answer) is in
:mod:`.directory_wire`.
"""

from __future__ import annotations

from dataclasses import replace

from pjconf.reference.bip77 import messages
from pjconf.reference.bip77.short_id import format_short_id
from pjconf.reference.bip77.uri import PjParamV2, format_fragment
from pjconf.reference.bip77.url import Url
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.crypto.secp256k1 import compress
from pjconf.reference.entropy import SYSTEM_RANDOM, RandomSource
from pjconf.reference.errors import PjconfError
from pjconf.reference.session.directory_wire import OhttpResponse, Request, encapsulate, join
from pjconf.reference.session.sender.errors import CreateRequestError
from pjconf.reference.session.sender.events import PjParam

__all__ = [
    "OhttpResponse",
    "Request",
    "clear_unneeded_fields",
    "endpoint",
    "mailbox_url",
    "seal",
]
"""``Request`` and ``OhttpResponse`` are re-exported: callers outside the package import them
from here."""


def endpoint(pj: PjParam) -> Url:
    """``PjParam::endpoint``: the directory with its last path segment replaced by the mailbox
    ShortId, no query, and the fragment rewritten from the persisted parameters."""
    v2 = PjParamV2("", pj.id, compress(pj.receiver_pubkey), pj.ohttp_keys, pj.expiration)
    return replace(join(pj.directory, format_short_id(pj.id)), fragment=format_fragment(v2))


def mailbox_url(pj: PjParam, mailbox: bytes) -> str:
    """``endpoint().join(mailbox)``: the same directory path with another ShortId, no fragment."""
    return join(pj.directory, format_short_id(mailbox)).serialize()


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
    return encapsulate(
        pj.ohttp_keys, method, target, message_a, directory=pj.directory, relay=relay, rng=rng
    )
