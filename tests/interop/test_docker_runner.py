"""The Docker runner: real containers, locked down, replaced when they misbehave."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import pytest

from pjconf.harness.implementations.docker import SESSION_LABEL, DockerClient, DockerUnavailable

pytestmark = pytest.mark.docker


def _containers(docker_engine: Any, client: DockerClient) -> list[Any]:
    label = f"{SESSION_LABEL}={client.session}"
    return list(docker_engine.containers.list(all=True, filters={"label": label}))


def test_a_container_answers_through_the_protocol(busybox_image: str) -> None:
    client = DockerClient(busybox_image, timeout=10)
    try:
        reply = client.call("ping", {})
        assert (reply.kind, reply.value) == ("result", {"op": "ping"})
        assert client.call("anything.else", {}).kind == "unimplemented"
    finally:
        client.close()


def test_the_sandbox_has_no_network_no_writable_root_and_no_capabilities(
    busybox_image: str,
) -> None:
    client = DockerClient(busybox_image, timeout=10)
    try:
        assert client.call("probe.network", {}).value["interfaces"].split() == ["lo"]
        assert client.call("probe.write", {}).value == {"writable": False}
        assert int(client.call("probe.caps", {}).value["cap_eff"], 16) == 0
    finally:
        client.close()


@pytest.mark.parametrize("misbehaviour", ["crash", "hang", "garbage"])
def test_misbehaviour_is_an_error_and_the_container_is_replaced(
    docker_engine: Any, busybox_image: str, misbehaviour: str
) -> None:
    client = DockerClient(busybox_image, timeout=2)
    try:
        assert client.call("ping", {}).kind == "result"
        assert client.call(misbehaviour, {}).kind == "malfunction"
        assert client.call("ping", {}).kind == "result"
        assert client.restarts == 1
        # The broken container is gone; only the replacement remains.
        assert len(_containers(docker_engine, client)) == 1
    finally:
        client.close()
    assert _containers(docker_engine, client) == []


HARNESS_THAT_DIES = """
import sys, time
from pjconf.harness.implementations.docker import DockerClient
client = DockerClient(sys.argv[1], timeout=10)
assert client.call("ping", {}).kind == "result"
print(client.session, flush=True)
time.sleep(60)
"""


def test_a_harness_that_dies_leaves_no_container_behind(
    docker_engine: Any, busybox_image: str
) -> None:
    """A harness killed with SIGKILL mid-run: its container sees EOF, exits and is removed."""
    harness = subprocess.Popen(
        [sys.executable, "-c", HARNESS_THAT_DIES, busybox_image],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert harness.stdout is not None
    session = harness.stdout.readline().strip()
    label = f"{SESSION_LABEL}={session}"
    assert docker_engine.containers.list(all=True, filters={"label": label})
    harness.kill()
    harness.wait()
    deadline = time.monotonic() + 20
    while docker_engine.containers.list(all=True, filters={"label": label}):
        assert time.monotonic() < deadline, "the container outlived its harness"
        time.sleep(0.2)


def test_an_image_that_is_not_built_is_a_clear_error(docker_engine: Any) -> None:
    with pytest.raises(DockerUnavailable, match="not built here"):
        DockerClient("pjconf/no-such-image:0")
