"""The shim's ``replay`` op on sender logs: the reference's replay behind the protocol."""

from __future__ import annotations

from reference.session.sender.test_sender_support import EXPIRATION, NOW, ORIGINAL, new_sender

from pjconf.harness.implementations.client import InProcessClient
from pjconf.reference.adapter.ops import reference_adapter
from pjconf.reference.bitcoin.wallet import extract_tx
from pjconf.reference.session.json_codec import encode_sender_event
from pjconf.reference.session.sender.events import Cancelled

CLIENT = InProcessClient(reference_adapter())


def _log() -> list[str]:
    _, persister = new_sender()
    return [encode_sender_event(e) for e in persister.events]


def test_a_fresh_sender_log_replays_to_with_reply_key() -> None:
    reply = CLIENT.call("replay", {"role": "sender", "events": _log(), "now": NOW})
    assert reply.kind == "result", reply
    assert reply.value == {
        "state": "WithReplyKey",
        "status": "Active",
        "closed": False,
        "fallback_tx": extract_tx(ORIGINAL).serialize().hex(),
        "expired": False,
    }


def test_a_log_past_its_expiration_is_an_expired_error() -> None:
    reply = CLIENT.call("replay", {"role": "sender", "events": _log(), "now": EXPIRATION})
    assert (reply.kind, reply.value["kind"]) == ("error", "Expired")
    assert reply.value["message"] == f"Session expired at Time(Time({EXPIRATION}))"


def test_invalid_logs_are_the_crates_replay_errors() -> None:
    empty = CLIENT.call("replay", {"role": "sender", "events": [], "now": NOW})
    assert (empty.kind, empty.value["kind"]) == ("error", "NoEvents")
    cancelled_first = CLIENT.call(
        "replay", {"role": "sender", "events": [encode_sender_event(Cancelled())], "now": NOW}
    )
    assert (cancelled_first.kind, cancelled_first.value["kind"]) == ("error", "InvalidFirstEvent")
    garbage = CLIENT.call("replay", {"role": "sender", "events": ["{not json"], "now": NOW})
    assert (garbage.kind, garbage.value["kind"]) == ("error", "DecodeError")
