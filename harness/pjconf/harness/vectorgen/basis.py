"""The normative text behind every case: its ``basis``, derived per family, group and flag.

A verdict is only as strong as the text that requires it. Every case names that text from the
closed vocabulary :data:`BASIS` (``docs/vectors.md``); ``payjoin-1.0`` marks an answer that is a
choice payjoin 1.0 made where the text leaves one, and such a case is ``acceptable`` under the
``bip77`` profile (:mod:`~pjconf.harness.vectorgen.profiles`). Nothing here is per case: a case's
basis is its group's, plus its flags'.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

BASIS: tuple[str, ...] = (
    "BIP21",
    "BIP77",
    "BIP78",
    "BIP174",
    "BIP324",
    "RFC9180",
    "RFC9292",
    "RFC9458",
    "RFC9540",
    "URL",
    "payjoin-log",
    "payjoin-1.0",
)
"""The closed vocabulary, in the order a case lists it. ``URL`` is the WHATWG URL standard and
RFC 3986; ``payjoin-log`` is the session event-log format and replay rules payjoin 1.0 froze
(normative for pjconf in every profile); ``payjoin-1.0`` is a choice payjoin 1.0 made."""

CHOICE = "payjoin-1.0"

_LOG = ("payjoin-log",)

GROUP_BASIS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "hpke": {"*": ("RFC9180",)},
    "ellswift": {"*": ("BIP324",)},
    "bip77_messages": {"*": ("BIP77", "RFC9180", "BIP324")},
    "ohttp": {"*": ("RFC9458", "BIP77"), "OhttpRfc9458": ("RFC9458", "RFC9292")},
    "bhttp": {"*": ("RFC9292",), "BhttpTargetUrl": ("RFC9292", "URL", "BIP77")},
    "uri": {
        "*": ("BIP77",),
        "UriParse": ("BIP21", "BIP77", "URL"),
        "UriDisplay": ("BIP21", "BIP77", "URL"),
        "OhttpKeysDecode": ("BIP77", "RFC9458"),
        "OhttpKeysCompact": ("BIP77", "RFC9458"),
    },
    "events": {"*": _LOG},
    "replay": {"*": _LOG, "Expired": ("BIP77", "payjoin-log")},
    "hostile": {"*": _LOG},
    "transitions": {
        "*": ("BIP77", "BIP78", "payjoin-log"),
        "Builder": ("BIP77", "BIP78"),
        "OriginalInputs": ("BIP78",),
    },
    "sessions": {"*": ("BIP77", "BIP78", "payjoin-log")},
    "directory": {
        "*": ("BIP77", "RFC9458"),
        "KeyConfig": ("BIP77", "RFC9458", "RFC9540"),
        "InnerRequest": ("BIP77", "RFC9292", "RFC9458"),
    },
}
"""family -> group type (``*``: any other) -> the basis every case of the group has."""

FLAG_BASIS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "hpke": {"HybridEnc": ("RFC9180", CHOICE)},
    "ellswift": {
        "KnownBip77Key": ("BIP324", "BIP77"),
        "YParityFromT": ("BIP324", "BIP77"),
        "LibsecpEncoder": ("BIP324", CHOICE),
        "ZeroRnd32": ("BIP324", CHOICE),
    },
    "bip77_messages": {},
    "ohttp": {
        "Rfc9458Example": ("RFC9458",),
        "InvalidSize": ("BIP77",),
        "AesGcmFirst": ("RFC9458", CHOICE),
    },
    "bhttp": {
        "Bip77": ("BIP77",),
        "DerivedVector": ("BIP77",),
        "Rfc9458Example": ("RFC9458",),
        "RandomPadding": ("BIP77",),
        "ZeroPadding": ("BIP77",),
        "CookieMerge": (CHOICE,),
        "EmptyFieldNameWritten": (CHOICE,),
        "TargetUrl": ("URL",),
        "MalformedPort": ("URL",),
        "UrlQuirk": ("URL", CHOICE),
    },
    "uri": {
        "Bip78Fallback": ("BIP78",),
        "PayjoinUrl": ("URL", CHOICE),
        "MalformedPort": ("URL",),
        "UppercaseBitcoinUri": ("BIP21",),
        "ParamOrder": ("BIP21", CHOICE),
        "UnknownParamDropped": ("BIP21", CHOICE),
        "AmountLenient": ("BIP21", CHOICE),
        "DuplicateAmount": ("BIP21", CHOICE),
        "AmountAboveMaxMoney": ("BIP21", CHOICE),
        "ReqPj": ("BIP21", "BIP77", CHOICE),
        "UnescapedHash": ("BIP21", "URL"),
        "ShortIdAlias": (CHOICE,),
        "UncompressedReceiverKey": (CHOICE,),
        "DuplicateFragmentParam": (CHOICE,),
        "V2OverHttp": (CHOICE,),
        "LengthPrefixedKeyConfig": ("RFC9458", CHOICE),
        "UnsupportedSuiteStripped": ("RFC9458", CHOICE),
        "AesGcmSuiteKept": ("RFC9458", CHOICE),
        "NoSupportedSuite": ("RFC9458", CHOICE),
        "HybridPublicKey": ("RFC9458", CHOICE),
        "LenientBech32": (CHOICE,),
        "BipTextSaysTwoByteKeyId": ("RFC9458",),
    },
    "events": {
        "SerdeLeniency": (CHOICE,),
        "StructAsSequence": (CHOICE,),
        "FloatSpelling": (CHOICE,),
    },
    "replay": {
        "ClosedFromAnyState": (CHOICE,),
        "ReplyableFromAnyState": (CHOICE,),
        "IgnoredAfterClosed": (CHOICE,),
        "ExpiryBoundary": ("BIP77",),
        "InjectedClock": ("BIP77",),
        "PayjoinText": (CHOICE,),
    },
    "hostile": {
        "ClosedFromAnyState": (CHOICE,),
        "IgnoredAfterClosed": (CHOICE,),
        "PayjoinText": (CHOICE,),
        "InputMapCount": ("BIP174", CHOICE),
    },
    "transitions": {
        "ResumedDiffersFromLive": (CHOICE,),
        "PayjoinText": (CHOICE,),
        "OriginalUtxoFields": ("BIP174",),
        "InputWeightChoice": (CHOICE,),
        "UnstableProposalTxid": (CHOICE,),
        "SenderBuilderChoice": (CHOICE,),
    },
    "sessions": {
        "ErrorTexts": (CHOICE,),
        "SenderInputType": ("BIP174",),
        "MixedSenderInputs": ("BIP174",),
        "ReceiverUtxoFields": ("BIP174",),
        "ReceiverRefusesRequest": (CHOICE,),
        "Version1InMessageA": (CHOICE,),
        "ResponseErrorKind": (CHOICE,),
        "AcceptedPost": (CHOICE,),
        "SenderCheckLeftOpen": (CHOICE,),
        "ZeroFeeContribution": (CHOICE,),
    },
    "directory": {
        "GatewayAnswer": ("BIP77", "RFC9458", CHOICE),
        "LongPollWake": ("BIP77", CHOICE),
        "LongPollHold": ("BIP77", CHOICE),
        "PayloadSize": ("BIP77", CHOICE),
        "ContentTypeUnchecked": ("RFC9458", CHOICE),
        "ShortIdCase": ("BIP77", CHOICE),
        "RelayContentType": ("RFC9458", CHOICE),
        "StatusPinned": (CHOICE,),
    },
}
"""family -> flag -> what the flag adds to its case's basis (a flag not listed adds nothing)."""


def ordered(names: Iterable[str]) -> list[str]:
    """``names`` once each, in vocabulary order; an unknown name is a generator bug."""
    chosen = set(names)
    unknown = chosen - set(BASIS)
    if unknown:
        raise ValueError(f"basis outside the vocabulary: {sorted(unknown)}")
    return [b for b in BASIS if b in chosen]


def group_basis(family: str, group_type: str) -> tuple[str, ...]:
    table = GROUP_BASIS[family]
    return table.get(group_type, table["*"])


def case_basis(family: str, group_type: str, flags: Iterable[str]) -> list[str]:
    """The basis of one case: its group's, plus what each of its flags adds."""
    extra = FLAG_BASIS[family]
    return ordered(
        [*group_basis(family, group_type), *(b for f in flags for b in extra.get(f, ()))]
    )


def flag_basis(family: str, flag: str, group_types: Iterable[str]) -> list[str]:
    """The basis a flag's note states: what it adds, or else what its cases' groups rest on."""
    added = FLAG_BASIS[family].get(flag)
    if added is not None:
        return ordered(added)
    return ordered(b for g in group_types for b in group_basis(family, g))
