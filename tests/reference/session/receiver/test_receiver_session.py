"""The receiver beyond single transitions: building, the pj URI, the requests it makes, its
plain edits and error replies, and whole sessions against the Python sender through a directory
built on the crypto core: success, the error reply, cancel, a failed post, and seeded runs that
are byte-identical."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pytest
from reference.session.receiver.receiver_support import (
    CONFIG,
    DIRECTORY,
    NOW,
    ORIGINAL,
    PAY,
    RECEIVER_ADDRESS,
    RECEIVER_WALLET,
    RELAY,
    SENDER_WALLET,
    Directory,
    Log,
    clock,
    happy_path,
    new_receiver,
    receiver_input,
    refused,
    send_v1,
    send_v2,
)
from reference.session.receiver.receiver_support import EXPIRATION as RECEIVER_EXPIRATION

from pjconf.reference.bip77 import messages
from pjconf.reference.bip77.short_id import format_short_id, short_id
from pjconf.reference.bip77.uri import PjParamV2, parse_uri
from pjconf.reference.bip77.url import parse_url
from pjconf.reference.bitcoin.psbt import Output, Psbt
from pjconf.reference.bitcoin.tx import Transaction, TxOut
from pjconf.reference.bitcoin.wallet import AddressKind, extract_tx
from pjconf.reference.crypto.secp256k1 import KeyPair, uncompress
from pjconf.reference.entropy import FixedClock, SeededRandom
from pjconf.reference.errors import InvalidArgument, ParseError
from pjconf.reference.payjoin.errors import ImplementationError as CallbackFailed
from pjconf.reference.payjoin.params import ParamsError
from pjconf.reference.payjoin.receiver_errors import PayloadError
from pjconf.reference.persist import (
    EffectClass,
    InMemoryPersister,
    PersistedError,
    Progress,
    Stasis,
    outcome_class,
)
from pjconf.reference.session.json_codec import encode_receiver_event, encode_sender_event
from pjconf.reference.session.receiver.builder import ReceiverBuilder
from pjconf.reference.session.receiver.errors import (
    CoinSelectionError,
    CreateRequestError,
    DirectoryResponseError,
    Error,
    ImplementationError,
    InputContributionError,
    OutputSubstitutionError,
    ProtocolError,
    StateConsumed,
    json_reply,
    reply_json_text,
)
from pjconf.reference.session.receiver.events import (
    Aborted,
    Cancelled,
    Closed,
    CommittedOutputs,
    Created,
    ErrorCode,
    GotReplyableError,
    HpkeKeyPair,
    JsonReply,
    ProtocolFailed,
    ReceiverEvent,
    SessionContext,
    Success,
)
from pjconf.reference.session.receiver.machine import (
    ClosedSession,
    HasReplyableError,
    Initialized,
    Monitor,
    PayjoinProposal,
    PendingFallback,
    UncheckedOriginalPayload,
    WantsInputs,
    WantsOutputs,
)
from pjconf.reference.session.receiver.replay import replay_events
from pjconf.reference.session.sender.errors import ResponseError
from pjconf.reference.session.sender.machine import PollingForProposal

FALLBACK = ORIGINAL.extract_tx()


# -- building -------------------------------------------------------------------------------------


def test_build_saves_created_with_a_seeded_receiver_key() -> None:
    receiver, log = new_receiver("build")
    key = KeyPair.generate(SeededRandom("build"))
    context = SessionContext(
        address=RECEIVER_ADDRESS,
        directory=parse_url(DIRECTORY),
        ohttp_keys=CONFIG,
        expiration=NOW + 3600,
        amount=None,
        receiver_key=HpkeKeyPair(key.secret, key.public),
        reply_key=None,
        max_fee_rate=250,
    )
    assert log.events == [Created(context)]
    assert receiver == Initialized(context)
    assert not log.closed


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, {"expiration": NOW + 24 * 3600, "amount": None, "max_fee_rate": 250}),
        ({"with_expiration": 60}, {"expiration": NOW + 60}),
        ({"with_amount": 12_345}, {"amount": 12_345}),
        ({"with_max_fee_rate": 4000}, {"max_fee_rate": 4000}),
    ],
)
def test_builder_settings(settings: dict[str, int], expected: dict[str, Any]) -> None:
    builder = ReceiverBuilder(RECEIVER_ADDRESS.upper(), DIRECTORY, CONFIG)
    for method, value in settings.items():
        builder = getattr(builder, method)(value)
    transition = builder.build(rng=SeededRandom("s"), clock=clock())
    log: Log = InMemoryPersister()
    state = transition.save(log)
    assert outcome_class(transition.action, state) is EffectClass.PROGRESS
    context = state.session_context
    assert context.address == RECEIVER_ADDRESS  # bech32 as rust-bitcoin displays it
    for name, value in expected.items():
        assert getattr(context, name) == value


@pytest.mark.parametrize(
    ("address", "directory", "error"),
    [
        (
            RECEIVER_ADDRESS[:-1] + ("q" if RECEIVER_ADDRESS[-1] != "q" else "p"),
            DIRECTORY,
            ParseError,
        ),
        (RECEIVER_ADDRESS, "dir.example", ParseError),
    ],
    ids=["bad-checksum", "directory-without-scheme"],
)
def test_builder_refuses_what_the_crate_cannot_hold(
    address: str, directory: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        ReceiverBuilder(address, directory, CONFIG)


def test_an_expiration_past_2106_wraps_and_is_refused() -> None:
    builder = ReceiverBuilder(RECEIVER_ADDRESS, DIRECTORY, CONFIG).with_expiration(2**32 - NOW)
    with pytest.raises(InvalidArgument):
        builder.build(rng=SeededRandom("s"), clock=clock())


# -- the pj URI ------------------------------------------------------------------------------------

CRATE_URI = (
    "bitcoin:2N47mmrWXsNBvQR6k78hWJoTji57zXwNcU7?pjos=0&pj=HTTPS://PAYJO.IN/TXJCGKTKXLUUZ"
    "%23EX1WKV8CEC-OH1QYPM59NK2LXXS4890SUAXXYT25Z2VAPHP0X7YEYCJXGWAG6UG9ZU6NQ-RK1Q0DJS3VVDXWQ"
    "QTLQ8022QGXSX7ML9PHZ6EDSF6AKEWQG758JPS2EV"
)
"""payjoin-test-utils' ``PJ_URI`` (a receiver's URI as the crate prints it)."""


def test_pj_uri_is_printed_as_the_crate_prints_it() -> None:
    uri = parse_uri(CRATE_URI)
    assert isinstance(uri.pj, PjParamV2)
    public = uncompress(uri.pj.receiver_pk)
    context = SessionContext(
        uri.address,
        parse_url("https://payjo.in"),
        uri.pj.ohttp_keys,
        uri.pj.expiration,
        None,
        HpkeKeyPair(b"\x01" * 32, public),  # the URI needs only the public key
        None,
        250,
    )
    assert Initialized(context).pj_uri() == CRATE_URI


@pytest.mark.parametrize("amount", [None, 50_000])
def test_pj_uri_names_the_mailbox_keys_and_expiry(amount: int | None) -> None:
    builder = ReceiverBuilder(RECEIVER_ADDRESS, DIRECTORY, CONFIG)
    receiver, _ = new_receiver(builder=builder if amount is None else builder.with_amount(amount))
    text = receiver.pj_uri()
    amount_part = "" if amount is None else "amount=0.0005&"
    assert text.startswith(
        f"bitcoin:{RECEIVER_ADDRESS}?{amount_part}pjos=0&pj=HTTPS://DIR.EXAMPLE/"
    )
    uri = parse_uri(text)
    assert isinstance(uri.pj, PjParamV2)
    public = receiver.session_context.receiver_key.public
    assert (uri.address, uri.amount, uri.output_substitution) == (RECEIVER_ADDRESS, amount, False)
    assert uri.pj.directory == "https://DIR.EXAMPLE/"
    assert uri.pj.mailbox == short_id(public)
    assert uncompress(uri.pj.receiver_pk) == public
    assert uri.pj.ohttp_keys == CONFIG
    assert uri.pj.expiration == RECEIVER_EXPIRATION


def test_a_directory_path_is_joined_in_the_uri_but_pushed_in_requests() -> None:
    """``PjParam::endpoint`` joins (the last segment is replaced); ``mailbox_endpoint`` pushes."""
    builder = ReceiverBuilder(RECEIVER_ADDRESS, "https://dir.example/pj", CONFIG)
    receiver, _ = new_receiver(builder=builder)
    mailbox = format_short_id(short_id(receiver.session_context.receiver_key.public))
    assert f"pj=HTTPS://DIR.EXAMPLE/{mailbox}%23" in receiver.pj_uri()
    directory = Directory()
    req, _ = receiver.create_poll_request(RELAY, clock=clock())
    directory.handle(req)
    assert directory.requests == [("GET", f"/pj/{mailbox}", b"")]


# -- requests -------------------------------------------------------------------------------------


def test_the_poll_request_is_an_empty_get_of_the_receiver_mailbox() -> None:
    receiver, log = new_receiver()
    req, _ = receiver.create_poll_request(RELAY, rng=SeededRandom("poll"), clock=clock())
    assert req.url == "https://relay.example/https://dir.example/"
    assert req.content_type == "message/ohttp-req"
    assert len(req.body) == 8192
    directory = Directory()
    directory.handle(req)
    mailbox = format_short_id(short_id(receiver.session_context.receiver_key.public))
    assert directory.requests == [("GET", f"/{mailbox}", b"")]
    assert log.events == [Created(receiver.session_context)]  # requests persist nothing
    receiver._check()  # and consume nothing


def sent(state: Any, method: str) -> tuple[str, str, bytes]:
    directory = Directory()
    req, _ = getattr(state, method)(RELAY, rng=SeededRandom("req"), clock=clock())
    directory.handle(req)
    [request] = directory.requests
    return request


def reply_keys(kind: str) -> KeyPair:
    sender = happy_path(kind).sender
    assert sender is not None
    return KeyPair.from_secret(sender.session_context.reply_key)


def test_a_v2_proposal_is_message_b_posted_to_the_reply_mailbox() -> None:
    proposal, _ = happy_path("v2").at("PayjoinProposal")
    method, path, body = sent(proposal, "create_post_request")
    reply = reply_keys("v2")
    assert (method, path) == ("POST", "/" + format_short_id(short_id(reply.public)))
    receiver_pk = proposal.session_context.receiver_key.public
    plaintext = messages.open_message_b(body, reply, receiver_pk)
    psbt = proposal.psbt().serialize()
    assert plaintext == psbt + bytes(len(plaintext) - len(psbt))


def test_a_v1_proposal_is_base64_put_to_the_receiver_mailbox() -> None:
    proposal, _ = happy_path("v1").at("PayjoinProposal")
    mailbox = short_id(proposal.session_context.receiver_key.public)
    assert sent(proposal, "create_post_request") == (
        "PUT",
        "/" + format_short_id(mailbox),
        proposal.psbt().to_base64().encode(),
    )


def test_a_v2_error_reply_is_the_json_in_message_b() -> None:
    state = refused("v2", fallback=True)[0]
    method, path, body = sent(state, "create_error_request")
    reply = reply_keys("v2")
    assert (method, path) == ("POST", "/" + format_short_id(short_id(reply.public)))
    plaintext = messages.open_message_b(body, reply, state.session_context.receiver_key.public)
    text = (
        b'{"errorCode":"original-psbt-rejected",'
        b'"message":"The receiver rejected the original PSBT."}'
    )
    assert plaintext == text + bytes(len(plaintext) - len(text))


def test_a_v1_error_reply_is_a_generic_plaintext_to_the_receiver_mailbox() -> None:
    state = refused("v1", fallback=False)[0]
    mailbox = short_id(state.session_context.receiver_key.public)
    assert sent(state, "create_error_request") == (
        "POST",
        "/" + format_short_id(mailbox),
        b'{"errorCode":"unavailable","message":"Receiver error"}',
    )


def request_makers() -> list[tuple[str, Any]]:
    return [
        ("create_poll_request", happy_path("v2").at("Initialized")[0]),
        ("create_post_request", happy_path("v2").at("PayjoinProposal")[0]),
        ("create_error_request", refused("v2", fallback=True)[0]),
    ]


@pytest.mark.parametrize("index", range(3), ids=["poll", "post", "error"])
def test_requests_expire_at_the_expiration_second(index: int) -> None:
    method, state = request_makers()[index]
    expiration = state.session_context.expiration
    getattr(state, method)(RELAY, clock=FixedClock(expiration - 1))
    with pytest.raises(CreateRequestError) as info:
        getattr(state, method)(RELAY, clock=FixedClock(expiration))
    assert info.value.is_expired()
    assert str(info.value) == "session expired"
    with pytest.raises(CreateRequestError) as bad_relay:
        getattr(state, method)("relay.example", clock=clock())
    assert bad_relay.value.variant == "Url"
    assert not bad_relay.value.is_expired()


# -- plain edits ---------------------------------------------------------------------------------


def test_substituting_the_script_is_committed_with_the_outputs() -> None:
    state, log = happy_path("v2").at("WantsOutputs")
    script = RECEIVER_WALLET.script_pubkey(AddressKind.P2TR)
    edited = state.substitute_receiver_script(script, rng=SeededRandom("edit"))
    assert isinstance(edited, WantsOutputs)
    assert len(log.events) == len(happy_path("v2").snapshots["WantsOutputs"][1])  # not saved
    with pytest.raises(StateConsumed):
        state.commit_outputs()
    edited.commit_outputs().save(log)
    event = log.events[-1]
    outputs = ORIGINAL.unsigned_tx.outputs
    assert event == CommittedOutputs((TxOut(outputs[0].value, script), outputs[1]), 0)


@dataclass(frozen=True)
class EditCase:
    id: str
    kind: str
    start: str
    edit: Any
    error: type[Exception]
    text: str


EDITS = [
    EditCase(
        "substitution-disabled",
        "v1",
        "WantsOutputs",
        lambda s: s.substitute_receiver_script(RECEIVER_WALLET.script_pubkey(AddressKind.P2TR)),
        OutputSubstitutionError,
        "Changing the receiver output script pubkey is not allowed when output substitution "
        "is disabled",
    ),
    EditCase(
        "drain-script",
        "v2",
        "WantsOutputs",
        lambda s: s.replace_receiver_outputs([ORIGINAL.unsigned_tx.outputs[0]], b"\x51"),
        OutputSubstitutionError,
        "The provided drain script could not be identified in the provided replacement outputs",
    ),
    EditCase(
        "too-few-outputs",
        "v2",
        "WantsOutputs",
        lambda s: s.replace_receiver_outputs([], b"\x51"),
        OutputSubstitutionError,
        "Current output substitution implementation doesn't support reducing the number of outputs",
    ),
    EditCase(
        "duplicate-input",
        "v2",
        "WantsInputs",
        lambda s: s.contribute_inputs([receiver_input(), receiver_input()]),
        InputContributionError,
        f"Duplicate input detected: {receiver_input().outpoint}",
    ),
    EditCase(
        "no-candidates",
        "v2",
        "WantsInputs",
        lambda s: s.try_preserving_privacy([]),
        CoinSelectionError,
        "No candidates available for selection",
    ),
]


@pytest.mark.parametrize("case", EDITS, ids=[c.id for c in EDITS])
def test_a_refused_edit_has_the_crate_text_and_leaves_the_state(case: EditCase) -> None:
    state, _ = happy_path(case.kind).at(case.start)
    with pytest.raises(case.error) as info:
        case.edit(state)
    assert str(info.value) == case.text
    state._check()  # still usable: nothing was moved


def test_try_preserving_privacy_reads_without_consuming() -> None:
    state, _ = happy_path("v2").at("WantsInputs")
    pair = receiver_input()
    assert state.try_preserving_privacy([pair]) == pair
    assert isinstance(state.contribute_inputs([pair], rng=SeededRandom("c")), WantsInputs)


# -- error replies ---------------------------------------------------------------------------------


def payload(variant: str, message: str, source: Any = None) -> ProtocolError:
    return ProtocolError.payload(PayloadError(variant, message, source=source))


REPLIES = [
    (
        Error("Protocol", payload("MissingPayment", "Missing payment.")),
        JsonReply(ErrorCode.ORIGINAL_PSBT_REJECTED, "Missing payment.", {}),
        '{"errorCode":"original-psbt-rejected","message":"Missing payment."}',
    ),
    (
        payload("FeeTooHigh", "Effective receiver feerate exceeds maximum allowed feerate: 9 > 1"),
        JsonReply(
            ErrorCode.NOT_ENOUGH_MONEY,
            "Effective receiver feerate exceeds maximum allowed feerate: 9 > 1",
            {},
        ),
        '{"errorCode":"not-enough-money","message":'
        '"Effective receiver feerate exceeds maximum allowed feerate: 9 > 1"}',
    ),
    (
        payload("SenderParams", "x", ParamsError("UnknownVersion", "unknown version", (1, 2))),
        JsonReply(
            ErrorCode.VERSION_UNSUPPORTED,
            "This version of payjoin is not supported.",
            {"supported": "[1,2]"},
        ),
        '{"errorCode":"version-unsupported","message":"This version of payjoin is not '
        'supported.","supported":"[1,2]"}',
    ),
    (
        Error("Implementation", ImplementationError.of(CallbackFailed("disk full"))),
        JsonReply(ErrorCode.UNAVAILABLE, "Receiver error", {}),
        '{"errorCode":"unavailable","message":"Receiver error"}',
    ),
    (
        ProtocolError.directory(DirectoryResponseError("UnexpectedStatusCode", status=500)),
        JsonReply(ErrorCode.UNAVAILABLE, "Receiver error", {}),
        '{"errorCode":"unavailable","message":"Receiver error"}',
    ),
]


@pytest.mark.parametrize(
    ("error", "reply", "text"),
    REPLIES,
    ids=["missing-payment", "fee-too-high", "unknown-version", "implementation", "directory"],
)
def test_json_reply_from_each_error(error: Any, reply: JsonReply, text: str) -> None:
    assert json_reply(error) == reply
    assert reply_json_text(reply) == text


def test_reply_text_sorts_every_key_as_a_btreemap() -> None:
    reply = JsonReply(ErrorCode.UNAVAILABLE, "m", {"message": "x", "Zeta": {"b": 1, "a": 2}})
    assert reply_json_text(reply) == (
        '{"Zeta":{"a":2,"b":1},"errorCode":"unavailable","message":"x"}'
    )


def test_implementation_errors_print_only_their_cause() -> None:
    error = Error("Implementation", ImplementationError.of(CallbackFailed("disk full")))
    assert str(error) == "Implementation error: disk full"
    assert str(error.source) == "disk full"


# -- whole sessions against the Python sender ----------------------------------------------------


@dataclass
class Session:
    """A receiver and a sender sharing one directory."""

    directory: Directory
    receiver: Any
    log: Log
    sender: PollingForProposal
    sender_log: Any

    def poll(self) -> Any:
        req, ctx = self.receiver.create_poll_request(
            RELAY, rng=SeededRandom("r/poll"), clock=clock()
        )
        outcome = self.receiver.process_response(self.directory.handle(req), ctx).save(self.log)
        assert isinstance(outcome, Progress)
        return outcome.next

    def sender_poll(self) -> Any:
        req, ctx = self.sender.create_poll_request(RELAY, rng=SeededRandom("s/poll"), clock=clock())
        return self.sender.process_response(self.directory.handle(req), ctx)


def open_session(seed: str = "receiver") -> Session:
    directory = Directory()
    receiver, log = new_receiver(seed)
    sender, sender_log = send_v2(directory, receiver)
    waiting = fresh_sender_poll(directory, sender, sender_log)
    return Session(directory, receiver, log, waiting, sender_log)


def fresh_sender_poll(
    directory: Directory, sender: PollingForProposal, log: Any
) -> PollingForProposal:
    """The sender polls once before the receiver has answered: 202, stasis."""
    req, ctx = sender.create_poll_request(RELAY, rng=SeededRandom("s/poll0"), clock=clock())
    outcome = sender.process_response(directory.handle(req), ctx).save(log)
    assert isinstance(outcome, Stasis)
    return outcome.current


def to_proposal(session: Session) -> PayjoinProposal:
    state = session.poll()
    log = session.log
    state = state.check_broadcast_suitability(1000, lambda _: True).save(log)
    state = state.check_inputs_not_owned(lambda _: False).save(log)
    state = state.check_no_inputs_seen_before(lambda _: False).save(log)
    state = state.identify_receiver_outputs(RECEIVER_WALLET.owns).save(log)
    state = state.commit_outputs().save(log)
    state = state.contribute_inputs([receiver_input()], rng=SeededRandom("r/inputs"))
    state = state.commit_inputs().save(log)
    state = state.apply_fee_range(None, 2**30).save(log)
    proposal = state.finalize_proposal(RECEIVER_WALLET.sign_psbt).save(log)
    assert isinstance(proposal, PayjoinProposal)
    return proposal


def post(session: Session, proposal: PayjoinProposal) -> Any:
    req, ctx = proposal.create_post_request(RELAY, rng=SeededRandom("r/post"), clock=clock())
    return proposal.process_response(session.directory.handle(req), ctx)


def run_success(seed: str = "receiver") -> tuple[Session, Transaction]:
    session = open_session(seed)
    monitor = post(session, to_proposal(session)).save(session.log)
    assert isinstance(monitor, Monitor)
    done = session.sender_poll().save(session.sender_log)
    assert isinstance(done, Progress)  # the sender's proposal checks passed
    checked: Psbt = done.next
    tx = extract_tx(SENDER_WALLET.sign_psbt(checked))
    assert monitor.check_for_transaction({tx.txid(): tx}.get).save(session.log) == Progress(None)
    return session, tx


def test_full_session_to_success() -> None:
    session, tx = run_success()
    assert len(tx.inputs) == 2
    assert all(txin.witness for txin in tx.inputs)
    assert session.log.events[-1] == Closed(Success(tx.txid()))
    assert session.log.closed
    assert sum(o.value for o in tx.outputs if RECEIVER_WALLET.owns(o.script_pubkey)) == (
        PAY + 100_000
    )


def test_error_reply_reaches_the_sender_and_leaves_the_fallback() -> None:
    session = open_session()
    state = session.poll().assume_interactive_receiver().save(session.log)
    with pytest.raises(PersistedError) as info:
        state.check_inputs_not_owned(lambda _: True).save(session.log)
    replying = info.value.fatal_state()
    assert isinstance(replying, HasReplyableError)
    req, ctx = replying.create_error_request(RELAY, rng=SeededRandom("r/err"), clock=clock())
    pending = replying.process_error_response(session.directory.handle(req), ctx).save(session.log)
    assert pending == PendingFallback(replying.session_context, fallback_tx=FALLBACK)
    with pytest.raises(PersistedError) as sender_side:
        session.sender_poll().save(session.sender_log)
    error = sender_side.value.api_error()
    assert isinstance(error, ResponseError)
    assert error.variant == "WellKnown"
    assert error.reply == {
        "errorCode": "original-psbt-rejected",
        "message": "The receiver rejected the original PSBT.",
    }
    pending.close().save(session.log)
    assert session.log.events[-3:] == [
        GotReplyableError(replying.error_reply),
        ProtocolFailed(),
        Closed(Aborted()),
    ]
    assert session.log.closed


@pytest.mark.parametrize("how", ["cancel", "protocol-failed"])
def test_fallback_paths_end_closed_aborted(how: str) -> None:
    session = open_session()
    proposal = to_proposal(session)
    pending: Any
    expected: ReceiverEvent
    if how == "cancel":
        pending = proposal.cancel().save(session.log)
        expected = Cancelled()
    else:
        session.directory.status = 400
        with pytest.raises(PersistedError) as info:
            post(session, proposal).save(session.log)
        pending = info.value.fatal_state()
        expected = ProtocolFailed()
        assert not session.log.closed
    assert pending == PendingFallback(proposal.session_context, fallback_tx=FALLBACK)
    assert not session.log.closed
    pending.close().save(session.log)
    assert session.log.events[-2:] == [expected, Closed(Aborted())]
    assert session.log.closed


def interactive_checks(unchecked: UncheckedOriginalPayload, log: Log) -> WantsOutputs:
    """An interactive receiver's checks, all passing: broadcast assumed, no input ours or seen
    before, our outputs found."""
    owned = unchecked.assume_interactive_receiver().save(log)
    seen = owned.check_inputs_not_owned(lambda _: False).save(log)
    unknown = seen.check_no_inputs_seen_before(lambda _: False).save(log)
    return unknown.identify_receiver_outputs(RECEIVER_WALLET.owns).save(log)


def test_v1_session_puts_the_proposal_in_the_receiver_mailbox() -> None:
    directory = Directory()
    receiver, log = new_receiver()
    send_v1(directory, receiver)
    req, ctx = receiver.create_poll_request(RELAY, clock=clock())
    unchecked = receiver.process_response(directory.handle(req), ctx).save(log)
    assert isinstance(unchecked, Progress)
    state: Any = interactive_checks(unchecked.next, log)
    state = state.commit_outputs().save(log).commit_inputs().save(log)
    proposal = state.apply_fee_range().save(log).finalize_proposal(lambda p: p).save(log)
    req, ctx = proposal.create_post_request(RELAY, clock=clock())
    monitor = proposal.process_response(directory.handle(req), ctx).save(log)
    assert isinstance(monitor, Monitor)
    mailbox = short_id(receiver.session_context.receiver_key.public)
    assert Psbt.from_base64(directory.boxes[mailbox].decode()) == proposal.psbt()


# -- determinism ---------------------------------------------------------------------------------


def texts(session: Session) -> tuple[list[str], list[str]]:
    return (
        [encode_receiver_event(e) for e in session.log.events],
        [encode_sender_event(e) for e in session.sender_log.events],
    )


def test_seeded_runs_are_byte_identical() -> None:
    first, _ = run_success("same")
    second, _ = run_success("same")
    other, _ = run_success("other")
    assert texts(first) == texts(second)
    assert texts(first)[0][0] != texts(other)[0][0]  # another receiver key
    assert len(texts(first)[0]) == 12


# -- live and replayed states agree ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["v2", "v1", "legacy"])
def test_every_live_state_is_what_its_log_replays_to(kind: str) -> None:
    path = happy_path(kind)
    for name in path.snapshots:
        state, log = path.at(name)
        assert replay_events(log.events)[0] == state, name


@pytest.mark.parametrize("fallback", [True, False])
def test_error_states_replay_too(fallback: bool) -> None:
    session = open_session()
    state: Any = session.poll()
    if fallback:
        state = state.assume_interactive_receiver().save(session.log)
        transition = state.check_inputs_not_owned(lambda _: True)
    else:
        transition = state.check_broadcast_suitability(None, lambda _: False)
    with pytest.raises(PersistedError) as info:
        transition.save(session.log)
    replying = info.value.fatal_state()
    assert replay_events(session.log.events)[0] == replying
    outcome = replying.cancel().save(session.log)
    replayed = replay_events(session.log.events)[0]
    assert replayed == (outcome if fallback else ClosedSession(Aborted()))


def test_committed_inputs_depend_on_a_replay_between_the_commits() -> None:
    """Session-log note P11, confirmed on payjoin 1.0 through its adapter: without substitution
    the live ``WantsInputs`` keeps the Original PSBT's output maps, replay rebuilds them empty, so
    ``CommittedInputs.payjoin_psbt`` depends on whether the session was resumed in between."""
    original = replace(ORIGINAL, outputs=(Output(), Output(redeem_script=b"\x51")))
    receiver, log = new_receiver()
    mailbox = short_id(receiver.session_context.receiver_key.public)
    directory = Directory(boxes={mailbox: f"{original.to_base64()}\nv=1".encode()})
    req, ctx = receiver.create_poll_request(RELAY, clock=clock())
    polled = receiver.process_response(directory.handle(req), ctx).save(log)
    assert isinstance(polled, Progress)
    live = interactive_checks(polled.next, log).commit_outputs().save(log)
    resumed = replay_events(log.events)[0]
    assert isinstance(resumed, WantsInputs)
    live_psbt = live.commit_inputs().save(InMemoryPersister()).inner.payjoin_psbt
    resumed_psbt = resumed.commit_inputs().save(InMemoryPersister()).inner.payjoin_psbt
    assert live_psbt.outputs[1].redeem_script == b"\x51"
    assert resumed_psbt.outputs[1].redeem_script is None
    assert live_psbt.unsigned_tx == resumed_psbt.unsigned_tx
