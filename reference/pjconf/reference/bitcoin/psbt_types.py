"""Leaf values of a PSBT (keys, signatures, key origins, taproot structures) and their checks.

Each type validates what rust-bitcoin 0.32 validates when it decodes the same bytes, and
serializes to rust-bitcoin's canonical bytes. ``sort_key`` gives rust-bitcoin's ``Ord`` for the
types it keeps in ``BTreeMap`` keys, because map order *is* the serialized order.
"""

from __future__ import annotations

from dataclasses import dataclass

from btclib_secp256k1 import keys

from pjconf.reference.bitcoin import base58
from pjconf.reference.bitcoin.encoding import Reader, compact_size, tagged_hash, u32le
from pjconf.reference.errors import ParseError

HARDENED = 0x8000_0000
TAPSCRIPT_LEAF_VERSION = 0xC0
ECDSA_SIGHASH_TYPES = {
    0x01: "SIGHASH_ALL",
    0x02: "SIGHASH_NONE",
    0x03: "SIGHASH_SINGLE",
    0x81: "SIGHASH_ALL|SIGHASH_ANYONECANPAY",
    0x82: "SIGHASH_NONE|SIGHASH_ANYONECANPAY",
    0x83: "SIGHASH_SINGLE|SIGHASH_ANYONECANPAY",
}
TAP_SIGHASH_TYPES = {0x00: "SIGHASH_DEFAULT", **ECDSA_SIGHASH_TYPES}
_CURVE_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


class PsbtError(ParseError):
    """A PSBT rust-bitcoin would refuse; ``path`` names the place (``inputs[2].witness_utxo``)."""

    def __init__(self, reason: str, path: str, message: str) -> None:
        super().__init__(reason, f"{path}: {message}" if path else message)
        self.path = path


def fail(reason: str, message: str) -> ParseError:
    """A leaf error without a place; the map parser adds the path when it re-raises."""
    return ParseError(reason, message)


# --- keys -------------------------------------------------------------------------------------


def compressed_form(data: bytes) -> bytes:
    """The 33-byte form of a valid 33- or 65-byte key (libsecp256k1 ``ec_pubkey_parse``)."""
    if len(data) not in (33, 65):
        raise fail("InvalidPublicKey", f"public key of {len(data)} bytes")
    try:
        point = keys.parse(data)
    except ValueError:
        raise fail("InvalidPublicKey", "not a valid secp256k1 public key") from None
    if len(data) == 33:
        return data
    return bytes(keys.serialize(point, compressed=True))


def check_bitcoin_public_key(data: bytes) -> None:
    """rust-bitcoin ``PublicKey::from_slice``: 33 bytes compressed or 65 bytes starting 0x04."""
    if len(data) == 65 and data[0] != 0x04:
        raise fail("InvalidPublicKey", f"uncompressed key prefix {data[0]:#04x}")
    compressed_form(data)


def bitcoin_key_sort_key(data: bytes) -> tuple[bool, bytes]:
    """rust-bitcoin ``PublicKey``'s derived ``Ord``: uncompressed keys first, then the point."""
    if len(data) == 33:
        return (True, data)  # already the compressed form; validated where it was parsed
    return (False, compressed_form(data))


def check_xonly(data: bytes) -> None:
    if len(data) != 32:
        raise fail("InvalidXOnlyPublicKey", f"x-only key of {len(data)} bytes")
    try:
        keys.parse(b"\x02" + data)
    except ValueError:
        raise fail("InvalidXOnlyPublicKey", "not the x coordinate of a curve point") from None


# --- signatures -------------------------------------------------------------------------------


def _der_int(r: Reader) -> int:
    if r.u8() != 0x02:
        raise fail("InvalidEcdsaSignature", "DER integer tag expected")
    length = r.u8()
    if length == 0 or length > 33:
        raise fail("InvalidEcdsaSignature", "DER integer length out of range")
    body = r.read(length)
    if body[0] & 0x80:
        raise fail("InvalidEcdsaSignature", "negative DER integer")
    if length > 1 and body[0] == 0 and not body[1] & 0x80:
        raise fail("InvalidEcdsaSignature", "DER integer with excess zero padding")
    value = int.from_bytes(body, "big")
    if value >= _CURVE_N:
        raise fail("InvalidEcdsaSignature", "DER integer not below the group order")
    return value


