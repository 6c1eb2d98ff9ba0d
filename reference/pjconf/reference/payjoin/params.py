"""The sender's optional parameters, parsed as payjoin 1.0's ``Params::from_query_str`` does.

Most bad values only log a warning and fall back to the default (BIP 78 asks receivers to be
lenient), so :class:`Params` keeps those warnings; only an unknown ``v`` and an unparsable
``minfeerate`` are errors, and a query holding a lone surrogate (a Python str can, a Rust &str
cannot) is ``MalformedQuery``. Numbers of any length parse without Python's int/str limit.
"""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from urllib.parse import unquote_to_bytes

from pjconf.reference.payjoin.errors import (
    ORIGINAL_PSBT_REJECTED,
    VERSION_UNSUPPORTED,
    PayjoinError,
)
from pjconf.reference.payjoin.units import FEE_RATE_BROADCAST_MIN, U64_MAX


class OutputSubstitution(enum.Enum):
    ENABLED = "enabled"
    DISABLED = "disabled"


class ParamsError(PayjoinError):
    """payjoin's ``optional_parameters::Error``, with the error code payjoin replies with."""

    kind = "ParamsError"
    VARIANTS = frozenset({"UnknownVersion", "FeeRate", "MalformedQuery"})

    def __init__(
        self, variant: str, message: str, supported_versions: tuple[int, ...] = ()
    ) -> None:
        super().__init__(variant, message)
        self.supported_versions = supported_versions
        self.error_code = (
            VERSION_UNSUPPORTED if variant == "UnknownVersion" else ORIGINAL_PSBT_REJECTED
        )

    def supported_json(self) -> str:
        """The ``supported`` extra of the reply: serde_json of the list, itself a *string*."""
        return "[" + ",".join(str(v) for v in self.supported_versions) + "]"


@dataclass(frozen=True, slots=True)
class Params:
    """Parsed parameters; ``min_fee_rate`` in sat/kwu, the contribution as (sats, index)."""

    v: int = 1
    output_substitution: OutputSubstitution = OutputSubstitution.ENABLED
    additional_fee_contribution: tuple[int, int] | None = None
    min_fee_rate: int = FEE_RATE_BROADCAST_MIN
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_query_str(cls, query: str, supported_versions: tuple[int, ...]) -> Params:
        return cls.from_query_pairs(query_pairs(query), supported_versions)

    @classmethod
    def from_query_pairs(
        cls, pairs: list[tuple[str, str]], supported_versions: tuple[int, ...]
    ) -> Params:
        """Later pairs override earlier ones; the first error stops the parse."""
        v, substitution, min_rate = 1, OutputSubstitution.ENABLED, FEE_RATE_BROADCAST_MIN
        index: int | None = None
        max_contribution: int | None = None
        warnings: list[str] = []
        for key, value in pairs:
            if key == "v":
                if value not in ("1", "2"):
                    # Any of 1 and 2 is accepted whatever ``supported_versions`` says: the list
                    # only feeds the error reply.
                    raise ParamsError("UnknownVersion", "unknown version", supported_versions)
                v = int(value)
            elif key == "additionalfeeoutputindex":
                index = parse_usize(value)
                if index is None:
                    warnings.append(f"bad `additionalfeeoutputindex` query value {value!r}")
            elif key == "maxadditionalfeecontribution":
                max_contribution = parse_sat_amount(value)
                if max_contribution is None:
                    warnings.append(f"bad `maxadditionalfeecontribution` query value {value!r}")
            elif key == "minfeerate":
                rate = parse_f32(value)
                if rate is None:
                    raise ParamsError("FeeRate", "could not parse feerate")
                min_rate = f32_to_u64(ceil_f32(f32_mul(rate, 250.0)))
            elif key == "disableoutputsubstitution":
                substitution = (
                    OutputSubstitution.DISABLED if value == "true" else OutputSubstitution.ENABLED
                )
        contribution = None
        if max_contribution is not None and index is not None:
            contribution = (max_contribution, index)
        elif max_contribution is not None or index is not None:
            warnings.append("only one additional fee parameter specified; no fee adjustment")
        return cls(v, substitution, contribution, min_rate, tuple(warnings))


# --- the query string -------------------------------------------------------------------------


def query_pairs(query: str) -> list[tuple[str, str]]:
    """``Url::parse("http://localhost/?" + query).query_pairs()`` (WHATWG URL + form encoding).

    The URL parser drops tabs and newlines anywhere and trailing spaces/C0 controls, and a ``#``
    ends the query. The form decoding splits on ``&``, skips empty pieces, splits each at its
    first ``=``, turns ``+`` into a space and percent-decodes, invalid UTF-8 becoming U+FFFD.
    """
    try:
        query.encode("utf-8")
    except UnicodeEncodeError:
        raise ParamsError("MalformedQuery", "the query is not valid Unicode") from None
    text = re.sub(r"[\t\n\r]", "", query).rstrip("".join(map(chr, range(0x21))))
    text = text.split("#", 1)[0]
    pairs = []
    for piece in text.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        pairs.append((_form_decode(name), _form_decode(value)))
    return pairs


