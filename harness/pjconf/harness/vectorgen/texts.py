"""Which error texts the reference prints as payjoin 1.0 does, for the ``payjoin-1.0`` profile.

No specification fixes an error message, so only ``--profile payjoin-1.0`` compares them, and
only where the reference claims payjoin 1.0's exact text (``docs/rust-payjoin-findings.md`` rows
24, 27, 29). The rest stay unpinned, each for a stated reason (:data:`UNPINNED`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

PINNED: Final[Mapping[str, str]] = {
    "Error::Protocol": "payjoin 1.0's receive::Error Display ('Protocol error: ' and the "
    "rejection's text)",
    "ProtocolError::OriginalPayload": "payjoin 1.0's OriginalPayload error Display",
    "NoEvents": "payjoin 1.0's ReplayError Display",
    "InvalidFirstEvent": "payjoin 1.0's ReplayError Display, the event in Debug form",
    "InvalidEvent": "payjoin 1.0's ReplayError Display, the event and the session in Debug "
    "form (payloads elided as '{ .. }')",
    "Expired": "payjoin 1.0's ReplayError Display, the expiry in Debug form",
    "InvalidEventPayload": "payjoin 1.0's ReplayError Display, the event in Debug form and the "
    "payload check's reason (rust-payjoin 1.0.0 to 1.2.0 print the reference's text)",
    "PsbtInputError": "payjoin 1.0's PsbtInputError Display (InputPair::new_p2wpkh's refusal)",
    "InputContributionError": "payjoin 1.0's InputContributionError Display",
    "BuildSenderError": "payjoin 1.0's BuildSenderError Display (send/error.rs, typos "
    "included; a PSBT-validation source in Debug form, the PSBT's input errors in {:#?} form)",
}
"""Error kinds whose message is payjoin 1.0's, with where the text comes from."""

UNPINNED: Final[Mapping[str, str]] = {
    "Error::Implementation": "the wallet callback's own text (the adapter's, not payjoin's)",
    "ImplementationError": "the wallet callback's own text (the adapter's, not payjoin's)",
    "InvalidArgument": "the adapter protocol's text",
    "InvalidState": "the adapter protocol's text",
    "DecodeError": "the JSON parser's text (serde_json's in payjoin, Python's in the reference)",
}
"""Error kinds whose message is not compared in any profile, and why."""

PAYJOIN_IMPLEMENTATION_TEXTS: Final = (
    "ntxid mismatch: expected ",
    "unexpected signature on input ",
)
"""The starts of the ``ImplementationError`` texts payjoin 1.0 itself writes (finalize_proposal's
refusals of a wallet's signed PSBT), unlike a wallet callback's own text: these are pinned."""

PLATFORM_DEPENDENT: Final = "PublicKey(PublicKey("
"""The Debug of an HpkePublicKey prints libsecp256k1's in-memory key (finding 24): x and y as
little-endian limbs, the same bytes on every little-endian target whatever the limb width (the
rust-payjoin 1.0.0 to 1.2.0 images print the reference's text). Pinned like the rest of the
text; only a big-endian build of payjoin would print another."""


def payjoin_text(kind: object, message: object) -> str | None:
    """``message`` when it is payjoin 1.0's text for an error of ``kind``, else None."""
    if not isinstance(kind, str) or not isinstance(message, str):
        return None
    if kind == "ImplementationError" and message.startswith(PAYJOIN_IMPLEMENTATION_TEXTS):
        return message
    return message if kind in PINNED else None


FLAG: Final = "PayjoinText"
NOTE: Final = {
    "description": "The error's message is payjoin 1.0's text; --profile payjoin-1.0 compares "
    "it (a '{ .. }' in it stands for one payload payjoin prints in Debug form), bip77 does not.",
    "effect": "Under payjoin-1.0: an implementation whose error texts differ from payjoin 1.0's "
    "(callers matching on texts, logs and support scripts see another message).",
}
"""The flag of a case whose message is pinned, and its note."""


def with_text(case: dict[str, object], kind: object, message: object) -> dict[str, object]:
    """``case`` with payjoin 1.0's ``message`` in its error (or its result's error) and the
    :data:`FLAG`, when the text is one :func:`payjoin_text` pins; else unchanged. The envelope
    moves the message into the ``payjoin-1.0`` profile."""
    text = payjoin_text(kind, message)
    if text is None:
        return case
    flags = [*_strings(case.get("flags")), FLAG]
    error = case.get("error")
    if isinstance(error, dict):
        return {**case, "flags": flags, "error": {**error, "message": text}}
    expected = case.get("expected")
    inner = expected.get("error") if isinstance(expected, dict) else None
    if isinstance(expected, dict) and isinstance(inner, dict):
        return {
            **case,
            "flags": flags,
            "expected": {**expected, "error": {**inner, "message": text}},
        }
    return case


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []
