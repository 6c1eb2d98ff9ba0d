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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

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


@dataclass
class Variants:
    """The fresh variant of each case that has one, by case name."""

    seed: str
    by_name: dict[str, Case] = field(default_factory=dict)
    unpaired: list[str] = field(default_factory=list)
    """Cases whose regenerated twin did not line up (another op, result or flags): run as
    committed only, and named in the report so the gap is visible."""

    def of(self, case: Case) -> Case | None:
        return self.by_name.get(case.name)


def fresh_variants(seed: str, cases: Iterable[Case]) -> Variants:
    """Variants for the selected ``cases`` of the variant families, from ``seed``."""
    variants = Variants(seed)
    chosen = [c for c in cases if c.family in VARIANT_FAMILIES and c.op is not None]
    families = {c.family for c in chosen}
    regenerated: dict[str, Case] = {}
    for family in sorted(families & set(_GENERATORS)):
        regenerated.update((c.name, c) for c in cases_of(_GENERATORS[family](f"{seed}/{family}")))
    for case in chosen:
        twin = (
            _session_variant(case, seed)
            if case.family == "sessions"
            else _in_profile_of(case, regenerated.get(case.name))
        )
        if twin is not None and _lines_up(case, twin):
            variants.by_name[case.name] = twin
        else:
            variants.unpaired.append(case.name)
    return variants


def _in_profile_of(case: Case, twin: Case | None) -> Case | None:
    """The regenerated twin judged by the profile its committed case is judged by."""
    return None if twin is None else in_profile(twin, case.profile)


def _session_variant(case: Case, seed: str) -> Case | None:
    """The case driven from a seed of this run; its expected fields (the payment's contents
    among them) are what the reference reports from that seed."""
    original = case.args.get("seed")
    if not isinstance(original, str) or case.expected is None:
        return None
    args = {**case.args, "seed": f"{seed}/{original}"}
    fresh = sessions.reference_summary(args)
    expected = {k: fresh.get(k) for k in case.expected}
    return replace(case, args=args, expected=expected)


def _lines_up(case: Case, twin: Case) -> bool:
    same = (case.op, case.result, case.flags, len(case.setup))
    return same == (twin.op, twin.result, twin.flags, len(twin.setup))
