"""A deterministic test wallet that really signs: one key per address kind, PSBTs finalized.

Payjoin tests need both parties to contribute *valid* inputs, so this wallet produces what a
real wallet produces: RFC 6979 ECDSA (low-S) over legacy or BIP 143 sighashes, BIP 340 Schnorr
over BIP 341 sighashes with a BIP 86-style output key, and final scriptSig/witness fields in the
standard templates. Keys come from a seed through :class:`~pjconf.reference.entropy.SeededRandom`,
so the same seed gives the same addresses and signatures everywhere. Not for real funds.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from btclib_secp256k1 import dsa, ssa, xonly

from pjconf.reference.bitcoin import address
from pjconf.reference.bitcoin.address import Network
from pjconf.reference.bitcoin.encoding import hash160, tagged_hash
from pjconf.reference.bitcoin.psbt import Input, Psbt, with_inputs
from pjconf.reference.bitcoin.psbt_types import ECDSA_SIGHASH_TYPES
from pjconf.reference.bitcoin.script import p2pkh, p2sh, witness_script_pubkey
from pjconf.reference.bitcoin.sighash import (
    SIGHASH_ALL,
    SIGHASH_DEFAULT,
    TAPROOT_SIGHASH_TYPES,
    legacy_sighash,
    p2wpkh_script_code,
    segwit_v0_sighash,
    taproot_sighash,
)
from pjconf.reference.bitcoin.tx import Transaction, TxIn, TxOut
from pjconf.reference.crypto.secp256k1 import KeyPair, public_key
from pjconf.reference.entropy import RandomSource, SeededRandom
from pjconf.reference.errors import PjconfError


class AddressKind(enum.Enum):
    """The single-key output types the wallet holds one key for."""

    P2WPKH = "p2wpkh"
    P2TR = "p2tr"
    P2SH_P2WPKH = "p2sh-p2wpkh"
    P2PKH = "p2pkh"


# --- errors -----------------------------------------------------------------------------------


class WalletError(PjconfError):
    """Base of the test wallet's errors."""

    kind = "WalletError"


class MissingUtxo(WalletError):
    """An input to be signed (or one a taproot sighash commits to) has no UTXO information."""

    kind = "MissingUtxo"

    def __init__(self, index: int) -> None:
        super().__init__(f"input {index} has neither witness_utxo nor non_witness_utxo")
        self.index = index


class UtxoMismatch(WalletError):
    """The UTXO information contradicts the outpoint or itself (the BIP 143 fee attack)."""

    kind = "UtxoMismatch"

    def __init__(self, index: int, message: str) -> None:
        super().__init__(f"input {index}: {message}")
        self.index = index


class NotOwned(WalletError):
    """The input spends an output whose script is none of this wallet's."""

    kind = "NotOwned"

    def __init__(self, index: int) -> None:
        super().__init__(f"input {index} spends a script this wallet does not own")
        self.index = index


class UnsupportedSighash(WalletError):
    """The PSBT asks for a sighash type that is not valid for the input's script type."""

    kind = "UnsupportedSighash"


class NotFinalized(WalletError):
    """:func:`extract_tx` on a PSBT with an input that has no final scriptSig or witness."""

    kind = "NotFinalized"

    def __init__(self, index: int) -> None:
        super().__init__(f"input {index} is not finalized")
        self.index = index


# --- taproot keys -----------------------------------------------------------------------------


def taproot_tweak(internal_key: bytes, merkle_root: bytes | None = None) -> bytes:
    """BIP 341's ``t = H_TapTweak(P ‖ merkle_root)``; without a script tree just ``H(P)``.

    The no-tree form is what BIP 86 uses, so a key-path-only output still commits to "no
    scripts" and cannot hide one.
    """
    return tagged_hash("TapTweak", internal_key + (merkle_root or b""))


def taproot_output_key(internal_key: bytes, merkle_root: bytes | None = None) -> tuple[bytes, int]:
    """The x-only output key ``Q = P + t·G`` and the parity of its y."""
    return xonly.tweak_add(internal_key, taproot_tweak(internal_key, merkle_root))


