"""Typed errors of the sender state machine, with payjoin 1.0's ``Display`` texts.

Each error carries ``variant`` (the crate's internal enum arm) so tests and the adapter can tell
them apart without parsing messages; ``str()`` is what the crate prints.
"""

from __future__ import annotations

import http
from typing import Any

from pjconf.reference.bip77.ohttp import ENCAPSULATED_MESSAGE_BYTES
from pjconf.reference.errors import PjconfError


class StateConsumed(PjconfError):
    """A typestate value was already moved into a transition (Rust would not compile this)."""

    kind = "StateConsumed"


class CreateRequestError(PjconfError):
    """``send::v2::CreateRequestError``: ``Url``, ``Hpke``, ``OhttpEncapsulation``, ``Expired``."""

    kind = "CreateRequestError"

    def __init__(self, variant: str, detail: str = "", *, expiration: int | None = None) -> None:
        text = {
            "Url": f"cannot parse url: {detail}",
            "Hpke": f"v2 error: {detail}",
            "OhttpEncapsulation": f"v2 error: {detail}",
            "Expired": "session expired",
        }[variant]
        super().__init__(text)
        self.variant = variant
        self.expiration = expiration

    def is_expired(self) -> bool:
        """The crate's ``is_expired()``: only the ``Expired`` arm."""
        return self.variant == "Expired"


def status_text(status: int) -> str:
    """``http::StatusCode``'s Display: the code and its canonical reason."""
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} <unknown status code>"


class DirectoryResponseError(PjconfError):
    """``ohttp::DirectoryResponseError``: ``InvalidSize``, ``OhttpDecapsulation`` or
    ``UnexpectedStatusCode``. Only a bad size and a non-4xx status are transient."""

    kind = "DirectoryResponseError"

    def __init__(self, variant: str, *, size: int = 0, status: int = 0, detail: str = "") -> None:
        text = {
            "InvalidSize": (
                f"Unexpected response size {size}, expected {ENCAPSULATED_MESSAGE_BYTES} bytes"
            ),
            "OhttpDecapsulation": f"OHTTP Decapsulation Error: {detail}",
            "UnexpectedStatusCode": f"Unexpected status code: {status_text(status)}",
        }[variant]
        super().__init__(text)
        self.variant = variant
        self.size = size
        self.status = status

    def is_fatal(self) -> bool:
        """Decapsulation failures and 4xx statuses are fatal; sizes and other statuses retry."""
        if self.variant == "OhttpDecapsulation":
            return True
        if self.variant == "InvalidSize":
            return False
        return 400 <= self.status < 500


class DecapsulationError(PjconfError):
    """``send::v2::DecapsulationError``: the directory response or the HPKE layer failed."""

    kind = "DecapsulationError"

    def __init__(self, variant: str, source: PjconfError) -> None:
        label = "HPKE error" if variant == "Hpke" else "Directory response error"
        super().__init__(f"{label}: {source}")
        self.variant = variant
        self.source = source


class ResponseError(PjconfError):
    """``send::ResponseError`` as the poll produces it.

    ``variant``: ``Decapsulation`` (wraps a :class:`DecapsulationError`), ``WellKnown`` or
    ``Unrecognized`` (the receiver's JSON error reply, in ``reply``), ``Parse`` (JSON without an
    ``errorCode``), ``Psbt`` (the proposal does not parse) or ``Proposal`` (a check failed).
    """

    kind = "ResponseError"

    def __init__(
        self,
        variant: str,
        message: str,
        *,
        source: PjconfError | None = None,
        reply: Any = None,
    ) -> None:
        super().__init__(message)
        self.variant = variant
        self.source = source
        self.reply = reply


class ReplayError(PjconfError):
    """``ReplayError``: ``NoEvents``, ``InvalidFirstEvent``, ``InvalidEvent``,
    ``InvalidEventPayload``, ``Expired`` or ``PersistenceFailure``; ``kind`` is the variant so
    the adapter reports it directly. ``closed`` says whether replay closed the persister."""

    kind = "ReplayError"

    def __init__(
        self,
        variant: str,
        message: str,
        *,
        expiration: int | None = None,
        fallback_tx: object | None = None,
        closed: bool = False,
    ) -> None:
        super().__init__(message)
        self.variant = variant
        self.kind = variant  # type: ignore[misc]
        self.expiration = expiration
        self.fallback_tx = fallback_tx
        self.closed = closed

    def is_expired(self) -> bool:
        return self.variant == "Expired"

    def expiry_fallback_tx(self) -> object | None:
        """The fallback transaction of an ``Expired`` error (always present for a sender)."""
        return self.fallback_tx if self.variant == "Expired" else None
