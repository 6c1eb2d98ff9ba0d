"""Strategies: per op, how to draw its arguments.

A :class:`Target` names an op and a strategy, a function of a
:class:`~pjconf.harness.fuzz.draw.Draw` and the :class:`Tools` (the reference's adapter in
process, to build valid inputs before mutating them; the corpus's cases of the op, as seeds).
The modules hold one op group each; :data:`TARGETS` lists them all, in the order the engine
takes turns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pjconf.harness.fuzz.draw import Draw
from pjconf.harness.fuzz.seeds import seeds
from pjconf.harness.implementations.client import Client
from pjconf.harness.implementations.reference import reference_builder
from pjconf.harness.run.capabilities import INJECTED_CLOCK
from pjconf.protocol.wire import JsonObject


class BuildFailed(Exception):
    """The reference refused to build an input a strategy needed (a mutated key, say)."""


@dataclass
class Tools:
    """What strategies build inputs with: the reference's adapter and the corpus seeds."""

    builder: Client = field(default_factory=lambda: reference_builder("pjconf/fuzz/builder"))
    vectors: Path | None = None
    clock: bool = True
    """The implementation honours an injected ``now`` (hello ``"clock": true``); when it reads
    its own clock, seeds whose verdict depends on that (flag ``InjectedClock``) are left out."""

    def build(self, op: str, args: JsonObject) -> JsonObject:
        reply = self.builder.call(op, args)
        if reply.kind != "result":
            raise BuildFailed(f"{op}: {reply.kind} {reply.value}")
        return reply.value

    @property
    def left_out(self) -> frozenset[str]:
        """Flags of the corpus cases that are no seeds for this implementation."""
        return frozenset() if self.clock else frozenset({INJECTED_CLOCK})

    def seeds(self, op: str) -> tuple[JsonObject, ...]:
        return seeds(op, self.vectors, self.left_out)


Strategy = Callable[[Draw, Tools], JsonObject]


def _nothing(args: JsonObject) -> str:
    return ""


@dataclass(frozen=True)
class Target:
    """One op and how to draw its arguments.

    ``group`` names the op group (the entry point of :mod:`..targets` and the family of a saved
    finding, ``fuzz_<group>``); ``aspect`` tells findings of one op apart in their key (the role
    and event variant of an ``event.roundtrip``), so two different bugs of one op are two
    findings, and one bug seen through many inputs is one.
    """

    op: str
    group: str
    strategy: Strategy
    aspect: Callable[[JsonObject], str] = _nothing


def all_targets() -> list[Target]:
    """Every target, in the engine's turn order (imports here: the modules import this one)."""
    from pjconf.harness.fuzz.strategies import (  # noqa: PLC0415
        crypto,
        events,
        logs,
        messages,
        ohttp,
        uri,
    )

    return [
        *events.TARGETS,
        *messages.TARGETS,
        *logs.TARGETS,
        *uri.TARGETS,
        *crypto.TARGETS,
        *ohttp.TARGETS,
    ]
