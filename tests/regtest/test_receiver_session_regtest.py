"""A whole v2 session between the reference's sender and receiver, over coins of a real chain.

Both parties are :class:`~pjconf.reference.bitcoin.wallet.TestWallet`\\ s funded on chain by the
node's wallet (one confirmed transaction). Everything between them goes through a directory and
OHTTP gateway built from the crypto core (``session/receiver_support.Directory``), sealed and
opened by the session state machines themselves; every receiver transition is saved to its log.

- **Success**: the receiver's checks ask the node (``testmempoolaccept`` judges the Original), it
  contributes a confirmed coin of its own and signs; the sender checks the proposal and signs;
  the node accepts the payjoin (``testmempoolaccept``, ``sendrawtransaction``) and mines it; the
  receiver's ``Monitor.check_for_transaction``, whose wallet callback looks the txid up on the
  node, then finds it: ``Closed(Success(txid))``.
- **Fallback**: the session reaches ``Monitor``, then the receiver cancels and broadcasts the
  fallback it is left with (the sender's Original), which is mined; the payjoin can no longer
  confirm. Another run resumed from the log as it was at ``Monitor`` (before the cancel) looks
  for both transactions and finds the fallback: ``Closed(FallbackBroadcasted)``.

Needs bitcoind (``ci/fetch-bitcoind.sh``; mempool policy and RPC), so it skips on the kernel
backend, saying why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from reference.session.receiver.receiver_support import CONFIG, DIRECTORY, NOW, RELAY, Directory
from regtest.kit import btc, coins_of, unsigned_psbt

from pjconf.harness.regtest.node import (
    COINBASE_MATURITY,
    Coin,
    InvalidAddressOrKey,
    Regtest,
    Wallet,
)
from pjconf.reference.bitcoin import address
from pjconf.reference.bitcoin.address import Network
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.bitcoin.script import ScriptType, classify
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxOut
from pjconf.reference.bitcoin.wallet import AddressKind, TestWallet, extract_tx
from pjconf.reference.entropy import FixedClock, SeededRandom
from pjconf.reference.payjoin.receiver import InputPair
from pjconf.reference.payjoin.units import fee_rate, sat_per_vb
from pjconf.reference.persist import InMemoryPersister, Progress, Stasis
from pjconf.reference.session.receiver.builder import ReceiverBuilder
from pjconf.reference.session.receiver.events import (
    Cancelled,
    Closed,
    FallbackBroadcasted,
    ReceiverEvent,
    Success,
)
from pjconf.reference.session.receiver.machine import (
    ClosedSession,
    Monitor,
    PendingFallback,
)
from pjconf.reference.session.receiver.replay import SessionStatus, replay_event_log
from pjconf.reference.session.sender.events import SenderEvent
from pjconf.reference.session.sender.machine import PollingForProposal, SenderBuilder

pytestmark = pytest.mark.regtest

SENDER_FUNDS = 50_000_000
RECEIVER_FUNDS = 25_000_000
PAYMENT = 10_000_000
FEE_RATE_SAT_VB = 2
MIN_FEE_RATE = sat_per_vb(FEE_RATE_SAT_VB)  # the sender's minfeerate, sat/kwu
MAX_RECEIVER_FEE_RATE = sat_per_vb(10)
LIFETIME = 3600

ReceiverLog = InMemoryPersister[ReceiverEvent]
SenderLog = InMemoryPersister[SenderEvent]


# ------------------------------------------------------------------------------------------------
# The chain, as the parties' wallets see it


@dataclass
class Chain:
    """The node, and the callbacks a wallet would answer from it."""

    node: Regtest
    funder: Wallet

    def verdict(self, tx: Transaction) -> dict[str, Any]:
        (verdict,) = self.node.testmempoolaccept([tx.serialize().hex()])
        assert verdict["txid"] == tx.txid_hex()
        return verdict

    def can_broadcast(self, tx: Transaction) -> bool:
        """``check_broadcast_suitability``'s callback: the node's mempool policy."""
        return bool(self.verdict(tx)["allowed"])

    def find(self, txid: bytes) -> Transaction | None:
        """``check_for_transaction``'s callback (txid in internal byte order): the node's
        mempool and chain (``-txindex``)."""
        try:
            found = self.node.getrawtransaction(txid[::-1].hex())
        except InvalidAddressOrKey:
            return None
        return Transaction.deserialize(bytes.fromhex(found["hex"]))

    def broadcast_and_mine(self, tx: Transaction) -> str:
        """Accepted, sent and confirmed by one block; the block hash."""
        verdict = self.verdict(tx)
        assert verdict["allowed"], verdict
        assert self.node.sendrawtransaction(tx.serialize().hex()) == tx.txid_hex()
        (block,) = self.node.generatetoaddress(1, self.funder.getnewaddress())
        mined = self.node.getrawtransaction(tx.txid_hex())
        assert (mined["blockhash"], mined["confirmations"]) == (block, 1)
        return block


@pytest.fixture(scope="module")
def chain(node: Regtest) -> Chain:
    """A node wallet with mature coins, made once for the module."""
    funder = node.createwallet("receiver-session-funder")
    node.generatetoaddress(COINBASE_MATURITY + 1, funder.getnewaddress())
    return Chain(node, funder)


# ------------------------------------------------------------------------------------------------
# The two parties


@dataclass
class Parties:
    """Both wallets, each with one confirmed coin, and the sender's signed Original."""

    sender: TestWallet
    receiver: TestWallet
    sender_coin: Coin
    receiver_coin: Coin
    original: Psbt

    @property
    def payee(self) -> bytes:
        return self.receiver.script_pubkey(AddressKind.P2WPKH)


