"""The shim's ``replay`` op on sender logs: the reference's replay behind the protocol."""

from __future__ import annotations

import json

import pytest
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


def _with_input_maps(text: str, count: int) -> str:
    """The Created event with its Original PSBT's input maps resized to ``count`` (copies of
    the first): JSON can carry such a PSBT, the binary form cannot."""
    event = json.loads(text)
    psbt = event["Created"]["psbt_ctx"]["original_psbt"]
    psbt["inputs"] = [psbt["inputs"][0]] * count
    return json.dumps(event, separators=(",", ":"))


@pytest.mark.parametrize("maps", [0, 2, 3])
def test_input_maps_not_matching_the_inputs_replay_as_the_crate_pairs_them(maps: int) -> None:
    """Found by ``pjconf fuzz --impl reference``: the replay raised ValueError (InternalError)
    in ``extract_tx``. rust-bitcoin zips inputs with maps: surplus maps are ignored, an input
    without a map keeps its unsigned form (hostile/99-102 pin payjoin 1.0's answers)."""
    log = _log()
    tx = extract_tx(ORIGINAL)
    assert len(tx.inputs) == 1
    reply = CLIENT.call(
        "replay", {"role": "sender", "events": [_with_input_maps(log[0], maps)], "now": NOW}
    )
    assert reply.kind == "result", reply
    unsigned = ORIGINAL.unsigned_tx.serialize().hex()
    assert reply.value["fallback_tx"] == (unsigned if maps == 0 else tx.serialize().hex())
