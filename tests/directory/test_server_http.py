"""``pjconf directory serve`` over real HTTP on loopback: keys, the gateway, long polls, the
relay, refusals of oversized, slow and malformed requests, and service among idle connections.
The server runs in a thread of the test process (see servers.py); signals, kill -9 and the CLI
are in test_server_process.py."""

from __future__ import annotations

import json
import socket
import threading
import time

from directory.servers import IKM, Served, gateway, http, mailbox, thread_server

from pjconf.reference.bip77.directory import OHTTP_KEY_PROBLEM, Gateway
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig

PAYLOAD = bytes(range(256)) * 28  # 7168 bytes, BIP 77's message size


def test_the_key_config_is_served_as_rfc_9540_says_and_decodes_to_the_gateway_key() -> None:
    with thread_server() as served:
        for path in ("/.well-known/ohttp-gateway", "/ohttp-keys"):
            status, headers, body = http(served.url + path)
            assert status == 200
            assert headers["Content-Type"] == "application/ohttp-keys"
            assert OhttpKeyConfig.decode(body) == Gateway(IKM).key_config
        status, headers, body = http(served.url + "/.well-known/ohttp-gateway?allowed_purposes")
        assert headers["Content-Type"] == "application/x-ohttp-allowed-purposes"
        assert b"BIP77" in body
        assert http(served.url + "/health")[2] == b'{"versions":[2]}'


def _proxy_get(served: Served, target: str) -> bytes:
    """A proxy-form request, as payjoin 1.0's fetch_ohttp_keys sends it to its relay."""
    host, port = served.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_keys_are_fetched_through_the_relay_as_an_http_proxy_for_its_own_gateway_only() -> None:
    with thread_server() as served:
        answer = _proxy_get(served, served.url + "/.well-known/ohttp-gateway")
        assert answer.startswith(b"HTTP/1.1 200")
        assert answer.endswith(served.keys)
        assert _proxy_get(served, "http://elsewhere.test/.well-known/ohttp-gateway").startswith(
            b"HTTP/1.1 403"
        )


def test_a_payload_posted_through_the_gateway_comes_back_on_get_and_stays() -> None:
    with thread_server() as served:
        box = mailbox(1)
        assert gateway(served, served.seal("GET", box)) == (202, b"")
        assert gateway(served, served.seal("POST", box, PAYLOAD)) == (200, b"")
        for path in ("/", "/.well-known/ohttp-gateway"):
            assert gateway(served, served.seal("GET", box), path) == (200, PAYLOAD)


def test_a_mailbox_is_written_once_as_in_payjoin_mailroom() -> None:
    with thread_server() as served:
        box = mailbox(2)
        assert gateway(served, served.seal("POST", box, b"first")) == (200, b"")
        assert gateway(served, served.seal("POST", box, b"first", seed="retry")) == (200, b"")
        assert gateway(served, served.seal("POST", box, b"second")) == (200, b"")
        assert gateway(served, served.seal("GET", box)) == (200, b"first")


def test_inner_requests_that_are_not_mailbox_operations_are_answered_inside_ohttp() -> None:
    with thread_server() as served:
        box = mailbox(3)
        assert gateway(served, served.seal("DELETE", box)) == (404, b"")
        assert gateway(served, served.seal("PUT", box, b"v1 reply")) == (200, b"")


def test_a_long_poll_wakes_on_post() -> None:
    with thread_server(long_poll=20.0) as served:
        box = mailbox(4)
        result: list[tuple[int, bytes]] = []
        waiter = threading.Thread(
            target=lambda: result.append(gateway(served, served.seal("GET", box)))
        )
        started = time.monotonic()
        waiter.start()
        time.sleep(0.3)
        assert not result, "the GET was answered before anything was posted"
        assert gateway(served, served.seal("POST", box, PAYLOAD)) == (200, b"")
        waiter.join(10)
        assert result == [(200, PAYLOAD)]
        assert time.monotonic() - started < 5


def test_a_long_poll_times_out_with_202() -> None:
    with thread_server(long_poll=0.4) as served:
        started = time.monotonic()
        assert gateway(served, served.seal("GET", mailbox(5))) == (202, b"")
        assert 0.35 < time.monotonic() - started < 5


def test_long_polls_past_the_limit_are_refused_with_503() -> None:
    with thread_server(long_poll=3.0, max_waiters=1) as served:
        held = threading.Thread(target=lambda: gateway(served, served.seal("GET", mailbox(6))))
        held.start()
        time.sleep(0.3)
        sealed = served.seal("GET", mailbox(7))
        status, _, _ = http(served.url + "/", sealed.body, {"Content-Type": "message/ohttp-req"})
        assert status == 503
        gateway(served, served.seal("POST", mailbox(6), b"x"))
        held.join(10)


