"""The base of the payjoin errors: a payjoin variant name, a cause, and a BIP 78 error code.

rust-payjoin nests its errors (``PsbtInputsError { index, error: WeightError(NotSupported) }``);
here every level is one :class:`PayjoinError` whose ``variant`` is payjoin's variant name and
whose ``source`` is the next level down, so a test can pin the whole chain with :meth:`chain`.
"""

from __future__ import annotations

from typing import ClassVar

from pjconf.reference.errors import InvalidArgument, PjconfError

ORIGINAL_PSBT_REJECTED = "original-psbt-rejected"
UNAVAILABLE = "unavailable"
NOT_ENOUGH_MONEY = "not-enough-money"
VERSION_UNSUPPORTED = "version-unsupported"


class PayjoinError(PjconfError):
    """One level of a payjoin error: ``variant`` names payjoin's enum variant."""

    kind = "PayjoinError"
    VARIANTS: ClassVar[frozenset[str]] = frozenset()
    error_code: str | None = None
    """The BIP 78 ``errorCode`` payjoin replies with, where it maps this error to one."""

    def __init__(self, variant: str, message: str, *, source: PayjoinError | None = None) -> None:
        if self.VARIANTS and variant not in self.VARIANTS:
            raise InvalidArgument(f"{type(self).__name__} has no variant {variant!r}")
        super().__init__(f"{variant}: {message}")
        self.variant = variant
        self.source = source

    def chain(self) -> tuple[str, ...]:
        """The variant names from this level down to the innermost cause."""
        names: list[str] = []
        level: PayjoinError | None = self
        while level is not None:
            names.append(level.variant)
            level = level.source
        return tuple(names)


class ImplementationError(PayjoinError):
    """A callback of the caller's wallet failed (payjoin's ``Error::Implementation``).

    Never shown to the sender: payjoin replies ``unavailable`` / "Receiver error" for it.
    """

    kind = "ImplementationError"
    error_code = UNAVAILABLE

    def __init__(self, message: str) -> None:
        super().__init__("Implementation", message)


class PayjoinPanic(PayjoinError):
    """Arithmetic where rust-payjoin 1.0 would panic (debug build) or wrap (release build).

    Not a payjoin error variant: payjoin has no error for these cases, so a caller that can reach
    one has found a crate bug, and the reference refuses to guess a wrapped value.
    """

    kind = "PayjoinPanic"

    def __init__(self, message: str) -> None:
        super().__init__("Panic", message)
