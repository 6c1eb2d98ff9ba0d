"""A busy container is removed even when its harness is killed with SIGKILL.

StdinOnce turns the harness's death into end of input for the adapter, which stops only an
adapter that is reading; one busy with a request (the busybox adapter's ``hang`` sleeps 60 s)
would run on inside the daemon. The DockerClient's watchdog sidecar removes it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

from pjconf.harness.implementations.docker import SESSION_LABEL

pytestmark = pytest.mark.docker

HARNESS = """
import sys
from pjconf.harness.implementations.docker import DockerClient
client = DockerClient(sys.argv[1], timeout=120)
assert client.call("ping", {}).kind == "result"
print(client.session, flush=True)
client.call("hang", {})  # the container is busy for a minute: killed while waiting
"""


def test_a_busy_container_is_removed_after_its_harness_is_sigkilled(
    docker_engine: Any, busybox_image: str
) -> None:
    harness = subprocess.Popen(
        [sys.executable, "-c", HARNESS, busybox_image], stdout=subprocess.PIPE, text=True
    )
    label = ""
    try:
        assert harness.stdout is not None
        label = f"{SESSION_LABEL}={harness.stdout.readline().strip()}"
        time.sleep(1)  # the hang request has reached the adapter, which now sleeps
        assert docker_engine.containers.list(
            filters={"label": label, "status": "running"}, sparse=True
        )
        os.kill(harness.pid, signal.SIGKILL)
        harness.wait(timeout=10)
        deadline = time.monotonic() + 20  # well before the adapter's own minute is up
        while docker_engine.containers.list(all=True, filters={"label": label}, sparse=True):
            assert time.monotonic() < deadline, "the busy container outlived its harness"
            time.sleep(0.2)
    finally:
        if harness.poll() is None:
            harness.kill()
            harness.wait()
        if label:
            for container in docker_engine.containers.list(
                all=True, filters={"label": label}, sparse=True
            ):
                container.remove(force=True)
