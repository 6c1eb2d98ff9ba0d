"""A payjoin-shaped transaction, end to end on a real regtest chain.

With bitcoind: a sender wallet builds and signs an Original PSBT paying a receiver wallet; the
node's mempool accepts it. The receiver then adds one of its own UTXOs as an input and increases
its output by that amount minus a fee bump, editing the PSBT with the node's own RPCs
(``decodepsbt``/``createpsbt``/``utxoupdatepsbt``); both wallets sign their inputs; the mempool
accepts the 2-input transaction, which is broadcast and mined with one confirmation.

With the kernel fallback: the same shape with keys held here (BIP 143 signatures) on an
in-process libbitcoinkernel chain; the block carrying it connects, and blocks carrying a
double spend or a bad signature do not.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

import pytest
from btclib_secp256k1 import dsa, keys

from pjconf.harness.regtest import (
    COINBASE_MATURITY,
    Coin,
    KernelChain,
    Regtest,
    compact_size,
    sha256d,
)

pytestmark = pytest.mark.regtest

SAT = Decimal("0.00000001")
FEE_BUMP_SAT = 300  # the receiver's input adds ~68 vB; it pays for them from its contribution


def sats(amount: Decimal) -> int:
    return int((amount / SAT).to_integral_exact())


def btc(value: int) -> Decimal:
    return (Decimal(value) * SAT).quantize(SAT)


def test_payjoin_shaped_transaction_confirms(
    regtest_backend: Any, request: pytest.FixtureRequest
) -> None:
    print(f"payjoin-shaped end-to-end check on the {regtest_backend.name} backend")
    if regtest_backend.name == "bitcoind":
        node: Regtest = request.getfixturevalue("node")
        _payjoin_on_bitcoind(node)
    else:
        with KernelChain() as chain:
            _payjoin_on_kernel(chain)


# ------------------------------------------------------------------------------------------------
# bitcoind: wallets, mempool policy, broadcast, a block


def _payjoin_on_bitcoind(node: Regtest) -> None:
    sender, receiver = node.createwallet("pj-sender"), node.createwallet("pj-receiver")
    node.generatetoaddress(COINBASE_MATURITY + 1, sender.getnewaddress())
    # The receiver's own coin, confirmed: the UTXO it will contribute.
    sender.sendtoaddress(receiver.getnewaddress(), Decimal("0.25"))
    node.generatetoaddress(1, sender.getnewaddress())
    (contribution,) = receiver.listunspent()
    assert contribution["amount"] == Decimal("0.25")

    # 1. The sender's Original PSBT, funded and signed by its wallet; policy accepts it.
    pay_to = receiver.getnewaddress()
    funded = sender.walletcreatefundedpsbt(
        [], [{pay_to: Decimal("0.1")}], 0, {"fee_rate": 2, "replaceable": True}
    )
    original = sender.walletprocesspsbt(funded["psbt"])
    assert original["complete"]
    (accepted,) = node.testmempoolaccept([original["hex"]])
    assert accepted["allowed"], accepted
    original_fee = sats(node.decodepsbt(original["psbt"])["fee"])

    # 2. The receiver's proposal, edited with the node's PSBT RPCs.
    tx: dict[str, Any] = node.decodepsbt(original["psbt"])["tx"]
    proposal, receiver_index = _proposal(node, tx, contribution, pay_to)

    # 3. Both wallets sign their own inputs: the receiver first, then the sender (who in a real
    #    payjoin checks the proposal before signing), and the PSBT is finalized.
    by_receiver = receiver.walletprocesspsbt(proposal)
    assert not by_receiver["complete"], "the sender's input cannot be signed by the receiver"
    by_both = sender.walletprocesspsbt(by_receiver["psbt"])
    assert by_both["complete"], node.analyzepsbt(by_both["psbt"])
    final = node.finalizepsbt(by_both["psbt"])
    assert final["complete"]

    # 4. Policy accepts the 2-input transaction; broadcast; one block confirms it.
    (accepted,) = node.testmempoolaccept([final["hex"]])
    assert accepted["allowed"], accepted
    assert sats(accepted["fees"]["base"]) == original_fee + FEE_BUMP_SAT
    txid = node.sendrawtransaction(final["hex"])
    assert txid == accepted["txid"]
    assert node.getmempoolentry(txid)["vsize"] > 0
    (block,) = node.generatetoaddress(1, sender.getnewaddress())

    mined = node.getrawtransaction(txid)
    assert (mined["blockhash"], mined["confirmations"]) == (block, 1)
    assert len(mined["vin"]) == 2
    assert len(mined["vout"]) == len(tx["vout"])
    paid = mined["vout"][receiver_index]
    assert paid["scriptPubKey"]["address"] == pay_to
    expected = sats(Decimal("0.1") + contribution["amount"]) - FEE_BUMP_SAT
    assert sats(paid["value"]) == expected
    for wallet in (sender, receiver):
        assert wallet.gettransaction(txid)["confirmations"] == 1
    print(
        f"payjoin {txid}: 2 inputs, vsize {accepted['vsize']}, "
        f"fee {original_fee} + {FEE_BUMP_SAT} sat, confirmed in {block}"
    )


def _proposal(
    node: Regtest, tx: dict[str, Any], contribution: dict[str, Any], pay_to: str
) -> tuple[str, int]:
    """The sender's inputs and outputs in order, the receiver's input appended (same sequence),
    its output increased by the contribution minus the fee bump, the locktime kept; the PSBT
    and the index of the receiver's output."""
    inputs = [
        {"txid": vin["txid"], "vout": vin["vout"], "sequence": vin["sequence"]} for vin in tx["vin"]
    ]
    inputs.append(
        {
            "txid": contribution["txid"],
            "vout": contribution["vout"],
            "sequence": tx["vin"][0]["sequence"],
        }
    )
    outputs = []
    receiver_index = -1
    for index, vout in enumerate(tx["vout"]):
        address, value = vout["scriptPubKey"]["address"], vout["value"]
        if address == pay_to:
            receiver_index = index
            value += contribution["amount"] - btc(FEE_BUMP_SAT)
        outputs.append({address: value})
    assert receiver_index >= 0
    proposal = node.createpsbt(inputs, outputs, tx["locktime"], True)
    proposal = node.utxoupdatepsbt(proposal)  # witness UTXOs from the node's UTXO set
    decoded = node.decodepsbt(proposal)
    assert decoded["tx"]["version"] == tx["version"]
    assert decoded["tx"]["locktime"] == tx["locktime"]
    assert all("witness_utxo" in i for i in decoded["inputs"]), "every input is segwit"
    return proposal, receiver_index


