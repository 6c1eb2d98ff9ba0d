"""Bitcoin data layer: consensus encoding, transactions, scripts, addresses and BIP 174 PSBTs.

Byte-exact with rust-bitcoin 0.32 (what payjoin 1.0 builds on), including its serde JSON of a
``Psbt``, because payjoin's session events carry PSBTs in that form.
"""
