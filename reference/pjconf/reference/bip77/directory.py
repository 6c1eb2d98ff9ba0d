"""A BIP 77 directory with its OHTTP gateway, sans-IO: the rendezvous of harness-driven sessions.

Two implementations under test never talk to each other directly; each hands the harness an
encapsulated request (``session.request``), the harness passes it to :meth:`Mailbox.handle`, and
the answer goes back through ``session.response``. The mailbox behaves as payjoin-mailroom
(rust-payjoin's ``payjoin-mailroom/src/directory.rs``) does for everything payjoin 1.0 clients
send it:

- a request the gateway cannot decapsulate is answered *outside* OHTTP: HTTP 400 with the
  ``ohttp-key`` problem JSON; a decapsulated message that is not BHTTP, a path segment that is
  not a ShortId, and a body over 65536 bytes are likewise plain 400 / 400 / 413;
- inside OHTTP, ``POST /{id}`` stores the body (overwriting) and answers 200; ``GET /{id}``
  answers 200 with the stored body, which stays (the mailroom only marks it read), or 202
  Accepted when the mailbox is empty (the mailroom's long poll timing out; payjoin's
  ``process_get_res`` reads 202 as "nothing yet"); ``PUT /{id}`` (a v2 receiver answering a v1
  sender) stores the body apart and answers 200 (one simplification: no synchronous v1 sender
  is modelled, so the mailroom's 400 "sender no longer connected" never happens); anything
  else is 404;
- the BHTTP response is known-length, zero-padded to 8144 bytes and sealed into 8192.

Everything random (the gateway key, every response nonce) comes from one injected
:class:`RandomSource`, so a seeded mailbox answers byte for byte alike. Every exchange is kept in
order (:attr:`Mailbox.exchanges`) for transcripts and vectors. Faults (:meth:`Mailbox.inject`)
replace the next answers to drive a client's transient and fatal paths.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from pjconf.reference.bip77 import bhttp, ohttp
from pjconf.reference.bip77.bhttp import BhttpRequest, BhttpResponse
from pjconf.reference.bip77.ohttp_keys import BIP77_SUITE, KEM_SECP256K1, OhttpKeyConfig
from pjconf.reference.bip77.short_id import format_short_id, parse_short_id
from pjconf.reference.crypto import hpke
from pjconf.reference.entropy import RandomSource, SeededRandom
from pjconf.reference.errors import PjconfError

DEFAULT_DIRECTORY = "https://directory.pjconf.test/"
GATEWAY_KEY_ID = 0
"""payjoin-mailroom's ``DEFAULT_KEY_ID`` (``key_config.rs``; later keys of a rotation count up)."""
MAX_BODY_BYTES = 65536
"""payjoin-mailroom's ``V1_MAX_BUFFER_SIZE``: a larger mailbox body is refused with 413."""
OHTTP_KEY_PROBLEM = (
    b'{"type":"https://iana.org/assignments/http-problem-types#ohttp-key", '
    b'"title": "key identifier unknown"}'
)
"""The body payjoin-mailroom sends (HTTP 400) for a request it cannot decapsulate."""


# -- faults ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    """Answer with this status and an empty body, sealed as usual; the request is not served."""

    code: int

    def __post_init__(self) -> None:
        if not 200 <= self.code <= 599:
            raise ValueError(f"a final HTTP status is 200-599, not {self.code}")


@dataclass(frozen=True)
class WrongSize:
    """Cut or zero-extend the sealed answer to ``size`` bytes (payjoin wants exactly 8192)."""

    size: int


@dataclass(frozen=True)
class Corrupt:
    """Flip one byte of the sealed answer (default: the last, inside the AEAD tag)."""

    offset: int = -1


Fault = Status | WrongSize | Corrupt


def fault_name(fault: Fault) -> str:
    """A short label for transcripts: ``status:503``, ``size:100``, ``corrupt:-1``."""
    if isinstance(fault, Status):
        return f"status:{fault.code}"
    if isinstance(fault, WrongSize):
        return f"size:{fault.size}"
    return f"corrupt:{fault.offset}"


