"""Inputs whose answer the specifications leave open, recognised as the corpus flags them.

``pjconf run`` judges a corpus case ``acceptable`` where a flag of
``vectorgen.profiles.OPEN`` marks a choice (docs/vectors.md, "Open answers"). A drawn input has
no flags, so the differ asks this module whether the input shows one of those choices, and then
judges it as the corpus judges such a case, under the profiles where the choice is open:

- ``StructAsSequence`` (events, replay logs): a struct given as a JSON array of its fields,
  which serde's derive reads. The reference refuses it; the input with the arrays written back
  as objects (field names from the corpus's own events) is asked again, and an acceptance must
  give that answer;
- ``EmptyFieldNameWritten`` (``bhttp.request.encode``): a header with an empty name, which
  bhttp 0.6.1 writes;
- ``NoSupportedSuite``, ``AesGcmSuiteKept`` (``ohttp.keys.decode``): a key configuration with
  no suite but ChaCha20-Poly1305's, or with AES-128-GCM listed (RFC 9458 §3 lets a client skip
  suites);
- ``AesGcmFirst`` (``ohttp.request.seal``): AES-128-GCM first, which payjoin 1.0 cannot seal
  with and later releases skip.

A choice never excuses anything else wrong with the input: the oracle is asked again with the
open feature taken out (the *neutral* input). If it accepts that, the choice is all that made
the oracle refuse, and the case is ``acceptable``; if it refuses it, the input is wrong either
way, so any refusal is right and only an acceptance is judged (against the oracle's refusal).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pjconf.harness.corpus.load import load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.corpus.profiles import DEFAULT_PROFILE, PROFILES
from pjconf.harness.implementations.client import Reply
from pjconf.protocol.wire import JsonObject

Ask = Callable[[str, JsonObject], Reply]
"""The oracle, asked once more (an op and its arguments)."""

BIP77_ONLY = frozenset({DEFAULT_PROFILE})
EVERY_PROFILE = frozenset(PROFILES)

CHACHA20_POLY1305 = (0x0001, 0x0003)
"""(KDF, AEAD) of the one suite BIP 77 uses: HKDF-SHA256, ChaCha20-Poly1305."""
AES_128_GCM = (0x0001, 0x0001)
SECP256K1_KEM = 0x0016

NOTES: dict[str, JsonObject] = {
    "StructAsSequence": {
        "description": "A struct given as a JSON array of its fields, which serde's derive "
        "reads (payjoin accepts, the reference refuses).",
        "effect": "acceptable: refuse it, or accept it and answer as for the object form.",
    },
    "EmptyFieldNameWritten": {
        "description": "A BHTTP field with an empty name, which bhttp 0.6.1 writes.",
        "effect": "acceptable: refuse it or encode it.",
    },
    "NoSupportedSuite": {
        "description": "A key configuration none of whose suites is ChaCha20-Poly1305.",
        "effect": "acceptable: refuse it (UnsupportedSuite) or keep an empty or partial list.",
    },
    "AesGcmSuiteKept": {
        "description": "A key configuration listing AES-128-GCM (RFC 9458 section 3 lets a "
        "client skip suites it does not support).",
        "effect": "acceptable under bip77: keep the suite or drop it.",
    },
    "AesGcmFirst": {
        "description": "A key configuration whose first suite is AES-128-GCM.",
        "effect": "acceptable under bip77: seal with a later ChaCha20-Poly1305 suite or refuse.",
    },
}


@dataclass(frozen=True)
class Choice:
    """What the differ judges the implementation's answer against, in place of the oracle's."""

    flag: str
    case: JsonObject | None
    """An ``acceptable`` corpus case (no ``tcId``), or None: any refusal is right, and only an
    acceptance is judged, against the oracle's own refusal."""


def open_choice(op: str, args: JsonObject, oracle: Reply, ask: Ask, profile: str) -> Choice | None:
    """The open choice ``args`` shows under ``profile``, or None (judge strictly)."""
    for rule in RULES.get(op, ()):
        if profile not in rule.profiles:
            continue
        found = rule.check(op, args, oracle, ask)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class Rule:
    profiles: frozenset[str]
    check: Callable[[str, JsonObject, Reply, Ask], Choice | None]