def _form_decode(text: str) -> str:
    raw = unquote_to_bytes(text.replace("+", " ").encode())
    return raw.decode("utf-8", errors="replace")


# --- Rust's number parsers --------------------------------------------------------------------


def parse_usize(text: str) -> int | None:
    """Rust's ``usize::from_str`` on a 64-bit target: optional ``+``, ASCII digits."""
    body = text[1:] if text.startswith("+") else text
    if not body or not (body.isascii() and body.isdigit()):
        return None
    significant = body.lstrip("0") or "0"
    if len(significant) > 20:  # beyond u64, and maybe beyond Python's int/str limit
        return None
    value = int(significant)
    return value if value <= U64_MAX else None


def parse_sat_amount(text: str) -> int | None:
    """``Amount::from_str_in(text, Satoshi)``: digits, optionally ``.000``; never negative."""
    if not text or len(text) > 50:
        return None
    negative = text.startswith("-")
    body = text[1:] if negative else text
    if not body:
        return None
    if "." in body:
        pos = body.index(".")
        if pos == 0 or any(c != "0" for c in body[pos + 1 :]):
            return None
        body = body[:pos]
    if not (body.isascii() and body.isdigit()):
        return None
    value = int(body)
    if value > U64_MAX or negative:
        return None
    return value


_F32_SYNTAX = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|(?i:inf|infinity|nan))")
_F32_MAX = Fraction((2**24 - 1) * 2**104)
_F32_DIGITS = 200
"""More significant digits than any halfway point between two binary32 values has (~112)."""


def parse_f32(text: str) -> float | None:
    """Rust's ``f32::from_str``: the value correctly rounded to binary32 (as a Python float)."""
    if not _F32_SYNTAX.fullmatch(text):
        return None
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("+-").lower()
    if body in ("inf", "infinity"):
        return sign * math.inf
    if body == "nan":
        return math.nan
    mantissa, _, exponent = body.partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    if not digits:
        return sign * 0.0
    exp10 = _exponent(exponent) - len(frac)
    magnitude = len(digits) + exp10  # the value is below 10**magnitude
    if magnitude > 40:
        return sign * math.inf
    if magnitude < -50:
        return sign * 0.0
    if len(digits) > _F32_DIGITS:
        # Keep the leading digits and a sticky 1 for any non-zero rest: no binary32 rounding
        # boundary has that many significant digits, so the result is the same, and the digits
        # stay within what Python converts.
        rest = digits[_F32_DIGITS:].strip("0")
        exp10 += len(digits) - _F32_DIGITS - bool(rest)
        digits = digits[:_F32_DIGITS] + ("1" if rest else "")
    return sign * round_to_f32(Fraction(int(digits)) * Fraction(10) ** exp10)


def _exponent(text: str) -> int:
    """A decimal exponent (optional sign, digits); beyond 18 digits it is clamped, as any such
    value is already far past binary32's range either way."""
    negative = text.startswith("-")
    body = text.lstrip("+-").lstrip("0") or "0"
    value = int(body) if len(body) <= 18 else 10**18
    return -value if negative else value


def round_to_f32(q: Fraction) -> float:
    """Round a non-negative rational to the nearest binary32 value, ties to even."""
    if q == 0:
        return 0.0
    e = q.numerator.bit_length() - q.denominator.bit_length()
    if Fraction(2) ** e > q:
        e -= 1
    ulp_exp = max(e, -126) - 23
    m = round(q / Fraction(2) ** ulp_exp)  # Fraction rounds half to even
    value = Fraction(m) * Fraction(2) ** ulp_exp
    return math.inf if value > _F32_MAX else float(value)


def f32_mul(a: float, b: float) -> float:
    """binary32 multiplication: the exact product (it fits a double) rounded to binary32."""
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
        return a * b
    product = a * b
    return math.copysign(round_to_f32(abs(Fraction(product))), product)


def ceil_f32(x: float) -> float:
    return x if math.isnan(x) or math.isinf(x) else float(math.ceil(x))


def f32_to_u64(x: float) -> int:
    """Rust's saturating ``as u64``: NaN and negatives to 0, too large to ``u64::MAX``."""
    if math.isnan(x) or x <= 0:
        return 0
    if x >= 2.0**64:
        return U64_MAX
    return int(x)
