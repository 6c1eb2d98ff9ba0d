"""A payjoin-shaped transaction, end to end on a real regtest chain.

With bitcoind: a sender wallet builds and signs an Original PSBT paying a receiver wallet; the
node's mempool accepts it. The receiver then adds one of its own UTXOs as an input and increases
its output by that amount minus a fee bump, editing the PSBT with the node's own RPCs
(``decodepsbt``/``createpsbt``/``utxoupdatepsbt``); both wallets sign their inputs; the mempool
accepts the 2-input transaction, which is broadcast and mined with one confirmation.

With the kernel fallback: the same shape signed by the reference's ``TestWallet`` on an
in-process libbitcoinkernel chain; the block carrying it connects, and blocks carrying a
double spend or a bad signature do not.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from regtest.kit import btc, sats, signed_spend, unsigned_psbt

from pjconf.harness.regtest.node import COINBASE_MATURITY, KernelChain, Regtest
from pjconf.reference.bitcoin.tx import Transaction, TxOut
from pjconf.reference.bitcoin.wallet import AddressKind, TestWallet, extract_tx

pytestmark = pytest.mark.regtest

FEE_BUMP_SAT = 300  # the receiver's input adds ~68 vB; it pays for them from its contribution


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
# kernel: consensus only, keys held by the reference's TestWallet


SENDER = TestWallet.from_seed("pjconf regtest sender")
RECEIVER = TestWallet.from_seed("pjconf regtest receiver")


def _spk(wallet: TestWallet) -> bytes:
    return wallet.script_pubkey(AddressKind.P2WPKH)


def _payjoin_on_kernel(chain: KernelChain) -> None:
    (sender_coin,) = chain.mine(1, _spk(SENDER))
    (receiver_coin,) = chain.mine(1, _spk(RECEIVER))
    chain.mine(COINBASE_MATURITY, b"\x51")
    payment, original_fee = 10_000_000, 1_000
    change = sender_coin.value - payment - original_fee
    psbt = unsigned_psbt(
        [sender_coin, receiver_coin],
        [
            TxOut(change, _spk(SENDER)),
            TxOut(payment + receiver_coin.value - FEE_BUMP_SAT, _spk(RECEIVER)),
        ],
    )
    # Each party signs only its own input, as in a payjoin.
    by_receiver = RECEIVER.sign_psbt(psbt)
    assert by_receiver.inputs[0].final_script_witness is None
    payjoin = extract_tx(SENDER.sign_psbt(by_receiver))
    height = chain.height
    assert chain.connect([payjoin]), "the block with the signed payjoin did not connect"
    assert chain.height == height + 1
    print(f"payjoin-shaped spend {payjoin.txid_hex()} connected at height {chain.height}")


def _tamper_signature(tx: Transaction, index: int) -> Transaction:
    """``tx`` with one byte inside input ``index``'s DER signature flipped."""
    sig, *rest = tx.inputs[index].witness
    bad = sig[:10] + bytes([sig[10] ^ 0x01]) + sig[11:]
    inputs = list(tx.inputs)
    inputs[index] = replace(inputs[index], witness=(bad, *rest))
    return replace(tx, inputs=tuple(inputs))


def test_kernel_connects_only_valid_spends(kernel: KernelChain) -> None:
    """The fallback itself, whichever backend the session chose: a block with a validly signed
    spend connects (the tip moves); a double spend, a bad signature, the wrong key and an
    immature coinbase do not."""
    key, other = SENDER, RECEIVER
    coins = kernel.mine(3, _spk(key))
    kernel.mine(COINBASE_MATURITY, b"\x51")
    assert kernel.height == 3 + COINBASE_MATURITY
    first, second, third = coins
    spend = signed_spend(key, [first], [TxOut(first.value - 1_000, _spk(other))])
    assert kernel.connect([spend])
    height = kernel.height

    double = signed_spend(key, [first], [TxOut(first.value - 2_000, _spk(other))])
    assert not kernel.connect([double])
    assert kernel.height == height

    good = signed_spend(key, [second], [TxOut(second.value - 1_000, _spk(key))])
    assert not kernel.connect([_tamper_signature(good, 0)])
    assert kernel.height == height

    # `other` cannot sign `third` (not its script), so the witness is `other`'s P2WPKH signature
    # grafted onto key's coin: a signature by the wrong key.
    stolen = replace(third, script_pubkey=_spk(other), tx=None)
    forged = signed_spend(other, [stolen], [TxOut(third.value - 1_000, _spk(key))])
    assert not kernel.connect([forged])
    immature = kernel.mine(1, _spk(key))[0]
    too_early = signed_spend(key, [immature], [TxOut(immature.value - 1_000, _spk(key))])
    assert not kernel.connect([too_early])
    assert kernel.height == height + 1
    assert kernel.connect([good]), "the untampered spend of the same coin connects"


def test_kernel_reorganizes_onto_a_longer_branch(kernel: KernelChain) -> None:
    """A branch off the tip's parent replaces the tip once it is longer; the kernel validates
    the branch in full, so a branch whose first block is invalid never becomes the tip."""
    (coin,) = kernel.mine(1, _spk(SENDER))
    kernel.mine(COINBASE_MATURITY, b"\x51")
    fork = kernel.tip
    first = signed_spend(SENDER, [coin], [TxOut(coin.value - 1_000, _spk(RECEIVER))])
    assert kernel.connect([first])
    replaced = kernel.tip
    conflicting = signed_spend(SENDER, [coin], [TxOut(coin.value - 5_000, _spk(SENDER))])
    assert not kernel.connect_branch(fork, [[_tamper_signature(conflicting, 0)], []])
    assert kernel.tip == replaced
    assert kernel.connect_branch(fork, [[conflicting], []])
    assert replaced not in set(kernel.blocks())
