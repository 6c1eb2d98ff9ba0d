"""Mutant ids that survive unrelated edits: module, operator, the mutated line's text, and which
occurrence of that (operator, line text) pair in the module it is - never a line number."""

from __future__ import annotations

import hashlib

LINE_HASH_CHARS = 12
"""Hex digits of the line's sha256 kept in an id (48 bits: no collisions within a module)."""


def line_hash(line: str) -> str:
    """The hash of a line as ids use it: surrounding whitespace dropped, so re-indenting a block
    keeps its mutants' ids."""
    return hashlib.sha256(line.strip().encode("utf-8")).hexdigest()[:LINE_HASH_CHARS]


def mutant_id(module: str, operator: str, line: str, occurrence: int) -> str:
    """``module:operator:linehash:occurrence``, e.g. ``crypto/hpke:compare:1a2b3c4d5e6f:0``."""
    return f"{module}:{operator}:{line_hash(line)}:{occurrence}"


def module_of(identifier: str) -> str:
    """The module part of a mutant id."""
    return identifier.split(":", 1)[0]
