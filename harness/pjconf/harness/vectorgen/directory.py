"""The ``directory`` family: conformance of a BIP 77 directory (and its relay) over HTTP.

Each case is a list of HTTP exchanges described as data (``directory.exchange``, answered by
``pjconf run --directory URL``; see :mod:`pjconf.harness.directory.conformance`): the key
configuration, mailbox POST then GET, empty mailboxes and long polls, and everything a gateway
or relay must refuse. OHTTP requests are described, not written out: the runner seals them to
the key configuration the directory serves when the case runs.

Verdicts follow the texts. Where BIP 77 or RFC 9458 require a refusal but leave its status
open, the case is ``invalid`` with any 4xx (``ClientError``), and payjoin-mailroom's status (as
docs/directory.md reads it from the mailroom's source) is pinned under ``payjoin-1.0``: a
same-verdict override, flagged ``StatusPinned``. Where the text allows either way (a payload
of another size than BIP 77's 7168 bytes, a long poll it only recommends), the case is
``acceptable`` and payjoin-mailroom's way is pinned under ``payjoin-1.0``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pjconf.harness.vectorgen import CaseIds, Json, envelope
from pjconf.reference.bip77.directory import OHTTP_KEY_PROBLEM

FAMILY = "directory"
PATH = "network/directory.json"
OP = "directory.exchange"

PAYLOAD = hashlib.shake_256(b"pjconf directory payload").digest(7168)
"""A message-sized mailbox payload (BIP 77: messages A and B are 7168 bytes)."""
OHTTP_KEY = "https://iana.org/assignments/http-problem-types#ohttp-key"
"""The problem type of RFC 9458 section 5.3, as the reference's gateway sends it."""
if OHTTP_KEY.encode() not in OHTTP_KEY_PROBLEM:  # the two spellings must not drift apart
    raise ValueError("the ohttp-key problem type differs from the reference gateway's")
GATEWAY_ANSWER = {"status": 200, "content_type": "message/ohttp-res", "length": 8192}
"""An encapsulated answer as BIP 77 and RFC 9458 section 4.4 fix it."""
HOLD = 30.0
"""What a held GET asks for; the runner cuts it to ``--long-poll-max``."""
WAKE_WINDOW = 5.0
"""How long a held GET waits for the POST sent a second after it (not cut to
``--long-poll-max``: the POST must find it held)."""
ELSEWHERE = "http://gateway.invalid"
"""A gateway no relay under test is configured for (``.invalid`` never resolves, RFC 6761)."""

