"""The ``transitions`` family: resume a log, call one method, check what it did to the log.

Each case has a ``setup`` step (``session.resume`` of a log the reference wrote in a live
session, bound as ``$handle``) and then one ``session.call`` with the wallet's answers as data.
The expected result is payjoin 1.0's: the effect class (``progress``, ``stasis``, ``transient``,
``replyable``, ``fatal``, ``terminal``), the events appended (byte for byte: none of these
methods draws randomness, and signatures are RFC 6979), whether the persister is closed, the
state handed back, and for a failure the error's kind. Every method of every state is called
with an answer that succeeds, one that makes the check fail (a replyable error) and ``"error"``
(the wallet callback itself fails, which payjoin treats as transient), where the method has them.

Methods that need the directory (``process_response`` of a poll or a post) are not here: the
``sessions`` family drives those through the harness's mailbox.
"""

from __future__ import annotations

import json

from pjconf.harness.implementations.reference import reference_client
from pjconf.harness.run.coverage import CANCELLABLE
from pjconf.harness.sessions.paths import METHOD_IN_STATE, rejections
from pjconf.harness.vectorgen import CaseIds, Json, envelope, texts
from pjconf.harness.vectorgen.fixtures import named_key
from pjconf.harness.vectorgen.sender_builder import NOTES as BUILDER_NOTES
from pjconf.harness.vectorgen.sender_builder import sender_builder_cases
from pjconf.harness.vectorgen.session_logs import (
    NOW,
    SessionLog,
    drive_reference,
    path_names,
    prefixes,
    session_payment,
)
from pjconf.harness.vectorgen.transitions_expiry import NOTES as EXPIRY_NOTES
from pjconf.harness.vectorgen.transitions_expiry import expiry_cases
from pjconf.harness.vectorgen.transitions_inputs import NOTES as INPUT_NOTES
from pjconf.harness.vectorgen.transitions_inputs import cases as original_input_cases
from pjconf.harness.vectorgen.transitions_receiver import NOTES as RECEIVER_EDGE_NOTES
from pjconf.harness.vectorgen.transitions_receiver import receiver_edge_cases
from pjconf.reference.adapter.payment import Payment, receiver_contribution
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.bip77.uri import PjUri, format_uri, new_pj_param
from pjconf.reference.session.json_codec import decode_receiver_event
from pjconf.reference.session.receiver.events import FinalizedProposal

FAMILY = "transitions"
PATH = "session/transitions.json"
SEED = "pjconf/transitions"

