"""``sessions`` cases compare what a session paid, not only the path it took.

Each wrapper below is the reference with one payment-level change that keeps every step's
outcome and state: the path and the event names match the committed case, which is what the
cases compared before. The content comparison must FAIL them, under both profiles.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pjconf.harness.corpus.load import Case, cases_of, load_file
from pjconf.harness.corpus.profiles import PAYJOIN_10, PROFILES, in_profile
from pjconf.harness.implementations.client import Client, InProcessClient, Reply
from pjconf.harness.run.checker import Verdict, judge
from pjconf.harness.sessions import content
from pjconf.harness.sessions.drive import drive
from pjconf.protocol.wire import JsonObject
from pjconf.reference.adapter.ops import reference_adapter
from pjconf.reference.payjoin.params import OutputSubstitution
from pjconf.reference.session.sender import machine

SESSIONS = Path(__file__).parents[3] / "vectors" / "session" / "sessions.json"
Rewrite = Callable[[str, JsonObject], JsonObject]


class Rewriting:
    """The reference, with the arguments of some ops rewritten before it sees them."""

    def __init__(self, rewrite: Rewrite) -> None:
        self._inner = InProcessClient(reference_adapter(seed="mutant"))
        self._rewrite = rewrite

    def call(self, op: str, args: JsonObject) -> Reply:
        return self._inner.call(op, self._rewrite(op, args))

    def close(self) -> None:
        self._inner.close()


def _case(role: str, path: str) -> Case:
    for case in cases_of(load_file(SESSIONS)):
        args = case.args
        if args.get("iut_role") == role and args.get("path") == path and not args.get("crash"):
            return case
    raise AssertionError(f"no sessions case {role} {path}")


def _same_path_other_payment(client: Client, case: Case) -> None:
    """The wrapper passes what the cases used to compare, and fails them now, in every
    profile."""
    reply = drive(client, case.args)
    assert reply.kind == "result", reply.value
    expected = case.expected or {}
    for key in ("path", "events", "closed"):
        assert reply.value[key] == expected[key], key
    for profile in PROFILES:
        outcome = judge(in_profile(case, profile), reply)
        assert outcome.verdict is Verdict.FAIL, (profile, outcome.detail)
        assert "contents" in outcome.detail


def test_the_reference_passes_its_own_cases_in_every_profile() -> None:
    for path in ("success", "success_contributed"):
        for role in ("sender", "receiver"):
            case = _case(role, path)
            reply = drive(InProcessClient(reference_adapter(seed="other")), case.args)
            for profile in PROFILES:
                outcome = judge(in_profile(case, profile), reply)
                assert outcome.verdict is Verdict.PASS, (role, path, profile, outcome.detail)


def test_a_sender_offering_another_fee_contribution_fails() -> None:
    def more_fee(op: str, args: JsonObject) -> JsonObject:
        if op == "session.new_sender":
            return {**args, "fee_contribution": {"max_amount": 500, "change_vout": 1}}
        return args

    _same_path_other_payment(Rewriting(more_fee), _case("sender", "success_contributed"))


def test_a_receiver_taking_another_fee_fails() -> None:
    def higher_floor(op: str, args: JsonObject) -> JsonObject:
        inner = args.get("args")
        if op == "session.call" and args.get("method") == "apply_fee_range":
            return {
                **args,
                "args": {
                    **(inner if isinstance(inner, dict) else {}),
                    "min_fee_rate": 3000,
                    "max_effective_fee_rate": 100_000,
                },
            }
        return args

    _same_path_other_payment(Rewriting(higher_floor), _case("receiver", "success_contributed"))


def test_a_receiver_paying_itself_another_amount_fails() -> None:
    def bigger_coin(op: str, args: JsonObject) -> JsonObject:
        inner = args.get("args")
        if op == "session.call" and args.get("method") == "contribute_inputs":
            assert isinstance(inner, dict)
            coins = [
                {**coin, "txout": {**coin["txout"], "value": coin["txout"]["value"] + 1000}}
                for coin in inner["inputs"]
            ]
            return {**args, "args": {**inner, "inputs": coins}}
        return args

    _same_path_other_payment(Rewriting(bigger_coin), _case("receiver", "success_contributed"))


@pytest.fixture
def substitution_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference's sender with output substitution flipped off (payjoin 1.0's v2 sender
    keeps it enabled unless its caller disables it)."""
    built = machine.SenderBuilder.from_parts

    def flipped(psbt: object, pj: object, payee: bytes, amount: int | None) -> object:
        builder = built(psbt, pj, payee, amount)  # type: ignore[arg-type]
        return replace(builder, output_substitution=OutputSubstitution.DISABLED)

    monkeypatch.setattr(machine.SenderBuilder, "from_parts", staticmethod(flipped))