NOTES: dict[str, Json] = {
    "KeyConfigFetch": {
        "description": "GET /.well-known/ohttp-gateway serves the gateway's key configuration "
        "as application/ohttp-keys, in a form a BIP 77 client can seal to.",
        "effect": "BIP 77 (OHTTP Bootstrapping) makes RFC 9540 key fetching a MUST: no client "
        "can reach a directory without it.",
    },
    "MailboxRoundTrip": {
        "description": "A payload POSTed to a mailbox through the gateway comes back on GET "
        "(inner 200 with the payload), in an 8192-byte message/ohttp-res answer.",
        "effect": "The directory does not store and forward: no session can complete.",
    },
    "EmptyMailbox": {
        "description": "GET of a mailbox no one posted to (any ShortId is a mailbox): 202 "
        "after the long poll, or no answer yet when the runner stops waiting.",
        "effect": "BIP 77 (Receiver Proposal PSBT Messaging): an empty mailbox is 202, not an "
        "error; a client would give up on a session that has not started.",
    },
    "GatewayAnswer": {
        "description": "An accepted POST is answered 200, message/ohttp-res, 8192 bytes; the "
        "inner status is compared under payjoin-1.0 only (BIP 77 names no status for it).",
        "effect": "A client cannot read the answer (RFC 9458 section 4.4, BIP 77's 8192 bytes).",
    },
    "LongPollWake": {
        "description": "A GET on an empty mailbox is held; a POST to that mailbox while it is "
        "held wakes it with the payload.",
        "effect": "Under payjoin-1.0: a directory that does not hold GETs makes clients poll.",
    },
    "LongPollHold": {
        "description": "A GET on an empty mailbox is not answered within --long-poll-max "
        "seconds (payjoin-mailroom holds it 30 s; keep --long-poll-max below the directory's "
        "long poll).",
        "effect": "Under payjoin-1.0: the directory answers empty mailboxes at once.",
    },
    "PayloadSize": {
        "description": "A mailbox POST of a payload that is not 7168 bytes (empty, short, one "
        "byte over) inside a well-formed encapsulation.",
        "effect": "Under payjoin-1.0: payjoin-mailroom stores any body up to 65536 bytes.",
    },
    "UnknownKeyId": {
        "description": "An encapsulation under a key identifier the gateway does not have.",
        "effect": "The gateway answered a request it cannot have decapsulated (RFC 9458 "
        "sections 5.2 and 5.3: an error, problem type ohttp-key).",
    },
    "NotEncapsulated": {
        "description": "A body that is no encapsulated request (text, zeros) POSTed to the "
        "gateway.",
        "effect": "The gateway must refuse what it cannot decapsulate (RFC 9458 section 5.2).",
    },
    "Truncated": {
        "description": "An encapsulated request cut short (to 8191 bytes, the header alone, "
        "nothing) or with one ciphertext bit flipped.",
        "effect": "The AEAD cannot open it: the gateway must refuse (RFC 9458 section 5.2).",
    },
    "Oversized": {
        "description": "A body longer than BIP 77's 8192 bytes: one byte appended to a real "
        "encapsulation, or 65537 zero bytes.",
        "effect": "Accepting it means decapsulating what is no BIP 77 request (the appended "
        "byte breaks the AEAD) or buffering unbounded bodies. The status is left open: "
        "413 (pjconf directory serve) and 400 are both refusals.",
    },
    "WrongMethod": {
        "description": "A method the gateway resource does not serve (PUT, DELETE).",
        "effect": "The gateway took a request RFC 9458 section 5 never sends (POST only).",
    },
    "ContentTypeUnchecked": {
        "description": "A real encapsulation sent with another Content-Type than "
        "message/ohttp-req.",
        "effect": "None if it refuses; an acceptance must still answer correctly.",
    },
    "MalformedShortId": {
        "description": "An inner request whose path is no ShortId (wrong length, characters "
        "outside bech32).",
        "effect": "BIP 77 mailboxes are named by 8-byte ShortIds: there is no such resource.",
    },
    "ShortIdCase": {
        "description": "An inner request naming a mailbox by its ShortId in lower case.",
        "effect": "Under payjoin-1.0: payjoin-mailroom parses ShortIds case-sensitively.",
    },
    "InnerNotMailbox": {
        "description": "An inner request that is no mailbox operation: another method "
        "(DELETE), a path below a mailbox, the root.",
        "effect": "The directory served a resource BIP 77 does not define.",
    },
    "RelayForwards": {
        "description": "The relay forwards a real encapsulation to the gateway it serves "
        "(POST {relay}/{gateway origin}/, as payjoin 1.0 sends it).",
        "effect": "Clients cannot reach the directory through its relay.",
    },
    "RelayOtherGateway": {
        "description": "The relay is asked to forward to a gateway it is not configured for, "
        "which does not advertise BIP 77's allowed purpose (it does not resolve).",
        "effect": "An open proxy: RFC 9458 configures a relay for one gateway, BIP 77 widens "
        "it only to gateways that opt in through allowed_purposes.",
    },
    "RelayWrongMethod": {
        "description": "A GET to the relay's forwarding path.",
        "effect": "The relay forwarded or answered what no OHTTP client sends.",
    },
    "RelayContentType": {
        "description": "A POST to the relay with another Content-Type than message/ohttp-req.",
        "effect": "None if it refuses; an acceptance must still answer correctly.",
    },
    "StatusPinned": {
        "description": "The text requires a refusal (any 4xx under bip77); payjoin-mailroom's "
        "status, layer (outer or encapsulated) and problem type are pinned under payjoin-1.0.",
        "effect": "Under payjoin-1.0 only: a refusal other than payjoin-mailroom's.",
    },
}


