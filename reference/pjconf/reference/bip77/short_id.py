"""Mailbox ShortIds: the first 8 bytes of SHA-256 of a compressed public key (BIP 77).

A ShortId is the one path segment of a mailbox URL, written as 13 upper-case bech32 characters
with no HRP, separator or checksum. Parsing follows rust-payjoin's ``ShortId::from_str``, which
decodes ``"ID1" + text`` with the lenient no-checksum decoder and keeps the bytes only if there
are exactly 8. That leniency makes aliases (:func:`parse_short_id` documents them); a directory
should address mailboxes by the canonical :func:`format_short_id` text.
"""

from __future__ import annotations

import hashlib

from pjconf.reference.bip77 import bech32
from pjconf.reference.crypto.secp256k1 import compress
from pjconf.reference.errors import ParseError

SHORT_ID_SIZE = 8
SHORT_ID_TEXT_LENGTH = 13
"""64 bits in 5-bit characters: 12 full characters and one carrying 4 bits plus a padding bit."""

_PREFIX = "ID1"


def short_id(pk: bytes) -> bytes:
    """The ShortId of a public key given in either form (it is always hashed compressed).

    Raises :class:`~pjconf.reference.errors.InvalidKey` for bytes that are not a valid key.
    """
    return hashlib.sha256(compress(pk)).digest()[:SHORT_ID_SIZE]


def format_short_id(short: bytes) -> str:
    """The canonical text of a ShortId: 13 upper-case bech32 characters."""
    if len(short) != SHORT_ID_SIZE:
        raise ParseError("IncorrectLength", f"a ShortId is 8 bytes, got {len(short)}")
    return bech32.encode_upper("ID", short)[len(_PREFIX) :]


def parse_short_id(text: str) -> bytes:
    """Decode ShortId text exactly as rust-payjoin's ``ShortId::from_str`` does.

    Accepted beyond the canonical form (pinned by the ``ShortIdAlias`` vectors):

    - the padding bit of the 13th character is ignored (``TXJCGKTKXLUUR`` = ``TXJCGKTKXLUUZ``);
    - a 14th character is dropped with its bits (``TXJCGKTKXLUUZQ`` = ``TXJCGKTKXLUUZ``);
    - anything up to a ``1`` is taken as part of the ignored HRP (``X1TXJCGKTKXLUUZ``).

    Lower-case text fails (``MixedCase`` against the upper-case ``ID1``), as do invalid
    characters and any length that does not decode to exactly 8 bytes (``IncorrectLength``).
    """
    _hrp, data = bech32.decode(_PREFIX + text)
    if len(data) != SHORT_ID_SIZE:
        raise ParseError("IncorrectLength", f"ShortId text decodes to {len(data)} bytes, not 8")
    return data
