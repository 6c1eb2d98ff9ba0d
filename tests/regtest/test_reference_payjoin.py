"""A payjoin made end to end by the reference's own code, checked by a real chain.

The reference's ``TestWallet`` holds both parties' keys; the chain funds them (with bitcoind the
node's wallet pays their regtest addresses and a block confirms it). Then, with nothing but
:mod:`pjconf.reference`:

1. the sender builds the Original PSBT (UTXO fields on every input, a payment, change), signs it
   and makes its request context (``SenderBuilder.build_recommended``);
2. the receiver parses it (``parse_payload``), has the chain judge the extracted Original
   (``check_broadcast_suitability``, whose callback is ``testmempoolaccept``), runs its
   ownership checks, contributes one input (``contribute_inputs``), lets the fee range move the
   fee between the outputs (``apply_fee_range``) and signs its input
   (``finalize_proposal`` with ``TestWallet.sign_psbt``);
3. the sender checks the proposal (``SenderContext.process_proposal``) and signs its inputs
   again; the payjoin passes ``testmempoolaccept``, is broadcast and confirmed by one block,
   after which the Original is a double spend the node refuses.

On the kernel backend (consensus only, no mempool) the Original is judged by connecting a block
that carries it, and the payjoin by a two-block branch from that block's parent that replaces
it: the kernel validates the branch in full and the Original leaves the active chain.

Test-local, because the reference has no such function: the Original's fee estimate. The
sender's query string is the reference's (``payjoin.request_body.sender_query``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

import pytest
from regtest.kit import btc, coins_of, sats, unsigned_psbt

from pjconf.harness.regtest.node import COINBASE_MATURITY, Coin, KernelChain, Regtest, Wallet
from pjconf.reference.bitcoin import address
from pjconf.reference.bitcoin.address import Network
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.bitcoin.tx import Transaction, TxOut
from pjconf.reference.bitcoin.wallet import AddressKind, TestWallet, extract_tx
from pjconf.reference.entropy import SeededRandom
from pjconf.reference.payjoin.params import OutputSubstitution
from pjconf.reference.payjoin.receiver import InputPair, parse_payload
from pjconf.reference.payjoin.request_body import sender_query
from pjconf.reference.payjoin.sender import SenderBuilder
from pjconf.reference.payjoin.units import fee_for, fee_rate, sat_per_vb

pytestmark = pytest.mark.regtest

SENDER_FUNDS = 50_000_000
RECEIVER_FUNDS = 25_000_000
PAYMENT = 10_000_000
FEE_RATE_SAT_VB = 2
MIN_FEE_RATE = sat_per_vb(FEE_RATE_SAT_VB)  # the sender's minfeerate, sat/kwu
MAX_RECEIVER_FEE_RATE = sat_per_vb(10)

CASES = [
    pytest.param(AddressKind.P2WPKH, AddressKind.P2WPKH, id="sender-p2wpkh-receiver-p2wpkh"),
    pytest.param(AddressKind.P2WPKH, AddressKind.P2TR, id="sender-p2wpkh-receiver-p2tr"),
    pytest.param(AddressKind.P2TR, AddressKind.P2TR, id="sender-p2tr-receiver-p2tr"),
]


# ------------------------------------------------------------------------------------------------
# The two backends behind one face


@dataclass(frozen=True)
class Confirmed:
    """Where the payjoin ended up: its block and confirmations, and the backend's own numbers."""

    block: str
    confirmations: int
    node_vsize: int | None = None  # testmempoolaccept's, to compare with the reference's
    node_fee: int | None = None


class Chain(Protocol):
    backend: str
    verdicts: list[str]

    def height(self) -> int: ...

    def fund(self, payments: list[TxOut]) -> Transaction:
        """One confirmed transaction paying ``payments`` (and change elsewhere)."""
        ...

    def can_broadcast(self, tx: Transaction) -> bool:
        """The receiver's broadcast-suitability callback for the extracted Original."""
        ...

    def confirm(self, tx: Transaction) -> Confirmed:
        """Accept, broadcast and mine the final payjoin."""
        ...

    def original_now_rejected(self, tx: Transaction) -> bool: ...


