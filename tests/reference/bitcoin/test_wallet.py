"""The test wallet signs for real: libbitcoinkernel (py-bitcoinkernel) verifies what it signs.

The oracle is Bitcoin Core's script interpreter run in-process, not our own sighash code: each
signed input is checked with ``ScriptPubkey.verify`` against the output it spends, with every
spent output supplied so taproot inputs are checked too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pbk
import pytest
from bip341_vectors import KEY_PATH_TX, key_path_spent
from btclib_secp256k1 import dsa
from hypothesis import given, settings
from hypothesis import strategies as st
from pbk.script import PrecomputedTransactionData

from pjconf.reference.bitcoin import address
from pjconf.reference.bitcoin.address import Network
from pjconf.reference.bitcoin.encoding import sha256
from pjconf.reference.bitcoin.psbt import Input, Output, Psbt, with_inputs
from pjconf.reference.bitcoin.script import ScriptType, classify
from pjconf.reference.bitcoin.sighash import SighashError
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from pjconf.reference.bitcoin.wallet import (
    AddressKind,
    MissingUtxo,
    NotFinalized,
    NotOwned,
    TestWallet,
    UnsupportedSighash,
    UtxoMismatch,
    extract_tx,
    spent_outputs,
)
from pjconf.reference.entropy import SeededRandom

SEGWIT_KINDS = [AddressKind.P2WPKH, AddressKind.P2SH_P2WPKH, AddressKind.P2TR]
ALL_KINDS = list(AddressKind)
WALLET = TestWallet.from_seed("pjconf/test-wallet")
OTHER = TestWallet.from_seed("pjconf/test-wallet/other")
PAYEE = bytes.fromhex("0014") + bytes(range(20))


# --- the oracle -------------------------------------------------------------------------------


def kernel_verify(tx: Transaction, spent: Sequence[TxOut], index: int) -> bool:
    """libbitcoinkernel's verdict on input ``index`` of ``tx`` under every consensus flag."""
    ktx = pbk.Transaction(tx.serialize())
    outs = [pbk.TransactionOutput(pbk.ScriptPubkey(o.script_pubkey), o.value) for o in spent]
    data = PrecomputedTransactionData(ktx, outs)
    script = pbk.ScriptPubkey(spent[index].script_pubkey)
    flags = pbk.ScriptVerificationFlags.ALL
    return bool(script.verify(spent[index].value, ktx, data, index, flags))


def kernel_verify_all(tx: Transaction, spent: Sequence[TxOut]) -> list[bool]:
    return [kernel_verify(tx, spent, i) for i in range(len(tx.inputs))]


# --- building PSBTs ---------------------------------------------------------------------------


def previous_tx(out: TxOut, tag: int) -> Transaction:
    """A made-up transaction paying ``out``; kernel script checks never look it up."""
    source = TxIn(OutPoint(sha256(b"pjconf/coinbase" + tag.to_bytes(4, "big")), 0))
    return Transaction(2, (source,), (out,), 0)


def make_psbt(
    spent: Sequence[TxOut],
    outputs: Sequence[TxOut],
    *,
    sighash_types: Sequence[int | None] | None = None,
    both_utxo_fields: bool = False,
) -> Psbt:
    """An unsigned PSBT spending ``spent`` as a wallet would hand it over.

    Segwit inputs carry ``witness_utxo``, P2PKH ``non_witness_utxo`` (its BIP 174 form);
    ``both_utxo_fields`` gives every input both.
    """
    prevs = [previous_tx(out, n) for n, out in enumerate(spent)]
    tx = Transaction(
        2,
        tuple(TxIn(OutPoint(p.txid(), 0), sequence=0xFFFF_FFFD) for p in prevs),
        tuple(outputs),
        0,
    )
    types = sighash_types or [None] * len(spent)
    inputs = []
    for prev, out, hash_type in zip(prevs, spent, types, strict=True):
        legacy = classify(out.script_pubkey) is ScriptType.P2PKH
        inputs.append(
            Input(
                non_witness_utxo=prev if legacy or both_utxo_fields else None,
                witness_utxo=out if not legacy or both_utxo_fields else None,
                sighash_type=hash_type,
            )
        )
    return Psbt(tx, inputs=tuple(inputs), outputs=tuple(Output() for _ in outputs))


