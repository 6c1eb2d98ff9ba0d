"""rust-payjoin 1.0 under the stateful fuzz engine: random sessions of both roles against the
reference, every invariant after every step, with and without crashes (each crash restarts the
container, so the crash run is shorter)."""

from __future__ import annotations

import pytest

from pjconf.harness.fuzz.model import Budget
from pjconf.harness.fuzz.stateful import explore_sessions
from pjconf.harness.implementations.docker import DockerClient
from pjconf.harness.implementations.reference import reference_client

pytestmark = [pytest.mark.docker, pytest.mark.rust]


@pytest.mark.parametrize(("crash", "steps"), [(False, 600), (True, 120)], ids=["live", "crash"])
def test_random_sessions_find_nothing(rust: DockerClient, crash: bool, steps: int) -> None:
    findings, stats = explore_sessions(
        rust,
        reference_client(seed="fuzz-rust/oracle"),
        budget=Budget(cases=steps),
        seed="fuzz-rust",
        crash=crash,
        restart=None,  # a container is killed and started again by its client
        known=frozenset(),
        on_progress=None,
    )
    assert stats.steps == steps
    assert [(f.summary, f.detail) for f in findings] == []
