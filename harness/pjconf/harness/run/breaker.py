"""The circuit breaker: stop sending cases to an implementation that has stopped answering.

Without it, an adapter that answers ``hello`` and then hangs costs the per-request timeout on
every case: hours for the corpus. A case *fails* here when the adapter malfunctioned during it
(a timeout, a crash, an answer that is not the protocol: the checker's ERROR); any other
verdict is an answer and closes the breaker again.

- ``limit`` consecutive failures open the breaker: the rest of that family is not sent (each
  remaining case is an ERROR saying why).
- The next family tries again with one case (a probe). An answer closes the breaker; a failure
  cuts that family off too.
- After ``limit`` families in a row were cut off with no answer in between, the adapter is given
  up: the rest of the run is not sent.

So an adapter that never answers again costs at most ``2 * limit - 1`` timeouts in all (with the
defaults, 5 x 10 s), however large the corpus. ``limit`` 0 turns the breaker off.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_LIMIT = 3
UNRESPONSIVE = "unresponsive: "
"""How the detail of a case the breaker did not send starts."""


@dataclass
class Breaker:
    limit: int = DEFAULT_LIMIT
    failures: int = 0
    """Consecutive cases that ended in a malfunction, across families."""
    dead_families: int = 0
    """Consecutive families cut off with no answer in between."""
    cut: dict[str, str] = field(default_factory=dict)
    """Family -> why the rest of it was not sent."""
    given_up: str = ""
    """Why the rest of the run was not sent (empty while it is being sent)."""

    def refuses(self, family: str) -> str:
        """Why a case of ``family`` must not be sent now, or ``""`` to send it."""
        if self.given_up:
            return self.given_up
        return self.cut.get(family, "")

    def record(self, family: str, malfunctioned: bool) -> None:
        """Count one case of ``family`` that was sent and judged."""
        if not malfunctioned:
            self.failures = 0
            self.dead_families = 0
            return
        self.failures += 1
        if not self.limit or self.failures < self.limit or family in self.cut:
            return
        self.cut[family] = (
            f"{UNRESPONSIVE}{self.failures} consecutive failures, "
            "the rest of the family was not sent"
        )
        self.dead_families += 1
        if self.dead_families >= self.limit:
            self.given_up = (
                f"{UNRESPONSIVE}no answer in {self.dead_families} families in a row "
                f"({self.failures} consecutive failures), the rest of the run was not sent"
            )