def spend(kinds: Sequence[AddressKind], wallet: TestWallet = WALLET) -> list[TxOut]:
    return [TxOut(100_000 + 1_000 * n, wallet.script_pubkey(k)) for n, k in enumerate(kinds)]


def pay(amount: int) -> list[TxOut]:
    return [TxOut(amount, PAYEE)]


# --- keys and addresses -----------------------------------------------------------------------


def test_secret_one_gives_the_well_known_addresses() -> None:
    """Key 1's addresses, published in many places (BIP 173's example is its P2WPKH)."""
    wallet = TestWallet({kind: (1).to_bytes(32, "big") for kind in AddressKind})
    assert wallet.address(AddressKind.P2PKH, Network.BITCOIN) == (
        "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"
    )
    assert wallet.address(AddressKind.P2SH_P2WPKH, Network.BITCOIN) == (
        "3JvL6Ymt8MVWiCNHC7oWU6nLeHNJKLZGLN"
    )
    assert wallet.address(AddressKind.P2WPKH, Network.BITCOIN) == (
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    )
    assert wallet.address(AddressKind.P2TR, Network.BITCOIN) == (
        "bc1pmfr3p9j00pfxjh0zmgp99y8zftmd3s5pmedqhyptwy6lm87hf5sspknck9"
    )


def test_seeded_wallet_is_deterministic_and_pinned() -> None:
    again = TestWallet.from_seed("pjconf/test-wallet")
    assert [again.script_pubkey(k) for k in AddressKind] == [
        WALLET.script_pubkey(k) for k in AddressKind
    ]
    # Pinned so a change to the derivation is seen (it would change every generated vector).
    pinned = TestWallet.from_seed("pjconf")
    assert {k: pinned.address(k, Network.REGTEST) for k in AddressKind} == {
        AddressKind.P2WPKH: "bcrt1qfd5usu9uadlw0f4g6emx6f23nyps9klf82y8uf",
        AddressKind.P2TR: "bcrt1pwng20pjmyu7mw7psz5zk8a5k8qamr568yl6gnq3djqnxym55gqgsu9v2ws",
        AddressKind.P2SH_P2WPKH: "2MsmYDDzTUb5awazTn4daana14kJYH4LSmx",
        AddressKind.P2PKH: "mj9JfhvmdNJ5hhMzc4gTYippTGwoQ3fmC5",
    }


@pytest.mark.parametrize("network", list(Network))
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_addresses_decode_to_the_owned_script(kind: AddressKind, network: Network) -> None:
    decoded = address.decode(WALLET.address(kind, network))
    assert decoded.is_valid_for(network)
    assert decoded.script_pubkey == WALLET.script_pubkey(kind)
    assert WALLET.owns(decoded.script_pubkey)
    assert WALLET.kind_of(decoded.script_pubkey) is kind
    assert not OTHER.owns(decoded.script_pubkey)


def test_script_types() -> None:
    expected = {
        AddressKind.P2WPKH: ScriptType.P2WPKH,
        AddressKind.P2TR: ScriptType.P2TR,
        AddressKind.P2SH_P2WPKH: ScriptType.P2SH,
        AddressKind.P2PKH: ScriptType.P2PKH,
    }
    assert {k: classify(WALLET.script_pubkey(k)) for k in AddressKind} == expected
    assert not WALLET.owns(PAYEE)


# --- single-kind spends -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_wallet_signed_spend_verifies(kind: AddressKind) -> None:
    spent = spend([kind])
    psbt = make_psbt(spent, pay(90_000))
    signed = WALLET.sign_psbt(psbt)
    tx = extract_tx(signed)
    assert kernel_verify_all(tx, spent) == [True]
    # The finalized fields are the standard templates and nothing else is left behind.
    inp = signed.inputs[0]
    assert inp.partial_sigs == ()
    assert inp.sighash_type is None
    assert inp.tap_key_sig is None
    assert inp.witness_utxo == psbt.inputs[0].witness_utxo
    assert inp.non_witness_utxo == psbt.inputs[0].non_witness_utxo
    key = WALLET.key(kind)
    if kind is AddressKind.P2PKH:
        assert inp.final_script_witness is None
        assert inp.final_script_sig is not None
        assert inp.final_script_sig.endswith(b"\x21" + key.public_key)
    elif kind is AddressKind.P2TR:
        assert inp.final_script_sig is None
        assert inp.final_script_witness is not None
        assert [len(item) for item in inp.final_script_witness] == [64]
    else:
        assert inp.final_script_witness is not None
        assert inp.final_script_witness[1] == key.public_key
        assert inp.final_script_witness[0][-1] == 0x01
        redeem = key.redeem_script
        expected_sig = None if redeem is None else bytes((len(redeem),)) + redeem
        assert inp.final_script_sig == expected_sig
    # The signed PSBT is a valid PSBT: it survives its own serialization.
    assert Psbt.deserialize(signed.serialize()) == signed


