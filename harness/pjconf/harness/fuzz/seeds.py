"""The corpus as seed inputs: every committed case's arguments, by op.

Mutation strategies start from these (the corpus already holds a valid input of every shape the
protocol has, and the boundary cases next to them), and ``pjconf fuzz --export-seeds`` writes
them out as the seed corpus of the fuzzing-engine entry points (:mod:`.targets`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

from pjconf.harness.corpus.load import load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.protocol.wire import JsonObject

HELD_OUT = frozenset({"FloatRoundTrip", "ShortAuthenticPlaintext"})
"""Flags of corpus cases kept out of the seeds: they pin bugs that fuzzing found in
rust-payjoin (docs/rust-payjoin-findings.md rows 16 and 3), and the strategies must reach such
inputs by construction, which the rediscovery test can only show if the seeds do not hold them."""


@cache
def _seeds(root: Path, without: frozenset[str]) -> Mapping[str, tuple[JsonObject, ...]]:
    found: dict[str, list[JsonObject]] = {}
    for case in load_corpus(root):
        if case.op is None or case.setup or (HELD_OUT | without).intersection(case.flags):
            continue  # setup cases need a live session: the stateful engine's
        found.setdefault(case.op, []).append(case.args)
    return {op: tuple(args) for op, args in found.items()}


def seeds(
    op: str, root: Path | None = None, without: frozenset[str] = frozenset()
) -> tuple[JsonObject, ...]:
    """The arguments of the corpus cases of ``op`` (none when the corpus has no such case),
    leaving out the held-out cases and those with a flag in ``without``."""
    return _seeds(root or vectors_dir(), without).get(op, ())
