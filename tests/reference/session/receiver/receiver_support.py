"""Fixtures for the receiver tests: a directory (OHTTP gateway + mailboxes) built from the crypto
core, a seeded receiver, a Python sender delivering the Original PSBT, and the receiver's happy
path run once per delivery kind with an unconsumed snapshot of every typestate it passes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from reference.session.sender.test_sender_support import (
    CONFIG,
    DIRECTORY,
    NOW,
    ORIGINAL,
    PAY,
    PAYEE,
    RATE,
    RECEIVER_WALLET,
    RELAY,
    SENDER_WALLET,
    FakeMailbox,
    clock,
    fund,
)

from pjconf.reference.bip77.short_id import short_id
from pjconf.reference.bitcoin import address
from pjconf.reference.bitcoin.psbt import Input, Output, Psbt
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from pjconf.reference.bitcoin.wallet import AddressKind
from pjconf.reference.entropy import Clock, SeededRandom
from pjconf.reference.payjoin.receiver import InputPair
from pjconf.reference.persist import InMemoryPersister, PersistedError, Progress
from pjconf.reference.session.receiver.builder import ReceiverBuilder
from pjconf.reference.session.receiver.events import ReceiverEvent
from pjconf.reference.session.receiver.machine import (
    STATE_NAMES,
    HasReplyableError,
    Initialized,
    Monitor,
)
from pjconf.reference.session.sender.events import SenderEvent
from pjconf.reference.session.sender.machine import PollingForProposal, SenderBuilder

__all__ = [
    "CONFIG",
    "DIRECTORY",
    "EXPIRATION",
    "NOW",
    "ORIGINAL",
    "PAY",
    "PAYEE",
    "RATE",
    "RECEIVER_ADDRESS",
    "RECEIVER_WALLET",
    "RELAY",
    "SENDER_WALLET",
    "Directory",
    "Log",
    "Path",
    "clock",
    "fresh",
    "happy_path",
    "new_receiver",
    "receiver_input",
    "refused",
    "to_monitor",
]

Log = InMemoryPersister[ReceiverEvent]
RECEIVER_ADDRESS = address.encode(PAYEE, address.Network.REGTEST)
LIFETIME = 3600
EXPIRATION = NOW + LIFETIME
S = TypeVar("S")


def fresh(state: S) -> S:
    """An unconsumed copy of a typestate (equal to it)."""
    return replace(state, _alive=[True])  # type: ignore[type-var]


def new_receiver(
    seed: str = "receiver", *, builder: ReceiverBuilder | None = None
) -> tuple[Initialized, Log]:
    """A receiver built at ``NOW`` for an hour, and its log (one ``Created``)."""
    log: Log = InMemoryPersister()
    builder = builder or ReceiverBuilder(RECEIVER_ADDRESS, DIRECTORY, CONFIG)
    transition = builder.with_expiration(LIFETIME).build(rng=SeededRandom(seed), clock=clock())
    return transition.save(log), log


def receiver_input(tag: str = "receiver-test/coin", value: int = 100_000) -> InputPair:
    """A P2WPKH coin of the receiver wallet, which it can really sign."""
    txin, psbtin, _ = fund(RECEIVER_WALLET, value, tag)
    return InputPair.new(txin, psbtin)


class Directory(FakeMailbox):
    """The sender fixtures' mailbox under the receiver tests' names: ``status`` is its
    ``override`` (the next response's status)."""

    @property
    def status(self) -> int | None:
        return self.override

    @status.setter
    def status(self, value: int | None) -> None:
        self.override = value


# -- delivering the Original PSBT -----------------------------------------------------------------


def legacy_original() -> Psbt:
    """A signed payment from a P2SH-P2WPKH coin: its scriptSig makes the payjoin txid unstable."""
    spk = SENDER_WALLET.script_pubkey(AddressKind.P2SH_P2WPKH)
    prev = Transaction(2, (TxIn(OutPoint(b"\x11" * 32, 0)),), (TxOut(200_000, spk),), 0)
    txin = TxIn(OutPoint(prev.txid(), 0), sequence=0xFFFF_FFFD)
    change = SENDER_WALLET.script_pubkey(AddressKind.P2WPKH)
    tx = Transaction(2, (txin,), (TxOut(PAY, PAYEE), TxOut(200_000 - PAY - 2000, change)), 0)
    inp = Input(witness_utxo=prev.outputs[0])
    return SENDER_WALLET.sign_psbt(Psbt(tx, inputs=(inp,), outputs=(Output(), Output())))


def send_v2(
    directory: Directory,
    receiver: Initialized,
    original: Psbt = ORIGINAL,
    *,
    at: Clock | None = None,
) -> tuple[PollingForProposal, InMemoryPersister[SenderEvent]]:
    """A Python sender posts message A to the receiver's mailbox (at ``NOW`` unless ``at``)
    and starts polling."""
    log: InMemoryPersister[SenderEvent] = InMemoryPersister()
    sender = (
        SenderBuilder.new(original, receiver.pj_uri())
        .build_recommended(RATE, rng=SeededRandom("sender"))
        .save(log)
    )
    req, ctx = sender.create_v2_post_request(
        RELAY, rng=SeededRandom("sender/post"), clock=at or clock()
    )
    polling = sender.process_response(directory.handle(req), ctx).save(log)
    assert isinstance(polling, PollingForProposal)
    return polling, log


V1_QUERY = "v=1&minfeerate=4"


def send_v1(directory: Directory, receiver: Initialized) -> None:
    """A BIP 78 request as the directory stores it for a v2 receiver: plaintext
    ``base64\\nquery``."""
    mailbox = short_id(receiver.session_context.receiver_key.public)
    directory.boxes[mailbox] = f"{ORIGINAL.to_base64()}\n{V1_QUERY}".encode()


# -- the happy path, once per kind -----------------------------------------------------------------


@dataclass
class Path:
    """Unconsumed snapshots of every typestate of one run, each with the log that led to it."""

    kind: str
    snapshots: dict[str, tuple[Any, list[ReceiverEvent]]]
    mailbox: bytes
    """The receiver's mailbox ShortId."""
    box: bytes
    """What the sender left in it: message A, or a v1 plaintext request."""
    sender: PollingForProposal | None
    sender_log: InMemoryPersister[SenderEvent] | None

    def at(self, name: str) -> tuple[Any, Log]:
        """A fresh copy of the state named ``name`` and a log holding its history."""
        state, events = self.snapshots[name]
        log: Log = InMemoryPersister()
        for event in events:
            log.save_event(event)
        return fresh(state), log


WALLET_MAX_RATE = 2**30


@functools.cache
def happy_path(kind: str = "v2") -> Path:
    """Initialized → … → Monitor with a real receiver input, for ``kind`` ``"v2"``, ``"v1"``
    (plaintext BIP 78 request) or ``"legacy"`` (v2, a P2SH-P2WPKH sender input)."""
    directory = Directory()
    receiver, log = new_receiver()
    snapshots: dict[str, tuple[Any, list[ReceiverEvent]]] = {}

    def keep(state: S) -> S:
        snapshots[STATE_NAMES[type(state)]] = (state, log.events)
        return fresh(state)

    state: Any = keep(receiver)
    sender, sender_log = None, None
    if kind == "v1":
        send_v1(directory, receiver)
    else:
        original = legacy_original() if kind == "legacy" else ORIGINAL
        sender, sender_log = send_v2(directory, receiver, original)
    mailbox = short_id(receiver.session_context.receiver_key.public)
    box = directory.boxes[mailbox]
    keep(to_monitor(state, log, directory, keep))
    return Path(kind, snapshots, mailbox, box, sender, sender_log)


def _same(state: S) -> S:
    return state


def to_monitor(
    receiver: Initialized, log: Log, directory: Directory, keep: Callable[[Any], Any] = _same
) -> Monitor:
    """The receiver's side of the happy path, from the delivered Original to ``Monitor``: every
    check passes, one receiver coin is contributed, the wallet signs, the proposal is posted.
    ``keep`` sees (and may replace) every state before the last, as it is saved."""
    req, ctx = receiver.create_poll_request(RELAY, rng=SeededRandom("poll"), clock=clock())
    polled = receiver.process_response(directory.handle(req), ctx).save(log)
    assert isinstance(polled, Progress)
    state: Any = keep(polled.next)
    state = keep(state.check_broadcast_suitability(None, lambda _: True).save(log))
    state = keep(state.check_inputs_not_owned(lambda _: False).save(log))
    state = keep(state.check_no_inputs_seen_before(lambda _: False).save(log))
    state = keep(state.identify_receiver_outputs(RECEIVER_WALLET.owns).save(log))
    state = keep(state.commit_outputs().save(log))
    contributed = state.contribute_inputs([receiver_input()], rng=SeededRandom("inputs"))
    state = keep(contributed.commit_inputs().save(log))
    state = keep(state.apply_fee_range(None, WALLET_MAX_RATE).save(log))
    state = keep(state.finalize_proposal(RECEIVER_WALLET.sign_psbt).save(log))
    req, ctx = state.create_post_request(RELAY, rng=SeededRandom("post"), clock=clock())
    monitor = state.process_response(directory.handle(req), ctx).save(log)
    assert isinstance(monitor, Monitor)
    return monitor


def refused(kind: str, *, fallback: bool) -> tuple[HasReplyableError, Log]:
    """The happy path's check refused: the ownership check (a reply with the fallback) or the
    broadcast check (without one); the error state and its log."""
    path = happy_path(kind)
    state, log = path.at("MaybeInputsOwned" if fallback else "UncheckedOriginalPayload")
    if fallback:
        transition = state.check_inputs_not_owned(lambda _: True)
    else:
        transition = state.check_broadcast_suitability(None, lambda _: False)
    try:
        transition.save(log)
    except PersistedError as e:
        error_state = e.fatal_state()
    else:
        raise AssertionError("the refused check progressed")
    assert isinstance(error_state, HasReplyableError)
    return error_state, log
