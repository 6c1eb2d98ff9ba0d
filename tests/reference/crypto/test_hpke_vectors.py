"""HPKE against published known answers: bitcoin-hpke, the secp256k1 KEM draft, RFC 9180.

The bitcoin-hpke file is read twice: whole, from its unchanged copy in ``tests/data/published``
(every one of its encryptions and exports), and as re-expressed in the committed corpus, which is
what an implementation under test is checked against. The draft's 18 vectors exist only in the
corpus.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pjconf.harness.vectorgen import hpke as family
from pjconf.reference.crypto import hpke
from pjconf.reference.errors import PjconfError

MODES = {mode.name.lower(): mode for mode in hpke.Mode}
KAT_FILE = "bitcoin-hpke/test-vectors-k256.json"
Json = dict[str, Any]


def _h(value: str) -> bytes:
    return bytes.fromhex(value)


@pytest.fixture(scope="module")
def bitcoin_hpke(published: Path) -> list[Json]:
    vectors: list[Json] = json.loads((published / KAT_FILE).read_text(encoding="utf-8"))
    return vectors


@pytest.fixture(scope="module")
def corpus_file(corpus: Path) -> Json:
    document: Json = json.loads((corpus / family.PATH).read_text(encoding="utf-8"))
    return document


def _groups(document: Json, source: str) -> list[Json]:
    return [g for g in document["testGroups"] if g.get("source") == source]


# --- bitcoin-hpke, straight from the published file ----------------------------------------


@pytest.mark.parametrize("index", range(16))
def test_bitcoin_hpke_kat(bitcoin_hpke: list[Json], index: int) -> None:
    """Keys, schedule, all 257 encryptions both ways and all 3 exports of one vector."""
    v = bitcoin_hpke[index]
    suite = hpke.cipher_suite(v["kem_id"], v["kdf_id"], v["aead_id"])
    mode, info = hpke.Mode(v["mode"]), _h(v["info"])
    psk, psk_id = _h(v.get("psk", "")), _h(v.get("psk_id", ""))
    sk_e, pk_e = suite.derive_key_pair(_h(v["ikmE"]))
    sk_r, pk_r = suite.derive_key_pair(_h(v["ikmR"]))
    assert (sk_e.hex(), pk_e.hex(), sk_r.hex(), pk_r.hex()) == (
        v["skEm"],
        v["pkEm"],
        v["skRm"],
        v["pkRm"],
    )
    sk_s = pk_s = None
    if "ikmS" in v:
        sk_s, pk_s = suite.derive_key_pair(_h(v["ikmS"]))
        assert (sk_s.hex(), pk_s.hex()) == (v["skSm"], v["pkSm"])

    enc, sender = suite.setup_sender(
        pk_r, info, mode=mode, sk_s=sk_s, psk=psk, psk_id=psk_id, sk_e=sk_e
    )
    recipient = suite.setup_recipient(
        enc, sk_r, info, mode=mode, pk_r=pk_r, pk_s=pk_s, psk=psk, psk_id=psk_id
    )
    assert enc.hex() == v["enc"]
    for ctx in (sender, recipient):
        assert ctx.key_schedule_context.hex() == v["key_schedule_context"]
        assert ctx.secret.hex() == v["secret"]
        assert ctx.key.hex() == v["key"]
        assert ctx.base_nonce.hex() == v["base_nonce"]
        assert ctx.exporter_secret.hex() == v["exporter_secret"]
    shared_secret = suite.kem.decap(enc, sk_r, pk_s=pk_s)
    assert shared_secret.hex() == v["shared_secret"]

    assert len(v["encryptions"]) == (0 if suite.aead.export_only else 257)
    for e in v["encryptions"]:
        assert sender.seal(_h(e["aad"]), _h(e["pt"])).hex() == e["ct"]
        assert recipient.open(_h(e["aad"]), _h(e["ct"])).hex() == e["pt"]
    assert len(v["exports"]) == 3
    for x in v["exports"]:
        for ctx in (sender, recipient):
            assert ctx.export(_h(x["exporter_context"]), x["L"]).hex() == x["exported_value"]


def test_published_nonce_field_is_that_of_the_next_message(bitcoin_hpke: list[Json]) -> None:
    """The quirk the corpus corrects: bitcoin-hpke records the nonce after ``seal`` moved on."""
    v = next(v for v in bitcoin_hpke if v["encryptions"])
    base = int(v["base_nonce"], 16)
    for seq, e in enumerate(v["encryptions"]):
        assert int(e["nonce"], 16) == base ^ (seq + 1)


# --- the committed corpus, run on the reference --------------------------------------------


def _keys(suite: hpke.CipherSuite, group: Json) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for sk, pk, ikm in (
        ("skEm", "pkEm", "ikmE"),
        ("skRm", "pkRm", "ikmR"),
        ("skSm", "pkSm", "ikmS"),
    ):
        if ikm in group:
            keys[sk], keys[pk] = suite.derive_key_pair(_h(group[ikm]))
    return keys


def check_kat_group(group: Json) -> int:
    """Run every case of one ``HpkeKat`` group on the reference; the number of cases run."""
    suite = hpke.cipher_suite(group["kem_id"], group["kdf_id"], group["aead_id"])
    mode, info = MODES[group["mode"]], _h(group["info"])
    psk, psk_id = _h(group.get("psk", "")), _h(group.get("psk_id", ""))
    keys = _keys(suite, group)
    sk_s, pk_s = keys.get("skSm"), keys.get("pkSm")
    shared_secret, enc = suite.kem.encap(keys["pkRm"], keys["skEm"], sk_s=sk_s)
    schedule = suite.key_schedule(mode, shared_secret, info, psk=psk, psk_id=psk_id)
    values = keys | {"enc": enc} | schedule._asdict()
    _, sender = suite.setup_sender(
        keys["pkRm"], info, mode=mode, sk_s=sk_s, psk=psk, psk_id=psk_id, sk_e=keys["skEm"]
    )
    recipient = suite.setup_recipient(
        enc, keys["skRm"], info, mode=mode, pk_s=pk_s, psk=psk, psk_id=psk_id
    )
    for case in group["tests"]:
        args, expected = case["args"], case["expected"]
        if "op" in case:
            check_protocol_case(case)
        elif not args:
            assert {name: values[name].hex() for name in expected} == expected, case["tcId"]
        elif "seq" in args:
            sender.seq = recipient.seq = args["seq"]  # jump: the nonce depends on seq alone
            assert sender.seal(_h(args["aad"]), _h(args["pt"])).hex() == expected["ct"]
            assert recipient.open(_h(args["aad"]), _h(expected["ct"])).hex() == args["pt"]
            nonce = int.from_bytes(schedule.base_nonce, "big") ^ args["seq"]
            assert case["intermediates"]["nonce"] == f"{nonce:024x}"
        else:
            value = recipient.export(_h(args["exporter_context"]), args["L"])
            assert value.hex() == expected["exported_value"]
    return len(group["tests"])


def check_protocol_case(case: Json) -> None:
    """An ``hpke.seal``/``hpke.open`` case, called on the reference directly."""
    args = case["args"]
    suite, mode = hpke.SECP256K1_CHACHA, MODES[args["mode"]]
    got: Json
    try:
        if case["op"] == "hpke.seal":
            enc, ct = suite.seal(
                _h(args["pk_r"]),
                _h(args["info"]),
                _h(args["aad"]),
                _h(args["pt"]),
                mode=mode,
                sk_e=_h(args["sk_e"]),
                sk_s=_h(args["sk_s"]) if "sk_s" in args else None,
            )
            got = {"enc": enc.hex(), "ct": ct.hex()}
        else:
            pt = suite.open(
                _h(args["enc"]),
                _h(args["sk_r"]),
                _h(args["info"]),
                _h(args["aad"]),
                _h(args["ct"]),
                mode=mode,
                pk_s=_h(args["pk_s"]) if "pk_s" in args else None,
            )
            got = {"pt": pt.hex()}
    except PjconfError as exc:
        got = {"kind": exc.kind}
    if case["result"] == "invalid":
        assert got == case["error"], case["tcId"]
    else:
        assert got == case["expected"], case["tcId"]


def test_corpus_bitcoin_hpke_groups(corpus_file: Json) -> None:
    groups = _groups(corpus_file, "bitcoin-hpke")
    assert len(groups) == 16
    # per vector: setup + 3 exports, + 4 encryptions unless export-only, + 2 ops for the two
    # ChaCha vectors in Base and Auth mode
    assert sum(check_kat_group(g) for g in groups) == 16 * 4 + 12 * 4 + 2 * 2


def test_corpus_draft_groups(corpus_file: Json) -> None:
    groups = _groups(corpus_file, "draft-wahby-cfrg-hpke-kem-secp256k1")
    assert len(groups) == 18
    assert {(g["aead_id"], g["mode"]) for g in groups} == {
        (aead, mode) for aead in (1, 2, 3) for mode in ("base", "auth")
    }
    for group in groups:
        assert check_kat_group(group) == 1
        case = group["tests"][0]
        misprinted = "DraftAuthSenderKeyMisprinted" in case["flags"]
        assert misprinted == (group["mode"] == "auth")
        if misprinted:  # the sender key is not the recipient's, as the draft prints it
            assert case["expected"]["skSm"] != case["expected"]["skRm"]


def test_draft_table_matches_the_corpus() -> None:
    """The transcribed appendix parses to 18 vectors, each printing skSm = skRm in Auth mode."""
    vectors = family.parse_draft()
    assert len(vectors) == 18
    first_chacha = next(f for aead, mode, f in vectors if aead == 3 and mode is hpke.Mode.BASE)
    assert first_chacha["ikmE"].startswith("77caf1617fb3723972a56cd2085081c9")
    assert first_chacha["shared_secret"].startswith("a81a3ccf56f48c699eb9f393e0701692")
    for _, mode, fields in vectors:
        assert (fields.get("skSm") == fields["skRm"]) == (mode is hpke.Mode.AUTH)


def test_corpus_protocol_cases(corpus_file: Json) -> None:
    """Every ``hpke.seal``/``hpke.open`` case, invalid ones included, answers as recorded."""
    cases = [c for g in corpus_file["testGroups"] for c in g["tests"] if "op" in c]
    kinds = {c["error"]["kind"] for c in cases if c["result"] == "invalid"}
    assert kinds == {"OpenError", "InvalidKey"}
    assert len(cases) == 30
    for case in cases:
        check_protocol_case(case)


# --- RFC 9180 appendix A.1.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, Base ----

# Values from RFC 9180, appendix A.1.1 (the generic core on a registered suite).
RFC9180_A11 = {
    "info": "4f6465206f6e2061204772656369616e2055726e",
    "ikmE": "7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234",
    "skEm": "52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736",
    "pkEm": "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
    "ikmR": "6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037",
    "skRm": "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8",
    "pkRm": "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
    "shared_secret": "fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc",
    "key_schedule_context": "00725611c9d98c07c03f60095cd32d400d8347d45ed67097bbad50fc56da742d07"
    "cb6cffde367bb0565ba28bb02c90744a20f5ef37f30523526106f637abb05449",
    "secret": "12fff91991e93b48de37e7daddb52981084bd8aa64289c3788471d9a9712f397",
    "key": "4531685d41d65f03dc48f6b8302c05b0",
    "base_nonce": "56d890e5accaaf011cff4b7d",
    "exporter_secret": "45ff1c2e220db587171952c0592d5f5ebe103f1561a2614e38f2ffd47e99e3f8",
    "aad": "436f756e742d30",
    "pt": "4265617574792069732074727574682c20747275746820626561757479",
    "ct": "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a9"
    "6d8770ac83d07bea87e13c512a",
}


def test_rfc9180_a11_x25519() -> None:
    v = RFC9180_A11
    suite = hpke.cipher_suite(0x0020, 0x0001, 0x0001)
    sk_e, pk_e = suite.derive_key_pair(_h(v["ikmE"]))
    sk_r, pk_r = suite.derive_key_pair(_h(v["ikmR"]))
    assert [sk_e.hex(), pk_e.hex(), sk_r.hex(), pk_r.hex()] == [
        v["skEm"],
        v["pkEm"],
        v["skRm"],
        v["pkRm"],
    ]
    enc, ctx = suite.setup_sender(pk_r, _h(v["info"]), sk_e=sk_e)
    assert enc == pk_e
    assert suite.kem.decap(enc, sk_r).hex() == v["shared_secret"]
    assert ctx.key_schedule_context.hex() == v["key_schedule_context"]
    assert [ctx.secret.hex(), ctx.key.hex(), ctx.base_nonce.hex()] == [
        v["secret"],
        v["key"],
        v["base_nonce"],
    ]
    assert ctx.exporter_secret.hex() == v["exporter_secret"]
    assert ctx.seal(_h(v["aad"]), _h(v["pt"])).hex() == v["ct"]
    assert suite.open(enc, sk_r, _h(v["info"]), _h(v["aad"]), _h(v["ct"])).hex() == v["pt"]
