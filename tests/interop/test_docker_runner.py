"""The Docker runner: real containers, locked down, replaced when they misbehave."""

from __future__ import annotations

from typing import Any

import pytest

from pjconf.harness.adapters.docker import SESSION_LABEL, DockerClient, DockerUnavailable

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


def test_an_image_that_is_not_built_is_a_clear_error(docker_engine: Any) -> None:
    with pytest.raises(DockerUnavailable, match="not built here"):
        DockerClient("pjconf/no-such-image:0")
