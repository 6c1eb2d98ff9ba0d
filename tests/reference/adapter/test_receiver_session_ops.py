"""The reference receiver through the shim's ``session.*`` ops: creation and its ``pj_uri``,
every receiver method from the typestate that has it (and ``InvalidState`` from every other),
the wallet answered from ``args`` (``"error"`` failing a callback), the three requests and
their responses, resume, single-use contexts and seeded determinism. Every step is checked
against the protocol's outcome table (docs/adapter-protocol.md, "Live sessions") by diffing the
log ``session.events`` reports before and after it. The directory is ``receiver_support``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from reference.adapter.session_ops_support import RECEIVER_METHODS, assert_logged, ok
from reference.session.receiver.receiver_support import (
    CONFIG,
    DIRECTORY,
    EXPIRATION,
    NOW,
    ORIGINAL,
    PAY,
    RATE,
    RECEIVER_ADDRESS,
    RECEIVER_WALLET,
    RELAY,
    SENDER_WALLET,
    Directory,
    happy_path,
    receiver_input,
)

from pjconf.harness.implementations.client import InProcessClient, Reply
from pjconf.reference.adapter.ops import reference_adapter
from pjconf.reference.adapter.payment import wif
from pjconf.reference.bip77.short_id import format_short_id, short_id
from pjconf.reference.bip77.uri import PjParamV2, parse_uri
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.bitcoin.tx import OutPoint, TxOut
from pjconf.reference.bitcoin.wallet import AddressKind, extract_tx
from pjconf.reference.crypto.secp256k1 import KeyPair
from pjconf.reference.entropy import SeededRandom
from pjconf.reference.payjoin.receiver import InputPair
from pjconf.reference.session.json_codec import decode_receiver_event, encode_receiver_event
from pjconf.reference.session.receiver.events import (
    Aborted,
    AppliedFeeRange,
    Cancelled,
    CheckedBroadcastSuitability,
    CheckedInputsNotOwned,
    CheckedNoInputsSeenBefore,
    Closed,
    CommittedInputs,
    CommittedOutputs,
    Created,
    ErrorCode,
    FallbackBroadcasted,
    FinalizedProposal,
    GotReplyableError,
    IdentifiedReceiverOutputs,
    PostedPayjoinProposal,
    ProtocolFailed,
    RetrievedOriginalPayload,
    Success,
)
from pjconf.reference.session.receiver.machine import Initialized
from pjconf.reference.session.sender.wire import Request

KEY = wif(RECEIVER_WALLET.key(AddressKind.P2WPKH).secret)
PAYEE_HEX = RECEIVER_WALLET.script_pubkey(AddressKind.P2WPKH).hex()
SENDER_INPUT = str(ORIGINAL.unsigned_tx.inputs[0].previous_output)
FALLBACK_TXID = ORIGINAL.extract_tx().txid_hex()


def failed(reply: Reply, kind: str) -> str:
    assert (reply.kind, reply.value.get("kind")) == ("error", kind), reply
    return str(reply.value["message"])


def coin(txout: TxOut, outpoint: str) -> dict[str, Any]:
    """One ``contribute_inputs`` input, in the protocol's form."""
    return {
        "outpoint": outpoint,
        "txout": {"value": txout.value, "script_pubkey": txout.script_pubkey.hex()},
    }


@dataclass(frozen=True)
class Coin:
    txout: TxOut
    outpoint: OutPoint


def _coin(tag: str) -> Coin:
    pair = receiver_input(tag)
    assert pair.psbtin.witness_utxo is not None
    return Coin(pair.psbtin.witness_utxo, pair.outpoint)


COIN = _coin("receiver-test/coin")
"""A P2WPKH coin of the receiver's wallet."""


def receiver_coin() -> dict[str, Any]:
    return coin(COIN.txout, str(COIN.outpoint))


