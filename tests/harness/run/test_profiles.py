"""The profiles end to end: a stricter implementation never FAILs under bip77 for being correct.

Three in-process wrappers around the reference's adapter stand in for other implementations:
one refuses every input whose answer bip77 leaves open, one answers every refusal with another
kind of the same spec-level class, and one with a kind of another class. The corpus is run
through each under both profiles.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from pjconf.harness.corpus.load import Case, load_corpus
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.corpus.profiles import DEFAULT_PROFILE, PAYJOIN_10, in_profile
from pjconf.harness.implementations.client import Reply
from pjconf.harness.implementations.reference import reference_client
from pjconf.harness.run.checker import NEVER_A_REFUSAL, Verdict
from pjconf.harness.run.granularity import CLASSES
from pjconf.harness.run.runner import RunResult, run
from pjconf.protocol.wire import JsonObject

FAMILIES = ("hpke", "bip77_messages", "ohttp", "bhttp", "uri", "events", "replay", "hostile")
"""Every family with an open answer or an error class whose cases need no live session."""

Rewrite = Callable[[str, JsonObject, Reply], Reply]


def _key(op: str, args: JsonObject) -> str:
    return op + json.dumps(args, sort_keys=True)


class Wrapper:
    """The reference's adapter with its answers rewritten by ``rewrite``."""

    def __init__(self, rewrite: Rewrite) -> None:
        self._inner = reference_client()
        self._rewrite = rewrite

    def call(self, op: str, args: JsonObject) -> Reply:
        return self._rewrite(op, args, self._inner.call(op, args))

    def close(self) -> None:
        self._inner.close()


def _corpus() -> list[Case]:
    return [c for c in load_corpus(vectors_dir()) if c.family in FAMILIES and c.op is not None]


def _open_inputs(cases: list[Case]) -> dict[str, str]:
    """The requests of the cases that are ``acceptable`` under bip77 and pinned otherwise, each
    with the kind a stricter implementation refuses it with (the op's own, where the case names
    one)."""
    return {
        _key(str(c.op), c.args): str((c.error or {}).get("kind", "Refused"))
        for c in cases
        if c.result == "acceptable" and c.profiles
    }


def _other_kind(op: str, kind: object) -> str | None:
    """Another kind of ``kind``'s class for ``op`` (None when it is in no class)."""
    for found in CLASSES.get(op, ()):
        if kind in found.kinds:
            return sorted(found.kinds - {kind})[0]
    return None


def _run(rewrite: Rewrite, profile: str) -> RunResult:
    cases = [in_profile(c, profile) for c in _corpus()]
    return run(Wrapper(rewrite), cases)


def _fails(result: RunResult) -> list[str]:
    return [
        f"{o.case.name}: {o.detail}"
        for o in result.outcomes
        if o.verdict in (Verdict.FAIL, Verdict.ERROR)
    ]


@pytest.fixture(scope="module")
def open_inputs() -> dict[str, str]:
    return _open_inputs(_corpus())


def test_a_stricter_implementation_passes_bip77_and_fails_payjoin_1_0(
    open_inputs: dict[str, str],
) -> None:
    """Refusing every open input, and every refusal in another kind of its class."""

    def stricter(op: str, args: JsonObject, reply: Reply) -> Reply:
        if _key(op, args) in open_inputs:
            return Reply("error", {"kind": open_inputs[_key(op, args)], "message": "stricter"})
        if reply.kind == "error":
            other = _other_kind(op, reply.value.get("kind"))
            if other is not None:
                return Reply("error", {"kind": other, "message": "same class"})
        return reply

    assert len(open_inputs) >= 40
    bip77 = _run(stricter, DEFAULT_PROFILE)
    assert _fails(bip77) == []
    assert bip77.count(Verdict.ACCEPTABLE) >= len(open_inputs)
    widened = [o for o in bip77.outcomes if "one class under bip77" in o.detail]
    assert len(widened) >= 20
    assert all(o.verdict is Verdict.PASS for o in widened)
    pinned = _fails(_run(stricter, PAYJOIN_10))
    assert any("pinned by --profile payjoin-1.0" in line for line in pinned)
    assert any("error kind: expected" in line for line in pinned)
    assert len(pinned) >= len(open_inputs)


