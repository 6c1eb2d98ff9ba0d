"""Signature hashes: legacy (pre-segwit), BIP 143 (segwit v0) and BIP 341 (taproot key path).

These are what a signer commits to, so a test wallet that signs for real needs all three: legacy
for P2PKH, BIP 143 for P2WPKH and P2SH-P2WPKH, BIP 341 for P2TR. Each follows Bitcoin Core's
consensus code, quirks included (legacy ``SIGHASH_SINGLE`` without a matching output hashes to
the number one; arbitrary legacy hash types are reduced with ``& 0x1f``), because a verifier
runs that code, not the specifications' prose.
"""

from __future__ import annotations

from collections.abc import Sequence

from pjconf.reference.bitcoin.encoding import (
    compact_size,
    sha256,
    sha256d,
    tagged_hash,
    u32le,
    u64le,
    var_bytes,
)
from pjconf.reference.bitcoin.script import p2pkh
from pjconf.reference.bitcoin.tx import Transaction, TxIn, TxOut
from pjconf.reference.errors import InvalidArgument

SIGHASH_DEFAULT = 0x00
"""Taproot only: commits like ``SIGHASH_ALL`` and is written as a bare 64-byte signature."""
SIGHASH_ALL = 0x01
SIGHASH_NONE = 0x02
SIGHASH_SINGLE = 0x03
SIGHASH_ANYONECANPAY = 0x80

TAPROOT_SIGHASH_TYPES = frozenset({0x00, 0x01, 0x02, 0x03, 0x81, 0x82, 0x83})
"""The only hash types BIP 341 allows; any other makes a taproot signature invalid."""

OP_CODESEPARATOR = 0xAB
_OP_PUSHDATA1, _OP_PUSHDATA2, _OP_PUSHDATA4 = 0x4C, 0x4D, 0x4E
_ONE = (1).to_bytes(32, "little")
"""Core's legacy "hash" for ``SIGHASH_SINGLE`` without an output at the input's index."""
_MAX_U64 = 0xFFFF_FFFF_FFFF_FFFF


class SighashError(InvalidArgument):
    """A signature hash that cannot be computed: bad index, hash type or spent outputs."""


def _check_index(tx: Transaction, index: int) -> TxIn:
    if not 0 <= index < len(tx.inputs):
        raise SighashError(f"input index {index} out of range ({len(tx.inputs)} inputs)")
    return tx.inputs[index]


# --- legacy -----------------------------------------------------------------------------------


def _next_op(script: bytes, pc: int) -> tuple[int, int, bool]:
    """``(opcode, new pc, ok)`` as Core's ``GetScriptOp``: on a short push pc stops mid-way."""
    opcode = script[pc]
    pc += 1
    if opcode > _OP_PUSHDATA4:
        return opcode, pc, True
    if opcode < _OP_PUSHDATA1:
        size = opcode
    else:
        width = {_OP_PUSHDATA1: 1, _OP_PUSHDATA2: 2, _OP_PUSHDATA4: 4}[opcode]
        if len(script) - pc < width:
            return opcode, pc, False
        size = int.from_bytes(script[pc : pc + width], "little")
        pc += width
    if len(script) - pc < size:
        return opcode, pc, False
    return opcode, pc + size, True


def legacy_script_code(script: bytes) -> bytes:
    """The serialized scriptCode of a legacy sighash: every ``OP_CODESEPARATOR`` removed.

    Byte-exact with Core's ``CTransactionSignatureSerializer::SerializeScriptCode``, including
    its length prefix counting the whole script minus the separators even when a truncated push
    stops the walk early.
    """
    pieces: list[bytes] = []
    separators = 0
    start = pc = 0
    ok = True
    while ok and pc < len(script):
        opcode, end, ok = _next_op(script, pc)
        if ok and opcode == OP_CODESEPARATOR:
            pieces.append(script[start:pc])
            separators += 1
            start = end
        pc = end
    if start != len(script):
        pieces.append(script[start:pc])
    return compact_size(len(script) - separators) + b"".join(pieces)


def legacy_sighash(tx: Transaction, index: int, script_code: bytes, sighash_type: int) -> bytes:
    """The pre-segwit signature hash (Core ``SignatureHash`` with ``SigVersion::BASE``).

    ``script_code`` is the spent output's script (for P2PKH the scriptPubKey itself).
    ``sighash_type`` is the full 32-bit value appended to the preimage; any value is allowed,
    as in consensus, and a negative one is taken as its two's complement.
    """
    _check_index(tx, index)
    base = sighash_type & 0x1F
    anyone_can_pay = bool(sighash_type & SIGHASH_ANYONECANPAY)
    if base == SIGHASH_SINGLE and index >= len(tx.outputs):
        return _ONE
    positions = [index] if anyone_can_pay else list(range(len(tx.inputs)))
    code = legacy_script_code(script_code)
    parts = [u32le(tx.version), compact_size(len(positions))]
    for n in positions:
        txin = tx.inputs[n]
        sequence = txin.sequence
        if n != index and base in (SIGHASH_NONE, SIGHASH_SINGLE):
            sequence = 0
        parts += [
            txin.previous_output.serialize(),
            code if n == index else b"\x00",
            u32le(sequence),
        ]
    if base == SIGHASH_NONE:
        outputs: list[bytes] = []
    elif base == SIGHASH_SINGLE:
        blank = u64le(_MAX_U64) + b"\x00"  # CTxOut() serializes as value -1, empty script
        outputs = [blank] * index + [tx.outputs[index].serialize()]
    else:
        outputs = [o.serialize() for o in tx.outputs]
    parts += [compact_size(len(outputs)), *outputs, u32le(tx.lock_time), u32le(sighash_type)]
    return sha256d(b"".join(parts))


