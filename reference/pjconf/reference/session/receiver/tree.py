"""Receiver events to and from serde's data model (the tree the JSON and CBOR codecs print)."""

from __future__ import annotations

import enum
from typing import Any

from pjconf.reference.bitcoin import psbt_json as pj
from pjconf.reference.bitcoin.encoding import display_hex, from_display_hex
from pjconf.reference.payjoin.params import OutputSubstitution, Params
from pjconf.reference.session import serde_values as sv
from pjconf.reference.session.receiver import events as r
from pjconf.reference.session.serde_values import At

Json = Any

VARIANTS = frozenset(
    [
        "Created",
        "RetrievedOriginalPayload",
        "CheckedBroadcastSuitability",
        "CheckedInputsNotOwned",
        "CheckedNoInputsSeenBefore",
        "IdentifiedReceiverOutputs",
        "CommittedOutputs",
        "CommittedInputs",
        "AppliedFeeRange",
        "FinalizedProposal",
        "GotReplyableError",
        "PostedPayjoinProposal",
        "Cancelled",
        "ProtocolFailed",
        "Closed",
    ]
)
OUTCOMES = frozenset(
    ["Success", "Aborted", "FallbackBroadcasted", "PayjoinProposalSent", "Unrecognized"]
)
SUBSTITUTION = {OutputSubstitution.ENABLED: "Enabled", OutputSubstitution.DISABLED: "Disabled"}
SUBSTITUTION_BY_NAME = {v: k for k, v in SUBSTITUTION.items()}
_EMPTY_TUPLE: dict[type, str] = {
    r.CheckedBroadcastSuitability: "CheckedBroadcastSuitability",
    r.CheckedInputsNotOwned: "CheckedInputsNotOwned",
    r.CheckedNoInputsSeenBefore: "CheckedNoInputsSeenBefore",
    r.PostedPayjoinProposal: "PostedPayjoinProposal",
}
_EMPTY_BY_NAME = {v: k for k, v in _EMPTY_TUPLE.items()}


# --- encoding ---------------------------------------------------------------------------------


def _opt_bytes(b: bytes | None, cbor: bool) -> Json:
    return None if b is None else sv.bytes_out(b, cbor)


def context_to_tree(c: r.SessionContext, cbor: bool) -> Json:
    return {
        "address": c.address,
        "directory": c.directory.serialize(),
        "ohttp_keys": sv.bytes_out(c.ohttp_keys.encode(), cbor),
        "expiration": c.expiration,
        "amount": c.amount,
        "receiver_key": [
            sv.bytes_out(c.receiver_key.secret, cbor),
            sv.bytes_out(c.receiver_key.public, cbor),
        ],
        "reply_key": _opt_bytes(c.reply_key, cbor),
        "max_fee_rate": c.max_fee_rate,
    }


def params_to_tree(p: Params) -> Json:
    contribution = p.additional_fee_contribution
    return {
        "v": p.v,
        "output_substitution": SUBSTITUTION[p.output_substitution],
        "additional_fee_contribution": None if contribution is None else list(contribution),
        "min_fee_rate": p.min_fee_rate,
    }


def input_pair_to_tree(i: r.InputPair) -> Json:
    return {
        "txin": pj.txin_to_json(i.txin),
        "psbtin": pj.input_to_json(i.psbtin),
        "expected_weight": i.expected_weight,
    }


def _outcome_to_tree(o: r.SessionOutcome) -> Json:
    if isinstance(o, r.Success):
        return {"Success": display_hex(o.txid)}
    if isinstance(o, r.Unrecognized):
        return {"Unrecognized": display_hex(o.txid)}
    return type(o).__name__