def _acceptable(
    flag: str,
    op: str,
    args: JsonObject,
    expected: JsonObject | None,
    refusal: JsonObject | None = None,
) -> Choice:
    """An ``acceptable`` case: an acceptance must give ``expected`` (when known), a refusal
    must be of ``refusal``'s kind (when the corpus pins one)."""
    case: JsonObject = {"result": "acceptable", "flags": [flag], "op": op, "args": args}
    if expected:
        case["expected"] = expected
    if refusal is not None:
        case["error"] = {"kind": refusal.get("kind")}
    return Choice(flag, case)


def _after_neutral(
    flag: str,
    op: str,
    args: JsonObject,
    neutral: JsonObject,
    ask: Ask,
    *,
    keep: Iterable[str] = (),
    refusal: JsonObject | None = None,
) -> Choice:
    """The choice, once the oracle has answered the neutral input: an acceptance there pins
    the fields ``keep`` names (all of them for ``"*"``), a refusal leaves only refusals right."""
    reply = ask(op, neutral)
    if reply.kind != "result":
        return Choice(flag, None)
    wanted = set(keep)
    expected = (
        reply.value if "*" in wanted else {k: v for k, v in reply.value.items() if k in wanted}
    )
    return _acceptable(flag, op, args, expected, refusal)


# --- StructAsSequence -------------------------------------------------------------------------

FieldPath = tuple[str, ...]


@cache
def _struct_fields(root: Path | None) -> Mapping[tuple[str, FieldPath], tuple[str, ...]]:
    """(role, path) -> the field names of the object every event of the corpus's valid cases
    has there (list positions are ``[]``); paths whose objects differ in their keys (maps,
    enums) are left out, so only what is a struct in every such event is written back."""
    seen: dict[tuple[str, FieldPath], set[tuple[str, ...]]] = {}

    def walk(role: str, node: Any, path: FieldPath) -> None:
        if isinstance(node, dict):
            seen.setdefault((role, path), set()).add(tuple(node))
            for key, value in node.items():
                walk(role, value, (*path, key))
        elif isinstance(node, list):
            for item in node:
                walk(role, item, (*path, "[]"))

    for case in load_corpus(root or vectors_dir()):
        if case.result != "valid" or case.op not in ("event.roundtrip", "replay"):
            continue  # an invalid case's event may be mangled, or the other role's
        role = str(case.args.get("role"))
        texts = case.args.get("events") if case.op == "replay" else [case.args.get("event")]
        for text in texts if isinstance(texts, list) else ():
            _walk_text(role, text, walk)
    return {
        where: names
        for where, (names, *others) in ((w, list(k)) for w, k in seen.items())
        if not others and names and all(map(_field_name, names)) and MAP_FIELD not in where[1]
    }


MAP_FIELD = "extra"
"""``JsonReply.extra`` is a JSON map, whatever keys the corpus's few replies give it."""


def _field_name(key: str) -> bool:
    """A Rust struct field's name (snake_case), not an enum tag (CamelCase) or a map key (a
    hex key or hash)."""
    return re.fullmatch("[a-z][a-z0-9]*(_[a-z0-9]+)*", key) is not None and (
        re.fullmatch("[0-9a-f]{16,}", key) is None
    )


def _walk_text(role: str, text: object, walk: Callable[[str, Any, FieldPath], None]) -> None:
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return
    if isinstance(value, dict):
        walk(role, value, ())


def as_objects(role: str, node: Any, root: Path | None = None, path: FieldPath = ()) -> Any:
    """``node`` with every array that stands where the corpus has a struct, and has as many
    items as the struct has fields, written back as that struct's object."""
    fields = _struct_fields(root)
    if isinstance(node, list):
        names = fields.get((role, path))
        if names is not None and len(names) == len(node):
            node = dict(zip(names, node, strict=True))
        else:
            return [as_objects(role, item, root, (*path, "[]")) for item in node]
    if isinstance(node, dict):
        return {k: as_objects(role, v, root, (*path, k)) for k, v in node.items()}
    return node


def _text_as_objects(role: str, text: object) -> object:
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return text
    if not isinstance(value, dict):
        return text
    written = as_objects(role, value)
    return text if written == value else json.dumps(written, separators=(",", ":"))


def _struct_as_sequence(op: str, args: JsonObject, oracle: Reply, ask: Ask) -> Choice | None:
    if oracle.kind != "error" or oracle.value.get("kind") != "DecodeError":
        return None
    role = str(args.get("role"))
    if op == "event.roundtrip":
        neutral = {**args, "event": _text_as_objects(role, args.get("event"))}
    else:
        events = args.get("events")
        if not isinstance(events, list):
            return None
        neutral = {**args, "events": [_text_as_objects(role, e) for e in events]}
    if neutral == args:
        return None
    return _after_neutral(
        "StructAsSequence", op, args, neutral, ask, keep=("*",), refusal=oracle.value
    )


