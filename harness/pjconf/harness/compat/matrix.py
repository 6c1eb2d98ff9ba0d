"""Run the whole matrix: every path in every role, each implementation alone, every pair's
relays in both orders, and every prefix of every log replayed by every other implementation."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from pjconf.harness.compat.handover import SEED, PathRun, alone, relay
from pjconf.harness.compat.model import Failure, Matrix, Member, Progress
from pjconf.harness.compat.replay import disagreement, prefixes, replayed
from pjconf.harness.implementations.reference import payment
from pjconf.harness.sessions import drive
from pjconf.harness.sessions.driver import ROLES, Role


def path_names(seed: str = SEED) -> list[str]:
    """Every drivable path, in the driver's order."""
    return list(drive.paths(payment(f"{seed}/payment")))


def run_matrix(
    members: Sequence[Member],
    *,
    roles: Sequence[Role] = ROLES,
    paths: Sequence[str] | None = None,
    progress: Progress = lambda line: None,
    seed: str = SEED,
) -> Matrix:
    """The matrix of ``members`` (two or more, in the order the page shows them)."""
    matrix = Matrix(list(members), tuple(roles), list(paths or path_names(seed)))
    for role in matrix.roles:
        for path in matrix.paths:
            found = len(matrix.failures)
            runs = {m.label: _alone(matrix, m, role, path, seed) for m in members}
            for writer in members:
                _replays(matrix, writer, runs[writer.label], role, path)
            for a, b in combinations(members, 2):
                for pair in ((a, b), (b, a)):
                    _relay(matrix, pair, runs, role=role, path=path, seed=seed)
            new = len(matrix.failures) - found
            progress(f"{role} {path}: " + ("ok" if not new else f"{new} failure(s)"))
            for failure in matrix.failures[found:]:
                progress(_failure_line(failure))
    return matrix


def _failure_line(failure: Failure) -> str:
    """One line, so that a CI log grepped for FAIL shows how to reproduce each failure."""
    return (
        f"FAIL {failure.key} at {failure.step}: {failure.error} -- reproduce: {failure.reproduce}"
    )


def _alone(matrix: Matrix, member: Member, role: Role, path: str, seed: str) -> PathRun:
    run = alone(member, role, path, seed)
    counts = matrix.alone[member.label]
    counts.paths += 1
    if run.failure is None:
        counts.passed += 1
    else:
        matrix.failures.append(
            Failure(
                "alone", member.label, member.label, role, path, run.failure.step,
                f"{type(run.failure).__name__}: {run.failure}",
                reproduce=matrix.reproduce((member.label,), role, path),
            )
        )  # fmt: skip
    return run


def _replays(matrix: Matrix, writer: Member, run: PathRun, role: Role, path: str) -> None:
    """Every prefix of the log ``writer`` wrote alone, replayed by each other member."""
    if run.transcript is None:
        return
    events = run.transcript.logs[role].events
    own = [replayed(writer.client, role, prefix) for prefix in prefixes(events)]
    for reader in matrix.members:
        if reader is writer:
            continue
        counts = matrix.pair(writer.label, reader.label)
        counts.logs += 1
        for prefix, expected in zip(prefixes(events), own, strict=True):
            counts.prefixes += 1
            differs = disagreement(expected, replayed(reader.client, role, prefix))
            if differs is None:
                counts.agreements += 1
                continue
            matrix.failures.append(
                Failure(
                    "replay", writer.label, reader.label, role, path, f"{role}.replay", differs,
                    prefix=len(prefix),
                    reproduce=matrix.reproduce((writer.label, reader.label), role, path),
                )
            )  # fmt: skip


def _relay(
    matrix: Matrix,
    pair: tuple[Member, Member],
    runs: dict[str, PathRun],
    *,
    role: Role,
    path: str,
    seed: str,
) -> None:
    """``pair[0]`` starts the session, ``pair[1]`` continues it, and so on in turn."""
    first, second = pair
    baseline = runs[first.label].summary(role)
    if baseline is None or runs[second.label].failure is not None:
        matrix.pair(first.label, second.label).not_run += 1
        return
    run = relay(pair, role, path, baseline, seed)
    for index, handover in enumerate(run.handovers):
        counts = matrix.pair(handover.writer, handover.reader)
        counts.handovers += 1
        if run.failure is None or index != run.failed_at:
            counts.continued += 1
            counts.states.add((role, handover.state))
    if run.failure is None:
        return
    blamed = run.handovers[run.failed_at] if run.failed_at is not None else None
    writer, reader = (blamed.writer, blamed.reader) if blamed else (first.label, second.label)
    where = f" (after {blamed.after}, {blamed.events} events)" if blamed else ""
    matrix.failures.append(
        Failure(
            "handover", writer, reader, role, path, run.failure.step,
            f"{type(run.failure).__name__}: {run.failure}{where}; relay started by {first.label}",
            reproduce=matrix.reproduce((first.label, second.label), role, path),
        )
    )  # fmt: skip
