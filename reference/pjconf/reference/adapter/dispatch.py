"""An adapter that runs in this process: a table of op handlers behind the protocol's rules.

The reference is served this way (``pjconf shim``, and ``pjconf run`` without ``--impl``). The
rules live here once: typed reference errors become ``error`` answers with their kind, argument
problems become ``InvalidArgument``, unknown ops become ``unimplemented``, and nothing raised by a
handler escapes as a traceback.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Mapping
from typing import Any

from pjconf.protocol.wire import (
    PROTOCOL_VERSION,
    ArgumentError,
    JsonObject,
    Request,
    Unimplemented,
    error,
    result,
    unimplemented,
)
from pjconf.reference.errors import ParseError, PjconfError

Handler = Callable[[JsonObject], JsonObject]


class ErrorWithFields(PjconfError):
    """An op's typed error with the extra fields its contract names (``replay``'s ``closed``
    and ``fallback_tx``): raised by a handler, answered as ``{"kind", "message", **fields}``."""

    def __init__(self, kind: str, message: str, fields: dict[str, Any]) -> None:
        super().__init__(message)
        self.error_kind = kind
        self.fields = fields


class InProcessAdapter:
    """Dispatch protocol requests to handlers, enforcing the protocol's answer shapes."""

    def __init__(
        self,
        implementation: str,
        version: str,
        handlers: Mapping[str, Handler],
        *,
        deterministic: bool = True,
    ) -> None:
        self.implementation = implementation
        self.version = version
        self.deterministic = deterministic
        self._handlers = dict(handlers)
        self.shut_down = False

    @property
    def handlers(self) -> Mapping[str, Handler]:
        """The op table, for wrapping (a proxy, a mutant) without reaching inside."""
        return dict(self._handlers)

    @property
    def ops(self) -> list[str]:
        return ["hello", "shutdown", *sorted(self._handlers)]

    def handle(self, request: Request) -> JsonObject:
        if request.op == "hello":
            return result(
                request.id,
                {
                    "protocol": PROTOCOL_VERSION,
                    "implementation": self.implementation,
                    "version": self.version,
                    "ops": self.ops,
                    "deterministic": self.deterministic,
                    "clock": True,
                },
            )
        if request.op == "shutdown":
            self.shut_down = True
            return result(request.id, {})
        handler = self._handlers.get(request.op)
        if handler is None:
            return unimplemented(request.id, f"op {request.op!r} is not implemented")
        try:
            return result(request.id, handler(request.args))
        except Unimplemented as exc:
            return unimplemented(request.id, str(exc))
        except ParseError as exc:
            return error(request.id, exc.kind, exc.message, reason=exc.reason)
        except ErrorWithFields as exc:
            return error(request.id, exc.error_kind, exc.message, **exc.fields)
        except PjconfError as exc:
            return error(request.id, exc.kind, exc.message)
        except ArgumentError as exc:
            return error(request.id, "InvalidArgument", str(exc))
        except Exception as exc:  # an adapter bug: report it as such, keep serving
            traceback.print_exc(file=sys.stderr)
            return error(request.id, "InternalError", f"{type(exc).__name__}: {exc}")
