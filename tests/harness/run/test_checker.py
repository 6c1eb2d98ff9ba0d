"""The verdict matrix: every (case result, reply kind) pair gets the verdict the runner promises."""

from __future__ import annotations

from dataclasses import replace

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
    case = replace(case, profile="payjoin-1.0")
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


def test_bip77_compares_no_reason() -> None:
    """No specification names ParseError reasons: only payjoin-1.0 pins them."""
    case = Case(
        "f", 1, "G", "", (), "invalid", "uri.parse", {}, None, {"kind": "ParseError", "reason": "A"}
    )
    assert judge(case, _reply("error", kind="ParseError", reason="B")).verdict is Verdict.PASS
    assert judge(case, _reply("error", kind="DecodeError")).verdict is Verdict.FAIL


@pytest.mark.parametrize(
    ("profile", "verdict"), [("bip77", Verdict.PASS), ("payjoin-1.0", Verdict.FAIL)]
)
def test_a_kind_of_the_same_class_passes_only_under_bip77(profile: str, verdict: Verdict) -> None:
    case = Case("hpke", 1, "G", "", (), "invalid", "hpke.open", {}, None, {"kind": "InvalidKey"})
    outcome = judge(replace(case, profile=profile), _reply("error", kind="OpenError"))
    assert outcome.verdict is verdict
    if verdict is Verdict.PASS:
        assert "OpenError" in outcome.detail
        assert "InvalidKey" in outcome.detail
        assert "RFC 9180 section 8.2" in outcome.detail


@pytest.mark.parametrize("kind", ["InternalError", "BadRequest", "InvalidArgument", "ParseError"])
def test_a_kind_outside_the_class_fails_under_every_profile(kind: str) -> None:
    case = Case("hpke", 1, "G", "", (), "invalid", "hpke.open", {}, None, {"kind": "InvalidKey"})
    for profile in ("bip77", "payjoin-1.0"):
        outcome = judge(replace(case, profile=profile), _reply("error", kind=kind))
        assert outcome.verdict is Verdict.FAIL


def test_a_transition_error_kind_is_compared_by_class_under_bip77() -> None:
    expected = {"outcome": "replyable", "error": {"kind": "Error::Protocol"}}
    case = Case("transitions", 1, "", "", (), "valid", "session.call", {}, expected)
    same = {"outcome": "replyable", "error": {"kind": "ProtocolError::OriginalPayload"}}
    other = {"outcome": "replyable", "error": {"kind": "Error::Implementation"}}
    passed = judge(case, Reply("result", same))
    assert passed.verdict is Verdict.PASS
    assert "ProtocolError::OriginalPayload" in passed.detail
    assert judge(case, Reply("result", other)).verdict is Verdict.FAIL
    strict = replace(case, profile="payjoin-1.0")
    assert judge(strict, Reply("result", same)).verdict is Verdict.FAIL


def test_an_open_case_names_its_flag_and_a_pinned_fail_says_so() -> None:
    case = Case(
        "uri",
        1,
        "G",
        "",
        ("PayjoinUrl",),
        "acceptable",
        "uri.parse",
        {},
        None,
        None,
        profiles={"payjoin-1.0": {"result": "valid", "expected": {"out": "aa"}}},
        open_flags=("PayjoinUrl",),
    )
    accepted = judge(case, _reply("result", out="zz"))
    assert accepted.verdict is Verdict.ACCEPTABLE
    assert "open: PayjoinUrl" in accepted.detail
    pinned = replace(case, result="valid", expected={"out": "aa"}, profile="payjoin-1.0")
    failed = judge(pinned, _reply("result", out="zz"))
    assert failed.verdict is Verdict.FAIL
    assert "pinned by --profile payjoin-1.0; acceptable under bip77: PayjoinUrl" in failed.detail