def fund(chain: Chain, label: str, receiver_kind: AddressKind) -> Parties:
    """One confirmed transaction pays both wallets; the sender signs an Original paying
    ``PAYMENT`` to the receiver's P2WPKH address at ``FEE_RATE_SAT_VB``, locktime at the tip."""
    sender = TestWallet.from_seed(f"pjconf regtest receiver-session sender {label}")
    receiver = TestWallet.from_seed(f"pjconf regtest receiver-session receiver {label}")
    sender_spk = sender.script_pubkey(AddressKind.P2WPKH)
    receiver_spk = receiver.script_pubkey(receiver_kind)
    amounts = {
        address.encode(sender_spk, Network.REGTEST): btc(SENDER_FUNDS),
        address.encode(receiver_spk, Network.REGTEST): btc(RECEIVER_FUNDS),
    }
    txid = chain.funder.sendmany(amounts)
    chain.node.generatetoaddress(1, chain.funder.getnewaddress())
    funding = Transaction.deserialize(bytes.fromhex(chain.funder.gettransaction(txid)["hex"]))
    height = chain.node.getblockcount()
    (sender_coin,) = coins_of(funding, height, sender_spk)
    (receiver_coin,) = coins_of(funding, height, receiver_spk)
    payee = receiver.script_pubkey(AddressKind.P2WPKH)

    def signed(fee: int) -> Psbt:
        outputs = [TxOut(PAYMENT, payee), TxOut(SENDER_FUNDS - PAYMENT - fee, sender_spk)]
        return sender.sign_psbt(unsigned_psbt([sender_coin], outputs, lock_time=height))

    draft = extract_tx(signed(0))
    original = signed(FEE_RATE_SAT_VB * (draft.vsize() + 1))  # a signature may be a byte longer
    return Parties(sender, receiver, sender_coin, receiver_coin, original)


def contribution(coin: Coin) -> InputPair:
    """The receiver's coin as payjoin's ``InputPair`` of its kind."""
    if classify(coin.script_pubkey) is ScriptType.P2TR:
        return InputPair.new_p2tr_keyspend(coin.txout, coin.outpoint)
    return InputPair.new_p2wpkh(coin.txout, coin.outpoint)


@dataclass
class Session:
    """One session's live values: the directory between the parties, both logs, the clock."""

    parties: Parties
    directory: Directory
    clock: FixedClock
    receiver_log: ReceiverLog
    sender: PollingForProposal
    sender_log: SenderLog
    seen: set[OutPoint]


