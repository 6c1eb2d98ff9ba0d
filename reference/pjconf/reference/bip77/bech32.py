"""bech32 *without checksum*, as BIP 77 uses it for ShortIds and the ``RK1``/``OH1``/``EX1`` params.

BIP 77 drops the checksum so that the strings stay short in QR codes. This module mirrors what
rust-payjoin calls (rust-bech32 0.11): ``encode_upper::<NoChecksum>`` to write and
``CheckedHrpstring::new::<NoChecksum>`` + ``byte_iter()`` to read, *including its leniencies*,
because a conformance reference must accept exactly what Rust accepts:

- the separator is the **last** ``1``, so ``EX1010`` has the HRP ``EX10``;
- the whole string must be single-case, but either case is accepted;
- padding bits are not checked, and leftover bits that do not fill a byte are dropped, even a
  whole trailing group of five or more: ``"X1" + "QQ"`` decodes to one byte, and so does
  ``"X1" + "QQQ"`` (15 bits, 7 of them dropped);
- there is no length limit (rust-bech32's ``NoChecksum::CODE_LENGTH`` is ``usize::MAX``).

Errors are :class:`~pjconf.reference.errors.ParseError` with reasons ``InvalidChar``,
``MixedCase``, ``MissingSeparator`` and ``InvalidHrp``, checked in rust-bech32's order.
"""

from __future__ import annotations

from pjconf.reference.bech32 import CHARSET, bytes_to_fes, check_hrp
from pjconf.reference.errors import ParseError

__all__ = ["CHARSET", "bytes_to_fes", "check_hrp", "decode", "encode_upper", "fes_to_bytes"]

SEPARATOR = "1"

_VALUES: dict[str, int] = {c: i for i, c in enumerate(CHARSET)} | {
    c.upper(): i for i, c in enumerate(CHARSET)
}


def fes_to_bytes(values: list[int]) -> bytes:
    """Regroup 5-bit values into bytes, silently dropping the bits that do not fill a byte.

    This is rust-bech32's ``FesToBytes``: it neither checks that the padding is zero nor that
    fewer than five bits are left over.
    """
    out = bytearray()
    acc = 0
    bits = 0
    for value in values:
        acc = ((acc << 5) | value) & 0xFFFF
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    return bytes(out)


def encode_upper(hrp: str, data: bytes) -> str:
    """``HRP ‖ "1" ‖ data part``, all upper-case, no checksum (QR alphanumeric mode friendly)."""
    check_hrp(hrp)
    return hrp.upper() + SEPARATOR + "".join(CHARSET[v] for v in bytes_to_fes(data)).upper()


def decode(text: str) -> tuple[str, bytes]:
    """Split ``text`` at its last ``1`` and decode the data part; returns ``(hrp, data)``.

    The HRP comes back as written (either case); compare it case-insensitively, as rust-bech32's
    ``Hrp`` equality does.
    """
    separator: int | None = None
    has_upper = has_lower = False
    # Scan from the end like rust-bech32: data characters are checked before case mixing, so an
    # invalid data character wins over a mixed-case string.
    for index in range(len(text) - 1, -1, -1):
        ch = text[index]
        if ch == SEPARATOR and separator is None:
            separator = index
        elif separator is None and ch not in _VALUES:
            raise ParseError("InvalidChar", f"{ch!r} is not a bech32 character")
        if "A" <= ch <= "Z":
            has_upper = True
        elif "a" <= ch <= "z":
            has_lower = True
    if has_upper and has_lower:
        raise ParseError("MixedCase", "bech32 strings must be all upper or all lower case")
    if separator is None:
        raise ParseError("MissingSeparator", "no '1' separator")
    hrp = text[:separator]
    check_hrp(hrp)
    return hrp, fes_to_bytes([_VALUES[ch] for ch in text[separator + 1 :]])
