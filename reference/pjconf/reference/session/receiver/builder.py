"""``receive::v2::ReceiverBuilder``: the receiver's session context, saved as ``Created``.

The crate draws the receiver key in ``new`` and reads the system clock in ``new`` and
``with_expiration``; here both are injected into :meth:`ReceiverBuilder.build`, so a seeded
build is reproducible. ``with_expiration`` takes seconds from the build time, as the crate takes a
``Duration`` from now.
"""

from __future__ import annotations

import copy

from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.bip77.uri import LOCK_TIME_THRESHOLD, check_address
from pjconf.reference.bip77.url import Url, parse_url
from pjconf.reference.bitcoin import address as bitcoin_address
from pjconf.reference.crypto.secp256k1 import KeyPair
from pjconf.reference.entropy import SYSTEM_CLOCK, SYSTEM_RANDOM, Clock, RandomSource
from pjconf.reference.errors import InvalidArgument
from pjconf.reference.payjoin.units import FEE_RATE_BROADCAST_MIN
from pjconf.reference.persist import NextStateTransition
from pjconf.reference.session.receiver.events import (
    Created,
    HpkeKeyPair,
    ReceiverEvent,
    SessionContext,
)
from pjconf.reference.session.receiver.machine import Initialized

TWENTY_FOUR_HOURS_DEFAULT_EXPIRATION = 24 * 60 * 60
"""Seconds (payjoin's ``TWENTY_FOUR_HOURS_DEFAULT_EXPIRATION``)."""
U32_WRAP = 2**32


class ReceiverBuilder:
    """Address, directory and the directory's OHTTP keys, plus the three optional settings.

    ``address`` is checked (checksum included) and kept as rust-bitcoin displays it; any network
    is accepted, as the crate's ``Address`` is. A ``directory`` that does not parse raises
    :class:`~pjconf.reference.errors.ParseError` (the crate's ``IntoUrlError``).
    """

    def __init__(self, address: str, directory: str | Url, ohttp_keys: OhttpKeyConfig) -> None:
        bitcoin_address.decode(address)
        self.address = check_address(address)
        self.directory = directory if isinstance(directory, Url) else parse_url(directory)
        self.ohttp_keys = ohttp_keys
        self.expiry_seconds = TWENTY_FOUR_HOURS_DEFAULT_EXPIRATION
        self.amount: int | None = None
        self.max_fee_rate = FEE_RATE_BROADCAST_MIN

    @classmethod
    def new(cls, address: str, directory: str | Url, ohttp_keys: OhttpKeyConfig) -> ReceiverBuilder:
        """The crate's constructor name."""
        return cls(address, directory, ohttp_keys)

    def _with(self, **changes: object) -> ReceiverBuilder:
        other = copy.copy(self)
        for name, value in changes.items():
            setattr(other, name, value)
        return other

    def with_expiration(self, seconds: int) -> ReceiverBuilder:
        """Expire ``seconds`` after the build (the default is 24 hours)."""
        if seconds < 0:
            raise InvalidArgument("an expiration is a duration from now: not negative")
        return self._with(expiry_seconds=seconds)

    def with_amount(self, amount: int) -> ReceiverBuilder:
        """The amount (sats) the pj URI asks for."""
        return self._with(amount=amount)

    def with_max_fee_rate(self, max_fee_rate: int) -> ReceiverBuilder:
        """The highest effective fee rate (sat/kwu) ``apply_fee_range`` may charge by default."""
        return self._with(max_fee_rate=max_fee_rate)

    def build(
        self, *, rng: RandomSource | None = None, clock: Clock | None = None
    ) -> NextStateTransition[ReceiverEvent, Initialized]:
        """``Created(ctx)`` → :class:`Initialized`, with a fresh receiver key from ``rng``.

        The expiration is a ``u32`` of Unix seconds, wrapped as the crate's ``as u32`` wraps; one
        below 500 000 000 (a block height, not a time) is refused where the crate panics.
        """
        expiration = ((clock or SYSTEM_CLOCK).now() + self.expiry_seconds) % U32_WRAP
        if expiration < LOCK_TIME_THRESHOLD:
            raise InvalidArgument(f"expiration {expiration} is not a representable Unix time")
        key = KeyPair.generate(rng or SYSTEM_RANDOM)
        context = SessionContext(
            address=self.address,
            directory=self.directory,
            ohttp_keys=self.ohttp_keys,
            expiration=expiration,
            amount=self.amount,
            receiver_key=HpkeKeyPair(key.secret, key.public),
            reply_key=None,
            max_fee_rate=self.max_fee_rate,
        )
        return NextStateTransition.success(Created(context), Initialized(context))
