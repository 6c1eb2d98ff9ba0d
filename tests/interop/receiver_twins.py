"""Twin receiver sessions: one receiver log resumed in the reference *and* in rust-payjoin 1.0,
then moved step by step, every step taken by both and compared.

Both twins share one :class:`Mailbox` (the directory the log's ``ohttp_keys`` name), so they
fetch the same Original PSBT and get the same answers, each sealed to its own request. What
depends on each implementation's own draws (OHTTP encapsulation, message B's ephemeral key) is
compared after decryption; everything that reaches the log, and every outcome, closed flag,
state, error (kind and text) and ``value``, must be byte-identical.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pjconf.harness.implementations.client import Client, Reply
from pjconf.harness.sessions.driver import Transcript
from pjconf.protocol.wire import JsonObject
from pjconf.reference.adapter.payment import Payment
from pjconf.reference.bip77 import messages
from pjconf.reference.bip77.directory import Exchange, Fault, Mailbox
from pjconf.reference.bip77.short_id import short_id
from pjconf.reference.bitcoin.psbt import Input, Output, Psbt
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from pjconf.reference.bitcoin.wallet import AddressKind
from pjconf.reference.crypto.secp256k1 import KeyPair
from pjconf.reference.session.json_codec import decode_receiver_event, decode_sender_event
from pjconf.reference.session.receiver.events import Created
from pjconf.reference.session.sender.events import Created as SenderCreated

RELAY = "https://relay.pjconf.test"
COMPARED = ("outcome", "appended", "closed", "state", "error", "value")
"""The fields of a step's result that must be the same in both implementations."""


def ok(reply: Reply) -> JsonObject:
    assert reply.kind == "result", reply
    return reply.value


def receiver_public_key(events: list[str]) -> bytes:
    created = decode_receiver_event(events[0])
    assert isinstance(created, Created)
    return created.context.receiver_key.public


@dataclass
class Twins:
    """The same receiver session in two implementations (``reference`` and ``rust``)."""

    clients: dict[str, Client]
    mailbox: Mailbox
    handles: dict[str, str] = field(default_factory=dict)
    receiver_pk: bytes = b""

    @classmethod
    def resume(cls, clients: dict[str, Client], events: list[str], mailbox: Mailbox) -> Twins:
        twins = cls(clients, mailbox, receiver_pk=receiver_public_key(events))
        answers = {
            name: ok(c.call("session.resume", {"role": "receiver", "events": events}))
            for name, c in clients.items()
        }
        states = {(a["state"], a["closed"]) for a in answers.values()}
        assert len(states) == 1, answers
        twins.handles = {name: str(a["handle"]) for name, a in answers.items()}
        return twins

    @property
    def state(self) -> str:
        return str(self.log()["state"])

    def _same(self, what: str, replies: dict[str, Reply]) -> JsonObject:
        ours, theirs = replies["reference"], replies["rust"]
        assert ours.kind == theirs.kind, (what, ours, theirs)
        if ours.kind != "result":
            assert ours.value.get("kind") == theirs.value.get("kind"), (what, ours, theirs)
            return {"reply": ours.kind, **ours.value}
        mine = {k: ours.value.get(k) for k in COMPARED}
        other = {k: theirs.value.get(k) for k in COMPARED}
        assert mine == other, what
        return ours.value

    def op(self, op: str, args: JsonObject) -> dict[str, Reply]:
        return {
            name: client.call(op, {"handle": self.handles[name], **args})
            for name, client in self.clients.items()
        }

    def call(self, method: str, **args: Any) -> JsonObject:
        """``session.call`` in both; the common result (or error answer)."""
        return self._same(method, self.op("session.call", {"method": method, "args": args}))

    def log(self) -> JsonObject:
        return self._same("events", self.op("session.events", {}))

    def requests(self) -> dict[str, JsonObject]:
        replies = self.op("session.request", {"relay": RELAY})
        answers = {name: ok(reply) for name, reply in replies.items()}
        made = {(a["url"], a["created_by"], a["method"]) for a in answers.values()}
        assert len(made) == 1, answers
        return answers

    def exchange(self, *faults: Fault) -> tuple[JsonObject, dict[str, Exchange]]:
        """Each twin makes its request, the mailbox answers it (``faults`` first), each twin
        takes its answer; the results must agree. Also gives each twin's exchange."""
        requests = self.requests()
        exchanges: dict[str, Exchange] = {}
        replies: dict[str, Reply] = {}
        for name, client in self.clients.items():
            request = requests[name]
            self.mailbox.inject(*faults)
            answer = self.mailbox.handle(bytes.fromhex(request["body"]), label=name)
            exchanges[name] = self.mailbox.exchanges[-1]
            args = {"handle": self.handles[name], "context": request["context"]}
            replies[name] = client.call("session.response", {**args, "body": answer.hex()})
        return self._same("response", replies), exchanges

    def opened(self, exchanges: dict[str, Exchange], reply: KeyPair) -> bytes:
        """Message B of both twins' posts, opened with the sender's reply key: the same bytes."""
        plaintexts = {
            messages.open_message_b(e.body, reply, self.receiver_pk) for e in exchanges.values()
        }
        assert len(plaintexts) == 1
        return plaintexts.pop()


