"""The sender's request body: the Original PSBT and its optional parameters, as payjoin writes them.

A v2 body (message A's plaintext) is ``base64(PSBT) "\\n" query`` (``send/v2/mod.rs``
``serialize_v2_body``); the query is ``serialize_url``'s, in its order: ``v`` always first, then
``disableoutputsubstitution=true`` when disabled, then the additional-fee pair, then ``minfeerate``
when positive. payjoin's own ``Url::append_pair`` joins pairs raw, without percent-encoding.
"""

from __future__ import annotations

import math
import struct
from decimal import Decimal
from fractions import Fraction

from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.payjoin.params import OutputSubstitution, round_to_f32
from pjconf.reference.payjoin.sender import AdditionalFeeContribution, SenderContext
from pjconf.reference.payjoin.units import SAT_PER_KWU_PER_SAT_PER_VB


def _is_same_f32(text: str, value: float) -> bool:
    as_f32: float = struct.unpack("<f", struct.pack("<f", float(text)))[0]
    return as_f32 == value


def rust_f32_display(value: float) -> str:
    """Rust's ``Display`` of an ``f32``: the shortest decimal that reads back as the same f32,
    written positionally (never with an exponent), without ``.0`` on a whole number."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    shortest = next(
        text for digits in range(1, 10) if _is_same_f32(text := f"{value:.{digits}g}", value)
    )
    positional = format(Decimal(shortest), "f")
    if "." in positional:
        positional = positional.rstrip("0").rstrip(".")
    return "0" if positional == "-0" else positional


def min_fee_rate_param(sat_per_kwu: int) -> str:
    """``minfeerate`` as payjoin writes it: sat/kwu to f32, divided by 250 in f32, displayed."""
    rate = round_to_f32(Fraction(round_to_f32(Fraction(sat_per_kwu))) / SAT_PER_KWU_PER_SAT_PER_VB)
    return rust_f32_display(rate)


def sender_query(
    output_substitution: OutputSubstitution,
    fee_contribution: AdditionalFeeContribution | None,
    min_fee_rate: int,
    *,
    version: int = 2,
) -> str:
    """``serialize_url``'s query string (``min_fee_rate`` in sat/kwu)."""
    pairs = [f"v={version}"]
    if output_substitution is OutputSubstitution.DISABLED:
        pairs.append("disableoutputsubstitution=true")
    if fee_contribution is not None:
        pairs.append(f"additionalfeeoutputindex={fee_contribution.vout}")
        pairs.append(f"maxadditionalfeecontribution={fee_contribution.max_amount}")
    if min_fee_rate > 0:
        pairs.append(f"minfeerate={min_fee_rate_param(min_fee_rate)}")
    return "&".join(pairs)


def serialize_v2_body(psbt: Psbt, context: SenderContext) -> bytes:
    """Message A's body for a sender built on ``context`` (its PSBT is ``psbt``)."""
    query = sender_query(
        context.output_substitution, context.fee_contribution, context.min_fee_rate
    )
    return f"{psbt.to_base64()}\n{query}".encode()