def taproot_tweak_secret(secret: bytes, merkle_root: bytes | None = None) -> bytes:
    """The secret for ``Q``: negated first if ``P`` has odd y (BIP 341 ``taproot_tweak_seckey``)."""
    internal, _ = xonly.from_prvkey(secret)
    return xonly.prvkey_tweak_add(secret, taproot_tweak(internal, merkle_root))


# --- scripts ----------------------------------------------------------------------------------


def push(data: bytes) -> bytes:
    """The minimal push of ``data`` (what a wallet writes into a scriptSig)."""
    n = len(data)
    if n < 0x4C:
        return bytes((n,)) + data
    if n <= 0xFF:
        return b"\x4c" + bytes((n,)) + data
    if n <= 0xFFFF:
        return b"\x4d" + n.to_bytes(2, "little") + data
    return b"\x4e" + n.to_bytes(4, "little") + data


@dataclass(frozen=True, slots=True)
class WalletKey:
    """One key of the wallet and everything derived from it for its address kind."""

    kind: AddressKind
    secret: bytes
    """The key as drawn; for P2TR the *internal* secret."""
    public_key: bytes
    """33-byte compressed ``secret·G`` (for P2TR, the internal key's compressed form)."""
    script_pubkey: bytes
    signing_secret: bytes
    """The secret that actually signs: ``secret`` itself, or the tweaked secret for P2TR."""
    redeem_script: bytes | None = None
    """P2SH-P2WPKH only: ``OP_0 <hash160(pubkey)>``."""

    @classmethod
    def derive(cls, kind: AddressKind, secret: bytes) -> WalletKey:
        """The scripts of ``secret`` for ``kind`` (:class:`InvalidKey` if it is no scalar)."""
        pub = public_key(secret, compressed=True)
        key_hash = hash160(pub)
        if kind is AddressKind.P2WPKH:
            return cls(kind, secret, pub, witness_script_pubkey(0, key_hash), secret)
        if kind is AddressKind.P2SH_P2WPKH:
            redeem = witness_script_pubkey(0, key_hash)
            return cls(kind, secret, pub, p2sh(hash160(redeem)), secret, redeem)
        if kind is AddressKind.P2PKH:
            return cls(kind, secret, pub, p2pkh(key_hash), secret)
        output_key, _ = taproot_output_key(pub[1:])
        spk = witness_script_pubkey(1, output_key)
        return cls(kind, secret, pub, spk, taproot_tweak_secret(secret))

    @property
    def internal_key(self) -> bytes:
        """The 32-byte x-only internal key (meaningful for P2TR)."""
        return self.public_key[1:]


# --- the wallet -------------------------------------------------------------------------------


