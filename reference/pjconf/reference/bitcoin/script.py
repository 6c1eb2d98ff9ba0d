"""Output script classification, with rust-bitcoin 0.32's exact template rules.

Only standard *output* templates are recognised; anything else is ``ScriptType.OTHER``. Witness
programs follow rust-bitcoin's ``Script::witness_version``: a version opcode (``OP_0`` or
``OP_1``-``OP_16``) followed by one direct push of 2-40 bytes that ends the script.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

OP_0 = 0x00
OP_PUSHBYTES_2 = 0x02
OP_PUSHBYTES_20 = 0x14
OP_PUSHBYTES_32 = 0x20
OP_PUSHBYTES_40 = 0x28
OP_1 = 0x51
OP_16 = 0x60
OP_RETURN = 0x6A
OP_DUP = 0x76
OP_EQUAL = 0x87
OP_EQUALVERIFY = 0x88
OP_HASH160 = 0xA9
OP_CHECKSIG = 0xAC


class ScriptType(enum.Enum):
    P2PKH = "p2pkh"
    P2SH = "p2sh"
    P2WPKH = "p2wpkh"
    P2WSH = "p2wsh"
    P2TR = "p2tr"
    WITNESS_UNKNOWN = "witness_unknown"
    """A witness program of a version (or v0 length) with no defined meaning yet."""
    OP_RETURN = "op_return"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class WitnessProgram:
    version: int
    program: bytes


def witness_program(script: bytes) -> WitnessProgram | None:
    """The witness version and program of ``script``, or ``None`` if it is not one."""
    if not 4 <= len(script) <= 42:
        return None
    push = script[1]
    if not OP_PUSHBYTES_2 <= push <= OP_PUSHBYTES_40 or len(script) - 2 != push:
        return None
    opcode = script[0]
    if opcode == OP_0:
        version = 0
    elif OP_1 <= opcode <= OP_16:
        version = opcode - OP_1 + 1
    else:
        return None
    return WitnessProgram(version, script[2:])


def is_p2pkh(script: bytes) -> bool:
    return (
        len(script) == 25
        and script[:3] == bytes((OP_DUP, OP_HASH160, OP_PUSHBYTES_20))
        and script[23:] == bytes((OP_EQUALVERIFY, OP_CHECKSIG))
    )


def is_p2sh(script: bytes) -> bool:
    return (
        len(script) == 23
        and script[:2] == bytes((OP_HASH160, OP_PUSHBYTES_20))
        and script[22] == OP_EQUAL
    )


def classify(script: bytes) -> ScriptType:
    """The output template of ``script``."""
    if is_p2pkh(script):
        return ScriptType.P2PKH
    if is_p2sh(script):
        return ScriptType.P2SH
    wp = witness_program(script)
    if wp is not None:
        if wp.version == 0 and len(wp.program) == 20:
            return ScriptType.P2WPKH
        if wp.version == 0 and len(wp.program) == 32:
            return ScriptType.P2WSH
        if wp.version == 1 and len(wp.program) == 32:
            return ScriptType.P2TR
        return ScriptType.WITNESS_UNKNOWN
    if script[:1] == bytes((OP_RETURN,)):
        return ScriptType.OP_RETURN
    return ScriptType.OTHER


def p2pkh(key_hash: bytes) -> bytes:
    return (
        bytes((OP_DUP, OP_HASH160, OP_PUSHBYTES_20))
        + key_hash
        + bytes((OP_EQUALVERIFY, OP_CHECKSIG))
    )


def p2sh(script_hash: bytes) -> bytes:
    return bytes((OP_HASH160, OP_PUSHBYTES_20)) + script_hash + bytes((OP_EQUAL,))


def witness_script_pubkey(version: int, program: bytes) -> bytes:
    """``OP_version ‖ push(program)`` for a segwit output."""
    opcode = OP_0 if version == 0 else OP_1 + version - 1
    return bytes((opcode, len(program))) + program