def _ohttp(method: str, target: str, body: bytes = b"", **more: Any) -> Json:
    """A step: ``method target`` sealed to the served key, POSTed to the gateway."""
    step: Json = {"send": "ohttp", "method": method, "target": target}
    if body:
        step["body"] = body.hex()
    return {**step, **more}


def _http(method: str, path: str, **more: Any) -> Json:
    """A step: a plain HTTP request to ``path`` under the directory URL."""
    return {"send": "http", "method": method, "path": path, **more}


def _refused(
    ids: CaseIds, comment: str, flags: list[str], steps: list[Json], pin: Json | None = None
) -> Json:
    """An ``invalid`` case: any 4xx; with ``pin`` (a :func:`_refusal`), payjoin-mailroom's
    refusal under payjoin-1.0 (flag ``StatusPinned``)."""
    case: Json = {
        "tcId": ids(),
        "comment": comment,
        "flags": flags + (["StatusPinned"] if pin else []),
        "result": "invalid",
        "op": OP,
        "args": {"steps": steps},
        "error": {"kind": "ClientError"},
    }
    if pin:
        case["profiles"] = {"payjoin-1.0": {"result": "invalid", "error": pin}}
    return case


def _refusal(layer: str, status: int, problem: str | None = None) -> Json:
    error: Json = {"kind": "ClientError", "layer": layer, "status": status}
    if problem:
        error["problem"] = problem
    return error


def _valid(ids: CaseIds, comment: str, flags: list[str], steps: list[Json], expected: Json) -> Json:
    return {
        "tcId": ids(),
        "comment": comment,
        "flags": flags,
        "result": "valid",
        "op": OP,
        "args": {"steps": steps},
        "expected": expected,
    }


def _open(
    ids: CaseIds,
    comment: str,
    flags: list[str],
    steps: list[Json],
    *,
    expected: Json | None,
    pinned: Json | None,
) -> Json:
    """An ``acceptable`` case (``expected``: what an acceptance must give, None when any
    answer will do) with payjoin-mailroom's answer, where known, pinned under payjoin-1.0. A
    refusal must still be a 4xx: a 5xx, an answer no client can open or a failed step is never
    one."""
    case: Json = {
        "tcId": ids(),
        "comment": comment,
        "flags": flags,
        "result": "acceptable",
        "op": OP,
        "args": {"steps": steps},
    }
    if expected is not None:
        case["expected"] = expected
    case["error"] = {"kind": "ClientError"}
    if pinned is not None:
        case["profiles"] = {"payjoin-1.0": pinned}
    return case


def _key_config(ids: CaseIds) -> list[Json]:
    fetch = _http("GET", "/.well-known/ohttp-gateway", headers={"Accept": "application/ohttp-keys"})
    expected = {"status": 200, "content_type": "application/ohttp-keys", "key_config": "usable"}
    return [
        _valid(
            ids,
            "the key configuration is served at the RFC 9540 path",
            ["KeyConfigFetch"],
            [{**fetch, "read": "key_config"}],
            expected,
        )
    ]


