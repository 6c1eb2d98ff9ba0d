"""Whole payjoin v2 sessions between any two implementations, through the harness's mailbox.

A :class:`SessionDriver` holds one receiver session on one client and one sender session on
another (or the same) client, and moves them with the adapter protocol's live-session ops only
(``session.new_*``, ``session.request``/``session.response``, ``session.call``,
``session.events``). Every request an implementation makes goes to the :class:`Mailbox` (or,
with a ``transport``, to a real directory over HTTP through its relay), whose answer is handed
back. Which implementation plays which role is just which client is passed.

Each step is checked twice:

- against the protocol's effect-class table (docs/adapter-protocol.md, "Live sessions"): the
  log, read with ``session.events`` before and after, must have grown by the outcome's count and
  be closed or open as the outcome says, and the step's ``appended``/``closed``/``state`` must be
  that log's (:func:`check_effect`, :class:`EffectMismatch`);
- against the path being driven: the outcome and state payjoin 1.0 reaches there
  (:class:`UnexpectedOutcome`).

A failure is a typed :class:`SessionFailure` naming the step (``receiver.check_inputs_not_owned``).
:meth:`SessionDriver.transcript` gives every step, both logs (each replayed by its own
implementation) and every mailbox exchange, for tests and for writing sessions as vectors. The
paths of a BIP 77 session are driven by :mod:`pjconf.harness.sessions.paths`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final, Literal, NamedTuple, Protocol
from urllib.parse import urlsplit

from pjconf.harness.clock import Clock
from pjconf.harness.implementations.client import Client
from pjconf.harness.implementations.reference import Exchange, Mailbox, Payment, WalletRefusal
from pjconf.protocol.states import CLOSED
from pjconf.protocol.wire import JsonObject

Role = Literal["receiver", "sender"]
ROLES: Final[tuple[Role, Role]] = ("receiver", "sender")
DEFAULT_RELAY = "https://relay.pjconf.test"

EFFECTS: Final[dict[str, tuple[int, bool | None]]] = {
    "progress": (1, False),
    "stasis": (0, None),
    "transient": (0, False),
    "replyable": (1, False),
    "fatal": (1, True),
    "terminal": (1, True),
}
"""outcome -> (events the log gains, closed afterwards; None: as it was)."""

OHTTP_BODY_BYTES: Final = 8192
"""BIP 77: every OHTTP request and response body has this size. Stated here, not taken from the
reference, because the harness judges implementations by it."""


# -- failures ----------------------------------------------------------------------------------


class SessionFailure(Exception):
    """A driven session went wrong at ``step`` (``<role>.<method or exchange>``)."""

    def __init__(self, step: str, message: str, detail: JsonObject | None = None) -> None:
        super().__init__(f"{step}: {message}")
        self.step = step
        self.detail: JsonObject = detail or {}


class StepRejected(SessionFailure):
    """The op answered an error, or the adapter malfunctioned."""


class StepMalfunctioned(SessionFailure):
    """The adapter crashed, hung or broke the protocol: the runner reports ERROR, not FAIL."""


class StepUnsupported(SessionFailure):
    """The op answered ``unimplemented``: the runner reports SKIP, never PASS or FAIL."""


class EffectMismatch(SessionFailure):
    """The step's answer contradicts the log it left (the protocol's effect-class table)."""


class UnexpectedOutcome(SessionFailure):
    """A consistent step whose outcome or state is not the one payjoin 1.0 reaches there."""


class PathDiverged(SessionFailure):
    """The implementation took another way at the step where the normative text leaves the
    choice (the case's open flag): an acceptable answer under ``bip77``, unlike a session that
    failed before getting there."""


@contextmanager
def choice_point() -> Iterator[None]:
    """Steps inside are where the case's choice is made: a different outcome there is
    :class:`PathDiverged`."""
    try:
        yield
    except UnexpectedOutcome as e:
        raise PathDiverged(e.step, str(e).split(": ", 1)[-1], e.detail) from None


class RequestMismatch(SessionFailure):
    """A ``session.request`` answer that is not a request a relay would forward."""


class MalformedAnswer(SessionFailure):
    """A result without a field the protocol gives it (``handle``, ``events``, ``context``)."""


def _need(step: str, answer: JsonObject, key: str, kind: type | tuple[type, ...]) -> Any:
    value = answer.get(key)
    if not isinstance(value, kind):
        raise MalformedAnswer(step, f"the answer has no usable `{key}`", answer)
    return value


# -- records -----------------------------------------------------------------------------------


class Expect(NamedTuple):
    outcome: str
    state: str


class Log(NamedTuple):
    """A session's log as ``session.events`` reports it."""

    events: list[str]
    closed: bool
    state: str | None


@dataclass(frozen=True)
class Step:
    """One state-changing op and its checked result."""

    index: int
    role: Role
    name: str
    op: str
    args: JsonObject
    result: JsonObject
    exchange: int | None = None
    """Index of the mailbox exchange this step answered (``session.response`` steps)."""
    request: JsonObject | None = None
    """The ``session.request`` answer, without its body (that is in the exchange)."""

    @property
    def outcome(self) -> str:
        """The result's outcome; a new session (which has none) counts as ``progress``."""
        return str(self.result.get("outcome", "progress"))

    @property
    def state(self) -> str:
        return str(self.result["state"])

    def to_json(self) -> JsonObject:
        return {
            "index": self.index,
            "role": self.role,
            "name": self.name,
            "op": self.op,
            "args": self.args,
            "result": self.result,
            "exchange": self.exchange,
            "request": self.request,
        }


@dataclass(frozen=True)
class Transcript:
    """A driven session: every step, both final logs, every mailbox exchange, the payment."""

    pj_uri: str
    original_psbt: str
    steps: tuple[Step, ...]
    logs: dict[Role, Log]
    exchanges: tuple[Exchange, ...]
    replays: dict[Role, JsonObject | None]
    """Each role's final log replayed by its own implementation (None: ``unimplemented``)."""
    proposal_psbt: str | None = None
    """The sender's checked proposal (``value.psbt`` of its last poll)."""
    payjoin_tx: str | None = None
    """That proposal signed by the sender's wallet: the transaction it would broadcast."""

    def path(self, role: Role | None = None) -> list[tuple[str, str, str]]:
        """``(step name, outcome, state)`` of each step, of one role or of both."""
        return [(s.name, s.outcome, s.state) for s in self.steps if role in (None, s.role)]

    def to_json(self) -> JsonObject:
        return {
            "pj_uri": self.pj_uri,
            "original_psbt": self.original_psbt,
            "steps": [s.to_json() for s in self.steps],
            "logs": {r: log._asdict() for r, log in self.logs.items()},
            "exchanges": [e.to_json() for e in self.exchanges],
            "replays": self.replays,
            "proposal_psbt": self.proposal_psbt,
            "payjoin_tx": self.payjoin_tx,
        }


# -- the effect check --------------------------------------------------------------------------


def check_effect(step: str, before: Log, result: JsonObject, after: Log) -> None:
    """Raise :class:`EffectMismatch` unless ``result`` is what its outcome did to the log."""
    outcome = result.get("outcome")
    if outcome not in EFFECTS:
        raise EffectMismatch(step, f"unknown outcome {outcome!r}", result)
    grow, closes = EFFECTS[outcome]
    problems: list[str] = []
    n = len(before.events)
    if after.events[:n] != before.events:
        problems.append("the log was rewritten, not appended to")
    if len(after.events) != n + grow:
        problems.append(f"the log gained {len(after.events) - n} events, {outcome} means {grow}")
    if result.get("appended") != after.events[n:]:
        problems.append("`appended` is not what the log gained")
    expected_closed = before.closed if closes is None else closes
    if after.closed is not expected_closed:
        problems.append(f"the log is {'closed' if after.closed else 'open'} after {outcome}")
    if result.get("closed") is not after.closed:
        problems.append("`closed` differs from the log's")
    state = result.get("state")
    if after.state is not None and state != after.state:
        problems.append(f"`state` {state!r} differs from the session's {after.state!r}")
    if (state == CLOSED) is not after.closed:
        problems.append(f"state {state!r} but the log is {'closed' if after.closed else 'open'}")
    if outcome in ("stasis", "transient") and before.state is not None and state != before.state:
        problems.append(f"{outcome} moved the session from {before.state!r} to {state!r}")
    if problems:
        raise EffectMismatch(step, "; ".join(problems), result)


def relay_url(relay: str, directory: str) -> str:
    """Where payjoin 1.0 sends every request: the relay's origin, then the directory's origin
    as a path (``full_relay_url``: "only reveal scheme and authority to the relay")."""
    relay_parts, directory_parts = urlsplit(relay), urlsplit(directory)
    return (
        f"{relay_parts.scheme}://{relay_parts.netloc}/{directory_parts.scheme}://"
        f"{directory_parts.netloc}/"
    )


# -- the directory a session talks through -------------------------------------------------------


class Directory(Protocol):
    """Where a driven session's OHTTP requests go: the in-process :class:`Mailbox` (with its
    fault knobs) or a real directory over HTTP (``pjconf.harness.directory.transport``)."""

    @property
    def directory(self) -> str:
        """The directory URL the receiver's pj URI names."""
        ...

    @property
    def ohttp_keys(self) -> bytes:
        """The gateway's key configuration the receiver is given."""
        ...

    @property
    def exchanges(self) -> Sequence[Exchange]:
        """Every request so far and what it was answered, in order."""
        ...

    def handle(self, request: bytes, *, label: str = "") -> bytes:
        """Send one 8192-byte OHTTP request; the body of the answer."""
        ...


# -- the driver --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionConfig:
    """What a driven session is made of besides its two implementations and the mailbox."""

    payment: Payment
    expiration: int
    """The receiver's session expiration (Unix seconds)."""
    clock: Clock | None = None
    """When given, every op carries ``now`` from it (the reference honours it; rust-payjoin
    reads its own clock). None: no ``now`` is sent."""
    relay: str = DEFAULT_RELAY
    seed: str = "pjconf/session"
    """``<seed>/receiver`` and ``<seed>/sender`` seed the two sessions."""
    min_fee_rate: int = 1000
    """The sender's minimum fee rate, sat/kwu."""
    max_fee_rate: int | None = None
    """The receiver's ``max_fee_rate`` (sat/kwu); None leaves payjoin's default."""
    contribution: JsonObject | None = None
    """Arguments of ``contribute_inputs``; None: the receiver contributes nothing."""
    crash: tuple[Role, ...] = ()
    """Roles whose implementation is crashed at every persistence point: after each step that
    saved an event (and the session is not closed) its session handle is dropped, the adapter
    killed (a process or container is restarted on the next request), and the session resumed
    from the log the harness read from it. The path must go on unchanged."""


@dataclass
class SessionDriver:
    """One receiver and one sender session, moved step by step and checked at every step."""

    sender: Client
    receiver: Client
    mailbox: Mailbox
    config: SessionConfig
    steps: list[Step] = field(default_factory=list)
    handles: dict[Role, str] = field(default_factory=dict)
    pj_uri: str | None = None
    restarts: dict[Role, int] = field(default_factory=dict)
    """How many times each role was crashed and resumed from its log."""
    proposal_psbt: str | None = None
    payjoin_tx: str | None = None
    transport: Directory | None = None
    """When given, every request goes to this directory (a real server over HTTP) instead of
    :attr:`mailbox`, which then only serves paths that inject faults."""

    @property
    def directory(self) -> Directory:
        """Where requests go: the transport if there is one, else the mailbox stand-in."""
        return self.mailbox if self.transport is None else self.transport

    def client(self, role: Role) -> Client:
        return self.receiver if role == "receiver" else self.sender

    # -- raw ops -------------------------------------------------------------------------------

    def _now(self) -> JsonObject:
        return {} if self.config.clock is None else {"now": self.config.clock.now()}

    def _op(self, role: Role, step: str, op: str, args: JsonObject) -> JsonObject:
        reply = self.client(role).call(op, {**args, **self._now()})
        if reply.kind == "result":
            return reply.value
        detail = {**reply.value, "op": op, "reply": reply.kind}  # the harness's keys win
        if reply.kind == "unimplemented":
            raise StepUnsupported(step, f"{op} is unimplemented: {reply.value.get('message')}")
        if reply.kind == "malfunction":
            raise StepMalfunctioned(step, f"{op}: {reply.value.get('message')}", detail)
        raise StepRejected(step, f"{op} answered {reply.kind}: {reply.value}", detail)

    def _handle(self, role: Role, step: str) -> str:
        handle = self.handles.get(role)
        if handle is None:
            raise SessionFailure(step, f"there is no {role} session yet")
        return handle

    def log(self, role: Role, step: str = "") -> Log:
        step = step or f"{role}.events"
        out = self._op(role, step, "session.events", {"handle": self._handle(role, step)})
        events, closed = _need(step, out, "events", list), _need(step, out, "closed", bool)
        state = out.get("state")
        return Log(list(events), closed, None if state is None else str(state))

    def _record(
        self, role: Role, name: str, op: str, args: JsonObject, result: JsonObject, **extra: Any
    ) -> Step:
        step = Step(len(self.steps), role, name, op, args, result, **extra)
        self.steps.append(step)
        return step

    @staticmethod
    def _expect(step: str, result: JsonObject, expect: Expect | None) -> None:
        if expect is None:  # a random walk: the effect check alone judges the step
            return
        got = (result.get("outcome"), result.get("state"))
        if got != tuple(expect):
            error = result.get("error")
            because = f" ({error.get('kind')}: {error.get('message')})" if error else ""
            raise UnexpectedOutcome(
                step,
                f"expected {expect.outcome} -> {expect.state}, got {got[0]} -> {got[1]}{because}",
                result,
            )

    def _checked(
        self, role: Role, step: str, op: str, args: JsonObject, expect: Expect | None, **extra: Any
    ) -> Step:
        before = self.log(role, step)
        result = self._op(role, step, op, {"handle": self._handle(role, step), **args})
        after = self.log(role, step)
        check_effect(step, before, result, after)
        self._expect(step, result, expect)
        recorded = self._record(role, step, op, args, result, **extra)
        if len(after.events) > len(before.events):
            self._crash_point(role, after)
        return recorded

    def _started(self, role: Role, step: str, op: str, args: JsonObject, state: str) -> Step:
        result = self._op(role, step, op, args)
        self.handles[role] = str(_need(step, result, "handle", (str, int)))
        after = self.log(role, step)
        if result.get("appended") != after.events or len(after.events) != 1 or after.closed:
            raise EffectMismatch(step, "a new session's log must be its one open event", result)
        if result.get("state") != state:
            raise UnexpectedOutcome(step, f"expected {state}, got {result.get('state')}", result)
        recorded = self._record(role, step, op, args, result)
        self._crash_point(role, after)
        return recorded

    def _crash_point(self, role: Role, log: Log) -> None:
        """A persistence point: crash ``role`` here if the config says so, and resume it from
        ``log`` (what the implementation reported it had saved)."""
        if role not in self.config.crash or log.closed:
            return
        self.crash_and_resume(role, log)

    def crash_and_resume(
        self, role: Role, log: Log, restart: Callable[[], Client] | None = None
    ) -> None:
        """Crash ``role``'s implementation and resume its session from ``log``: the handle is
        dropped, the adapter killed (a process or container is restarted on the next request),
        or, with ``restart``, the client replaced by the fresh one it builds (an in-process
        adapter cannot be killed: dropping it is its crash)."""
        step = f"{role}.resume"
        client = self.client(role)
        client.call("session.drop", {"handle": self._handle(role, step)})
        kill = getattr(client, "kill", None)
        if callable(kill):
            kill()
        if restart is not None:
            client.close()
            if role == "receiver":
                self.receiver = restart()
            else:
                self.sender = restart()
        resumed = self._op(role, step, "session.resume", {"role": role, "events": log.events})
        if resumed.get("state") != log.state:
            raise UnexpectedOutcome(
                step, f"resumed in {resumed.get('state')!r}, saved in {log.state!r}", resumed
            )
        self.handles[role] = str(_need(step, resumed, "handle", (str, int)))
        self.restarts[role] = self.restarts.get(role, 0) + 1

    # -- the steps of a session -----------------------------------------------------------------

    def new_receiver(self) -> Step:
        payment = self.config.payment
        args: JsonObject = {
            "address": payment.receiver_address,
            "directory": self.directory.directory,
            "ohttp_keys": self.directory.ohttp_keys.hex(),
            "expiration": self.config.expiration,
            "amount": payment.amount,
            "seed": f"{self.config.seed}/receiver",
        }
        if self.config.max_fee_rate is not None:
            args["max_fee_rate"] = self.config.max_fee_rate
        step = self._started(
            "receiver", "receiver.new", "session.new_receiver", args, "Initialized"
        )
        self.pj_uri = _need(step.name, step.result, "pj_uri", str)
        return step

    def new_sender(self, *, fee_contribution: JsonObject | None = None) -> Step:
        if self.pj_uri is None:
            raise SessionFailure("sender.new", "the receiver has not made a pj URI yet")
        args: JsonObject = {
            "psbt": self.config.payment.original.to_base64(),
            "pj_uri": self.pj_uri,
            "min_fee_rate": self.config.min_fee_rate,
            "seed": f"{self.config.seed}/sender",
        }
        if fee_contribution is not None:
            args["fee_contribution"] = fee_contribution
        return self._started("sender", "sender.new", "session.new_sender", args, "WithReplyKey")

    def resume(self, role: Role, events: list[str], state: str) -> None:
        """Drop ``role``'s session and resume it from ``events``, a log the harness wrote for a
        setting no ``session.new_*`` argument reaches. Like a crash's resume it is no step of
        the path; the resumed session must be in ``state`` with ``events`` as its log."""
        step = f"{role}.resume"
        self.client(role).call("session.drop", {"handle": self._handle(role, step)})
        try:
            result = self._op(role, step, "session.resume", {"role": role, "events": events})
        except StepRejected as e:  # refusing a log payjoin resumes is another outcome
            raise UnexpectedOutcome(step, str(e).split(": ", 1)[-1], e.detail) from None
        self.handles[role] = str(_need(step, result, "handle", (str, int)))
        if result.get("state") != state:
            raise UnexpectedOutcome(step, f"resumed in {result.get('state')!r}, not {state!r}")
        after = self.log(role, step)
        if after.events != events or after.closed:
            raise EffectMismatch(step, "a resumed session's log must be the log it resumed", result)

    def call(
        self, role: Role, method: str, expect: Expect | None, args: JsonObject | None = None
    ) -> Step:
        """``session.call`` of ``method``; the receiver's wallet answers by default. With no
        ``expect`` only the effect check judges the step."""
        if args is None:
            args = (
                self.config.payment.wallet_answers().get(method, {}) if role == "receiver" else {}
            )
        return self._checked(
            role, f"{role}.{method}", "session.call", {"method": method, "args": args}, expect
        )

    def exchange(self, role: Role, purpose: str, expect: Expect | None) -> Step:
        """``session.request``, the mailbox, then ``session.response`` with its answer."""
        step = f"{role}.{purpose}"
        handle = self._handle(role, step)
        request = self._op(
            role, step, "session.request", {"handle": handle, "relay": self.config.relay}
        )
        body = self._request_body(step, request)
        answer = self.directory.handle(body, label=step)
        args = {"context": _need(step, request, "context", (str, int)), "body": answer.hex()}
        summary = {k: v for k, v in request.items() if k != "body"}
        index = len(self.directory.exchanges) - 1
        return self._checked(
            role, step, "session.response", args, expect, exchange=index, request=summary
        )

    def _request_body(self, step: str, request: JsonObject) -> bytes:
        expected_url = relay_url(self.config.relay, self.directory.directory)
        problems = []
        # Hosts are case-insensitive, and payjoin keeps the case of the pj URI, which the
        # receiver writes upper-case (BIP 21's QR-friendly form): the sender's requests name
        # `https://DIRECTORY.EXAMPLE/`, the receiver's `https://directory.example/`.
        if str(request.get("url")).lower() != expected_url.lower():
            problems.append(f"url {request.get('url')!r}, not {expected_url!r}")
        if request.get("method") != "POST":
            problems.append(f"method {request.get('method')!r}, not 'POST'")
        try:
            body = bytes.fromhex(str(request.get("body")))
        except ValueError:
            body = b""
        if len(body) != OHTTP_BODY_BYTES:
            problems.append(f"a body of {len(body)} bytes, not {OHTTP_BODY_BYTES}")
        if problems:
            raise RequestMismatch(step, "; ".join(problems), request)
        return body

    # -- the sender's side of success ----------------------------------------------------------

    def take_proposal(self, step: Step) -> str:
        """Keep the sender's checked proposal and sign it with the sender's wallet; the txid."""
        value = step.result.get("value")
        psbt_text = value.get("psbt") if isinstance(value, dict) else None
        if not isinstance(psbt_text, str):
            raise UnexpectedOutcome(step.name, "a proposal without `value.psbt`", step.result)
        try:
            tx_hex, txid = self.config.payment.sign_proposal(psbt_text)
        except WalletRefusal as e:
            raise UnexpectedOutcome(
                step.name, f"the sender's wallet cannot finish the proposal: {e}", step.result
            ) from None
        self.proposal_psbt, self.payjoin_tx = psbt_text, tx_hex
        return txid

    # -- the end -------------------------------------------------------------------------------

    def _replay(self, role: Role, log: Log) -> JsonObject | None:
        reply = self.client(role).call(
            "replay", {"role": role, "events": log.events, **self._now()}
        )
        if reply.kind == "unimplemented":
            return None
        step = f"{role}.replay"
        if reply.kind == "malfunction":
            raise StepMalfunctioned(step, f"replay: {reply.value.get('message')}", reply.value)
        if reply.kind != "result":
            raise StepRejected(step, f"its own log does not replay: {reply.value}", reply.value)
        if log.state is not None and reply.value.get("state") != log.state:
            raise UnexpectedOutcome(
                step, f"replays to {reply.value.get('state')!r}, lives in {log.state!r}"
            )
        return reply.value

    def transcript(self, *, replay: bool = True) -> Transcript:
        """Both logs as they are now (each replayed by its own implementation) and every step."""
        logs = {role: self.log(role) for role in ROLES if role in self.handles}
        replays = {r: self._replay(r, log) if replay else None for r, log in logs.items()}
        return Transcript(
            pj_uri=self.pj_uri or "",
            original_psbt=self.config.payment.original.to_base64(),
            steps=tuple(self.steps),
            logs=dict(logs),
            exchanges=tuple(self.directory.exchanges),
            replays=dict(replays),
            proposal_psbt=self.proposal_psbt,
            payjoin_tx=self.payjoin_tx,
        )
