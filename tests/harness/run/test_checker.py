"""The verdict matrix: every (case result, reply kind) pair gets the verdict the runner promises."""

from __future__ import annotations

import pytest

from pjconf.harness.corpus.load import Case
from pjconf.harness.implementations.client import Reply, ReplyKind
from pjconf.harness.run.checker import Verdict, judge


def _case(result: str) -> Case:
    return Case(
        family="f",
        tc_id=1,
        group_type="G",
        comment="",
        flags=(),
        result=result,
        op="x.op",
        args={},
        expected={"out": "aa"} if result != "invalid" else None,
        error={"kind": "OpenError"} if result != "valid" else None,
    )


def _reply(reply_kind: ReplyKind, /, **value: object) -> Reply:
    return Reply(reply_kind, dict(value))


@pytest.mark.parametrize(
    ("result", "reply", "verdict"),
    [
        ("valid", _reply("result", out="aa"), Verdict.PASS),
        ("valid", _reply("result", out="aa", extra=1), Verdict.PASS),
        ("valid", _reply("result", out="ab"), Verdict.FAIL),
        ("valid", _reply("result"), Verdict.FAIL),
        ("valid", _reply("error", kind="OpenError", message=""), Verdict.FAIL),
        ("invalid", _reply("error", kind="OpenError", message=""), Verdict.PASS),
        ("invalid", _reply("error", kind="InvalidKey", message=""), Verdict.FAIL),
        ("invalid", _reply("result", out="aa"), Verdict.FAIL),
        ("acceptable", _reply("result", out="aa"), Verdict.ACCEPTABLE),
        ("acceptable", _reply("result", out="zz"), Verdict.FAIL),
        ("acceptable", _reply("error", kind="OpenError", message=""), Verdict.ACCEPTABLE),
        ("acceptable", _reply("error", kind="Other", message=""), Verdict.FAIL),
        ("valid", _reply("unimplemented", message="no"), Verdict.SKIP),
        ("invalid", _reply("unimplemented", message="no"), Verdict.SKIP),
        ("valid", _reply("malfunction", message="crash"), Verdict.ERROR),
        ("invalid", _reply("malfunction", message="crash"), Verdict.ERROR),
    ],
)
def test_verdicts(result: str, reply: Reply, verdict: Verdict) -> None:
    assert judge(_case(result), reply).verdict is verdict


def test_error_reason_is_checked_when_the_case_names_one() -> None:
    case = Case(
        "f", 1, "G", "", (), "invalid", "uri.parse", {}, None, {"kind": "ParseError", "reason": "A"}
    )
    assert judge(case, _reply("error", kind="ParseError", reason="A")).verdict is Verdict.PASS
    outcome = judge(case, _reply("error", kind="ParseError", reason="B"))
    assert outcome.verdict is Verdict.FAIL
    assert "reason" in outcome.detail


def test_an_expected_error_object_pins_only_the_keys_it_lists() -> None:
    expected = {"outcome": "transient", "error": {"kind": "Error::Implementation"}}
    case = Case("transitions", 1, "", "", (), "valid", "session.call", {}, expected)
    same_kind = {"outcome": "transient", "error": {"kind": "Error::Implementation", "message": "x"}}
    other_kind = {"outcome": "transient", "error": {"kind": "Error::Protocol", "message": "x"}}
    assert judge(case, Reply("result", same_kind)).verdict is Verdict.PASS
    assert judge(case, Reply("result", other_kind)).verdict is Verdict.FAIL
    assert judge(case, Reply("result", {"outcome": "transient"})).verdict is Verdict.FAIL
