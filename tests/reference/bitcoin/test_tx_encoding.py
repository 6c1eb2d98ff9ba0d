"""Consensus encoding, transactions, scripts and addresses."""

from __future__ import annotations

import pytest

from pjconf.reference.bitcoin import address, base58, bech32m
from pjconf.reference.bitcoin.address import Network
from pjconf.reference.bitcoin.encoding import Reader, compact_size, parse_hex
from pjconf.reference.bitcoin.script import ScriptType, classify
from pjconf.reference.bitcoin.tx import OutPoint, Transaction
from pjconf.reference.errors import ParseError

# A segwit transaction (BIP 143's native P2WPKH example, signed): its txid and wtxid are known.
SEGWIT_TX = bytes.fromhex(
    "01000000000102fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f00000000494830"
    "450221008b9d1dc26ba6a9cb62127b02742fa9d754cd3bebf337f7a55d114c8e5cdd30be022040529b194ba3f9"
    "281a99f2b1c0a19c0489bc22ede944ccf4ecbab4cc618ef3ed01eeffffffef51e1b804cc89d182d279655c3aa8"
    "9e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206000000001976a9148280b37df378"
    "db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42dbee7e4dbe6a21b2d50ce2f0167f"
    "aa815988ac000247304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0d5447a12fb1366d7f01cc44a02"
    "20573a954c4518331561406f90300e8f3358f51928d43c212a8caed02de67eebee0121025476c2e83188368da1"
    "ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee635711000000"
)


@pytest.mark.parametrize("n", [0, 0xFC, 0xFD, 0xFFFF, 0x10000, 0xFFFF_FFFF, 0x1_0000_0000])
def test_compact_size_round_trip(n: int) -> None:
    assert Reader(compact_size(n)).compact_size() == n


@pytest.mark.parametrize("raw", ["fdfc00", "fe ffff0000", "ff ffffffff00000000"])
def test_compact_size_must_be_minimal(raw: str) -> None:
    with pytest.raises(ParseError) as e:
        Reader(bytes.fromhex(raw.replace(" ", ""))).compact_size()
    assert e.value.reason == "NonMinimalCompactSize"


def test_reader_short_reads_are_typed() -> None:
    for fn in (Reader(b"").u8, Reader(b"\x01").u32, Reader(b"\x05ab").var_bytes):
        with pytest.raises(ParseError) as e:
            fn()
        assert e.value.reason == "UnexpectedEnd"


def test_segwit_transaction() -> None:
    tx = Transaction.deserialize(SEGWIT_TX)
    assert tx.serialize() == SEGWIT_TX
    assert tx.txid_hex() == "e8151a2af31c368a35053ddd4bdb285a8595c769a3ad83e0fa02314a602d4609"
    assert tx.wtxid_hex() != tx.txid_hex()
    assert tx.weight() == 3 * len(tx.serialize_without_witness()) + len(SEGWIT_TX)
    assert tx.vsize() == (tx.weight() + 3) // 4
    assert Transaction.deserialize(tx.serialize_without_witness()).txid() == tx.txid()


def test_transaction_errors() -> None:
    with pytest.raises(ParseError) as e:
        Transaction.deserialize(SEGWIT_TX + b"\x00")
    assert e.value.reason == "TrailingBytes"
    with pytest.raises(ParseError) as e:
        Transaction.deserialize(SEGWIT_TX[:4] + b"\x00\x02" + SEGWIT_TX[6:])
    assert e.value.reason == "UnsupportedSegwitFlag"
    for cut in range(0, len(SEGWIT_TX), 7):
        with pytest.raises(ParseError):
            Transaction.deserialize(SEGWIT_TX[:cut])


def test_outpoint_text() -> None:
    text = "833b085de288cda6ff614c6e8655f61e7ae4f84604a2751998dc25a0d1ba278f:1"
    assert str(OutPoint.parse(text)) == text
    for bad in ["00:1", text + ":2", text.replace(":1", ":01"), text.replace(":1", ":x")]:
        with pytest.raises(ParseError):
            OutPoint.parse(bad)


