"""Addresses for mainnet, testnet, signet and regtest: base58check and bech32/bech32m.

An address is only a spelling of an output script; :func:`decode` gives the script and the
*kind* of network it was written for (testnet and signet share every prefix, so the kind is
``test`` for both, and regtest differs only in its bech32 HRP).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pjconf.reference.bitcoin import base58, bech32m
from pjconf.reference.bitcoin.script import (
    ScriptType,
    classify,
    p2pkh,
    p2sh,
    witness_program,
    witness_script_pubkey,
)
from pjconf.reference.errors import ParseError


class Network(enum.Enum):
    BITCOIN = "bitcoin"
    TESTNET = "testnet"
    SIGNET = "signet"
    REGTEST = "regtest"


_HRP = {
    Network.BITCOIN: "bc",
    Network.TESTNET: "tb",
    Network.SIGNET: "tb",
    Network.REGTEST: "bcrt",
}
_P2PKH_VERSION = {Network.BITCOIN: 0x00}
_P2SH_VERSION = {Network.BITCOIN: 0x05}
_TEST_P2PKH, _TEST_P2SH = 0x6F, 0xC4


def _versions(network: Network) -> tuple[int, int]:
    return _P2PKH_VERSION.get(network, _TEST_P2PKH), _P2SH_VERSION.get(network, _TEST_P2SH)


@dataclass(frozen=True, slots=True)
class Address:
    """A decoded address: its output script and the networks it is valid on."""

    script_pubkey: bytes
    networks: frozenset[Network]

    def is_valid_for(self, network: Network) -> bool:
        return network in self.networks


def encode(script_pubkey: bytes, network: Network) -> str:
    """The address of ``script_pubkey`` on ``network``.

    Raises ``ParseError('NoAddress')`` for scripts without one (OP_RETURN, bare multisig, a v0
    program that is neither 20 nor 32 bytes).
    """
    kind = classify(script_pubkey)
    p2pkh_version, p2sh_version = _versions(network)
    if kind is ScriptType.P2PKH:
        return base58.encode_check(bytes((p2pkh_version,)) + script_pubkey[3:23])
    if kind is ScriptType.P2SH:
        return base58.encode_check(bytes((p2sh_version,)) + script_pubkey[2:22])
    wp = witness_program(script_pubkey)
    if wp is not None and (wp.version > 0 or kind is not ScriptType.WITNESS_UNKNOWN):
        return bech32m.encode_segwit(_HRP[network], wp.version, wp.program)
    raise ParseError("NoAddress", "this output script has no address form")


def decode(text: str) -> Address:
    """Parse any network's address; check the network with :meth:`Address.is_valid_for`."""
    lowered = text.lower()
    for hrp, networks in (
        ("bc", frozenset({Network.BITCOIN})),
        ("tb", frozenset({Network.TESTNET, Network.SIGNET})),
        ("bcrt", frozenset({Network.REGTEST})),
    ):
        if lowered.startswith(hrp + "1"):
            _, version, program = bech32m.decode_segwit(text)
            return Address(witness_script_pubkey(version, program), networks)
    payload = base58.decode_check(text)
    if len(payload) != 21:
        raise ParseError("InvalidBase58PayloadLength", f"{len(payload)} bytes, expected 21")
    version, body = payload[0], payload[1:]
    if version == 0x00:
        return Address(p2pkh(body), frozenset({Network.BITCOIN}))
    if version == 0x05:
        return Address(p2sh(body), frozenset({Network.BITCOIN}))
    test = frozenset({Network.TESTNET, Network.SIGNET, Network.REGTEST})
    if version == _TEST_P2PKH:
        return Address(p2pkh(body), test)
    if version == _TEST_P2SH:
        return Address(p2sh(body), test)
    raise ParseError("InvalidAddressVersion", f"unknown base58 address version {version:#04x}")
