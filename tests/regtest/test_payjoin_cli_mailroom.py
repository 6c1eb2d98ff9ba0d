"""Whole payjoins over the wire: payjoin-cli to payjoin-cli through payjoin-mailroom, on regtest.

Everything is real and separate: a regtest bitcoind on the host, two payjoin-mailroom containers
(directory, and OHTTP relay in front of it) and one payjoin-cli container per command, all on one
``--internal`` Docker network. bitcoind's RPC listens on loopback and on the host's address on
that network only, so the payjoin-cli containers reach it and nothing beyond the host can.

Run: ``bash ci/build-payjoin-programs.sh && pytest -s -m "docker and rust and regtest"
tests/regtest/test_payjoin_cli_mailroom.py`` (``-s`` prints the txids and confirmations).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pjconf.harness.network.mailroom import PayjoinNetwork
from pjconf.harness.network.payjoin_cli import (
    BitcoindRpc,
    PayjoinCli,
    payjoin_uri,
    session_id,
)
from pjconf.harness.regtest.node import Regtest, Wallet

pytestmark = [
    pytest.mark.docker,
    pytest.mark.rust,
    pytest.mark.payjoin_programs,
    pytest.mark.regtest,
]

AMOUNT_SATS = 1_000_000
FEE_RATE = "2"  # sat/vB
_PAYJOIN_SENT = re.compile(r"Payjoin sent\. TXID: (?P<txid>[0-9a-f]{64})")
_FALLBACK_SENT = re.compile(r"Broadcasted fallback transaction txid: (?P<txid>[0-9a-f]{64})")


@dataclass
class World:
    network: PayjoinNetwork
    node: Regtest
    rpc: BitcoindRpc
    receiver: Wallet
    sender: Wallet


@pytest.fixture(scope="module")
def world(bitcoind: Path) -> Iterator[World]:
    # Polls of an empty mailbox answer after 2 s, not 30: the fallback test waits for one.
    with PayjoinNetwork(long_poll_seconds=2) as network:
        private = network.network
        node = Regtest(
            bitcoind, extra_args=[f"-rpcbind={private.gateway}", f"-rpcallowip={private.subnet}"]
        ).start()
        try:
            receiver, sender = node.createwallet("receiver"), node.createwallet("sender")
            # Two mature coinbases each: every party has coins to contribute.
            node.generatetoaddress(2, receiver.getnewaddress())
            node.generatetoaddress(2, sender.getnewaddress())
            node.generatetoaddress(100, node.createwallet("miner").getnewaddress())
            rpc = BitcoindRpc(
                f"http://{private.gateway}:{node.rpc_port}", node.rpc_user, node.rpc_password
            )
            yield World(network, node, rpc, receiver, sender)
        finally:
            node.stop()


def _party(world: World, role: str, wallet: str) -> PayjoinCli:
    return PayjoinCli(world.network, role, world.rpc, wallet)


def _owner(world: World, txin: dict[str, Any]) -> str:
    """Which wallet an input spends from: ``receiver``, ``sender`` or ``other``."""
    spent = world.node.getrawtransaction(txin["txid"])["vout"][txin["vout"]]
    address = spent["scriptPubKey"]["address"]
    for name, wallet in (("receiver", world.receiver), ("sender", world.sender)):
        if wallet.getaddressinfo(address)["ismine"]:
            return name
    return "other"


def _mine_and_confirm(world: World, txid: str) -> dict[str, Any]:
    assert txid in world.node.rpc("getrawmempool"), f"{txid} is not in the node's mempool"
    world.node.generatetoaddress(1, world.node.wallet("miner").getnewaddress())
    tx = world.node.getrawtransaction(txid)
    assert tx.get("confirmations", 0) >= 1, f"{txid} was not mined: {tx}"
    return tx


def test_payjoin_cli_pays_payjoin_cli_through_the_mailroom(world: World) -> None:
    receiver = _party(world, "receiver", "receiver")
    sender = _party(world, "sender", "sender")
    try:
        receiver.use_ohttp_keys(world.network.directory_ohttp_keys())
        receiving = receiver.start("receive", str(AMOUNT_SATS))
        uri = payjoin_uri(
            receiving.wait_for(lambda text: "pj=" in text.lower(), 60, "a payjoin URI")
        )
        assert world.network.inside.directory.upper() in uri.upper(), uri

        sent = sender.run("send", uri, "--fee-rate", FEE_RATE, timeout=120)
        assert sent.exit_code == 0, sent.output
        found = _PAYJOIN_SENT.search(sent.output)
        assert found, f"the sender printed no payjoin txid:\n{sent.output}"
        txid = found.group("txid")

        received = receiving.wait(60)
        assert received.exit_code == 0, received.output
        assert "Payjoin transaction detected in the mempool" in received.output

        tx = _mine_and_confirm(world, txid)
        owners = sorted({_owner(world, txin) for txin in tx["vin"]})
        assert owners == ["receiver", "sender"], f"payjoin {txid} spends from {owners}"
        print(
            f"\npayjoin-cli payjoin {txid}: {len(tx['vin'])} inputs from {owners}, "
            f"{tx['confirmations']} confirmation(s) in block {tx['blockhash']}"
        )
    finally:
        receiver.close()
        sender.close()


def test_the_sender_broadcasts_the_original_when_the_receiver_never_answers(
    world: World,
) -> None:
    receiver = _party(world, "silent-receiver", "receiver")
    sender = _party(world, "patient-sender", "sender")
    try:
        receiver.use_ohttp_keys(world.network.directory_ohttp_keys())
        receiving = receiver.start("receive", str(AMOUNT_SATS))
        uri = payjoin_uri(
            receiving.wait_for(lambda text: "pj=" in text.lower(), 60, "a payjoin URI")
        )
        # Ctrl-C: the receiver goes away for good and never reads the Original.
        receiving.interrupt()

        sending = sender.start("send", uri, "--fee-rate", FEE_RATE)
        polled = sending.wait_for(
            lambda text: "No response yet" in text, 90, "a first poll without a proposal"
        )
        assert "Posted Original PSBT" in polled, polled
        stopped = sending.interrupt()
        assert "Session interrupted" in stopped.output, stopped.output

        cancelled = sender.run("cancel", session_id(stopped.output), "--role", "sender")
        assert cancelled.exit_code == 0, cancelled.output
        found = _FALLBACK_SENT.search(cancelled.output)
        assert found, f"the sender broadcast no fallback:\n{cancelled.output}"
        txid = found.group("txid")

        tx = _mine_and_confirm(world, txid)
        owners = sorted({_owner(world, txin) for txin in tx["vin"]})
        assert owners == ["sender"], f"the Original {txid} spends from {owners}"
        address = uri.split(":", 1)[1].split("?", 1)[0].lower()
        paid = [out for out in tx["vout"] if out["scriptPubKey"].get("address") == address]
        assert paid, f"the Original {txid} pays nothing to the URI's address {address}"
        print(
            f"\npayjoin-cli fallback (Original) {txid}: {len(tx['vin'])} sender input(s), "
            f"{tx['confirmations']} confirmation(s) in block {tx['blockhash']}"
        )
    finally:
        receiver.close()
        sender.close()
