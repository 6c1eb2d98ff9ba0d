"""BIP 77 messages A and B: sealed by the reference around plaintexts of every length.

Opening is where an implementation meets untrusted bytes after authentication, so the open
strategies build *authentic* messages (HPKE-sealed to the right key through the reference's
``hpke.seal`` and ``ellswift.encode``) around any plaintext: shorter than the 33-byte reply key,
exactly it, padded to the full length, longer; then, now and then, corrupt the message or open
it with the wrong key. The seal strategies draw bodies up to past the padded length, with a
fixed ephemeral key so both answers are deterministic.
"""

from __future__ import annotations

from pjconf.harness.fuzz.draw import Draw
from pjconf.harness.fuzz.strategies import Target, Tools
from pjconf.harness.fuzz.strategies.mutate import mutate_bytes, mutate_hex
from pjconf.harness.vectorgen.bip77_messages import RECEIVER, REPLY
from pjconf.protocol.wire import JsonObject

INFO_A = b"PjV2MsgA".hex()
INFO_B = b"PjV2MsgB".hex()
PADDED_A = 7055 + 33
"""Message A's AEAD plaintext: the reply key, then 7055 body bytes (BIP 77, payjoin 1.0)."""
PADDED_B = 7088


def _plaintext(draw: Draw, padded: int, prefix: bytes) -> bytes:
    """Any length: a short raw one, or the prefix, a body and zero padding whose length is
    drawn (most often exactly to the padded length), so a shrunk plaintext is as short as the
    difference allows."""
    if draw.below(3) == 0:
        return draw.blob(64)
    body = prefix + draw.blob(padded + 64)
    return body + bytes(draw.size(max(0, padded - len(body))))


def _secret(draw: Draw) -> str:
    """An ephemeral secret key: 32 drawn bytes, never zero (a valid scalar but for ~2^-128)."""
    return (draw.exact(31) + b"\x01").hex()


def _seal(tools: Tools, draw: Draw, pk_r: bytes, info: str, pt: bytes, **auth: str) -> str:
    sealed = tools.build(
        "hpke.seal",
        {
            "mode": "auth" if auth else "base",
            "pk_r": pk_r.hex(),
            "info": info,
            "aad": "",
            "pt": pt.hex(),
            "sk_e": _secret(draw),
            **auth,
        },
    )
    ell = tools.build("ellswift.encode", {"pk": sealed["enc"], "rnd32": draw.exact(32).hex()})
    return str(ell["ell64"]) + str(sealed["ct"])


def _corrupt(draw: Draw, msg: str) -> str:
    if draw.chance(4):
        return mutate_bytes(draw, bytes.fromhex(msg), rounds=2).hex()
    return msg


def msg_a_open(draw: Draw, tools: Tools) -> JsonObject:
    pt = _plaintext(draw, PADDED_A, REPLY.public_compressed)
    msg = _seal(tools, draw, RECEIVER.public, INFO_A, pt)
    sk = RECEIVER.secret if not draw.chance(16) else REPLY.secret
    return {"receiver_sk": sk.hex(), "msg": _corrupt(draw, msg)}


def msg_b_open(draw: Draw, tools: Tools) -> JsonObject:
    pt = _plaintext(draw, PADDED_B, b"")
    msg = _seal(tools, draw, REPLY.public, INFO_B, pt, sk_s=RECEIVER.secret.hex())
    receiver = RECEIVER.public_compressed if not draw.chance(16) else REPLY.public_compressed
    return {
        "reply_sk": REPLY.secret.hex(),
        "receiver_pk": receiver.hex(),
        "msg": _corrupt(draw, msg),
    }


def _key(draw: Draw, key: bytes) -> str:
    return key.hex() if not draw.chance(8) else mutate_hex(draw, key.hex(), rounds=1)


def msg_a_seal(draw: Draw, tools: Tools) -> JsonObject:
    return {
        "body": draw.blob(PADDED_A).hex(),
        "receiver_pk": _key(draw, RECEIVER.public_compressed),
        "reply_pk": _key(draw, REPLY.public_compressed),
        "sk_e": _secret(draw),
    }


def msg_b_seal(draw: Draw, tools: Tools) -> JsonObject:
    return {
        "body": draw.blob(PADDED_B + 8).hex(),
        "receiver_sk": RECEIVER.secret.hex(),
        "reply_pk": _key(draw, REPLY.public_compressed),
        "sk_e": _secret(draw),
    }


TARGETS = [
    Target("bip77.msg_a.open", "messages", msg_a_open),
    Target("bip77.msg_b.open", "messages", msg_b_open),
    Target("bip77.msg_a.seal", "messages", msg_a_seal),
    Target("bip77.msg_b.seal", "messages", msg_b_seal),
]
