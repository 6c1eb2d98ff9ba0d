"""Cryptographic primitives: secp256k1, ElligatorSwift, and a generic RFC 9180 HPKE."""
