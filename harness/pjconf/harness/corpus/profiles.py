"""Profiles: which body of text a run judges by.

``bip77`` (the default) judges by the specifications: where their text leaves an answer open,
any allowed answer passes. ``payjoin-1.0`` also pins the choices payjoin 1.0 made there, so an
implementation can prove it behaves exactly like it. A case's top-level verdict is the ``bip77``
one; a case whose answer differs elsewhere carries that verdict in ``profiles`` (docs/vectors.md).
"""

from __future__ import annotations

from dataclasses import replace

from pjconf.harness.corpus.load import Case

DEFAULT_PROFILE = "bip77"
PAYJOIN_10 = "payjoin-1.0"
PROFILES: tuple[str, ...] = (DEFAULT_PROFILE, PAYJOIN_10)
"""Every profile ``pjconf run --profile`` takes; the first is the default."""


def in_profile(case: Case, profile: str) -> Case:
    """``case`` as ``profile`` judges it: its override applied, and the profile recorded (the
    checker compares error kinds at the profile's granularity)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r} (known: {', '.join(PROFILES)})")
    override = case.profiles.get(profile) if profile != DEFAULT_PROFILE else None
    if override is None:
        return replace(case, profile=profile)
    return replace(
        case,
        result=str(override["result"]),
        expected=override.get("expected"),
        error=override.get("error"),
        profile=profile,
    )
