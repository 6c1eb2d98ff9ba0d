"""The bech32 alphabet, its 5-bit regrouping and its rules for the human-readable part (BIP 173).

Shared by the two bech32 dialects the reference reads: segwit addresses with a bech32/bech32m
checksum (:mod:`pjconf.reference.bitcoin.bech32m`) and BIP 77's checksum-less strings
(:mod:`pjconf.reference.bip77.bech32`). It sits below both, so neither reaches into the other.
"""

from __future__ import annotations

from pjconf.reference.errors import ParseError

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
"""The 32 data characters, value = index (BIP 173)."""

MAX_HRP_LENGTH = 83
"""BIP 173's HRP limit, which rust-bech32's ``Hrp::parse`` enforces even without a checksum."""


def bytes_to_fes(data: bytes) -> list[int]:
    """Regroup bytes into 5-bit values, big-endian, zero-padding the last group."""
    out: list[int] = []
    acc = 0
    bits = 0
    for byte in data:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            out.append((acc >> bits) & 31)
    if bits:
        out.append((acc << (5 - bits)) & 31)
    return out


def check_hrp(hrp: str) -> None:
    """Raise ``InvalidHrp`` unless ``hrp`` is 1-83 printable ASCII characters of a single case."""
    if not hrp:
        raise ParseError("InvalidHrp", "the human-readable part is empty")
    if len(hrp) > MAX_HRP_LENGTH:
        raise ParseError("InvalidHrp", f"the human-readable part has {len(hrp)} > 83 characters")
    for ch in hrp:
        if not 33 <= ord(ch) <= 126:
            raise ParseError(
                "InvalidHrp", f"character {ch!r} is not allowed in a human-readable part"
            )
    if hrp != hrp.lower() and hrp != hrp.upper():
        raise ParseError("MixedCase", "the human-readable part mixes upper and lower case")