# BIP 173 / BIP 350 valid addresses and their scriptPubKeys (values from the BIPs).
SEGWIT_VECTORS = [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
    (
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
        "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
    ),
    (
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    ),
    ("BC1SW50QGDZ25J", "6002751e"),
    (
        "bcrt1qs758ursh4q9z627kt3pp5yysm78ddny6txaqgw",
        "001487a87e0e17a80a2d2bd65c421a1090df8ed6cc9a",
    ),
]


@pytest.mark.parametrize(("text", "spk"), SEGWIT_VECTORS)
def test_segwit_addresses(text: str, spk: str) -> None:
    decoded = address.decode(text)
    assert decoded.script_pubkey.hex() == spk
    network = sorted(decoded.networks, key=lambda n: n.value)[0]
    assert address.encode(decoded.script_pubkey, network) == text.lower()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "InvalidChecksum"),  # bad checksum
        ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "InvalidChecksum"),
        ("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "InvalidProgramLength"),
        ("bc1zw508d6qejxtdg4y5r3zarqfsj7ph", "InvalidChecksum"),  # v2 with bech32
        ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7", "MixedCase"),
    ],
)
def test_segwit_address_errors(text: str, reason: str) -> None:
    with pytest.raises(ParseError) as e:
        address.decode(text)
    assert e.value.reason == reason


def test_base58_addresses() -> None:
    for text, spk, network in [
        (
            "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
            "76a91477bff20c60e522dfaa3350c39b030a5d004e839a88ac",
            Network.BITCOIN,
        ),
        (
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            "a914b472a266d0bd89c13706a4132ccfb16f7c3b9fcb87",
            Network.BITCOIN,
        ),
        (
            "2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc",
            "a9144e9f39ca4688ff102128ea4ccda34105324305b087",
            Network.TESTNET,
        ),
    ]:
        decoded = address.decode(text)
        assert decoded.script_pubkey.hex() == spk
        assert decoded.is_valid_for(network)
        assert address.encode(decoded.script_pubkey, network) == text
    with pytest.raises(ParseError) as e:
        address.decode("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3")
    assert e.value.reason == "InvalidChecksum"
    with pytest.raises(ParseError):
        base58.decode("0OIl")


def test_bech32m_rejects_long_strings() -> None:
    with pytest.raises(ParseError) as e:
        bech32m.decode_segwit("bc1" + "q" * 100)
    assert e.value.reason == "InvalidLength"


@pytest.mark.parametrize(
    ("spk", "kind"),
    [
        ("76a914" + "00" * 20 + "88ac", ScriptType.P2PKH),
        ("a914" + "00" * 20 + "87", ScriptType.P2SH),
        ("0014" + "00" * 20, ScriptType.P2WPKH),
        ("0020" + "00" * 32, ScriptType.P2WSH),
        ("5120" + "00" * 32, ScriptType.P2TR),
        ("5202abcd", ScriptType.WITNESS_UNKNOWN),
        ("0015" + "00" * 21, ScriptType.WITNESS_UNKNOWN),
        ("6a0401020304", ScriptType.OP_RETURN),
        ("51", ScriptType.OTHER),
        ("", ScriptType.OTHER),
    ],
)
def test_classify(spk: str, kind: ScriptType) -> None:
    assert classify(bytes.fromhex(spk)) is kind


def test_no_address_for_op_return() -> None:
    with pytest.raises(ParseError) as e:
        address.encode(bytes.fromhex("6a00"), Network.BITCOIN)
    assert e.value.reason == "NoAddress"


def test_hex_in_event_json_takes_either_case_but_no_whitespace() -> None:
    """rust-bitcoin's ``FromHex`` reads both cases and nothing else; ``bytes.fromhex`` alone
    would also skip whitespace around and between the digit pairs."""
    assert parse_hex("00Ff") == b"\x00\xff"
    for text in (" 00ff", "00 ff", "00ff ", "\t00", "00f"):
        with pytest.raises(ParseError) as info:
            parse_hex(text)
        assert info.value.reason == "InvalidHex"
