"""The cases a worker runs, against whatever ``pjconf.reference`` is first on ``PYTHONPATH``.

Imported by the worker only after its line recorder is on, so the reference's import-time code
is recorded too (see :mod:`~pjconf.harness.mutation.worker`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pjconf.harness.corpus.load import DIRECTORY_FAMILY, Case, load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.corpus.profiles import in_profile
from pjconf.harness.implementations.reference import reference_client
from pjconf.harness.run.checker import Outcome, Verdict
from pjconf.harness.run.runner import run

Progress = Callable[[int, int, Outcome], None]
_BROKEN = (Verdict.FAIL, Verdict.ERROR)


SLOW_FAMILIES = ("sessions",)
"""Run last: a whole driven session costs as much as hundreds of single-op cases, and a mutant is
usually caught before they are reached."""


def cases(profile: str, names: Sequence[str] | None) -> tuple[list[Case], list[Case]]:
    """(the chosen cases, slow families last; the whole corpus) under ``profile``."""
    corpus = [
        in_profile(c, profile)
        for c in load_corpus(vectors_dir())
        if c.family != DIRECTORY_FAMILY  # run against a URL, not the reference's adapter
    ]
    wanted = None if names is None else set(names)
    chosen = [c for c in corpus if wanted is None or c.name in wanted]
    chosen.sort(key=lambda c: c.family in SLOW_FAMILIES)
    return chosen, corpus


def run_cases(
    profile: str,
    chosen: Sequence[Case],
    corpus: Sequence[Case],
    progress: Progress | None = None,
    *,
    first_failure: bool = False,
) -> list[str]:
    """The names of the cases that FAIL or ERROR under ``profile``; with ``first_failure``, the
    run stops at the first one (the mutant is caught; the rest would only cost time)."""
    failed: list[str] = []

    def seen(done: int, total: int, outcome: Outcome) -> None:
        if outcome.verdict in _BROKEN:
            failed.append(outcome.case.name)
        if progress is not None:
            progress(done, total, outcome)

    run(
        reference_client(),
        chosen,
        corpus=corpus,
        progress=seen,
        stop=(lambda: bool(failed)) if first_failure else None,
    )
    return failed


def run_job(names: Sequence[str] | None, profiles: Sequence[str]) -> dict[str, list[str]]:
    """The first failure under each profile in turn, until one has a failure. After the first
    profile, only cases with an override for the profile are sent: the others carry the same
    expected values, and the profiles after payjoin-1.0 compare error kinds only more coarsely,
    so a case that passed the first passes them too."""
    failed: dict[str, list[str]] = {}
    for index, profile in enumerate(profiles):
        chosen, corpus = cases(profile, names)
        if index > 0:
            chosen = [c for c in chosen if c.profiles]
        failed[profile] = run_cases(profile, chosen, corpus, first_failure=True) if chosen else []
        if failed[profile]:
            break
    return failed