@pytest.mark.parametrize("kind", SEGWIT_KINDS)
def test_signature_over_the_wrong_amount_fails(kind: AddressKind) -> None:
    spent = spend([kind])
    lied = [TxOut(spent[0].value + 1, spent[0].script_pubkey)]
    tx = extract_tx(WALLET.sign_psbt(make_psbt(lied, pay(90_000))))
    assert kernel_verify(tx, lied, 0)  # valid for the amount it was told ...
    assert not kernel_verify(tx, spent, 0)  # ... and not for the real one


def test_legacy_signature_ignores_amounts_but_not_outputs() -> None:
    """Pre-segwit sighashes do not commit to the amount, so only tampering shows for P2PKH."""
    spent = spend([AddressKind.P2PKH])
    tx = extract_tx(WALLET.sign_psbt(make_psbt(spent, pay(90_000))))
    assert kernel_verify(tx, [TxOut(1, spent[0].script_pubkey)], 0)
    tampered = replace(tx, outputs=(TxOut(90_001, PAYEE),))
    assert not kernel_verify(tampered, spent, 0)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_tampered_output_fails(kind: AddressKind) -> None:
    spent = spend([kind])
    tx = extract_tx(WALLET.sign_psbt(make_psbt(spent, pay(90_000))))
    tampered = replace(tx, outputs=(TxOut(89_999, PAYEE),))
    assert not kernel_verify(tampered, spent, 0)


# --- mixed transactions -----------------------------------------------------------------------


def test_mixed_transaction_verifies_input_by_input() -> None:
    """All four kinds plus two inputs of another wallet, signed in two rounds as in a payjoin."""
    spent = [
        *spend(ALL_KINDS),
        TxOut(50_000, OTHER.script_pubkey(AddressKind.P2TR)),
        TxOut(60_000, OTHER.script_pubkey(AddressKind.P2PKH)),
    ]
    psbt = make_psbt(spent, [TxOut(300_000, PAYEE), TxOut(100_000, spent[0].script_pubkey)])
    ours = WALLET.sign_psbt(psbt)
    assert ours.inputs[4:] == psbt.inputs[4:]  # not ours: untouched
    with pytest.raises(NotFinalized) as caught:
        extract_tx(ours)
    assert caught.value.index == 4
    both = OTHER.sign_psbt(ours)
    assert both.inputs[:4] == ours.inputs[:4]  # already finalized: untouched
    tx = extract_tx(both)
    assert kernel_verify_all(tx, spent) == [True] * 6
    # Taproot commits to every spent amount: lying about another input's amount breaks it.
    lied = list(spent)
    lied[0] = TxOut(spent[0].value - 1, spent[0].script_pubkey)
    verdicts = kernel_verify_all(tx, lied)
    assert verdicts[ALL_KINDS.index(AddressKind.P2TR)] is False
    assert verdicts[4] is False
    assert verdicts[ALL_KINDS.index(AddressKind.P2PKH)] is True


HASH_TYPES = [0x00, 0x01, 0x02, 0x03, 0x81, 0x82, 0x83]


@pytest.mark.parametrize("hash_type", HASH_TYPES, ids=[f"{t:#04x}" for t in HASH_TYPES])
def test_every_sighash_type_verifies(hash_type: int) -> None:
    """Each kind under each standard type (DEFAULT is taproot's; the others sign ALL there)."""
    spent = spend(ALL_KINDS)
    types: list[int | None] = [
        hash_type if hash_type or kind is AddressKind.P2TR else None for kind in ALL_KINDS
    ]
    outputs = [TxOut(10_000 * (n + 1), PAYEE) for n in range(len(spent))]
    signed = WALLET.sign_psbt(make_psbt(spent, outputs, sighash_types=types))
    tx = extract_tx(signed)
    assert kernel_verify_all(tx, spent) == [True] * len(spent)
    taproot_witness = signed.inputs[ALL_KINDS.index(AddressKind.P2TR)].final_script_witness
    assert taproot_witness is not None
    assert len(taproot_witness[0]) == (64 if hash_type == 0 else 65)


