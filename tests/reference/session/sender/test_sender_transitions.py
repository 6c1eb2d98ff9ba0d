"""Every sender transition: success, transient (state handed back, log unchanged) and fatal
(one event, closed), each checked through ``persist.outcome_class``."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from reference.session.sender.test_sender_support import (
    CONFIG,
    EXPIRATION,
    GATEWAY,
    NOW,
    ORIGINAL,
    PAY,
    PAYEE,
    RATE,
    RECEIVER_KEY,
    RELAY,
    FakeMailbox,
    act_as_receiver,
    clock,
    new_sender,
    pj_uri,
    receive_original,
    reply,
)

from pjconf.reference.bip77 import bhttp, messages, ohttp
from pjconf.reference.bip77.short_id import format_short_id, short_id
from pjconf.reference.bip77.uri import PjParamV1, PjUri, format_uri
from pjconf.reference.bitcoin import address
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.crypto.secp256k1 import KeyPair
from pjconf.reference.entropy import SeededRandom
from pjconf.reference.errors import InvalidArgument
from pjconf.reference.payjoin.params import OutputSubstitution
from pjconf.reference.payjoin.sender import BuildSenderError
from pjconf.reference.persist import (
    AlreadySaved,
    EffectClass,
    InMemoryPersister,
    PersistedError,
    Progress,
    Stasis,
    outcome_class,
)
from pjconf.reference.session.sender.errors import (
    CreateRequestError,
    DecapsulationError,
    ResponseError,
    StateConsumed,
)
from pjconf.reference.session.sender.events import (
    Aborted,
    Cancelled,
    Closed,
    Created,
    PostedOriginalPsbt,
    SenderEvent,
    Success,
)
from pjconf.reference.session.sender.machine import (
    PendingFallback,
    PollingForProposal,
    SenderBuilder,
    WithReplyKey,
    error_reply,
)
from pjconf.reference.session.sender.wire import OhttpResponse

Log = InMemoryPersister[SenderEvent]


def save(transition: Any, persister: Log) -> tuple[EffectClass, Any]:
    """Save and classify: the effect class and what ``save`` returned or raised."""
    try:
        result = transition.save(persister)
    except PersistedError as e:
        return outcome_class(transition.action, e), e
    return outcome_class(transition.action, result), result


def polling(mailbox: FakeMailbox) -> tuple[PollingForProposal, Log]:
    sender, log = new_sender()
    req, ctx = sender.create_v2_post_request(RELAY, rng=SeededRandom("post"), clock=clock())
    state = sender.process_response(mailbox.handle(req), ctx).save(log)
    assert isinstance(state, PollingForProposal)
    return state, log


def poll(state: PollingForProposal, mailbox: FakeMailbox, log: Log) -> tuple[EffectClass, Any]:
    req, ctx = state.create_poll_request(RELAY, rng=SeededRandom("poll"), clock=clock())
    return save(state.process_response(mailbox.handle(req), ctx), log)


# -- building ------------------------------------------------------------------------------------


def test_build_saves_created_with_a_fresh_reply_key() -> None:
    sender, log = new_sender("a")
    other, _ = new_sender("b")
    assert log.events == [Created(sender.session_context)]
    assert sender.session_context.reply_key != other.session_context.reply_key
    ctx = sender.session_context
    assert ctx.psbt_ctx.output_substitution is OutputSubstitution.ENABLED
    assert ctx.psbt_ctx.payee == PAYEE
    assert ctx.psbt_ctx.original_psbt == ORIGINAL
    assert ctx.pj_param.id == short_id(RECEIVER_KEY.public)
    assert ctx.pj_param.receiver_pubkey == RECEIVER_KEY.public
    assert ctx.pj_param.expiration == EXPIRATION
    assert ctx.pj_param.directory.fragment is not None  # the whole pj URL is kept
    assert not log.closed


@pytest.mark.parametrize("method", ["recommended", "additional", "non_incentivizing", "disabled"])
def test_every_builder_is_a_next_state_transition(method: str) -> None:
    builder = SenderBuilder.new(ORIGINAL, pj_uri())
    rng = SeededRandom(method)
    if method == "recommended":
        transition = builder.build_recommended(RATE, rng=rng)
    elif method == "additional":
        transition = builder.build_with_additional_fee(100, 1, RATE, False, rng=rng)
    elif method == "non_incentivizing":
        transition = builder.build_non_incentivizing(RATE, rng=rng)
    else:
        transition = builder.always_disable_output_substitution().build_recommended(RATE, rng=rng)
    log: Log = InMemoryPersister()
    effect, state = save(transition, log)
    assert effect is EffectClass.PROGRESS
    assert isinstance(state, WithReplyKey)
    substitution = state.session_context.psbt_ctx.output_substitution
    assert (substitution is OutputSubstitution.DISABLED) == (method == "disabled")
    with pytest.raises(AlreadySaved):
        transition.save(log)
    assert len(log.events) == 1


def test_builder_errors_persist_nothing() -> None:
    with pytest.raises(BuildSenderError):
        SenderBuilder.new(ORIGINAL, pj_uri()).build_with_additional_fee(1, 0, RATE, False)
    text = format_uri(
        PjUri(address.encode(PAYEE, address.Network.REGTEST), PAY, PjParamV1("https://a.b/pj"))
    )
    with pytest.raises(InvalidArgument, match="only supports v2"):
        SenderBuilder.new(ORIGINAL, text)


# -- WithReplyKey --------------------------------------------------------------------------------


def test_post_request_is_message_a_of_the_sanitized_original() -> None:
    sender, _ = new_sender()
    req, _ctx = sender.create_v2_post_request(RELAY, rng=SeededRandom(1), clock=clock())
    assert len(req.body) == ohttp.ENCAPSULATED_MESSAGE_BYTES
    assert req.content_type == "message/ohttp-req"
    assert req.url == "https://relay.example/https://DIR.EXAMPLE/"
    mailbox = FakeMailbox()
    mailbox.handle(req)
    _reply_pk, original, query = receive_original(mailbox)
    assert original == ORIGINAL  # nothing to clear in this PSBT
    assert query == "v=2&additionalfeeoutputindex=1&maxadditionalfeecontribution=272&minfeerate=4"
    padded, _ = ohttp.open_request(GATEWAY.secret, CONFIG, req.body)
    inner = bhttp.decode_request(padded)
    assert (inner.method, inner.authority) == (b"POST", b"DIR.EXAMPLE")
    assert inner.path == b"/" + sender.endpoint().rsplit("/", 1)[1].split("#")[0].encode()


@pytest.mark.parametrize("offset", [0, -1, -1000])
def test_create_requests_check_expiry(offset: int) -> None:
    sender, _ = new_sender()
    with pytest.raises(CreateRequestError, match=r"^session expired$") as info:
        sender.create_v2_post_request(RELAY, clock=clock(EXPIRATION - offset))
    assert info.value.is_expired()
    assert info.value.expiration == EXPIRATION
    state = PollingForProposal(sender.session_context)
    with pytest.raises(CreateRequestError, match=r"^session expired$"):
        state.create_poll_request(RELAY, clock=clock(EXPIRATION - offset))
    sender.create_v2_post_request(RELAY, clock=clock(EXPIRATION - 1))  # one second before


def test_bad_relay_url_is_a_url_error() -> None:
    sender, _ = new_sender()
    with pytest.raises(CreateRequestError) as info:
        sender.create_v2_post_request("not a url", clock=clock())
    assert info.value.variant == "Url"
    assert not info.value.is_expired()


def test_post_accepted_progresses_to_polling() -> None:
    sender, log = new_sender()
    req, ctx = sender.create_v2_post_request(RELAY, clock=clock())
    effect, state = save(sender.process_response(FakeMailbox().handle(req), ctx), log)
    assert effect is EffectClass.PROGRESS
    assert state == PollingForProposal(sender.session_context)
    assert log.events[1:] == [PostedOriginalPsbt()]
    assert not log.closed


@pytest.mark.parametrize(
    ("override", "resize"), [(None, 8191), (None, 8193), (None, 0), (202, None), (503, None)]
)
def test_post_transient_hands_back_the_state(override: int | None, resize: int | None) -> None:
    sender, log = new_sender()
    req, ctx = sender.create_v2_post_request(RELAY, clock=clock())
    mailbox = FakeMailbox(override=override, resize=resize)
    before = list(log.events)
    effect, error = save(sender.process_response(mailbox.handle(req), ctx), log)
    assert effect is EffectClass.TRANSIENT
    assert error.is_transient()
    assert isinstance(error.api_error(), DecapsulationError)
    assert error.transient_state() == sender
    assert error.transient_state() is not sender
    assert log.events == before
    assert not log.closed
    retry = error.transient_state()
    req, ctx = retry.create_v2_post_request(RELAY, clock=clock())
    assert isinstance(retry.process_response(FakeMailbox().handle(req), ctx).save(log), object)
    assert log.events[1:] == [PostedOriginalPsbt()]


@pytest.mark.parametrize("bad", ["404", "400", "garbage", "wrong-context"])
def test_post_fatal_closes_aborted(bad: str) -> None:
    sender, log = new_sender()
    req, ctx = sender.create_v2_post_request(RELAY, clock=clock())
    response = FakeMailbox(override=int(bad) if bad.isdigit() else None).handle(req)
    if bad == "garbage":
        response = bytes(8192)
    if bad == "wrong-context":
        _, ctx2 = sender.create_v2_post_request(RELAY, clock=clock())
        ctx = OhttpResponse(ctx2.context)
    effect, error = save(sender.process_response(response, ctx), log)
    assert effect is EffectClass.FATAL
    assert error.is_fatal()
    assert str(error).startswith("Fatal error: Directory response error: ")
    assert log.events[1:] == [Closed(Aborted())]
    assert log.closed


def test_status_text_is_the_http_crate_display() -> None:
    sender, log = new_sender()
    req, ctx = sender.create_v2_post_request(RELAY, clock=clock())
    _, error = save(sender.process_response(FakeMailbox(override=404).handle(req), ctx), log)
    assert (
        str(error) == "Fatal error: Directory response error: Unexpected status code: 404 Not Found"
    )
    sender, log = new_sender()
    req, ctx = sender.create_v2_post_request(RELAY, clock=clock())
    _, error = save(sender.process_response(b"x", ctx), log)
    assert str(error) == (
        "Transient error: Directory response error: Unexpected response size 1, expected 8192 bytes"
    )


# -- PollingForProposal --------------------------------------------------------------------------


def test_poll_request_is_a_get_of_the_reply_mailbox_with_an_empty_message_a() -> None:
    state, _ = polling(FakeMailbox())
    req, _ = state.create_poll_request(RELAY, rng=SeededRandom(9), clock=clock())
    assert len(req.body) == ohttp.ENCAPSULATED_MESSAGE_BYTES
    padded, _ = ohttp.open_request(GATEWAY.secret, CONFIG, req.body)
    inner = bhttp.decode_request(padded)
    reply_key = KeyPair.from_secret(state.session_context.reply_key)
    assert inner.method == b"GET"
    assert inner.path.decode().endswith(format_short_id(short_id(reply_key.public)))
    assert len(inner.body) == messages.PADDED_MESSAGE_BYTES
    reply_pk, body = messages.open_message_a(inner.body, RECEIVER_KEY)
    assert reply_pk == reply_key.public_compressed
    assert bytes(body) == bytes(len(body))


def test_poll_202_is_stasis() -> None:
    mailbox = FakeMailbox()
    state, log = polling(mailbox)
    before = list(log.events)
    effect, result = poll(state, mailbox, log)
    assert effect is EffectClass.STASIS
    assert isinstance(result, Stasis)
    assert result.current == state
    assert result.current is not state
    assert log.events == before
    assert not log.closed


def test_poll_proposal_closes_with_success() -> None:
    mailbox = FakeMailbox()
    state, log = polling(mailbox)
    act_as_receiver(mailbox)
    effect, result = poll(state, mailbox, log)
    assert effect is EffectClass.TERMINAL
    assert isinstance(result, Progress)
    assert log.events[-1] == Closed(Success(result.next))
    assert log.closed
    assert len(result.next.inputs) == 2


@pytest.mark.parametrize(("override", "resize"), [(None, 100), (None, 9000), (500, None)])
def test_poll_transient(override: int | None, resize: int | None) -> None:
    mailbox = FakeMailbox()
    state, log = polling(mailbox)
    act_as_receiver(mailbox)
    before = list(log.events)
    mailbox.override, mailbox.resize = override, resize
    effect, error = poll(state, mailbox, log)
    assert effect is EffectClass.TRANSIENT
    assert error.transient_state() == state
    assert isinstance(error.api_error(), ResponseError)
    assert log.events == before
    assert not log.closed
    effect, _result = poll(error.transient_state(), mailbox, log)  # the retry succeeds
    assert effect is EffectClass.TERMINAL


def _tampered(proposal: Psbt) -> bytes:
    tx = replace(proposal.unsigned_tx, version=1)
    return replace(proposal, unsigned_tx=tx).serialize()


@pytest.mark.parametrize(
    ("case", "variant"),
    [
        ("403", "Decapsulation"),
        ("error-reply", "WellKnown"),
        ("unknown-code", "Unrecognized"),
        ("json-no-code", "Parse"),
        ("not-psbt", "Psbt"),
        ("bad-proposal", "Proposal"),
        ("bad-hpke", "Decapsulation"),
    ],
)
def test_poll_fatal_closes_aborted(case: str, variant: str) -> None:
    mailbox = FakeMailbox()
    state, log = polling(mailbox)
    proposal = act_as_receiver(mailbox)
    reply_pk, _, _ = receive_original(mailbox)
    bodies = {
        "error-reply": json.dumps({"errorCode": "unavailable", "message": "busy"}).encode(),
        "unknown-code": b'{"errorCode":"x","message":"y"}',
        "json-no-code": b"[1,2]",
        "not-psbt": b"hello",
        "bad-proposal": _tampered(proposal),
    }
    if case in bodies:
        reply(mailbox, reply_pk, bodies[case])
    elif case == "403":
        mailbox.override = 403
    else:
        mailbox.boxes[short_id(reply_pk)] = bytes(messages.PADDED_MESSAGE_BYTES)
    effect, error = poll(state, mailbox, log)
    assert effect is EffectClass.FATAL
    assert error.api_error().variant == variant
    assert log.events[-1] == Closed(Aborted())
    assert log.closed


def test_error_reply_carries_the_json() -> None:
    mailbox = FakeMailbox()
    state, log = polling(mailbox)
    reply_pk, _, _ = receive_original(mailbox)
    reply(mailbox, reply_pk, b'{"errorCode":"original-psbt-rejected","message":"no"}')
    _, error = poll(state, mailbox, log)
    assert error.api_error().reply == {"errorCode": "original-psbt-rejected", "message": "no"}


# -- cancel, close, consumption -------------------------------------------------------------------


@pytest.mark.parametrize("posted", [False, True])
def test_cancel_then_close(posted: bool) -> None:
    mailbox = FakeMailbox()
    state: WithReplyKey | PollingForProposal
    state, log = polling(mailbox) if posted else new_sender()
    effect, pending = save(state.cancel(), log)
    assert effect is EffectClass.PROGRESS
    assert isinstance(pending, PendingFallback)
    assert pending.fallback_tx == ORIGINAL.extract_tx()
    assert log.events[-1] == Cancelled()
    assert not log.closed
    effect, value = save(pending.close(), log)
    assert effect is EffectClass.TERMINAL
    assert value is None
    assert log.events[-1:] == [Closed(Aborted())]
    assert log.closed


def test_a_consumed_state_cannot_be_used_again() -> None:
    sender, log = new_sender()
    req, ctx = sender.create_v2_post_request(RELAY, clock=clock())
    response = FakeMailbox().handle(req)
    sender.process_response(response, ctx).save(log)
    for use in (
        lambda: sender.process_response(response, ctx),
        sender.cancel,
        lambda: sender.create_v2_post_request(RELAY, clock=clock()),
    ):
        with pytest.raises(StateConsumed):
            use()
    pending = PollingForProposal(sender.session_context).cancel().save(log)
    pending.close()  # `&self` in the crate: closing does not consume
    assert NOW < EXPIRATION


@pytest.mark.parametrize(
    ("reply", "text"),
    [
        ({"errorCode": "unavailable", "message": "m"}, "The payjoin endpoint is not available"),
        ({"errorCode": "original-psbt-rejected"}, "The receiver rejected the original PSBT."),
        (
            {"errorCode": "version-unsupported", "supported": [1, 2, "3", 2.0, -1]},
            "This version of payjoin is not supported. Use version [1, 2].",
        ),
        (
            {"errorCode": "version-unsupported", "supported": "[1,2]"},
            "This version of payjoin is not supported. Use version [].",
        ),
        ({"errorCode": "teapot", "message": "m"}, "The receiver sent an unrecognized error."),
    ],
)
def test_error_replies_print_payjoins_fixed_texts(reply: dict[str, object], text: str) -> None:
    """``WellKnownError``'s Display never shows the receiver's message (phishing defence)."""
    error = error_reply(json.dumps(reply).encode() + b"\x00" * 8)
    assert error is not None
    assert str(error).startswith(text)
    assert error.reply == reply
