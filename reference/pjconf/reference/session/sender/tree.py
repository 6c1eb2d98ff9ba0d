"""Sender events to and from serde's data model (the tree the JSON and CBOR codecs print)."""

from __future__ import annotations

from typing import Any

from pjconf.reference.bitcoin import psbt_json as pj
from pjconf.reference.session import serde_values as sv
from pjconf.reference.session.receiver import tree as rt
from pjconf.reference.session.sender import events as s
from pjconf.reference.session.serde_values import At

Json = Any

VARIANTS = frozenset(("Created", "PostedOriginalPsbt", "Cancelled", "Closed"))
OUTCOMES = frozenset(("Success", "Aborted"))


def pj_param_to_tree(p: s.PjParam, cbor: bool) -> Json:
    return {
        "directory": p.directory.serialize(),
        "id": sv.bytes_out(p.id, cbor),
        "expiration": p.expiration,
        "ohttp_keys": sv.bytes_out(p.ohttp_keys.encode(), cbor),
        "receiver_pubkey": sv.bytes_out(p.receiver_pubkey, cbor),
    }


def psbt_ctx_to_tree(c: s.SenderContext) -> Json:
    fc = c.fee_contribution
    return {
        "original_psbt": pj.psbt_to_json(c.original_psbt),
        "output_substitution": rt.SUBSTITUTION[c.output_substitution],
        "fee_contribution": None if fc is None else {"max_amount": fc.max_amount, "vout": fc.vout},
        "min_fee_rate": c.min_fee_rate,
        "payee": c.payee.hex(),
    }


def to_tree(e: s.SenderEvent, cbor: bool = False) -> Json:
    """The event as serde's externally tagged enum; ``cbor`` turns byte arrays into bytes."""
    if isinstance(e, s.Created):
        c = e.context
        return {
            "Created": {
                "pj_param": pj_param_to_tree(c.pj_param, cbor),
                "psbt_ctx": psbt_ctx_to_tree(c.psbt_ctx),
                "reply_key": sv.bytes_out(c.reply_key, cbor),
            }
        }
    if isinstance(e, s.PostedOriginalPsbt):
        return {"PostedOriginalPsbt": []}
    if isinstance(e, s.Cancelled):
        return {"Cancelled": []}
    if isinstance(e, s.Closed):
        o = e.outcome
        return {
            "Closed": {"Success": pj.psbt_to_json(o.psbt)}
            if isinstance(o, s.Success)
            else "Aborted"
        }
    raise TypeError(f"not a sender event: {type(e).__name__}")


def _pj_param(at: At) -> s.PjParam:
    f = at.obj(())
    return s.PjParam(
        directory=sv.url(at.req(f, "directory")),
        id=sv.byte_array(at.req(f, "id"), 8),
        expiration=sv.time(at.req(f, "expiration")),
        ohttp_keys=sv.ohttp_keys(at.req(f, "ohttp_keys")),
        receiver_pubkey=sv.public_key(at.req(f, "receiver_pubkey")),
    )


def _fee_contribution(at: At) -> s.AdditionalFeeContribution:
    f = at.obj(())
    return s.AdditionalFeeContribution(at.req(f, "max_amount").uint(64), at.req(f, "vout").uint(64))


def _psbt_ctx(at: At) -> s.SenderContext:
    f = at.obj(())
    return s.SenderContext(
        original_psbt=pj.psbt_from_at(at.req(f, "original_psbt")),
        output_substitution=rt.substitution_from(at.req(f, "output_substitution")),
        fee_contribution=sv.optional(at, f, "fee_contribution", _fee_contribution),
        min_fee_rate=at.req(f, "min_fee_rate").uint(64),
        payee=at.req(f, "payee").hex(),
    )


def _context(at: At) -> s.SessionContext:
    f = at.obj(())
    return s.SessionContext(
        _pj_param(at.req(f, "pj_param")),
        _psbt_ctx(at.req(f, "psbt_ctx")),
        sv.secret_key(at.req(f, "reply_key")),
    )


def from_tree(value: Json) -> s.SenderEvent:
    """Decode as serde does; every failure is a ``DecodeError`` naming its path."""
    at = sv.at_root(value)
    name, payload = sv.variant(at, VARIANTS)
    if name in ("PostedOriginalPsbt", "Cancelled"):
        sv.empty_tuple_payload(at, name, payload)
        return s.PostedOriginalPsbt() if name == "PostedOriginalPsbt" else s.Cancelled()
    p = sv.needs_payload(at, name, payload)
    if name == "Created":
        return s.Created(_context(p))
    outcome, o_payload = sv.variant(p, OUTCOMES)
    if outcome == "Aborted":
        sv.unit_payload(p, outcome, o_payload)
        return s.Closed(s.Aborted())
    return s.Closed(s.Success(pj.psbt_from_at(sv.needs_payload(p, outcome, o_payload))))
