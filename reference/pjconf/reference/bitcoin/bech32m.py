"""Checksummed bech32 and bech32m (BIP 173 / BIP 350) for segwit addresses.

``bip77/bech32.py`` is the checksum-less variant BIP 77 uses; addresses need the checksums, the
90-character limit and the witness-version rules, so they get this separate module.
"""

from __future__ import annotations

import enum

from pjconf.reference.bech32 import CHARSET, bytes_to_fes, check_hrp
from pjconf.reference.errors import ParseError

SEGWIT_MAX_LENGTH = 90
_VALUES = {c: i for i, c in enumerate(CHARSET)}
_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


class Variant(enum.Enum):
    BECH32 = 1
    BECH32M = 0x2BC830A3


def _generator_table() -> tuple[int, ...]:
    """For each 5-bit top of the checksum state, the XOR of the generators its bits select."""
    table = []
    for top in range(32):
        acc = 0
        for i, g in enumerate(_GEN):
            if (top >> i) & 1:
                acc ^= g
        table.append(acc)
    return tuple(table)


_TABLE = _generator_table()


def _polymod(values: list[int]) -> int:
    """BIP 173's checksum polynomial, one table lookup per symbol instead of five tests."""
    chk, table = 1, _TABLE
    for v in values:
        chk = (chk & 0x1FFFFFF) << 5 ^ v ^ table[chk >> 25]
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _fes_to_bytes_strict(values: list[int]) -> bytes | None:
    """5-bit values back to bytes, or ``None`` if the padding is over-long or not zero (BIP 173).

    (Encoding needs no strict twin: :func:`bytes_to_fes` pads exactly as BIP 173 does.)
    """
    acc = bits = 0
    out = bytearray()
    for value in values:
        acc = (acc << 5) | value
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    if bits >= 5 or (acc << (8 - bits)) & 0xFF:
        return None
    return bytes(out)


def encode_segwit(hrp: str, version: int, program: bytes) -> str:
    """A lower-case segwit address: bech32 for version 0, bech32m for 1-16."""
    check_hrp(hrp)
    variant = Variant.BECH32 if version == 0 else Variant.BECH32M
    data = [version, *bytes_to_fes(program)]
    hrp = hrp.lower()
    polymod = _polymod([*_hrp_expand(hrp), *data, 0, 0, 0, 0, 0, 0]) ^ variant.value
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[d] for d in data + checksum)


def decode_segwit(text: str) -> tuple[str, int, bytes]:
    """``(hrp, witness_version, program)`` of a segwit address, checksum and rules verified.

    Reasons: ``InvalidLength``, ``MixedCase``, ``MissingSeparator``, ``InvalidChar``,
    ``InvalidHrp``, ``InvalidChecksum``, ``InvalidWitnessVersion``, ``InvalidProgramLength``,
    ``InvalidPadding``.
    """
    if len(text) > SEGWIT_MAX_LENGTH:
        raise ParseError("InvalidLength", f"{len(text)} characters exceed {SEGWIT_MAX_LENGTH}")
    if text != text.lower() and text != text.upper():
        raise ParseError("MixedCase", "bech32 strings must be all upper or all lower case")
    lowered = text.lower()
    sep = lowered.rfind("1")
    if sep < 0:
        raise ParseError("MissingSeparator", "no '1' separator")
    hrp, data_part = lowered[:sep], lowered[sep + 1 :]
    check_hrp(hrp)
    if len(data_part) < 7:
        raise ParseError("InvalidLength", "the data part is shorter than a checksum and version")
    bad = next((c for c in data_part if c not in _VALUES), None)
    if bad is not None:
        raise ParseError("InvalidChar", f"{bad!r} is not a bech32 character")
    data = [_VALUES[c] for c in data_part]
    version = data[0]
    if version > 16:
        raise ParseError("InvalidWitnessVersion", f"witness version {version} > 16")
    expected = Variant.BECH32 if version == 0 else Variant.BECH32M
    if _polymod([*_hrp_expand(hrp), *data]) != expected.value:
        raise ParseError("InvalidChecksum", f"not a valid {expected.name.lower()} checksum")
    program_fes = data[1:-6]
    program = _fes_to_bytes_strict(program_fes)
    if program is None:
        raise ParseError("InvalidPadding", "non-zero or over-long padding in the program")
    if not 2 <= len(program) <= 40:
        raise ParseError("InvalidProgramLength", f"witness program of {len(program)} bytes")
    if version == 0 and len(program) not in (20, 32):
        raise ParseError("InvalidProgramLength", f"v0 program of {len(program)} bytes")
    return hrp, version, program