def to_monitor(chain: Chain, parties: Parties, label: str) -> tuple[Session, Monitor]:
    """Build both parties, deliver the Original, run every receiver check against the node,
    contribute the receiver's coin, sign, and post the proposal."""
    clock = FixedClock(NOW)
    directory = Directory(rng=SeededRandom(f"{label}/directory"))
    log: ReceiverLog = InMemoryPersister()
    receiver_address = address.encode(parties.payee, Network.REGTEST)
    builder = ReceiverBuilder(receiver_address, DIRECTORY, CONFIG).with_amount(PAYMENT)
    receiver = (
        builder.with_expiration(LIFETIME)
        .with_max_fee_rate(MAX_RECEIVER_FEE_RATE)
        .build(rng=SeededRandom(f"{label}/receiver"), clock=clock)
        .save(log)
    )

    sender_log: SenderLog = InMemoryPersister()
    sender = (
        SenderBuilder.new(parties.original, receiver.pj_uri())
        .build_recommended(MIN_FEE_RATE, rng=SeededRandom(f"{label}/sender"))
        .save(sender_log)
    )
    req, ctx = sender.create_v2_post_request(RELAY, rng=SeededRandom(f"{label}/a"), clock=clock)
    polling = sender.process_response(directory.handle(req), ctx).save(sender_log)
    assert isinstance(polling, PollingForProposal)

    req, ctx = receiver.create_poll_request(RELAY, rng=SeededRandom(f"{label}/poll"), clock=clock)
    polled = receiver.process_response(directory.handle(req), ctx).save(log)
    assert isinstance(polled, Progress)
    session = Session(parties, directory, clock, log, polling, sender_log, set())
    ours = {parties.receiver_coin.outpoint}

    def seen_before(outpoint: OutPoint) -> bool:
        known = outpoint in session.seen
        session.seen.add(outpoint)
        return known

    owned = polled.next.check_broadcast_suitability(MIN_FEE_RATE, chain.can_broadcast).save(log)
    unseen = owned.check_inputs_not_owned(ours.__contains__).save(log)
    unknown = unseen.check_no_inputs_seen_before(seen_before).save(log)
    outputs = unknown.identify_receiver_outputs(parties.receiver.owns).save(log)
    inputs = outputs.commit_outputs().save(log)
    chosen = inputs.try_preserving_privacy([contribution(parties.receiver_coin)])
    contributed = inputs.contribute_inputs([chosen], rng=SeededRandom(f"{label}/inputs"))
    fees = contributed.commit_inputs().save(log)
    provisional = fees.apply_fee_range(None, MAX_RECEIVER_FEE_RATE).save(log)
    proposal = provisional.finalize_proposal(parties.receiver.sign_psbt).save(log)
    req, ctx = proposal.create_post_request(RELAY, rng=SeededRandom(f"{label}/b"), clock=clock)
    monitor = proposal.process_response(directory.handle(req), ctx).save(log)
    assert isinstance(monitor, Monitor)
    assert not log.closed
    return session, monitor


def sender_finishes(session: Session, label: str) -> Transaction:
    """The sender polls its reply mailbox, checks the proposal, and signs its input again."""
    req, ctx = session.sender.create_poll_request(
        RELAY, rng=SeededRandom(f"{label}/sender-poll"), clock=session.clock
    )
    done = session.sender.process_response(session.directory.handle(req), ctx)
    checked = done.save(session.sender_log)
    assert isinstance(checked, Progress)
    return extract_tx(session.parties.sender.sign_psbt(checked.next))


def assert_closed(log: ReceiverLog, outcome: Any, status: SessionStatus) -> None:
    """The live log ends in ``outcome``, is closed, and replays to it with ``status``."""
    assert log.events[-1] == Closed(outcome)
    assert log.closed
    state, history = replay_event_log(log, clock=FixedClock(NOW))
    assert state == ClosedSession(outcome)
    assert history.status(FixedClock(NOW)) is status