@pytest.mark.usefixtures("substitution_disabled")
@pytest.mark.parametrize("role", ["sender", "receiver"])
def test_a_sender_flipping_output_substitution_fails(role: str) -> None:
    """As the sender, its own log says so; as the receiver's peer it is the reference that
    flips, so this only shows the receiver's log carries the flag it was sent."""
    case = _case(role, "success")
    client = InProcessClient(reference_adapter(seed="flipped"))
    if role == "sender":
        _same_path_other_payment(client, case)
        return
    reply = drive(client, case.args)
    assert reply.kind == "result"
    retrieved = [e for e in reply.value["contents"] if "RetrievedOriginalPayload" in e]
    params = retrieved[0]["RetrievedOriginalPayload"]["original"]["params"]
    assert params["output_substitution"] == "Disabled"


def test_error_texts_are_compared_under_payjoin_10_only() -> None:
    case = _case("sender", "error_reply/input_owned")
    reply = drive(InProcessClient(reference_adapter(seed="texts")), case.args)
    assert reply.kind == "result"
    texts = reply.value["texts"]
    assert texts["steps"], "the sender's poll reports the receiver's error"
    kind = texts["steps"][-1][1]
    reworded = {**texts, "steps": [[*s[:2], "another text"] for s in texts["steps"]]}
    changed = Reply("result", {**reply.value, "texts": reworded})
    assert judge(in_profile(case, "bip77"), changed).verdict is Verdict.PASS
    pinned = judge(in_profile(case, PAYJOIN_10), changed)
    assert pinned.verdict is Verdict.FAIL
    assert "texts" in pinned.detail
    assert kind == "ResponseError::WellKnown"


def test_what_varies_is_left_out_and_named() -> None:
    document = load_file(SESSIONS)
    raw = next(
        test
        for group in document["testGroups"]
        for test in group["tests"]
        if test["args"]
        == {"iut_role": "receiver", "path": "success_contributed", "seed": "pjconf/sessions"}
    )
    assert content.VARYING in json.dumps(raw["expected"])
    named = {entry["field"] for entry in raw["varies"]}
    assert named == set(content.VARIES) - {"receiver.GotReplyableError.message"}
    replied = next(
        test
        for group in document["testGroups"]
        for test in group["tests"]
        if test["args"].get("path") == "error_reply/input_owned"
    )
    assert "receiver.GotReplyableError.message" in {e["field"] for e in replied["varies"]}


def test_inputs_are_a_set_and_signatures_a_presence() -> None:
    txin = {"previous_output": "aa:0", "script_sig": "", "sequence": 1, "witness": []}
    other = {**txin, "previous_output": "bb:1"}
    signed = {"final_script_witness": ["3044", "02ab"], "partial_sigs": {"02ab": "3044"}}
    tx: dict[str, Any] = {"version": 2, "lock_time": 0, "input": [other, txin], "output": []}
    psbt: dict[str, Any] = {
        "unsigned_tx": tx,
        "inputs": [signed, {}],
        "outputs": [],
    }
    swapped = {
        **psbt,
        "unsigned_tx": {**tx, "input": [txin, other]},
        "inputs": [{}, {**signed, "final_script_witness": ["3045", "02ab"]}],
    }
    assert content.psbt_content(psbt) == content.psbt_content(swapped)
    unsigned = {**psbt, "inputs": [{}, {}]}
    assert content.psbt_content(psbt) != content.psbt_content(unsigned)