class NodeChain:
    """bitcoind: the node's wallet funds, ``testmempoolaccept`` judges, a block confirms."""

    backend = "bitcoind"

    def __init__(self, node: Regtest, funder: Wallet) -> None:
        self.node, self.funder = node, funder
        self.verdicts: list[str] = []

    def height(self) -> int:
        return self.node.getblockcount()

    def fund(self, payments: list[TxOut]) -> Transaction:
        amounts = {
            address.encode(out.script_pubkey, Network.REGTEST): btc(out.value) for out in payments
        }
        txid = self.funder.sendmany(amounts)
        self.node.generatetoaddress(1, self.funder.getnewaddress())
        tx = Transaction.deserialize(bytes.fromhex(self.funder.gettransaction(txid)["hex"]))
        assert tx.txid_hex() == txid, "the reference's txid differs from the node's"
        assert self.funder.gettransaction(txid)["confirmations"] == 1
        return tx

    def _accept(self, tx: Transaction) -> dict[str, Any]:
        (verdict,) = self.node.testmempoolaccept([tx.serialize().hex()])
        self.verdicts.append(f"testmempoolaccept {tx.txid_hex()}: {verdict}")
        assert verdict["txid"] == tx.txid_hex()
        return verdict

    def can_broadcast(self, tx: Transaction) -> bool:
        verdict = self._accept(tx)
        if verdict["allowed"]:
            assert verdict["vsize"] == tx.vsize()
        return bool(verdict["allowed"])

    def confirm(self, tx: Transaction) -> Confirmed:
        verdict = self._accept(tx)
        assert verdict["allowed"], verdict
        txid = self.node.sendrawtransaction(tx.serialize().hex())
        assert txid == tx.txid_hex()
        assert self.node.getmempoolentry(txid)["vsize"] == tx.vsize()
        (block,) = self.node.generatetoaddress(1, self.funder.getnewaddress())
        mined = self.node.getrawtransaction(txid)
        assert mined["hex"] == tx.serialize().hex()
        assert mined["blockhash"] == block
        return Confirmed(
            mined["blockhash"],
            int(mined["confirmations"]),
            int(verdict["vsize"]),
            sats(verdict["fees"]["base"]),
        )

    def original_now_rejected(self, tx: Transaction) -> bool:
        verdict = self._accept(tx)
        return not verdict["allowed"] and verdict["reject-reason"] == "missing-inputs"


class KernelBackend:
    """libbitcoinkernel: a reference wallet funds, connected blocks judge (consensus only)."""

    backend = "kernel"
    FUNDER = TestWallet.from_seed("pjconf regtest reference-payjoin funder")

    def __init__(self, chain: KernelChain) -> None:
        self.chain = chain
        self.verdicts: list[str] = []
        spk = self.FUNDER.script_pubkey(AddressKind.P2WPKH)
        (self._coin,) = chain.mine(1, spk)
        chain.mine(COINBASE_MATURITY, b"\x51")
        self._original_parent: bytes | None = None
        self._original_block: bytes | None = None

    def height(self) -> int:
        return self.chain.height

    def fund(self, payments: list[TxOut]) -> Transaction:
        spk = self.FUNDER.script_pubkey(AddressKind.P2WPKH)
        change = self._coin.value - sum(out.value for out in payments) - 10_000
        psbt = unsigned_psbt([self._coin], [*payments, TxOut(change, spk)])
        tx = extract_tx(self.FUNDER.sign_psbt(psbt))
        assert self.chain.connect([tx]), "the funding transaction did not connect"
        (self._coin,) = coins_of(tx, self.chain.height, spk)
        return tx

    def can_broadcast(self, tx: Transaction) -> bool:
        self._original_parent = self.chain.tip
        connected = self.chain.connect([tx])
        self._original_block = self.chain.tip if connected else None
        self.verdicts.append(f"kernel: block with the Original {tx.txid_hex()}: {connected}")
        return connected

    def confirm(self, tx: Transaction) -> Confirmed:
        assert self._original_parent is not None
        parent_height = self.chain.height - 1
        connected = self.chain.connect_branch(self._original_parent, [[tx], []])
        self.verdicts.append(
            f"kernel: 2-block branch with the payjoin {tx.txid_hex()}: {connected}"
        )
        assert connected, "the branch carrying the payjoin did not become the active chain"
        block = list(self.chain.blocks())[parent_height + 1]
        return Confirmed(block[::-1].hex(), self.chain.height - parent_height)

    def original_now_rejected(self, tx: Transaction) -> bool:
        """The Original's block left the active chain, and it cannot come back after the
        payjoin: a block carrying it on the new tip does not connect."""
        gone = self._original_block not in set(self.chain.blocks())
        return gone and not self.chain.connect([tx])


