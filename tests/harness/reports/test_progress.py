"""The live progress line: drawn in place on a TTY, silent everywhere else."""

from __future__ import annotations

import io

import pytest
from harness.run.run_support import case

from pjconf.harness import cli
from pjconf.harness.reports.progress import ProgressLine
from pjconf.harness.run.checker import Outcome, Verdict
from pjconf.reference.entropy import FixedClock


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


class Ticker:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _visible(written: str) -> str:
    """What the terminal shows: the text after the last carriage return, trailing blanks cut."""
    return written.rsplit("\r", 1)[-1].rstrip()


def _outcome(family: str, verdict: Verdict) -> Outcome:
    return Outcome(case(family, 1), verdict)


def test_the_line_is_rewritten_in_place_with_running_counts() -> None:
    stream, tick = FakeTTY(), Ticker()
    line = ProgressLine(stream, now=tick, width=200)
    for done, verdict in enumerate([Verdict.PASS, Verdict.FAIL, Verdict.PASS], start=1):
        tick.now += 1
        line.update(done, 5, _outcome("uri", verdict))
    written = stream.getvalue()
    assert "\n" not in written
    assert written.count("\r") == 3
    assert _visible(written) == "uri              3/5  PASS 2  FAIL 1"


@pytest.mark.parametrize(
    ("verdicts", "shown"),
    [
        ([Verdict.PASS], "PASS 1  FAIL 0"),
        ([Verdict.SKIP, Verdict.ERROR], "PASS 0  FAIL 0  SKIP 1  ERROR 1"),
        ([Verdict.KNOWN_FAILURE, Verdict.UNEXPECTED_PASS], "KNOWN_FAILURE 1  UNEXPECTED_PASS 1"),
    ],
)
def test_pass_and_fail_always_show_the_others_once_they_occur(
    verdicts: list[Verdict], shown: str
) -> None:
    stream, tick = FakeTTY(), Ticker()
    line = ProgressLine(stream, now=tick, width=200)
    for done, verdict in enumerate(verdicts, start=1):
        tick.now += 1
        line.update(done, 9, _outcome("f", verdict))
    assert _visible(stream.getvalue()).endswith(shown)


def test_redraws_are_throttled_but_family_changes_and_the_end_always_draw() -> None:
    stream, tick = FakeTTY(), Ticker()
    line = ProgressLine(stream, now=tick, interval=10.0, width=200)
    families = ["a", "a", "a", "b", "b", "b"]
    for done, family in enumerate(families, start=1):
        line.update(done, len(families), _outcome(family, Verdict.PASS))
    draws = [part.rstrip() for part in stream.getvalue().split("\r")[1:]]
    assert [d.split()[:2] for d in draws] == [["a", "1/6"], ["b", "4/6"], ["b", "6/6"]]


def test_a_shorter_line_blanks_out_what_the_longer_one_left() -> None:
    stream, tick = FakeTTY(), Ticker()
    line = ProgressLine(stream, now=tick, width=200)
    line.update(1, 2, _outcome("a_very_long_family_name", Verdict.UNEXPECTED_PASS))
    first = len(stream.getvalue()) - 1
    tick.now += 1
    line.update(2, 2, _outcome("b", Verdict.PASS))
    last = stream.getvalue().rsplit("\r", 1)[-1]
    assert len(last) >= first


def test_the_line_fits_the_terminal_and_clear_erases_it() -> None:
    stream = FakeTTY()
    line = ProgressLine(stream, width=20)
    line.update(1, 1000, _outcome("bip77_messages", Verdict.PASS))
    assert len(stream.getvalue()) - 1 <= 19
    line.clear()
    assert stream.getvalue().endswith("\r")
    assert _visible(stream.getvalue()) == ""


@pytest.mark.parametrize(
    ("stream", "enabled"),
    [(io.StringIO(), True), (FakeTTY(), False)],
    ids=["not-a-tty", "turned-off"],
)
def test_nothing_is_written_when_not_a_tty_or_turned_off(
    stream: io.StringIO, enabled: bool
) -> None:
    line = ProgressLine(stream, enabled=enabled)
    line.update(1, 1, _outcome("a", Verdict.PASS))
    line.clear()
    assert stream.getvalue() == ""
    assert not line.enabled


@pytest.mark.parametrize(
    ("argv", "drawn"),
    [
        ([], True),
        (["-q"], False),
        (["--json", "-"], False),
    ],
    ids=["tty", "quiet", "json-to-stdout"],
)
def test_pjconf_run_draws_only_on_a_tty_without_q_or_json_to_stdout(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    drawn: bool,
) -> None:
    tty = FakeTTY()
    monkeypatch.setattr("sys.stderr", tty)
    status = cli.main(["run", "--family", "hpke", *argv], clock=FixedClock(0))
    capsys.readouterr()
    assert status == 0
    assert ("hpke" in tty.getvalue() and "\r" in tty.getvalue()) is drawn
    if drawn:
        assert tty.getvalue().endswith("\r")  # erased before the report was printed
