"""Plain progress lines for CI logs: family start and end, and a line every interval."""

from __future__ import annotations

import io

from harness.run.run_support import case

from pjconf.harness.reports.progress import ProgressLog
from pjconf.harness.run.checker import Outcome, Verdict


class Ticker:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def _outcome(verdict: Verdict) -> Outcome:
    return Outcome(case("replay", 1), verdict)


def test_a_log_gets_a_line_per_family_and_one_every_interval() -> None:
    stream, clock = io.StringIO(), Ticker()
    log = ProgressLog(stream, interval=10.0, now=clock)
    log.family("replay", 342)
    for n in range(120):
        clock.now = (n + 1) / 10
        log.update(n + 1, 342, _outcome(Verdict.ERROR if n == 5 else Verdict.PASS))
    clock.now = 20.5
    log.tick()  # a case is waiting on the adapter: the line still comes
    log.family("sessions", 60)
    log.finish("stopped")
    assert stream.getvalue().splitlines() == [
        "[pjconf] replay: 342 cases",
        "[pjconf] replay 100/342 PASS 99 ERROR 1 (10.0s)",
        "[pjconf] replay 120/342 PASS 119 ERROR 1 (20.5s)",
        "[pjconf] replay done 120/342 PASS 119 ERROR 1 (20.5s)",
        "[pjconf] sessions: 60 cases",
        "[pjconf] sessions stopped 0/60 (20.5s)",
    ]


def test_nothing_is_written_before_the_interval_passes() -> None:
    stream, clock = io.StringIO(), Ticker()
    log = ProgressLog(stream, interval=10.0, now=clock)
    log.family("uri", 3)
    clock.now = 9.9
    log.tick()
    assert stream.getvalue() == "[pjconf] uri: 3 cases\n"


def test_a_terminal_or_quiet_gets_no_log_lines() -> None:
    for log in (ProgressLog(FakeTTY()), ProgressLog(io.StringIO(), enabled=False)):
        log.family("uri", 3)
        log.update(1, 3, _outcome(Verdict.PASS))
        log.finish()
    quiet = io.StringIO()
    ProgressLog(quiet, enabled=False).family("uri", 1)
    assert quiet.getvalue() == ""
