"""What one ``pjconf bench`` run found: per (item, implementation) the rounds it timed, or the
reason it did not time them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from pjconf.harness.bench.items import Item
from pjconf.harness.bench.stats import Stats
from pjconf.harness.implementations.client import Client
from pjconf.harness.run.expectations import Expectations

FLOOR = "libsecp256k1 floor"
"""The label of the floor's rows."""


class Status(StrEnum):
    TIMED = "timed"
    GATED = "gated"
    """Not timed because the implementation answered wrong: a vector of the op failed, or the
    ``bench`` answer was an error or not the answer meant. A finding: the run exits 1."""
    NOT_IMPLEMENTED = "not implemented"
    """The implementation does not serve the op (its vectors were all SKIP)."""
    NOT_BENCHED = "not benched"
    """It serves the op but its ``bench`` answers ``unimplemented`` for it (its choice)."""


@dataclass(frozen=True)
class Member:
    """One ``--impl``: its label (``<implementation>@<version>`` from hello), spec and client."""

    label: str
    spec: str
    client: Client
    hello: dict[str, object] = field(default_factory=dict)
    expectations: Expectations = field(default_factory=Expectations)
    """Its known failures (``--expectations``): a vector it is known to fail does not gate."""


@dataclass
class Row:
    item: Item
    label: str
    status: Status = Status.TIMED
    reason: str = ""
    iterations: int = 0
    samples: list[float] = field(default_factory=list)
    """Seconds per op, one per round."""
    gate: str = ""
    """What the gate found (``vectors of replay: 424 PASS, 48 ACCEPTABLE``)."""

    @property
    def stats(self) -> Stats | None:
        if self.status is not Status.TIMED or not self.samples:
            return None
        return Stats(tuple(self.samples), self.iterations)

    def untime(self, status: Status, reason: str) -> None:
        self.status, self.reason, self.samples = status, reason, []


@dataclass
class BenchRun:
    members: list[Member]
    items: list[Item]
    rows: dict[tuple[str, str], Row] = field(default_factory=dict)
    """(item name, label) -> row; the floor's rows under the label :data:`FLOOR`."""
    rounds: int = 0
    round_ms: float = 0.0
    profile: str = ""
    elapsed: float = 0.0
    date: str = ""
    corpus: dict[str, object] = field(default_factory=dict)
    """The corpus whose vectors gated the run (``corpus_identity``: version, sha256)."""
    command: list[str] = field(default_factory=list)
    """The options that repeat this run (``--impl``, ``--ops``...)."""

    @property
    def labels(self) -> list[str]:
        return [m.label for m in self.members]

    def row(self, item: Item, label: str) -> Row | None:
        return self.rows.get((item.name, label))

    def median(self, item: Item, label: str) -> float | None:
        row = self.row(item, label)
        stats = row.stats if row is not None else None
        return stats.median if stats is not None else None

    def ratio(self, item: Item, label: str) -> float | None:
        """This row's median over the first ``--impl``'s (None if either was not timed)."""
        return _ratio(self.median(item, label), self.median(item, self.labels[0]))

    def floor_ratio(self, item: Item, label: str) -> float | None:
        """This row's median over the libsecp256k1 floor's, measured in the same rounds."""
        return _ratio(self.median(item, label), self.median(item, FLOOR))

    def gated(self) -> list[Row]:
        return [r for r in self.rows.values() if r.status is Status.GATED]

    def timed(self) -> list[Row]:
        return [r for r in self.rows.values() if r.status is Status.TIMED and r.label != FLOOR]

    def passed(self, *, allow_gated: bool) -> bool:
        """Something was timed, and no row was gated out by a wrong answer (or that is
        allowed): "not implemented" and "not benched" are an implementation's choice."""
        return bool(self.timed()) and (allow_gated or not self.gated())


def _ratio(value: float | None, base: float | None) -> float | None:
    if value is None or base is None or base <= 0:
        return None
    return value / base