def to_tree(e: r.ReceiverEvent, cbor: bool = False) -> Json:
    """The event as serde's externally tagged enum; ``cbor`` turns byte arrays into bytes."""
    if isinstance(e, r.Created):
        return {"Created": context_to_tree(e.context, cbor)}
    if isinstance(e, r.RetrievedOriginalPayload):
        original = {
            "psbt": pj.psbt_to_json(e.original.psbt),
            "params": params_to_tree(e.original.params),
        }
        return {
            "RetrievedOriginalPayload": {
                "original": original,
                "reply_key": _opt_bytes(e.reply_key, cbor),
            }
        }
    name = _EMPTY_TUPLE.get(type(e))
    if name is not None:
        return {name: []}
    if isinstance(e, r.IdentifiedReceiverOutputs):
        return {"IdentifiedReceiverOutputs": list(e.owned_vouts)}
    if isinstance(e, r.CommittedOutputs):
        outputs = [pj.txout_to_json(o) for o in e.outputs]
        return {"CommittedOutputs": {"outputs": outputs, "change_vout": e.change_vout}}
    if isinstance(e, r.CommittedInputs):
        return {
            "CommittedInputs": {
                "receiver_inputs": [input_pair_to_tree(i) for i in e.receiver_inputs],
                "payjoin_psbt": pj.psbt_to_json(e.payjoin_psbt),
            }
        }
    if isinstance(e, r.AppliedFeeRange):
        return {
            "AppliedFeeRange": {
                "original_psbt": pj.psbt_to_json(e.context.original_psbt),
                "payjoin_psbt": pj.psbt_to_json(e.context.payjoin_psbt),
            }
        }
    if isinstance(e, r.FinalizedProposal):
        return {"FinalizedProposal": pj.psbt_to_json(e.psbt)}
    if isinstance(e, r.GotReplyableError):
        reply = e.reply
        return {
            "GotReplyableError": {
                "error_code": reply.error_code.value,
                "message": reply.message,
                "extra": reply.extra,
            }
        }
    if isinstance(e, r.Cancelled | r.ProtocolFailed):
        return type(e).__name__
    if isinstance(e, r.Closed):
        return {"Closed": _outcome_to_tree(e.outcome)}
    raise TypeError(f"not a receiver event: {type(e).__name__}")


# --- decoding ---------------------------------------------------------------------------------


def key_pair(at: At) -> r.HpkeKeyPair:
    secret, public = at.items(2)
    return r.HpkeKeyPair(sv.secret_key(secret), sv.public_key(public))


def context_from(at: At) -> r.SessionContext:
    f = at.obj(())
    return r.SessionContext(
        address=sv.address(at.req(f, "address")),
        directory=sv.url(at.req(f, "directory")),
        ohttp_keys=sv.ohttp_keys(at.req(f, "ohttp_keys")),
        expiration=sv.time(at.req(f, "expiration")),
        amount=sv.optional(at, f, "amount", lambda a: a.uint(64)),
        receiver_key=key_pair(at.req(f, "receiver_key")),
        reply_key=sv.optional(at, f, "reply_key", sv.public_key),
        max_fee_rate=at.req(f, "max_fee_rate").uint(64),
    )


def _version(at: At) -> int:
    v = at.uint(8)
    if v not in (1, 2):
        raise at.err("InvalidValue", "Invalid version")
    return v


def _contribution(at: At) -> tuple[int, int]:
    amount, vout = at.items(2)
    return amount.uint(64), vout.uint(64)


def params_from(at: At) -> Params:
    f = at.obj(())
    return Params(
        v=_version(at.req(f, "v")),
        output_substitution=substitution_from(at.req(f, "output_substitution")),
        additional_fee_contribution=sv.optional(
            at, f, "additional_fee_contribution", _contribution
        ),
        min_fee_rate=at.req(f, "min_fee_rate").uint(64),
    )


class _Substitution(enum.Enum):
    ENABLED = "Enabled"
    DISABLED = "Disabled"

    def to_reference(self) -> OutputSubstitution:
        return SUBSTITUTION_BY_NAME[self.value]


