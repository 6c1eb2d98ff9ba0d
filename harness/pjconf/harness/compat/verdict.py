"""Which differences the notes explain, and whether the matrix passes: it does when every
failure has an explanation (exit 0), and fails when any has none (exit 1)."""

from __future__ import annotations

from dataclasses import dataclass

from pjconf.harness.compat.corpus_diff import CorpusDifference, differences
from pjconf.harness.compat.model import Failure, Matrix
from pjconf.harness.compat.notes import Notes


@dataclass(frozen=True)
class Judged:
    """Every failure with its explanation (None: unexplained), and the notes nothing used."""

    failures: tuple[tuple[Failure, str | None], ...]
    stale: tuple[str, ...]
    corpus: tuple[CorpusDifference, ...] = ()
    """Cases judged differently within one profile by the ``--corpus`` reports (these never
    fail the matrix: each version's expectations file guards its own corpus results)."""

    @property
    def unexplained(self) -> list[Failure]:
        return [failure for failure, text in self.failures if text is None]

    @property
    def ok(self) -> bool:
        return not self.unexplained

    def explanation(self, failure: Failure) -> str | None:
        return dict((f.key, text) for f, text in self.failures).get(failure.key)


def judge(matrix: Matrix, notes: Notes) -> Judged:
    explained = tuple((f, notes.explain(f.key)) for f in matrix.failures)
    corpus = tuple(differences(matrix.corpus, notes))
    return Judged(explained, tuple(notes.stale()), corpus)
