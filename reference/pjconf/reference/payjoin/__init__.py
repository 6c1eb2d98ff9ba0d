"""BIP 78 / BIP 77 PSBT logic with rust-payjoin 1.0's semantics and error variant names.

``psbt_checks`` (payjoin's ``psbt`` module), ``params`` (the sender's query parameters),
``sender`` (the builder and the proposal checklist) and ``receiver`` (the receiver's checks and
typestates). Amounts are integer satoshis, weights integer weight units and fee rates integer
sat/kwu, exactly the integers rust-bitcoin's ``Amount``, ``Weight`` and ``FeeRate`` hold.
"""