def _mailbox(ids: CaseIds) -> list[Json]:
    post = _ohttp("POST", "/$mailbox1", PAYLOAD)
    payload = {**GATEWAY_ANSWER, "inner_status": 200, "inner_body": PAYLOAD.hex()}
    cases = [
        _valid(
            ids,
            "a 7168-byte payload POSTed to a mailbox comes back on GET",
            ["MailboxRoundTrip"],
            [post, _ohttp("GET", "/$mailbox1", hold=HOLD)],
            {**payload, "mailbox": "payload"},
        ),
        _valid(
            ids,
            "a payload stays in its mailbox: a second GET returns it again",
            ["MailboxRoundTrip"],
            [post, _ohttp("GET", "/$mailbox1"), _ohttp("GET", "/$mailbox1", hold=HOLD)],
            {**payload, "mailbox": "payload"},
        ),
        _valid(
            ids,
            "GET of a mailbox no one posted to is empty (202, or held), not an error",
            ["EmptyMailbox"],
            [_ohttp("GET", "/$mailbox1", hold=HOLD)],
            {"mailbox": "empty"},
        ),
        {
            **_valid(
                ids,
                "a mailbox POST is answered with an 8192-byte encapsulated answer",
                ["GatewayAnswer"],
                [post],
                GATEWAY_ANSWER,
            ),
            "profiles": {
                "payjoin-1.0": {
                    "result": "valid",
                    "expected": {**GATEWAY_ANSWER, "inner_status": 200},
                }
            },
        },
        _open(
            ids,
            "a held GET is woken by a POST to its mailbox (acceptable: answer 202 at once)",
            ["LongPollWake"],
            [
                {**_ohttp("GET", "/$mailbox1", hold=WAKE_WINDOW), "background": True},
                {**post, "delay": 1.0},
                {"join": 0},
            ],
            expected=None,
            pinned={"result": "valid", "expected": {**payload, "mailbox": "payload"}},
        ),
        _open(
            ids,
            "a GET on an empty mailbox is held past --long-poll-max (acceptable: 202 sooner)",
            ["LongPollHold"],
            [_ohttp("GET", "/$mailbox1", hold=HOLD)],
            expected=None,
            pinned={"result": "valid", "expected": {"held": True}},
        ),
    ]
    for size, what in ((0, "an empty payload"), (100, "a 100-byte payload"), (7169, "7169 bytes")):
        body = PAYLOAD[:size] if size <= len(PAYLOAD) else PAYLOAD + b"\x00"
        cases.append(
            _open(
                ids,
                f"a mailbox POST of {what} (acceptable: refuse it, not BIP 77's 7168)",
                ["PayloadSize"],
                [_ohttp("POST", "/$mailbox1", body)],
                expected=GATEWAY_ANSWER,
                pinned={"result": "valid", "expected": {**GATEWAY_ANSWER, "inner_status": 200}},
            )
        )
    return cases


def _gateway(ids: CaseIds) -> list[Json]:
    key_problem = _refusal("outer", 400, OHTTP_KEY)
    gateway = "/.well-known/ohttp-gateway"
    ohttp_req = {"Content-Type": "message/ohttp-req"}
    get = "/$mailbox1"
    cases = [
        _refused(
            ids,
            "an encapsulation under a key identifier the gateway does not have",
            ["UnknownKeyId"],
            [_ohttp("GET", get, key_id_offset=1)],
            key_problem,
        ),
        _refused(
            ids,
            "a text body that is no encapsulated request",
            ["NotEncapsulated"],
            [_http("POST", gateway, headers=ohttp_req, body=b"not an ohttp request".hex())],
            key_problem,
        ),
        _refused(
            ids,
            "8192 zero bytes (key identifier 0, no key share)",
            ["NotEncapsulated"],
            [_http("POST", gateway, headers=ohttp_req, fill=8192)],
            key_problem,
        ),
    ]
    for damage, what in (
        ({"truncate": 8191}, "cut to 8191 bytes"),
        ({"truncate": 7}, "cut to its 7-byte header"),
        ({"truncate": 0}, "cut to nothing"),
        ({"flip": 4000}, "with one ciphertext bit flipped"),
    ):
        cases.append(
            _refused(
                ids,
                f"an encapsulated request {what}",
                ["Truncated"],
                [_ohttp("GET", get, damage=damage)],
                key_problem,
            )
        )
    cases += [
        _refused(
            ids,
            "an encapsulated request with one byte appended (8193 bytes)",
            ["Oversized"],
            [_ohttp("GET", get, damage={"append": 1})],
        ),
        _refused(
            ids,
            "a 65537-byte body",
            ["Oversized"],
            [_http("POST", gateway, headers=ohttp_req, fill=65537)],
        ),
        _refused(
            ids,
            "PUT to the gateway",
            ["WrongMethod"],
            [_http("PUT", gateway, headers=ohttp_req, fill=8192)],
        ),
        _refused(
            ids,
            "DELETE of the gateway",
            ["WrongMethod"],
            [_http("DELETE", gateway)],
        ),
        _open(
            ids,
            "a real encapsulation sent as application/octet-stream (acceptable: refuse it)",
            ["ContentTypeUnchecked"],
            [_ohttp("POST", "/$mailbox1", PAYLOAD, content_type="application/octet-stream")],
            expected=GATEWAY_ANSWER,
            pinned=None,  # payjoin-mailroom's gateway: not read from its source yet
        ),
    ]
    return cases


