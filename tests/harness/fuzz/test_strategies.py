"""Every fuzz strategy as a Hypothesis strategy: whatever it draws, the reference answers with a
result or a typed refusal, never a malfunction or an ``InternalError`` (the robustness half of
the differential property, checked where no second implementation is needed)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pjconf.harness.fuzz.hypothesis_strategies import strategy
from pjconf.harness.fuzz.strategies import all_targets
from pjconf.harness.implementations.reference import reference_client
from pjconf.protocol.wire import JsonObject

OPS = [t.op for t in all_targets()]
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("op", OPS)
def test_the_reference_answers_every_drawn_input(op: str) -> None:
    reference = reference_client(seed="property")

    @PROPERTY
    @given(args=strategy(op))
    def answers(args: JsonObject) -> None:
        reply = reference.call(op, args)
        assert reply.kind in ("result", "error"), reply
        assert reply.value.get("kind") != "InternalError", reply

    answers()


def test_an_op_without_a_strategy_is_refused() -> None:
    with pytest.raises(KeyError, match="no fuzz strategy"):
        strategy("session.call")


def test_strategies_are_hypothesis_strategies() -> None:
    assert isinstance(strategy("uri.parse"), st.SearchStrategy)
