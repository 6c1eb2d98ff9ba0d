"""Typed errors of the reference implementation.

Every failure a caller can provoke with bad input is one of these, never a bare ValueError or a
traceback from a library underneath. ``kind`` is the adapter protocol's error kind, so the shim
can answer ``{"error": {"kind": ..., "message": ...}}`` without a translation table.
"""

from __future__ import annotations

from typing import ClassVar


class PjconfError(Exception):
    """Base of every error the reference raises on purpose."""

    kind: ClassVar[str] = "Error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidKey(PjconfError):
    """A public or secret key that is not a valid secp256k1 (or suite) key."""

    kind = "InvalidKey"


class OpenError(PjconfError):
    """Authenticated decryption failed: wrong key, wrong sender, or tampered bytes."""

    kind = "OpenError"


class PayloadTooLarge(PjconfError):
    """A body does not fit the fixed-size message it must be padded into."""

    kind = "PayloadTooLarge"

    def __init__(self, actual: int, maximum: int) -> None:
        super().__init__(f"payload of {actual} bytes exceeds the maximum of {maximum}")
        self.actual = actual
        self.maximum = maximum


class PayloadTooShort(PjconfError):
    """A message is too short to hold even its fixed-size header."""

    kind = "PayloadTooShort"

    def __init__(self, actual: int, minimum: int) -> None:
        super().__init__(f"message of {actual} bytes is shorter than the minimum of {minimum}")
        self.actual = actual
        self.minimum = minimum


class ParseError(PjconfError):
    """Bytes or text that do not follow the format they claim.

    ``reason`` is a stable, machine-readable name for the rule that was broken (for example
    ``LowercaseFragment``), so vectors can pin *why* an input is rejected, not just *that* it is.
    """

    kind = "ParseError"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason


class UnsupportedSuite(PjconfError):
    """An HPKE or OHTTP algorithm identifier this implementation does not offer."""

    kind = "UnsupportedSuite"


class InvalidArgument(PjconfError):
    """An argument of the wrong shape (a length, a range) that is neither a key nor parsed input.

    Such a value is a caller's mistake, not bytes from a peer, so it gets a kind of its own.
    """

    kind = "InvalidArgument"


class MessageLimitReached(PjconfError):
    """An HPKE context has used every nonce its sequence number can make (RFC 9180 §5.2)."""

    kind = "MessageLimitReached"


class UnknownKeyId(PjconfError):
    """An OHTTP request names a key identifier the gateway does not hold.

    Its own kind because a gateway answers it differently (RFC 9458 problem type ``ohttp-key``)
    from a request it holds the key for but cannot open.
    """

    kind = "UnknownKeyId"


class InvalidSize(PjconfError):
    """A message that must have one exact size has another (rust-payjoin's ``InvalidSize``)."""

    kind = "InvalidSize"

    def __init__(self, actual: int, expected: int) -> None:
        super().__init__(f"message of {actual} bytes, expected exactly {expected}")
        self.actual = actual
        self.expected = expected
