"""Adapters with no payjoin code that try to pass: a recorded transcript and fixed refusals.

Both are real adapter processes (Python scripts spoken to over stdin/stdout, as ``--impl cmd:``
runs them). The transcript adapter replays answers the reference gave to the same requests in an
earlier run: it passes every committed case, and fails once the run adds fresh variants. The
refusing adapter answers every op with the error kind the corpus expects most often for it: none
of its refusals is credited, because it accepts nothing.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from pjconf.harness.corpus.load import Case, load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.corpus.profiles import PAYJOIN_10, in_profile
from pjconf.harness.implementations.client import ProcessClient
from pjconf.harness.run.checker import Verdict
from pjconf.harness.run.runner import run
from pjconf.harness.run.variants import fresh_variants

RECORDER = """
import json, sys
from pjconf.protocol.wire import encode_line, parse_request
from pjconf.reference.adapter.ops import reference_adapter

adapter = reference_adapter(seed="recorded")
with open(sys.argv[1], "a") as book:
    for line in sys.stdin:
        request = parse_request(line)
        answer = adapter.handle(request)
        key = json.dumps([request.op, request.args], sort_keys=True)
        book.write(json.dumps([key, {k: v for k, v in answer.items() if k != "id"}]) + "\\n")
        book.flush()
        sys.stdout.write(encode_line(answer) + "\\n")
        sys.stdout.flush()
        if request.op == "shutdown":
            break
"""

REPLAYER = """
import json, os, sys

book, state_path = {}, sys.argv[2]
for line in open(sys.argv[1]):
    key, answer = json.loads(line)
    book.setdefault(key, []).append(answer)
seen = json.load(open(state_path)) if os.path.exists(state_path) else {}
for line in sys.stdin:
    request = json.loads(line)
    key = json.dumps([request["op"], request.get("args", {})], sort_keys=True)
    answers = book.get(key, [])
    n = seen.get(key, 0)
    seen[key] = n + 1
    json.dump(seen, open(state_path, "w"))
    answer = answers[min(n, len(answers) - 1)] if answers else {
        "error": {"kind": "InternalError", "message": "not in the transcript"}}
    sys.stdout.write(json.dumps({"id": request["id"], **answer}) + "\\n")
    sys.stdout.flush()
    if request["op"] == "shutdown":
        break
"""

REFUSER = """
import json, sys

kinds = json.load(open(sys.argv[1]))
for line in sys.stdin:
    request = json.loads(line)
    op = request["op"]
    if op == "hello":
        answer = {"result": {"protocol": 1, "implementation": "refuser", "version": "0",
                             "ops": ["hello", "shutdown", *kinds]}}
    elif op == "shutdown":
        answer = {"result": {}}
    else:
        answer = {"error": {"kind": kinds.get(op, "Refused"), "message": "no"}}
    sys.stdout.write(json.dumps({"id": request["id"], **answer}) + "\\n")
    sys.stdout.flush()
"""


def _script(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def corpus() -> list[Case]:
    return load_corpus(vectors_dir())


def test_a_recorded_transcript_passes_committed_cases_and_fails_fresh_variants(
    tmp_path: Path, corpus: list[Case]
) -> None:
    # Judged by payjoin-1.0, which pins every byte (under bip77 the one output-open transition,
    # ResumedDiffersFromLive, accepts any answer, so no transcript could be caught there).
    chosen = [
        in_profile(c, PAYJOIN_10)
        for c in corpus
        if c.family == "transitions" or c.name in ("sessions/1", "sessions/2", "replay/1")
    ]
    book = tmp_path / "transcript.jsonl"
    recorder = ProcessClient(
        [sys.executable, str(_script(tmp_path, "rec.py", RECORDER)), str(book)]
    )
    recording = run(recorder, chosen)
    recorder.close()
    assert recording.count(Verdict.PASS) == len(chosen)

    replayer_script = _script(tmp_path, "replay.py", REPLAYER)

    def replayer(state: str) -> ProcessClient:
        return ProcessClient(
            [sys.executable, str(replayer_script), str(book), str(tmp_path / state)]
        )

    fooled = run(replayer("a.json"), chosen)
    assert fooled.count(Verdict.PASS) == len(chosen), "the threat: committed cases alone are fooled"

    variants = fresh_variants("fresh", chosen)
    assert set(variants.by_name) == {c.name for c in chosen}
    caught = run(replayer("b.json"), chosen, variants=variants)
    assert caught.count(Verdict.PASS) == 0
    assert caught.count(Verdict.FAIL) + caught.count(Verdict.ERROR) == len(chosen)
    assert all("fresh variant (run seed fresh)" in o.detail for o in caught.outcomes)


def test_fixed_refusals_earn_nothing(tmp_path: Path, corpus: list[Case]) -> None:
    chosen = [c for c in corpus if c.op is not None]
    kinds: dict[str, Counter[str]] = {}
    for c in corpus:
        if c.op is not None and c.error is not None and isinstance(c.error.get("kind"), str):
            kinds.setdefault(c.op, Counter())[c.error["kind"]] += 1
    table = {op: counts.most_common(1)[0][0] for op, counts in kinds.items()}
    table_path = tmp_path / "kinds.json"
    table_path.write_text(json.dumps(table))
    client = ProcessClient(
        [sys.executable, str(_script(tmp_path, "refuse.py", REFUSER)), str(table_path)]
    )
    result = run(client, chosen, corpus=corpus)
    client.close()
    invalid = [o for o in result.outcomes if o.case.result == "invalid"]
    matched_kind = [o for o in invalid if "unearned" in o.detail]
    assert len(matched_kind) > 100, "the adapter does match many expected kinds"
    assert result.verified == 0
    assert all(o.verdict is not Verdict.PASS for o in result.outcomes)