class TestWallet:
    """Four keys (one per :class:`AddressKind`) that sign and finalize the PSBT inputs they own.

    ``aux_rand`` feeds BIP 340's auxiliary randomness; ``None`` means 32 zero bytes, as BIP 341's
    wallet vectors were made. ECDSA is RFC 6979 and needs none. ``grind_low_r`` re-signs until r
    is below 2^255 as Bitcoin Core and BDK do (one byte shorter); rust-bitcoin's plain
    ``sign_ecdsa`` does not, and neither do the BIP 143 example signatures.
    """

    __test__ = False  # not a pytest test class, despite the name

    def __init__(
        self,
        secrets: Mapping[AddressKind, bytes],
        *,
        aux_rand: RandomSource | None = None,
        grind_low_r: bool = False,
    ) -> None:
        self._keys = {kind: WalletKey.derive(kind, secrets[kind]) for kind in AddressKind}
        self._by_script = {k.script_pubkey: k for k in self._keys.values()}
        self._aux_rand = aux_rand
        self._grind = grind_low_r

    @classmethod
    def from_seed(
        cls,
        seed: bytes | int | str,
        *,
        aux_rand: RandomSource | None = None,
        grind_low_r: bool = False,
    ) -> TestWallet:
        """Keys drawn from ``SeededRandom(seed).child("test-wallet/<kind>")``, one stream each.

        Separate child streams keep every kind's key stable if kinds are added later.
        """
        root = SeededRandom(seed)
        secrets = {
            kind: KeyPair.generate(root.child(f"test-wallet/{kind.value}")).secret
            for kind in AddressKind
        }
        return cls(secrets, aux_rand=aux_rand, grind_low_r=grind_low_r)

    # -- addresses ------------------------------------------------------------------------------

    def key(self, kind: AddressKind) -> WalletKey:
        return self._keys[kind]

    def script_pubkey(self, kind: AddressKind) -> bytes:
        return self._keys[kind].script_pubkey

    def address(self, kind: AddressKind, network: Network) -> str:
        return address.encode(self._keys[kind].script_pubkey, network)

    def owns(self, script_pubkey: bytes) -> bool:
        return script_pubkey in self._by_script

    def kind_of(self, script_pubkey: bytes) -> AddressKind | None:
        key = self._by_script.get(script_pubkey)
        return None if key is None else key.kind

    # -- signing --------------------------------------------------------------------------------

    def sign_psbt(self, psbt: Psbt) -> Psbt:
        """Sign and finalize every not yet finalized input this wallet owns; others untouched.

        An input without UTXO information cannot be recognised and is left alone, unless a
        taproot input of ours needs its amount and script (then :class:`MissingUtxo`).
        """
        inputs = list(psbt.inputs)
        for index, inp in enumerate(psbt.inputs):
            if _is_finalized(inp):
                continue
            script = _claimed_script(psbt, index)
            if script is None or not self.owns(script):
                continue
            inputs[index] = self._finalized_input(psbt, index)
        return with_inputs(psbt, inputs)

    def sign_input(self, psbt: Psbt, index: int) -> Psbt:
        """Sign and finalize input ``index``, which must be ours (:class:`NotOwned` if not)."""
        if not 0 <= index < len(psbt.inputs):
            raise WalletError(f"input index {index} out of range ({len(psbt.inputs)} inputs)")
        inputs = list(psbt.inputs)
        inputs[index] = self._finalized_input(psbt, index)
        return with_inputs(psbt, inputs)

    def _finalized_input(self, psbt: Psbt, index: int) -> Input:
        utxo = spent_output(psbt, index)
        key = self._by_script.get(utxo.script_pubkey)
        if key is None:
            raise NotOwned(index)
        inp = psbt.inputs[index]
        tx = psbt.unsigned_tx
        script_sig: bytes | None = None
        witness: tuple[bytes, ...] | None
        if key.kind is AddressKind.P2TR:
            hash_type = SIGHASH_DEFAULT if inp.sighash_type is None else inp.sighash_type
            if hash_type not in TAPROOT_SIGHASH_TYPES:
                raise UnsupportedSighash(f"input {index}: {hash_type:#x} is not a taproot type")
            spent = [spent_output(psbt, i) for i in range(len(psbt.inputs))]
            digest = taproot_sighash(tx, index, spent, hash_type)
            aux = bytes(32) if self._aux_rand is None else self._aux_rand.random_bytes(32)
            signature: bytes = ssa.sign(digest, key.signing_secret, aux)
            suffix = b"" if hash_type == SIGHASH_DEFAULT else bytes((hash_type,))
            witness = (signature + suffix,)
        else:
            hash_type = SIGHASH_ALL if inp.sighash_type is None else inp.sighash_type
            if hash_type not in ECDSA_SIGHASH_TYPES:
                raise UnsupportedSighash(f"input {index}: {hash_type:#x} is not a standard type")
            if key.kind is AddressKind.P2PKH:
                digest = legacy_sighash(tx, index, utxo.script_pubkey, hash_type)
            else:
                code = p2wpkh_script_code(hash160(key.public_key))
                digest = segwit_v0_sighash(tx, index, code, utxo.value, hash_type)
            der: bytes = dsa.sign(digest, key.signing_secret, grind=self._grind)
            sig = der + bytes((hash_type,))
            if key.kind is AddressKind.P2PKH:
                script_sig, witness = push(sig) + push(key.public_key), None
            else:
                witness = (sig, key.public_key)
                if key.redeem_script is not None:
                    script_sig = push(key.redeem_script)
        # BIP 174 Finalizer: keep only the UTXO fields, the final fields and unknown data.
        return Input(
            non_witness_utxo=inp.non_witness_utxo,
            witness_utxo=inp.witness_utxo,
            final_script_sig=script_sig,
            final_script_witness=witness,
            proprietary=inp.proprietary,
            unknown=inp.unknown,
        )


