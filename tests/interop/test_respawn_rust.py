"""The respawn extension against rust-payjoin's image: a crash kills the adapter process in its
container (its sessions with it) and starts a fresh one, a crash-resume case makes no container
but its first, its verdicts are those of container restarts, and a stopped ``-j`` run leaves no
container behind.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from pjconf.harness.corpus.load import Case, load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.implementations.docker import DockerClient
from pjconf.harness.implementations.reference import sender_payment
from pjconf.harness.run.runner import run
from pjconf.harness.sessions.drive import driver_for

pytestmark = [pytest.mark.docker, pytest.mark.rust]

CRASH_CASES = ("sessions/47", "sessions/53", "sessions/54")
"""A receiver crashed 11 times, one crashed once, a sender crashed twice."""


def _cases(names: tuple[str, ...]) -> list[Case]:
    by_name = {c.name: c for c in load_corpus(vectors_dir())}
    return [by_name[n] for n in names]


def _client(image: str, *, respawn: bool) -> DockerClient:
    client = DockerClient(image, timeout=30)
    hello = client.call("hello", {})
    assert hello.kind == "result"
    assert hello.value.get("respawn") is True  # the image's entrypoint is the supervisor
    client.respawn = respawn
    return client


def test_a_respawn_loses_the_sessions_and_keeps_the_container(rust_payjoin_image: str) -> None:
    client = _client(rust_payjoin_image, respawn=True)
    try:
        seed = "pjconf/test-respawn-rust"
        driver = driver_for(client, "receiver", seed, sender_payment(f"{seed}/payment", "p2wpkh"))
        driver.new_receiver()
        handle = driver.handles["receiver"]
        assert client.call("session.events", {"handle": handle}).kind == "result"
        client.kill()
        lost = client.call("session.events", {"handle": handle})
        assert lost.kind == "error", lost  # the fresh process never heard of the session
        assert (client.respawns, client.restarts, client.containers_started) == (1, 0, 1)
    finally:
        client.close()


def test_crash_cases_respawn_in_one_container_with_the_verdicts_of_restarts(
    rust_payjoin_image: str,
) -> None:
    cases = _cases(CRASH_CASES)
    crashes = sum(int((c.expected or {})["restarts"]) for c in cases)
    verdicts = {}
    for respawn in (True, False):
        client = _client(rust_payjoin_image, respawn=respawn)
        try:
            result = run(client, cases)
        finally:
            client.close()
        verdicts[respawn] = [(o.case.name, o.verdict.value, o.detail) for o in result.outcomes]
        if respawn:
            assert (client.respawns, client.restarts, client.containers_started) == (crashes, 0, 1)
        else:
            assert (client.respawns, client.restarts) == (0, crashes)
            assert client.containers_started > crashes  # one per crash, and warm spares
    assert verdicts[True] == verdicts[False]
    assert [v for _, v, _ in verdicts[True]] == ["PASS"] * len(cases), verdicts[True]


@pytest.fixture
def own_tag(docker_engine: Any, rust_payjoin_image: str) -> Iterator[str]:
    """The image under a tag of this test's own: its containers carry that tag in their
    ``org.pjconf.adapter`` label, so other runs sharing the engine cannot be mistaken for them."""
    repository = f"pjconf-test/respawn-{uuid.uuid4().hex[:12]}"
    docker_engine.images.get(rust_payjoin_image).tag(repository, "1")
    yield f"{repository}:1"
    docker_engine.images.remove(f"{repository}:1")


def test_sigterm_mid_run_with_minus_j_leaves_no_container(docker_engine: Any, own_tag: str) -> None:
    argv = [sys.executable, "-m", "pjconf.harness", "run", "--impl", f"docker:{own_tag}"]
    argv += ["--family", "sessions", "--no-variants", "-j", "2"]
    running = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert running.stderr is not None
    assert running.stderr.readline().startswith("[pjconf] sessions: ")  # hello answered
    label = {"label": f"org.pjconf.adapter={own_tag}"}
    deadline = time.monotonic() + 30
    while len(docker_engine.containers.list(all=True, filters=label)) < 2:
        assert time.monotonic() < deadline, "two workers should run two containers"
        time.sleep(0.1)
    running.send_signal(signal.SIGTERM)
    out, err = running.communicate(timeout=60)
    assert running.returncode == 3, err[-2000:]
    assert "Traceback" not in out + err
    deadline = time.monotonic() + 30
    while docker_engine.containers.list(all=True, filters=label):
        assert time.monotonic() < deadline, "a container outlived its stopped run"
        time.sleep(0.2)
