"""A real payment for harness-driven sessions: two seeded test wallets, a funded and signed
Original PSBT from one to the other, and the receiver wallet's answers as adapter-protocol data.

The implementations under test check real things (signatures, fee rates, which outputs pay the
receiver), so a driven session needs a payment they accept: the sender's coin is a P2WPKH output
of a made-up funding transaction, signed with :class:`TestWallet`; the receiver's wallet is
represented only by data (its script, its key as WIF, the outpoints it owns or has seen), because
the adapter protocol passes wallet callbacks as ``args``, never as calls back into the harness.
"""

from __future__ import annotations

from dataclasses import dataclass

from pjconf.protocol.wire import JsonObject
from pjconf.reference.bitcoin import address, base58
from pjconf.reference.bitcoin.address import Network
from pjconf.reference.bitcoin.encoding import sha256
from pjconf.reference.bitcoin.psbt import Input, Output, Psbt
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from pjconf.reference.bitcoin.wallet import AddressKind, TestWallet, extract_tx
from pjconf.reference.errors import PjconfError

_WIF_TEST_PREFIX = b"\xef"
"""WIF version byte of testnet, signet and regtest keys."""
_WIF_COMPRESSED = b"\x01"


def wif(secret: bytes) -> str:
    """A compressed-key WIF for the test networks (what ``PrivateKey::from_wif`` reads)."""
    return base58.encode_check(_WIF_TEST_PREFIX + secret + _WIF_COMPRESSED)


def funding_coin(
    wallet: TestWallet, value: int, tag: str, kind: AddressKind = AddressKind.P2WPKH
) -> tuple[TxIn, Input]:
    """A ``kind`` coin of ``wallet`` in a made-up transaction named by ``tag``, ready to spend.

    Its PSBT input carries what BIP 174 asks a signer of that type for: a ``witness_utxo`` for
    segwit outputs, the whole ``non_witness_utxo`` for P2PKH (a legacy sighash commits to no
    amount), and the ``redeem_script`` of a P2SH-wrapped P2WPKH."""
    spk = wallet.script_pubkey(kind)
    prev = Transaction(2, (TxIn(OutPoint(sha256(tag.encode()), 0)),), (TxOut(value, spk),), 0)
    txin = TxIn(OutPoint(prev.txid(), 0), sequence=0xFFFF_FFFD)
    if kind is AddressKind.P2PKH:
        return txin, Input(non_witness_utxo=prev)
    return txin, Input(witness_utxo=prev.outputs[0], redeem_script=wallet.key(kind).redeem_script)


class WalletRefusal(Exception):
    """The sender's wallet cannot sign or finalize what it was given."""


@dataclass(frozen=True)
class Payment:
    """``amount`` from ``sender`` to ``receiver``'s P2WPKH address, as a signed Original PSBT."""

    sender: TestWallet
    receiver: TestWallet
    original: Psbt
    amount: int
    network: Network = Network.REGTEST

    @property
    def receiver_script(self) -> bytes:
        return self.receiver.script_pubkey(AddressKind.P2WPKH)

    @property
    def receiver_address(self) -> str:
        return address.encode(self.receiver_script, self.network)

    @property
    def receiver_wif(self) -> str:
        return wif(self.receiver.key(AddressKind.P2WPKH).signing_secret)

    @property
    def sender_outpoints(self) -> list[str]:
        """The Original PSBT's inputs as ``txid:vout`` (for owned/seen answers that fail)."""
        return [str(i.previous_output) for i in self.original.unsigned_tx.inputs]

    @property
    def txid_stable(self) -> bool:
        """Whether a payjoin of this payment has a txid known before broadcast: no sender
        input has a scriptSig (P2PKH or P2SH-wrapped), which a third party could re-encode.
        The receiver's ``check_for_transaction`` closes at once when it has not."""
        return all(i.final_script_sig is None for i in self.original.inputs)

    @property
    def fallback_tx(self) -> Transaction:
        """The transaction the Original PSBT finalizes to: what either side may broadcast."""
        return self.original.extract_tx()

    def sign_proposal(self, psbt_base64: str) -> tuple[str, str]:
        """The sender's wallet signs a checked payjoin proposal and finalizes it.

        Returns the transaction's hex and its txid; raises :class:`WalletRefusal` when the text
        is no PSBT the wallet can sign and finalize (the sender approved something unusable).
        """
        try:
            tx = extract_tx(self.sender.sign_psbt(Psbt.from_base64(psbt_base64)))
        except PjconfError as e:
            raise WalletRefusal(str(e)) from None
        return tx.serialize().hex(), tx.txid_hex()

    def wallet_answers(self) -> dict[str, JsonObject]:
        """The receiver's answers for each receiver method, all of them accepting the payment."""
        return {
            "check_broadcast_suitability": {"can_broadcast": True},
            "check_inputs_not_owned": {"owned_outpoints": []},
            "check_no_inputs_seen_before": {"seen_outpoints": []},
            "identify_receiver_outputs": {"receiver_scripts": [self.receiver_script.hex()]},
            "commit_outputs": {},
            "commit_inputs": {},
            "apply_fee_range": {},
            "finalize_proposal": {"signing_keys": [self.receiver_wif]},
        }