# --- PSBT helpers -----------------------------------------------------------------------------


def _is_finalized(inp: Input) -> bool:
    return inp.final_script_sig is not None or inp.final_script_witness is not None


def _claimed_script(psbt: Psbt, index: int) -> bytes | None:
    """The spent script the input's UTXO fields claim, unchecked (for recognising ours)."""
    inp = psbt.inputs[index]
    if inp.witness_utxo is not None:
        return inp.witness_utxo.script_pubkey
    if inp.non_witness_utxo is not None:
        vout = psbt.unsigned_tx.inputs[index].previous_output.vout
        if vout < len(inp.non_witness_utxo.outputs):
            return inp.non_witness_utxo.outputs[vout].script_pubkey
    return None


def spent_output(psbt: Psbt, index: int) -> TxOut:
    """The output input ``index`` spends, checked as a careful signer checks it.

    A ``non_witness_utxo`` must be the transaction the outpoint names, and a ``witness_utxo``
    beside it must agree with it: a signer that trusted a lone, wrong ``witness_utxo`` amount
    could be made to sign away more fee than it sees.
    """
    inp = psbt.inputs[index]
    prevout = psbt.unsigned_tx.inputs[index].previous_output
    if inp.non_witness_utxo is not None:
        prev_tx = inp.non_witness_utxo
        if prev_tx.txid() != prevout.txid:
            raise UtxoMismatch(index, "non_witness_utxo is not the transaction the outpoint names")
        if prevout.vout >= len(prev_tx.outputs):
            raise UtxoMismatch(index, f"non_witness_utxo has no output {prevout.vout}")
        out = prev_tx.outputs[prevout.vout]
        if inp.witness_utxo is not None and inp.witness_utxo != out:
            raise UtxoMismatch(index, "witness_utxo disagrees with non_witness_utxo")
        return out
    if inp.witness_utxo is not None:
        return inp.witness_utxo
    raise MissingUtxo(index)


def spent_outputs(psbt: Psbt) -> list[TxOut]:
    """Every input's spent output, in input order (what a taproot sighash and a verifier need)."""
    return [spent_output(psbt, i) for i in range(len(psbt.inputs))]


def extract_tx(psbt: Psbt) -> Transaction:
    """The network transaction of a fully finalized PSBT (:class:`NotFinalized` otherwise)."""
    inputs: list[TxIn] = []
    for index, (txin, inp) in enumerate(zip(psbt.unsigned_tx.inputs, psbt.inputs, strict=True)):
        if not _is_finalized(inp):
            raise NotFinalized(index)
        inputs.append(
            TxIn(
                txin.previous_output,
                inp.final_script_sig or b"",
                txin.sequence,
                inp.final_script_witness or (),
            )
        )
    tx = psbt.unsigned_tx
    return Transaction(tx.version, tuple(inputs), tx.outputs, tx.lock_time)


__all__ = [
    "AddressKind",
    "MissingUtxo",
    "NotFinalized",
    "NotOwned",
    "TestWallet",
    "UnsupportedSighash",
    "UtxoMismatch",
    "WalletError",
    "WalletKey",
    "extract_tx",
    "push",
    "spent_output",
    "spent_outputs",
    "taproot_output_key",
    "taproot_tweak",
    "taproot_tweak_secret",
]
