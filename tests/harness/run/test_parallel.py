"""``pjconf run -j N``: several adapters at once, judged exactly as one adapter in order.

The scripted tests pin the commit rule (verdicts, breaker cut-offs and witness credits equal a
serial run's; a failing adapter costs at most one extra request per worker); the process tests
run real ``pjconf shim`` adapters: each crash-resume session restarts only the adapter of the
worker it was assigned to, and -j 2 writes byte-identical reproducible reports to -j 1.
"""

from __future__ import annotations

import json
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from harness.hostile_adapters import command, survivors, wrapper
from harness.run.run_support import ScriptedClient, case

from pjconf.harness import cli
from pjconf.harness.corpus.load import Case, load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.implementations.client import ProcessClient
from pjconf.harness.run.breaker import Breaker
from pjconf.harness.run.checker import Outcome
from pjconf.harness.run.parallel import assign, case_cost
from pjconf.harness.run.runner import RunResult, run

SHIM = [sys.executable, "-m", "pjconf.harness", "shim"]
PJCONF = [sys.executable, "-m", "pjconf.harness", "run"]


def _family(name: str, answers: str, *, result: str = "valid") -> list[Case]:
    words = {"p": "pass", "e": "error", "f": "fail", "r": "refuse"}
    return [case(name, i + 1, words[a], result=result) for i, a in enumerate(answers)]


def _seen(result: RunResult) -> list[tuple[str, str, str]]:
    return [(o.case.name, o.verdict.value, o.detail) for o in result.outcomes]


def _scripted(cases: list[Case], workers: int) -> tuple[RunResult, list[ScriptedClient]]:
    clients = [ScriptedClient() for _ in range(workers)]
    result = run(clients[0], cases, breaker=Breaker(3), helpers=clients[1:])
    return result, clients


MIXED = (
    _family("a", "ppfpppeppp")
    + _family("b", "eeeeeeeeee")  # cut off after three
    + _family("c", "eeee")  # its probe fails: cut off
    + _family("d", "pppppppp")
    + _family("e", "rrrr", result="invalid")  # refusals: earned only by a passing valid case
    + _family("e", "p")
)


@pytest.mark.parametrize("workers", [2, 3, 4])
def test_verdicts_breaker_and_witnesses_equal_a_serial_run(workers: int) -> None:
    serial, (alone,) = _scripted(MIXED, 1)
    parallel, clients = _scripted(MIXED, workers)
    assert _seen(parallel) == _seen(serial)
    assert (
        parallel.unresponsive
        == serial.unresponsive
        == {
            "b": "unresponsive: 3 consecutive failures, the rest of the family was not sent",
            "c": "unresponsive: 4 consecutive failures, the rest of the family was not sent",
        }
    )
    assert parallel.planned == serial.planned
    # Cases sent in vain: at most one per worker each time the breaker opens.
    sent = sum(len(c.calls) for c in clients)
    assert len(alone.calls) <= sent <= len(alone.calls) + 2 * workers
    assert all(c.calls for c in clients)  # every worker got work


def test_an_adapter_that_never_answers_is_given_up_as_in_a_serial_run() -> None:
    cases = _family("a", "e" * 6) + _family("b", "e" * 6) + _family("c", "e" * 6)
    cases += _family("d", "p" * 6)
    serial, (alone,) = _scripted(cases, 1)
    parallel, clients = _scripted(cases, 2)
    assert _seen(parallel) == _seen(serial)
    assert parallel.given_up == serial.given_up != ""
    assert len(alone.calls) == 5
    assert sum(len(c.calls) for c in clients) <= 5 + 2


def test_a_stop_keeps_the_committed_prefix_only() -> None:
    cases = _family("a", "p" * 40)
    answered: list[Outcome] = []

    def stop() -> bool:
        return len(answered) >= 10

    def progress(done: int, total: int, outcome: Outcome) -> None:
        answered.append(outcome)

    clients = [ScriptedClient(), ScriptedClient()]
    result = run(clients[0], cases, helpers=clients[1:], stop=stop, progress=progress)
    names = [o.case.name for o in result.outcomes]
    assert names == [f"a/{i}" for i in range(1, len(names) + 1)]  # in order, no gap
    assert 10 <= len(names) < 40
    assert result.not_reached() == 40 - len(names)


def _corpus() -> list[Case]:
    return [c for c in load_corpus(vectors_dir()) if c.op is not None]