# -- records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """One request to the gateway and what it answered, in the order they happened.

    ``http_status`` is the gateway's own (outer) status: 200 whenever ``response`` is an OHTTP
    response, else the plain error status. The inner fields are None when the request never got
    that far.
    """

    index: int
    label: str
    request: bytes
    response: bytes
    http_status: int
    method: str | None = None
    target: str | None = None
    """``scheme://authority/path`` of the decapsulated request."""
    mailbox: str | None = None
    """The ShortId text of the path, canonical."""
    body: bytes = b""
    """The decapsulated request's content."""
    status: int | None = None
    """The status inside the OHTTP response."""
    reply: bytes = b""
    """The content inside the OHTTP response."""
    fault: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Bytes as hex; the form transcripts and vectors store."""
        return {
            "index": self.index,
            "label": self.label,
            "request": self.request.hex(),
            "response": self.response.hex(),
            "http_status": self.http_status,
            "method": self.method,
            "target": self.target,
            "mailbox": self.mailbox,
            "body": self.body.hex(),
            "status": self.status,
            "reply": self.reply.hex(),
            "fault": self.fault,
        }


@dataclass
class _Draft:
    """An exchange's fields as they become known while one request is handled."""

    fault: str | None
    method: str | None = None
    target: str | None = None
    mailbox: str | None = None
    body: bytes = b""


@dataclass(frozen=True)
class _Served:
    """What routing produced before sealing: an inner answer, or a plain outer error."""

    status: int
    body: bytes = b""
    outer: bool = False


class Refused(Exception):
    """A plain (not encapsulated) error answer of the gateway: ``status`` with ``body``."""

    def __init__(self, status: int, body: bytes = b"") -> None:
        super().__init__(status)
        self.status, self.body = status, body


# -- the gateway, without the mailboxes ----------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    """A decapsulated request: what the gateway read, and the context its answer is sealed with."""

    context: ohttp.ServerResponseContext
    inner: BhttpRequest

    @property
    def method(self) -> str:
        return self.inner.method.decode("utf-8", "replace")

    @property
    def path(self) -> str:
        return self.inner.path.decode("utf-8", "replace")

    @property
    def target(self) -> str:
        """``scheme://authority/path`` of the decapsulated request."""
        scheme, authority = (
            x.decode("utf-8", "replace") for x in (self.inner.scheme, self.inner.authority)
        )
        return f"{scheme}://{authority}{self.path}"


@dataclass(frozen=True)
class MailboxOp:
    """A request the mailboxes serve: ``GET``, ``POST`` or ``PUT`` of one ShortId."""

    method: str
    short_id: bytes
    body: bytes

    @property
    def mailbox(self) -> str:
        return format_short_id(self.short_id)


class Gateway:
    """The OHTTP gateway of a directory: its key, opening requests, routing, sealing answers.

    Shared by the sans-IO :class:`Mailbox` and the real server (``pjconf.reference.server``), so
    both refuse and route alike; where the mailboxes live (a dict, SQLite) is theirs.
    """

    def __init__(self, ikm: bytes, key_id: int = GATEWAY_KEY_ID) -> None:
        self.ikm = ikm
        self.secret, public = hpke.SECP256K1_CHACHA.derive_key_pair(ikm)
        self.key_config = OhttpKeyConfig(key_id, KEM_SECP256K1, public, (BIP77_SUITE,))
        self.ohttp_keys = self.key_config.encode()

    def open(self, request: bytes) -> Opened:
        """Decapsulate and parse; :class:`Refused` as payjoin-mailroom refuses (400 with the
        ``ohttp-key`` problem JSON, or a plain 400 for a message that is not BHTTP)."""
        try:
            padded, context = ohttp.open_request(self.secret, self.key_config, request)
        except PjconfError:
            raise Refused(400, OHTTP_KEY_PROBLEM) from None
        try:
            return Opened(context, bhttp.decode_request(padded))
        except PjconfError:
            raise Refused(400) from None

    def seal(self, opened: Opened, status: int, body: bytes, rng: RandomSource) -> bytes:
        """The 8192-byte answer: a known-length BHTTP response, zero-padded, sealed."""
        message = bhttp.encode_response(BhttpResponse(status, body=body))
        return ohttp.seal_response(opened.context, message, rng=rng)


def route(opened: Opened) -> MailboxOp | None:
    """The mailbox operation of a decapsulated request; None for anything else (inner 404).

    A path segment that is not a ShortId is :class:`Refused` 400 (the mailroom's
    ``ShortId::from_str(id)?``); :func:`check_body` then refuses an oversized body.
    """
    method, segments = opened.method, opened.path.split("/")
    if len(segments) != 2 or segments[0] or method not in ("POST", "GET", "PUT"):
        return None
    try:
        short = parse_short_id(segments[1])
    except PjconfError:
        raise Refused(400) from None
    return MailboxOp(method, short, opened.inner.body)