SENDER_INPUT_KINDS = {kind.value: kind for kind in AddressKind}
"""The sender coin types a payment can spend, by name (``p2wpkh``, ``p2sh-p2wpkh``, ``p2tr``,
``p2pkh``): the single-key types payjoin 1.0 predicts an input weight for."""


def payment(
    seed: str,
    *,
    amount: int = 50_000,
    coin: int = 200_000,
    fee: int = 2_000,
    sender_input: str = "p2wpkh",
) -> Payment:
    """A payment of ``amount`` to a P2WPKH address, with change of the sender's coin type,
    spending one coin of type ``sender_input`` (a :data:`SENDER_INPUT_KINDS` name); its wallets
    drawn from ``seed``."""
    sender_kind = SENDER_INPUT_KINDS[sender_input]
    sender = TestWallet.from_seed(f"{seed}/sender")
    receiver = TestWallet.from_seed(f"{seed}/receiver")
    txin, inp = funding_coin(sender, coin, f"{seed}/sender-coin", sender_kind)
    payee = receiver.script_pubkey(AddressKind.P2WPKH)
    change = sender.script_pubkey(sender_kind)
    outputs = (TxOut(amount, payee), TxOut(coin - amount - fee, change))
    unsigned = Psbt(
        Transaction(2, (txin,), outputs, 0), inputs=(inp,), outputs=(Output(), Output())
    )
    return Payment(sender, receiver, sender.sign_psbt(unsigned), amount)


MIXED_SENDER_INPUTS: dict[str, tuple[AddressKind, ...]] = {
    "p2wpkh+p2tr": (AddressKind.P2WPKH, AddressKind.P2TR),
}
"""Sender payments spending one coin of each of several types, by name: payjoin 1.0's builder
then prices the input it offers a fee for as a P2TR key spend with a non-default sighash (its
heaviest single-key prediction), whatever the first input's type."""


def mixed_payment(
    seed: str, kinds: tuple[AddressKind, ...], *, amount: int = 50_000, coin: int = 100_000
) -> Payment:
    """Like :func:`payment`, spending one ``coin`` of each of ``kinds`` (in that order), the
    change of the first kind, signed by the sender's wallet."""
    sender = TestWallet.from_seed(f"{seed}/sender")
    receiver = TestWallet.from_seed(f"{seed}/receiver")
    coins = [
        funding_coin(sender, coin, f"{seed}/sender-coin/{n}", kind) for n, kind in enumerate(kinds)
    ]
    payee = receiver.script_pubkey(AddressKind.P2WPKH)
    change = sender.script_pubkey(kinds[0])
    total, fee = coin * len(kinds), 2_000
    outputs = (TxOut(amount, payee), TxOut(total - amount - fee, change))
    unsigned = Psbt(
        Transaction(2, tuple(t for t, _ in coins), outputs, 0),
        inputs=tuple(i for _, i in coins),
        outputs=(Output(), Output()),
    )
    return Payment(sender, receiver, sender.sign_psbt(unsigned), amount)


def sender_payment(seed: str, sender_input: str) -> Payment:
    """The payment a ``sessions`` case names: one coin of a :data:`SENDER_INPUT_KINDS` type, or
    the coins of a :data:`MIXED_SENDER_INPUTS` entry."""
    if sender_input in MIXED_SENDER_INPUTS:
        return mixed_payment(seed, MIXED_SENDER_INPUTS[sender_input])
    return payment(seed, sender_input=sender_input)


RECEIVER_COIN_VALUE = 100_000


def receiver_contribution(
    payment: Payment, *, value: int = RECEIVER_COIN_VALUE, tag: str = "receiver-coin"
) -> JsonObject:
    """``contribute_inputs``' arguments for one P2WPKH coin of the payment's receiver wallet
    (``{"inputs": [{"outpoint", "txout": {"value", "script_pubkey"}}]}``), which the wallet's
    ``signing_keys`` answer signs."""
    txin, inp = funding_coin(payment.receiver, value, tag)
    if inp.witness_utxo is None:
        raise AssertionError("a P2WPKH funding coin has a witness UTXO")
    txout = inp.witness_utxo
    return {
        "inputs": [
            {
                "outpoint": str(txin.previous_output),
                "txout": {"value": txout.value, "script_pubkey": txout.script_pubkey.hex()},
            }
        ]
    }
