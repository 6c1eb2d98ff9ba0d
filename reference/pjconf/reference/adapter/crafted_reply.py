"""The harness answering a sender by hand: message B of any body, from a receiver's own log.

A real receiver replies only with what its typestates make, so a sender's reading of each BIP 78
error code, of an unknown ``errorCode`` and of a body that is neither JSON nor a PSBT can only be
reached by writing message B directly into the sender's reply mailbox. The receiver's key
(``Created.receiver_key``) and the sender's reply key (``RetrievedOriginalPayload.reply_key``) are
read from the log of a receiver that has fetched the Original PSBT.
"""

from __future__ import annotations

import json

from pjconf.reference.adapter.payment import Payment
from pjconf.reference.bip77 import messages
from pjconf.reference.bip77.short_id import short_id
from pjconf.reference.crypto.secp256k1 import KeyPair
from pjconf.reference.entropy import SeededRandom


def _event(events: list[str], variant: str) -> dict[str, object]:
    for text in events:
        value = json.loads(text)
        if isinstance(value, dict) and isinstance(value.get(variant), dict):
            return dict(value[variant])
    raise ValueError(f"the receiver's log has no {variant} event")


def seal_reply(receiver_events: list[str], body: bytes, seed: str) -> tuple[bytes, bytes]:
    """``body`` sealed as message B from the receiver whose log is ``receiver_events`` to the
    sender whose Original it fetched: the reply mailbox's ShortId and the message."""
    key = _event(receiver_events, "Created")["receiver_key"]
    reply = _event(receiver_events, "RetrievedOriginalPayload")["reply_key"]
    if not isinstance(key, list) or not isinstance(reply, list):
        raise ValueError("receiver_key or reply_key is not a byte array")
    receiver = KeyPair.from_secret(bytes(key[0]))
    reply_pk = bytes(reply)
    rng = SeededRandom(f"{seed}/message-b")
    return short_id(reply_pk), messages.seal_message_b(body, receiver, reply_pk, rng=rng)


def reply_bodies(payment: Payment) -> dict[str, bytes]:
    """The replies a sender must read, by name: each BIP 78 well-known code (``supported`` with
    ``version-unsupported``), an unknown code, JSON without a code, bytes that are neither JSON
    nor a PSBT, and a PSBT proposal that fails the sender's checks (its own Original back)."""

    def error(code: str, **extra: object) -> bytes:
        return json.dumps({"errorCode": code, "message": "pjconf", **extra}).encode()

    return {
        "unavailable": error("unavailable"),
        "not_enough_money": error("not-enough-money"),
        "version_unsupported": error("version-unsupported", supported=[1, 2]),
        "original_psbt_rejected": error("original-psbt-rejected"),
        "unknown_code": error("pjconf-unknown-code"),
        "json_without_code": json.dumps({"message": "pjconf"}).encode(),
        "not_json_nor_psbt": b"neither JSON nor a PSBT",
        "original_back": payment.original.serialize(),
    }


def edge_reply_bodies() -> dict[str, bytes]:
    """Replies at the edges of payjoin 1.0's reading: ``supported`` holding what is no u64
    (a bool, a negative, 2^64, a string) beside 0 and 2^64 - 1, and an error reply that is JSON
    but for a ``NaN`` (serde_json refuses it, so the bytes are read as a PSBT and fail)."""
    supported = '[true, -1, 0, 2, 18446744073709551615, 18446744073709551616, 1.5, "3"]'
    return {
        "version_unsupported_edges": (
            '{"errorCode": "version-unsupported", "message": "pjconf", "supported": '
            + supported
            + "}"
        ).encode(),
        "json_with_nan": b'{"errorCode": "unavailable", "message": NaN}',
    }
