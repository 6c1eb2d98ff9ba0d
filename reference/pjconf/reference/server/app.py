"""The HTTP face of the directory: one request handler dispatching on method and path.

Endpoints (payjoin-mailroom's ``directory.rs`` and ``lib.rs`` routing, unless marked a choice):

- ``POST /`` and ``POST /.well-known/ohttp-gateway``: the OHTTP gateway, ``message/ohttp-req``
  in, ``message/ohttp-res`` out (the mailroom's combined binary sends ``POST /`` to its relay's
  default gateway, payjo.in; here ``/`` is the gateway itself, as the issue asks);
- ``GET /.well-known/ohttp-gateway``: the key configuration, ``application/ohttp-keys``
  (RFC 9540); ``?allowed_purposes`` gives the mailroom's BIP 77 purpose list; ``GET
  /ohttp-keys`` is the older path the mailroom still serves;
- ``POST /http(s)://{gateway}/``: the relay (:mod:`.relay`); a proxy-form ``GET
  http://{gateway}/.well-known/ohttp-gateway`` (what payjoin 1.0's ``fetch_ohttp_keys`` sends to
  its relay as an HTTP proxy for an ``http://`` directory) is answered for the same gateway;
- ``GET /health``: ``{"versions":[2]}``; ``GET /``: a one-line text page; the rest 404.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from pjconf.reference.bip77.directory import Gateway, Refused, check_body, route
from pjconf.reference.entropy import RandomSource
from pjconf.reference.server.body import BodyRefused, read_bounded
from pjconf.reference.server.config import MAX_GATEWAY_BODY, ServerConfig
from pjconf.reference.server.logs import Logger, LogValue
from pjconf.reference.server.relay import (
    OHTTP_REQUEST_TYPE,
    OHTTP_RESPONSE_TYPE,
    RFC9540_GATEWAY_PATH,
    Origin,
    gateway_in_path,
    origin_of,
)
from pjconf.reference.server.store import MailboxStore, StoreError
from pjconf.reference.server.waiters import TooManyWaiters, Waiters

OHTTP_KEYS_TYPE = "application/ohttp-keys"
PROBLEM_TYPE = "application/problem+json"
ALLOWED_PURPOSES = b"\x00\x01\x2aBIP77 454403bb-9f7b-4385-b31f-acd2dae20b7e"
"""payjoin-mailroom's answer to ``?allowed_purposes`` (an ALPN-style list of one purpose)."""
HEALTH = b'{"versions":[2]}'

Fields = dict[str, LogValue]


