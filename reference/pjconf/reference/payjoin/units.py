"""rust-bitcoin 0.32's ``Amount``/``Weight``/``FeeRate`` arithmetic, rounding included.

Fees from a rate round *up* (``Weight * FeeRate``), rates from a fee round *down*
(``Amount / Weight``); payjoin's fee checks depend on both directions.
"""

from __future__ import annotations

from pjconf.reference.bitcoin.encoding import compact_size
from pjconf.reference.bitcoin.tx import TxOut
from pjconf.reference.payjoin.errors import PayjoinPanic

U64_MAX = 2**64 - 1
MAX_MONEY = 21_000_000 * 100_000_000
FEE_RATE_ZERO = 0
SAT_PER_KWU_PER_SAT_PER_VB = 250
FEE_RATE_BROADCAST_MIN = SAT_PER_KWU_PER_SAT_PER_VB
"""``FeeRate::BROADCAST_MIN``: 1 sat/vB."""


def sat_per_vb(rate: int) -> int:
    """``FeeRate::from_sat_per_vb_u32``: sat/vB to sat/kwu."""
    return rate * SAT_PER_KWU_PER_SAT_PER_VB


def fee_for(weight: int, rate: int) -> int:
    """``Weight * FeeRate``: ``ceil(rate * weight / 1000)`` (u64 overflow is a panic)."""
    product = rate * weight + 999
    if product > U64_MAX:
        raise PayjoinPanic(f"fee of {weight} wu at {rate} sat/kwu overflows u64")
    return product // 1000


def checked_fee_for(rate: int, weight: int) -> int | None:
    """``FeeRate::checked_mul_by_weight``: like :func:`fee_for`, ``None`` on overflow."""
    product = rate * weight + 999
    return None if product > U64_MAX else product // 1000


def fee_rate(fee: int, weight: int) -> int:
    """``Amount / Weight``: ``floor(fee * 1000 / weight)`` in sat/kwu."""
    if weight == 0:
        raise PayjoinPanic("fee rate over a zero weight")
    if fee * 1000 > U64_MAX:
        raise PayjoinPanic(f"fee {fee} * 1000 overflows u64")
    return fee * 1000 // weight


def sub_amount(a: int, b: int, what: str) -> int:
    """``Amount - Amount``, which panics below zero."""
    if b > a:
        raise PayjoinPanic(f"{what}: {a} - {b} is negative")
    return a - b


def txout_weight(txout: TxOut) -> int:
    """``TxOut::weight``: four weight units per serialized byte."""
    return 4 * len(txout.serialize())


def varint_size(n: int) -> int:
    """Bytes of a CompactSize encoding of ``n``."""
    return len(compact_size(n))
