"""Comparing error texts: payjoin 1.0's messages, with the payloads the reference elides.

payjoin 1.0's replay errors print whole events with ``Debug`` (a PSBT runs to kilobytes); the
reference writes such a payload as ``{ .. }``. An expected text matches a reported one when they
are equal once each ``{ .. }`` of the expected text is read as one balanced ``{…}`` of the
reported one (braces inside quoted strings do not count).
"""

from __future__ import annotations

ELIDED = "{ .. }"


def text_matches(expected: object, got: object) -> bool:
    """``got`` is ``expected``, each elided payload of ``expected`` standing for one payload."""
    if not isinstance(expected, str) or not isinstance(got, str):
        return expected == got
    pieces = expected.split(ELIDED)
    if not got.startswith(pieces[0]):
        return False
    at = len(pieces[0])
    for piece in pieces[1:]:
        end = _balanced_end(got, at)
        if end is None or not got.startswith(piece, end):
            return False
        at = end + len(piece)
    return at == len(got)


def _balanced_end(text: str, start: int) -> int | None:
    """The index just past the balanced ``{…}`` opening at ``start``, or None."""
    if not text.startswith("{", start):
        return None
    depth, quoted, escaped = 0, False, False
    for i in range(start, len(text)):
        c = text[i]
        if quoted:
            escaped, quoted = (False, quoted) if escaped else (c == "\\", c != '"')
            continue
        if c == '"':
            quoted = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return None
