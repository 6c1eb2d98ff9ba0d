"""Fixed inputs shared by several vector families: named test keys and BIP 78's example PSBTs.

Test keys are ``SHA-256("BIP77 test " + name)``, the derivation the research vectors in
``shared/spec/bip77-derived-vectors.json`` use, so the two corpora can be compared value for value.
"""

from __future__ import annotations

import base64
import hashlib

from pjconf.reference.crypto.secp256k1 import KeyPair


def named_key(name: str) -> KeyPair:
    """The key pair named ``name`` in every pjconf vector file."""
    return KeyPair.from_secret(hashlib.sha256(b"BIP77 test " + name.encode()).digest())


# BIP 78's test vector "Original PSBT" (also rust-payjoin's ``ORIGINAL_PSBT`` test constant).
BIP78_ORIGINAL_PSBT_BASE64 = (
    "cHNidP8BAHMCAAAAAY8nutGgJdyYGXWiBEb45Hoe9lWGbkxh/6bNiOJdCDuDAAAAAAD+////AtyVuAUAAAAAF6kU"
    "HehJ8GnSdBUOOv6ujXLrWmsJRDCHgIQeAAAAAAAXqRR3QJbbz0hnQ8IvQ0fptGn+votneofTAAAAAAEBIKgb1wUA"
    "AAAAF6kU3k4ekGHKWRNbA1rV5tR5kEVDVNCHAQcXFgAUx4pFclNVgo1WWAdN1SYNX8tphTABCGsCRzBEAiB8Q+A6"
    "dep+Rz92vhy26lT0AjZn4PRLi8Bf9qoB/CMk0wIgP/Rj2PWZ3gEjUkTlhDRNAQ0gXwTO7t9n+V14pZ6oljUBIQMV"
    "msAaoNWHVMS02LfTSe0e388LNitPa1UQZyOihY+FFgABABYAFEb2Giu6c4KO5YW0pfw3lGp9jMUUAAA="
)

# BIP 78's test vector "Payjoin proposal" (rust-payjoin's ``PAYJOIN_PROPOSAL``).
BIP78_PROPOSAL_PSBT_BASE64 = (
    "cHNidP8BAJwCAAAAAo8nutGgJdyYGXWiBEb45Hoe9lWGbkxh/6bNiOJdCDuDAAAAAAD+////jye60aAl3JgZdaIE"
    "Rvjkeh72VYZuTGH/ps2I4l0IO4MBAAAAAP7///8CJpW4BQAAAAAXqRQd6EnwadJ0FQ46/q6NcutaawlEMIcACT0A"
    "AAAAABepFHdAltvPSGdDwi9DR+m0af6+i2d6h9MAAAAAAQEgqBvXBQAAAAAXqRTeTh6QYcpZE1sDWtXm1HmQRUNU"
    "0IcAAQEggIQeAAAAAAAXqRTI8sv5ymFHLIjkZNRrNXSEXZHY1YcBBxcWABRfgGZV5ZJMkgTC1RvlOU9L+e2iEAEI"
    "awJHMEQCIGe7e0DfJaVPRYEKWxddL2Pr0G37BoKz0lyNa02O2/tWAiB7ZVgBoF4s8MHocYWWmo4Q1cyV2wl7MX0a"
    "zlqa8NBENAEhAmXWPPW0G3yE3HajBOb7gO7iKzHSmZ0o0w0iONowcV+tAAAA"
)

BIP78_PROPOSAL_PSBT = base64.b64decode(BIP78_PROPOSAL_PSBT_BASE64)

SERIALIZED_BODY_V2 = (BIP78_ORIGINAL_PSBT_BASE64 + "\nv=2").encode()
"""What rust-payjoin's ``test_serialize_v2`` pins as the body of message A (436 bytes)."""
