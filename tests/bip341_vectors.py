"""BIP 341's wallet test vectors, "keyPathSpending": one 9-input transaction and what it spends.

Source: bitcoin/bitcoin ``src/test/data/bip341_wallet_vectors.json`` (identical to bitcoin/bips
``bip-0341/wallet-test-vectors.json``); values re-expressed here, shared by the sighash and the
wallet tests.
"""

from __future__ import annotations

from pjconf.reference.bitcoin.tx import TxOut

KEY_PATH_TX = (
    "02000000097de20cbff686da83a54981d2b9bab3586f4ca7e48f57f5b55963115f3b334e9c01000000000000000"
    "0d7b7cab57b1393ace2d064f4d4a2cb8af6def61273e127517d44759b6dafdd990000000000fffffffff8e1f583"
    "384333689228c5d28eac13366be082dc57441760d957275419a418420000000000fffffffff0689180aa63b30cb1"
    "62a73c6d2a38b7eeda2a83ece74310fda0843ad604853b0100000000feffffffaa5202bdf6d8ccd2ee0f0202afbb"
    "b7461d9264a25e5bfd3c5a52ee1239e0ba6c0000000000feffffff956149bdc66faa968eb2be2d2faa29718acbfe"
    "3941215893a2a3446d32acd050000000000000000000e664b9773b88c09c32cb70a2a3e4da0ced63b7ba3b22f848"
    "531bbb1d5d5f4c94010000000000000000e9aa6b8e6c9de67619e6a3924ae25696bb7b694bb677a632a74ef7eadf"
    "d4eabf0000000000ffffffffa778eb6a263dc090464cd125c466b5a99667720b1c110468831d058aa1b82af10100"
    "000000ffffffff0200ca9a3b000000001976a91406afd46bcdfd22ef94ac122aa11f241244a37ecc88ac807840cb"
    "0000000020ac9a87f5594be208f8532db38cff670c450ed2fea8fcdefcc9a663f78bab962b0065cd1d"
)
KEY_PATH_UTXOS = [
    ("512053a1f6e454df1aa2776a2814a721372d6258050de330b3c6d10ee8f4e0dda343", 420_000_000),
    ("5120147c9c57132f6e7ecddba9800bb0c4449251c92a1e60371ee77557b6620f3ea3", 462_000_000),
    ("76a914751e76e8199196d454941c45d1b3a323f1433bd688ac", 294_000_000),
    ("5120e4d810fd50586274face62b8a807eb9719cef49c04177cc6b76a9a4251d5450e", 504_000_000),
    ("512091b64d5324723a985170e4dc5a0f84c041804f2cd12660fa5dec09fc21783605", 630_000_000),
    ("00147dd65592d0ab2fe0d0257d571abf032cd9db93dc", 378_000_000),
    ("512075169f4001aa68f15bbed28b218df1d0a62cbbcf1188c6665110c293c907b831", 672_000_000),
    ("5120712447206d7a5238acc7ff53fbe94a3b64539ad291c7cdbc490b7577e4b17df5", 546_000_000),
    ("512077e30a5522dd9f894c3f8b8bd4c4b2cf82ca7da8a3ea6a239655c39c050ab220", 588_000_000),
]


def key_path_spent() -> list[TxOut]:
    """The nine spent outputs, in input order."""
    return [TxOut(value, bytes.fromhex(spk)) for spk, value in KEY_PATH_UTXOS]