def substitution_from(at: At) -> OutputSubstitution:
    return sv.unit_enum(at, _Substitution).to_reference()


def _input_pair(at: At) -> r.InputPair:
    f = at.obj(())
    return r.InputPair(
        pj.txin_from_json(at.req(f, "txin")),
        pj.input_from_json(at.req(f, "psbtin")),
        at.req(f, "expected_weight").uint(64),
    )


def _txid(at: At) -> bytes:
    return at.parse(lambda s: sv.leaf(at, lambda: _txid_bytes(s)))


def _txid_bytes(s: str) -> bytes:
    b = from_display_hex(s)
    if len(b) != 32:
        raise sv.DecodeError("InvalidLength", "", f"a txid is 32 bytes, got {len(b)}")
    return b


def _outcome(at: At) -> r.SessionOutcome:
    name, payload = sv.variant(at, OUTCOMES)
    if name in ("Success", "Unrecognized"):
        txid = _txid(sv.needs_payload(at, name, payload))
        return r.Success(txid) if name == "Success" else r.Unrecognized(txid)
    sv.unit_payload(at, name, payload)
    if name == "Aborted":
        return r.Aborted()
    return r.FallbackBroadcasted() if name == "FallbackBroadcasted" else r.PayjoinProposalSent()


def _reply(at: At) -> r.JsonReply:
    f = at.obj(())
    return r.JsonReply(
        sv.unit_enum(at.req(f, "error_code"), r.ErrorCode),
        sv.text(at.req(f, "message")),
        sv.json_map(at.req(f, "extra")),
    )


def from_tree(value: Json) -> r.ReceiverEvent:
    """Decode as serde does; every failure is a ``DecodeError`` naming its path."""
    at = sv.at_root(value)
    name, payload = sv.variant(at, VARIANTS)
    if name in ("Cancelled", "ProtocolFailed"):
        sv.unit_payload(at, name, payload)
        return r.Cancelled() if name == "Cancelled" else r.ProtocolFailed()
    if name in _EMPTY_BY_NAME:
        sv.empty_tuple_payload(at, name, payload)
        return _EMPTY_BY_NAME[name]()  # type: ignore[no-any-return]
    p = sv.needs_payload(at, name, payload)
    if name == "Created":
        return r.Created(context_from(p))
    if name == "RetrievedOriginalPayload":
        f = p.obj(())
        o_at = p.req(f, "original")
        of = o_at.obj(())
        original = r.OriginalPayload(
            pj.psbt_from_at(o_at.req(of, "psbt")), params_from(o_at.req(of, "params"))
        )
        return r.RetrievedOriginalPayload(original, sv.optional(p, f, "reply_key", sv.public_key))
    if name == "IdentifiedReceiverOutputs":
        return r.IdentifiedReceiverOutputs(tuple(i.uint(64) for i in p.items()))
    if name == "CommittedOutputs":
        f = p.obj(())
        outputs = tuple(pj.txout_from_json(o) for o in p.req(f, "outputs").items())
        return r.CommittedOutputs(outputs, p.req(f, "change_vout").uint(64))
    if name == "CommittedInputs":
        f = p.obj(())
        inputs = tuple(_input_pair(i) for i in p.req(f, "receiver_inputs").items())
        return r.CommittedInputs(inputs, pj.psbt_from_at(p.req(f, "payjoin_psbt")))
    if name == "AppliedFeeRange":
        f = p.obj(())
        return r.AppliedFeeRange(
            r.ReceiverPsbtContext(
                pj.psbt_from_at(p.req(f, "original_psbt")),
                pj.psbt_from_at(p.req(f, "payjoin_psbt")),
            )
        )
    if name == "FinalizedProposal":
        return r.FinalizedProposal(pj.psbt_from_at(p))
    if name == "GotReplyableError":
        return r.GotReplyableError(_reply(p))
    return r.Closed(_outcome(p))