NOTES: dict[str, Json] = {
    texts.FLAG: texts.NOTE,
    "Accepts": {
        "description": "The wallet's answers accept the payment: the method moves the session on.",
        "effect": "A wrong event, a missing save or a wrong next state.",
    },
    "CheckFails": {
        "description": "The wallet's answer fails the check (the input is ours, was seen "
        "before, no output is ours, the transaction cannot be broadcast): a replyable error; "
        "GotReplyableError is saved and the session stays open.",
        "effect": "An implementation that closes the session, or saves nothing, cannot send "
        "the sender its error reply or keep its fallback.",
    },
    "WalletError": {
        "description": 'The wallet callback itself fails ("error" as the answer): payjoin 1.0 '
        "treats an implementation error as transient, saves nothing and hands the state back.",
        "effect": "Saving an event, or closing, on a wallet hiccup ends a session that could "
        "have been retried.",
    },
    "FeeTooHigh": {
        "description": "apply_fee_range with a minimum fee rate the proposal cannot reach: "
        "every error of apply_fee_range is transient in payjoin 1.0.",
        "effect": "A fatal or saved error here loses the session.",
    },
    "Cancel": {
        "description": "cancel: Closed(Aborted) from the states without a fallback, Cancelled "
        "(keeping the fallback, PendingFallback) from the others.",
        "effect": "A cancel that forgets the fallback transaction loses the sender's payment.",
    },
    "Close": {
        "description": "PendingFallback.close(): Closed(Aborted), saved and closed.",
        "effect": "The log never records the end of the session.",
    },
    "Monitor": {
        "description": "check_for_transaction with the chain's answer: nothing yet (stasis), "
        "the payjoin (Success), the fallback (FallbackBroadcasted), or a failing lookup "
        "(transient).",
        "effect": "A wrong outcome tells the wallet the payment failed or succeeded wrongly.",
    },
    "ResumedDiffersFromLive": {
        "description": "payjoin 1.0 quirk (session-log P11): this method appends another event "
        "after a resume than it did in the live session, because replay rebuilds the PSBT's "
        "output maps as defaults. The vector pins the resumed behaviour.",
        "effect": "An implementation that keeps the live maps writes different bytes.",
    },
    "Edit": {
        "description": "An in-memory edit of the proposal (contribute_inputs): payjoin 1.0 "
        "persists nothing until the next commit, so the log must not change (stasis).",
        "effect": "Saving the edit writes an event payjoin 1.0 cannot replay.",
    },
    "Bip78UriToV2Sender": {
        "description": "session.new_sender with a BIP 78 pj URI: payjoin 1.0's v2 SenderBuilder "
        "supports only v2 URIs and must refuse it (InvalidArgument).",
        "effect": "payjoin 1.0.0 panics here (unimplemented!, send/v2/mod.rs): a wallet that "
        "hands it a v1 URI crashes.",
    },
    "BadBuilderInput": {
        "description": "session.new_sender with an argument that does not parse.",
        "effect": "Must be refused with InvalidArgument and no session created.",
    },
    "ChangeIndexBoundary": {
        "description": "session.new_sender's fee_contribution.change_vout at the edges of the "
        "Original's two outputs: 1 (the change, the last index: accepted), 2 (equal to the "
        "number of outputs: refused), 0 (the payee's output: refused).",
        "effect": "BIP 78's additionalfeeoutputindex must name an output that exists and is "
        "not the payee's; an off-by-one builds a request the receiver must reject, or reads "
        "past the outputs.",
    },
    "FeeContributionBoundary": {
        "description": "fee_contribution.max_amount of 0, exactly the change output's value "
        "(accepted), and one satoshi more (refused: the output cannot pay it, clamping off).",
        "effect": "BIP 78's maxadditionalfeecontribution is paid from that output; one satoshi "
        "too many would make it negative.",
    },
    "PayeeAmountBoundary": {
        "description": "A pj URI whose amount is one satoshi more or less than the Original's "
        "payee output (refused), or exactly it (accepted).",
        "effect": "The sender must pay the amount the receiver asked for (BIP 21, BIP 78's "
        "Original); an off-by-one pays the wrong amount.",
    },
    "WrongState": {
        "description": "A method of another typestate: refused (InvalidState), nothing saved.",
        "effect": "An implementation that runs it corrupts the session.",
    },
    **EXPIRY_NOTES,
    **INPUT_NOTES,
    **RECEIVER_EDGE_NOTES,
    **BUILDER_NOTES,
}

SOURCES: list[Json] = [
    {
        "name": "payjoin 1.0.0: receive/v2/mod.rs and send/v2/mod.rs (transitions and their "
        "persistence kinds), core/persist.rs",
        "url": "https://github.com/payjoin/rust-payjoin",
        "revision": "60d0adbf",
        "note": "Outcomes as the session-log research §2.4/§3.4 tables; logs written by the "
        "pjconf reference, which rust-payjoin resumes alike (tests/interop).",
    },
]

RESULT_FIELDS = ("outcome", "appended", "closed", "state")
PREFERRED = "success_contributed"