@dataclass
class Receiver:
    """One receiver session of the shim, each step checked against the outcome table."""

    client: InProcessClient
    handle: str
    directory: Directory = field(default_factory=Directory)

    def op(self, op: str, args: dict[str, Any]) -> Reply:
        return self.client.call(op, {"handle": self.handle, "now": NOW, **args})

    def log(self) -> tuple[list[str], bool, str]:
        out = ok(self.op("session.events", {}))
        return out["events"], out["closed"], out["state"]

    def checked(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        before, was_closed, state = self.log()
        out = ok(self.op(op, args))
        after, closed, now_in = self.log()
        assert_logged(out, before, after, was_closed, closed)
        assert out["state"] == now_in
        if out["outcome"] in ("stasis", "transient"):
            assert now_in == state
        return out

    def call(self, method: str, **args: Any) -> dict[str, Any]:
        return self.checked("session.call", {"method": method, "args": args})

    def raw_call(self, method: str, **args: Any) -> Reply:
        return self.op("session.call", {"method": method, "args": args})

    def request(self, now: int = NOW) -> tuple[Request, str, str]:
        out = ok(self.op("session.request", {"relay": RELAY, "now": now}))
        assert out["method"] == "POST"
        req = Request(out["url"], out["content_type"], bytes.fromhex(out["body"]))
        return req, out["context"], out["created_by"]

    def roundtrip(self, **knobs: Any) -> dict[str, Any]:
        req, context, _ = self.request()
        for name, value in knobs.items():
            setattr(self.directory, name, value)
        body = self.directory.handle(req).hex()
        return self.checked("session.response", {"context": context, "body": body})


def client(seed: str = "ops") -> InProcessClient:
    return InProcessClient(reference_adapter(seed=seed))


def new_receiver(
    shim: InProcessClient | None = None, seed: str = "receiver", **extra: Any
) -> tuple[Receiver, dict[str, Any]]:
    shim = shim or client()
    args = {
        "address": RECEIVER_ADDRESS,
        "directory": DIRECTORY,
        "ohttp_keys": CONFIG.encode().hex(),
        "expiration": EXPIRATION,
        "seed": seed,
        "now": NOW,
        **extra,
    }
    out = ok(shim.call("session.new_receiver", args))
    return Receiver(shim, out["handle"]), out


def resumed(name: str, kind: str = "v2", shim: InProcessClient | None = None) -> Receiver:
    """A shim session resumed from the log that led ``happy_path(kind)`` to state ``name``."""
    shim = shim or client()
    events = [encode_receiver_event(e) for e in happy_path(kind).snapshots[name][1]]
    out = ok(shim.call("session.resume", {"role": "receiver", "events": events, "now": NOW}))
    assert (out["state"], out["closed"]) == (name, False)
    return Receiver(shim, out["handle"])


def decoded(out: dict[str, Any]) -> list[Any]:
    return [decode_receiver_event(t) for t in out["appended"]]


# -- creation --------------------------------------------------------------------------------------


def test_new_receiver_saves_created_and_hands_out_the_pj_uri() -> None:
    session, out = new_receiver(seed="created", amount=PAY)
    assert out["handle"].startswith("receiver-")
    assert out["state"] == "Initialized"
    (created,) = [decode_receiver_event(t) for t in out["appended"]]
    assert isinstance(created, Created)
    context = created.context
    assert context.receiver_key.secret == KeyPair.generate(SeededRandom("created")).secret
    assert (context.expiration, context.amount, context.max_fee_rate) == (EXPIRATION, PAY, 250)
    assert out["pj_uri"] == Initialized(context).pj_uri()
    uri = parse_uri(out["pj_uri"])
    assert (uri.address, uri.amount, uri.output_substitution) == (RECEIVER_ADDRESS, PAY, False)
    assert isinstance(uri.pj, PjParamV2)
    assert uri.pj.mailbox == short_id(context.receiver_key.public)
    assert session.log() == (out["appended"], False, "Initialized")


@pytest.mark.parametrize(
    ("extra", "field", "value"),
    [
        ({"expiration": NOW + 60}, "expiration", NOW + 60),
        ({"expiration": NOW - 60}, "expiration", NOW),  # what is left of it, never negative
        ({"amount": 12_345}, "amount", 12_345),
        ({"max_fee_rate": 4000}, "max_fee_rate", 4000),
    ],
)
def test_new_receiver_settings_reach_the_context(
    extra: dict[str, Any], field: str, value: int
) -> None:
    _, out = new_receiver(**extra)
    created = decode_receiver_event(out["appended"][0])
    assert isinstance(created, Created)
    assert getattr(created.context, field) == value


def test_without_an_expiration_a_session_lasts_a_day() -> None:
    shim = client()
    args = {
        "address": RECEIVER_ADDRESS,
        "directory": DIRECTORY,
        "ohttp_keys": CONFIG.encode().hex(),
    }
    created = decode_receiver_event(
        ok(shim.call("session.new_receiver", {**args, "now": NOW}))["appended"][0]
    )
    assert isinstance(created, Created)
    assert created.context.expiration == NOW + 24 * 3600


@pytest.mark.parametrize(
    "bad",
    [
        {"address": "bcrt1qnotanaddress"},
        {"directory": "dir.example"},
        {"ohttp_keys": "00"},
        {"ohttp_keys": None},
        {"amount": "lots"},
        {"seed": 1.5},
    ],
    ids=["address", "directory", "ohttp-keys", "no-ohttp-keys", "amount", "seed"],
)
def test_new_receiver_refuses_bad_arguments(bad: dict[str, Any]) -> None:
    args = {
        "address": RECEIVER_ADDRESS,
        "directory": DIRECTORY,
        "ohttp_keys": CONFIG.encode().hex(),
        "now": NOW,
        **bad,
    }
    failed(client().call("session.new_receiver", args), "InvalidArgument")


# -- a whole session -------------------------------------------------------------------------------


def test_whole_session_with_a_contribution_to_success() -> None:
    """Receiver and sender in one shim, through the directory: every method once, in order."""
    session, out = new_receiver(seed="whole")
    directory = session.directory
    sender = ok(
        session.client.call(
            "session.new_sender",
            {"psbt": ORIGINAL.to_base64(), "pj_uri": out["pj_uri"], "min_fee_rate": RATE},
        )
    )["handle"]

    def sender_roundtrip() -> dict[str, Any]:
        req = ok(session.client.call("session.request", {"handle": sender, "relay": RELAY}))
        body = directory.handle(
            Request(req["url"], req["content_type"], bytes.fromhex(req["body"]))
        )
        args = {"handle": sender, "context": req["context"], "body": body.hex()}
        return ok(session.client.call("session.response", args))

    assert session.roundtrip()["outcome"] == "stasis"  # nothing posted yet
    assert sender_roundtrip()["state"] == "PollingForProposal"
    polled = session.roundtrip()
    assert (polled["outcome"], polled["state"]) == ("progress", "UncheckedOriginalPayload")
    assert [type(e) for e in decoded(polled)] == [RetrievedOriginalPayload]
    steps: list[tuple[str, dict[str, Any]]] = [
        ("check_broadcast_suitability", {"can_broadcast": True, "min_fee_rate": RATE}),
        ("check_inputs_not_owned", {"owned_outpoints": []}),
        ("check_no_inputs_seen_before", {"seen_outpoints": []}),
        ("identify_receiver_outputs", {"receiver_scripts": [PAYEE_HEX]}),
        ("commit_outputs", {}),
        ("contribute_inputs", {"inputs": [receiver_coin()]}),
        ("commit_inputs", {}),
        ("apply_fee_range", {"max_effective_fee_rate": 2**30}),
        ("finalize_proposal", {"signing_keys": [KEY]}),
    ]
    events = []
    for method, args in steps:
        out = session.call(method, **args)
        assert out["outcome"] == ("stasis" if method == "contribute_inputs" else "progress")
        events += decoded(out)
    assert [type(e) for e in events] == [
        CheckedBroadcastSuitability,
        CheckedInputsNotOwned,
        CheckedNoInputsSeenBefore,
        IdentifiedReceiverOutputs,
        CommittedOutputs,
        CommittedInputs,
        AppliedFeeRange,
        FinalizedProposal,
    ]
    finalized = events[-1]
    assert Psbt.from_base64(out["value"]["psbt"]) == finalized.psbt
    assert len(finalized.psbt.unsigned_tx.inputs) == 2
    posted = session.roundtrip()
    assert (posted["state"], decoded(posted)) == ("Monitor", [PostedPayjoinProposal()])
    proposal = Psbt.from_base64(sender_roundtrip()["value"]["psbt"])
    tx = extract_tx(SENDER_WALLET.sign_psbt(proposal))
    assert session.call("check_for_transaction", found_txids=[])["outcome"] == "stasis"
    done = session.call("check_for_transaction", found_txids=[tx.txid_hex()])
    assert (done["outcome"], done["state"], done["closed"]) == ("terminal", "Closed", True)
    assert decoded(done) == [Closed(Success(tx.txid()))]
    resumed_log = session.log()[0]
    again = ok(session.client.call("session.resume", {"role": "receiver", "events": resumed_log}))
    assert (again["state"], again["closed"]) == ("Closed", True)


# -- every method from its typestate --------------------------------------------------------------

MONITOR = happy_path("v2").snapshots["Monitor"][0]
PAYJOIN_TXID = MONITOR.psbt_context.payjoin_psbt.unsigned_tx.txid_hex()
PROPOSAL = happy_path("v2").snapshots["PayjoinProposal"][0].psbt()
PROVISIONAL = happy_path("v2").snapshots["ProvisionalProposal"][0]
SIGNED = RECEIVER_WALLET.sign_psbt(PROVISIONAL.psbt_to_sign()).to_base64()
TAPROOT = TxOut(100_000, RECEIVER_WALLET.script_pubkey(AddressKind.P2TR))


def wallet_failed(field: str) -> str:
    """The Rust adapter's text for a callback answered ``"error"``."""
    return f'wallet callback failed ({field}: "error")'


@dataclass(frozen=True)
class MethodCase:
    id: str
    start: str
    method: str
    args: dict[str, Any]
    outcome: str
    state: str
    events: tuple[Any, ...] = ()
    """The appended events (types, or whole events where the payload is known)."""
    error: str | None = None
    message: str | None = None


def _c(*fields: Any, **named: Any) -> MethodCase:
    return MethodCase(*fields, **named)


UNCHECKED, OWNED, SEEN = "UncheckedOriginalPayload", "MaybeInputsOwned", "MaybeInputsSeen"
REPLYING, PROTOCOL, IMPL = "HasReplyableError", "Error::Protocol", "Error::Implementation"
METHOD_CASES = [
    _c("broadcast", UNCHECKED, "check_broadcast_suitability", {"can_broadcast": True}, "progress",
       OWNED, (CheckedBroadcastSuitability,)),
    _c("broadcast-refused", UNCHECKED, "check_broadcast_suitability", {"can_broadcast": False},
       "replyable", REPLYING, (GotReplyableError,), PROTOCOL),
    _c("broadcast-fee-too-low", UNCHECKED, "check_broadcast_suitability",
       {"can_broadcast": True, "min_fee_rate": 10**6}, "replyable", REPLYING, (GotReplyableError,),
       PROTOCOL),
    _c("broadcast-wallet-error", UNCHECKED, "check_broadcast_suitability",
       {"can_broadcast": "error"}, "transient", UNCHECKED, (), IMPL,
       f"Implementation error: {wallet_failed('can_broadcast')}"),
    _c("assume-interactive", UNCHECKED, "assume_interactive_receiver", {}, "progress", OWNED,
       (CheckedBroadcastSuitability,)),
    _c("not-owned", OWNED, "check_inputs_not_owned", {"owned_outpoints": []}, "progress", SEEN,
       (CheckedInputsNotOwned,)),
    _c("owned", OWNED, "check_inputs_not_owned", {"owned_outpoints": [SENDER_INPUT]}, "replyable",
       REPLYING, (GotReplyableError,), PROTOCOL),
    _c("owned-wallet-error", OWNED, "check_inputs_not_owned", {"owned_outpoints": "error"},
       "transient", OWNED, (), IMPL, f"Implementation error: {wallet_failed('owned_outpoints')}"),
    _c("not-seen", SEEN, "check_no_inputs_seen_before", {"seen_outpoints": []}, "progress",
       "OutputsUnknown", (CheckedNoInputsSeenBefore,)),
    _c("seen", SEEN, "check_no_inputs_seen_before", {"seen_outpoints": [SENDER_INPUT]},
       "replyable", REPLYING, (GotReplyableError,), PROTOCOL),
    _c("seen-wallet-error", SEEN, "check_no_inputs_seen_before", {"seen_outpoints": "error"},
       "transient", SEEN, (), IMPL),
    _c("outputs", "OutputsUnknown", "identify_receiver_outputs", {"receiver_scripts": [PAYEE_HEX]},
       "progress", "WantsOutputs", (IdentifiedReceiverOutputs((0,)),)),
    _c("missing-payment", "OutputsUnknown", "identify_receiver_outputs", {"receiver_scripts": []},
       "replyable", REPLYING, (GotReplyableError,), PROTOCOL),
    _c("outputs-wallet-error", "OutputsUnknown", "identify_receiver_outputs",
       {"receiver_scripts": "error"}, "transient", "OutputsUnknown", (), IMPL),
    _c("commit-outputs", "WantsOutputs", "commit_outputs", {}, "progress", "WantsInputs",
       (CommittedOutputs,)),
    _c("commit-inputs", "WantsInputs", "commit_inputs", {}, "progress", "WantsFeeRange",
       (CommittedInputs,)),
    _c("contribute", "WantsInputs", "contribute_inputs", {"inputs": [receiver_coin()]}, "stasis",
       "WantsInputs"),
    _c("contribute-nothing", "WantsInputs", "contribute_inputs", {"inputs": []}, "stasis",
       "WantsInputs"),
    _c("contribute-duplicate", "WantsInputs", "contribute_inputs",
       {"inputs": [receiver_coin(), receiver_coin()]}, "transient", "WantsInputs", (),
       "InputContributionError", f"Duplicate input detected: {receiver_coin()['outpoint']}"),
    _c("contribute-not-p2wpkh", "WantsInputs", "contribute_inputs",
       {"inputs": [coin(TAPROOT, SENDER_INPUT)]}, "transient", "WantsInputs", (), "PsbtInputError",
       "provided script was not a valid type of p2wpkh"),
    _c("fee-range", "WantsFeeRange", "apply_fee_range", {}, "progress", "ProvisionalProposal",
       (AppliedFeeRange,)),
    _c("fee-too-high", "WantsFeeRange", "apply_fee_range",
       {"min_fee_rate": 5000, "max_effective_fee_rate": 3996}, "transient", "WantsFeeRange", (),
       "ProtocolError::OriginalPayload",
       "Effective receiver feerate exceeds maximum allowed feerate: 4000 > 3996"),
    _c("fee-at-the-maximum", "WantsFeeRange", "apply_fee_range",
       {"min_fee_rate": 5000, "max_effective_fee_rate": 3997}, "progress", "ProvisionalProposal",
       (AppliedFeeRange,)),
    _c("finalize-keys", "ProvisionalProposal", "finalize_proposal", {"signing_keys": [KEY]},
       "progress", "PayjoinProposal", (FinalizedProposal(PROPOSAL),)),
    _c("finalize-signed-psbt", "ProvisionalProposal", "finalize_proposal",
       {"signed_psbt": SIGNED}, "progress", "PayjoinProposal", (FinalizedProposal(PROPOSAL),)),
    _c("finalize-wallet-error", "ProvisionalProposal", "finalize_proposal",
       {"signing_keys": "error"}, "transient", "ProvisionalProposal", (), "ImplementationError",
       wallet_failed("signing_keys")),
    _c("finalize-signed-psbt-error", "ProvisionalProposal", "finalize_proposal",
       {"signed_psbt": "error"}, "transient", "ProvisionalProposal", (), "ImplementationError",
       wallet_failed("signing_keys")),
    _c("monitor-nothing", "Monitor", "check_for_transaction", {"found_txids": []}, "stasis",
       "Monitor"),
    _c("monitor-payjoin", "Monitor", "check_for_transaction", {"found_txids": [PAYJOIN_TXID]},
       "terminal", "Closed", (Closed(Success(bytes.fromhex(PAYJOIN_TXID)[::-1])),)),
    _c("monitor-fallback", "Monitor", "check_for_transaction", {"found_txids": [FALLBACK_TXID]},
       "terminal", "Closed", (Closed(FallbackBroadcasted()),)),
    _c("monitor-wallet-error", "Monitor", "check_for_transaction", {"found_txids": "error"},
       "transient", "Monitor", (), IMPL, f"Implementation error: {wallet_failed('found_txids')}"),
]  # fmt: skip


def _matches(event: Any, expected: Any) -> bool:
    return isinstance(event, expected) if isinstance(expected, type) else event == expected


@pytest.mark.parametrize("case", METHOD_CASES, ids=[c.id for c in METHOD_CASES])
def test_each_method_from_its_typestate(case: MethodCase) -> None:
    session = resumed(case.start)
    out = session.call(case.method, **case.args)
    assert (out["outcome"], out["state"]) == (case.outcome, case.state)
    events = decoded(out)
    assert len(events) == len(case.events)
    assert all(_matches(e, x) for e, x in zip(events, case.events, strict=True)), events
    if case.error is None:
        assert "error" not in out
    else:
        assert out["error"]["kind"] == case.error
        if case.message is not None:
            assert out["error"]["message"] == case.message
    has_value = case.method == "finalize_proposal" and case.outcome == "progress"
    assert ("value" in out) is has_value
    if has_value:
        assert out["value"] == {"psbt": PROPOSAL.to_base64()}


def test_a_rejection_replies_with_the_crate_json() -> None:
    out = resumed(OWNED).call("check_inputs_not_owned", owned_outpoints=[SENDER_INPUT])
    (event,) = decoded(out)
    assert isinstance(event, GotReplyableError)
    assert event.reply.error_code is ErrorCode.ORIGINAL_PSBT_REJECTED
    assert out["error"]["message"] == f"Protocol error: {event.reply.message}"


def test_a_transient_step_leaves_the_method_to_retry() -> None:
    session = resumed("Monitor")
    assert session.call("check_for_transaction", found_txids="error")["outcome"] == "transient"
    assert session.call("check_for_transaction", found_txids=[])["outcome"] == "stasis"
    assert session.call("check_for_transaction", found_txids=[PAYJOIN_TXID])["closed"] is True


def test_a_contribution_is_committed_with_its_input_and_seeded_position() -> None:
    outcomes = []
    for seed in ("same", "same"):
        shim = client()
        events = [encode_receiver_event(e) for e in happy_path("v2").snapshots["WantsInputs"][1]]
        args = {"role": "receiver", "events": events, "now": NOW, "seed": seed}
        session = Receiver(shim, ok(shim.call("session.resume", args))["handle"])
        session.call("contribute_inputs", inputs=[receiver_coin()])
        outcomes.append(session.call("commit_inputs")["appended"])
    assert outcomes[0] == outcomes[1]
    (committed,) = [decode_receiver_event(t) for t in outcomes[0]]
    assert isinstance(committed, CommittedInputs)
    assert committed.receiver_inputs == (InputPair.new_p2wpkh(COIN.txout, COIN.outpoint),)
    inputs = [i.previous_output for i in committed.payjoin_psbt.unsigned_tx.inputs]
    assert sorted(map(str, inputs)) == sorted([SENDER_INPUT, receiver_coin()["outpoint"]])


# -- cancel and close ------------------------------------------------------------------------------


def replying(fallback: bool) -> Receiver:
    """A session in ``HasReplyableError``, knowing the fallback (a failed input check) or not
    (a failed broadcast check)."""
    if fallback:
        session = resumed(OWNED)
        session.call("check_inputs_not_owned", owned_outpoints=[SENDER_INPUT])
    else:
        session = resumed(UNCHECKED)
        session.call("check_broadcast_suitability", can_broadcast=False)
    return session


CANCEL_STARTS = [*happy_path("v2").snapshots, "HasReplyableError/fallback", "HasReplyableError"]
NO_FALLBACK = ("Initialized", UNCHECKED, "HasReplyableError")


@pytest.mark.parametrize("start", CANCEL_STARTS)
def test_cancel_keeps_the_fallback_where_one_is_known(start: str) -> None:
    if start.startswith(REPLYING):
        session = replying(fallback=start.endswith("/fallback"))
    else:
        session = resumed(start)
    out = session.call("cancel")
    if start in NO_FALLBACK:
        assert (out["outcome"], out["state"]) == ("terminal", "Closed")
        assert decoded(out) == [Closed(Aborted())]
        return
    assert (out["outcome"], out["state"], decoded(out)) == (
        "progress",
        "PendingFallback",
        [Cancelled()],
    )
    closed = session.call("close")
    assert (closed["outcome"], closed["state"], closed["closed"]) == ("terminal", "Closed", True)
    assert decoded(closed) == [Closed(Aborted())]


# -- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", RECEIVER_METHODS)
def test_a_method_of_another_typestate_is_invalid_state_and_changes_nothing(method: str) -> None:
    session = resumed("Initialized")
    wrong = "Initialized"
    if method == "cancel":  # Initialized has it; PendingFallback does not
        session.call("cancel")
        session = resumed(OWNED)
        session.call("cancel")
        wrong = "PendingFallback"
    before = session.log()
    message = failed(session.raw_call(method), "InvalidState")
    assert message == f"{method} is not a method of the {wrong} typestate"
    assert session.log() == before


def test_a_closed_session_has_no_methods_and_no_requests() -> None:
    session = resumed("Initialized")
    session.call("cancel")
    for method in RECEIVER_METHODS:
        failed(session.raw_call(method), "InvalidState")
    failed(session.op("session.request", {"relay": RELAY}), "InvalidState")


def test_an_unknown_method_is_unimplemented() -> None:
    assert resumed("WantsOutputs").raw_call("substitute_receiver_script").kind == "unimplemented"


@pytest.mark.parametrize(
    ("start", "method", "args"),
    [
        (UNCHECKED, "check_broadcast_suitability", {}),
        (UNCHECKED, "check_broadcast_suitability", {"can_broadcast": "yes"}),
        (UNCHECKED, "check_broadcast_suitability", {"can_broadcast": True, "min_fee_rate": "1"}),
        (OWNED, "check_inputs_not_owned", {"owned_outpoints": ["nope"]}),
        (SEEN, "check_no_inputs_seen_before", {"seen_outpoints": SENDER_INPUT}),
        ("OutputsUnknown", "identify_receiver_outputs", {"receiver_scripts": ["ZZ"]}),
        ("WantsInputs", "contribute_inputs", {}),
        ("WantsInputs", "contribute_inputs", {"inputs": [{"outpoint": SENDER_INPUT}]}),
        ("WantsInputs", "contribute_inputs", {"inputs": [{**receiver_coin(), "outpoint": "x"}]}),
        ("WantsFeeRange", "apply_fee_range", {"max_effective_fee_rate": "high"}),
        ("ProvisionalProposal", "finalize_proposal", {"signing_keys": ["not-a-wif"]}),
        ("ProvisionalProposal", "finalize_proposal", {"signed_psbt": "not a psbt"}),
        ("Monitor", "check_for_transaction", {"found_txids": ["00"]}),
    ],
)
def test_a_malformed_answer_is_invalid_argument_and_consumes_nothing(
    start: str, method: str, args: dict[str, Any]
) -> None:
    session = resumed(start)
    before = session.log()
    failed(session.raw_call(method, **args), "InvalidArgument")
    assert session.log() == before
    good = next(c for c in METHOD_CASES if c.start == start and c.method == method)
    assert session.call(method, **good.args)["outcome"] == good.outcome


def test_call_arguments_must_be_an_object() -> None:
    session = resumed("WantsOutputs")
    reply = session.op("session.call", {"method": "commit_outputs", "args": []})
    failed(reply, "InvalidArgument")


# -- requests and responses ------------------------------------------------------------------------


def reply_mailbox() -> str:
    sender = happy_path("v2").sender
    assert sender is not None
    reply_pk = KeyPair.from_secret(sender.session_context.reply_key).public
    return format_short_id(short_id(reply_pk))


def receiver_mailbox() -> str:
    return format_short_id(happy_path("v2").mailbox)


@pytest.mark.parametrize(
    ("start", "created_by", "method", "mailbox"),
    [
        ("Initialized", "create_poll_request", "GET", receiver_mailbox),
        ("PayjoinProposal", "create_post_request", "POST", reply_mailbox),
        (REPLYING, "create_error_request", "POST", reply_mailbox),
    ],
)
def test_each_requesting_typestate_makes_its_request(
    start: str, created_by: str, method: str, mailbox: Any
) -> None:
    session = replying(fallback=True) if start == REPLYING else resumed(start)
    before = session.log()
    req, _, made_by = session.request()
    assert made_by == created_by
    assert req.url == "https://relay.example/https://dir.example/"
    assert len(req.body) == 8192
    session.directory.handle(req)
    [(got_method, path, _)] = session.directory.requests
    assert (got_method, path) == (method, f"/{mailbox()}")
    assert session.log() == before  # requests persist nothing


def test_a_v1_proposal_is_put_in_plaintext() -> None:
    session = resumed("PayjoinProposal", "v1")
    req, _, _ = session.request()
    session.directory.handle(req)
    proposal = happy_path("v1").snapshots["PayjoinProposal"][0].psbt()
    [(method, _, body)] = session.directory.requests
    assert (method, body) == ("PUT", proposal.to_base64().encode())


def test_a_typestate_without_a_request_is_invalid_state() -> None:
    reply = resumed(OWNED).op("session.request", {"relay": RELAY})
    assert failed(reply, "InvalidState") == (
        "session.request is not a method of the MaybeInputsOwned typestate"
    )


@pytest.mark.parametrize(
    ("now", "relay", "kind"),
    [(EXPIRATION, RELAY, "Expired"), (NOW, "relay.example", "CreateRequestError")],
)
def test_a_request_that_cannot_be_made(now: int, relay: str, kind: str) -> None:
    session = resumed("Initialized")
    failed(session.op("session.request", {"relay": relay, "now": now}), kind)
    assert session.request(EXPIRATION - 1)  # one second before the expiration it still can


ABORTED = Closed(Aborted())
V2 = "ProtocolError::V2"


@dataclass(frozen=True)
class ResponseCase:
    id: str
    start: str
    knobs: dict[str, Any]
    outcome: str
    state: str
    events: tuple[Any, ...] = ()
    error: str | None = None


RESPONSE_CASES = [
    ResponseCase("poll-empty", "Initialized", {}, "stasis", "Initialized"),
    ResponseCase("poll-5xx", "Initialized", {"status": 503}, "transient", "Initialized", (), V2),
    ResponseCase("poll-size", "Initialized", {"resize": 100}, "transient", "Initialized", (), V2),
    ResponseCase("poll-forged", "Initialized", {"tamper": True}, "fatal", "Closed", (ABORTED,), V2),
    ResponseCase("poll-4xx", "Initialized", {"status": 400}, "fatal", "Closed", (ABORTED,), V2),
    ResponseCase("post", "PayjoinProposal", {}, "progress", "Monitor", (PostedPayjoinProposal(),)),
    ResponseCase("post-5xx", "PayjoinProposal", {"status": 503}, "transient", "PayjoinProposal",
                 (), V2),
    ResponseCase("post-4xx", "PayjoinProposal", {"status": 400}, "replyable", "PendingFallback",
                 (ProtocolFailed(),), V2),
    ResponseCase("error/fallback", "HasReplyableError/fallback", {}, "progress", "PendingFallback",
                 (ProtocolFailed(),)),
    ResponseCase("error", "HasReplyableError", {}, "terminal", "Closed", (ABORTED,)),
    ResponseCase("error-4xx/fallback", "HasReplyableError/fallback", {"status": 400}, "replyable",
                 "PendingFallback", (ProtocolFailed(),), V2),
    ResponseCase("error-4xx", "HasReplyableError", {"status": 400}, "fatal", "Closed", (ABORTED,),
                 V2),
    ResponseCase("error-5xx", "HasReplyableError", {"status": 503}, "transient", REPLYING, (), V2),
]  # fmt: skip


@pytest.mark.parametrize("case", RESPONSE_CASES, ids=[c.id for c in RESPONSE_CASES])
def test_each_response(case: ResponseCase) -> None:
    if case.start.startswith(REPLYING):
        session = replying(fallback=case.start.endswith("/fallback"))
    else:
        session = resumed(case.start)
    out = session.roundtrip(**case.knobs)
    assert (out["outcome"], out["state"]) == (case.outcome, case.state)
    assert tuple(decoded(out)) == case.events
    assert (out.get("error") or {}).get("kind") == case.error


@pytest.mark.parametrize("kind", ["v2", "v1"])
def test_a_poll_retrieves_the_original_of_either_version(kind: str) -> None:
    session = resumed("Initialized", kind)
    session.directory.boxes[happy_path(kind).mailbox] = happy_path(kind).box
    out = session.roundtrip()
    assert (out["outcome"], out["state"]) == ("progress", UNCHECKED)
    (event,) = decoded(out)
    assert event == happy_path(kind).snapshots[UNCHECKED][1][-1]
    assert isinstance(event, RetrievedOriginalPayload)
    assert (event.reply_key is None) is (kind == "v1")


def test_contexts_are_single_use_and_bound_to_their_session() -> None:
    shim = client()
    session, other = resumed("Initialized", shim=shim), resumed("Initialized", shim=shim)
    req, context, _ = session.request()
    body = session.directory.handle(req).hex()
    stolen = other.op("session.response", {"context": context, "body": body})
    assert failed(stolen, "InvalidArgument") == "`context`: belongs to another session"
    assert session.checked("session.response", {"context": context, "body": body})
    reused = session.op("session.response", {"context": context, "body": body})
    failed(reused, "InvalidArgument")


def test_a_response_in_a_typestate_without_one_keeps_the_context() -> None:
    session = resumed("PayjoinProposal")
    req, context, _ = session.request()
    body = session.directory.handle(req).hex()
    session.call("cancel")
    for _ in range(2):  # InvalidState both times: the context was not used up
        reply = session.op("session.response", {"context": context, "body": body})
        failed(reply, "InvalidState")


# -- resume, events, drop --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "now", "kind"),
    [
        ([], NOW, "NoEvents"),
        (["{"], NOW, "DecodeError"),
        ([encode_receiver_event(Cancelled())], NOW, "InvalidFirstEvent"),
        ([encode_receiver_event(happy_path("v2").snapshots["Initialized"][1][0])], EXPIRATION,
         "Expired"),
    ],
    ids=["empty", "not-json", "not-created", "expired"],
)  # fmt: skip
def test_a_log_that_does_not_resume(events: list[str], now: int, kind: str) -> None:
    reply = client().call("session.resume", {"role": "receiver", "events": events, "now": now})
    failed(reply, kind)


