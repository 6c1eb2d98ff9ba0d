"""Hypothesis strategies for every payjoin 1.0 session event variant of both roles.

Values are drawn as serde would accept them (valid keys, URLs, addresses, times), so each event
survives a round trip through the crate as well as through the reference's codecs. With
``rust_safe`` the PSBTs carry no tap leaf scripts (rust-bitcoin cannot read back the
``output_key_parity`` it writes) and error replies carry no floats (serde_json's default float
parser is not correctly rounded and may move a value by one ulp); both are findings pinned as
vectors (docs/rust-payjoin-findings.md).
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from hypothesis import strategies as st
from psbt_strategies import inputs, psbts, scripts, witness

from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.bip77.url import parse_url
from pjconf.reference.bitcoin import address
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.bitcoin.tx import OutPoint, TxIn, TxOut
from pjconf.reference.crypto.secp256k1 import public_key
from pjconf.reference.payjoin.params import OutputSubstitution, Params
from pjconf.reference.session.receiver import events as r
from pjconf.reference.session.sender import events as s

SECRETS = [hashlib.sha256(b"event-key" + bytes([i])).digest() for i in range(8)]
PUBLICS = [public_key(k) for k in SECRETS]

u64 = st.integers(0, 2**64 - 1)
u32 = st.integers(0, 2**32 - 1)
hash32 = st.binary(min_size=32, max_size=32)
times = st.integers(500_000_000, 2**32 - 1)
secrets = st.sampled_from(SECRETS)
publics = st.sampled_from(PUBLICS)
substitutions = st.sampled_from(list(OutputSubstitution))
ohttp_configs = st.builds(
    lambda key_id, pk, suites: OhttpKeyConfig(key_id, 0x0016, pk, suites),
    st.integers(0, 255),
    publics,
    st.sampled_from([[(1, 3)], [(1, 1), (1, 3)], [(1, 1)]]),
)
urls = st.builds(
    lambda scheme, host, port, path, query, fragment: parse_url(
        f"{scheme}://{host}{port}{path}{query}{fragment}"
    ),
    st.sampled_from(["https", "http", "HTTPS"]),
    st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,8}(\.[A-Za-z]{2,4})?", fullmatch=True),
    st.sampled_from(["", ":443", ":1234"]),
    st.from_regex(r"(/[A-Za-z0-9]{0,13}){0,2}", fullmatch=True),
    st.sampled_from(["", "?a=b", "?"]),
    st.from_regex(r"(#[A-Z0-9-]{0,20})?", fullmatch=True),
)
_ADDRESS_SCRIPTS = st.one_of(
    st.binary(min_size=20, max_size=20).map(lambda h: b"\x76\xa9\x14" + h + b"\x88\xac"),
    st.binary(min_size=20, max_size=20).map(lambda h: b"\xa9\x14" + h + b"\x87"),
    st.binary(min_size=20, max_size=20).map(lambda h: b"\x00\x14" + h),
    hash32.map(lambda h: b"\x00\x20" + h),
    hash32.map(lambda h: b"\x51\x20" + h),
)
addresses = st.builds(address.encode, _ADDRESS_SCRIPTS, st.sampled_from(list(address.Network)))


def _json_values(with_floats: bool) -> Any:
    choices: list[Any] = [
        st.none(),
        st.booleans(),
        st.integers(-(2**63), 2**64 - 1),
        st.text(max_size=12),
    ]
    if with_floats:
        choices.append(st.floats(allow_nan=False, allow_infinity=False))
    scalars = st.one_of(*choices)
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=6), children, max_size=3)
        ),
        max_leaves=6,
    )


json_values = _json_values(with_floats=True)


def _strip_tap_scripts(p: Psbt) -> Psbt:
    return dataclasses.replace(
        p, inputs=tuple(dataclasses.replace(i, tap_scripts=()) for i in p.inputs)
    )


def psbt_values(rust_safe: bool) -> Any:
    small = psbts(max_inputs=2, max_outputs=2)
    return small.map(_strip_tap_scripts) if rust_safe else small


def _sorted_map(d: dict[str, Any]) -> dict[str, Any]:
    """serde_json's ``Map`` is a BTreeMap: the decoded value has its keys sorted, recursively."""

    def norm(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: norm(v[k]) for k in sorted(v)}
        if isinstance(v, list):
            return [norm(x) for x in v]
        return v

    return norm(d)  # type: ignore[no-any-return]