def _calls(pay: Payment, state: str, txids: dict[str, str]) -> list[tuple[str, Json, str]]:
    """``(method, args, flag)`` for each call a state is tested with."""
    answers = pay.wallet_answers()
    failing = {r.method: r.answer for r in rejections(pay).values()}
    wallet_arg = {
        "check_broadcast_suitability": "can_broadcast",
        "check_inputs_not_owned": "owned_outpoints",
        "check_no_inputs_seen_before": "seen_outpoints",
        "identify_receiver_outputs": "receiver_scripts",
        "finalize_proposal": "signing_keys",
    }
    method = METHOD_IN_STATE.get(state)
    calls: list[tuple[str, Json, str]] = []
    if method is not None:
        calls.append((method, answers.get(method, {}), "Accepts"))
        if method in failing:
            calls.append((method, failing[method], "CheckFails"))
        if method in wallet_arg:
            calls.append((method, {wallet_arg[method]: "error"}, "WalletError"))
    if state == "UncheckedOriginalPayload":
        calls.append(("assume_interactive_receiver", {}, "Accepts"))
    if state == "WantsInputs":
        calls.append(("contribute_inputs", receiver_contribution(pay, tag="another-coin"), "Edit"))
    if state == "WantsFeeRange":
        calls.append(("apply_fee_range", {"min_fee_rate": 1_000_000}, "FeeTooHigh"))
    if state == "Monitor":
        calls += [
            ("check_for_transaction", {"found_txids": []}, "Monitor"),
            ("check_for_transaction", {"found_txids": [txids["payjoin"]]}, "Monitor"),
            ("check_for_transaction", {"found_txids": [txids["fallback"]]}, "Monitor"),
            ("check_for_transaction", {"found_txids": "error"}, "Monitor"),
        ]
    if state == "PendingFallback":
        calls.append(("close", {}, "Close"))
    return calls


def _txids(pay: Payment, receiver_log: tuple[str, ...]) -> dict[str, str]:
    """The payjoin's txid (the finalized proposal's) and the fallback's, display order."""
    finalized = next(
        e for e in map(decode_receiver_event, receiver_log) if isinstance(e, FinalizedProposal)
    )
    return {
        "payjoin": finalized.psbt.unsigned_tx.txid_hex(),
        "fallback": pay.fallback_tx.txid_hex(),
    }


class _Caller:
    def __init__(self, seed: str) -> None:
        self.client = reference_client(seed=seed)

    def call(self, op: str, args: Json) -> tuple[str, Json]:
        reply = self.client.call(op, args)
        return reply.kind, dict(reply.value)

    def case(
        self,
        ids: CaseIds,
        log: SessionLog,
        method: str,
        args: Json,
        flags: list[str],
        *,
        live_appended: list[str] | None = None,
    ) -> Json:
        resume = {"role": log.role, "events": list(log.events), "now": NOW}
        resumed = self.client.call("session.resume", resume)
        if resumed.kind != "result":
            raise AssertionError(f"the reference cannot resume its own log: {resumed}")
        handle = resumed.value["handle"]
        call = {"handle": "$handle", "method": method, "args": args}
        reply = self.client.call("session.call", {**call, "handle": handle, "now": NOW})
        self.client.call("session.drop", {"handle": handle})
        if resumed.value["state"] != log.state:
            raise AssertionError(f"resumed in {resumed.value['state']}, lived in {log.state}")
        setup = [
            {
                "op": "session.resume",
                "args": resume,
                "bind": {"handle": "handle"},
                "expect": {"state": log.state},
            }
        ]
        comment = f"{log.role} in {log.state} ({log.path}): {method}({_brief(args)})"
        base = {"tcId": ids(), "comment": comment, "flags": flags, "setup": setup}
        if reply.kind == "error":
            error = {"kind": reply.value["kind"]}
            case = {**base, "result": "invalid", "op": "session.call", "args": call, "error": error}
            return texts.with_text(case, reply.value["kind"], reply.value.get("message"))
        if reply.kind != "result":
            raise AssertionError(f"{comment}: the reference answered {reply}")
        expected = {k: reply.value[k] for k in RESULT_FIELDS}
        if "error" in reply.value:
            expected["error"] = {"kind": reply.value["error"]["kind"]}
        if "value" in reply.value:
            expected["value"] = reply.value["value"]
        if live_appended is not None and live_appended != expected["appended"]:
            base["flags"] = [*flags, "ResumedDiffersFromLive"]
        case = {**base, "result": "valid", "op": "session.call", "args": call, "expected": expected}
        reported = reply.value.get("error")
        if not isinstance(reported, dict):
            return case
        return texts.with_text(case, reported.get("kind"), reported.get("message"))


