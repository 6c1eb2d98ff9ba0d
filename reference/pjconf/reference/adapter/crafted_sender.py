"""The harness playing a sender by hand: message A of any body, and the receiver's reply opened.

A real sender only ever posts what its builder makes, so a receiver's refusals of an undecodable
payload, an unknown ``v``, a BIP 78 plaintext request or an Original PSBT with missing or wrong
UTXO fields can only be reached by writing message A directly into the receiver's mailbox. The
reply key is drawn from a seed, so the harness can also read what the receiver answered.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace

from pjconf.reference.adapter.payment import Payment
from pjconf.reference.bip77 import messages
from pjconf.reference.bip77.uri import PjParamV2, parse_uri
from pjconf.reference.bitcoin.encoding import sha256
from pjconf.reference.bitcoin.psbt import Input, Psbt, with_inputs
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from pjconf.reference.bitcoin.wallet import AddressKind
from pjconf.reference.crypto.secp256k1 import KeyPair
from pjconf.reference.entropy import SeededRandom


@dataclass(frozen=True)
class CraftedSender:
    """A sender of hand-made bodies to the receiver a pj URI names."""

    pj: PjParamV2
    reply: KeyPair
    seed: str

    @classmethod
    def for_uri(cls, pj_uri: str, seed: str) -> CraftedSender:
        pj = parse_uri(pj_uri).pj
        if not isinstance(pj, PjParamV2):
            raise ValueError("a crafted sender needs a BIP 77 pj URI")
        secret = SeededRandom(f"{seed}/reply-key").random_bytes(32)
        return cls(pj, KeyPair.from_secret(secret), seed)

    @property
    def receiver_mailbox(self) -> bytes:
        """The ShortId the receiver polls (where message A goes)."""
        return self.pj.mailbox

    def message_a(self, body: bytes) -> bytes:
        """``body`` sealed to the receiver as message A, carrying this sender's reply key."""
        rng = SeededRandom(f"{self.seed}/message-a")
        return messages.seal_message_a(
            body, self.pj.receiver_pk, self.reply.public_key.compressed, rng=rng
        )


@dataclass(frozen=True)
class CraftedBody:
    """A request body a conforming sender never writes; ``plaintext`` puts it in the mailbox as
    it is (a BIP 78 sender's request, which a v2 directory stores unencrypted), else sealed as
    message A."""

    body: bytes
    plaintext: bool = False


def crafted_bodies(payment: Payment, other: Payment) -> dict[str, CraftedBody]:
    """The refused request bodies by name, around ``payment``'s Original PSBT; ``other`` lends a
    transaction that is not the one the Original spends."""
    original = payment.original
    first = original.inputs[0]
    no_utxo = with_inputs(original, [replace(first, witness_utxo=None, non_witness_utxo=None)])
    wrong_prev = with_inputs(original, [replace(first, non_witness_utxo=other.fallback_tx)])
    text = original.to_base64().encode()
    return {
        "not_base64": CraftedBody(b"%not base64%\nv=2"),
        "not_psbt": CraftedBody(base64.b64encode(b"not a psbt") + b"\nv=2"),
        "unknown_version": CraftedBody(text + b"\nv=3"),
        "no_query": CraftedBody(text),
        "missing_utxo": CraftedBody(no_utxo.to_base64().encode() + b"\nv=2"),
        "wrong_non_witness_utxo": CraftedBody(wrong_prev.to_base64().encode() + b"\nv=2"),
        "bip78_not_psbt": CraftedBody(base64.b64encode(b"not a psbt") + b"\nv=1", plaintext=True),
        "bip78_unknown_version": CraftedBody(text + b"\nv=3", plaintext=True),
    }


def undecodable_bodies(payment: Payment) -> dict[str, CraftedBody]:
    """Requests the receiver cannot even read: a mailbox body that is neither UTF-8 (a BIP 78
    request) nor message A (7168 bytes that fail authentication), and a message A whose
    plaintext is not UTF-8 (a byte 0xff before the Original PSBT)."""
    text = payment.original.to_base64().encode()
    return {
        "not_message_a": CraftedBody(b"\xff" * messages.PADDED_MESSAGE_BYTES, plaintext=True),
        "payload_not_utf8": CraftedBody(b"\xff" + text + b"\nv=2"),
    }


ACCEPTED_BODIES = ("bip78_request", "version_1_in_message_a")
"""Crafted bodies payjoin 1.0 accepts: :func:`accepted_bodies`."""


def accepted_bodies(payment: Payment) -> dict[str, CraftedBody]:
    """Requests a v2 receiver takes although no v2 sender writes them: a BIP 78 plaintext request
    (``v=1``), and ``v=1`` inside message A; both disable output substitution."""
    text = payment.original.to_base64().encode()
    return {
        "bip78_request": CraftedBody(text + b"\nv=1", plaintext=True),
        "version_1_in_message_a": CraftedBody(text + b"\nv=1"),
    }


UTXO_ACCEPTED_BODIES = ("both_utxo_fields",)
"""Of :func:`utxo_bodies`, the ones a receiver takes (the rest it must refuse)."""


def utxo_bodies(payment: Payment) -> dict[str, CraftedBody]:
    """Originals whose one input carries a ``non_witness_utxo`` (BIP 174: the whole transaction
    the outpoint names), made from a fresh P2WPKH coin of ``payment``'s sender paying the same
    outputs with the same fee: both UTXO fields agreeing (signed, a receiver takes it); the
    ``witness_utxo`` one satoshi short of the ``non_witness_utxo``'s output; and an outpoint whose
    vout equals the ``non_witness_utxo``'s output count (no spent output)."""
    original = payment.original
    tag = f"{payment.receiver_address}/utxo-fields-coin"
    spk = payment.sender.script_pubkey(AddressKind.P2WPKH)
    prev = _funding(tag, spk, _total_in(original))
    spent = prev.outputs[0]
    both = Input(witness_utxo=spent, non_witness_utxo=prev)
    signed = payment.sender.sign_psbt(_spending(original, OutPoint(prev.txid(), 0), both))
    short = TxOut(spent.value - 1, spent.script_pubkey)
    mismatch = with_inputs(signed, [replace(signed.inputs[0], witness_utxo=short)])
    past_end = _spending(original, OutPoint(prev.txid(), 1), Input(non_witness_utxo=prev))
    return {
        "both_utxo_fields": CraftedBody(signed.to_base64().encode() + b"\nv=2"),
        "segwit_txout_mismatch": CraftedBody(mismatch.to_base64().encode() + b"\nv=2"),
        "non_witness_utxo_vout_past_end": CraftedBody(past_end.to_base64().encode() + b"\nv=2"),
    }


def _total_in(psbt: Psbt) -> int:
    """What the Original's inputs spend (its outputs plus its fee)."""
    return sum(o.value for o in psbt.unsigned_tx.outputs) + psbt.fee()


def _funding(tag: str, script_pubkey: bytes, value: int) -> Transaction:
    """A made-up transaction paying ``value`` to ``script_pubkey`` (its txid names the coin)."""
    source = TxIn(OutPoint(sha256(tag.encode()), 0))
    return Transaction(2, (source,), (TxOut(value, script_pubkey),), 0)


def _spending(original: Psbt, outpoint: OutPoint, psbtin: Input) -> Psbt:
    """``original`` with its inputs replaced by one spending ``outpoint``, unsigned."""
    txin = TxIn(outpoint, sequence=original.unsigned_tx.inputs[0].sequence)
    tx = replace(original.unsigned_tx, inputs=(txin,))
    return replace(original, unsigned_tx=tx, inputs=(psbtin,))