def test_the_assignment_is_fixed_and_spreads_the_crash_sessions() -> None:
    corpus = _corpus()
    plan = assign(corpus, 4)
    assert plan == assign(list(corpus), 4)
    assert sorted(i for mine in plan for i in mine) == list(range(len(corpus)))
    assert all(mine == sorted(mine) for mine in plan)
    crash = [i for i, c in enumerate(corpus) if c.args.get("crash") is True]
    assert len(crash) >= 8
    per_worker = [sum(1 for i in mine if i in crash) for mine in plan]
    assert min(per_worker) >= 2, per_worker
    loads = [sum(case_cost(corpus[i]) for i in mine) for mine in plan]
    assert max(loads) - min(loads) <= max(case_cost(corpus[i]) for i in crash)


def test_a_crash_session_restarts_only_the_adapter_of_its_worker() -> None:
    """Two real shim processes: each crash-resume case's restarts land on the client the
    plan gave it, and every case still passes."""
    by_name = {c.name: c for c in _corpus()}
    chosen = [by_name[n] for n in ("sessions/53", "sessions/54", "sessions/56", "uri/1")]
    plan = assign(chosen, 2)
    clients = [ProcessClient(SHIM, timeout=30) for _ in range(2)]
    try:
        result = run(clients[0], chosen, helpers=clients[1:])
    finally:
        for client in clients:
            client.close()
    assert [o.verdict.value for o in result.outcomes] == ["PASS"] * 4, _seen(result)
    for client, mine in zip(clients, plan, strict=True):
        expected = sum(
            restarts
            for i in mine
            if isinstance(restarts := (chosen[i].expected or {}).get("restarts"), int)
        )
        assert client.restarts == expected
    assert all(client.restarts for client in clients)  # both workers had a crash case


def test_minus_j_2_writes_byte_identical_reproducible_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    impl = "cmd:" + shlex.join(SHIM)
    texts = {}
    for jobs in ("1", "2"):
        json_path, junit_path = tmp_path / f"j{jobs}.json", tmp_path / f"j{jobs}.xml"
        argv = ["run", "-q", "--impl", impl, "--reproducible", "--seed", "par", "-j", jobs]
        argv += ["--family", "replay", "--family", "hpke"]
        code = cli.main([*argv, "--json", str(json_path), "--junit", str(junit_path)])
        out = capsys.readouterr().out
        assert code == 0, out
        summary = re.sub(r"\(\d+\.\d+s\)", "(TIME)", out)  # the console prints its time
        texts[jobs] = (json_path.read_bytes(), junit_path.read_bytes(), summary)
    assert texts["1"] == texts["2"]


def test_minus_j_is_ignored_for_the_in_process_reference(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["run", "-q", "--family", "hpke", "-j", "0"]) == 0
    assert "-j is ignored for the in-process reference" in capsys.readouterr().err


def test_sigterm_with_minus_j_writes_partial_reports_exits_3_and_leaves_no_process(
    tmp_path: Path,
) -> None:
    pids = tmp_path / "pids"
    impl = "cmd:" + shlex.join(wrapper(tmp_path, "hang_after_hello", pids))
    reports = ["--json", str(tmp_path / "run.json"), "--junit", str(tmp_path / "run.xml")]
    argv = [*PJCONF, "--impl", impl, "--timeout", "30", "-j", "2", *reports]
    running = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert running.stderr is not None
    assert running.stderr.readline().startswith("[pjconf] bhttp: ")  # hello answered
    deadline = time.monotonic() + 20
    while len(survivors(pids)) < 4 and time.monotonic() < deadline:  # two wrappers, two adapters
        time.sleep(0.1)
    assert len(survivors(pids)) == 4
    started = time.monotonic()
    running.send_signal(signal.SIGTERM)
    out, err = running.communicate(timeout=30)
    assert time.monotonic() - started < 10
    assert running.returncode == 3, err
    assert "Traceback" not in out + err
    document = json.loads((tmp_path / "run.json").read_text())
    assert (document["partial"], document["interrupted"]) == (True, "SIGTERM")
    assert "interrupted (SIGTERM)" in (tmp_path / "run.xml").read_text()
    assert survivors(pids) == []


def test_the_deadline_with_minus_j_stops_the_run_with_partial_reports(tmp_path: Path) -> None:
    impl = "cmd:" + shlex.join(command(tmp_path, "hang_after_hello"))
    report = tmp_path / "run.json"
    argv = [*PJCONF, "--impl", impl, "--timeout", "30", "--deadline", "2", "-j", "2"]
    started = time.monotonic()
    done = subprocess.run(
        [*argv, "--json", str(report)], capture_output=True, text=True, timeout=60, check=False
    )
    assert time.monotonic() - started < 15
    assert done.returncode == 3, done.stderr[-2000:]
    assert "interrupted (--deadline 2s)" in done.stdout
    assert json.loads(report.read_text())["interrupted"] == "--deadline 2s"
