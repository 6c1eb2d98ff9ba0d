"""Fixtures for the sender tests: a real Original PSBT, a pj URI, and a fake mailbox + receiver
built only from the crypto core (OHTTP gateway, message A/B) and the reference receiver."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from pjconf.reference.bip77 import bhttp, messages, ohttp
from pjconf.reference.bip77.bhttp import BhttpResponse
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.bip77.short_id import parse_short_id, short_id
from pjconf.reference.bip77.uri import PjParamV2, PjUri, format_uri
from pjconf.reference.bitcoin import address
from pjconf.reference.bitcoin.encoding import sha256
from pjconf.reference.bitcoin.psbt import Input, Output, Psbt
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from pjconf.reference.bitcoin.wallet import AddressKind, TestWallet
from pjconf.reference.crypto.secp256k1 import KeyPair
from pjconf.reference.entropy import FixedClock, SeededRandom
from pjconf.reference.payjoin.receiver import InputPair, parse_payload
from pjconf.reference.persist import InMemoryPersister
from pjconf.reference.session.sender.events import SenderEvent
from pjconf.reference.session.sender.machine import SenderBuilder, WithReplyKey
from pjconf.reference.session.sender.wire import Request

NOW = 1_800_000_000
EXPIRATION = NOW + 3600
RELAY = "https://relay.example"
DIRECTORY = "https://dir.example/"
RATE = 1000  # sat/kwu (4 sat/vB)
PAY = 50_000

GATEWAY = KeyPair.from_secret(hashlib.sha256(b"sender-test gateway").digest())
CONFIG = OhttpKeyConfig.bip77(1, GATEWAY.public)
RECEIVER_KEY = KeyPair.from_secret(hashlib.sha256(b"sender-test receiver").digest())
SENDER_WALLET = TestWallet.from_seed("sender-test/s")
RECEIVER_WALLET = TestWallet.from_seed("sender-test/r")
PAYEE = RECEIVER_WALLET.script_pubkey(AddressKind.P2WPKH)


def fund(wallet: TestWallet, value: int, tag: str) -> tuple[TxIn, Input, Transaction]:
    spk = wallet.script_pubkey(AddressKind.P2WPKH)
    prev = Transaction(2, (TxIn(OutPoint(sha256(tag.encode()), 0)),), (TxOut(value, spk),), 0)
    txin = TxIn(OutPoint(prev.txid(), 0), sequence=0xFFFF_FFFD)
    return txin, Input(witness_utxo=prev.outputs[0]), prev


def original_psbt() -> Psbt:
    """A signed P2WPKH payment of ``PAY`` to the receiver, with change."""
    txin, inp, _ = fund(SENDER_WALLET, 200_000, "sender-test/coin")
    change = SENDER_WALLET.script_pubkey(AddressKind.P2WPKH)
    tx = Transaction(2, (txin,), (TxOut(PAY, PAYEE), TxOut(200_000 - PAY - 2000, change)), 0)
    return SENDER_WALLET.sign_psbt(Psbt(tx, inputs=(inp,), outputs=(Output(), Output())))


ORIGINAL = original_psbt()


def pj_uri(expiration: int = EXPIRATION) -> str:
    pj = PjParamV2(
        DIRECTORY, short_id(RECEIVER_KEY.public), RECEIVER_KEY.public_compressed, CONFIG, expiration
    )
    return format_uri(PjUri(address.encode(PAYEE, address.Network.REGTEST), PAY, pj))


def new_sender(
    seed: str = "sender", expiration: int = EXPIRATION
) -> tuple[WithReplyKey, InMemoryPersister[SenderEvent]]:
    """A built sender and its log (one ``Created``)."""
    persister: InMemoryPersister[SenderEvent] = InMemoryPersister()
    transition = SenderBuilder.new(ORIGINAL, pj_uri(expiration)).build_recommended(
        RATE, rng=SeededRandom(seed)
    )
    return transition.save(persister), persister


def clock(now: int = NOW) -> FixedClock:
    return FixedClock(now)


@dataclass
class FakeMailbox:
    """An OHTTP gateway + directory: POST and PUT store a body under the path's ShortId, GET
    serves it (202 when empty). ``override`` replaces the next response's status, ``resize`` its
    length, ``tamper`` flips one of its bytes. ``requests`` logs (method, path, body)."""

    rng: SeededRandom = field(default_factory=lambda: SeededRandom("mailbox"))
    boxes: dict[bytes, bytes] = field(default_factory=dict)
    requests: list[tuple[str, str, bytes]] = field(default_factory=list)
    override: int | None = None
    resize: int | None = None
    tamper: bool = False

    def handle(self, request: Request) -> bytes:
        padded, ctx = ohttp.open_request(GATEWAY.secret, CONFIG, request.body)
        inner = bhttp.decode_request(padded)
        method, path = inner.method.decode(), inner.path.decode()
        self.requests.append((method, path, inner.body))
        mailbox = parse_short_id(path.rsplit("/", 1)[1])
        if method in ("POST", "PUT"):
            self.boxes[mailbox] = inner.body
            status, body = 200, b""
        elif mailbox in self.boxes:
            status, body = 200, self.boxes[mailbox]
        else:
            status, body = 202, b""
        if self.override is not None:
            status, body, self.override = self.override, b"", None
        response = bhttp.encode_response(BhttpResponse(status, body=body))
        sealed = ohttp.seal_response(ctx, response, rng=self.rng)
        if self.resize is not None:
            sealed, self.resize = sealed[: self.resize].ljust(self.resize, b"\0"), None
        if self.tamper:
            sealed, self.tamper = sealed[:-1] + bytes([sealed[-1] ^ 1]), False
        return sealed


def receive_original(mailbox: FakeMailbox) -> tuple[bytes, Psbt, str]:
    """The receiver reads message A from its mailbox: the reply key, Original PSBT and query."""
    reply_pk, padded = messages.open_message_a(
        mailbox.boxes[short_id(RECEIVER_KEY.public)], RECEIVER_KEY
    )
    text = bytes(padded).rstrip(b"\0").decode()
    psbt_text, _, query = text.partition("\n")
    return reply_pk, Psbt.from_base64(psbt_text), query


def act_as_receiver(mailbox: FakeMailbox) -> Psbt:
    """Run the reference receiver on the Original PSBT and post message B (the proposal)."""
    reply_pk, original, query = receive_original(mailbox)
    payload = parse_payload(original.to_base64(), query, (1, 2))
    payload.check_broadcast_suitability(None, lambda _: True)
    payload.check_inputs_not_owned(lambda _: False)
    payload.check_no_inputs_seen_before(lambda _: False)
    wants = payload.identify_receiver_outputs(RECEIVER_WALLET.owns).commit_outputs()
    txin, psbtin, _ = fund(RECEIVER_WALLET, 100_000, "sender-test/receiver-coin")
    pair = InputPair.new(txin, psbtin)
    rng = SeededRandom("receiver")
    ctx = wants.contribute_inputs([pair], rng).commit_inputs().apply_fee_range(None, 2**30)
    proposal = ctx.finalize_proposal(RECEIVER_WALLET.sign_psbt)
    reply(mailbox, reply_pk, proposal.serialize())
    return proposal


def reply(mailbox: FakeMailbox, reply_pk: bytes, body: bytes) -> None:
    mailbox.boxes[short_id(reply_pk)] = messages.seal_message_b(
        body, RECEIVER_KEY, reply_pk, rng=SeededRandom("msg-b")
    )


def reply_error(mailbox: FakeMailbox, code: str = "unavailable") -> None:
    reply_pk, _, _ = receive_original(mailbox)
    reply(mailbox, reply_pk, json.dumps({"errorCode": code, "message": "nope"}).encode())