# -- setting sessions up ---------------------------------------------------------------------------


def new_receiver(
    creator: Client, mailbox: Mailbox, payment: Payment, expiration: int, seed: str
) -> tuple[list[str], str]:
    """A fresh receiver made by ``creator``: its log (one ``Created``) and its pj URI."""
    args = {
        "address": payment.receiver_address,
        "directory": mailbox.directory,
        "ohttp_keys": mailbox.ohttp_keys.hex(),
        "expiration": expiration,
        "amount": payment.amount,
        "seed": seed,
    }
    out = ok(creator.call("session.new_receiver", args))
    return list(out["appended"]), str(out["pj_uri"])


def send_original(sender: Client, mailbox: Mailbox, uri: str, original: Psbt, seed: str) -> KeyPair:
    """A (reference) sender posts ``original`` as message A to the receiver's mailbox; its reply
    key, to open the receiver's message B."""
    args = {"psbt": original.to_base64(), "pj_uri": uri, "min_fee_rate": 1000, "seed": seed}
    created = ok(sender.call("session.new_sender", args))
    handle = created["handle"]
    request = ok(sender.call("session.request", {"handle": handle, "relay": RELAY}))
    answer = mailbox.handle(bytes.fromhex(request["body"]), label="sender.post_original")
    response = {"handle": handle, "context": request["context"], "body": answer.hex()}
    assert ok(sender.call("session.response", response))["state"] == "PollingForProposal"
    first = decode_sender_event(created["appended"][0])
    assert isinstance(first, SenderCreated)
    return KeyPair.from_secret(first.context.reply_key)


def put_plaintext(mailbox: Mailbox, events: list[str], body: bytes) -> None:
    """Leave ``body`` in the receiver's mailbox as the directory stores a BIP 78 request."""
    mailbox.boxes[short_id(receiver_public_key(events))] = body


def v1_request(original: Psbt, query: str = "v=1&minfeerate=4") -> bytes:
    return f"{original.to_base64()}\n{query}".encode()


def receiver_logs(transcript: Transcript) -> dict[str, list[str]]:
    """The receiver's log as it stood when it first reached each state of a driven session."""
    log: list[str] = []
    at: dict[str, list[str]] = {}
    for step in transcript.steps:
        if step.role == "receiver":
            log += step.result.get("appended", [])
            at.setdefault(step.state, list(log))
    return at


def legacy_original(payment: Payment) -> Psbt:
    """The payment from a P2SH-P2WPKH coin: its scriptSig makes the payjoin txid unstable."""
    sender = payment.sender
    spk = sender.script_pubkey(AddressKind.P2SH_P2WPKH)
    prev = Transaction(2, (TxIn(OutPoint(b"\x11" * 32, 0)),), (TxOut(200_000, spk),), 0)
    txin = TxIn(OutPoint(prev.txid(), 0), sequence=0xFFFF_FFFD)
    change = sender.script_pubkey(AddressKind.P2WPKH)
    outputs = (
        TxOut(payment.amount, payment.receiver_script),
        TxOut(200_000 - payment.amount - 2000, change),
    )
    unsigned = Psbt(
        Transaction(2, (txin,), outputs, 0),
        inputs=(Input(witness_utxo=prev.outputs[0]),),
        outputs=(Output(), Output()),
    )
    return sender.sign_psbt(unsigned)
