"""The reference implementation behind the adapter protocol: one handler per op.

This package is to the reference what ``adapters/rust-payjoin`` is to the crate: an
implementation under test as any other, reached by the harness only through the protocol.
"""