def _brief(args: Json) -> str:
    """The answers, shortened for a comment."""
    text = ", ".join(f"{k}={json.dumps(v)}" for k, v in args.items())
    return text if len(text) <= 72 else text[:60] + "..."


def generate(seed: str = SEED) -> Json:
    """The family; another ``seed`` gives the same cases (ids, paths, states, outcomes) over
    other keys, coins and logs: the runner's fresh variants."""
    ids = CaseIds()
    caller = _Caller(seed)
    pay = session_payment(seed)
    logs: dict[tuple[str, str], SessionLog] = {}
    live_steps: dict[tuple[str, str], list[str]] = {}
    receiver_full: tuple[str, ...] = ()
    names = path_names(seed)
    # A real payjoin first: its WantsInputs, WantsFeeRange, ... logs hold a receiver input,
    # so apply_fee_range has fees to adjust (without one it accepts any range).
    names.remove(PREFERRED)
    for name in [PREFERRED, *names]:
        transcript = drive_reference(name, seed=seed)
        previous: dict[str, str] = {}
        for step in transcript.steps:
            if step.op == "session.call":
                method = str(step.args.get("method"))
                key = (previous.get(step.role, ""), method)
                live_steps.setdefault(key, step.result["appended"])
            previous[step.role] = step.state
        for log in prefixes(name, transcript):
            logs.setdefault((log.role, log.state), log)
            if name == PREFERRED and log.role == "receiver":
                receiver_full = log.events
    txids = _txids(pay, receiver_full)
    groups: dict[str, list[Json]] = {}
    for (role, state), log in sorted(logs.items()):
        if state == "Closed":
            continue
        calls = _calls(pay, state, txids) if role == "receiver" else []
        if role == "sender" and state == "PendingFallback":
            calls.append(("close", {}, "Close"))
        if state in CANCELLABLE[role]:
            calls.append(("cancel", {}, "Cancel"))
        for method, args, flag in calls:
            live = live_steps.get((state, method)) if flag == "Accepts" else None
            case = caller.case(ids, log, method, args, [flag], live_appended=live)
            groups.setdefault(flag, []).append(case)
    wrong = logs[("receiver", "WantsInputs")]
    groups["WrongState"] = [
        caller.case(ids, wrong, "finalize_proposal", pay.wallet_answers()["finalize_proposal"],
                    ["WrongState"]),
        caller.case(ids, logs[("sender", "WithReplyKey")], "close", {}, ["WrongState"]),
    ]  # fmt: skip
    groups["Builder"] = _builder_cases(ids, caller, pay)
    groups["Expiry"] = expiry_cases(ids, caller.client, seed, logs)
    groups["Builder"] += _builder_boundary_cases(ids, caller, pay)
    uri = _v2_uri(pay, pay.amount)
    groups["OriginalInputs"] = original_input_cases(ids, caller.client, pay, uri)
    groups.update(receiver_edge_cases(ids, caller, pay, logs))
    groups["Builder"] += sender_builder_cases(ids, caller.call, pay, _v2_uri(pay, pay.amount))
    ordered = [{"type": flag, "tests": tests} for flag, tests in groups.items()]
    return envelope(FAMILY, module=__name__, sources=SOURCES, notes=NOTES, groups=ordered)


def _builder_cases(ids: CaseIds, caller: _Caller, pay: Payment) -> list[Json]:
    """Building a session from input it must refuse: the builder's typed error, no session."""
    v1_uri = f"bitcoin:{pay.receiver_address}?amount=0.0005&pj=https://example.com/pj"
    sender = {"psbt": pay.original.to_base64(), "pj_uri": v1_uri, "min_fee_rate": 1000}
    cases = [
        ("session.new_sender", sender, "a BIP 78 (v1) pj URI given to the v2 sender builder",
         ["Bip78UriToV2Sender"]),
        ("session.new_sender", {**sender, "psbt": "not base64!"}, "an Original PSBT that is "
         "not base64", ["BadBuilderInput"]),
    ]  # fmt: skip
    out = []
    for op, args, comment, flags in cases:
        reply = caller.client.call(op, args)
        if reply.kind != "error":
            raise AssertionError(f"{comment}: the reference accepted it: {reply}")
        case = {
            "tcId": ids(),
            "comment": comment,
            "flags": flags,
            "result": "invalid",
            "op": op,
            "args": args,
            "error": {"kind": reply.value["kind"]},
        }
        out.append(texts.with_text(case, reply.value["kind"], reply.value.get("message")))
    return out