def _der_encode_int(value: int) -> bytes:
    body = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    if body[0] & 0x80:
        body = b"\x00" + body
    return bytes((0x02, len(body))) + body


@dataclass(frozen=True, slots=True)
class EcdsaSignature:
    """rust-bitcoin ``ecdsa::Signature``: a strict-DER signature and a *standard* sighash type."""

    der: bytes
    sighash_type: int

    def serialize(self) -> bytes:
        return self.der + bytes((self.sighash_type,))

    @classmethod
    def parse(cls, data: bytes) -> EcdsaSignature:
        if not data:
            raise fail("InvalidEcdsaSignature", "empty signature")
        sighash = data[-1]
        if sighash not in ECDSA_SIGHASH_TYPES:
            raise fail("NonStandardSighashType", f"sighash type {sighash:#x}")
        return cls(check_der(data[:-1]), sighash)


def check_der(der: bytes) -> bytes:
    """A strict-DER ``(r, s)`` signature, returned unchanged (it is already canonical)."""
    r = Reader(der)
    try:
        if r.u8() != 0x30:
            raise fail("InvalidEcdsaSignature", "DER sequence tag expected")
        length = r.u8()
        if length != r.remaining():
            raise fail("InvalidEcdsaSignature", "DER sequence length mismatch")
        rv, sv = _der_int(r), _der_int(r)
    except ParseError as e:
        if e.reason == "UnexpectedEnd":
            raise fail("InvalidEcdsaSignature", "truncated DER signature") from None
        raise
    if not r.at_end():
        raise fail("InvalidEcdsaSignature", "bytes after the DER signature")
    body = _der_encode_int(rv) + _der_encode_int(sv)
    if bytes((0x30, len(body))) + body != der:  # pragma: no cover - the checks above imply it
        raise fail("InvalidEcdsaSignature", "non-canonical DER")
    return der


@dataclass(frozen=True, slots=True)
class TaprootSignature:
    """rust-bitcoin ``taproot::Signature``: 64 bytes, plus a sighash byte unless it is DEFAULT."""

    signature: bytes
    sighash_type: int = 0

    def serialize(self) -> bytes:
        if self.sighash_type == 0:
            return self.signature
        return self.signature + bytes((self.sighash_type,))

    @classmethod
    def parse(cls, data: bytes) -> TaprootSignature:
        if len(data) == 64:
            return cls(data, 0)
        if len(data) == 65:
            if data[64] not in TAP_SIGHASH_TYPES:
                raise fail("NonStandardSighashType", f"taproot sighash type {data[64]:#x}")
            return cls(data[:64], data[64])
        raise fail("InvalidTaprootSignature", f"taproot signature of {len(data)} bytes")