# ------------------------------------------------------------------------------------------------
# kernel: consensus only, keys held here


def hash160(data: bytes) -> bytes:
    return hashlib.new("ripemd160", hashlib.sha256(data).digest()).digest()


class P2WPKHKey:
    def __init__(self, label: str) -> None:
        self.secret = hashlib.sha256(f"pjconf regtest {label}".encode()).digest()
        self.pubkey = keys.pubkey_from_prvkey(self.secret)
        self.script_pubkey = b"\x00\x14" + hash160(self.pubkey)


def _output(value: int, script: bytes) -> bytes:
    return value.to_bytes(8, "little") + compact_size(len(script)) + script


def sign_p2wpkh(
    spends: list[tuple[Coin, P2WPKHKey]], outputs: list[tuple[int, bytes]], locktime: int = 0
) -> bytes:
    """A version-2 segwit transaction spending P2WPKH coins, each signed (BIP 143, ALL)."""
    version, sequence = (2).to_bytes(4, "little"), (0xFFFFFFFD).to_bytes(4, "little")
    lock = locktime.to_bytes(4, "little")
    outpoints = [coin.txid + coin.vout.to_bytes(4, "little") for coin, _ in spends]
    serialized_outputs = b"".join(_output(v, s) for v, s in outputs)
    hash_prevouts = sha256d(b"".join(outpoints))
    hash_sequence = sha256d(sequence * len(spends))
    hash_outputs = sha256d(serialized_outputs)
    witnesses = []
    for outpoint, (coin, key) in zip(outpoints, spends, strict=True):
        script_code = b"\x19\x76\xa9\x14" + hash160(key.pubkey) + b"\x88\xac"
        preimage = (
            version
            + hash_prevouts
            + hash_sequence
            + outpoint
            + script_code
            + coin.value.to_bytes(8, "little")
            + sequence
            + hash_outputs
            + lock
            + (1).to_bytes(4, "little")
        )
        signature = dsa.sign(sha256d(preimage), key.secret) + b"\x01"
        witnesses.append(
            compact_size(2)
            + compact_size(len(signature))
            + signature
            + compact_size(len(key.pubkey))
            + key.pubkey
        )
    return (
        version
        + b"\x00\x01"
        + compact_size(len(spends))
        + b"".join(op + b"\x00" + sequence for op in outpoints)
        + compact_size(len(outputs))
        + serialized_outputs
        + b"".join(witnesses)
        + lock
    )


