"""The ``transitions`` family's Original-input cases: the sender's builder reading its own inputs.

Before a sender asks for a payjoin, payjoin 1.0's ``build_recommended`` prices one input of the
Original (the fee contribution it offers is ``min_fee_rate`` times that input's predicted
weight) and so has to tell each input's address type from the script it spends, find a P2SH
input's redeem script (the last push of its scriptSig), and refuse what it cannot price; every
build then checks each input's UTXO fields (``validate_input_utxos``). These cases hand
``session.new_sender`` Originals whose inputs are of each type and shape that decides one of
those answers: P2WSH and P2TR with and without a witness, unknown and invalid witness programs,
P2A, a bare script, P2SH with and without a redeem script and with scriptSigs of every push
opcode (truncated ones too), a second input of another type, and UTXO fields that disagree.

The builder never verifies signatures, so the inputs carry placeholder witnesses of the sizes a
signer would write. Whether a sender prices or refuses an input it cannot predict is its own
choice (``InputWeightChoice``), so those refusals are payjoin 1.0's answer, pinned under
``payjoin-1.0`` with payjoin 1.0's error text; inconsistent UTXO fields are refused in every
profile (BIP 174: a ``non_witness_utxo`` is the transaction the outpoint names, and a
``witness_utxo`` is its output).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pjconf.harness.implementations.client import Client
from pjconf.harness.vectorgen import CaseIds, Json, texts
from pjconf.reference.adapter.payment import Payment
from pjconf.reference.bitcoin.encoding import hash160, sha256
from pjconf.reference.bitcoin.psbt import Input, Output, Psbt
from pjconf.reference.bitcoin.script import p2sh, witness_script_pubkey
from pjconf.reference.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut

NOTES: dict[str, Json] = {
    "OriginalInputType": {
        "description": "session.new_sender (build_recommended) of an Original whose input "
        "spends a script of a given type: payjoin 1.0 predicts a P2WPKH, P2SH-P2WPKH or P2PKH "
        "input's weight from its type and a P2WSH or P2TR input's from its witness, and "
        "refuses an input it cannot price (no witness, an unknown or invalid witness program, "
        "P2A, a bare script, no UTXO); with a second input of another type it prices the "
        "input as a P2TR key spend with a non-default sighash, and refuses a second input "
        "whose type it cannot tell (InputWeightChoice for the refusals).",
        "effect": "A sender that misreads an input's type offers a fee contribution for the "
        "wrong weight, or builds a request from an input it cannot price.",
    },
    "RedeemScriptPush": {
        "description": "session.new_sender of an Original spending a P2SH output: the redeem "
        "script is the last push of the input's final scriptSig (direct pushes, OP_0, "
        "OP_PUSHDATA1/2/4, a push of 75 bytes), or the PSBT's redeem_script field when there is "
        "no final scriptSig; a truncated push, a push opcode without its length, a non-push "
        "opcode or an empty scriptSig leave no redeem script. Only a P2WPKH redeem script is "
        "priced (InputWeightChoice for the refusals).",
        "effect": "A sender that reads the wrong push prices a nested-segwit input it cannot "
        "price, or refuses one it can.",
    },
    "OriginalUtxoFields": {
        "description": "session.new_sender with a fee_contribution (no weight is predicted) "
        "of an Original whose input has both UTXO fields agreeing, a witness_utxo that is not "
        "the non_witness_utxo's output, a non_witness_utxo without the spent output (its "
        "vout equal to the number of outputs), one of another transaction, or neither; also "
        "for the second input.",
        "effect": "A sender that builds from UTXO data contradicting its own transaction "
        "offers a payjoin (and a fee contribution) for coins it does not spend.",
    },
    "InputWeightChoice": {
        "description": "payjoin 1.0 refuses to build where it cannot predict an input's "
        "weight (or, for a P2SH input, finds no P2WPKH redeem script), or accepts a "
        "non-minimal push; the case pins that answer and payjoin 1.0's error text under "
        "payjoin-1.0.",
        "effect": "Under payjoin-1.0: a sender that builds (or refuses) where payjoin 1.0 "
        "refuses (or builds), or words its refusal otherwise.",
    },
}

FEE_CONTRIBUTION: Json = {"max_amount": 1000, "change_vout": 1}
"""An explicit contribution from the change: the build predicts no weight, only checks UTXOs."""

SIG = b"\x30" + bytes(70) + b"\x01"
"""A placeholder ECDSA signature of the usual 72 bytes (DER and sighash byte)."""
KEY = b"\x02" + bytes(32)
SCHNORR = bytes(64)


@dataclass(frozen=True)
class Coin:
    """One input of a crafted Original: the funding transaction, the spent vout, the PSBT map."""

    prev: Transaction
    vout: int
    psbtin: Input


def _funding(script_pubkey: bytes, tag: str, value: int = 200_000) -> Transaction:
    """A made-up transaction paying ``value`` to ``script_pubkey`` (its txid names the coin)."""
    source = TxIn(OutPoint(sha256(tag.encode()), 0))
    return Transaction(2, (source,), (TxOut(value, script_pubkey),), 0)


def coin(
    script_pubkey: bytes,
    tag: str,
    *,
    witness: tuple[bytes, ...] | None = (SIG, KEY),
    script_sig: bytes | None = None,
    redeem_script: bytes | None = None,
    value: int = 200_000,
) -> Coin:
    """A coin spending ``script_pubkey`` with a ``witness_utxo`` and the given final fields."""
    prev = _funding(script_pubkey, tag, value)
    psbtin = Input(
        witness_utxo=prev.outputs[0],
        final_script_witness=witness,
        final_script_sig=script_sig,
        redeem_script=redeem_script,
    )
    return Coin(prev, 0, psbtin)


def original(pay: Payment, coins: list[Coin]) -> Psbt:
    """``pay``'s Original (payee and change outputs) spending ``coins`` instead of its own."""
    tx = pay.original.unsigned_tx
    txins = tuple(TxIn(OutPoint(c.prev.txid(), c.vout), sequence=0xFFFF_FFFD) for c in coins)
    unsigned = replace(tx, inputs=txins)
    return Psbt(
        unsigned,
        inputs=tuple(c.psbtin for c in coins),
        outputs=tuple(Output() for _ in tx.outputs),
    )