# --- BHTTP: a field with an empty name --------------------------------------------------------


def _empty_field_name(op: str, args: JsonObject, oracle: Reply, ask: Ask) -> Choice | None:
    if oracle.kind != "error":
        return None
    neutral = dict(args)
    for part in ("headers", "trailers"):
        fields = args.get(part)
        if isinstance(fields, list):
            neutral[part] = [f for f in fields if not (isinstance(f, list) and f[:1] == [""])]
    if neutral == args:
        return None
    return _after_neutral("EmptyFieldNameWritten", op, args, neutral, ask, refusal=oracle.value)


# --- OHTTP key configurations -----------------------------------------------------------------


@dataclass(frozen=True)
class KeyConfig:
    """RFC 9458 §3: key id, KEM id, public key, then (KDF, AEAD) pairs."""

    head: bytes
    suites: tuple[tuple[int, int], ...]

    @classmethod
    def parse(cls, text: object) -> KeyConfig | None:
        """The secp256k1 configuration ``text`` holds (lowercase hex), or None."""
        if not isinstance(text, str):
            return None
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            return None
        if text != raw.hex() or len(raw) < 3 + 65 + 2:
            return None
        if int.from_bytes(raw[1:3], "big") != SECP256K1_KEM:
            return None
        size, rest = int.from_bytes(raw[68:70], "big"), raw[70:]
        if size != len(rest) or size % 4:
            return None
        suites = tuple(
            (int.from_bytes(rest[i : i + 2], "big"), int.from_bytes(rest[i + 2 : i + 4], "big"))
            for i in range(0, size, 4)
        )
        return cls(raw[:68], suites)

    def with_suites(self, suites: Iterable[tuple[int, int]]) -> str:
        listed = b"".join(k.to_bytes(2, "big") + a.to_bytes(2, "big") for k, a in suites)
        return (self.head + len(listed).to_bytes(2, "big") + listed).hex()


def _no_supported_suite(op: str, args: JsonObject, oracle: Reply, ask: Ask) -> Choice | None:
    config = KeyConfig.parse(args.get("bytes"))
    if oracle.kind != "error" or config is None or CHACHA20_POLY1305 in config.suites:
        return None
    neutral = {**args, "bytes": config.with_suites([CHACHA20_POLY1305])}
    keep = ("key_id", "kem_id", "pk")
    return _after_neutral(
        "NoSupportedSuite", op, args, neutral, ask, keep=keep, refusal=oracle.value
    )


def _aes_gcm_kept(op: str, args: JsonObject, oracle: Reply, ask: Ask) -> Choice | None:
    suites = oracle.value.get("suites") if oracle.kind == "result" else None
    if not isinstance(suites, list) or list(AES_128_GCM) not in suites:
        return None
    expected = {k: v for k, v in oracle.value.items() if k != "suites"}
    return _acceptable("AesGcmSuiteKept", op, args, expected)


def _aes_gcm_first(op: str, args: JsonObject, oracle: Reply, ask: Ask) -> Choice | None:
    config = KeyConfig.parse(args.get("key_config"))
    if oracle.kind != "error" or config is None or config.suites[:1] != (AES_128_GCM,):
        return None
    neutral = {**args, "key_config": config.with_suites([CHACHA20_POLY1305])}
    return _after_neutral("AesGcmFirst", op, args, neutral, ask)


RULES: Mapping[str, tuple[Rule, ...]] = {
    "event.roundtrip": (Rule(EVERY_PROFILE, _struct_as_sequence),),
    "replay": (Rule(EVERY_PROFILE, _struct_as_sequence),),
    "bhttp.request.encode": (Rule(EVERY_PROFILE, _empty_field_name),),
    "ohttp.keys.decode": (
        Rule(EVERY_PROFILE, _no_supported_suite),
        Rule(BIP77_ONLY, _aes_gcm_kept),
    ),
    "ohttp.request.seal": (Rule(BIP77_ONLY, _aes_gcm_first),),
}
"""op -> the choices its inputs can show, and the profiles where each is open (the corpus's
``vectorgen.profiles.OPEN``: ``AesGcmSuiteKept`` and ``AesGcmFirst`` are pinned to payjoin
1.0's answer under ``payjoin-1.0``; the others stay ``acceptable`` there too)."""
