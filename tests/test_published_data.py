"""The published vector files committed under tests/data are the published bytes, and are found.

The files are copies (tests/data/published/README.md names source, revision and licence); these
checks keep a copy from drifting, keep the README's table honest, and make sure the generators
and the tests read the same directory, so a clone needs nothing beside it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pjconf.harness import vectorgen
from pjconf.harness.corpus.paths import published_dir
from pjconf.harness.vectorgen import hpke

DATA = Path(__file__).resolve().parent / "data"

PINNED = {
    # github.com/bitcoin/bips at 7fe0b034ec967b52a5a28276419117326df93263, bip-0324/
    "published/bip-0324/ellswift_decode_test_vectors.csv": (
        "a238a66b093bed3c571d5b57cb2bb1f69487788f0f872f7ea7501b5b98be20b0"
    ),
    "published/bip-0324/xswiftec_inv_test_vectors.csv": (
        "b5e8e0e9edfdee14c3ec4db3c6763543a9f17290a84a93de0ae2671c16f4432a"
    ),
    "published/bip-0324/packet_encoding_test_vectors.csv": (
        "61704507945e2fa99e6c799fab888593eb7a2c3d2018f42ee4a3c3abe0684269"
    ),
    # github.com/payjoin/bitcoin-hpke at 41b55120ae36442d5452b75b5d3952a491fcd16e
    "published/bitcoin-hpke/test-vectors-k256.json": (
        "45892ec758ad200e500578b90e66507f9b2f5deeb98a3715acdd5cbbdb08d961"
    ),
    "published/bitcoin-hpke/LICENSE-MIT": (
        "0967d697f9129783cb9393d02db2840182e24adf100f34f74f13d4c30f482be9"
    ),
    # the project's research file spec/bip77-derived-vectors.json
    "derived/bip77-derived-vectors.json": (
        "2f66ac167671632f8f69756098f8faea3ffcc8d8e2c8797b0150f3842aa8d95c"
    ),
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", sorted(PINNED))
def test_a_copy_is_the_published_file(name: str) -> None:
    assert _sha256(DATA / name) == PINNED[name], f"tests/data/{name} differs from its source"


@pytest.mark.parametrize("name", sorted(n for n in PINNED if n.startswith("published/")))
def test_the_readme_names_every_vector_file_and_its_hash(name: str) -> None:
    readme = (DATA / "published" / "README.md").read_text(encoding="utf-8")
    if name.endswith("LICENSE-MIT"):
        assert "bitcoin-hpke/LICENSE-MIT" in readme
        return
    assert f"`{name.removeprefix('published/')}`" in readme
    assert PINNED[name] in readme


def test_every_published_copy_is_pinned() -> None:
    root = DATA / "published"
    found = {f"published/{p.relative_to(root).as_posix()}" for p in root.rglob("*") if p.is_file()}
    unpinned = {n for n in found - set(PINNED) if Path(n).name not in {"README.md", "LICENSE"}}
    assert unpinned == set()


def test_the_generators_read_the_directory_the_tests_read() -> None:
    assert published_dir() == DATA / "published"


def test_the_hpke_generator_pins_the_same_file() -> None:
    name = f"published/{hpke.BITCOIN_HPKE_FILE.as_posix()}"
    assert PINNED[name] == hpke.BITCOIN_HPKE_SHA256


def test_outside_a_checkout_regeneration_says_what_it_needs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hpke, "published_dir", lambda: None)
    with pytest.raises(vectorgen.MissingSource, match=r"tests/data/published"):
        hpke.load_bitcoin_hpke()
