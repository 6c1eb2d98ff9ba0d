"""HPKE and ElligatorSwift: authentic ciphertexts built by the reference, then mutated.

``hpke.open`` gets what the reference's ``hpke.seal`` made (base or auth mode, any info, aad and
plaintext) with, now and then, one argument changed; ``hpke.seal`` and ``ellswift.encode`` get
their randomness as arguments (``sk_e``, ``rnd32``), so both implementations must give the same
bytes; ``ellswift.decode`` takes any 64 bytes (every one decodes to a point, BIP 324).
"""

from __future__ import annotations

from typing import Protocol

from pjconf.harness.fuzz.draw import Draw
from pjconf.harness.fuzz.strategies import BuildFailed, Target, Tools
from pjconf.harness.fuzz.strategies.mutate import mutate_hex
from pjconf.harness.vectorgen.bip77_messages import RECEIVER, REPLY
from pjconf.protocol.wire import JsonObject


class KeyPair(Protocol):
    """A key pair of the vector generators (the reference's type, seen through what it has)."""

    @property
    def secret(self) -> bytes: ...
    @property
    def public(self) -> bytes: ...
    @property
    def public_compressed(self) -> bytes: ...


KEYS: tuple[KeyPair, ...] = (RECEIVER, REPLY)


def _spellings(key: KeyPair) -> tuple[str, str]:
    return (key.public.hex(), key.public_compressed.hex())


def _scalar(draw: Draw) -> str:
    return (draw.exact(31) + b"\x01").hex()


def hpke_seal_args(draw: Draw, tools: Tools) -> JsonObject:
    recipient, sender = draw.pick(KEYS), draw.pick(KEYS)
    args: JsonObject = {
        "mode": draw.pick(("base", "auth")),
        "pk_r": recipient.public.hex() if draw.below(4) else recipient.public_compressed.hex(),
        "info": draw.blob(64).hex(),
        "aad": draw.blob(64).hex(),
        "pt": draw.blob().hex(),
        "sk_e": _scalar(draw),
    }
    if args["mode"] == "auth":
        args["sk_s"] = sender.secret.hex()
    if draw.chance(8):
        name = draw.pick(sorted(args))
        if name != "mode":
            args[name] = mutate_hex(draw, str(args[name]), rounds=1)
    return args


def hpke_open_args(draw: Draw, tools: Tools) -> JsonObject:
    sealed = hpke_seal_args(draw, tools)
    try:
        out = tools.build("hpke.seal", sealed)
    except BuildFailed:  # a mutated seal argument: open random bytes instead
        out = {"enc": draw.exact(65).hex(), "ct": draw.blob().hex()}
    recipient = next((k for k in KEYS if sealed["pk_r"] in _spellings(k)), KEYS[0])
    args: JsonObject = {
        "mode": sealed["mode"],
        "sk_r": recipient.secret.hex(),
        "enc": out["enc"],
        "info": sealed["info"],
        "aad": sealed["aad"],
        "ct": out["ct"],
    }
    if sealed["mode"] == "auth":
        sender = next((k for k in KEYS if k.secret.hex() == sealed.get("sk_s")), KEYS[0])
        args["pk_s"] = sender.public.hex()
    if draw.chance(4):
        name = draw.pick(sorted(a for a in args if a != "mode"))
        args[name] = mutate_hex(draw, str(args[name]), rounds=2)
    return args


def ellswift_encode_args(draw: Draw, tools: Tools) -> JsonObject:
    key = draw.pick(KEYS)
    pk = key.public_compressed.hex() if draw.boolean() else key.public.hex()
    if draw.chance(4):
        pk = mutate_hex(draw, pk, rounds=1)
    return {"pk": pk, "rnd32": draw.exact(32).hex()}


def ellswift_decode_args(draw: Draw, tools: Tools) -> JsonObject:
    data = draw.exact(64)
    if draw.chance(8):
        return {"ell64": mutate_hex(draw, data.hex(), rounds=1)}
    if draw.chance(4):  # the edges: u or t zero, all ones
        edges = (bytes(64), b"\xff" * 64, bytes(32) + data[32:], data[:32] + bytes(32))
        return {"ell64": draw.pick(edges).hex()}
    return {"ell64": data.hex()}


TARGETS = [
    Target("hpke.open", "crypto", hpke_open_args),
    Target("hpke.seal", "crypto", hpke_seal_args),
    Target("ellswift.decode", "crypto", ellswift_decode_args),
    Target("ellswift.encode", "crypto", ellswift_encode_args),
]
