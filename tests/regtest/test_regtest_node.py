"""The regtest node controller: a real bitcoind on loopback, started and stopped by PID, and
typed RPC errors."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from pjconf.harness.regtest.node import (
    DeserializationError,
    InvalidAddressOrKey,
    MethodNotFound,
    Regtest,
    RPCClient,
    RPCError,
    RPCErrorCode,
    RPCTransportError,
    WalletError,
    free_port,
)

pytestmark = pytest.mark.regtest


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_node_starts_on_loopback_without_peers_and_stops_cleanly(bitcoind: Path) -> None:
    node = Regtest(bitcoind).start()
    try:
        pid, datadir = node.pid, node.datadir
        assert node.running
        assert datadir is not None
        assert datadir.is_dir()
        info = node.rpc("getblockchaininfo")
        assert info["chain"] == "regtest"
        assert node.getblockcount() == 0
        network = node.rpc("getnetworkinfo")
        assert network["connections"] == 0
        assert network["localaddresses"] == []
        assert node.rpc("getpeerinfo") == []
        assert "Knots" in node.version() or "Satoshi" in node.version()
    finally:
        status = node.stop()
    assert status == 0, "SIGTERM should shut bitcoind down cleanly"
    assert _gone(pid), f"bitcoind PID {pid} is still there"
    assert not datadir.exists(), "the temporary datadir should be removed"
    assert not node.running
    assert node.stop() is None  # a second stop is a no-op


def _failing_test_body(node: Regtest, pids: list[int]) -> None:
    with node:
        pids.append(node.pid)
        raise RuntimeError("the test failed")


def test_node_is_stopped_when_the_test_body_fails(bitcoind: Path) -> None:
    pids: list[int] = []
    with pytest.raises(RuntimeError, match="the test failed"):
        _failing_test_body(Regtest(bitcoind), pids)
    assert _gone(pids[0])


def test_a_node_that_ignores_sigterm_is_killed_after_the_timeout(bitcoind: Path) -> None:
    node = Regtest(bitcoind).start()
    pid = node.pid
    os.kill(pid, signal.SIGSTOP)  # a stopped process cannot act on SIGTERM
    status = node.stop(timeout=1.0)
    assert status == -signal.SIGKILL
    assert _gone(pid)


def test_rpc_errors_are_typed_and_name_the_method_and_code(node: Regtest) -> None:
    with pytest.raises(MethodNotFound) as not_found:
        node.rpc("nosuchmethod")
    assert not_found.value.method == "nosuchmethod"
    assert not_found.value.code == RPCErrorCode.METHOD_NOT_FOUND
    assert not_found.value.code == -32601
    assert "nosuchmethod" in str(not_found.value)
    assert "-32601" in str(not_found.value)

    with pytest.raises(DeserializationError) as undecodable:
        node.sendrawtransaction("00")
    assert (undecodable.value.method, undecodable.value.code) == ("sendrawtransaction", -22)

    with pytest.raises(InvalidAddressOrKey) as bad_address:
        node.generatetoaddress(1, "not-an-address")
    assert (bad_address.value.method, bad_address.value.code) == ("generatetoaddress", -5)

    with pytest.raises(WalletError) as no_wallet:
        node.wallet("no-such-wallet").getnewaddress()
    assert (no_wallet.value.method, no_wallet.value.code) == ("getnewaddress", -18)

    with pytest.raises(RPCError) as wrong_type:
        node.rpc("getblockhash", "zero")
    assert wrong_type.value.code in (RPCErrorCode.TYPE_ERROR, RPCErrorCode.INVALID_PARAMETER)
    assert node.getblockcount() >= 0  # the node survived all of it


def test_transport_failures_are_typed(node: Regtest) -> None:
    wrong_password = RPCClient(f"http://127.0.0.1:{node.rpc_port}", "pjconf", "wrong", 10)
    with pytest.raises(RPCTransportError, match=r"getblockcount: HTTP 401"):
        wrong_password.call("getblockcount")
    nobody = RPCClient(f"http://127.0.0.1:{free_port()}", "u", "p", 5)
    with pytest.raises(RPCTransportError, match="getblockcount") as refused:
        nobody.call("getblockcount")
    assert refused.value.method == "getblockcount"
