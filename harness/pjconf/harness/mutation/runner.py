"""Running mutants: each in its own Python process, on a private copy of the reference tree with
one file changed, against only the cases that reach the changed line."""

from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from queue import Queue

from pjconf.harness.mutation.operators import Mutant, apply, mutants_of
from pjconf.harness.mutation.worker import IMPORT

PROFILES = ("payjoin-1.0", "bip77")
"""Both profiles, payjoin-1.0 first: it pins more (error kinds and texts), so most mutants die in
the first; a mutant is killed when either has a FAIL or ERROR."""
WORKER = "pjconf.harness.mutation.worker"


class ToolError(Exception):
    """The tool itself could not work (the unmutated reference fails, a worker answers nonsense)."""


class Status(StrEnum):
    KILLED = "killed"
    SURVIVED = "survived"
    NOT_COVERED = "not covered"
    """No corpus case executes the mutated line."""
    TIMEOUT = "timeout"
    """The run of its cases did not finish in time (a hang counts as caught, separately)."""


@dataclass
class Result:
    mutant: Mutant
    status: Status
    cases: int
    """How many cases were run (all of them for an import-time mutant)."""
    failed: list[str] = field(default_factory=list)
    """The first cases that FAILed (or why the worker crashed)."""
    seconds: float = 0.0


def reference_root() -> Path:
    """The reference's package folder, found without importing it."""
    spec = importlib.util.find_spec("pjconf.reference")
    if spec is None or not spec.submodule_search_locations:
        raise ToolError("pjconf.reference is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def collect(root: Path, modules: Iterable[str], *, check: bool = True) -> list[Mutant]:
    """Every mutant of ``modules`` (paths under ``root`` without ``.py``), in source order;
    ``check`` as :func:`~pjconf.harness.mutation.operators.mutants_of` takes it."""
    found: list[Mutant] = []
    for module in modules:
        source = (root / f"{module}.py").read_text(encoding="utf-8")
        found.extend(mutants_of(module, source, check=check))
    return found


def sample(mutants: Sequence[Mutant], size: int | None, seed: str) -> list[Mutant]:
    """A deterministic sample: the same ``seed`` and mutants give the same choice, in id order."""
    ordered = sorted(mutants, key=lambda m: m.id)
    if size is None or size >= len(ordered):
        return ordered
    return sorted(random.Random(seed).sample(ordered, size), key=lambda m: m.id)


def _worker(job: dict[str, object], pythonpath: Path | None, timeout: float) -> dict[str, object]:
    """One worker process; raises ``subprocess.TimeoutExpired`` (after killing it) on a hang."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-m", WORKER],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        return {"crashed": done.stderr.strip().splitlines()[-1:] or [f"exit {done.returncode}"]}
    answer = json.loads(done.stdout)
    if not isinstance(answer, dict):
        raise ToolError(f"the worker answered {done.stdout[:200]!r}")
    return answer


def coverage(root: Path, modules: Iterable[str], timeout: float) -> dict[str, dict[str, set[int]]]:
    """Case -> module -> the lines it executes, measured once on the unmutated reference."""
    files = {m: str((root / f"{m}.py").resolve()) for m in modules}
    answer = _worker({"job": "coverage", "files": files, "profiles": list(PROFILES)}, None, timeout)
    if "lines" not in answer:
        raise ToolError(f"coverage run failed: {answer.get('crashed')}")
    if answer.get("failed"):
        raise ToolError(f"the unmutated reference fails: {answer['failed']}")
    lines = answer["lines"]
    assert isinstance(lines, dict)
    return {
        case: {module: set(hit) for module, hit in by_module.items()}
        for case, by_module in lines.items()
    }


def cases_reaching(mutant: Mutant, lines: dict[str, dict[str, set[int]]]) -> list[str] | None:
    """The cases that execute a line of the mutant's reach; ``None`` (all) for an import-time
    mutant (module level, or a line the reference's import runs), which every case depends on."""
    first, last = mutant.reach
    reach = set(range(first, last + 1))
    if mutant.module_level or reach & lines.get(IMPORT, {}).get(mutant.module, set()):
        return None
    return sorted(
        case
        for case, hit in lines.items()
        if case != IMPORT and reach & hit.get(mutant.module, set())
    )


class Slots:
    """One private copy of the reference tree per parallel job, each mutated one file at a time."""

    def __init__(self, root: Path, jobs: int) -> None:
        self.root = root
        self.base = Path(tempfile.mkdtemp(prefix="pjconf-mutate-"))
        self.free: Queue[Path] = Queue()
        for index in range(jobs):
            slot = self.base / f"slot{index}"
            shutil.copytree(root, slot / "pjconf" / "reference", copy_function=shutil.copy2)
            self.free.put(slot)

    def run(self, mutant: Mutant, job: Callable[[Path], Result]) -> Result:
        slot = self.free.get()
        target = slot / "pjconf" / "reference" / f"{mutant.module}.py"
        original = (self.root / f"{mutant.module}.py").read_text(encoding="utf-8")
        for cached in target.parent.glob(f"__pycache__/{target.stem}.*.pyc"):
            cached.unlink()  # a stale .pyc of the same size and second would hide the mutant
        try:
            target.write_text(apply(original, mutant), encoding="utf-8")
            return job(slot)
        finally:
            target.write_text(original, encoding="utf-8")
            self.free.put(slot)

    def close(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


def run_mutant(mutant: Mutant, cases: list[str] | None, slot: Path, timeout: float) -> Result:
    began = time.monotonic()
    count = -1 if cases is None else len(cases)
    try:
        answer = _worker({"job": "run", "cases": cases, "profiles": list(PROFILES)}, slot, timeout)
    except subprocess.TimeoutExpired:
        return Result(mutant, Status.TIMEOUT, count, [], time.monotonic() - began)
    by_profile = answer.get("failed") or {}
    assert isinstance(by_profile, dict)
    failed = answer.get("crashed") or [
        f"{profile}: {name}" for profile, names in by_profile.items() for name in names
    ]
    assert isinstance(failed, list)
    status = Status.KILLED if failed else Status.SURVIVED
    return Result(mutant, status, count, [str(f) for f in failed[:5]], time.monotonic() - began)


Report = Callable[[int, int, Result], None]


def run_all(
    mutants: Sequence[Mutant],
    lines: dict[str, dict[str, set[int]]],
    root: Path,
    *,
    jobs: int,
    timeout: float,
    progress: Report | None = None,
) -> list[Result]:
    """Every mutant's result, in the order given; ``jobs`` worker processes at a time."""
    results: list[Result | None] = [None] * len(mutants)
    done = 0
    lock = threading.Lock()
    slots = Slots(root, jobs)

    def one(index: int) -> None:
        nonlocal done
        mutant = mutants[index]
        cases = cases_reaching(mutant, lines)
        if cases == []:
            result = Result(mutant, Status.NOT_COVERED, 0)
        else:
            result = slots.run(mutant, lambda slot: run_mutant(mutant, cases, slot, timeout))
        with lock:
            results[index] = result
            done += 1
            if progress is not None:
                progress(done, len(mutants), result)

    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(one, range(len(mutants))))
    finally:
        slots.close()
    return [r for r in results if r is not None]
