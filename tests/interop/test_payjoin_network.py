"""The payjoin network: payjoin-mailroom containers, locked down, and gone after the harness.

Needs the images of ``bash ci/build-payjoin-programs.sh``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from pjconf.harness.implementations.docker import SESSION_LABEL
from pjconf.harness.network.mailroom import PayjoinNetwork

pytestmark = [pytest.mark.docker, pytest.mark.rust, pytest.mark.payjoin_programs]

SECP256K1_KEM = b"\x00\x16"  # the HPKE KEM id BIP 77 uses (DHKEM(secp256k1, HKDF-SHA256))


def _post(url: str, body: bytes) -> int:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "message/ohttp-req"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_the_mailrooms_run_locked_down_on_an_internal_network(docker_engine: Any) -> None:
    with PayjoinNetwork() as network:
        private = network.network
        attrs = docker_engine.networks.get(private.name).attrs
        assert attrs["Internal"] is True
        for role in ("directory", "relay"):
            container = network.container(role)
            container.reload()
            host = container.attrs["HostConfig"]
            assert host["ReadonlyRootfs"] is True
            assert host["CapDrop"] == ["ALL"]
            assert "no-new-privileges" in host["SecurityOpt"]
            assert host["Memory"] == 128 * 1024 * 1024
            assert host["PortBindings"] in (None, {})
            assert list(container.attrs["NetworkSettings"]["Networks"]) == [private.name]
            assert [m["Destination"] for m in container.attrs["Mounts"]] == ["/data"]

        keys = network.directory_ohttp_keys()
        assert keys[1:3] == SECP256K1_KEM, keys.hex()
        assert len(keys) >= 1 + 2 + 65, keys.hex()

        # Through the relay to the directory: forwarded (the garbage body is the directory's
        # problem, a 4xx from it), where a mailroom relaying to itself refuses with 403.
        relayed = _post(f"{network.host.relay}/{network.inside.directory}", b"\x00" * 64)
        assert relayed not in (403, 404, 502, 503), relayed
        looped = _post(f"{network.host.directory}/{network.inside.directory}", b"\x00" * 64)
        assert looped == 403, looped


HARNESS = """
import sys, time
from pjconf.harness.network.mailroom import PayjoinNetwork
with PayjoinNetwork() as network:
    print(network.network.session, flush=True)
    time.sleep(120)
"""


def _leftovers(engine: Any, label: str) -> list[str]:
    filters = {"label": label}
    return (
        [f"container {c.name}" for c in engine.containers.list(all=True, filters=filters)]
        + [f"network {n.name}" for n in engine.networks.list(filters=filters)]
        + [f"volume {v.name}" for v in engine.volumes.list(filters=filters)]
    )


@pytest.mark.parametrize(
    "sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name
)
def test_nothing_of_the_network_outlives_its_harness(
    docker_engine: Any, sig: signal.Signals
) -> None:
    harness = subprocess.Popen([sys.executable, "-c", HARNESS], stdout=subprocess.PIPE, text=True)
    label = ""
    try:
        assert harness.stdout is not None
        label = f"{SESSION_LABEL}={harness.stdout.readline().strip()}"
        assert label.endswith("=") is False, "the harness printed no session"
        made = _leftovers(docker_engine, label)
        assert len(made) == 5, made  # two mailrooms, their two volumes, the network
        os.kill(harness.pid, sig)
        harness.wait(timeout=30)
        deadline = time.monotonic() + 30
        while left := _leftovers(docker_engine, label):
            assert time.monotonic() < deadline, f"after {sig.name}, still there: {left}"
            time.sleep(0.2)
    finally:
        if harness.poll() is None:
            harness.kill()
            harness.wait()
