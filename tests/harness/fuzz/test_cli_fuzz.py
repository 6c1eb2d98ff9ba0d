"""``pjconf fuzz`` end to end: a finding in a real adapter process is reported with its key, the
command that reproduces it and a non-zero exit; saved, it replays through ``pjconf run
--vectors`` (FAIL on the mutant, PASS on the reference) and passes ``pjconf vectors lint``."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from harness.fuzz.fuzz_support import short_id_mutant_command

from pjconf.harness.cli import main
from pjconf.harness.corpus.lint import lint
from pjconf.harness.fuzz.known import FORMAT, KnownError, known_document, load_known
from pjconf.harness.fuzz.model import Budget, BudgetError

KEY = "short_id: result -> result (id)"


def _fuzz(impl: str, *extra: str) -> int:
    return main(
        [
            "fuzz",
            "--impl",
            impl,
            "--engine",
            "stateless",
            "--op",
            "short_id",
            "--budget",
            "40",
            "-q",
            *extra,
        ]
    )


def test_a_finding_is_saved_and_replays_through_pjconf_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutant = short_id_mutant_command(tmp_path)
    saved = tmp_path / "found"
    assert _fuzz(mutant, "--save", str(saved), "--seed", "s1") == 1
    out = capsys.readouterr().out
    assert f"key: {KEY}" in out
    assert "seed s1" in out
    replay = f"saved as fuzz_uri/1; replay: pjconf run --impl {shlex.quote(mutant)} --vectors "
    assert replay in out
    assert f"reproduce: pjconf fuzz --impl {shlex.quote(mutant)} --engine stateless" in out
    assert "--seed s1 --budget 40" in out
    assert lint(saved) == []
    document = json.loads((saved / "fuzz_uri.json").read_text())
    (case,) = document["testGroups"][0]["tests"]
    assert (case["key"], case["result"], case["flags"]) == (KEY, "valid", ["FuzzStateless"])
    assert set(document["notes"]) == {"FuzzStateless"}

    assert main(["run", "--impl", mutant, "--vectors", str(saved), "-q"]) == 1
    assert "FAIL fuzz_uri/1 [short_id]" in capsys.readouterr().out
    assert main(["run", "--vectors", str(saved), "-q"]) == 0

    # Saving again (another seed, the same bug) appends nothing: one case per key.
    assert _fuzz(mutant, "--save", str(saved), "--seed", "s2") == 1
    again = json.loads((saved / "fuzz_uri.json").read_text())
    assert again["numberOfTests"] == 1


def test_a_known_key_does_not_fail_the_run(tmp_path: Path) -> None:
    mutant = short_id_mutant_command(tmp_path)
    known = tmp_path / "known.json"
    known.write_text(json.dumps(known_document({KEY: "planted"})))
    report = tmp_path / "report.json"
    assert _fuzz(mutant, "--expectations", str(known), "--json", str(report)) == 0
    stateless = json.loads(report.read_text())["engines"]["stateless"]
    assert stateless["known"] > 0
    assert stateless["findings"] == 0
    assert stateless["known_seen"] == [KEY]


def test_the_same_seed_writes_the_same_report(tmp_path: Path) -> None:
    mutant = short_id_mutant_command(tmp_path)
    texts = []
    for name in ("a.json", "b.json"):
        _fuzz(mutant, "--reproducible", "--json", str(tmp_path / name), "--seed", "same")
        texts.append((tmp_path / name).read_text())
    assert texts[0] == texts[1]
    assert json.loads(texts[0])["findings"][0]["key"] == KEY


def test_the_reference_against_itself_has_no_finding(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fuzz", "--budget", "300", "-q"]) == 0
    out = capsys.readouterr().out
    assert "stateless: 150 cases" in out  # --engine all: half the budget each
    assert "pjconf fuzz: no new finding" in out


@pytest.mark.parametrize("bad", ["1.5", "ten", "-3", "5h", ""])
def test_a_bad_budget_is_a_usage_error(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["fuzz", "--budget", bad])
    assert stopped.value.code == 2
    assert "budget" in capsys.readouterr().err


def test_budgets_parse_as_time_or_cases() -> None:
    assert Budget.parse("60s") == Budget(seconds=60.0)
    assert Budget.parse("2m") == Budget(seconds=120.0)
    assert Budget.parse("5000") == Budget(cases=5000)
    assert Budget.parse("60s").split(0.5) == Budget(seconds=30.0)
    with pytest.raises(BudgetError):
        Budget.parse("1.5")


def test_a_bad_expectations_file_stops_the_run(tmp_path: Path) -> None:
    bad = tmp_path / "known.json"
    for text in (
        "{",
        json.dumps({"format": "other"}),
        json.dumps({"format": FORMAT, "known": [{"key": "k"}]}),
    ):
        bad.write_text(text)
        with pytest.raises(KnownError):
            load_known(bad)
        assert main(["fuzz", "--expectations", str(bad), "--budget", "1"]) == 2


def test_cannot_start_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fuzz", "--impl", "nonsense", "--budget", "1"]) == 2
    assert main(["fuzz", "--op", "no.such.op", "--budget", "1"]) == 2
    assert "no strategy for op no.such.op" in capsys.readouterr().err


def test_list_ops(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fuzz", "--list-ops"]) == 0
    listed = dict(line.split("\t") for line in capsys.readouterr().out.splitlines())
    assert listed["bip77.msg_a.open"] == "messages"
    assert listed["event.roundtrip"] == "events"
