"""Cases whose verdict differs between the implementations of one profile: what changed from one
version to the next, each named with the upstream change that explains it (``--notes``, keys
``corpus/<profile>/<case>``). Expectations files already turn a *new* difference red in CI, so an
unexplained one is shown as such here but does not fail ``pjconf compat``."""

from __future__ import annotations

from dataclasses import dataclass

from pjconf.harness.compat.model import CorpusRow
from pjconf.harness.compat.notes import Notes


@dataclass(frozen=True)
class CorpusDifference:
    profile: str
    case: str
    verdicts: tuple[tuple[str, str], ...]
    """(row label, verdict) for every row of the profile that judged the case."""
    explanation: str | None

    @property
    def key(self) -> str:
        return f"corpus/{self.profile}/{self.case}"


def differences(rows: list[CorpusRow], notes: Notes) -> list[CorpusDifference]:
    out: list[CorpusDifference] = []
    for profile in dict.fromkeys(row.profile for row in rows):
        same = [row for row in rows if row.profile == profile]
        cases = sorted({c for row in same for c in row.verdicts}, key=_case_order)
        for case in cases:
            judged = tuple((row.label, row.verdicts[case]) for row in same if case in row.verdicts)
            if len(judged) > 1 and len({verdict for _, verdict in judged}) > 1:
                key = f"corpus/{profile}/{case}"
                out.append(CorpusDifference(profile, case, judged, notes.explain(key)))
    return out


def _case_order(name: str) -> tuple[str, int]:
    family, _, number = name.partition("/")
    return (family, int(number) if number.isdigit() else -1)