# --- key origins ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeySource:
    """``(master fingerprint, derivation path)``; path elements are raw u32 (hardened bit set)."""

    fingerprint: bytes
    path: tuple[int, ...]

    def serialize(self) -> bytes:
        return self.fingerprint + b"".join(u32le(i) for i in self.path)

    @classmethod
    def parse(cls, data: bytes) -> KeySource:
        if len(data) < 4 or len(data) % 4:
            raise fail("InvalidKeySource", f"key origin of {len(data)} bytes")
        r = Reader(data, 4)
        return cls(data[:4], tuple(r.u32() for _ in range(len(data) // 4 - 1)))

    def path_str(self) -> str:
        """rust-bitcoin's ``DerivationPath`` Display: ``84'/0'/0'/0/1``, no ``m/``."""
        return "/".join(f"{i - HARDENED}'" if i >= HARDENED else str(i) for i in self.path)


def parse_path(text: str) -> tuple[int, ...]:
    """rust-bitcoin ``DerivationPath::from_str`` (``m/`` optional, ``'`` or ``h`` hardens)."""
    if text in ("", "m", "m/"):
        return ()
    text = text.removeprefix("m/")
    out = []
    for part in text.split("/"):
        hardened = part[-1:] in ("'", "h")
        digits = part[:-1] if hardened else part
        # Rust's u32::from_str: optional '+', then ASCII digits.
        body = digits[1:] if digits.startswith("+") else digits
        if not body or not body.isascii() or not body.isdigit():
            raise fail("InvalidChildNumber", f"{part!r} is not a child number")
        # More than 10 significant digits overflow a u32 (leading zeros are fine): not converted,
        # as Python refuses to convert more than 4300.
        significant = body.lstrip("0") or "0"
        index = int(significant) if len(significant) <= 10 else HARDENED
        if index >= HARDENED:
            raise fail("InvalidChildNumber", f"{part!r} is out of range")
        out.append(index + HARDENED if hardened else index)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Xpub:
    """A BIP 32 extended public key, kept as its 78 encoded bytes (already validated)."""

    encoded: bytes

    @classmethod
    def parse(cls, data: bytes) -> Xpub:
        if len(data) != 78:
            raise fail("InvalidXpub", f"extended key of {len(data)} bytes")
        if data[:4] not in (MAINNET_XPUB, TESTNET_XPUB):
            raise fail("InvalidXpub", f"unknown version bytes {data[:4].hex()}")
        if data[45] not in (2, 3):
            raise fail("InvalidXpub", "the public key is not compressed")
        compressed_form(data[45:78])
        return cls(data)

    def sort_key(self) -> tuple[bool, int, bytes, tuple[bool, int], bytes, bytes]:
        """rust-bitcoin ``Xpub``'s derived ``Ord``: network, depth, parent, child, key, chain."""
        child = int.from_bytes(self.encoded[9:13], "big")
        return (
            self.encoded[:4] == TESTNET_XPUB,
            self.encoded[4],
            self.encoded[5:9],
            (child >= HARDENED, child & ~HARDENED),
            self.encoded[45:78],
            self.encoded[13:45],
        )

    def to_base58(self) -> str:
        return base58.encode_check(self.encoded)

    @classmethod
    def from_base58(cls, text: str) -> Xpub:
        return cls.parse(base58.decode_check(text))


MAINNET_XPUB = bytes.fromhex("0488b21e")
TESTNET_XPUB = bytes.fromhex("043587cf")


# --- raw keys ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class RawKey:
    """A key rust-bitcoin does not model: ``type_value`` (one byte) and the key data."""

    type_value: int
    key: bytes


@dataclass(frozen=True, slots=True, order=True)
class ProprietaryKey:
    """A ``0xFC`` key: ``var_bytes(prefix) ‖ subtype ‖ key`` (ordered as rust-bitcoin orders it)."""

    prefix: bytes
    subtype: int
    key: bytes

    def to_key_data(self) -> bytes:
        return compact_size(len(self.prefix)) + self.prefix + bytes((self.subtype,)) + self.key

    @classmethod
    def parse(cls, data: bytes) -> ProprietaryKey:
        r = Reader(data)
        prefix = r.var_bytes()
        subtype = r.u8()
        key = data[r.pos :]
        if len(key) > 1024:
            raise fail("InvalidProprietaryKey", "proprietary key data over 1024 bytes")
        return cls(prefix, subtype, key)


# --- taproot ----------------------------------------------------------------------------------


def check_leaf_version(version: int) -> None:
    """rust-bitcoin ``LeafVersion::from_consensus``: even, and not the annex tag 0x50."""
    if version & 1 or version == 0x50:
        raise fail("InvalidLeafVersion", f"leaf version {version:#04x}")


def leaf_version_sort_key(version: int) -> tuple[int, int]:
    """``LeafVersion``'s derived Ord: ``TapScript`` (0xc0) before every ``Future(v)``."""
    return (0, 0) if version == TAPSCRIPT_LEAF_VERSION else (1, version)


@dataclass(frozen=True, slots=True)
class ControlBlock:
    """A BIP 341 control block (key of ``PSBT_IN_TAP_LEAF_SCRIPT``)."""

    leaf_version: int
    output_key_parity: int
    internal_key: bytes
    merkle_branch: tuple[bytes, ...]

    def serialize(self) -> bytes:
        first = self.leaf_version | self.output_key_parity
        return bytes((first,)) + self.internal_key + b"".join(self.merkle_branch)

    @classmethod
    def parse(cls, data: bytes) -> ControlBlock:
        if len(data) < 33 or (len(data) - 33) % 32 or (len(data) - 33) // 32 > 128:
            raise fail("InvalidControlBlock", f"control block of {len(data)} bytes")
        check_leaf_version(data[0] & 0xFE)
        try:
            check_xonly(data[1:33])
        except ParseError:
            raise fail("InvalidControlBlock", "invalid internal key") from None
        branch = tuple(data[i : i + 32] for i in range(33, len(data), 32))
        return cls(data[0] & 0xFE, data[0] & 1, data[1:33], branch)

    def sort_key(self) -> tuple[tuple[int, int], int, bytes, tuple[bytes, ...]]:
        return (
            leaf_version_sort_key(self.leaf_version),
            self.output_key_parity,
            self.internal_key,
            self.merkle_branch,
        )


@dataclass(frozen=True, slots=True)
class TapLeaf:
    """One script leaf of a ``TapTree``: its depth, leaf version and script."""

    depth: int
    leaf_version: int
    script: bytes


def tapleaf_hash(script: bytes, leaf_version: int) -> bytes:
    return tagged_hash("TapLeaf", bytes((leaf_version,)) + compact_size(len(script)) + script)


@dataclass(frozen=True, slots=True)
class TapTree:
    """A complete taproot script tree, leaves in rust-bitcoin's order (:func:`build_tap_tree`)."""

    leaves: tuple[TapLeaf, ...]

    def serialize(self) -> bytes:
        return b"".join(
            bytes((leaf.depth, leaf.leaf_version)) + compact_size(len(leaf.script)) + leaf.script
            for leaf in self.leaves
        )

    @classmethod
    def parse(cls, data: bytes) -> TapTree:
        r = Reader(data)
        leaves = []
        while not r.at_end():
            depth = r.u8()
            if r.at_end():
                raise fail("InvalidTapTree", "a leaf without its version")
            version = r.u8()
            leaves.append((depth, version, r.var_bytes()))
        return build_tap_tree(leaves)


_Node = tuple[bytes, list[TapLeaf]]


def build_tap_tree(leaves: list[tuple[int, int, bytes]]) -> TapTree:
    """rust-bitcoin's ``TaprootBuilder``: leaves given in DFS order, combined by hash order.

    Combining two nodes puts the one with the smaller hash first, so the leaf order of the built
    tree (the order it serializes in) can differ from the order given.
    """
    branch: list[_Node | None] = []
    for leaf_depth, version, script in leaves:
        depth = leaf_depth
        check_leaf_version(version)
        if depth > 128:
            raise fail("InvalidTapTree", f"leaf depth {depth} exceeds 128")
        if depth + 1 < len(branch):
            raise fail("InvalidTapTree", "leaves are not in DFS order")
        node: _Node = (tapleaf_hash(script, version), [TapLeaf(0, version, script)])
        while len(branch) == depth + 1:
            child = branch.pop()
            if child is None:
                branch.append(None)
                break
            if depth == 0:
                raise fail("InvalidTapTree", "over-complete tree")
            node = _combine(node, child)
            depth -= 1
        while len(branch) < depth + 1:
            branch.append(None)
        branch[depth] = node
    if len(branch) != 1 or branch[0] is None:
        raise fail("InvalidTapTree", "incomplete taproot tree")
    return TapTree(tuple(branch[0][1]))


def _combine(a: _Node, b: _Node) -> _Node:
    (ha, la), (hb, lb) = a, b
    if not ha < hb:
        (ha, la), (hb, lb) = (hb, lb), (ha, la)
    merged = [TapLeaf(x.depth + 1, x.leaf_version, x.script) for x in la + lb]
    if any(x.depth > 128 for x in merged):
        raise fail("InvalidTapTree", "merkle branch longer than 128")
    return tagged_hash("TapBranch", ha + hb), merged


# --- hashes -----------------------------------------------------------------------------------

PREIMAGE_HASHES = {
    0x0A: ("ripemd160_preimages", 20),
    0x0B: ("sha256_preimages", 32),
    0x0C: ("hash160_preimages", 20),
    0x0D: ("hash256_preimages", 32),
}