@dataclass
class Directory:
    """The state every request shares: gateway, store, waiters, relay target, logger."""

    config: ServerConfig
    gateway: Gateway
    store: MailboxStore
    rng: RandomSource
    log: Logger
    waiters: Waiters = field(init=False)
    own: set[Origin] = field(default_factory=set)
    """This server's origins (set once the port is known): the gateway it relays to in-process."""
    relay_target: Origin | None = None
    """The one other gateway the relay forwards to (``--relay-only-to``)."""
    client: aiohttp.ClientSession | None = None
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.waiters = Waiters(self.config.max_waiters)
        if self.config.relay_only_to is not None:
            self.relay_target = origin_of(self.config.relay_only_to)

    def allows(self, origin: Origin) -> bool:
        """Whether the relay forwards to ``origin``: the configured gateway, or this one."""
        if self.relay_target is not None:
            return origin in self.relay_target.loopback_aliases() or origin in self.own
        return origin in self.own

    # -- the entry point -----------------------------------------------------------------------

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        """Dispatch one request and log one line for it."""
        started = time.perf_counter()
        request_id = f"{os.getpid():x}-{next(self._ids)}"
        fields: Fields = {}
        try:
            response = await self._dispatch(request, fields)
        except BodyRefused as refused:
            fields["refused"] = refused.reason
            response = web.Response(status=refused.status)
            response.force_close()
        except StoreError as e:
            fields["error"] = str(e)
            response = web.Response(status=500)
        response.headers["X-Request-Id"] = request_id
        response.headers["Access-Control-Allow-Origin"] = "*"
        self.log.event(
            "request",
            request_id=request_id,
            method=request.method,
            route=fields.pop("route", "other"),
            status=response.status,
            received=request.content_length,
            sent=response.content_length,
            ms=round((time.perf_counter() - started) * 1000, 2),
            **fields,
        )
        return response

    async def _dispatch(self, request: web.BaseRequest, fields: Fields) -> web.StreamResponse:
        method, path = request.method, request.raw_path
        if not path.startswith("/"):  # absolute form: we are the client's HTTP proxy
            fields["route"] = "proxy"
            return await self._proxy_get(request)
        if path[:9].lower().startswith(("/http://", "/https://")):
            fields["route"] = "relay"
            return await self._relay(request, fields)
        bare = path.split("?", 1)[0]
        if method == "POST" and bare in ("/", RFC9540_GATEWAY_PATH):
            fields["route"] = "gateway"
            body = await read_bounded(request, MAX_GATEWAY_BODY, self.config.body_timeout)
            return await self.gateway_answer(body, fields)
        if method == "GET" and bare in (RFC9540_GATEWAY_PATH, "/ohttp-keys"):
            fields["route"] = "keys"
            if bare == RFC9540_GATEWAY_PATH and request.query_string == "allowed_purposes":
                return _bytes(ALLOWED_PURPOSES, "application/x-ohttp-allowed-purposes")
            return _bytes(self.gateway.ohttp_keys, OHTTP_KEYS_TYPE)
        if method == "GET" and bare == "/health":
            fields["route"] = "health"
            return _bytes(HEALTH, "application/json")
        if method == "GET" and bare == "/":
            fields["route"] = "home"
            return web.Response(text="pjconf BIP 77 directory and OHTTP relay\n")
        if method == "OPTIONS":
            fields["route"] = "preflight"
            return _preflight()
        return web.Response(status=404)

    # -- the gateway ---------------------------------------------------------------------------

    async def gateway_answer(self, body: bytes, fields: Fields) -> web.Response:
        """The gateway's answer to one OHTTP request body (also the relay's, in-process)."""
        try:
            opened = self.gateway.open(body)
            fields["inner_method"] = opened.method
            op = route(opened)
            if op is not None:
                check_body(op)
        except Refused as refused:
            fields["refused"] = "ohttp" if refused.body else "inner"
            kind = PROBLEM_TYPE if refused.body else None
            return web.Response(status=refused.status, body=refused.body, content_type=kind)
        status, reply = 404, b""
        if op is not None and op.method == "GET":
            stored = self.store.get(op.short_id)
            if stored is None:
                try:
                    await self.waiters.wait(op.short_id, self.config.long_poll)
                except TooManyWaiters:
                    fields["refused"] = "waiters"
                    return web.Response(status=503)
                stored = self.store.get(op.short_id)
            status, reply = (202, b"") if stored is None else (200, stored)
        elif op is not None and op.method == "POST":
            if self.store.post(op.short_id, op.body):
                self.waiters.notify(op.short_id)
            status = 200
        elif op is not None:
            self.store.put_v1(op.short_id, op.body)
            status = 200
        fields["inner_status"] = status
        sealed = self.gateway.seal(opened, status, reply, self.rng)
        return _bytes(sealed, OHTTP_RESPONSE_TYPE)

    # -- the relay -----------------------------------------------------------------------------

    async def _relay(self, request: web.BaseRequest, fields: Fields) -> web.StreamResponse:
        target = gateway_in_path(request.raw_path)
        if target is None:
            return web.Response(status=400, text="Invalid gateway")
        fields["gateway"] = target.url
        if not self.allows(target):
            fields["refused"] = "gateway not allowed"
            return web.Response(status=403, text="this relay forwards to one gateway only")
        if request.method != "POST":
            return web.Response(status=405)
        if request.headers.get("Content-Type") != OHTTP_REQUEST_TYPE:
            return web.Response(status=415)
        body = await read_bounded(request, MAX_GATEWAY_BODY, self.config.body_timeout)
        if target in self.own:
            return await self.gateway_answer(body, fields)
        return await self._forward(
            "POST", target.url + RFC9540_GATEWAY_PATH, body, {"Content-Type": OHTTP_REQUEST_TYPE}
        )

    async def _proxy_get(self, request: web.BaseRequest) -> web.StreamResponse:
        url = request.raw_path
        target = origin_of(url)
        if target is None or request.method != "GET" or urlsplit(url).path != RFC9540_GATEWAY_PATH:
            return web.Response(status=403, text="this proxy fetches gateway keys only")
        if not self.allows(target):
            return web.Response(status=403, text="this relay forwards to one gateway only")
        if target in self.own:
            return _bytes(self.gateway.ohttp_keys, OHTTP_KEYS_TYPE)
        return await self._forward("GET", target.url + RFC9540_GATEWAY_PATH, b"", {})

    async def _forward(
        self, method: str, url: str, body: bytes, headers: dict[str, str]
    ) -> web.Response:
        if self.client is None:
            self.client = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.config.long_poll + 30)
            )
        try:
            async with self.client.request(method, url, data=body, headers=headers) as answer:
                content = await answer.content.read(MAX_GATEWAY_BODY + 1)
                kind = answer.headers.get("Content-Type")
                if len(content) > MAX_GATEWAY_BODY:
                    return web.Response(status=502)
                return web.Response(status=answer.status, body=content, headers=_kind(kind))
        except (aiohttp.ClientError, TimeoutError):
            return web.Response(status=502)

    # -- life ----------------------------------------------------------------------------------

    async def prune_forever(self) -> None:
        """Remove expired mailboxes every minute (or TTL, if shorter)."""
        period = max(0.05, min(60.0, self.config.mailbox_ttl))
        while True:
            await asyncio.sleep(period)
            removed = self.store.prune()
            if removed:
                self.log.event("pruned", mailboxes=removed)

    async def wake_from_store_forever(self, interval: float) -> None:
        """With several workers: wake the long polls this worker holds on mailboxes another
        worker was POSTed to, looking at the shared store's new rows every ``interval`` s.

        No POST is missed: a GET registers its waiter right after finding the mailbox empty,
        with no await in between, so a POST committed later has a row past the mark.
        """
        mark = self.store.last_row()
        while True:
            await asyncio.sleep(interval)
            try:
                posted, mark = self.store.posted_since(mark)
            except StoreError as e:
                self.log.event("store_poll_failed", level="error", error=str(e))
                continue
            for short_id in posted:
                self.waiters.notify(short_id)

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()


def _bytes(body: bytes, content_type: str) -> web.Response:
    return web.Response(body=body, headers={"Content-Type": content_type})


def _kind(content_type: str | None) -> dict[str, str]:
    return {} if content_type is None else {"Content-Type": content_type}


def _preflight() -> web.Response:
    return web.Response(
        status=204,
        headers={
            "Access-Control-Allow-Methods": "GET, OPTIONS, POST",
            "Access-Control-Allow-Headers": "Content-Type, Content-Length",
        },
    )


Handler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]