def _p2wpkh(tag: str) -> bytes:
    return witness_script_pubkey(0, hash160(tag.encode()))


def _push(data: bytes) -> bytes:
    """A direct push (``OP_PUSHBYTES_n``) of at most 75 bytes."""
    if len(data) > 0x4B:
        raise ValueError("a direct push holds at most 75 bytes")
    return bytes((len(data),)) + data


def _p2sh_coin(tag: str, redeem: bytes, *, script_sig: bytes | None, field: bytes | None) -> Coin:
    """A P2SH coin of ``redeem``'s hash, finalized with ``script_sig`` (and the P2WPKH witness)."""
    spk = p2sh(hash160(redeem))
    return coin(spk, tag, script_sig=script_sig, redeem_script=field)


def _type_cases() -> list[tuple[str, list[Coin], list[str]]]:
    """(comment, coins, flags) of the first input's type and of a second input of another."""
    first = coin(_p2wpkh("first"), "first")
    p2wsh = witness_script_pubkey(0, sha256(b"p2wsh"))
    p2tr = witness_script_pubkey(1, sha256(b"p2tr"))
    p2a = bytes.fromhex("51024e73")
    bare = bytes.fromhex("21") + KEY + bytes.fromhex("ac")  # P2PK: no address type
    v0_25 = witness_script_pubkey(0, bytes(25))
    v1_20 = witness_script_pubkey(1, bytes(20))
    v2_p2a = witness_script_pubkey(2, bytes.fromhex("4e73"))
    t, c = ["OriginalInputType"], ["OriginalInputType", "InputWeightChoice"]
    return [
        ("a P2WSH input with a 2-item witness (priced from it)", [coin(p2wsh, "w")], c),
        ("a P2WSH input without a witness", [coin(p2wsh, "w", witness=None)], c),
        ("a P2TR input with a 64-byte key-path witness", [coin(p2tr, "t", witness=(SCHNORR,))],
         t),
        ("a P2TR input without a witness", [coin(p2tr, "t", witness=None)], c),
        ("a v0 witness program of 25 bytes (no address type), with a witness",
         [coin(v0_25, "v")], c),
        ("a v1 witness program of 20 bytes (unknown), with a witness", [coin(v1_20, "v")], c),
        ("a P2A input (an address type without a weight prediction)", [coin(p2a, "a")], c),
        ("a bare P2PK script (no address type)", [coin(bare, "b", witness=None)], c),
        ("an input without UTXO data", [replace(first, psbtin=Input())], c),
        ("a P2WPKH input and a P2TR one (mixed types)",
         [first, coin(p2tr, "t", witness=(SCHNORR,))], t),
        ("a P2WPKH input and a P2A one (mixed types)", [first, coin(p2a, "a")], c),
        ("a P2WPKH input and a second P2WPKH one (one type)", [first, coin(_p2wpkh("2"), "2")],
         t),
        ("a P2WPKH input and a v1 witness program of 20 bytes", [first, coin(v1_20, "v")], c),
        ("a P2WPKH input and a v2 program of P2A's two bytes", [first, coin(v2_p2a, "v")], c),
        ("a P2WPKH input and a v0 witness program of 25 bytes", [first, coin(v0_25, "v")], c),
        ("a P2WPKH input and a bare P2PK script", [first, coin(bare, "b", witness=None)], c),
        ("a P2WPKH input and one without UTXO data", [first, replace(first, psbtin=Input())],
         c),
        ("a P2WPKH input and one whose non_witness_utxo lacks the spent output",
         [first, _out_of_range(coin(_p2wpkh("2"), "2"))], c),
    ]  # fmt: skip