# ------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def funder(node: Regtest) -> Wallet:
    """A node wallet with mature coins, made once for the module's cases."""
    wallet = node.createwallet("reference-payjoin-funder")
    node.generatetoaddress(COINBASE_MATURITY + 1, wallet.getnewaddress())
    return wallet


@pytest.fixture
def chain(regtest_backend: Any, request: pytest.FixtureRequest) -> Chain:
    if regtest_backend.name == "bitcoind":
        return NodeChain(request.getfixturevalue("node"), request.getfixturevalue("funder"))
    return KernelBackend(request.getfixturevalue("kernel"))


# ------------------------------------------------------------------------------------------------
# Test-local helpers (the reference has neither)


def build_original(
    sender: TestWallet, kind: AddressKind, coin: Coin, payee: bytes, height: int
) -> Psbt:
    """The sender's signed Original: payment first, change back to the sender, the fee for
    ``FEE_RATE_SAT_VB`` from a signed draft's size (one vbyte spare: an ECDSA signature may come
    out a byte longer), the locktime at the tip (anti fee sniping, which payjoin must keep)."""

    def signed(fee: int) -> Psbt:
        outputs = [
            TxOut(PAYMENT, payee),
            TxOut(coin.value - PAYMENT - fee, sender.script_pubkey(kind)),
        ]
        return sender.sign_psbt(unsigned_psbt([coin], outputs, lock_time=height))

    draft = extract_tx(signed(0))
    return signed(FEE_RATE_SAT_VB * (draft.vsize() + 1))


def receive(
    chain: Chain,
    original_base64: str,
    query: str,
    *,
    receiver: TestWallet,
    coin: Coin,
    kind: AddressKind,
    label: str,
) -> tuple[Psbt, int]:
    """The receiver's side, all reference code: the proposal as message B would carry it, and
    the fee its input adds at the sender's minimum rate."""
    payload = parse_payload(original_base64, query, (1, 2))
    payload.check_broadcast_suitability(None, chain.can_broadcast)
    payload.check_inputs_not_owned(lambda outpoint: outpoint == coin.outpoint)
    payload.check_no_inputs_seen_before(lambda outpoint: False)
    wants_inputs = payload.identify_receiver_outputs(receiver.owns).commit_outputs()
    if kind is AddressKind.P2TR:
        pair = InputPair.new_p2tr_keyspend(coin.txout, coin.outpoint)
    else:
        pair = InputPair.new_p2wpkh(coin.txout, coin.outpoint)
    chosen = wants_inputs.try_preserving_privacy([pair])
    wants_inputs = wants_inputs.contribute_inputs([chosen], SeededRandom(f"positions {label}"))
    fee_range = wants_inputs.commit_inputs()
    additional_fee = fee_for(fee_range.additional_input_weight(), MIN_FEE_RATE)
    receiver_ctx = fee_range.apply_fee_range(None, MAX_RECEIVER_FEE_RATE)
    proposal = receiver_ctx.finalize_proposal(receiver.sign_psbt)
    return Psbt.from_base64(proposal.to_base64()), additional_fee


# ------------------------------------------------------------------------------------------------
# The test


