"""The reference reports exactly the state names the protocol declares (pjconf.protocol.states)."""

from __future__ import annotations

from pjconf.protocol import states
from pjconf.reference.adapter.sender_ops import SENDER_STATE_NAMES
from pjconf.reference.session.receiver.machine import HAS_FALLBACK_TX, STATE_NAMES


def test_receiver_typestates_map_onto_the_declared_names() -> None:
    assert sorted(STATE_NAMES.values()) == sorted(states.RECEIVER_STATES)
    assert len(set(STATE_NAMES.values())) == len(STATE_NAMES)


def test_the_fallback_holding_states_are_the_declared_ones() -> None:
    assert tuple(STATE_NAMES[s] for s in HAS_FALLBACK_TX) == states.RECEIVER_WITH_FALLBACK


def test_sender_typestates_map_onto_the_declared_names() -> None:
    assert sorted(SENDER_STATE_NAMES.values()) == sorted(states.SENDER_STATES)