def _out_of_range(c: Coin) -> Coin:
    """``c`` spending vout = its funding transaction's output count, with only a
    ``non_witness_utxo`` (the spent output does not exist)."""
    return Coin(c.prev, len(c.prev.outputs), Input(non_witness_utxo=c.prev))


def _redeem_cases() -> list[tuple[str, list[Coin], list[str]]]:
    """(comment, coins, flags): P2SH inputs whose redeem script is found, or not. Only the
    minimal pushes of a P2WPKH redeem script are standard; the rest is payjoin 1.0's reading."""
    redeem = witness_script_pubkey(0, hash160(b"nested"))  # 22 bytes: 0014<20>
    n = len(redeem).to_bytes
    standard = {
        "a direct push of the P2WPKH redeem script": _push(redeem),
        "OP_0, a 72-byte push, then the redeem script": b"\x00" + _push(SIG) + _push(redeem),
    }
    other = {
        "a 75-byte push (OP_PUSHBYTES_75), then the redeem script": _push(bytes(75))
        + _push(redeem),
        "OP_PUSHDATA1 of the redeem script": b"\x4c" + n(1, "little") + redeem,
        "OP_PUSHDATA2 of the redeem script": b"\x4d" + n(2, "little") + redeem,
        "OP_PUSHDATA4 of the redeem script": b"\x4e" + n(4, "little") + redeem,
        "the redeem script, then OP_PUSHDATA1 of zero bytes ending the scriptSig": _push(redeem)
        + b"\x4c\x00",
        "a direct push one byte short of its length": _push(redeem)[:-1],
        "OP_PUSHDATA1 without its length byte": _push(redeem) + b"\x4c",
        "OP_PUSHDATA2 with one of its two length bytes": _push(redeem) + b"\x4d\x16",
        "OP_PUSHDATA4 with three of its four length bytes": _push(redeem) + b"\x4e\x16\x00\x00",
        "OP_PUSHDATA1 whose length runs past the end": _push(redeem) + b"\x4c\x17" + redeem,
        "the redeem script, then OP_1 (not a push)": _push(redeem) + b"\x51",
        "an empty scriptSig": b"",
    }
    r, c = ["RedeemScriptPush"], ["RedeemScriptPush", "InputWeightChoice"]
    cases = [
        (f"P2SH input, final scriptSig: {what}",
         [_p2sh_coin("p2sh", redeem, script_sig=sig, field=redeem)], r if what in standard else c)
        for what, sig in {**standard, **other}.items()
    ]  # fmt: skip
    p2wsh_redeem = witness_script_pubkey(0, sha256(b"nested"))
    cases += [
        ("P2SH input without a final scriptSig, the P2WPKH redeem script in its PSBT field",
         [_p2sh_coin("p2sh", redeem, script_sig=None, field=redeem)], r),
        ("P2SH input without a final scriptSig or a redeem script",
         [_p2sh_coin("p2sh", redeem, script_sig=None, field=None)], c),
        ("P2SH input whose redeem script is a P2WSH program",
         [_p2sh_coin("p2sh", p2wsh_redeem, script_sig=_push(p2wsh_redeem), field=None)], c),
    ]  # fmt: skip
    return cases


