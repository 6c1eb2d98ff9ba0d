"""A lone surrogate in a drawn input (a corpus event's ``\\ud800`` escape, read and edited) never
breaks the run: edited events keep it escaped, and the summary, the JSON report and a saved
finding are still written. Found by a 60,000-case run against rust-payjoin 1.0.0, whose summary
died on ``UnicodeEncodeError``."""

from __future__ import annotations

import io
import json
from pathlib import Path

from pjconf.harness.cli.fuzz import _Printable
from pjconf.harness.excerpt import utf8_json
from pjconf.harness.fuzz.model import Finding
from pjconf.harness.fuzz.save import save_findings
from pjconf.harness.fuzz.strategies.mutate import compact

LONE = {"GotReplyableError": {"error_code": "x\ud800", "message": "é", "extra": {}}}


def test_an_edited_event_keeps_a_lone_surrogate_escaped() -> None:
    text = compact(LONE)
    text.encode("utf-8")
    assert "\\ud800" in text
    assert "é" in text
    assert json.loads(text) == LONE
    assert compact({"m": "é"}) == '{"m":"é"}'  # serde_json's form when nothing needs escaping


def test_reports_and_summaries_carry_a_lone_surrogate() -> None:
    assert json.loads(utf8_json(LONE)) == LONE
    utf8_json(LONE).encode("utf-8")
    assert utf8_json({"m": "é"}) == '{"m": "é"}'
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    print("input: x\ud800", file=_Printable(stream))
    stream.flush()
    assert stream.buffer.getvalue() == b"input: x\\ud800\n"


def test_a_finding_with_a_lone_surrogate_is_saved(tmp_path: Path) -> None:
    args = {"role": "receiver", "event": '{"GotReplyableError":"\ud800"}'}
    finding = Finding(
        engine="stateless",
        target="event.roundtrip",
        key="event.roundtrip [receiver x]: error DecodeError -> malfunction",
        summary="s",
        detail="d",
        family="fuzz_events",
        group={"type": "event.roundtrip"},
        case={
            "comment": "c",
            "flags": [],
            "result": "invalid",
            "op": "event.roundtrip",
            "args": args,
            "error": {"kind": "DecodeError"},
        },
    )
    (written,) = save_findings([finding], tmp_path)
    (case,) = json.loads(written.read_text("utf-8"))["testGroups"][0]["tests"]
    assert case["args"] == args
