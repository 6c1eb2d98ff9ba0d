"""Fresh variants: session, transition and replay cases again, over keys, coins and logs drawn
from this run's seed.

Every committed case is fixed, so an adapter that replays answers recorded from an earlier run of
the reference (no payjoin code at all) would match each one. For the three families whose answers
depend on a whole session's bytes, the runner also sends every case in a variant made at the start
of the run from a per-run seed (printed in the summary; ``pjconf run --seed`` reproduces it). A
variant keeps the case's path, states, outcomes and verdict rule, and changes every byte a
transcript could have recorded: ``sessions`` cases drive their session from the new seed (the
reference, driven from it too, gives the payment contents they must report),
``replay`` and ``transitions`` cases are generated again by their vector generators from it. A case
PASSes only when its variant does too.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace

from pjconf.harness.corpus.load import Case, cases_of
from pjconf.harness.corpus.profiles import in_profile
from pjconf.harness.vectorgen import replay, sessions, transitions
from pjconf.protocol.wire import JsonObject

VARIANT_FAMILIES = ("replay", "sessions", "transitions")

_GENERATORS: dict[str, Callable[[str], JsonObject]] = {
    "replay": replay.generate,
    "transitions": transitions.generate,
}


def new_seed() -> str:
    """A seed for one run: random, short enough to copy from a CI log."""
    return secrets.token_hex(8)


class Variants:
    """The fresh variant of each case that has one, by case name.

    Two parts cost a run's time, and neither is paid up front by the process planning the run:

    - A ``sessions`` twin is kept as a *draft* (its new seed, the committed case's expected
      keys) until it is judged: its expected values come from driving the reference from the
      new seed, a whole session's work per case, which :func:`finish` does where the case is
      judged (a ``-j`` worker process).
    - The ``replay`` and ``transitions`` twins come from regenerating those families
      (:func:`regenerate`), which a run starts in the background before it knows its
      selection; they are paired with their cases when first asked for (``pending``), and the
      cases before them in corpus order are judged meanwhile.
    """

    def __init__(
        self,
        seed: str,
        by_name: dict[str, Case] | None = None,
        unpaired: list[str] | None = None,
        drafts: set[str] | None = None,
        *,
        pending: Callable[[], Variants] | None = None,
    ) -> None:
        self.seed = seed
        self._by_name = dict(by_name or {})
        self._unpaired = list(unpaired or [])
        self._drafts = set(drafts or ())
        self._pending = pending
        self._lock = threading.Lock()

    def _settle(self) -> None:
        with self._lock:
            if self._pending is not None:
                done = self._pending()
                self._by_name, self._unpaired, self._drafts = (
                    done.by_name,
                    done.unpaired,
                    done.drafts,
                )
                self._pending = None

    @property
    def by_name(self) -> dict[str, Case]:
        self._settle()
        return self._by_name

    @property
    def unpaired(self) -> list[str]:
        """Cases whose regenerated twin did not line up (another op, result or flags): run as
        committed only, and named in the report so the gap is visible."""
        self._settle()
        return self._unpaired

    @property
    def drafts(self) -> set[str]:
        """Names whose twin in ``by_name`` is a draft :func:`finish` completes."""
        self._settle()
        return self._drafts

    def of(self, case: Case) -> Case | None:
        """The twin of ``case`` as planned (a draft for a ``sessions`` case), or None."""
        return self.draft(case)[0]

    def draft(self, case: Case) -> tuple[Case | None, bool]:
        """The planned twin and whether it still needs :func:`finish` (a ``sessions`` case's
        is known without waiting for the regenerated families)."""
        if case.family in _GENERATORS:
            self._settle()
        return self._by_name.get(case.name), case.name in self._drafts

    def twin(self, case: Case) -> Case | None:
        """The twin of ``case`` ready to send (a draft is finished here)."""
        twin, unfinished = self.draft(case)
        return finish(twin) if twin is not None and unfinished else twin


def regenerate(seed: str, families: Iterable[str]) -> dict[str, Case]:
    """The cases of the regenerated ``replay``/``transitions`` families among ``families``, by
    name: the costly half of the variants that needs no selection (a whole family is generated
    either way), so a run may start it before it knows its selection."""
    regenerated: dict[str, Case] = {}
    for family in sorted(set(families) & set(_GENERATORS)):
        regenerated.update((c.name, c) for c in cases_of(_GENERATORS[family](f"{seed}/{family}")))
    return regenerated


def fresh_variants(
    seed: str,
    cases: Iterable[Case],
    regenerated: Callable[[], dict[str, Case]] | None = None,
) -> Variants:
    """Variants for the selected ``cases`` of the variant families, from ``seed``.
    ``regenerated`` gives what :func:`regenerate` gave for them (waiting for it if it runs in
    the background); by default they are regenerated here."""
    chosen = [c for c in cases if c.family in VARIANT_FAMILIES and c.op is not None]
    if regenerated is None:
        done = regenerate(seed, {c.family for c in chosen})
        return _paired(seed, chosen, done)
    sessions_only = [c for c in chosen if c.family not in _GENERATORS]
    early = _paired(seed, sessions_only, {})
    wait = regenerated
    return Variants(
        seed,
        early.by_name,
        early.unpaired,
        early.drafts,
        pending=lambda: _paired(seed, chosen, wait()),
    )


def _paired(seed: str, chosen: list[Case], regenerated: dict[str, Case]) -> Variants:
    variants = Variants(seed)
    for case in chosen:
        twin = (
            _session_draft(case, seed)
            if case.family == "sessions"
            else _in_profile_of(case, regenerated.get(case.name))
        )
        if twin is not None and _lines_up(case, twin):
            variants.by_name[case.name] = twin
            if case.family == "sessions":
                variants.drafts.add(case.name)
        else:
            variants.unpaired.append(case.name)
    return variants


def _in_profile_of(case: Case, twin: Case | None) -> Case | None:
    """The regenerated twin judged by the profile its committed case is judged by."""
    return None if twin is None else in_profile(twin, case.profile)


def _session_draft(case: Case, seed: str) -> Case | None:
    """The case driven from a seed of this run, still expecting the committed values (the
    keys are what :func:`finish` fills in)."""
    original = case.args.get("seed")
    if not isinstance(original, str) or case.expected is None:
        return None
    return replace(case, args={**case.args, "seed": f"{seed}/{original}"})


def finish(draft: Case) -> Case:
    """A ``sessions`` draft with its expected fields (the payment's contents among them) set to
    what the reference reports when driven from the draft's seed."""
    assert draft.expected is not None
    fresh = sessions.reference_summary(draft.args)
    return replace(draft, expected={k: fresh.get(k) for k in draft.expected})


def _lines_up(case: Case, twin: Case) -> bool:
    same = (case.op, case.result, case.flags, len(case.setup))
    return same == (twin.op, twin.result, twin.flags, len(twin.setup))
