"""Which answers the normative text leaves open, and what payjoin 1.0 answers there.

The top-level ``result``/``expected``/``error`` of a case is its verdict under the default
profile, ``bip77``. Where a flag marks a choice payjoin 1.0 made (:data:`OPEN`), the case is
``acceptable`` there and carries payjoin 1.0's exact answer in ``profiles["payjoin-1.0"]``:

- ``refuse``: refusing is as correct as payjoin's acceptance; an acceptance must still give
  payjoin's result (``expected`` stays);
- ``output``: the result itself is the choice (a URL's spelling, a merged header), so under
  ``bip77`` any answer but a broken adapter is acceptable (``expected`` goes to the profile).

A case that was ``acceptable`` already gains the pin when payjoin 1.0's direction is known and the
reference, which the corpus is generated from, takes it too (``pin``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pjconf.harness.corpus.profiles import PAYJOIN_10

Json = dict[str, Any]


@dataclass(frozen=True)
class Open:
    mode: Literal["refuse", "output"]
    alternatives: str
    """What else the normative text allows (it goes into the flag's note)."""
    pin: Literal["accepts", "refuses"] | None = None
    """For an already ``acceptable`` case: payjoin 1.0's direction, when the reference takes it
    too; ``None`` leaves the case ``acceptable`` in every profile."""
    groups: tuple[str, ...] = ()
    """Only cases of these group types (empty: every group)."""


_URL = (
    "any parse the URL standard allows: a WHATWG parser lower-cases the host, drops a default "
    "port and resolves IPv4 shorthand (WHATWG URL, host and port states; RFC 3986 section 6.2 "
    "calls the same rewrites equivalent)"
)

OPEN: Mapping[str, Mapping[str, Open]] = {
    "hpke": {
        "HybridEnc": Open(
            "refuse",
            "decrypt (libsecp256k1 parses 06/07) or InvalidKey (RFC 9180 section 7.1.1's "
            "DeserializePublicKey takes the uncompressed 04 form only)",
            pin="accepts",
        ),
    },
    "ohttp": {
        "AesGcmFirst": Open(
            "refuse",
            "seal with ChaCha20-Poly1305, a later suite of the list (RFC 9458 section 3 lets a "
            "client use any listed suite it supports), or refuse (bitcoin-ohttp 0.6 takes the "
            "first suite and cannot seal with AES-128-GCM)",
        ),
    },
    "bhttp": {
        "CookieMerge": Open(
            "output",
            "keep each cookie field line as sent (RFC 9292 section 3.5 carries field lines, it "
            "merges nothing) or join them with '; ' as bhttp 0.6.1 does (RFC 9113 section 8.2.3)",
        ),
        "UrlQuirk": Open("output", _URL),
        "EmptyFieldNameWritten": Open(
            "refuse", "write the empty name (bhttp 0.6.1) or refuse it (a field name is a token)"
        ),
    },
    "uri": {
        "PayjoinUrl": Open("output", _URL),
        "ParamOrder": Open(
            "output", "any parameter order (BIP 21 fixes none)", groups=("UriDisplay",)
        ),
        "UnknownParamDropped": Open(
            "output",
            "write the unknown parameter back or drop it (BIP 21 only says it may be ignored)",
            groups=("UriDisplay",),
        ),
        "UnsupportedSuiteStripped": Open(
            "output",
            "report the unsupported suite or drop it (RFC 9458 section 3 lets a client "
            "skip suites it does not support)",
        ),
        "AmountLenient": Open("refuse", "accept or refuse '1.' and '.5'", pin="accepts"),
        "AmountAboveMaxMoney": Open(
            "refuse",
            "accept the amount (BIP 21 sets no bound; rust-bitcoin 0.32) or refuse it as more "
            "than MAX_MONEY",
            pin="accepts",
        ),
        "DuplicateAmount": Open("refuse", "refuse, or keep one of the values", pin="accepts"),
        "ReqPj": Open("refuse", "read req-pj as pj (BIP 77) or refuse it", pin="refuses"),
        "ShortIdAlias": Open(
            "refuse", "accept the alias as its canonical id or refuse it", pin="accepts"
        ),
        "UncompressedReceiverKey": Open(
            "refuse", "accept the 65-byte key or refuse it", pin="accepts"
        ),
        "DuplicateFragmentParam": Open("refuse", "first piece wins, or refuse", pin="accepts"),
        "V2OverHttp": Open("refuse", "accept plain http or refuse it", pin="accepts"),
        "AesGcmSuiteKept": Open(
            "output",
            "keep the AES-GCM suite (bitcoin-ohttp 0.6) or drop it (later revisions, payjoin "
            "1.1.0): RFC 9458 section 3 lets a client skip suites",
            pin="accepts",
        ),
        "HybridPublicKey": Open("refuse", "accept the 06/07 key or refuse it", pin="accepts"),
        "LengthPrefixedKeyConfig": Open(
            "refuse", "read RFC 9458's length-prefixed list or refuse it", pin="refuses"
        ),
        "NoSupportedSuite": Open(
            "refuse",
            "an empty suite list (bitcoin-ohttp 0.6) or UnsupportedSuite (the reference)",
        ),
        "LenientBech32": Open(
            "refuse", "ignore non-zero padding and leftover bits (rust-bech32 0.11) or refuse them"
        ),
    },
    "events": {
        "SerdeLeniency": Open(
            "refuse",
            "accept what serde's derive accepts, or only the canonical form",
            pin="accepts",
        ),
        "StructAsSequence": Open(
            "refuse", "accept a struct variant as a sequence (serde's derive) or refuse it"
        ),
        "FloatSpelling": Open(
            "output",
            "any JSON spelling of the same f64 (RFC 8259 section 6 leaves the spelling of a "
            "number to the writer); payjoin 1.0 writes serde_json's",
        ),
    },
    "replay": {
        "ClosedFromAnyState": Open(
            "refuse",
            "accept Closed after any state, or only where the live path writes it",
            pin="accepts",
        ),
        "ReplyableFromAnyState": Open(
            "refuse",
            "accept GotReplyableError after any state, or only where the live path writes it",
            pin="accepts",
        ),
        "IgnoredAfterClosed": Open(
            "output",
            "refuse GotReplyableError after Closed, or ignore it (and then report the status "
            "the closed session has)",
        ),
    },
    "hostile": {
        "ClosedFromAnyState": Open(
            "refuse",
            "accept another Closed after Closed (the last wins) or refuse it",
            pin="accepts",
        ),
        "IgnoredAfterClosed": Open("output", "refuse GotReplyableError after Closed, or ignore it"),
        "InputMapCount": Open(
            "refuse",
            "replay it as payjoin 1.0 does (rust-bitcoin pairs input maps with inputs by zip) or "
            "refuse it (BIP 174: a PSBT has one input map per input)",
        ),
    },
    "sessions": {
        "ReceiverRefusesRequest": Open(
            "refuse",
            "close at once without a reply (payjoin 1.0) or reply with BIP 78's "
            "original-psbt-rejected / version-unsupported before closing",
        ),
        "Version1InMessageA": Open(
            "refuse", "take v=1 in message A as a v1 request, or refuse it", pin="accepts"
        ),
        "AcceptedPost": Open(
            "refuse",
            "retry the POST (payjoin 1.0: a status but 200 that is no 4xx is transient) or "
            "give up on a directory that answers it outside BIP 77",
            pin="accepts",
        ),
        "ZeroFeeContribution": Open(
            "output",
            "offer a 0-sat fee contribution (payjoin 1.0) or none (1.1.0 and later): BIP 78's "
            "maxadditionalfeecontribution is optional and nothing sets its least value",
        ),
        "SenderCheckLeftOpen": Open(
            "refuse",
            "refuse or accept: BIP 78's sender checklist says nothing of sighash types, of "
            "input weights beyond a count of inputs, of a UTXO field the fee does not use; it "
            "lets output substitution through without checks but never obliges a sender to sign",
        ),
        "ResponseErrorKind": Open(
            "output",
            "any kind of error: BIP 78 lets a sender treat an unknown code as a generic error, "
            "and names no kinds for a reply that is no proposal",
        ),
    },
    "transitions": {
        "InputWeightChoice": Open(
            "output",
            "build from the Original (offering a fee contribution from a weight estimate of "
            "its own, or none) or refuse it: BIP 78 leaves which inputs a sender can price, "
            "and how, to the sender",
        ),
        "UnstableProposalTxid": Open(
            "output",
            "close at once with PayjoinProposalSent (payjoin 1.0: a txid a scriptSig can "
            "change cannot be watched for) or keep watching the chain (no text says which)",
        ),
        "SenderBuilderChoice": Open(
            "refuse",
            "accept or refuse: BIP 78 says which Originals a receiver must take, not which a "
            "sender's builder may start from, nor how it words a refusal",
        ),
        "ResumedDiffersFromLive": Open(
            "output",
            "append what the live session appends (the Original's output maps kept) or what "
            "payjoin 1.0 appends after a resume (rebuilt as defaults)",
        ),
    },
    "directory": {
        # The generator writes these cases' payjoin-1.0 pins itself (pin=None leaves them).
        "LongPollWake": Open(
            "output",
            "hold the GET until a POST wakes it (BIP 77: GETs on an empty mailbox should "
            "block) or answer 202 at once",
        ),
        "LongPollHold": Open(
            "output",
            "hold the GET up to the long-poll timeout (BIP 77: should, 30 s) or answer 202 sooner",
        ),
        "PayloadSize": Open(
            "refuse",
            "store it (BIP 77 fixes the size of its messages, not what a mailbox holds; "
            "payjoin-mailroom takes up to 65536 bytes) or refuse it",
        ),
        "ContentTypeUnchecked": Open(
            "refuse",
            "decapsulate it anyway (RFC 9458 section 4.4 names the media type a client "
            "sends, not what a gateway does with another) or refuse it",
        ),
        "ShortIdCase": Open(
            "refuse",
            "read it as the same ShortId (bech32 is case-insensitive) or refuse it (BIP 77 "
            "writes ShortIds in upper case; payjoin-mailroom refuses lower case)",
        ),
        "RelayContentType": Open(
            "refuse",
            "forward it (the gateway then decides) or refuse it (payjoin-mailroom's relay: 415)",
        ),
    },
}
"""family -> flag -> the choice it marks. A flag absent here is pinned in every profile."""


def open_flags(family: str, group_type: str, flags: list[str]) -> list[str]:
    """The flags of a case that leave its answer open."""
    rules = OPEN.get(family, {})
    return [
        f for f in flags if f in rules and (not rules[f].groups or group_type in rules[f].groups)
    ]


def pin_messages(case: Json) -> Json:
    """``case`` with the error ``message`` a generator recorded (payjoin 1.0's text, see
    :mod:`~pjconf.harness.vectorgen.texts`) compared under ``payjoin-1.0`` only: taken out of
    the top-level verdict, kept in (or added as) the ``payjoin-1.0`` override with the same
    verdict. No specification fixes an error message, so ``bip77`` compares none."""
    top, had = _without_message(case)
    if not had:
        return case
    override = case.get("profiles", {}).get(PAYJOIN_10)
    if override is None:
        override = {k: case[k] for k in ("result", "expected", "error") if k in case}
    return {**top, "profiles": {PAYJOIN_10: override}}


def _without_message(case: Json) -> tuple[Json, bool]:
    """``case`` without a ``message`` in its error or its result's error, and whether it had
    one."""
    error = case.get("error")
    if isinstance(error, dict) and "message" in error:
        return {**case, "error": {k: v for k, v in error.items() if k != "message"}}, True
    expected = case.get("expected")
    inner = expected.get("error") if isinstance(expected, dict) else None
    if isinstance(expected, dict) and isinstance(inner, dict) and "message" in inner:
        bare = {k: v for k, v in inner.items() if k != "message"}
        return {**case, "expected": {**expected, "error": bare}}, True
    return case, False


def apply(family: str, group_type: str, case: Json) -> Json:
    """``case`` with its ``bip77`` verdict on top and payjoin 1.0's in ``profiles``."""
    chosen = open_flags(family, group_type, list(case.get("flags", [])))
    if not chosen:
        return case
    rules = [OPEN[family][f] for f in chosen]
    if case["result"] == "acceptable":
        pins = {r.pin for r in rules}
        if len(pins) != 1 or None in pins:
            return case
        key = "expected" if pins == {"accepts"} else "error"
        if key not in case:
            raise ValueError(f"{family}/{case['tcId']}: pinned as {pins} but has no {key}")
        pinned = {"result": "valid" if key == "expected" else "invalid", key: case[key]}
        if any(r.mode == "output" for r in rules):  # the result itself is open under bip77
            case = {k: v for k, v in case.items() if k not in ("expected", "error")}
        return {**case, "profiles": {PAYJOIN_10: pinned}}
    key = "expected" if case["result"] == "valid" else "error"
    # A payjoin-1.0 override the generator already wrote (error texts) is the fuller pin.
    pinned = case.get("profiles", {}).get(PAYJOIN_10) or {"result": case["result"], key: case[key]}
    output = any(r.mode == "output" for r in rules)
    top = {k: v for k, v in case.items() if not (output and k in ("expected", "error"))}
    if not output:
        top.pop("error", None)  # a refusal is acceptable, whatever its kind
    top["result"] = "acceptable"
    return {**top, "profiles": {PAYJOIN_10: pinned}}
