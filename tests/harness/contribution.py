"""A receiver coin to contribute in driven sessions: ``contribute_inputs``' arguments for a P2WPKH
output of the payment's receiver wallet, which ``finalize_proposal``'s ``signing_keys`` sign."""

from __future__ import annotations

from pjconf.harness.protocol import JsonObject
from pjconf.harness.session_payment import Payment, funding_coin

COIN_VALUE = 100_000


def receiver_contribution(
    payment: Payment, *, value: int = COIN_VALUE, tag: str = "receiver-coin"
) -> JsonObject:
    """``{"inputs": [{"outpoint", "txout": {"value", "script_pubkey"}}]}`` for one coin."""
    txin, inp = funding_coin(payment.receiver, value, tag)
    assert inp.witness_utxo is not None
    txout = inp.witness_utxo
    return {
        "inputs": [
            {
                "outpoint": str(txin.previous_output),
                "txout": {"value": txout.value, "script_pubkey": txout.script_pubkey.hex()},
            }
        ]
    }
