"""Fixtures of the end-to-end suite on a real regtest chain (``pytest -m regtest tests/regtest``).

The backend is chosen once per session:

- **bitcoind** when ``ci/fetch-bitcoind.sh`` succeeds: a real ``bitcoind -regtest`` process on
  loopback (Bitcoin Knots from Debian sid, run from a private root), with wallets, mempool policy
  and RPC;
- **kernel** otherwise: Bitcoin Core's libbitcoinkernel in-process (``py-bitcoinkernel``, a test
  extra), consensus only.

Every test records the backend that ran (``record_property("regtest_backend", ...)``, so it is in
a JUnit report) and the session ends with a line naming it. Tests that need a node's RPC or
wallets skip under the kernel backend, with the reason the fetch failed; the payjoin-shaped test
runs on either. ``PJCONF_REGTEST_BACKEND=kernel`` forces the fallback; ``=bitcoind`` makes a
failed fetch a failure instead of a fallback. Nothing here is mocked.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pjconf.harness.regtest.node import KernelChain, Regtest, find_bitcoind

ROOT = Path(__file__).resolve().parents[2]
FETCH = ROOT / "ci" / "fetch-bitcoind.sh"
FETCH_TIMEOUT = 600


@dataclass(frozen=True)
class Backend:
    name: str  # "bitcoind" or "kernel"
    version: str
    why: str  # why this backend was chosen
    bitcoind: Path | None = None

    def describe(self) -> str:
        return f"{self.name} ({self.version}); {self.why}"


_CHOSEN: list[Backend] = []


def _fetch_bitcoind() -> tuple[Path | None, str]:
    """Run ``ci/fetch-bitcoind.sh`` (a no-op when cached); the binary, or why there is none."""
    try:
        done = subprocess.run(
            ["bash", str(FETCH)],
            capture_output=True,
            text=True,
            timeout=FETCH_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, f"ci/fetch-bitcoind.sh took more than {FETCH_TIMEOUT}s"
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        return None, f"ci/fetch-bitcoind.sh failed ({done.returncode}): {tail}"
    return find_bitcoind(), "ci/fetch-bitcoind.sh succeeded"


@pytest.fixture(scope="session")
def regtest_backend() -> Backend:
    forced = os.environ.get("PJCONF_REGTEST_BACKEND", "")
    if forced == "kernel":
        why = os.environ.get("PJCONF_REGTEST_FALLBACK_REASON", "PJCONF_REGTEST_BACKEND=kernel")
        bitcoind = None
    else:
        bitcoind, why = _fetch_bitcoind()
        if bitcoind is None and forced == "bitcoind":
            pytest.fail(f"PJCONF_REGTEST_BACKEND=bitcoind, but {why}")
    if bitcoind is not None:
        version = subprocess.run(
            [str(bitcoind), "-version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.splitlines()[0]
        backend = Backend("bitcoind", version, why, bitcoind)
    else:
        backend = Backend("kernel", KernelChain.version(), f"fallback: {why}")
    _CHOSEN.append(backend)
    return backend


@pytest.fixture(autouse=True)
def _report_backend(
    regtest_backend: Backend, record_property: Any, request: pytest.FixtureRequest
) -> None:
    record_property("regtest_backend", regtest_backend.name)
    record_property("regtest_backend_version", regtest_backend.version)
    print(f"[{request.node.name}] regtest backend: {regtest_backend.describe()}")


@pytest.fixture(scope="session")
def bitcoind(regtest_backend: Backend) -> Path:
    """The bitcoind binary; tests needing a node's RPC or wallets skip under the kernel."""
    if regtest_backend.bitcoind is None:
        pytest.skip(f"needs bitcoind; the kernel backend ran ({regtest_backend.why})")
    return regtest_backend.bitcoind


@pytest.fixture(scope="session")
def node(bitcoind: Path) -> Iterator[Regtest]:
    """One node for the session, stopped by PID at its end whatever happened."""
    regtest = Regtest(bitcoind).start()
    try:
        yield regtest
    finally:
        regtest.stop()


@pytest.fixture
def kernel() -> Iterator[KernelChain]:
    with KernelChain() as chain:
        yield chain


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for backend in _CHOSEN:
        terminalreporter.write_line(f"regtest backend: {backend.describe()}")
