"""The receiver's wallet as adapter-protocol data: each callback payjoin makes, answered from
``args``, with the Rust adapter's names and semantics (``adapters/rust-payjoin/src/live.rs``).

Every answer is parsed *before* the transition runs, so a malformed one is ``InvalidArgument``
and leaves the typestate unconsumed. The string ``"error"`` in place of an answer makes the
callback raise, which payjoin turns into an implementation error (transient); the text is the
Rust adapter's, so both implementations print the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from btclib_secp256k1 import dsa

from pjconf.protocol.wire import ArgumentError, JsonObject, arg_bytes, arg_int, arg_str
from pjconf.reference.bitcoin import base58
from pjconf.reference.bitcoin.encoding import from_display_hex, hash160
from pjconf.reference.bitcoin.psbt import Input, Psbt, with_inputs
from pjconf.reference.bitcoin.script import witness_script_pubkey
from pjconf.reference.bitcoin.sighash import SIGHASH_ALL, p2wpkh_script_code, segwit_v0_sighash
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxOut
from pjconf.reference.crypto.secp256k1 import public_key
from pjconf.reference.errors import PjconfError
from pjconf.reference.payjoin.receiver import InputPair

FAILS = "error"
"""The answer that makes a callback fail."""

_WIF_VERSIONS = (0x80, 0xEF)
"""Mainnet and test-network WIF version bytes (``PrivateKey::from_wif`` takes both)."""
_UNCOMPRESSED = "segwit public keys must always be compressed"
"""rust-bitcoin's ``UncompressedPublicKeyError``, what signing with an uncompressed WIF prints."""


class WalletCallbackFailed(Exception):
    """A callback answered ``"error"``: the text live.rs's ``wallet_error`` gives."""

    def __init__(self, field: str) -> None:
        super().__init__(f'wallet callback failed ({field}: "error")')


def _answer(args: JsonObject, field: str) -> Any:
    if field not in args or args[field] is None:
        raise ArgumentError(f"`{field}` is missing")
    return args[field]


def _items(field: str, value: Any, parse: Callable[[str], Any]) -> list[Any]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ArgumentError(f'`{field}` must be a list of strings or "error"')
    try:
        return [parse(v) for v in value]
    except PjconfError as e:
        raise ArgumentError(f"`{field}`: {e}") from None


def _failing(field: str) -> Callable[..., Any]:
    def fail(*_: object) -> Any:
        raise WalletCallbackFailed(field)

    return fail


# -- the checks' callbacks -------------------------------------------------------------------------


def can_broadcast(args: JsonObject) -> Callable[[Transaction], bool]:
    """``can_broadcast``: a bool (the mempool would accept the Original), or ``"error"``."""
    value = _answer(args, "can_broadcast")
    if value == FAILS:
        return _failing("can_broadcast")
    if not isinstance(value, bool):
        raise ArgumentError('`can_broadcast` must be a bool or "error"')
    return lambda _tx: value


def outpoint_check(args: JsonObject, field: str) -> Callable[[OutPoint], bool]:
    """``owned_outpoints`` / ``seen_outpoints``: the ``txid:vout`` the wallet claims."""
    value = _answer(args, field)
    if value == FAILS:
        return _failing(field)
    listed = set(_items(field, value, OutPoint.parse))
    return lambda outpoint: outpoint in listed


def receiver_scripts(args: JsonObject) -> Callable[[bytes], bool]:
    """``receiver_scripts``: hex scriptPubKeys the wallet owns."""
    value = _answer(args, "receiver_scripts")
    if value == FAILS:
        return _failing("receiver_scripts")
    scripts = set(_items("receiver_scripts", value, _lower_hex))
    return lambda script: script in scripts


def _lower_hex(text: str) -> bytes:
    return arg_bytes({"script": text}, "script")


def found_transactions(
    args: JsonObject, payjoin_tx: Transaction, fallback_tx: Transaction
) -> Callable[[bytes], Transaction | None]:
    """``found_txids``: the txids (display hex) the wallet sees on chain.

    payjoin compares the txid of what is returned with the proposal's, so the proposal's
    unsigned transaction stands in for it; for any other listed txid (the fallback) payjoin only
    checks that something was found, and gets the fallback (live.rs's ``found_tx``).
    """
    value = _answer(args, "found_txids")
    if value == FAILS:
        return _failing("found_txids")
    found = set(_items("found_txids", value, _txid))

    def find(txid: bytes) -> Transaction | None:
        if txid not in found:
            return None
        return payjoin_tx if payjoin_tx.txid() == txid else fallback_tx

    return find


def _txid(text: str) -> bytes:
    txid = from_display_hex(text)
    if len(txid) != 32:
        raise ArgumentError(f"{text!r} is not a 32-byte txid")
    return txid


