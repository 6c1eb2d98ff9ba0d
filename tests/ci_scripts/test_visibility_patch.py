"""ci/visibility_patch.py: the per-version patches to payjoin change visibility and nothing else."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.request
from pathlib import Path

import pytest
import visibility_patch
from visibility_patch import PatchError, check

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = ROOT / "adapters" / "rust-payjoin" / "versions"
PATCHES = sorted(VERSIONS.glob("*/visibility.patch"))
SCRIPT = ROOT / "ci" / "visibility_patch.py"

GOOD = """\
--- a/src/core/mod.rs
+++ b/src/core/mod.rs
@@ -1,4 +1,4 @@
 #[cfg(feature = "v2")]
-pub(crate) mod hpke;
+pub mod hpke;
 #[cfg(feature = "v2")]
 pub mod persist;
"""


def test_there_is_a_patch_per_version() -> None:
    versions = sorted(p.name for p in VERSIONS.iterdir() if p.is_dir())
    assert versions, "no versions under adapters/rust-payjoin/versions"
    assert [p.parent.name for p in PATCHES] == versions


@pytest.mark.parametrize("patch", PATCHES, ids=lambda p: p.parent.name)
def test_committed_patch_is_visibility_only(patch: Path) -> None:
    files = check(patch.read_text(encoding="utf-8"), str(patch))
    assert {f.path for f in files} == {"src/core/mod.rs", "src/core/ohttp.rs"}


def test_visibility_changes_pass() -> None:
    check(GOOD)
    for before, after in [
        ("pub(super) fn f() {}", "pub fn f() {}"),
        ("pub(in crate::core) struct S;", "pub struct S;"),
        ("    fn process(res: &[u8]) {", "    pub fn process(res: &[u8]) {"),
        ("pub(self) const N: usize = 1;", "pub const N: usize = 1;"),
    ]:
        check(f"--- a/src/x.rs\n+++ b/src/x.rs\n@@ -1 +1 @@\n-{before}\n+{after}\n")


def test_an_added_pub_use_line_passes() -> None:
    check(
        "--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -1,1 +1,2 @@\n pub mod a;\n"
        "+pub use crate::core::hpke::{encrypt_message_a, HpkeSecretKey};\n"
    )


def test_a_changed_slice_bound_fails_naming_file_hunk_and_line() -> None:
    bad = (
        "--- a/src/core/hpke.rs\n+++ b/src/core/hpke.rs\n@@ -200,3 +200,3 @@\n"
        " let plaintext = ctx.open(&ct, &[])?;\n"
        "-let reply_pk = pubkey_from_compressed_bytes(&plaintext[..33])?;\n"
        "+let reply_pk = pubkey_from_compressed_bytes(&plaintext[..34])?;\n"
        " let body = &plaintext[33..];\n"
    )
    with pytest.raises(PatchError) as e:
        check(bad, "v.patch")
    msg = str(e.value)
    assert "v.patch: src/core/hpke.rs, hunk 1 (@@ -200,3 +200,3 @@), patch line 5" in msg
    assert "plaintext[..33]" in msg
    assert "no added counterpart that differs from it only in visibility" in msg


def test_a_renamed_identifier_beside_a_visibility_change_fails() -> None:
    bad = GOOD.replace("+pub mod hpke;", "+pub mod hpke2;")
    with pytest.raises(
        PatchError, match=r"hunk 1 .*patch line 5: removed line 'pub\(crate\) mod hpke;'"
    ):
        check(bad)


def test_narrowing_or_other_visibility_fails() -> None:
    with pytest.raises(PatchError, match="no added counterpart"):
        check(GOOD.replace("+pub mod hpke;", "+pub(super) mod hpke;"))
    with pytest.raises(PatchError, match="no added counterpart"):
        check("--- a/src/x.rs\n+++ b/src/x.rs\n@@ -1 +1 @@\n-pub fn f() {}\n+fn f() {}\n")


def test_an_added_line_that_is_not_pub_use_fails() -> None:
    bad = GOOD.replace("@@ -1,4 +1,4 @@", "@@ -1,4 +1,5 @@").replace(
        "+pub mod hpke;\n", '+pub mod hpke;\n+println!("hi");\n'
    )
    with pytest.raises(PatchError) as e:
        check(bad, "v.patch")
    assert "src/core/mod.rs, hunk 1" in str(e.value)
    assert "patch line 7: added line 'println!(\"hi\");' is neither" in str(e.value)
    # `pub use` must be a whole line, not the start of something else.
    with pytest.raises(PatchError, match="is neither"):
        check(
            GOOD.replace(
                "+pub mod hpke;\n", "+pub mod hpke;\n+pub use x::y; fn evil() {}\n"
            ).replace("+1,4", "+1,5")
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no file headers"),
        ("--- a/src/x.rs\n@@ -1 +1 @@\n-a\n+pub a\n", "without a '+++' header"),
        ("--- a/src/x.rs\n+++ b/src/y.rs\n@@ -1 +1 @@\n-a\n+pub a\n", "different files"),
        ("--- /dev/null\n+++ b/src/x.rs\n@@ -0,0 +1 @@\n+pub use a;\n", "creates or deletes"),
        ("--- a/../x.rs\n+++ b/../x.rs\n@@ -1 +1 @@\n-a\n+pub a\n", "not a relative path"),
        ("--- a/build.rs.in\n+++ b/build.rs.in\n@@ -1 +1 @@\n-a\n+pub a\n", "not a relative path"),
        ("--- a/src/x.rs\n+++ b/src/x.rs\n", "no hunk"),
        (GOOD + GOOD, "appears twice"),
        (GOOD.replace("+1,4", "+1,5"), "promises 4 old and 5 new lines"),
        (GOOD + "garbage\n", "unexpected line outside a hunk"),
        ("@@ -1 +1 @@\n-a\n+pub a\n", "before any file header"),
    ],
)
def test_odd_patch_shapes_fail(text: str, message: str) -> None:
    with pytest.raises(PatchError, match=re.escape(message)):
        check(text)


def test_cli_exit_status_and_messages(tmp_path: Path) -> None:
    good = tmp_path / "good.patch"
    good.write_text(GOOD)
    bad = tmp_path / "bad.patch"
    bad.write_text(GOOD.replace("+pub mod hpke;", "+pub mod hpke2;"))
    ok = subprocess.run(
        [sys.executable, str(SCRIPT), "check", str(good)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    assert "visibility only (1 files, 1 hunks)" in ok.stdout
    fail = subprocess.run(
        [sys.executable, str(SCRIPT), "check", str(good), str(bad)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert fail.returncode == 1
    assert f"error: {bad}: src/core/mod.rs, hunk 1" in fail.stderr
    assert visibility_patch.main(["nonsense"]) == 2


def _published_crate(version: str) -> bytes | None:
    """The .crate from cargo's registry cache or the build's download cache, checksum-verified."""
    want = (VERSIONS / version / "payjoin.crate.sha256").read_text().split()[0]
    cargo_home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    candidates = [
        ROOT / "adapters" / "rust-payjoin" / "target" / "crates" / f"payjoin-{version}.crate",
        *sorted(cargo_home.glob(f"registry/cache/*/payjoin-{version}.crate")),
    ]
    for path in candidates:
        if path.is_file():
            data = path.read_bytes()
            assert hashlib.sha256(data).hexdigest() == want, f"{path} does not match the checksum"
            return data
    # Neither cache has it (a clean clone before ci/build-rust-payjoin.sh): fetch it as the build
    # does; only a machine without network skips.
    url = f"https://static.crates.io/crates/payjoin/payjoin-{version}.crate"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            fetched: bytes = response.read()
    except OSError:
        return None
    assert hashlib.sha256(fetched).hexdigest() == want, f"{url} does not match the checksum"
    return fetched


@pytest.mark.parametrize("patch", PATCHES, ids=lambda p: p.parent.name)
def test_patch_applies_to_the_published_crate(patch: Path, tmp_path: Path) -> None:
    version = patch.parent.name
    data = _published_crate(version)
    if data is None:
        pytest.skip(
            f"payjoin-{version}.crate is neither in cargo's registry cache nor in "
            "adapters/rust-payjoin/target/crates/, and static.crates.io cannot be reached"
        )
    if shutil.which("patch") is None:
        pytest.skip("no patch(1) on this machine")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(tmp_path, filter="data")
    src = tmp_path / f"payjoin-{version}"
    before = (src / "src/core/mod.rs").read_text()
    subprocess.run(
        ["patch", "-s", "-p1", "--dry-run", "-d", str(src), "-i", str(patch)], check=True
    )
    subprocess.run(["patch", "-s", "-p1", "-d", str(src), "-i", str(patch)], check=True)
    after = (src / "src/core/mod.rs").read_text()
    assert "pub(crate) mod hpke;" in before
    assert "pub mod hpke;" in after
    assert "pub(crate) mod hpke;" not in after
