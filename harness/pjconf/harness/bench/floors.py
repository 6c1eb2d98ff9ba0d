"""The libsecp256k1 floor of an op: the elliptic-curve work it cannot avoid on its arguments,
called straight on libsecp256k1 (``btclib_secp256k1``) in this process.

An implementation's time divided by its floor's, both measured in the same run, is what it adds
on top of the curve (hashing, the AEAD, padding, parsing, its language): a figure that means
the same on every machine. The floors count what ``tests/bench`` counts for the reference's
internals, with one difference: a protocol op receives its keys as hex, so deriving a public key
from a given secret key and parsing a given public key are part of the unavoidable work here.
Ops without elliptic-curve work (BHTTP, the URI, events, replay) have no floor.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from btclib_secp256k1 import ecdh, ellswift, keys

from pjconf.protocol.wire import JsonObject

FixedWork = Callable[[], object]

_STAND_IN_SK = hashlib.sha256(b"pjconf bench floor ephemeral key").digest()
"""The ephemeral secret key of a floor whose op draws its own (constant-time curve work costs
the same for every key)."""
_KEY_CONFIG_PK = slice(3, 68)
"""The 65-byte public key inside an OHTTP key configuration (key id, KEM id, then the key)."""
_REQUEST_ENC = slice(7, 72)
"""The 65-byte ``enc`` of an OHTTP request (after key id, KEM, KDF and AEAD ids)."""
_ELLSWIFT = slice(0, 64)
"""The ElligatorSwift-encoded ephemeral key a BIP 77 message starts with."""


@dataclass(frozen=True)
class Floor:
    what: str
    """The curve work, in words (shown beside the figure)."""
    work: FixedWork


def _hex(args: JsonObject, name: str) -> bytes:
    return bytes.fromhex(str(args[name]))


def _ephemeral(args: JsonObject) -> bytes:
    return _hex(args, "sk_e") if "sk_e" in args else _STAND_IN_SK


def _hpke_seal(args: JsonObject) -> Floor | None:
    if args.get("mode", "base") != "base":
        return None
    pk_r, sk_e = _hex(args, "pk_r"), _ephemeral(args)

    def work() -> None:
        keys.pubkey_from_prvkey(sk_e, compressed=False)
        ecdh.shared_point(pk_r, sk_e)

    return Floor("ephemeral public key, one ECDH", work)


def _hpke_open(args: JsonObject) -> Floor | None:
    if args.get("mode", "base") != "base":
        return None
    enc, sk_r = _hex(args, "enc"), _hex(args, "sk_r")

    def work() -> None:
        ecdh.shared_point(enc, sk_r)
        keys.pubkey_from_prvkey(sk_r, compressed=False)

    return Floor("one ECDH, the recipient's public key", work)


def _msg_a_seal(args: JsonObject) -> Floor:
    receiver_pk, reply_pk, sk_e = (
        _hex(args, "receiver_pk"),
        _hex(args, "reply_pk"),
        _ephemeral(args),
    )

    def work() -> None:
        ellswift.create(sk_e, bytes(32))
        ecdh.shared_point(receiver_pk, sk_e)
        keys.parse(reply_pk)

    return Floor("ephemeral key encoded ElligatorSwift, one ECDH, the reply key parsed", work)


def _msg_a_open(args: JsonObject) -> Floor:
    receiver_sk, ell = _hex(args, "receiver_sk"), _hex(args, "msg")[_ELLSWIFT]
    reply_pk = keys.pubkey_from_prvkey(receiver_sk)  # a stand-in: the real one is encrypted

    def work() -> None:
        ecdh.shared_point(ellswift.decode(ell, compressed=False), receiver_sk)
        keys.pubkey_from_prvkey(receiver_sk, compressed=False)
        keys.parse(reply_pk)

    return Floor(
        "ElligatorSwift decoding, one ECDH, the receiver's public key, the reply key", work
    )


def _msg_b_seal(args: JsonObject) -> Floor:
    receiver_sk, reply_pk, sk_e = (
        _hex(args, "receiver_sk"),
        _hex(args, "reply_pk"),
        _ephemeral(args),
    )

    def work() -> None:
        ellswift.create(sk_e, bytes(32))
        ecdh.shared_point(reply_pk, sk_e)
        ecdh.shared_point(reply_pk, receiver_sk)
        keys.pubkey_from_prvkey(receiver_sk, compressed=False)

    return Floor("ephemeral key encoded ElligatorSwift, two ECDH, the receiver's public key", work)


def _msg_b_open(args: JsonObject) -> Floor:
    reply_sk, receiver_pk = _hex(args, "reply_sk"), _hex(args, "receiver_pk")
    ell = _hex(args, "msg")[_ELLSWIFT]

    def work() -> None:
        ecdh.shared_point(ellswift.decode(ell, compressed=False), reply_sk)
        ecdh.shared_point(receiver_pk, reply_sk)
        keys.pubkey_from_prvkey(reply_sk, compressed=False)

    return Floor("ElligatorSwift decoding, two ECDH, the reply key's public key", work)


def _ellswift_encode(args: JsonObject) -> Floor:
    pk, rnd32 = _hex(args, "pk"), _hex(args, "rnd32")
    return Floor("one ElligatorSwift encoding", lambda: ellswift.encode(pk, rnd32))


def _ellswift_decode(args: JsonObject) -> Floor:
    ell = _hex(args, "ell64")
    return Floor("one ElligatorSwift decoding", lambda: ellswift.decode(ell))


def _ohttp_request_seal(args: JsonObject) -> Floor:
    gateway_pk, sk_e = _hex(args, "key_config")[_KEY_CONFIG_PK], _ephemeral(args)

    def work() -> None:
        keys.pubkey_from_prvkey(sk_e, compressed=False)
        ecdh.shared_point(gateway_pk, sk_e)

    return Floor("ephemeral public key, one ECDH", work)


def _ohttp_request_open(args: JsonObject) -> Floor:
    enc, gateway_sk = _hex(args, "request")[_REQUEST_ENC], _hex(args, "gateway_sk")

    def work() -> None:
        ecdh.shared_point(enc, gateway_sk)
        keys.pubkey_from_prvkey(gateway_sk, compressed=False)

    return Floor("one ECDH, the gateway's public key", work)


_FLOORS: dict[str, Callable[[JsonObject], Floor | None]] = {
    "hpke.seal": _hpke_seal,
    "hpke.open": _hpke_open,
    "bip77.msg_a.seal": _msg_a_seal,
    "bip77.msg_a.open": _msg_a_open,
    "bip77.msg_b.seal": _msg_b_seal,
    "bip77.msg_b.open": _msg_b_open,
    "ellswift.encode": _ellswift_encode,
    "ellswift.decode": _ellswift_decode,
    "ohttp.request.seal": _ohttp_request_seal,
    "ohttp.request.open": _ohttp_request_open,
}


def floor_of(op: str, args: JsonObject) -> Floor | None:
    """The floor of ``op`` on ``args``; None when the op has none or the arguments do not make
    one (a key that libsecp256k1 refuses: then the op is timed without a floor)."""
    build = _FLOORS.get(op)
    if build is None:
        return None
    try:
        floor = build(args)
        if floor is not None:
            floor.work()
    except (KeyError, ValueError, TypeError):
        return None
    return floor


def has_floor(op: str) -> bool:
    return op in _FLOORS
