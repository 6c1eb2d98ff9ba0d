"""What a driven session's logs say about the payment, without what an implementation draws.

Two implementations that run the same path with the same wallets must agree on the payment
itself: amounts, outputs, the fee the sender offers and the fee the receiver takes, the
output-substitution flag, the protocol version, the inputs of every PSBT. They may differ in
their own keys and random draws. :func:`project` maps one event text onto the first: it drops
the fields listed in :data:`VARIES` (each with the reason it may differ) and turns every PSBT
into :func:`psbt_content`. The error messages an event carries are not normative (BIP 78: a
human-readable ``message``); :func:`texts` collects them for the ``payjoin-1.0`` profile, which
pins payjoin 1.0's own texts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Final
from urllib.parse import urlsplit

from pjconf.protocol.wire import JsonObject

Json = Any

VARIES: Final[dict[str, str]] = {
    "receiver.Created.receiver_key": "the receiver's own HPKE key pair (a random draw)",
    "receiver.RetrievedOriginalPayload.reply_key": "the sender's reply key (a random draw)",
    "receiver.GotReplyableError.message": "free text (BIP 78 fixes errorCode, not message); "
    "pinned under payjoin-1.0 as `texts`",
    "receiver.Closed.Success": "the payjoin's txid depends on where the receiver's input went "
    "(BIP 78: the receiver should insert it at a random position)",
    "sender.Created.pj_param.id": "the mailbox id, derived from the receiver's key",
    "sender.Created.pj_param.receiver_pubkey": "the receiver's own key",
    "sender.Created.pj_param.directory": "path and fragment name the mailbox and the receiver's "
    "key; only the directory's origin (lower-cased) is compared",
    "sender.Created.reply_key": "the sender's reply key (a random draw)",
    "psbt.input_order": "inputs are compared as a set, by outpoint: BIP 78 has the receiver "
    "insert its inputs at random positions (the sender's keep their relative order)",
    "psbt.signatures": "signatures commit to the transaction, so to the input order: "
    "final_script_sig, final_script_witness, partial_sigs and taproot signatures are compared "
    "by presence (witness: item count; partial_sigs: the signing keys)",
}
"""What legitimately differs between implementations, by ``<role>.<variant>.<field path>``
(``psbt.*``: inside every PSBT), with the reason."""

_SIGNATURES: Final = ("final_script_sig", "tap_key_sig")
"""PSBT input fields compared by presence only."""


def project(role: str, text: str) -> Json:
    """The deterministic content of one event of ``role``'s log (``"<not JSON>"`` if none)."""
    try:
        value: Json = json.loads(text)
    except ValueError:
        return "<not JSON>"
    if not isinstance(value, dict) or len(value) != 1:
        return _walk(value)
    ((name, payload),) = value.items()
    return {name: _walk(_drop(f"{role}.{name}", payload))}


def contents(role: str, events: Iterable[str]) -> list[Json]:
    """:func:`project` of every event of a log."""
    return [project(role, text) for text in events]


def texts(role: str, events: Iterable[str]) -> list[Json]:
    """``[variant, message]`` of each event that carries a message (payjoin 1.0's texts)."""
    out: list[Json] = []
    for text in events:
        try:
            value: Json = json.loads(text)
        except ValueError:
            continue
        if isinstance(value, dict) and len(value) == 1:
            ((name, payload),) = value.items()
            if isinstance(payload, dict) and isinstance(payload.get("message"), str):
                out.append([name, payload["message"]])
    return out


def varying(role: str, events: Iterable[str]) -> list[JsonObject]:
    """The :data:`VARIES` entries that a log of ``role`` actually contains, with reasons."""
    found: set[str] = set()
    for text in events:
        try:
            value: Json = json.loads(text)
        except ValueError:
            continue
        if not isinstance(value, dict) or len(value) != 1:
            continue
        ((name, payload),) = value.items()
        found.update(_present(f"{role}.{name}", payload))
        if _has_psbt(payload):
            found.update({"psbt.input_order", "psbt.signatures"})
    return [{"field": f, "reason": VARIES[f]} for f in VARIES if f in found]


