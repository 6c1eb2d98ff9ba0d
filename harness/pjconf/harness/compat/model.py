"""The compatibility matrix as data: who was checked against whom, what agreed, what did not.

Everything here is plain, ordered and free of timings, so that the same results always render
the same page (``markdown``) and the same artifact (``jsonout``)."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pjconf.harness.implementations.client import Client
from pjconf.harness.sessions.driver import Role

Check = Literal["alone", "handover", "replay"]


@dataclass(frozen=True)
class Member:
    """One implementation of the matrix: the name the page shows and how it was started."""

    label: str
    """``<implementation>@<version>`` from its hello (made unique with ``#2``... if repeated)."""
    spec: str
    """The ``--impl`` it came from (``reference``, ``docker:IMAGE``, ``cmd:...``)."""
    client: Client = field(compare=False, repr=False)


@dataclass(frozen=True)
class Failure:
    """One disagreement, keyed so that a notes file can explain it and a command reproduce it."""

    check: Check
    writer: str
    reader: str
    """The implementation that continued or replayed ``writer``'s log (``writer`` for alone)."""
    role: Role
    path: str
    step: str
    error: str
    prefix: int | None = None
    """For ``replay``: how many events of the log were replayed."""
    reproduce: str = ""

    @property
    def key(self) -> str:
        """``alone/<impl>/<role>/<path>``, ``handover/<writer>-><reader>/<role>/<path>``,
        ``replay/<writer>-><reader>/<role>/<path>/<prefix>``: what notes match."""
        if self.check == "alone":
            return f"alone/{self.writer}/{self.role}/{self.path}"
        key = f"{self.check}/{self.writer}->{self.reader}/{self.role}/{self.path}"
        return key if self.prefix is None else f"{key}/{self.prefix}"

    def to_json(self, explanation: str | None) -> dict[str, Any]:
        return {
            "key": self.key,
            "check": self.check,
            "writer": self.writer,
            "reader": self.reader,
            "role": self.role,
            "path": self.path,
            "prefix": self.prefix,
            "step": self.step,
            "error": self.error,
            "reproduce": self.reproduce,
            "explanation": explanation,
        }


@dataclass
class PairCounts:
    """What one ordered pair did: ``reader`` replaying and continuing ``writer``'s logs."""

    writer: str
    reader: str
    logs: int = 0
    prefixes: int = 0
    agreements: int = 0
    handovers: int = 0
    continued: int = 0
    not_run: int = 0
    """Handover runs skipped because one of the two fails the path alone."""
    states: set[tuple[str, str]] = field(default_factory=set)
    """(role, state) of every handover the reader continued: the saved states it resumed."""

    def to_json(self) -> dict[str, Any]:
        return {
            "writer": self.writer,
            "reader": self.reader,
            "logs": self.logs,
            "prefixes": self.prefixes,
            "agreements": self.agreements,
            "handovers": self.handovers,
            "continued": self.continued,
            "notRun": self.not_run,
            "statesContinued": [f"{role}:{state}" for role, state in sorted(self.states)],
        }


@dataclass
class AloneCounts:
    """Each implementation driving each path by itself: the baseline handovers are held to."""

    label: str
    paths: int = 0
    passed: int = 0


@dataclass(frozen=True)
class CorpusRow:
    """One ``--corpus LABEL=FILE``: a ``pjconf run --json`` report's summary."""

    label: str
    implementation: str
    ok: bool
    counts: dict[str, int]
    verified: str
    profile: str = ""
    """The report's ``--profile``; rows are compared case by case only within one profile."""
    verdicts: dict[str, str] = field(default_factory=dict)
    """Case name -> the checker's own verdict (before an expectations file reclassified it);
    SKIPped cases are left out: nothing was judged."""


@dataclass
class Matrix:
    """The whole result: members in the order given, pairs in that order, failures as found."""

    members: list[Member]
    roles: tuple[Role, ...]
    paths: list[str]
    pairs: dict[tuple[str, str], PairCounts] = field(default_factory=dict)
    alone: dict[str, AloneCounts] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    corpus: list[CorpusRow] = field(default_factory=list)
    command: list[str] = field(default_factory=list)
    """The ``pjconf compat`` arguments that regenerate this matrix."""

    def __post_init__(self) -> None:
        for member in self.members:
            self.alone.setdefault(member.label, AloneCounts(member.label))
            for other in self.members:
                if other is not member:
                    key = (member.label, other.label)
                    self.pairs.setdefault(key, PairCounts(*key))

    def pair(self, writer: str, reader: str) -> PairCounts:
        return self.pairs[(writer, reader)]

    def failures_of(self, check: Check, writer: str, reader: str) -> list[Failure]:
        return [
            f
            for f in self.failures
            if f.check == check and (f.writer, f.reader) == (writer, reader)
        ]

    def command_line(self) -> str:
        return shlex.join(["pjconf", "compat", *self.command])

    def reproduce(self, labels: tuple[str, ...], role: Role, path: str) -> str:
        """The command that runs just this role and path between these implementations (in
        the order they were given, so that they get the same labels)."""
        specs = [m.spec for m in self.members if m.label in labels]
        impls = [part for spec in specs for part in ("--impl", spec)]
        return shlex.join(["pjconf", "compat", *impls, "--role", role, "--path", path])


Progress = Callable[[str], None]
"""Where the matrix says what it is doing, one plain line at a time (stderr in the CLI)."""