# --- BIP 143 ----------------------------------------------------------------------------------


def p2wpkh_script_code(pubkey_hash: bytes) -> bytes:
    """BIP 143's scriptCode for P2WPKH (and P2SH-P2WPKH): the P2PKH script of the key hash."""
    return p2pkh(pubkey_hash)


def segwit_v0_sighash(
    tx: Transaction, index: int, script_code: bytes, amount: int, sighash_type: int
) -> bytes:
    """BIP 143 signature hash for a version 0 witness program.

    ``script_code`` is given without its length prefix (see :func:`p2wpkh_script_code`);
    ``amount`` is the value of the spent output, which this digest commits to.
    """
    txin = _check_index(tx, index)
    base = sighash_type & 0x1F
    anyone_can_pay = bool(sighash_type & SIGHASH_ANYONECANPAY)
    zero = bytes(32)
    hash_prevouts = hash_sequence = hash_outputs = zero
    if not anyone_can_pay:
        hash_prevouts = sha256d(b"".join(i.previous_output.serialize() for i in tx.inputs))
        if base not in (SIGHASH_SINGLE, SIGHASH_NONE):
            hash_sequence = sha256d(b"".join(u32le(i.sequence) for i in tx.inputs))
    if base not in (SIGHASH_SINGLE, SIGHASH_NONE):
        hash_outputs = sha256d(b"".join(o.serialize() for o in tx.outputs))
    elif base == SIGHASH_SINGLE and index < len(tx.outputs):
        hash_outputs = sha256d(tx.outputs[index].serialize())
    preimage = b"".join(
        (
            u32le(tx.version),
            hash_prevouts,
            hash_sequence,
            txin.previous_output.serialize(),
            var_bytes(script_code),
            u64le(amount),
            u32le(txin.sequence),
            hash_outputs,
            u32le(tx.lock_time),
            u32le(sighash_type),
        )
    )
    return sha256d(preimage)


# --- BIP 341 ----------------------------------------------------------------------------------


def taproot_sig_msg(
    tx: Transaction,
    index: int,
    spent_outputs: Sequence[TxOut],
    sighash_type: int = SIGHASH_DEFAULT,
    *,
    annex: bytes | None = None,
) -> bytes:
    """BIP 341's ``SigMsg(hash_type, ext_flag=0)`` for a key-path spend.

    ``spent_outputs`` are the outputs every input spends, in input order: BIP 341 commits to
    all their amounts and scripts (unless ``ANYONECANPAY``), so one wrong amount anywhere
    invalidates the signature.
    """
    txin = _check_index(tx, index)
    if sighash_type not in TAPROOT_SIGHASH_TYPES:
        raise SighashError(f"{sighash_type:#x} is not a taproot sighash type")
    if len(spent_outputs) != len(tx.inputs):
        raise SighashError(f"{len(spent_outputs)} spent outputs given for {len(tx.inputs)} inputs")
    if annex is not None and annex[:1] != b"\x50":
        raise SighashError("an annex must start with 0x50")
    base = sighash_type & 0x03
    anyone_can_pay = bool(sighash_type & SIGHASH_ANYONECANPAY)
    parts = [bytes((sighash_type,)), u32le(tx.version), u32le(tx.lock_time)]
    if not anyone_can_pay:
        parts += [
            sha256(b"".join(i.previous_output.serialize() for i in tx.inputs)),
            sha256(b"".join(u64le(o.value) for o in spent_outputs)),
            sha256(b"".join(var_bytes(o.script_pubkey) for o in spent_outputs)),
            sha256(b"".join(u32le(i.sequence) for i in tx.inputs)),
        ]
    if base not in (SIGHASH_NONE, SIGHASH_SINGLE):
        parts.append(sha256(b"".join(o.serialize() for o in tx.outputs)))
    parts.append(bytes((1 if annex is not None else 0,)))  # spend_type: ext_flag 0, annex bit
    if anyone_can_pay:
        spent = spent_outputs[index]
        parts += [
            txin.previous_output.serialize(),
            u64le(spent.value),
            var_bytes(spent.script_pubkey),
            u32le(txin.sequence),
        ]
    else:
        parts.append(u32le(index))
    if annex is not None:
        parts.append(sha256(var_bytes(annex)))
    if base == SIGHASH_SINGLE:
        if index >= len(tx.outputs):
            raise SighashError(f"SIGHASH_SINGLE for input {index} without a matching output")
        parts.append(sha256(tx.outputs[index].serialize()))
    return b"".join(parts)


def taproot_sighash(
    tx: Transaction,
    index: int,
    spent_outputs: Sequence[TxOut],
    sighash_type: int = SIGHASH_DEFAULT,
    *,
    annex: bytes | None = None,
) -> bytes:
    """BIP 341 key-path signature hash: ``TaggedHash("TapSighash", 0x00 ‖ SigMsg)``."""
    msg = taproot_sig_msg(tx, index, spent_outputs, sighash_type, annex=annex)
    return tagged_hash("TapSighash", b"\x00" + msg)
