"""A whole sender session through the shim's ``session.*`` ops, against the fake mailbox of
``test_sender_support`` acting as directory and receiver. Every step is checked against the
protocol's outcome table (docs/adapter-protocol.md, "Live sessions") by diffing the log that
``session.events`` reports before and after it."""

from __future__ import annotations

from typing import Any

import pytest
from reference.adapter.session_ops_support import assert_logged, ok
from reference.session.sender.test_sender_support import (
    EXPIRATION,
    NOW,
    ORIGINAL,
    RATE,
    RELAY,
    FakeMailbox,
    act_as_receiver,
    pj_uri,
    reply_error,
)

from pjconf.harness.implementations.client import InProcessClient
from pjconf.reference.adapter.ops import reference_adapter
from pjconf.reference.bip77.ohttp import ENCAPSULATED_MESSAGE_BYTES
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.session.json_codec import decode_sender_event, encode_sender_event
from pjconf.reference.session.sender.events import (
    Aborted,
    Cancelled,
    Closed,
    Created,
    PostedOriginalPsbt,
    Success,
)
from pjconf.reference.session.sender.wire import Request


class Session:
    """One shim session, with every transition checked against the outcome table."""

    def __init__(self, client: InProcessClient, handle: str) -> None:
        self.client, self.handle = client, handle

    def log(self) -> tuple[list[str], bool]:
        out = ok(self.client.call("session.events", {"handle": self.handle}))
        return out["events"], out["closed"]

    def checked(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        before, was_closed = self.log()
        out = ok(self.client.call(op, {"handle": self.handle, **args}))
        after, closed = self.log()
        assert_logged(out, before, after, was_closed, closed)
        return out

    def request(self, now: int = NOW) -> tuple[Request, str]:
        out = ok(
            self.client.call("session.request", {"handle": self.handle, "relay": RELAY, "now": now})
        )
        assert out["method"] == "POST"
        body = bytes.fromhex(out["body"])
        assert len(body) == ENCAPSULATED_MESSAGE_BYTES
        return Request(out["url"], out["content_type"], body), out["context"]

    def roundtrip(self, mailbox: FakeMailbox) -> dict[str, Any]:
        req, context = self.request()
        body = mailbox.handle(req).hex()
        return self.checked("session.response", {"context": context, "body": body})

    def call(self, method: str) -> dict[str, Any]:
        return self.checked("session.call", {"method": method, "args": {}})


def new_session(seed: str = "ops", expiration: int = EXPIRATION) -> tuple[Session, dict[str, Any]]:
    client = InProcessClient(reference_adapter(seed="adapter"))
    out = ok(
        client.call(
            "session.new_sender",
            {
                "psbt": ORIGINAL.to_base64(),
                "pj_uri": pj_uri(expiration),
                "min_fee_rate": RATE,
                "seed": seed,
                "now": NOW,
            },
        )
    )
    return Session(client, out["handle"]), out


def test_whole_session_to_success() -> None:
    mailbox = FakeMailbox()
    session, created = new_session()
    assert created["state"] == "WithReplyKey"
    (text,) = created["appended"]
    assert isinstance(decode_sender_event(text), Created)
    assert session.log() == ([text], False)

    req, _ = session.request()
    assert req.url == RELAY + "/https://DIR.EXAMPLE/"  # as payjoin 1.0 writes it, host as given
    posted = session.roundtrip(mailbox)
    assert (posted["outcome"], posted["state"]) == ("progress", "PollingForProposal")
    assert [decode_sender_event(t) for t in posted["appended"]] == [PostedOriginalPsbt()]

    waiting = session.roundtrip(mailbox)  # 202: nothing in the reply mailbox yet
    assert (waiting["outcome"], waiting["state"], waiting["appended"]) == (
        "stasis",
        "PollingForProposal",
        [],
    )

    proposal = act_as_receiver(mailbox)
    done = session.roundtrip(mailbox)
    assert (done["outcome"], done["state"], done["closed"]) == ("terminal", "Closed", True)
    assert "error" not in done
    checked = Psbt.from_base64(done["value"]["psbt"])
    assert checked.unsigned_tx == proposal.unsigned_tx
    assert [decode_sender_event(t) for t in done["appended"]] == [Closed(Success(checked))]

    events, closed = session.log()
    assert closed
    assert len(events) == 3
    replay = ok(session.client.call("replay", {"role": "sender", "events": events, "now": NOW}))
    assert (replay["state"], replay["status"], replay["closed"]) == ("Closed", "Completed", False)
    resumed = ok(session.client.call("session.resume", {"role": "sender", "events": events}))
    assert (resumed["state"], resumed["closed"]) == ("Closed", True)


def test_the_same_seed_gives_the_same_bytes() -> None:
    first, a = new_session("same")
    second, b = new_session("same")
    assert a["appended"] == b["appended"]
    assert first.request()[0] == second.request()[0]
    assert new_session("other")[1]["appended"] != a["appended"]


@pytest.mark.parametrize("polling", [False, True])
def test_wrong_size_is_transient_and_retry_works(polling: bool) -> None:
    mailbox = FakeMailbox()
    session, _ = new_session("size")
    if polling:
        session.roundtrip(mailbox)
    state = "PollingForProposal" if polling else "WithReplyKey"
    mailbox.resize = 100
    out = session.roundtrip(mailbox)
    assert (out["outcome"], out["state"], out["appended"]) == ("transient", state, [])
    assert "Unexpected response size 100" in out["error"]["message"]
    assert out["error"]["kind"].startswith(("DecapsulationError", "ResponseError"))
    again = session.roundtrip(mailbox)
    assert again["outcome"] == ("stasis" if polling else "progress")


def test_server_error_status_is_transient_and_4xx_is_fatal() -> None:
    mailbox = FakeMailbox()
    session, _ = new_session("status")
    mailbox.override = 503
    assert session.roundtrip(mailbox)["outcome"] == "transient"
    mailbox.override = 400
    out = session.roundtrip(mailbox)
    assert (out["outcome"], out["state"], out["closed"]) == ("fatal", "Closed", True)
    assert [decode_sender_event(t) for t in out["appended"]] == [Closed(Aborted())]
    assert "400 Bad Request" in out["error"]["message"]
    gone = session.client.call("session.request", {"handle": session.handle, "relay": RELAY})
    assert (gone.kind, gone.value["kind"]) == ("error", "InvalidState")


def test_error_reply_is_fatal_while_polling() -> None:
    mailbox = FakeMailbox()
    session, _ = new_session("reply")
    session.roundtrip(mailbox)
    reply_error(mailbox, "not-enough-money")
    out = session.roundtrip(mailbox)
    assert (out["outcome"], out["closed"]) == ("fatal", True)
    assert out["error"] == {
        "kind": "ResponseError::WellKnown",
        # payjoin 1.0 prints a fixed text per code, never the receiver's "nope"
        "message": "The receiver added some inputs but could not bump the fee of the payjoin "
        "proposal.",
    }
    assert "value" not in out


@pytest.mark.parametrize("polling", [False, True])
def test_cancel_then_close(polling: bool) -> None:
    mailbox = FakeMailbox()
    session, _ = new_session("cancel")
    if polling:
        session.roundtrip(mailbox)
    cancelled = session.call("cancel")
    assert (cancelled["outcome"], cancelled["state"]) == ("progress", "PendingFallback")
    assert [decode_sender_event(t) for t in cancelled["appended"]] == [Cancelled()]
    no_request = session.client.call("session.request", {"handle": session.handle, "relay": RELAY})
    assert (no_request.kind, no_request.value["kind"]) == ("error", "InvalidState")
    closed = session.call("close")
    assert (closed["outcome"], closed["state"], closed["closed"]) == ("terminal", "Closed", True)
    assert closed["appended"] == [encode_sender_event(Closed(Aborted()))]
    again = session.client.call(
        "session.call", {"handle": session.handle, "method": "close", "args": {}}
    )
    assert (again.kind, again.value["kind"]) == ("error", "InvalidState")


def test_resume_mid_session_and_finish() -> None:
    mailbox = FakeMailbox()
    session, _ = new_session("resume")
    session.roundtrip(mailbox)
    events, _ = session.log()
    client = session.client
    resumed = ok(
        client.call("session.resume", {"role": "sender", "events": events, "now": NOW, "seed": 1})
    )
    assert (resumed["state"], resumed["closed"]) == ("PollingForProposal", False)
    other = Session(client, resumed["handle"])
    assert other.log() == (events, False)
    act_as_receiver(mailbox)
    assert other.roundtrip(mailbox)["outcome"] == "terminal"
    assert session.log() == (events, False)  # the original handle is untouched


def test_contexts_are_single_use_and_bound_to_their_session() -> None:
    mailbox = FakeMailbox()
    session, _ = new_session("ctx")
    req, context = session.request()
    body = mailbox.handle(req).hex()
    first = session.checked("session.response", {"context": context, "body": body})
    assert first["outcome"] == "progress"
    reused = session.client.call(
        "session.response", {"handle": session.handle, "context": context, "body": body}
    )
    assert (reused.kind, reused.value["kind"]) == ("error", "InvalidArgument")
    _, foreign = session.request()
    other = ok(
        session.client.call(
            "session.new_sender",
            {"psbt": ORIGINAL.to_base64(), "pj_uri": pj_uri(), "min_fee_rate": RATE},
        )
    )
    stolen = session.client.call(
        "session.response", {"handle": other["handle"], "context": foreign, "body": body}
    )
    assert (stolen.kind, stolen.value["kind"]) == ("error", "InvalidArgument")
    ok(session.client.call("session.drop", {"handle": other["handle"]}))
    dropped = session.client.call("session.events", {"handle": other["handle"]})
    assert (dropped.kind, dropped.value["kind"]) == ("error", "InvalidArgument")


def test_an_expired_session_cannot_make_requests() -> None:
    session, _ = new_session("expired")
    reply = session.client.call(
        "session.request", {"handle": session.handle, "relay": RELAY, "now": EXPIRATION}
    )
    assert (reply.kind, reply.value["kind"]) == ("error", "Expired")
    assert session.request(EXPIRATION - 1)  # one second earlier it still can


def test_fee_contribution_and_bad_arguments() -> None:
    client = InProcessClient(reference_adapter())
    base = {"psbt": ORIGINAL.to_base64(), "pj_uri": pj_uri(), "min_fee_rate": RATE}
    out = ok(
        client.call(
            "session.new_sender",
            {**base, "fee_contribution": {"max_amount": 500, "change_vout": 1}},
        )
    )
    assert out["state"] == "WithReplyKey"
    bad_index = client.call(
        "session.new_sender", {**base, "fee_contribution": {"max_amount": 500, "change_vout": 0}}
    )
    assert (bad_index.kind, bad_index.value["kind"]) == ("error", "BuildSenderError")
    assert client.call("session.new_sender", {**base, "psbt": "nope"}).value["kind"] == (
        "InvalidArgument"
    )
    assert client.call("session.new_sender", {**base, "pj_uri": "x"}).value["kind"] == "ParseError"


def test_receiver_methods_are_unimplemented_on_a_sender() -> None:
    session, _ = new_session("recv")
    unknown = session.client.call(
        "session.call", {"handle": session.handle, "method": "commit_outputs", "args": {}}
    )
    assert unknown.kind == "unimplemented"
