"""The harness's BIP 77 directory: real OHTTP round trips made with the reference client side,
payjoin-mailroom's answers (202 on an empty mailbox, peek not pop, plain 400/413 outside OHTTP,
404 inside), the fault knobs, the exchange record, and determinism under a seed."""

from __future__ import annotations

import json

import pytest

from pjconf.reference.bip77 import bhttp, ohttp
from pjconf.reference.bip77.bhttp import BhttpRequest, BhttpResponse
from pjconf.reference.bip77.directory import (
    MAX_BODY_BYTES,
    OHTTP_KEY_PROBLEM,
    Corrupt,
    Exchange,
    Mailbox,
    Status,
    WrongSize,
)
from pjconf.reference.bip77.ohttp import (
    ENCAPSULATED_MESSAGE_BYTES,
    PADDED_BHTTP_RES_BYTES,
    RequestContext,
)
from pjconf.reference.bip77.ohttp_keys import OhttpKeyConfig
from pjconf.reference.bip77.short_id import format_short_id, short_id
from pjconf.reference.crypto import hpke
from pjconf.reference.crypto.secp256k1 import KeyPair
from pjconf.reference.entropy import SeededRandom
from pjconf.reference.errors import InvalidSize, OpenError

DIRECTORY = "https://directory.pjconf.test/"
KEY = KeyPair.generate(SeededRandom("mailbox-test/key"))
ID = format_short_id(short_id(KEY.public))
OTHER_ID = format_short_id(short_id(KeyPair.generate(SeededRandom("mailbox-test/other")).public))


def seal(
    mailbox: Mailbox, method: str, path: str, body: bytes = b"", seed: str = "client"
) -> tuple[bytes, RequestContext]:
    """An 8192-byte request as a payjoin client makes it, to the mailbox's gateway."""
    message = bhttp.encode_request(
        BhttpRequest.build(method, "https", "directory.pjconf.test", path, body=body)
    )
    return ohttp.seal_request(mailbox.key_config, message, rng=SeededRandom(seed))


def send(mailbox: Mailbox, method: str, path: str, body: bytes = b"") -> BhttpResponse:
    """One OHTTP round trip; the answer opened as a payjoin client opens it."""
    request, context = seal(mailbox, method, path, body)
    answer = mailbox.handle(request)
    assert len(answer) == ENCAPSULATED_MESSAGE_BYTES
    return bhttp.decode_response(ohttp.open_response(context, answer))


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox.seeded("mailbox-test")


# -- keys --------------------------------------------------------------------------------------


def test_key_config_is_the_bip77_suite_and_matches_the_derived_gateway_key(
    mailbox: Mailbox,
) -> None:
    config = OhttpKeyConfig.decode(mailbox.ohttp_keys)
    assert len(mailbox.ohttp_keys) == 74
    assert (config.key_id, config.kem_id, config.suites) == (0, 0x0016, ((1, 3),))
    derived_sk, derived_pk = hpke.SECP256K1_CHACHA.derive_key_pair(mailbox.gateway_ikm)
    assert (derived_sk, derived_pk) == (mailbox.gateway_secret, config.pk)


def test_the_seed_fixes_the_key_and_every_answer_byte() -> None:
    first, second = Mailbox.seeded("same"), Mailbox.seeded("same")
    assert first.ohttp_keys == second.ohttp_keys != Mailbox.seeded("other").ohttp_keys
    for box in (first, second):
        request, _ = seal(box, "POST", f"/{ID}", b"payload")
        box.handle(request)
        request, _ = seal(box, "GET", f"/{ID}")
        box.handle(request)
    assert first.transcript() == second.transcript()


# -- the directory's answers -------------------------------------------------------------------


def test_get_on_an_empty_mailbox_is_202_accepted(mailbox: Mailbox) -> None:
    answer = send(mailbox, "GET", f"/{ID}")
    assert (answer.status, answer.body) == (202, b"")