def test_both_utxo_fields_and_low_r_grinding() -> None:
    wallet = TestWallet.from_seed("pjconf/test-wallet", grind_low_r=True)
    spent = spend(ALL_KINDS)
    signed = wallet.sign_psbt(make_psbt(spent, pay(300_000), both_utxo_fields=True))
    tx = extract_tx(signed)
    assert kernel_verify_all(tx, spent) == [True] * 4
    for kind in (AddressKind.P2WPKH, AddressKind.P2SH_P2WPKH):
        witness = signed.inputs[ALL_KINDS.index(kind)].final_script_witness
        assert witness is not None
        assert dsa.is_low_r(witness[0][:-1])


# --- determinism ------------------------------------------------------------------------------


def test_signing_is_deterministic() -> None:
    psbt = make_psbt(spend(ALL_KINDS), pay(300_000))
    first = WALLET.sign_psbt(psbt).serialize()
    assert WALLET.sign_psbt(psbt).serialize() == first
    seeded = [
        TestWallet.from_seed("pjconf/test-wallet", aux_rand=SeededRandom("aux")).sign_psbt(psbt)
        for _ in range(2)
    ]
    assert seeded[0] == seeded[1]
    # Only the Schnorr signature draws auxiliary randomness; the ECDSA ones are RFC 6979.
    taproot = ALL_KINDS.index(AddressKind.P2TR)
    assert seeded[0].inputs[taproot] != Psbt.deserialize(first).inputs[taproot]
    others = [i for i in range(4) if i != taproot]
    assert [seeded[0].inputs[i] for i in others] == [
        Psbt.deserialize(first).inputs[i] for i in others
    ]
    assert kernel_verify_all(extract_tx(seeded[0]), spend(ALL_KINDS)) == [True] * 4


# --- the BIP 341 wallet vectors, signed by the wallet -----------------------------------------

# The transaction and spent outputs are tests/bip341_vectors.py's; "fullySignedTx" says what
# inputs 0 (P2TR, no script tree, internal key 6b97...6baa, SIGHASH_SINGLE), 2 (P2PKH of key 1)
# and 5 (P2WPKH of key 3) carry.


def test_wallet_reproduces_bip341_fully_signed_inputs() -> None:
    wallet = TestWallet(
        {
            AddressKind.P2TR: bytes.fromhex(
                "6b973d88838f27366ed61c9ad6367663045cb456e28335c109e30717ae0c6baa"
            ),
            AddressKind.P2PKH: (1).to_bytes(32, "big"),
            AddressKind.P2WPKH: (3).to_bytes(32, "big"),
            AddressKind.P2SH_P2WPKH: (2).to_bytes(32, "big"),
        }
    )
    tx = Transaction.deserialize(bytes.fromhex(KEY_PATH_TX))
    utxos = key_path_spent()
    inputs = [Input(witness_utxo=u) for u in utxos]
    inputs[0] = Input(witness_utxo=utxos[0], sighash_type=0x03)
    psbt = Psbt(tx, inputs=tuple(inputs), outputs=(Output(), Output()))
    signed = wallet.sign_psbt(psbt)
    owned = [n for n in range(9) if signed.inputs[n] != psbt.inputs[n]]
    assert owned == [0, 2, 5]
    assert signed.inputs[0].final_script_witness == (
        bytes.fromhex(
            "ed7c1647cb97379e76892be0cacff57ec4a7102aa24296ca39af7541246d8ff14d38958d4cc1e2e478e4d4"
            "a764bbfd835b16d4e314b72937b29833060b87276c03"
        ),
    )
    assert signed.inputs[2].final_script_sig == bytes.fromhex(
        "4830450221008f3b8f8f0537c420654d2283673a761b7ee2ea3c130753103e08ce79201cf32a022079e7ab90"
        "4a1980ef1c5890b648c8783f4d10103dd62f740d13daa79e298d50c201210279be667ef9dcbbac55a06295ce"
        "870b07029bfcdb2dce28d959f2815b16f81798"
    )
    assert signed.inputs[5].final_script_witness == (
        bytes.fromhex(
            "304402202b795e4de72646d76eab3f0ab27dfa30b810e856ff3a46c9a702df53bb0d8cc302203ccc4d82"
            "2edab5f35caddb10af1be93583526ccfbade4b4ead350781e2f8adcd01"
        ),
        bytes.fromhex("02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9"),
    )
    # And the kernel agrees on each of the three.
    partial = Transaction(
        tx.version,
        tuple(
            TxIn(
                t.previous_output,
                i.final_script_sig or b"",
                t.sequence,
                i.final_script_witness or (),
            )
            for t, i in zip(tx.inputs, signed.inputs, strict=True)
        ),
        tx.outputs,
        tx.lock_time,
    )
    assert [kernel_verify(partial, utxos, n) for n in owned] == [True] * 3


