"""The pjconf reference implementation of Payjoin v2 (BIP 77).

Readable first, byte-exact with rust-payjoin 1.0 second, fast third. Every random draw and every
clock read goes through :mod:`pjconf.reference.entropy`, so a seed reproduces every byte.
"""
