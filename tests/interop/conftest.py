"""Fixtures of the cross-implementation suite: a Docker engine and locally built images.

These tests need a running Docker engine (and, for rust-payjoin, cargo). They are selected by
the ``docker`` and ``rust`` markers, and ``.ci/run`` runs them: where the engine or cargo is
missing they FAIL, never skip, because a conformance claim without the other implementation is
no claim at all.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pjconf.harness.implementations.docker import DockerClient, engine, image_present

HERE = Path(__file__).resolve().parent
BUSYBOX_IMAGE = "pjconf/test-busybox-adapter:1"


@pytest.fixture(scope="session")
def docker_engine() -> Any:
    return engine()  # DockerUnavailable fails the test with the reason


def _context_tar(files: dict[str, tuple[bytes, int]]) -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, (data, mode) in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


@pytest.fixture(scope="session")
def busybox_image(docker_engine: Any) -> str:
    """A FROM-scratch image: Debian's static busybox running ``busybox_adapter.sh``."""
    busybox = shutil.which("busybox")
    assert busybox, "install Debian's busybox-static (.ci/run does)"
    dockerfile = (
        b"FROM scratch\nCOPY busybox /bin/busybox\nCOPY adapter.sh /adapter.sh\n"
        b'ENTRYPOINT ["/bin/busybox", "sh", "/adapter.sh"]\n'
    )
    context = _context_tar(
        {
            "Dockerfile": (dockerfile, 0o644),
            "busybox": (Path(busybox).read_bytes(), 0o755),
            "adapter.sh": ((HERE / "busybox_adapter.sh").read_bytes(), 0o644),
        }
    )
    docker_engine.images.build(fileobj=context, custom_context=True, tag=BUSYBOX_IMAGE, rm=True)
    return BUSYBOX_IMAGE


RUST_IMAGE = "pjconf/rust-payjoin:1.0.0"
ROOT = HERE.parents[1]


def rust_payjoin_image_of(docker_engine: Any, version: str) -> str:
    """rust-payjoin ``version``'s adapter image, built from the committed lock file if missing."""
    image = f"pjconf/rust-payjoin:{version}"
    if not image_present(docker_engine, image):
        assert shutil.which("cargo"), "cargo is required to build the rust-payjoin adapter"
        subprocess.run(["bash", str(ROOT / "ci" / "build-rust-payjoin.sh"), version], check=True)
    return image


@pytest.fixture(scope="session")
def rust_payjoin_image(docker_engine: Any) -> str:
    """rust-payjoin 1.0's adapter image, built here from the committed lock file if missing."""
    return rust_payjoin_image_of(docker_engine, RUST_IMAGE.rsplit(":", 1)[1])


@pytest.fixture(scope="session")
def rust(rust_payjoin_image: str) -> Iterator[DockerClient]:
    client = DockerClient(rust_payjoin_image, timeout=30)
    yield client
    client.close()