def receiver_variants(rust_safe: bool = False) -> dict[str, Any]:
    """One strategy per receiver variant (and per ``Closed`` outcome), by name."""
    p = psbt_values(rust_safe)
    psbt_inputs = (
        inputs.map(lambda i: dataclasses.replace(i, tap_scripts=())) if rust_safe else inputs
    )
    context = st.builds(
        r.SessionContext,
        address=addresses,
        directory=urls,
        ohttp_keys=ohttp_configs,
        expiration=times,
        amount=st.none() | u64,
        receiver_key=st.builds(r.HpkeKeyPair, secrets, publics),
        reply_key=st.none() | publics,
        max_fee_rate=u64,
    )
    params = st.builds(
        Params,
        st.sampled_from([1, 2]),
        substitutions,
        st.none() | st.tuples(u64, u64),
        u64,
    )
    txins = st.builds(TxIn, st.builds(OutPoint, hash32, u32), scripts, u32, witness)
    pairs = st.builds(r.InputPair, txins, psbt_inputs, u64)
    replies = st.builds(
        r.JsonReply,
        st.sampled_from(list(r.ErrorCode)),
        st.text(max_size=30),
        st.dictionaries(st.text(max_size=8), _json_values(not rust_safe), max_size=3).map(
            _sorted_map
        ),
    )
    return {
        "Created": st.builds(r.Created, context),
        "RetrievedOriginalPayload": st.builds(
            r.RetrievedOriginalPayload,
            st.builds(r.OriginalPayload, p, params),
            st.none() | publics,
        ),
        "CheckedBroadcastSuitability": st.just(r.CheckedBroadcastSuitability()),
        "CheckedInputsNotOwned": st.just(r.CheckedInputsNotOwned()),
        "CheckedNoInputsSeenBefore": st.just(r.CheckedNoInputsSeenBefore()),
        "IdentifiedReceiverOutputs": st.builds(
            r.IdentifiedReceiverOutputs, st.lists(u64, max_size=4).map(tuple)
        ),
        "CommittedOutputs": st.builds(
            r.CommittedOutputs,
            st.lists(st.builds(TxOut, u64, scripts), max_size=3).map(tuple),
            u64,
        ),
        "CommittedInputs": st.builds(r.CommittedInputs, st.lists(pairs, max_size=2).map(tuple), p),
        "AppliedFeeRange": st.builds(r.AppliedFeeRange, st.builds(r.ReceiverPsbtContext, p, p)),
        "FinalizedProposal": st.builds(r.FinalizedProposal, p),
        "GotReplyableError": st.builds(r.GotReplyableError, replies),
        "PostedPayjoinProposal": st.just(r.PostedPayjoinProposal()),
        "Cancelled": st.just(r.Cancelled()),
        "ProtocolFailed": st.just(r.ProtocolFailed()),
        "Closed(Success)": st.builds(lambda t: r.Closed(r.Success(t)), hash32),
        "Closed(Aborted)": st.just(r.Closed(r.Aborted())),
        "Closed(FallbackBroadcasted)": st.just(r.Closed(r.FallbackBroadcasted())),
        "Closed(PayjoinProposalSent)": st.just(r.Closed(r.PayjoinProposalSent())),
        "Closed(Unrecognized)": st.builds(lambda t: r.Closed(r.Unrecognized(t)), hash32),
    }


def sender_variants(rust_safe: bool = False) -> dict[str, Any]:
    """One strategy per sender variant (and per ``Closed`` outcome), by name."""
    p = psbt_values(rust_safe)
    pj_param = st.builds(
        s.PjParam, urls, st.binary(min_size=8, max_size=8), times, ohttp_configs, publics
    )
    psbt_ctx = st.builds(
        s.SenderContext,
        p,
        substitutions,
        st.none() | st.builds(s.AdditionalFeeContribution, u64, u64),
        u64,
        scripts,
    )
    return {
        "Created": st.builds(s.Created, st.builds(s.SessionContext, pj_param, psbt_ctx, secrets)),
        "PostedOriginalPsbt": st.just(s.PostedOriginalPsbt()),
        "Cancelled": st.just(s.Cancelled()),
        "Closed(Success)": st.builds(lambda x: s.Closed(s.Success(x)), p),
        "Closed(Aborted)": st.just(s.Closed(s.Aborted())),
    }


def receiver_events(rust_safe: bool = False) -> Any:
    return st.one_of(*receiver_variants(rust_safe).values())


def sender_events(rust_safe: bool = False) -> Any:
    return st.one_of(*sender_variants(rust_safe).values())