@pytest.mark.parametrize(("sender_kind", "receiver_kind"), CASES)
def test_reference_payjoin_confirms(
    chain: Chain, sender_kind: AddressKind, receiver_kind: AddressKind
) -> None:
    started = time.monotonic()
    label = f"{sender_kind.value}-{receiver_kind.value}"
    sender = TestWallet.from_seed(f"pjconf regtest reference-payjoin sender {label}")
    receiver = TestWallet.from_seed(f"pjconf regtest reference-payjoin receiver {label}")
    payee = receiver.script_pubkey(AddressKind.P2WPKH)
    receiver_spk = receiver.script_pubkey(receiver_kind)

    # 0. Funding: one confirmed transaction pays both parties' regtest addresses.
    funding = chain.fund(
        [
            TxOut(SENDER_FUNDS, sender.script_pubkey(sender_kind)),
            TxOut(RECEIVER_FUNDS, receiver_spk),
        ]
    )
    height = chain.height()
    (sender_coin,) = coins_of(funding, height, sender.script_pubkey(sender_kind))
    (receiver_coin,) = coins_of(funding, height, receiver_spk)

    # 1. Sender: the Original, signed, and the request context.
    original = build_original(sender, sender_kind, sender_coin, payee, height)
    original_tx = extract_tx(original)
    original_fee = original.fee()
    assert fee_rate(original_fee, original_tx.weight()) >= MIN_FEE_RATE
    sender_ctx = SenderBuilder(original, payee, PAYMENT).build_recommended(
        MIN_FEE_RATE, OutputSubstitution.ENABLED
    )
    assert sender_ctx.fee_contribution is not None
    assert sender_ctx.fee_contribution.vout == 1, "the change output pays the extra fee"
    query = sender_query(
        sender_ctx.output_substitution, sender_ctx.fee_contribution, sender_ctx.min_fee_rate
    )

    # 2. Receiver: checks, one contributed input, fee range, its signature.
    wire, additional_fee = receive(
        chain,
        original.to_base64(),
        query,
        receiver=receiver,
        coin=receiver_coin,
        kind=receiver_kind,
        label=label,
    )

    # 3. Sender: the checklist, then its signatures again; the chain takes the payjoin.
    checked = sender_ctx.process_proposal(wire)
    payjoin = extract_tx(sender.sign_psbt(checked))
    inputs = [txin.previous_output for txin in payjoin.inputs]
    assert sorted(inputs, key=str) == sorted(
        [sender_coin.outpoint, receiver_coin.outpoint], key=str
    )
    sender_fee = min(sender_ctx.fee_contribution.max_amount, additional_fee)
    fee = checked.fee()
    assert fee == original_fee + additional_fee
    assert fee_rate(fee, payjoin.weight()) >= MIN_FEE_RATE
    paid = {out.script_pubkey: out.value for out in payjoin.outputs}
    assert paid[payee] == PAYMENT + receiver_coin.value - (additional_fee - sender_fee)
    change = original_tx.outputs[1].value - sender_fee
    assert paid[sender.script_pubkey(sender_kind)] == change
    assert payjoin.lock_time == original_tx.lock_time == height

    confirmed = chain.confirm(payjoin)
    if chain.backend == "bitcoind":
        assert confirmed.confirmations == 1
        assert confirmed.node_vsize == payjoin.vsize()
        assert confirmed.node_fee == fee
    else:
        assert confirmed.confirmations == 2  # the payjoin's block and the one that makes it win
    assert chain.original_now_rejected(original_tx)

    elapsed = time.monotonic() - started
    for line in chain.verdicts:
        print(line)
    consensus_only = " (consensus only: blocks connected, no mempool policy)"
    print(
        f"[{chain.backend}{consensus_only if chain.backend == 'kernel' else ''}] payjoin {label}: "
        f"original {original_tx.txid_hex()} vsize {original_tx.vsize()} fee {original_fee}; "
        f"payjoin {payjoin.txid_hex()} vsize {payjoin.vsize()} fee {fee} "
        f"(+{additional_fee}: sender {sender_fee}, receiver {additional_fee - sender_fee}); "
        f"receiver input at index {inputs.index(receiver_coin.outpoint)}; "
        f"block {confirmed.block}, {confirmed.confirmations} conf; {elapsed:.2f}s"
    )
