"""The sender given a tampered proposal: each change does what its name says, the reference
refuses or accepts it as payjoin 1.0 does, and a sender that skips its checks is caught."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pjconf.harness.implementations.client import InProcessClient, Reply
from pjconf.harness.sessions.drive import drive, driver_for
from pjconf.harness.sessions.paths import open_session, receive_original
from pjconf.reference.adapter.crafted_proposal import (
    PROPOSAL_FEE_RATE,
    finalized_proposal,
    tampered_proposals,
)
from pjconf.reference.adapter.ops import reference_adapter
from pjconf.reference.adapter.payment import payment, receiver_contribution
from pjconf.reference.bitcoin.psbt import Psbt
from pjconf.reference.payjoin.sender import SenderContext
from pjconf.reference.payjoin.units import fee_rate

TAMPERS = tampered_proposals()
SEED = "t"


def iut() -> InProcessClient:
    return InProcessClient(reference_adapter(seed="iut"))


def run(name: str) -> Reply:
    return drive(iut(), {"iut_role": "sender", "path": f"sender_checks/{name}", "seed": SEED})


def untouched(contributed: bool) -> Psbt:
    pay = payment(f"{SEED}/payment")
    driver = driver_for(iut(), "sender", SEED, pay)
    if contributed:
        driver.config = replace(driver.config, contribution=receiver_contribution(pay))
    open_session(driver)
    receive_original(driver)
    return finalized_proposal(driver.log("receiver").events)


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_the_reference_sender_answers_as_payjoin(name: str) -> None:
    reply = run(name)
    assert reply.kind == "result", reply.value
    outcome = "fatal" if TAMPERS[name].refused else "terminal"
    assert reply.value["path"][-1] == ["sender.poll", outcome, "Closed"]
    texts = reply.value["texts"]["steps"]
    assert bool(texts) is TAMPERS[name].refused


UNCHANGED = {
    "no_substitution_untouched",
    "no_substitution_contributed",
    "no_fee_contribution_untouched",
    "fee_rate_at_minimum",
    "fee_rate_one_below_minimum",
    "original_change_first",
    "original_two_changes",
    "original_payee_only",
    "original_mixed_input_types",
    "min_fee_rate_zero",
    "contribution_clamped",
    "original_with_key_paths",
    "contribution_without_index",
    "sender_forgot_its_utxo",
}
"""The cases that change the sender's settings or its Original, not the proposal."""


@pytest.mark.parametrize("contributed", [False, True])
def test_each_change_changes_the_proposal(contributed: bool) -> None:
    pay = payment(f"{SEED}/payment")
    proposal = untouched(contributed)
    for name, tamper in TAMPERS.items():
        if tamper.contributed is not contributed:
            continue
        assert (tamper.change(proposal, pay) == proposal) is (name in UNCHANGED), name
        if name in UNCHANGED:
            settings = (
                tamper.sender,
                tamper.min_fee_rate,
                tamper.original,
                tamper.fee_contribution,
                tamper.utxo_forgotten,
            )
            assert settings != ((), None, None, None, False), name


def test_the_fee_rate_pinned_is_the_proposals() -> None:
    proposal = untouched(False)
    bare = replace(
        proposal, inputs=tuple(replace(i, final_script_witness=None) for i in proposal.inputs)
    )
    assert fee_rate(proposal.fee(), bare.extract_tx().weight()) == PROPOSAL_FEE_RATE


def test_a_sender_that_skips_its_checks_fails_the_refusals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SenderContext, "process_proposal", lambda self, proposal: proposal)
    assert run("version").kind == "error"
    assert run("payee_decreased").kind == "result"


def test_the_sender_log_is_rewritten_only_where_asked() -> None:
    events = ['{"Created":{"psbt_ctx":{"output_substitution":"Enabled","min_fee_rate":1}}}', "{}"]
    rewritten = TAMPERS["no_substitution_untouched"].sender_log(events)
    assert rewritten[1:] == events[1:]
    assert '"output_substitution":"Disabled"' in rewritten[0]
    assert '"min_fee_rate":1' in rewritten[0]
    assert TAMPERS["version"].sender_log(events) == events
