"""Spending coins with the reference's own wallet, for both regtest backends.

The regtest suite signs with :class:`~pjconf.reference.bitcoin.wallet.TestWallet` (the code under
test), never with keys and sighashes of its own: a chain that accepts what it signs is evidence
about the reference, a hand-rolled signer would only be evidence about itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from pjconf.harness.regtest.node import Coin
from pjconf.reference.bitcoin.psbt import Input, Output, Psbt
from pjconf.reference.bitcoin.script import ScriptType, classify
from pjconf.reference.bitcoin.tx import Transaction, TxIn, TxOut
from pjconf.reference.bitcoin.wallet import TestWallet, extract_tx

RBF_SEQUENCE = 0xFFFF_FFFD
SAT = Decimal("0.00000001")


def sats(amount: Decimal) -> int:
    return int((amount / SAT).to_integral_exact())


def btc(value: int) -> Decimal:
    return (Decimal(value) * SAT).quantize(SAT)


def utxo_fields(coin: Coin) -> Input:
    """The UTXO fields a wallet (and payjoin, BIP 78) gives an input: ``witness_utxo`` for every
    segwit spend, and the whole previous transaction too where it is not taproot (Bitcoin Core's
    habit since the BIP 143 fee attack; BIP 341 commits to every amount, so taproot needs none).
    """
    kind = classify(coin.script_pubkey)
    segwit = kind in (ScriptType.P2WPKH, ScriptType.P2WSH, ScriptType.P2TR, ScriptType.P2SH)
    full = coin.tx if kind is not ScriptType.P2TR else None
    if not segwit and full is None:
        raise ValueError(f"a {kind.value} input needs the previous transaction")
    return Input(non_witness_utxo=full, witness_utxo=coin.txout if segwit else None)


def unsigned_psbt(
    coins: Sequence[Coin],
    outputs: Sequence[TxOut],
    *,
    lock_time: int = 0,
    sequence: int = RBF_SEQUENCE,
) -> Psbt:
    """A version 2 PSBT spending ``coins`` to ``outputs``, with each input's UTXO fields."""
    tx = Transaction(
        2,
        tuple(TxIn(coin.outpoint, b"", sequence) for coin in coins),
        tuple(outputs),
        lock_time,
    )
    return Psbt(
        tx,
        inputs=tuple(utxo_fields(coin) for coin in coins),
        outputs=tuple(Output() for _ in outputs),
    )


def signed_spend(
    wallet: TestWallet,
    coins: Sequence[Coin],
    outputs: Sequence[TxOut],
    *,
    lock_time: int = 0,
) -> Transaction:
    """``coins`` (all the wallet's) spent to ``outputs``, signed and finalized by ``wallet``."""
    return extract_tx(wallet.sign_psbt(unsigned_psbt(coins, outputs, lock_time=lock_time)))


def coins_of(tx: Transaction, height: int, script_pubkey: bytes) -> list[Coin]:
    """The outputs of ``tx`` (confirmed at ``height``) paying ``script_pubkey``."""
    return [
        Coin(tx.txid(), vout, out.value, out.script_pubkey, height, tx)
        for vout, out in enumerate(tx.outputs)
        if out.script_pubkey == script_pubkey
    ]