# -- signing ---------------------------------------------------------------------------------------


def wallet_process_psbt(args: JsonObject) -> Callable[[Psbt], Psbt]:
    """``finalize_proposal``'s wallet: ``signed_psbt`` (base64, returned as it is) or
    ``signing_keys`` (WIF keys signing every P2WPKH input they own); ``"error"`` for either
    fails (with live.rs's ``signing_keys`` text in both cases)."""
    if args.get("signed_psbt") is not None:
        text = args["signed_psbt"]
        if text == FAILS:
            return _failing("signing_keys")
        try:
            signed = Psbt.from_base64(arg_str(args, "signed_psbt"))
        except PjconfError as e:
            raise ArgumentError(f"`signed_psbt`: {e}") from None
        return lambda _psbt: signed
    value = _answer(args, "signing_keys")
    if value == FAILS:
        return _failing("signing_keys")
    keys = _items("signing_keys", value, _wif)
    return lambda psbt: sign_p2wpkh(psbt, keys)


def _wif(text: str) -> tuple[bytes, bool]:
    """A WIF key: its secret and whether it is compressed."""
    payload = base58.decode_check(text)
    if len(payload) not in (33, 34) or payload[0] not in _WIF_VERSIONS:
        raise ArgumentError(f"{text!r} is not a WIF private key")
    if len(payload) == 34 and payload[33] != 1:
        raise ArgumentError(f"{text!r} has an invalid compression flag")
    return payload[1:33], len(payload) == 34


def sign_p2wpkh(psbt: Psbt, keys: list[tuple[bytes, bool]]) -> Psbt:
    """Sign every not yet finalized P2WPKH input whose ``witness_utxo`` pays one of ``keys``:
    SIGHASH_ALL, RFC 6979 ECDSA, the witness set and ``partial_sigs`` cleared, every other field
    kept (live.rs's ``sign_p2wpkh``)."""
    inputs = list(psbt.inputs)
    for index, inp in enumerate(psbt.inputs):
        if inp.final_script_witness is not None or inp.final_script_sig is not None:
            continue
        utxo = inp.witness_utxo
        if utxo is None:
            continue
        for secret, compressed in keys:
            if not compressed:
                raise ValueError(_UNCOMPRESSED)
            if (witness := _p2wpkh_witness(psbt, index, utxo, secret)) is not None:
                inputs[index] = _replace_input(inp, witness)
                break
    return with_inputs(psbt, inputs)


def _p2wpkh_witness(
    psbt: Psbt, index: int, utxo: TxOut, secret: bytes
) -> tuple[bytes, bytes] | None:
    pub = public_key(secret, compressed=True)
    key_hash = hash160(pub)
    if utxo.script_pubkey != witness_script_pubkey(0, key_hash):
        return None
    code = p2wpkh_script_code(key_hash)
    digest = segwit_v0_sighash(psbt.unsigned_tx, index, code, utxo.value, SIGHASH_ALL)
    der: bytes = dsa.sign(digest, secret)
    return der + bytes((SIGHASH_ALL,)), pub


def _replace_input(inp: Input, witness: tuple[bytes, bytes]) -> Input:
    return replace(inp, final_script_witness=witness, partial_sigs=())


# -- contributions ---------------------------------------------------------------------------------


def contributed_inputs(args: JsonObject) -> list[tuple[TxOut, OutPoint]]:
    """``contribute_inputs``' ``inputs``: ``[{"outpoint": "txid:vout", "txout": {"value": sats,
    "script_pubkey": hex}}]``, each a P2WPKH coin (the pairs are built by
    :func:`input_pairs`, whose refusal is the crate's, not the protocol's)."""
    items = _answer(args, "inputs")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ArgumentError("`inputs` must be a list of objects")
    specs = []
    for item in items:
        try:
            outpoint = OutPoint.parse(arg_str(item, "outpoint"))
        except PjconfError as e:
            raise ArgumentError(f"`outpoint`: {e}") from None
        txout = item.get("txout")
        if not isinstance(txout, dict):
            raise ArgumentError("`txout` must be an object")
        value = arg_int(txout, "value")
        if value < 0:
            raise ArgumentError("`value` must not be negative")
        specs.append((TxOut(value, arg_bytes(txout, "script_pubkey")), outpoint))
    return specs


def input_pairs(specs: list[tuple[TxOut, OutPoint]]) -> list[InputPair]:
    """``InputPair::new_p2wpkh`` of each (raises the crate's ``PsbtInputError``)."""
    return [InputPair.new_p2wpkh(txout, outpoint) for txout, outpoint in specs]