def test_a_kind_of_another_class_fails_under_both_profiles() -> None:
    def wrong_class(op: str, args: JsonObject, reply: Reply) -> Reply:
        if reply.kind == "error" and _other_kind(op, reply.value.get("kind")) is not None:
            return Reply("error", {"kind": "InvalidArgument", "message": "another class"})
        return reply

    for profile in (DEFAULT_PROFILE, PAYJOIN_10):
        fails = _fails(_run(wrong_class, profile))
        assert len(fails) >= 20, profile
        assert all("got InvalidArgument" in line for line in fails), profile
        assert any("refused with an unexpected error" in line for line in fails), profile


@pytest.mark.parametrize("kind", sorted(NEVER_A_REFUSAL))
def test_a_broken_adapter_is_never_an_acceptable_refusal(
    open_inputs: dict[str, str], kind: str
) -> None:
    def broken(op: str, args: JsonObject, reply: Reply) -> Reply:
        if _key(op, args) in open_inputs:
            return Reply("error", {"kind": kind, "message": "panic"})
        return reply

    fails = _fails(_run(broken, DEFAULT_PROFILE))
    assert len(fails) >= len(open_inputs)
    assert all("open:" in line or "error kind" in line for line in fails)


def _whatwg_spelling(url: str) -> str:
    """How a WHATWG URL parser writes an http(s) URL payjoin 1.0 keeps as given: lower-case
    scheme and host, no default port."""
    scheme, _, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    host, _, port = authority.partition(":")
    default = {"http": "80", "https": "443"}.get(scheme.lower())
    keep = f":{port}" if port and port != default else ""
    return f"{scheme.lower()}://{host.lower()}{keep}{slash}{path}"


def test_a_url_spelt_as_a_whatwg_parser_writes_it_passes_bip77_only() -> None:
    """The ``directory`` (or BIP 78 ``endpoint``) of every parsed URI respelt: the same resource
    (RFC 3986 section 6.2.2), so bip77 passes it and payjoin-1.0, which pins the spelling, does
    not."""
    respelt: list[str] = []

    def whatwg(op: str, args: JsonObject, reply: Reply) -> Reply:
        pj = reply.value.get("pj") if op == "uri.parse" and reply.kind == "result" else None
        if not isinstance(pj, dict):
            return reply
        field = "directory" if "directory" in pj else "endpoint"
        spelt = _whatwg_spelling(str(pj[field]))
        if spelt != pj[field]:
            respelt.append(str(pj[field]))
        return Reply("result", {**reply.value, "pj": {**pj, field: spelt}})

    bip77 = _run(whatwg, DEFAULT_PROFILE)
    assert len(respelt) >= 20  # the corpus's hosts are upper-case, some with :443
    assert _fails(bip77) == []
    noted = [o for o in bip77.outcomes if "the same URL spelt otherwise" in o.detail]
    assert len(noted) >= 20
    assert all(o.verdict is Verdict.PASS for o in noted)
    pinned = _fails(_run(whatwg, PAYJOIN_10))
    assert len(pinned) >= 20
    assert all("pj: expected" in line for line in pinned)


def test_a_different_url_is_no_respelling() -> None:
    """Another host, path or port still FAILs under bip77."""

    def elsewhere(op: str, args: JsonObject, reply: Reply) -> Reply:
        pj = reply.value.get("pj") if op == "uri.parse" and reply.kind == "result" else None
        if not isinstance(pj, dict) or "directory" not in pj:
            return reply
        return Reply("result", {**reply.value, "pj": {**pj, "directory": "https://evil.example/"}})

    fails = _fails(_run(elsewhere, DEFAULT_PROFILE))
    assert len(fails) >= 20
    assert all("pj: expected" in line or "other results" in line for line in fails)


