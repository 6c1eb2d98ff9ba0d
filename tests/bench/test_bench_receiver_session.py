"""One whole Python sender <-> Python receiver session, beside the libsecp256k1 work it contains.

The session runs from the receiver's builder to ``Closed(Success)``: the sender posts message A,
the receiver polls, checks, contributes a coin, signs and posts message B, the sender polls,
checks the proposal and signs, and the receiver's monitor finds the payjoin. Both logs are
in-memory persisters; the directory and its OHTTP gateway are the fake one of the session tests
(``session/receiver_support.Directory``), so no I/O happens and wall time is CPU time
(``extra_info["cpu_ms_per_session"]`` checks that with ``time.process_time``).

The floor is the session's own elliptic-curve work, replayed: every libsecp256k1 call the
session makes (ECDH, key generation and parsing, ElligatorSwift, ECDSA/Schnorr signing) is
recorded once, with its arguments, and the floor makes exactly those calls again, straight on
libsecp256k1. No session can do without them: they are the HPKE and OHTTP key agreements of
four requests and two messages, and the two parties' signatures. The ratio session/floor is what
the reference adds on top (hashing, AEAD, PSBT and transaction encoding, the checks, the events
and Python); a ``json.loads``/``dumps`` floor would only compare it with the cost of the C JSON
module, which says little about a session whose cost is mostly cryptography.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from btclib_secp256k1 import dsa, ecdh, ellswift, keys, ssa, xonly
from pytest_benchmark.fixture import BenchmarkFixture
from reference.session.receiver.receiver_support import (
    RELAY,
    SENDER_WALLET,
    Directory,
    clock,
    new_receiver,
    send_v2,
    to_monitor,
)

from pjconf.reference.bitcoin.wallet import extract_tx
from pjconf.reference.entropy import SeededRandom
from pjconf.reference.persist import Progress
from pjconf.reference.session.receiver.events import Closed, Success

RecordPairedRatio = Callable[[Callable[[], object], Callable[[], object]], None]

pytestmark = pytest.mark.benchmark_suite

LIBSECP = {
    ecdh: ("shared_point", "shared_secret"),
    keys: ("pubkey_from_prvkey", "parse", "serialize", "pubkey_tweak_add"),
    ellswift: ("create", "encode", "decode", "xdh"),
    dsa: ("sign", "verify"),
    ssa: ("sign", "verify"),
    xonly: ("from_prvkey", "from_pubkey", "tweak_add", "prvkey_tweak_add"),
}
"""The libsecp256k1 entry points the reference calls (``crypto/``, ``bitcoin/wallet.py``)."""
CPU_SESSIONS = 50


def session() -> Closed:
    """Builder to ``Closed(Success)``; the receiver's last event."""
    directory = Directory()
    receiver, log = new_receiver("bench")
    sender, sender_log = send_v2(directory, receiver)
    monitor = to_monitor(receiver, log, directory)
    req, ctx = sender.create_poll_request(RELAY, rng=SeededRandom("sender/poll"), clock=clock())
    checked = sender.process_response(directory.handle(req), ctx).save(sender_log)
    assert isinstance(checked, Progress)
    payjoin = extract_tx(SENDER_WALLET.sign_psbt(checked.next))
    assert monitor.check_for_transaction({payjoin.txid(): payjoin}.get).save(log) == Progress(None)
    last = log.events[-1]
    assert isinstance(last, Closed)
    return last


Call = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]


def record_libsecp_calls(run: Callable[[], object]) -> list[Call]:
    """Every libsecp256k1 call ``run`` makes, with its arguments, in order."""
    calls: list[Call] = []
    originals = {(m, name): getattr(m, name) for m, names in LIBSECP.items() for name in names}

    def spy(fn: Callable[..., Any]) -> Callable[..., Any]:
        def called(*args: Any, **kwargs: Any) -> Any:
            calls.append((fn, args, kwargs))
            return fn(*args, **kwargs)

        return called

    for (module, name), fn in originals.items():
        setattr(module, name, spy(fn))
    try:
        run()
    finally:
        for (module, name), fn in originals.items():
            setattr(module, name, fn)
    return calls


CALLS = record_libsecp_calls(session)


def floor() -> None:
    """The session's libsecp256k1 calls again, with the same arguments."""
    for fn, args, kwargs in CALLS:
        fn(*args, **kwargs)


def _counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for fn, _, _ in CALLS:
        name = f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"
        counts[name] = counts.get(name, 0) + 1
    return counts


def test_receiver_session(
    benchmark: BenchmarkFixture, record_paired_ratio: RecordPairedRatio
) -> None:
    benchmark.group = "session.receiver"
    counts = _counts()
    benchmark.extra_info["libsecp_calls"] = counts
    closed = benchmark(session)
    assert isinstance(closed.outcome, Success)
    # Four OHTTP requests (sealed by a party, opened by the gateway: one ECDH each side), two
    # message A seals (the Original, the sender's poll) and one open, one message B sealed and
    # opened (two ECDH each side); the receiver's input and the sender's input signed once.
    assert counts["ecdh.shared_point"] == 4 * 2 + (2 + 1) + (2 + 2)
    assert (counts["ellswift.encode"], counts["ellswift.decode"]) == (2 + 1, 1 + 1)
    assert counts["dsa.sign"] == 2
    record_paired_ratio(session, floor)
    if not benchmark.disabled:
        start = time.process_time()
        for _ in range(CPU_SESSIONS):
            session()
        cpu = time.process_time() - start
        benchmark.extra_info["cpu_ms_per_session"] = cpu * 1e3 / CPU_SESSIONS


def test_receiver_session_floor(benchmark: BenchmarkFixture) -> None:
    """The session's own libsecp256k1 calls, replayed."""
    benchmark.group = "session.receiver"
    benchmark.extra_info["floor"] = True
    benchmark(floor)
