"""``uri.parse``, ``short_id`` and ``ohttp.keys.decode``: the values a payjoin URI carries.

URIs are the corpus's (BIP 21 with ``pj``, ``pjos``, amounts, fragments with ``EX1``, ``OH1``,
``RK1``), edited as text with the characters that separate and escape their parts, and with
parameters added, repeated or re-cased; keys and key configurations are the corpus's, mutated
as bytes.
"""

from __future__ import annotations

from pjconf.harness.fuzz.draw import Draw
from pjconf.harness.fuzz.strategies import Target, Tools
from pjconf.harness.fuzz.strategies.mutate import TOKENS, mutate_hex, mutate_text
from pjconf.protocol.wire import JsonObject

URI_TOKENS = (
    *TOKENS,
    "bitcoin:",
    "BITCOIN:",
    "pj=",
    "PJ=",
    "pjos=0",
    "pjos=1",
    "amount=",
    "amount=0.00000001",
    "amount=21000000.00000001",
    "amount=1e3",
    "&pj=https://example.com",
    "%23EX1",
    "EX1",
    "-OH1",
    "-RK1",
    "+",
    "#",
    ":443",
    ":65536",
    "HTTPS://",
    "http://",
    "[::1]",
    "req-",
)


def uri_args(draw: Draw, tools: Tools) -> JsonObject:
    seeds = tools.seeds("uri.parse")
    uri = str(draw.pick(seeds).get("uri", "")) if seeds else "bitcoin:"
    if draw.below(4):
        uri = mutate_text(draw, uri, URI_TOKENS)
    return {"uri": uri}


def _hex_seed(draw: Draw, tools: Tools, op: str, name: str) -> str:
    seeds = [s for s in tools.seeds(op) if isinstance(s.get(name), str)]
    value = str(draw.pick(seeds)[name]) if seeds else ""
    return mutate_hex(draw, value) if draw.below(3) else value


def short_id_args(draw: Draw, tools: Tools) -> JsonObject:
    return {"pk": _hex_seed(draw, tools, "short_id", "pk")}


def keys_args(draw: Draw, tools: Tools) -> JsonObject:
    return {"bytes": _hex_seed(draw, tools, "ohttp.keys.decode", "bytes")}


TARGETS = [
    Target("uri.parse", "uri", uri_args),
    Target("short_id", "uri", short_id_args),
    Target("ohttp.keys.decode", "uri", keys_args),
]