# --- errors -----------------------------------------------------------------------------------


def test_sign_input_errors() -> None:
    spent = [*spend([AddressKind.P2WPKH]), TxOut(5_000, PAYEE)]
    psbt = make_psbt(spent, pay(100_000))
    with pytest.raises(NotOwned) as not_owned:
        WALLET.sign_input(psbt, 1)
    assert not_owned.value.index == 1
    assert not_owned.value.kind == "NotOwned"
    bare = with_inputs(psbt, [Input(), psbt.inputs[1]])
    with pytest.raises(MissingUtxo):
        WALLET.sign_input(bare, 0)
    # sign_psbt cannot recognise an input without UTXO data, so it leaves it alone.
    assert WALLET.sign_psbt(bare) == bare
    assert WALLET.sign_input(psbt, 0).inputs[0].final_script_witness is not None


def test_taproot_needs_every_spent_output() -> None:
    spent = [*spend([AddressKind.P2TR]), TxOut(5_000, PAYEE)]
    psbt = make_psbt(spent, pay(100_000))
    psbt = with_inputs(psbt, [psbt.inputs[0], Input()])
    with pytest.raises(MissingUtxo) as caught:
        WALLET.sign_psbt(psbt)
    assert caught.value.index == 1


def test_utxo_mismatches_are_refused() -> None:
    spent = spend([AddressKind.P2WPKH])
    psbt = make_psbt(spent, pay(90_000), both_utxo_fields=True)
    lying = replace(psbt.inputs[0], witness_utxo=TxOut(1, spent[0].script_pubkey))
    with pytest.raises(UtxoMismatch, match="disagrees"):
        WALLET.sign_psbt(with_inputs(psbt, [lying]))
    wrong_tx = replace(psbt.inputs[0], non_witness_utxo=previous_tx(spent[0], 99))
    with pytest.raises(UtxoMismatch, match="outpoint"):
        WALLET.sign_psbt(with_inputs(psbt, [wrong_tx]))


def test_sighash_type_errors() -> None:
    with pytest.raises(UnsupportedSighash):
        WALLET.sign_psbt(make_psbt(spend([AddressKind.P2WPKH]), pay(1), sighash_types=[0x00]))
    with pytest.raises(UnsupportedSighash):
        WALLET.sign_psbt(make_psbt(spend([AddressKind.P2TR]), pay(1), sighash_types=[0x04]))
    # Taproot SIGHASH_SINGLE needs an output at the input's index.
    spent = spend([AddressKind.P2WPKH, AddressKind.P2TR])
    with pytest.raises(SighashError):
        WALLET.sign_psbt(make_psbt(spent, pay(1), sighash_types=[None, 0x03]))


# --- property ---------------------------------------------------------------------------------

amounts = st.integers(min_value=546, max_value=21_000_000 * 100_000_000)


@settings(max_examples=12, deadline=None)
@given(
    order=st.permutations(ALL_KINDS),
    values=st.lists(amounts, min_size=4, max_size=4),
    outputs=st.lists(amounts, min_size=1, max_size=3),
    foreign=st.booleans(),
)
def test_random_spends_verify(
    order: list[AddressKind], values: list[int], outputs: list[int], foreign: bool
) -> None:
    spent = [TxOut(v, WALLET.script_pubkey(k)) for k, v in zip(order, values, strict=True)]
    if foreign:
        spent.insert(len(values) // 2, TxOut(values[0], OTHER.script_pubkey(order[0])))
    psbt = make_psbt(spent, [TxOut(v, PAYEE) for v in outputs])
    signed = OTHER.sign_psbt(WALLET.sign_psbt(psbt))
    tx = extract_tx(signed)
    assert kernel_verify_all(tx, spent) == [True] * len(spent)
    assert spent_outputs(signed) == spent