# ------------------------------------------------------------------------------------------------
# The tests

KINDS = [
    pytest.param(AddressKind.P2WPKH, id="receiver-input-p2wpkh"),
    pytest.param(AddressKind.P2TR, id="receiver-input-p2tr"),
]


@pytest.mark.parametrize("receiver_kind", KINDS)
def test_session_to_success_on_chain(chain: Chain, receiver_kind: AddressKind) -> None:
    label = f"success-{receiver_kind.value}"
    parties = fund(chain, label, receiver_kind)
    session, monitor = to_monitor(chain, parties, label)
    payjoin_txid = monitor.psbt_context.payjoin_psbt.unsigned_tx.txid()

    # Nothing on chain yet: neither the payjoin nor the fallback is found.
    waiting = monitor.check_for_transaction(chain.find).save(session.receiver_log)
    assert isinstance(waiting, Stasis)

    payjoin = sender_finishes(session, label)
    assert payjoin.txid() == payjoin_txid  # segwit inputs only: the sender's signatures kept it
    inputs = {txin.previous_output for txin in payjoin.inputs}
    assert inputs == {parties.sender_coin.outpoint, parties.receiver_coin.outpoint}
    assert fee_rate(payjoin_fee(parties, payjoin), payjoin.weight()) >= MIN_FEE_RATE
    chain.broadcast_and_mine(payjoin)
    assert not chain.can_broadcast(extract_tx(parties.original))  # its input is spent now

    found = waiting.current.check_for_transaction(chain.find).save(session.receiver_log)
    assert found == Progress(None)
    assert_closed(session.receiver_log, Success(payjoin.txid()), SessionStatus.COMPLETED)
    print(
        f"[{label}] payjoin {payjoin.txid_hex()} vsize {payjoin.vsize()} fee "
        f"{payjoin_fee(parties, payjoin)}; receiver log {len(session.receiver_log.events)} events, "
        f"sender log {len(session.sender_log.events)}"
    )


def test_fallback_broadcast_is_found_by_a_resumed_monitor(chain: Chain) -> None:
    label = "fallback"
    parties = fund(chain, label, AddressKind.P2WPKH)
    session, monitor = to_monitor(chain, parties, label)
    at_monitor = session.receiver_log.events
    payjoin = sender_finishes(session, label)  # signed, but never broadcast

    pending = monitor.cancel().save(session.receiver_log)
    assert isinstance(pending, PendingFallback)
    assert session.receiver_log.events[-1] == Cancelled()
    assert pending.fallback_tx == extract_tx(parties.original)
    chain.broadcast_and_mine(pending.fallback_tx)
    assert not chain.can_broadcast(payjoin)  # it double-spends the confirmed fallback
    pending.close().save(session.receiver_log)
    assert session.receiver_log.closed

    resumed_log: ReceiverLog = InMemoryPersister()
    for event in at_monitor:
        resumed_log.save_event(event)
    resumed, _ = replay_event_log(resumed_log, clock=session.clock)
    assert isinstance(resumed, Monitor)
    asked: list[bytes] = []
    outcome = resumed.check_for_transaction(recording(chain.find, asked)).save(resumed_log)
    assert outcome == Progress(None)
    assert asked == [payjoin.txid(), pending.fallback_tx.txid()]  # the payjoin first
    assert_closed(resumed_log, FallbackBroadcasted(), SessionStatus.FALLBACK_BROADCASTED)


# ------------------------------------------------------------------------------------------------
# Small helpers


def recording(
    find: Callable[[bytes], Transaction | None], asked: list[bytes]
) -> Callable[[bytes], Transaction | None]:
    def wrapped(txid: bytes) -> Transaction | None:
        asked.append(txid)
        return find(txid)

    return wrapped


def payjoin_fee(parties: Parties, payjoin: Transaction) -> int:
    """The payjoin's fee: both coins in, every output out."""
    spent = parties.sender_coin.value + parties.receiver_coin.value
    return spent - sum(out.value for out in payjoin.outputs)