def test_post_stores_and_get_serves_without_consuming(mailbox: Mailbox) -> None:
    assert send(mailbox, "POST", f"/{ID}", b"message A").status == 200
    for _ in range(2):  # the mailroom peeks: a second poll (a retry) sees the same body
        answer = send(mailbox, "GET", f"/{ID}")
        assert (answer.status, answer.body) == (200, b"message A")
    assert send(mailbox, "GET", f"/{OTHER_ID}").status == 202
    assert mailbox.peek(ID) == b"message A"


def test_a_second_post_overwrites(mailbox: Mailbox) -> None:
    send(mailbox, "POST", f"/{ID}", b"first")
    send(mailbox, "POST", f"/{ID}", b"second")
    assert send(mailbox, "GET", f"/{ID}").body == b"second"


def test_put_is_kept_apart_from_the_polled_mailbox(mailbox: Mailbox) -> None:
    assert send(mailbox, "PUT", f"/{ID}", b"v1 proposal").status == 200
    assert send(mailbox, "GET", f"/{ID}").status == 202
    assert mailbox.v1_replies == {short_id(KEY.public): b"v1 proposal"}


def test_an_alias_of_a_short_id_names_the_same_mailbox(mailbox: Mailbox) -> None:
    alias = ID + "Q"  # a 14th character is dropped with its bits (rust-payjoin's ShortId parser)
    send(mailbox, "POST", f"/{alias}", b"aliased")
    assert send(mailbox, "GET", f"/{ID}").body == b"aliased"
    assert mailbox.exchanges[0].mailbox == ID


@pytest.mark.parametrize(
    ("method", "path"),
    [("DELETE", f"/{ID}"), ("POST", f"/{ID}/extra"), ("GET", f"{ID}"), ("GET", "/a/")],
)
def test_other_requests_are_404_inside_ohttp(mailbox: Mailbox, method: str, path: str) -> None:
    assert send(mailbox, method, path).status == 404
    assert mailbox.boxes == {}


# -- answers outside OHTTP ---------------------------------------------------------------------


def _plain(mailbox: Mailbox, request: bytes) -> tuple[int, bytes]:
    answer = mailbox.handle(request)
    record = mailbox.exchanges[-1]
    assert record.response == answer
    assert record.status is None  # nothing was sealed
    return record.http_status, answer


def test_an_undecapsulatable_request_gets_the_ohttp_key_problem(mailbox: Mailbox) -> None:
    request, _ = seal(mailbox, "GET", f"/{ID}")
    other_key = Mailbox.seeded("mailbox-test", key_id=7)
    assert other_key.gateway_secret == mailbox.gateway_secret  # the same key, another id
    for broken in (
        b"\x02" + request[1:],
        request[:-1] + bytes([request[-1] ^ 1]),
        b"\x01",
        seal(other_key, "GET", f"/{ID}")[0],
    ):
        status, body = _plain(mailbox, broken)
        assert (status, json.loads(body)["title"]) == (400, "key identifier unknown")
        assert body == OHTTP_KEY_PROBLEM


def test_a_request_that_is_not_bhttp_is_a_plain_400(mailbox: Mailbox) -> None:
    request, _ = ohttp.seal_request(mailbox.key_config, b"\x05garbage", rng=SeededRandom(1))
    assert _plain(mailbox, request) == (400, b"")


@pytest.mark.parametrize("path", ["/not-a-short-id", "/", f"/{ID.lower()}"])
def test_a_segment_that_is_no_short_id_is_a_plain_400(mailbox: Mailbox, path: str) -> None:
    """The mailroom parses the one segment with ``ShortId::from_str(id)?``, outside OHTTP."""
    request, _ = seal(mailbox, "POST", path, b"x")
    assert _plain(mailbox, request) == (400, b"")
    assert mailbox.boxes == {}