def _payjoin_on_kernel(chain: KernelChain) -> None:
    sender, receiver = P2WPKHKey("sender"), P2WPKHKey("receiver")
    (sender_coin,) = chain.mine(1, sender.script_pubkey)
    (receiver_coin,) = chain.mine(1, receiver.script_pubkey)
    chain.mine(COINBASE_MATURITY, b"\x51")
    payment, original_fee = 10_000_000, 1_000
    change = sender_coin.value - payment - original_fee
    payjoin = sign_p2wpkh(
        [(sender_coin, sender), (receiver_coin, receiver)],
        [
            (change, sender.script_pubkey),
            (payment + receiver_coin.value - FEE_BUMP_SAT, receiver.script_pubkey),
        ],
    )
    height = chain.height
    assert chain.connect([payjoin]), "the block with the signed payjoin did not connect"
    assert chain.height == height + 1
    print(f"payjoin-shaped spend connected at height {chain.height}")


def test_kernel_connects_only_valid_spends(kernel: KernelChain) -> None:
    """The fallback itself, whichever backend the session chose: a block with a validly signed
    spend connects (the tip moves); a double spend and a bad signature do not."""
    key, other = P2WPKHKey("kernel-a"), P2WPKHKey("kernel-b")
    coins = kernel.mine(3, key.script_pubkey)
    kernel.mine(COINBASE_MATURITY, b"\x51")
    assert kernel.height == 3 + COINBASE_MATURITY
    first, second, third = coins
    spend = sign_p2wpkh([(first, key)], [(first.value - 1_000, other.script_pubkey)])
    assert kernel.connect([spend])
    height = kernel.height

    double = sign_p2wpkh([(first, key)], [(first.value - 2_000, other.script_pubkey)])
    assert not kernel.connect([double])
    assert kernel.height == height

    bad = bytearray(sign_p2wpkh([(second, key)], [(second.value - 1_000, key.script_pubkey)]))
    bad[-4 - 33 - 1 - 10] ^= 0x01  # a byte inside the DER signature
    assert not kernel.connect([bytes(bad)])
    assert kernel.height == height

    wrong_key = sign_p2wpkh([(third, other)], [(third.value - 1_000, key.script_pubkey)])
    assert not kernel.connect([wrong_key])
    immature = kernel.mine(1, key.script_pubkey)[0]
    too_early = sign_p2wpkh([(immature, key)], [(immature.value - 1_000, key.script_pubkey)])
    assert not kernel.connect([too_early])
    assert kernel.height == height + 1