def test_a_closed_log_resumes_closed() -> None:
    session = resumed("Monitor")
    session.call("check_for_transaction", found_txids=[FALLBACK_TXID])
    events, closed, _ = session.log()
    assert closed
    out = ok(session.client.call("session.resume", {"role": "receiver", "events": events}))
    assert (out["state"], out["closed"]) == ("Closed", True)


def test_drop_forgets_the_session_and_its_contexts() -> None:
    session = resumed("Initialized")
    _, context, _ = session.request()
    assert ok(session.client.call("session.drop", {"handle": session.handle})) == {}
    failed(session.op("session.events", {}), "InvalidArgument")
    failed(session.op("session.response", {"context": context, "body": ""}), "InvalidArgument")


# -- seeded determinism ----------------------------------------------------------------------------


def drive_to_monitor(adapter_seed: str, seed: str) -> list[str]:
    """A whole receiver path on a seeded session (the happy path's Original in the mailbox)."""
    session, _ = new_receiver(client(adapter_seed), seed=seed)
    session.directory.boxes[happy_path("v2").mailbox] = happy_path("v2").box
    session.roundtrip()
    for case_id in ("broadcast", "not-owned", "not-seen", "outputs", "commit-outputs",
                    "contribute", "commit-inputs", "fee-range", "finalize-keys"):  # fmt: skip
        case = next(c for c in METHOD_CASES if c.id == case_id)
        session.call(case.method, **case.args)
    session.roundtrip()
    events, _, state = session.log()
    assert state == "Monitor"
    return events


def test_a_seeded_session_is_byte_identical_whatever_the_adapter_seed() -> None:
    first, second = drive_to_monitor("one", "receiver"), drive_to_monitor("two", "receiver")
    assert first == second
    assert [decode_receiver_event(t) for t in first[:2]] == happy_path("v2").snapshots[UNCHECKED][1]


def test_seeded_requests_are_byte_identical_and_other_seeds_differ() -> None:
    bodies = []
    for adapter_seed, seed in (("one", "s"), ("two", "s"), ("one", "t")):
        session, out = new_receiver(client(adapter_seed), seed=seed)
        bodies.append((out["appended"], out["pj_uri"], session.request()[0].body))
    assert bodies[0] == bodies[1]
    assert all(a != b for a, b in zip(bodies[0], bodies[2], strict=True))