def _ellswift_cases(profile: str) -> list[Case]:
    return [
        in_profile(c, profile)
        for c in load_corpus(vectors_dir())
        if c.family == "ellswift" and c.op == "ellswift.encode" and c.result == "valid"
    ]


def _reencoded(op: str, args: JsonObject, reply: Reply, pk: str) -> Reply:
    """``reply`` with its encoding replaced by the reference's encoding of ``pk`` under another
    ``rnd32`` (libsecp256k1 derives a different, equally valid encoding from it)."""
    other = reference_client().call("ellswift.encode", {"pk": pk, "rnd32": "5a" * 32})
    assert other.kind == "result", other
    assert other.value["ell64"] != reply.value.get("ell64")
    return Reply("result", {**reply.value, "ell64": other.value["ell64"]})


def test_another_ellswift_encoding_of_the_same_point_passes_bip77_only() -> None:
    def other_encoder(op: str, args: JsonObject, reply: Reply) -> Reply:
        if op != "ellswift.encode" or reply.kind != "result":
            return reply
        return _reencoded(op, args, reply, str(args["pk"]))

    cases = _ellswift_cases(DEFAULT_PROFILE)
    assert len(cases) >= 30
    bip77 = run(Wrapper(other_encoder), cases)
    assert _fails(bip77) == []
    assert all("another ElligatorSwift encoding" in o.detail for o in bip77.outcomes)
    pinned = _fails(run(Wrapper(other_encoder), _ellswift_cases(PAYJOIN_10)))
    assert len(pinned) == len(cases)


def test_an_encoding_of_the_negated_point_fails_under_both_profiles() -> None:
    """Same x, other y: BIP 324 alone would not tell them apart, but BIP 77's receiver would
    decode a different encapsulated key, so the decoded point must match whole."""

    def negated(op: str, args: JsonObject, reply: Reply) -> Reply:
        pk = str(args.get("pk", ""))
        if op != "ellswift.encode" or reply.kind != "result" or len(pk) != 66:
            return reply
        flipped = ("03" if pk.startswith("02") else "02") + pk[2:]
        return _reencoded(op, args, reply, flipped)

    for profile in (DEFAULT_PROFILE, PAYJOIN_10):
        cases = [c for c in _ellswift_cases(profile) if len(str(c.args.get("pk", ""))) == 66]
        assert len(cases) >= 10
        fails = _fails(run(Wrapper(negated), cases))
        assert len(fails) == len(cases), profile
        assert all("ell64: expected" in line for line in fails), profile


def test_an_ohttp_response_returned_without_its_padding_passes_both_profiles() -> None:
    """payjoin's own OHTTP client parses the response and returns the message alone."""
    trimmed: list[str] = []

    def parsing_client(op: str, args: JsonObject, reply: Reply) -> Reply:
        if op != "ohttp.response.open" or reply.kind != "result":
            return reply
        body = str(reply.value["bhttp"])
        while body.endswith("00"):
            body = body[:-2]
        trimmed.append(op)
        return Reply("result", {**reply.value, "bhttp": body})

    for profile in (DEFAULT_PROFILE, PAYJOIN_10):
        cases = [
            in_profile(c, profile)
            for c in load_corpus(vectors_dir())
            if c.family == "ohttp" and c.op == "ohttp.response.open"
        ]
        assert _fails(run(Wrapper(parsing_client), cases)) == [], profile
    assert len(trimmed) >= 4


def test_one_request_has_one_verdict() -> None:
    """Two cases sending the same request (these families' answers depend on nothing else) must
    judge it alike: a stricter implementation refusing an open one would otherwise FAIL the
    other."""
    judged: dict[str, tuple[str, object, object]] = {}
    for case in _corpus():
        key = _key(str(case.op), case.args)
        verdict = (case.result, case.expected, case.error)
        first = judged.setdefault(key, verdict)
        assert first == verdict, f"{case.name} judges a request another case judges {first}"
