"""Transactions: ``OutPoint``, ``TxIn``, ``TxOut``, ``Transaction`` and their consensus encoding.

Immutable values, serialized exactly as rust-bitcoin 0.32 does: BIP 144 segwit serialization
whenever some input has a witness, *or the transaction has no inputs* (rust-bitcoin's rule to
keep a zero-input transaction unambiguous).
"""

from __future__ import annotations

from dataclasses import dataclass

from pjconf.reference.bitcoin.encoding import (
    Reader,
    compact_size,
    display_hex,
    from_display_hex,
    i32le,
    sha256d,
    u32le,
    u64le,
    var_bytes,
)
from pjconf.reference.errors import ParseError

SEQUENCE_FINAL = 0xFFFF_FFFF
MAX_MONEY = 21_000_000 * 100_000_000


@dataclass(frozen=True, slots=True)
class OutPoint:
    """A reference to an output: ``txid`` in internal (hash) byte order and its index."""

    txid: bytes
    vout: int

    def serialize(self) -> bytes:
        return self.txid + u32le(self.vout)

    @classmethod
    def read(cls, r: Reader) -> OutPoint:
        return cls(r.read(32), r.u32())

    def __str__(self) -> str:
        """``<txid display hex>:<vout>``, rust-bitcoin's Display and serde form."""
        return f"{display_hex(self.txid)}:{self.vout}"

    @classmethod
    def parse(cls, text: str) -> OutPoint:
        """Parse ``txid:vout`` like rust-bitcoin's ``OutPoint::from_str``."""
        txid_hex, sep, vout_text = text.partition(":")
        if not sep or ":" in vout_text:
            raise ParseError("InvalidOutPoint", f"{text!r} is not <txid>:<vout>")
        if len(txid_hex) != 64:
            raise ParseError("InvalidOutPoint", "the txid must be 64 hex characters")
        if not vout_text.isdigit() or not vout_text.isascii():
            raise ParseError("InvalidOutPoint", f"vout {vout_text!r} is not a decimal integer")
        if len(vout_text) > 1 and vout_text[0] == "0":
            raise ParseError("InvalidOutPoint", "vout has a leading zero")
        # Without leading zeros, 11 digits exceed u32: refused before Python converts them
        # (which it refuses itself past 4300 digits).
        vout = int(vout_text) if len(vout_text) <= 10 else 1 << 32
        if vout > 0xFFFF_FFFF:
            raise ParseError("InvalidOutPoint", "vout does not fit in 32 bits")
        return cls(from_display_hex(txid_hex), vout)


@dataclass(frozen=True, slots=True)
class TxOut:
    """An output: ``value`` in satoshis and its locking script."""

    value: int
    script_pubkey: bytes

    def serialize(self) -> bytes:
        return u64le(self.value) + var_bytes(self.script_pubkey)

    @classmethod
    def read(cls, r: Reader) -> TxOut:
        return cls(r.u64(), r.var_bytes())

    @classmethod
    def deserialize(cls, data: bytes) -> TxOut:
        """Exactly one ``TxOut``; trailing bytes are an error (rust-bitcoin ``deserialize``)."""
        r = Reader(data)
        out = cls.read(r)
        _expect_end(r)
        return out


@dataclass(frozen=True, slots=True)
class TxIn:
    """An input: the outpoint it spends, its scriptSig, nSequence and (segwit) witness stack."""

    previous_output: OutPoint
    script_sig: bytes = b""
    sequence: int = SEQUENCE_FINAL
    witness: tuple[bytes, ...] = ()

    def serialize(self) -> bytes:
        """The non-witness part (the witness goes after all outputs in BIP 144)."""
        return self.previous_output.serialize() + var_bytes(self.script_sig) + u32le(self.sequence)

    @classmethod
    def read(cls, r: Reader) -> TxIn:
        return cls(OutPoint.read(r), r.var_bytes(), r.u32())


def serialize_witness(stack: tuple[bytes, ...]) -> bytes:
    """``CompactSize(n) ‖ each element as var_bytes`` (rust-bitcoin ``Witness`` encoding)."""
    return compact_size(len(stack)) + b"".join(var_bytes(item) for item in stack)