def _utxo_cases() -> list[tuple[str, list[Coin], list[str]]]:
    """(comment, coins, flags) of inputs whose UTXO fields agree or disagree."""
    good = coin(_p2wpkh("first"), "first")
    both = replace(good, psbtin=replace(good.psbtin, non_witness_utxo=good.prev))
    wrong_tx = replace(good, psbtin=Input(non_witness_utxo=_funding(_p2wpkh("first"), "other")))
    u = ["OriginalUtxoFields"]
    return [
        ("both UTXO fields, agreeing", [both], u),
        ("a witness_utxo that is not the non_witness_utxo's output", [_mismatch("first")], u),
        ("a non_witness_utxo without the spent output (vout = its output count)",
         [_out_of_range(good)], u),
        ("a non_witness_utxo of another transaction than the outpoint's", [wrong_tx], u),
        ("neither UTXO field", [replace(good, psbtin=Input())], u),
        ("a good first input, a second whose witness_utxo is not its non_witness_utxo's output",
         [good, _mismatch("second")], u),
    ]  # fmt: skip


def _mismatch(tag: str) -> Coin:
    """A coin with both UTXO fields whose ``witness_utxo`` value is one satoshi short."""
    c = coin(_p2wpkh(tag), tag)
    spent = c.prev.outputs[0]
    wrong = TxOut(spent.value - 1, spent.script_pubkey)
    return replace(c, psbtin=replace(c.psbtin, non_witness_utxo=c.prev, witness_utxo=wrong))


def cases(ids: CaseIds, client: Client, pay: Payment, pj_uri: str) -> list[Json]:
    """Every Original-input case, expected as the reference answers it."""
    out = []
    table: list[tuple[str, list[Coin], list[str], Json | None]] = [
        (c, coins, f, None) for c, coins, f in _type_cases() + _redeem_cases()
    ]
    table += [(c, coins, f, FEE_CONTRIBUTION) for c, coins, f in _utxo_cases()]
    for comment, coins, flags, contribution in table:
        psbt = original(pay, coins)
        args: Json = {"psbt": psbt.to_base64(), "pj_uri": pj_uri, "min_fee_rate": 1000}
        if contribution is not None:
            args["fee_contribution"] = contribution
        out.append(_case(ids, client, f"new_sender: {comment}", flags, args))
    return out


def _case(ids: CaseIds, client: Client, comment: str, flags: list[str], args: Json) -> Json:
    reply = client.call("session.new_sender", args)
    base: Json = {"tcId": ids(), "comment": comment, "flags": flags}
    if reply.kind == "error":
        kind = reply.value["kind"]
        case = {**base, "result": "invalid", "op": "session.new_sender", "args": args}
        case["error"] = {"kind": kind}
        return texts.with_text(case, kind, reply.value.get("message"))
    if reply.kind != "result":
        raise AssertionError(f"{comment}: the reference answered {reply}")
    client.call("session.drop", {"handle": reply.value["handle"]})
    expected = {"state": reply.value["state"]}
    return {**base, "result": "valid", "op": "session.new_sender", "args": args,
            "expected": expected}  # fmt: skip