def _v2_uri(pay: Payment, amount: int) -> str:
    """A v2 pj URI for ``pay``'s receiver, expiring at 2^32 - 1 (no clock reaches it)."""
    keys = OhttpKeyConfig.bip77(1, named_key("ohttp gateway").public)
    pj = new_pj_param("https://payjo.in", named_key("receiver").public_compressed, keys, 2**32 - 1)
    return format_uri(PjUri(pay.receiver_address, amount, pj))


def _builder_boundary_cases(ids: CaseIds, caller: _Caller, pay: Payment) -> list[Json]:
    """The builder's index and amount arguments at their edges, accepted and refused."""
    outputs = pay.original.unsigned_tx.outputs
    payee = next(i for i, o in enumerate(outputs) if o.script_pubkey == pay.receiver_script)
    change = next(i for i, o in enumerate(outputs) if i != payee)
    value = outputs[change].value
    base: Json = {"psbt": pay.original.to_base64(), "pj_uri": _v2_uri(pay, pay.amount)}
    base["min_fee_rate"] = 1000
    fee = {"max_amount": 1000, "change_vout": change}
    cases: list[tuple[Json, str, str]] = [
        ({**fee, "change_vout": len(outputs) - 1}, f"change_vout {len(outputs) - 1}, the last "
         "output", "ChangeIndexBoundary"),
        ({**fee, "change_vout": len(outputs)}, f"change_vout {len(outputs)}, the number of "
         "outputs", "ChangeIndexBoundary"),
        ({**fee, "change_vout": payee}, f"change_vout {payee}, the payee's output",
         "ChangeIndexBoundary"),
        ({**fee, "max_amount": 0}, "max_amount 0", "FeeContributionBoundary"),
        ({**fee, "max_amount": value}, f"max_amount {value}, the change output's value",
         "FeeContributionBoundary"),
        ({**fee, "max_amount": value + 1}, f"max_amount {value + 1}, one satoshi more than the "
         "change output", "FeeContributionBoundary"),
    ]  # fmt: skip
    if outputs[len(outputs) - 1].script_pubkey == pay.receiver_script:
        raise AssertionError("the last output must be the change for the index cases")
    out = []
    for contribution, comment, flag in cases:
        args = {**base, "fee_contribution": contribution}
        out.append(_builder_case(ids, caller, args, f"new_sender: {comment}", flag))
    for amount, comment in (
        (pay.amount - 1, "one satoshi less than"),
        (pay.amount, "exactly"),
        (pay.amount + 1, "one satoshi more than"),
    ):
        args = {**base, "pj_uri": _v2_uri(pay, amount)}
        text = f"new_sender: a URI amount of {amount} sats, {comment} the payee output"
        out.append(_builder_case(ids, caller, args, text, "PayeeAmountBoundary"))
    return out


def _builder_case(ids: CaseIds, caller: _Caller, args: Json, comment: str, flag: str) -> Json:
    """One new_sender case with the reference's verdict: its state, or its error kind."""
    reply = caller.client.call("session.new_sender", args)
    case: Json = {"tcId": ids(), "comment": comment, "flags": [flag]}
    if reply.kind == "error":
        verdict: Json = {"result": "invalid", "op": "session.new_sender", "args": args}
        refused = {**case, **verdict, "error": {"kind": reply.value["kind"]}}
        return texts.with_text(refused, reply.value["kind"], reply.value.get("message"))
    if reply.kind != "result":
        raise AssertionError(f"{comment}: the reference answered {reply}")
    caller.client.call("session.drop", {"handle": reply.value["handle"]})
    verdict = {"result": "valid", "op": "session.new_sender", "args": args}
    return {**case, **verdict, "expected": {"state": reply.value["state"]}}
