"""Sending one run's cases to several adapters at once (``pjconf run -j N``), judged as if one
adapter had answered them in order.

Nothing in the corpus shares state from one case to the next: a transition case's setup steps
bind handles of its own and drop them, and a crash-resume ``sessions`` case kills and restarts
the adapter only inside that one case (its whole driven session runs on one adapter). So any
case may go to any worker, and its verdict does not depend on which one answered it.

What does depend on order is the run's bookkeeping: the circuit breaker counts malfunctions in a
row, the witness rule looks at the valid cases judged before, progress and reports list cases in
corpus order. So the workers only *answer* cases; the caller *commits* them one by one in the
serial order (:meth:`OrderedPool.results`), deciding there, exactly as a serial run would, whether
the case was to be sent at all. A case a worker answered that the serial run would not have sent
(the breaker opened meanwhile) is discarded at commit time: the verdicts, and so every report,
are those of a serial run. What can differ is only the work done: a case sent in vain.

The assignment is fixed before the run (:func:`assign`): each case goes to the worker with the
least estimated work so far (ties: the lowest worker), in corpus order, so the same selection,
``N`` and adapter (whether its hello announces respawn, which makes a crash cheap) always give
each worker the same cases in the same order. A worker that just saw a
malfunction, or any worker once the committed run has a malfunction in a row, waits until every
earlier case is committed before sending its next one, so a failing adapter costs no more
timeouts than the serial run plus one per worker.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from pjconf.harness.corpus.load import Case
from pjconf.harness.run.checker import Outcome, Verdict
from pjconf.harness.sessions.drive import DRIVE_OP

POLL = 0.1
"""How often a waiting worker or the committer looks at the stop flag (seconds)."""

CASE_COST = 1
"""Estimated work of one request (about a millisecond against a local adapter)."""
SESSION_COST = 100
"""Estimated work of a driven session (``session.drive``), with the reference as its peer and
its fresh variant (about 50 ms against rust-payjoin's image, 0.5 ms a request)."""
RESTART_COST = 300
"""Estimated work of one crash and restart of the adapter (a container start dominates)."""
RESPAWN_COST = 20
"""Estimated work of one crash of an adapter that respawns in place (the resume's requests and
log reads dominate: about 10 ms a crash against rust-payjoin's image)."""

Judge = Callable[[Case], Outcome]


def case_cost(case: Case, crash_cost: int = RESTART_COST) -> int:
    """The estimated work of ``case``, in the units above, from what the case itself says;
    ``crash_cost``: of one crash (:data:`RESTART_COST` or :data:`RESPAWN_COST`)."""
    if case.op != DRIVE_OP:
        return CASE_COST * (1 + len(case.setup))
    restarts = case.expected.get("restarts", 0) if case.expected else 0
    return SESSION_COST + crash_cost * (restarts if isinstance(restarts, int) else 0)


def assign(cases: Sequence[Case], workers: int, crash_cost: int = RESTART_COST) -> list[list[int]]:
    """Case indices per worker: each case in order to the least loaded worker (lowest on a
    tie), each worker's cases in corpus order. Deterministic: no clock, no randomness."""
    plan: list[list[int]] = [[] for _ in range(workers)]
    load = [0] * workers
    for index, case in enumerate(cases):
        worker = min(range(workers), key=lambda w: (load[w], w))
        plan[worker].append(index)
        load[worker] += case_cost(case, crash_cost)
    return plan


@dataclass(frozen=True)
class Answered:
    """A case one worker sent and judged, and how long that took."""

    outcome: Outcome
    seconds: float
    worker: int


_PENDING = object()


class OrderedPool:
    """Workers answering their assigned cases in threads; :meth:`results` hands them back in
    corpus order.

    ``judges[k]`` answers a case on worker ``k``'s adapter (one thread per worker, so each
    adapter sees one request at a time). ``skip(case)`` is asked, under :attr:`lock`, before a
    case is sent: True means the committer will not use an answer (the case is disabled, or the
    breaker refuses its family; both only ever grow), and the worker moves on. ``careful()``
    (also under the lock) says the run is in trouble: then workers send only at the frontier.
    ``stop()`` ends everything; a case it cut short is not handed back.
    """

    def __init__(
        self,
        cases: Sequence[Case],
        judges: Sequence[Judge],
        *,
        skip: Callable[[Case], bool],
        careful: Callable[[], bool],
        stop: Callable[[], bool],
        crash_cost: int = RESTART_COST,
    ) -> None:
        self.cases = cases
        self.lock = threading.Condition(threading.RLock())
        """Held by the committer while it commits, and by workers while they ask ``skip``."""
        self._judges = judges
        self._skip = skip
        self._careful = careful
        self._stop = stop
        self._plan = assign(cases, len(judges), crash_cost)
        self._slots: list[object] = [_PENDING] * len(cases)
        self._frontier = 0
        self._closing = False
        self._failure: BaseException | None = None
        self._adapters = [threading.Lock() for _ in judges]
        self._threads = [
            threading.Thread(
                target=self._work, args=(k,), name=f"pjconf-worker-{k + 1}", daemon=True
            )
            for k in range(len(judges))
        ]

    def plan(self) -> list[list[int]]:
        """Which case indices each worker sends (see :func:`assign`)."""
        return [list(mine) for mine in self._plan]

    def judge_on_first(self, case: Case) -> Outcome:
        """``case`` answered by worker 1's adapter between two of its own cases (the witness
        rule's extra runs, which the committer asks for)."""
        with self._adapters[0]:
            return self._judges[0](case)

    def results(self) -> Iterator[tuple[int, Answered | None]]:
        """``(index, answer)`` in corpus order; ``None`` for a case the worker did not send
        because ``skip`` said so. Ends early when ``stop()`` says so; re-raises a worker's
        exception."""
        for thread in self._threads:
            thread.start()
        try:
            while self._frontier < len(self.cases):
                with self.lock:
                    while self._slots[self._frontier] is _PENDING and not self._halted():
                        self.lock.wait(POLL)
                    if self._failure is not None:
                        raise self._failure
                    item = self._slots[self._frontier]
                    if item is _PENDING or self._stop():
                        return
                index = self._frontier
                yield index, item if isinstance(item, Answered) else None
                with self.lock:
                    self._frontier += 1
                    self.lock.notify_all()
        finally:
            with self.lock:
                self._closing = True
                self.lock.notify_all()

    def _halted(self) -> bool:
        alive = any(thread.is_alive() for thread in self._threads)
        return self._failure is not None or self._stop() or not alive

    def _work(self, worker: int) -> None:
        try:
            self._answer_all(worker)
        except BaseException as exc:  # handed to the committer, raised there
            with self.lock:
                self._failure = exc
                self.lock.notify_all()

    def _answer_all(self, worker: int) -> None:
        troubled = False
        for index in self._plan[worker]:
            case = self.cases[index]
            with self.lock:
                while (troubled or self._careful()) and self._frontier < index:
                    if self._closing or self._stop():
                        return
                    self.lock.wait(POLL)
                if self._closing or self._stop():
                    return
                skipped = self._skip(case)
            if skipped:
                self._publish(index, None)
                continue
            began = time.monotonic()
            with self._adapters[worker]:
                outcome = self._judges[worker](case)
            if self._stop():
                return
            troubled = outcome.verdict is Verdict.ERROR
            self._publish(index, Answered(outcome, time.monotonic() - began, worker))

    def _publish(self, index: int, item: Answered | None) -> None:
        with self.lock:
            self._slots[index] = item
            self.lock.notify_all()
