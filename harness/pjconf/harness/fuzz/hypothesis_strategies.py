"""The fuzz strategies as Hypothesis strategies, for property tests (``@given(strategy(op))``).

Hypothesis is a test dependency, not one of ``pjconf fuzz``: only tests import this module. A
:class:`HypothesisChoices` answers the strategies' two kinds of draw from Hypothesis' data, so
Hypothesis generates, shrinks and replays the very inputs the engine explores.
"""

from __future__ import annotations

from hypothesis import strategies as st

from pjconf.harness.fuzz.draw import Choice, Draw
from pjconf.harness.fuzz.strategies import Target, Tools, all_targets
from pjconf.protocol.wire import JsonObject


class HypothesisChoices:
    def __init__(self, draw: st.DrawFn) -> None:
        self._draw = draw
        self.recorded: list[Choice] = []

    def below(self, bound: int) -> int:
        value = self._draw(st.integers(0, max(0, bound - 1)))
        self.recorded.append(value)
        return value

    def blob(self, max_size: int) -> bytes:
        value = self._draw(st.binary(max_size=max_size))
        self.recorded.append(value)
        return value

    def size(self, bound: int) -> int:
        return self.below(bound)


def target(op: str) -> Target:
    found = [t for t in all_targets() if t.op == op]
    if not found:
        raise KeyError(f"no fuzz strategy for op {op!r}")
    return found[0]


def strategy(op: str, tools: Tools | None = None) -> st.SearchStrategy[JsonObject]:
    """The arguments of ``op`` as the stateless engine draws them."""
    chosen, built = target(op), tools or Tools()

    @st.composite
    def drawn(draw: st.DrawFn) -> JsonObject:
        return chosen.strategy(Draw(HypothesisChoices(draw)), built)

    return drawn()