def _inner(ids: CaseIds) -> list[Json]:
    plain_400 = _refusal("outer", 400)
    inner_404 = _refusal("inner", 404)
    return [
        _refused(
            ids,
            "GET of a path that is no ShortId (characters outside bech32)",
            ["MalformedShortId"],
            [_ohttp("GET", "/NOT-A-SHORTID")],
            plain_400,
        ),
        _refused(
            ids,
            "GET of a 12-character ShortId (7.5 bytes)",
            ["MalformedShortId"],
            [_ohttp("GET", "/QQQQQQQQQQQQ")],
            plain_400,
        ),
        _open(
            ids,
            "GET of a mailbox named in lower case (acceptable: read it as its ShortId)",
            ["ShortIdCase"],
            [_ohttp("GET", "/$lowermailbox1", hold=HOLD)],
            expected={"mailbox": "empty"},
            pinned={"result": "invalid", "error": plain_400},
        ),
        _refused(
            ids,
            "DELETE of a mailbox",
            ["InnerNotMailbox"],
            [_ohttp("DELETE", "/$mailbox1")],
            inner_404,
        ),
        _refused(
            ids,
            "GET of a path below a mailbox",
            ["InnerNotMailbox"],
            [_ohttp("GET", "/$mailbox1/more")],
            inner_404,
        ),
        _refused(
            ids,
            "POST to the directory's root instead of a mailbox",
            ["InnerNotMailbox"],
            [_ohttp("POST", "/", PAYLOAD)],
        ),
    ]


def _relay(ids: CaseIds) -> list[Json]:
    post = _ohttp("POST", "/$mailbox1", PAYLOAD, via="relay")
    return [
        _valid(
            ids,
            "the relay forwards a mailbox POST to its gateway",
            ["RelayForwards"],
            [post],
            GATEWAY_ANSWER,
        ),
        _valid(
            ids,
            "a payload POSTed through the relay comes back through the relay",
            ["RelayForwards"],
            [post, _ohttp("GET", "/$mailbox1", via="relay", hold=HOLD)],
            {**GATEWAY_ANSWER, "inner_status": 200, "inner_body": PAYLOAD.hex()},
        ),
        _refused(
            ids,
            f"the relay is asked to forward to {ELSEWHERE}",
            ["RelayOtherGateway"],
            [{**post, "gateway": ELSEWHERE}],
            _refusal("outer", 404),
        ),
        _refused(
            ids,
            "GET of the relay's forwarding path",
            ["RelayWrongMethod"],
            [{"send": "http", "method": "GET", "via": "relay"}],
            _refusal("outer", 405),
        ),
        _open(
            ids,
            "a POST to the relay as text/plain (acceptable: forward it)",
            ["RelayContentType"],
            [{**post, "content_type": "text/plain"}],
            expected=GATEWAY_ANSWER,
            pinned={"result": "invalid", "error": _refusal("outer", 415)},
        ),
    ]


def generate() -> Json:
    ids = CaseIds()
    groups = [
        {"type": "KeyConfig", "tests": _key_config(ids)},
        {"type": "Mailbox", "tests": _mailbox(ids)},
        {"type": "Gateway", "tests": _gateway(ids)},
        {"type": "InnerRequest", "tests": _inner(ids)},
        {"type": "Relay", "tests": _relay(ids)},
    ]
    return envelope(
        FAMILY,
        module=__name__,
        sources=[],
        notes=NOTES,
        groups=groups,
    )
