"""OHTTP and BHTTP: requests sealed to the corpus's gateway key, responses to its contexts.

``ohttp.request.open`` gets a request the reference sealed (a drawn BHTTP message, a drawn
ephemeral key) to the corpus gateway, mutated now and then; ``ohttp.response.open`` a response
the reference sealed to a corpus context. Seals take their randomness as arguments (``sk_e``,
``response_nonce``, zero padding), so both implementations must write the same bytes. BHTTP
requests are encoded from drawn fields and decoded from encodings the reference made, mutated
at the byte level where the QUIC varint lengths live.
"""

from __future__ import annotations

from pjconf.harness.fuzz.draw import Draw
from pjconf.harness.fuzz.strategies import BuildFailed, Target, Tools
from pjconf.harness.fuzz.strategies.mutate import TOKENS, mutate_hex, mutate_text
from pjconf.protocol.wire import JsonObject

METHODS = ("GET", "POST", "PUT", "get", "", "P OST", "\u00e9")
FIELD_TOKENS = (*TOKENS, "content-type", "Content-Length", ":", "\r\n", "\u00ff")


def _seed(draw: Draw, tools: Tools, op: str) -> JsonObject:
    found = tools.seeds(op)
    return dict(draw.pick(found)) if found else {}


def _field(draw: Draw, value: str) -> str:
    return mutate_text(draw, value, FIELD_TOKENS, rounds=2) if draw.chance(4) else value


def bhttp_encode_args(draw: Draw, tools: Tools) -> JsonObject:
    seed = _seed(draw, tools, "bhttp.request.encode")
    given = seed.get("headers")
    headers: list[object] = list(given) if isinstance(given, list) else []
    if draw.chance(3):
        headers = [*headers, [draw.text("abcdefghijklmnopqrstuvwxyz-", 12), draw.unicode(12)]]
    return {
        "method": draw.pick(METHODS) if draw.chance(4) else str(seed.get("method", "GET")),
        "scheme": _field(draw, str(seed.get("scheme", "https"))),
        "authority": _field(draw, str(seed.get("authority", "payjo.in"))),
        "path": _field(draw, str(seed.get("path", "/"))),
        "headers": headers,
        "body": draw.blob(9000).hex() if draw.boolean() else str(seed.get("body", "")),
    }


def _bhttp(draw: Draw, tools: Tools) -> str:
    """A BHTTP request the reference encoded from drawn fields (a corpus one if it cannot)."""
    try:
        return str(tools.build("bhttp.request.encode", bhttp_encode_args(draw, tools))["bhttp"])
    except BuildFailed:
        return str(_seed(draw, tools, "bhttp.request.decode").get("bhttp", ""))


def bhttp_decode_args(draw: Draw, tools: Tools) -> JsonObject:
    if draw.boolean():
        encoded = _bhttp(draw, tools)
    else:
        encoded = str(_seed(draw, tools, "bhttp.request.decode").get("bhttp", ""))
    return {"bhttp": mutate_hex(draw, encoded) if draw.below(3) else encoded}


def request_seal_args(draw: Draw, tools: Tools) -> JsonObject:
    seed = _seed(draw, tools, "ohttp.request.seal")
    config = str(seed.get("key_config", ""))
    return {
        "key_config": mutate_hex(draw, config, rounds=1) if draw.chance(8) else config,
        "bhttp": _bhttp(draw, tools),
        "sk_e": (draw.exact(31) + b"\x01").hex(),
        "pad": "zero",
    }


def request_open_args(draw: Draw, tools: Tools) -> JsonObject:
    seed = _seed(draw, tools, "ohttp.request.open")
    sealed = request_seal_args(draw, tools)
    sealed["key_config"] = seed.get("key_config", sealed["key_config"])
    try:
        request = str(tools.build("ohttp.request.seal", sealed)["request"])
    except BuildFailed:
        request = str(seed.get("request", ""))
    return {**seed, "request": mutate_hex(draw, request) if draw.chance(3) else request}


def response_seal_args(draw: Draw, tools: Tools) -> JsonObject:
    seed = _seed(draw, tools, "ohttp.response.seal")
    context = str(seed.get("context", ""))
    return {
        "context": mutate_hex(draw, context, rounds=1) if draw.chance(8) else context,
        "bhttp": draw.blob(9000).hex() if draw.boolean() else str(seed.get("bhttp", "")),
        "response_nonce": draw.exact(32).hex(),
    }


def response_open_args(draw: Draw, tools: Tools) -> JsonObject:
    sealed = response_seal_args(draw, tools)
    try:
        response = str(tools.build("ohttp.response.seal", sealed)["response"])
    except BuildFailed:
        response = str(_seed(draw, tools, "ohttp.response.open").get("response", ""))
    if draw.chance(3):
        response = mutate_hex(draw, response)
    return {"context": sealed["context"], "response": response}


TARGETS = [
    Target("bhttp.request.decode", "ohttp", bhttp_decode_args),
    Target("bhttp.request.encode", "ohttp", bhttp_encode_args),
    Target("ohttp.request.open", "ohttp", request_open_args),
    Target("ohttp.response.open", "ohttp", response_open_args),
    Target("ohttp.request.seal", "ohttp", request_seal_args),
    Target("ohttp.response.seal", "ohttp", response_seal_args),
]