def test_the_relay_forwards_to_its_own_gateway_and_refuses_every_other() -> None:
    with thread_server() as served:
        box = mailbox(8)
        sealed = served.seal("POST", box, PAYLOAD)
        ohttp = {"Content-Type": "message/ohttp-req"}
        port = served.url.rsplit(":", 1)[1]
        for name in ("127.0.0.1", "localhost"):
            status, _headers, answer = http(
                f"{served.url}/http://{name}:{port}/", sealed.body, ohttp
            )
            assert status == 200
            assert sealed.open(answer) == (200, b"")
        other = http(f"{served.url}/http://example.com/", sealed.body, ohttp)
        assert other[0] == 403
        assert http(f"{served.url}/http://127.0.0.1:1/", sealed.body, ohttp)[0] == 403
        wrong_type = http(f"{served.url}/http://127.0.0.1:{port}/", sealed.body, {})
        assert wrong_type[0] == 415
        assert http(f"{served.url}/http://:x/", sealed.body, ohttp)[0] == 400


def test_malformed_ohttp_is_answered_as_payjoin_mailroom_does() -> None:
    with thread_server() as served:
        status, headers, body = http(served.url + "/", bytes(8192))
        assert (status, body) == (400, OHTTP_KEY_PROBLEM)
        assert headers["Content-Type"] == "application/problem+json"
        assert http(served.url + "/", b"")[0] == 400


def _raw(served: Served) -> socket.socket:
    host, port = served.url.removeprefix("http://").rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=5)


def _status_line(sock: socket.socket) -> bytes:
    return sock.recv(65536).split(b"\r\n", 1)[0]


def test_an_oversized_body_is_refused_with_413_before_it_is_sent() -> None:
    with thread_server() as served:
        with _raw(served) as sock:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
            assert _status_line(sock) == b"HTTP/1.1 413 Request Entity Too Large"
            assert sock.recv(65536) == b""  # closed: the body is never drained
        with _raw(served) as sock:  # chunked: refused once it passes 8192 bytes
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            sock.sendall(b"2000\r\n" + bytes(0x2000) + b"\r\n" + b"10\r\n" + bytes(16) + b"\r\n")
            assert _status_line(sock) == b"HTTP/1.1 413 Request Entity Too Large"
        logged = [json.loads(line) for line in served.logs.getvalue().splitlines()]
        assert [r["status"] for r in logged if r["event"] == "request"][-2:] == [413, 413]


def test_a_slow_body_is_refused_with_408_and_a_slow_head_is_cut_off() -> None:
    with thread_server(body_timeout=0.5, idle_timeout=0.5) as served:
        with _raw(served) as sock:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 8192\r\n\r\n" + bytes(10))
            assert _status_line(sock) == b"HTTP/1.1 408 Request Timeout"
        with _raw(served) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            started = time.monotonic()
            assert sock.recv(100) == b""  # the server hangs up on the unfinished head
            assert time.monotonic() - started < 4


def test_service_goes_on_among_hundreds_of_idle_connections() -> None:
    with thread_server(idle_timeout=30.0) as served:
        idle = [_raw(served) for _ in range(300)]
        try:
            box = mailbox(9)
            assert gateway(served, served.seal("POST", box, PAYLOAD)) == (200, b"")
            assert gateway(served, served.seal("GET", box)) == (200, PAYLOAD)
        finally:
            for sock in idle:
                sock.close()


def test_every_request_is_logged_as_one_json_object_with_an_id_and_no_secrets() -> None:
    with thread_server() as served:
        box = mailbox(10)
        gateway(served, served.seal("POST", box, PAYLOAD))
        _status, headers, _ = http(served.url + "/health")
        lines = served.logs.getvalue().splitlines()
    records = [json.loads(line) for line in lines]
    requests = [r for r in records if r["event"] == "request"]
    assert len({r["request_id"] for r in requests}) == len(requests)
    assert headers["X-Request-Id"] in {r["request_id"] for r in requests}
    posted = next(r for r in requests if r.get("inner_method") == "POST")
    assert posted["route"] == "gateway"
    assert posted["inner_status"] == 200
    text = served.logs.getvalue()
    from pjconf.reference.bip77.short_id import format_short_id  # noqa: PLC0415

    for secret in (format_short_id(box), IKM.hex(), PAYLOAD[:32].hex()):
        assert secret not in text