def read_witness(r: Reader) -> tuple[bytes, ...]:
    return tuple(r.var_bytes() for _ in range(r.count(1)))


def deserialize_witness(data: bytes) -> tuple[bytes, ...]:
    """Exactly one witness stack (a PSBT ``final_script_witness`` value)."""
    r = Reader(data)
    stack = read_witness(r)
    _expect_end(r)
    return stack


@dataclass(frozen=True, slots=True)
class Transaction:
    """A transaction; ``version`` is signed (rust-bitcoin ``Version(i32)``)."""

    version: int
    inputs: tuple[TxIn, ...]
    outputs: tuple[TxOut, ...]
    lock_time: int

    @property
    def uses_segwit_serialization(self) -> bool:
        return not self.inputs or any(txin.witness for txin in self.inputs)

    def serialize_without_witness(self) -> bytes:
        """Legacy serialization: what the txid commits to and what a PSBT's unsigned tx holds."""
        return b"".join(
            (
                i32le(self.version),
                compact_size(len(self.inputs)),
                *(txin.serialize() for txin in self.inputs),
                compact_size(len(self.outputs)),
                *(txout.serialize() for txout in self.outputs),
                u32le(self.lock_time),
            )
        )

    def serialize(self) -> bytes:
        """Consensus serialization (BIP 144 when :attr:`uses_segwit_serialization`)."""
        if not self.uses_segwit_serialization:
            return self.serialize_without_witness()
        return b"".join(
            (
                i32le(self.version),
                b"\x00\x01",
                compact_size(len(self.inputs)),
                *(txin.serialize() for txin in self.inputs),
                compact_size(len(self.outputs)),
                *(txout.serialize() for txout in self.outputs),
                *(serialize_witness(txin.witness) for txin in self.inputs),
                u32le(self.lock_time),
            )
        )

    @classmethod
    def read(cls, r: Reader) -> Transaction:
        """Read one transaction, in either serialization (rust-bitcoin's decoding rules)."""
        version = r.i32()
        inputs = [TxIn.read(r) for _ in range(r.count(41))]
        if inputs:
            outputs = tuple(TxOut.read(r) for _ in range(r.count(9)))
            return cls(version, tuple(inputs), outputs, r.u32())
        flag = r.u8()
        if flag != 1:
            raise ParseError("UnsupportedSegwitFlag", f"segwit flag {flag} (only 1 is defined)")
        inputs = [TxIn.read(r) for _ in range(r.count(41))]
        outputs = tuple(TxOut.read(r) for _ in range(r.count(9)))
        witnesses = [read_witness(r) for _ in inputs]
        if inputs and not any(witnesses):
            raise ParseError("SuperfluousWitnessFlag", "witness flag set but no witnesses present")
        full = tuple(
            TxIn(txin.previous_output, txin.script_sig, txin.sequence, stack)
            for txin, stack in zip(inputs, witnesses, strict=True)
        )
        return cls(version, full, outputs, r.u32())

    @classmethod
    def deserialize(cls, data: bytes) -> Transaction:
        """Exactly one transaction; trailing bytes are a ``TrailingBytes`` error."""
        r = Reader(data)
        tx = cls.read(r)
        _expect_end(r)
        return tx

    def txid(self) -> bytes:
        """Transaction id in internal byte order (see :meth:`txid_hex` for display order)."""
        return sha256d(self.serialize_without_witness())

    def wtxid(self) -> bytes:
        """BIP 141 witness txid in internal byte order."""
        return sha256d(self.serialize())

    def txid_hex(self) -> str:
        return display_hex(self.txid())

    def wtxid_hex(self) -> str:
        return display_hex(self.wtxid())

    def base_size(self) -> int:
        return len(self.serialize_without_witness())

    def total_size(self) -> int:
        return len(self.serialize())

    def weight(self) -> int:
        """BIP 141 weight: ``3 * base size + total size``."""
        return 3 * self.base_size() + self.total_size()

    def vsize(self) -> int:
        """Virtual size, rounded up (rust-bitcoin ``Weight::to_vbytes_ceil``)."""
        return (self.weight() + 3) // 4


def _expect_end(r: Reader) -> None:
    if not r.at_end():
        raise ParseError("TrailingBytes", f"{r.remaining()} bytes left after the value")
