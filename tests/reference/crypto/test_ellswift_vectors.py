"""The committed ``ellswift`` vector file: its shape, its reproducibility, every case passing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pjconf.harness.vectorgen import committed_describe, dumps, with_describe
from pjconf.harness.vectorgen import ellswift as family
from pjconf.reference.crypto import ellswift
from pjconf.reference.crypto import ellswift_spec as spec
from pjconf.reference.errors import PjconfError

Json = dict[str, Any]


def load(corpus: Path) -> Json:
    document: Json = json.loads((corpus / family.PATH).read_text(encoding="utf-8"))
    return document


def group(document: Json, kind: str) -> list[Json]:
    return [test for g in document["testGroups"] if g["type"] == kind for test in g["tests"]]


def test_matches_schema(corpus: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((corpus / "schemas" / "ellswift.v1.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(load(corpus))


def test_shape(corpus: Path) -> None:
    document = load(corpus)
    assert document["family"] == family.FAMILY
    assert len(group(document, "EllswiftDecode")) == 76
    assert len(group(document, "EllswiftInverse")) == 32 * 8
    encode = group(document, "EllswiftEncode")
    branches = {t["intermediates"]["branch"] for t in encode if t["result"] == "valid"}
    assert branches == set(range(8))
    assert any(t["result"] == "invalid" for t in encode)


def test_regenerates_byte_identically(corpus: Path, published: Path) -> None:
    assert published.is_dir()
    path = corpus / family.PATH
    describe = committed_describe(path)
    assert describe is not None
    assert dumps(with_describe(family.generate(), describe)) == path.read_text(encoding="utf-8")


def test_decode_cases(corpus: Path) -> None:
    for case in group(load(corpus), "EllswiftDecode"):
        ell = bytes.fromhex(case["args"]["ell64"])
        expected = case["expected"]["pk"]
        assert ellswift.decode(ell).hex() == expected, case["tcId"]
        assert spec.decode(ell).hex() == expected, case["tcId"]
        assert expected[2:66] == case["intermediates"]["x"], case["tcId"]


def test_inverse_cases(corpus: Path) -> None:
    for case in group(load(corpus), "EllswiftInverse"):
        args = case["args"]
        t = spec.xswiftec_inv(int(args["x"], 16), int(args["u"], 16), args["case"])
        got = None if t is None else t.to_bytes(32, "big").hex()
        assert got == case["expected"]["t"], case["tcId"]


def _outcome(encoder: Any, args: Json) -> Json:
    try:
        ell = encoder(bytes.fromhex(args["pk"]), bytes.fromhex(args["rnd32"]))
    except PjconfError as error:
        return {"error": {"kind": error.kind}}
    return {"expected": {"ell64": ell.hex()}}


def test_encode_cases(corpus: Path) -> None:
    for case in group(load(corpus), "EllswiftEncode"):
        want = {"error": case["error"]} if case["result"] == "invalid" else case
        key = "error" if case["result"] == "invalid" else "expected"
        for encoder in (ellswift.encode, spec.encode):
            assert _outcome(encoder, case["args"])[key] == want[key], case["tcId"]
