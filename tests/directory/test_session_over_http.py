"""A whole payjoin session between two reference adapters, driven over the real server: every
request goes through its relay to its gateway over loopback HTTP, and the session ends as it
does through the in-process mailbox (the same path, a signed payjoin)."""

from __future__ import annotations

from directory.servers import thread_server

from pjconf.harness.directory.transport import HttpDirectory
from pjconf.harness.implementations.client import InProcessClient
from pjconf.harness.sessions.driver import SessionConfig, SessionDriver
from pjconf.harness.sessions.paths import run_success
from pjconf.reference.adapter.ops import reference_adapter
from pjconf.reference.adapter.payment import payment
from pjconf.reference.bip77.directory import Mailbox
from pjconf.reference.entropy import FixedClock

NOW = 1_800_000_000


def _driver(transport: HttpDirectory | None) -> SessionDriver:
    relay = transport.relay if transport is not None else "https://relay.pjconf.test"
    return SessionDriver(
        sender=InProcessClient(reference_adapter(seed="sender-adapter")),
        receiver=InProcessClient(reference_adapter(seed="receiver-adapter")),
        mailbox=Mailbox.seeded("in-process"),
        config=SessionConfig(
            payment("http-session"), NOW + 3600, clock=FixedClock(NOW), relay=relay
        ),
        transport=transport,
    )


def test_a_whole_session_succeeds_through_the_real_relay_and_gateway() -> None:
    with thread_server() as served:
        transport = HttpDirectory.connect(served.url)
        driver = _driver(transport)
        transcript = run_success(driver)
    assert transcript.payjoin_tx
    assert transcript.path() == run_success(_driver(None)).path()
    assert transcript.exchanges == tuple(transport.exchanges)
    assert all(e.http_status == 200 and len(e.response) == 8192 for e in transport.exchanges)
    assert driver.mailbox.exchanges == []  # nothing went to the in-process stand-in
    assert served.url.lower() + "/" in (
        transcript.pj_uri.lower().replace("%3a", ":").replace("%2f", "/")
    )
