"""How finely the ``bip77`` profile tells refusals apart: error kinds grouped into the classes
the specifications distinguish.

An adapter's error kind is its library's word for a refusal. Where the normative text names one
failure but libraries split it (RFC 9180 leaves it to each implementation whether a bad ``enc``
fails in Decap or in Open), two kinds of one class are the same answer under ``bip77``; the
``payjoin-1.0`` profile compares kinds (and ``ParseError`` reasons) exactly. A kind outside every
class of its op is compared exactly in every profile, and ``InternalError``/``BadRequest`` are
in no class (they never are a refusal).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorClass:
    name: str
    kinds: frozenset[str]
    basis: str
    """The text that makes these kinds one answer."""


def _class(name: str, kinds: set[str], basis: str) -> ErrorClass:
    return ErrorClass(name, frozenset(kinds), basis)


_MESSAGE = _class(
    "unreadable message",
    {"OpenError", "PayloadTooShort"},
    "BIP 77 (message A/B): a message that does not open to a padded plaintext holding what it "
    "must is refused; the BIP names no finer error",
)

CLASSES: Mapping[str, tuple[ErrorClass, ...]] = {
    "hpke.open": (
        _class(
            "cannot open",
            {"OpenError", "InvalidKey"},
            "RFC 9180 section 8.2: an invalid enc may fail in Decap or only at AEAD Open, and "
            "how errors are expressed is implementation-specific",
        ),
    ),
    "bip77.msg_a.open": (_MESSAGE,),
    "bip77.msg_b.open": (_MESSAGE,),
    "ohttp.request.open": (
        _class(
            "key configuration",
            {"UnknownKeyId", "UnsupportedSuite"},
            "RFC 9458 section 5.3: an unknown key identifier or unsupported algorithms is one "
            "signal (problem type ohttp-key)",
        ),
        _class(
            "malformed or undecryptable",
            {"ParseError", "OpenError"},
            "RFC 9458 section 5.2: a request that cannot be decapsulated is answered 400, "
            "whatever the cause",
        ),
    ),
    "ohttp.response.open": (
        _class(
            "cannot open",
            {"OpenError", "InvalidSize"},
            "RFC 9458 section 4.4 and BIP 77 (8192-byte responses): a response that does not "
            "decrypt is refused; the RFC names no finer error",
        ),
    ),
    "ohttp.keys.decode": (
        _class(
            "unusable key configuration",
            {"ParseError", "UnsupportedSuite"},
            "RFC 9458 section 3: a client cannot use a configuration it cannot parse or whose "
            "suites it does not support",
        ),
    ),
}
"""op -> the classes of error kinds its refusals fall into under ``bip77``."""

TRANSITION_CLASSES: tuple[ErrorClass, ...] = (
    _class(
        "the receiver rejects the Original",
        {"Error::Protocol", "ProtocolError::OriginalPayload"},
        "BIP 78 (receiver's checks) and BIP 77: a replyable rejection; the effect class "
        "(outcome) is compared exactly",
    ),
    _class(
        "implementation error",
        {"Error::Implementation", "ImplementationError"},
        "BIP 78 'unavailable': the wallet failed, not the payment",
    ),
    _class(
        "directory or transport",
        {"ProtocolError::V2", "DecapsulationError"},
        "BIP 77 and RFC 9458: the directory or its encapsulation failed",
    ),
    _class(
        "the sender rejects the response",
        {"ResponseError::WellKnown", "ResponseError::Unrecognized", "ResponseError::Validation"},
        "BIP 78 (sender's checks) and BIP 77: the session ends without a payjoin; the effect "
        "class is compared exactly",
    ),
    _class(
        "input contribution refused",
        {"PsbtInputError", "InputContributionError"},
        "BIP 78 (receiver's inputs): the wallet's input cannot be used",
    ),
)
"""The classes of the ``error.kind`` inside a ``session.call``/``session.response`` result."""

TRANSITION_OPS = frozenset({"session.call", "session.response"})


def shared_class(op: str | None, expected: object, got: object) -> ErrorClass | None:
    """The class holding both kinds of ``op``'s refusal, if one does (a top-level error)."""
    return _shared(CLASSES.get(op or "", ()), expected, got)


def shared_transition_class(op: str | None, expected: object, got: object) -> ErrorClass | None:
    """The class holding both kinds of an ``error`` inside a session result."""
    if op not in TRANSITION_OPS:
        return None
    return _shared(TRANSITION_CLASSES, expected, got)


def _shared(classes: tuple[ErrorClass, ...], expected: object, got: object) -> ErrorClass | None:
    return next((c for c in classes if expected in c.kinds and got in c.kinds), None)
