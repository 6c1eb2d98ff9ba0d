"""The generic HPKE core against pyhpke, an independent RFC 9180 implementation.

pyhpke has no secp256k1 KEM, so the comparison runs on the registered suites both implement:
DHKEM(X25519) and DHKEM(P-256) with HKDF-SHA256, every AEAD, all four modes. With the same
ephemeral key the two must agree byte for byte; with fresh ones each must open the other's.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from pyhpke import AEADId, CipherSuite, KDFId, KEMId

from pjconf.reference.crypto import hpke
from pjconf.reference.entropy import SeededRandom

KEMS = (0x0020, 0x0010)
AEADS = (0x0001, 0x0002, 0x0003, 0xFFFF)
CASES = list(itertools.product(KEMS, AEADS, hpke.Mode))
MESSAGES = [(b"Count-%d" % i, b"message %d" % i * (i + 1)) for i in range(3)]
EXPORTS = [(b"", 32), (b"\x00", 16), (b"TestContext", 100)]


def _ids(case: tuple[int, int, hpke.Mode]) -> str:
    kem, aead, mode = case
    return f"kem{kem:04x}-aead{aead:04x}-{mode.name.lower()}"


class Pair:
    """The same suite, keys, info and PSK on both implementations."""

    def __init__(self, kem: int, aead: int, mode: hpke.Mode) -> None:
        rng = SeededRandom(f"pyhpke/{kem}/{aead}/{mode}")
        self.mode = mode
        self.ours = hpke.cipher_suite(kem, 0x0001, aead)
        self.theirs = CipherSuite.new(KEMId(kem), KDFId(1), AEADId(aead))
        self.info = rng.random_bytes(21)
        self.psk = rng.random_bytes(32) if mode.uses_psk else b""
        self.psk_id = rng.random_bytes(9) if mode.uses_psk else b""
        self.ikm = {role: rng.random_bytes(32) for role in ("E", "R", "S")}
        self.keys = {role: self.ours.derive_key_pair(ikm) for role, ikm in self.ikm.items()}
        self.pairs = {role: self.theirs.kem.derive_key_pair(ikm) for role, ikm in self.ikm.items()}
        self.sk_s = self.keys["S"][0] if mode.uses_auth else None
        self.pk_s = self.keys["S"][1] if mode.uses_auth else None

    def their_sender(self, fixed: bool) -> tuple[bytes, Any]:
        return self.theirs.create_sender_context(
            self.pairs["R"].public_key,
            self.info,
            sks=self.pairs["S"].private_key if self.mode.uses_auth else None,
            psk=self.psk,
            psk_id=self.psk_id,
            eks=self.pairs["E"] if fixed else None,
        )

    def their_recipient(self, enc: bytes) -> Any:
        return self.theirs.create_recipient_context(
            enc,
            self.pairs["R"].private_key,
            self.info,
            pks=self.pairs["S"].public_key if self.mode.uses_auth else None,
            psk=self.psk,
            psk_id=self.psk_id,
        )

    def our_sender(self, fixed: bool) -> tuple[bytes, hpke.Context]:
        return self.ours.setup_sender(
            self.keys["R"][1],
            self.info,
            mode=self.mode,
            sk_s=self.sk_s,
            psk=self.psk,
            psk_id=self.psk_id,
            sk_e=self.keys["E"][0] if fixed else None,
            rng=SeededRandom("fresh ephemeral"),
        )

    def our_recipient(self, enc: bytes) -> hpke.Context:
        return self.ours.setup_recipient(
            enc,
            self.keys["R"][0],
            self.info,
            mode=self.mode,
            pk_s=self.pk_s,
            psk=self.psk,
            psk_id=self.psk_id,
        )


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_same_keys_and_schedule_with_a_fixed_ephemeral(case: tuple[int, int, hpke.Mode]) -> None:
    pair = Pair(*case)
    for role in "ERS":
        assert pair.keys[role][1] == pair.pairs[role].public_key.to_public_bytes()
    their_enc, theirs = pair.their_sender(fixed=True)
    our_enc, ours = pair.our_sender(fixed=True)
    assert our_enc == their_enc
    for context, length in EXPORTS:
        assert ours.export(context, length) == theirs.export(context, length)
    if pair.ours.aead.export_only:
        return
    for aad, pt in MESSAGES:
        assert ours.seal(aad, pt) == theirs.seal(pt, aad)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_each_opens_what_the_other_seals(case: tuple[int, int, hpke.Mode]) -> None:
    pair = Pair(*case)
    their_enc, their_sender = pair.their_sender(fixed=False)
    our_recipient = pair.our_recipient(their_enc)
    our_enc, our_sender = pair.our_sender(fixed=False)
    their_recipient = pair.their_recipient(our_enc)
    for context, length in EXPORTS:
        assert our_recipient.export(context, length) == their_sender.export(context, length)
        assert their_recipient.export(context, length) == our_sender.export(context, length)
    if pair.ours.aead.export_only:
        return
    for aad, pt in MESSAGES:
        assert our_recipient.open(aad, their_sender.seal(pt, aad)) == pt
        assert their_recipient.open(our_sender.seal(aad, pt), aad) == pt