def check_body(op: MailboxOp) -> None:
    """A POST or PUT body over :data:`MAX_BODY_BYTES` is :class:`Refused` 413, as the mailroom
    does after reading it."""
    if op.method != "GET" and len(op.body) > MAX_BODY_BYTES:
        raise Refused(413)


# -- the mailbox -------------------------------------------------------------------------------


class Mailbox:
    """The directory's mailboxes behind its OHTTP gateway; see the module docstring."""

    def __init__(
        self, rng: RandomSource, *, directory: str = DEFAULT_DIRECTORY, key_id: int = GATEWAY_KEY_ID
    ) -> None:
        self.directory = directory
        self._rng = rng
        self.gateway = Gateway(rng.random_bytes(32), key_id)
        self.gateway_ikm = self.gateway.ikm
        """DeriveKeyPair's seed of the gateway key (payjoin-mailroom: ``KeyConfig::derive``)."""
        self.gateway_secret = self.gateway.secret
        self.key_config = self.gateway.key_config
        self.boxes: dict[bytes, bytes] = {}
        """ShortId bytes -> the last body POSTed there."""
        self.v1_replies: dict[bytes, bytes] = {}
        """ShortId bytes -> the last body PUT there (a v2 receiver's answer to a v1 sender)."""
        self.exchanges: list[Exchange] = []
        self._faults: deque[Fault] = deque()

    @classmethod
    def seeded(
        cls, seed: bytes | int | str, *, directory: str = DEFAULT_DIRECTORY, key_id: int = 0
    ) -> Mailbox:
        return cls(SeededRandom(seed), directory=directory, key_id=key_id)

    @property
    def ohttp_keys(self) -> bytes:
        """The key configuration clients are given (``ohttp_keys``; the ``/ohttp-keys`` body)."""
        return self.key_config.encode()

    def inject(self, *faults: Fault) -> None:
        """Queue faults; each answers one coming request, in order, before any normal service."""
        self._faults.extend(faults)

    @property
    def pending_faults(self) -> int:
        return len(self._faults)

    def peek(self, mailbox: str) -> bytes | None:
        """What ``GET`` would serve from the mailbox named by ShortId text, if anything."""
        return self.boxes.get(parse_short_id(mailbox))

    # -- one request ---------------------------------------------------------------------------

    def handle(self, request: bytes, *, label: str = "") -> bytes:
        """Answer one gateway request (the relay's POST body) with the gateway's answer body."""
        fault = self._faults.popleft() if self._faults else None
        record = _Draft(None if fault is None else fault_name(fault))
        try:
            opened = self.gateway.open(request)
            record.method, record.target = opened.method, opened.target
            record.body = opened.inner.body
            served = self._serve(opened, record, fault)
        except Refused as refused:
            return self._record(label, request, _Served(refused.status, refused.body, True), record)
        sealed = self.gateway.seal(opened, served.status, served.body, self._rng)
        return self._record(label, request, served, record, _damage(sealed, fault))

    def _serve(self, opened: Opened, record: _Draft, fault: Fault | None) -> _Served:
        if isinstance(fault, Status):
            return _Served(fault.code)
        op = route(opened)
        if op is None:
            return _Served(404)
        record.mailbox = op.mailbox
        check_body(op)
        if op.method == "GET":
            stored = self.boxes.get(op.short_id)
            return _Served(202) if stored is None else _Served(200, stored)
        (self.boxes if op.method == "POST" else self.v1_replies)[op.short_id] = op.body
        return _Served(200)

    def _record(
        self,
        label: str,
        request: bytes,
        served: _Served,
        draft: _Draft,
        sealed: bytes | None = None,
    ) -> bytes:
        response = served.body if sealed is None else sealed
        self.exchanges.append(
            Exchange(
                index=len(self.exchanges),
                label=label,
                request=request,
                response=response,
                http_status=served.status if served.outer else 200,
                method=draft.method,
                target=draft.target,
                mailbox=draft.mailbox,
                body=draft.body,
                status=None if served.outer else served.status,
                reply=b"" if served.outer else served.body,
                fault=draft.fault,
            )
        )
        return response

    def transcript(self) -> list[dict[str, Any]]:
        """Every exchange so far as JSON objects."""
        return [e.to_json() for e in self.exchanges]


def _damage(sealed: bytes, fault: Fault | None) -> bytes:
    if isinstance(fault, WrongSize):
        return sealed[: fault.size].ljust(fault.size, b"\x00")
    if isinstance(fault, Corrupt):
        damaged = bytearray(sealed)
        damaged[fault.offset] ^= 0x01
        return bytes(damaged)
    return sealed