def test_a_body_over_64_kib_is_a_plain_413(mailbox: Mailbox) -> None:
    """The gateway checks no request length, so only the mailroom's own limit stops it."""
    big = bhttp.encode_request(
        BhttpRequest.build("POST", "https", "d", f"/{ID}", body=bytes(MAX_BODY_BYTES + 1))
    )
    request, _ = ohttp.encapsulate_request(mailbox.key_config, big, rng=SeededRandom(2))
    assert _plain(mailbox, request) == (413, b"")
    assert mailbox.boxes == {}


# -- faults ------------------------------------------------------------------------------------


def test_a_status_fault_answers_it_and_serves_nothing(mailbox: Mailbox) -> None:
    mailbox.inject(Status(503))
    answer = send(mailbox, "POST", f"/{ID}", b"lost")
    assert (answer.status, answer.body) == (503, b"")
    assert mailbox.boxes == {}
    assert send(mailbox, "POST", f"/{ID}", b"kept").status == 200  # one fault, one request
    assert mailbox.peek(ID) == b"kept"
    assert [e.fault for e in mailbox.exchanges] == ["status:503", None]


@pytest.mark.parametrize("size", [0, 100, ENCAPSULATED_MESSAGE_BYTES - 1, 9000])
def test_a_size_fault_cuts_or_extends_the_sealed_answer(mailbox: Mailbox, size: int) -> None:
    mailbox.inject(WrongSize(size))
    request, context = seal(mailbox, "GET", f"/{ID}")
    answer = mailbox.handle(request)
    assert len(answer) == size
    with pytest.raises(InvalidSize):
        ohttp.open_response(context, answer)


def test_a_corrupt_fault_fails_authentication(mailbox: Mailbox) -> None:
    mailbox.inject(Corrupt())
    request, context = seal(mailbox, "GET", f"/{ID}")
    answer = mailbox.handle(request)
    assert len(answer) == ENCAPSULATED_MESSAGE_BYTES
    with pytest.raises(OpenError):
        ohttp.open_response(context, answer)


def test_faults_apply_in_order_one_per_request(mailbox: Mailbox) -> None:
    mailbox.inject(Status(500), Status(404))
    assert mailbox.pending_faults == 2
    assert [send(mailbox, "GET", f"/{ID}").status for _ in range(3)] == [500, 404, 202]
    assert mailbox.pending_faults == 0


@pytest.mark.parametrize("code", [100, 199, 600])
def test_a_status_fault_must_be_a_final_status(code: int) -> None:
    with pytest.raises(ValueError, match="200-599"):
        Status(code)


# -- the record --------------------------------------------------------------------------------


def test_every_exchange_is_recorded_in_order(mailbox: Mailbox) -> None:
    post, _ = seal(mailbox, "POST", f"/{ID}", b"body")
    get, context = seal(mailbox, "GET", f"/{ID}", seed="client-2")
    mailbox.handle(post, label="sender.post_original")
    answer = mailbox.handle(get, label="receiver.poll")
    first, second = mailbox.exchanges
    assert first == Exchange(
        index=0,
        label="sender.post_original",
        request=post,
        response=first.response,
        http_status=200,
        method="POST",
        target=f"https://directory.pjconf.test/{ID}",
        mailbox=ID,
        body=b"body",
        status=200,
        reply=b"",
    )
    assert (second.index, second.label, second.request, second.response) == (
        1,
        "receiver.poll",
        get,
        answer,
    )
    assert (second.method, second.status, second.reply) == ("GET", 200, b"body")
    padded = ohttp.open_response(context, answer)  # the mailroom zero-pads to 8144
    expected = bhttp.encode_response(BhttpResponse(200, body=b"body"))
    assert padded == expected.ljust(PADDED_BHTTP_RES_BYTES, b"\x00")
    as_json = mailbox.transcript()
    assert as_json[1]["reply"] == b"body".hex()
    assert json.loads(json.dumps(as_json)) == as_json
