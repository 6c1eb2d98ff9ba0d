"""Reading payjoin-cli's output: the payjoin URI a receiver prints and the session ids.

The shapes are payjoin-cli 1.0.0's (``[<Role padded to 8> <id>] <message>`` lines, the URI on a
line of its own); the end-to-end test in tests/regtest reads the real thing.
"""

from __future__ import annotations

import pytest

from pjconf.harness.network.payjoin_cli import PayjoinCliError, payjoin_uri, session_id

RECEIVER_OUTPUT = """\
[Receiver 1] Session established
[Receiver 1] Request Payjoin by sharing this Payjoin Uri:
bitcoin:BCRT1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KYGT080?amount=0.01&pj=HTTP://PJCONF-ABC-MAILROOM-DIRECTORY:8080/TXJCGKTKXLUUZ%23EX1W7HNTXU
[Receiver 1] Polling receive request...
"""

SENDER_OUTPUT = """\
WARN payjoin_cli::app::config: Only one OHTTP relay is configured.
[Sender   01a2541b-2666-74a4-abbd-8418dd79cd00] Session established
[Sender   01a2541b-2666-74a4-abbd-8418dd79cd00] Posted Original PSBT...
[Sender   01a2541b-2666-74a4-abbd-8418dd79cd00] No response yet.
[Sender   01a2541b-2666-74a4-abbd-8418dd79cd00] Session interrupted.
"""


def test_the_uri_is_the_bitcoin_line_with_a_pj_parameter() -> None:
    uri = payjoin_uri(RECEIVER_OUTPUT)
    assert uri.startswith("bitcoin:BCRT1Q")
    assert uri.endswith("%23EX1W7HNTXU")


def test_no_uri_is_a_typed_error_carrying_the_output() -> None:
    with pytest.raises(PayjoinCliError, match="Session established"):
        payjoin_uri("[Receiver 1] Session established\nbitcoin:bcrt1qxyz?amount=1\n")


def test_the_session_id_is_read_from_the_first_session_line() -> None:
    assert session_id(SENDER_OUTPUT) == "01a2541b-2666-74a4-abbd-8418dd79cd00"
    assert session_id(RECEIVER_OUTPUT) == "1"


def test_no_session_line_is_a_typed_error() -> None:
    with pytest.raises(PayjoinCliError, match="no session id"):
        session_id("error: unexpected argument '--frobnicate' found\n")