def _present(prefix: str, payload: Json) -> set[str]:
    """The :data:`VARIES` keys under ``prefix`` that ``payload`` has a value for."""
    hits: set[str] = set()
    for key in VARIES:
        if not key.startswith(prefix + "."):
            continue
        node = payload
        for part in key[len(prefix) + 1 :].split("."):
            node = node.get(part, _ABSENT) if isinstance(node, dict) else _ABSENT
        if node is not _ABSENT:
            hits.add(key)
    return hits


_ABSENT: Final = object()


def _drop(prefix: str, payload: Json) -> Json:
    """``payload`` with the :data:`VARIES` fields under ``prefix`` replaced by ``"<varies>"``
    (a directory URL by its lower-cased origin)."""
    for key in VARIES:
        if key.startswith(prefix + "."):
            payload = _without(payload, key[len(prefix) + 1 :].split("."))
    return payload


def _without(node: Json, path: list[str]) -> Json:
    if not isinstance(node, dict) or path[0] not in node:
        return node
    head, rest = path[0], path[1:]
    if rest:
        return {**node, head: _without(node[head], rest)}
    if head == "directory" and isinstance(node[head], str):
        parts = urlsplit(node[head])
        return {**node, head: f"{parts.scheme}://{parts.netloc}/".lower()}
    return {**node, head: VARYING}


VARYING: Final = "<varies>"
"""What a :data:`VARIES` field is replaced with (so the content keeps its shape)."""


def _has_psbt(node: Json) -> bool:
    if isinstance(node, dict):
        return "unsigned_tx" in node or any(_has_psbt(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_psbt(v) for v in node)
    return False


def _walk(node: Json) -> Json:
    if isinstance(node, dict):
        if "unsigned_tx" in node and "inputs" in node:
            return psbt_content(node)
        return {k: _walk(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_walk(v) for v in node]
    return node


def psbt_content(psbt: JsonObject) -> JsonObject:
    """A PSBT (payjoin's serde form) as what the payment fixes: the transaction's version, lock
    time and outputs in order, and each input (its outpoint, sequence and script_sig, with its
    PSBT map, signatures by presence) as a set sorted by outpoint."""
    tx = psbt.get("unsigned_tx", {})
    txins = tx.get("input", []) if isinstance(tx, dict) else []
    maps = psbt.get("inputs", [])
    inputs = []
    for i, txin in enumerate(txins):
        psbtin = maps[i] if isinstance(maps, list) and i < len(maps) else None
        inputs.append({"txin": _txin(txin), "psbtin": _psbt_input(psbtin)})
    inputs.sort(key=lambda entry: json.dumps(entry["txin"], sort_keys=True))
    rest = {k: _walk(v) for k, v in psbt.items() if k not in ("unsigned_tx", "inputs", "outputs")}
    maps_out = psbt.get("outputs")
    if isinstance(maps_out, list):
        rest["outputs"] = [_set(m) if isinstance(m, dict) else m for m in maps_out]
    return _set(
        {
            "tx_version": tx.get("version") if isinstance(tx, dict) else None,
            "lock_time": tx.get("lock_time") if isinstance(tx, dict) else None,
            "inputs": inputs,
            "tx_outputs": tx.get("output") if isinstance(tx, dict) else None,
            **rest,
        }
    )


def _set(node: JsonObject) -> JsonObject:
    """``node`` without its unset fields (serde writes every PSBT field, set or not)."""
    return {k: v for k, v in node.items() if v is not None and v not in ({}, [])}


def _txin(txin: Json) -> Json:
    if not isinstance(txin, dict):
        return txin
    witness = txin.get("witness")
    return _set(
        {
            **{k: v for k, v in txin.items() if k not in ("witness", "script_sig")},
            "script_sig": True if txin.get("script_sig") else None,
            "witness": len(witness) if isinstance(witness, list) and witness else None,
        }
    )


def _psbt_input(psbtin: Json) -> Json:
    if not isinstance(psbtin, dict):
        return psbtin
    out = dict(psbtin)
    for key in _SIGNATURES:
        if key in out:
            out[key] = True if out[key] is not None else None
    witness = out.get("final_script_witness")
    if isinstance(witness, list):
        out["final_script_witness"] = len(witness)
    sigs = out.get("partial_sigs")
    if isinstance(sigs, dict):
        out["partial_sigs"] = sorted(sigs)
    script_sigs = out.get("tap_script_sigs")
    if isinstance(script_sigs, list) and script_sigs:
        out["tap_script_sigs"] = len(script_sigs)
    return _set(out)
