#!/usr/bin/env bash
# Build the rust-payjoin adapter, one static binary and one FROM-scratch image per payjoin version.
#
#   ci/build-rust-payjoin.sh                 # every version under adapters/rust-payjoin/versions/
#   ci/build-rust-payjoin.sh 1.0.0 1.2.0     # just these -> pjconf/rust-payjoin:1.0.0, :1.2.0
#   SKIP_DOCKER=1 ci/build-rust-payjoin.sh   # binaries only (no image, no input-hash cache)
#
# Per version (adapters/rust-payjoin/README.md):
#   1. payjoin-<VERSION>.crate from static.crates.io (or cargo's registry cache), its sha256 checked
#      against versions/<VERSION>/payjoin.crate.sha256 (the crates.io index cksum), extracted under
#      target/src/;
#   2. versions/<VERSION>/visibility.patch checked by ci/visibility_patch.py (visibility changes
#      only) and applied to that published source;
#   3. Cargo.toml generated from Cargo.toml.in and versions/<VERSION>/deps.env into
#      target/build/<VERSION>/ with versions/<VERSION>/Cargo.lock; cargo build --locked, in one
#      cargo target dir shared by every version, so dependencies common to versions compile once;
#   4. the image, labelled with the sha256 of all its inputs. When an image with that tag already
#      carries that label, steps 1-4 are skipped ("up to date").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADAPTER="$ROOT/adapters/rust-payjoin"
VERSIONS_DIR="$ADAPTER/versions"
TARGET=x86_64-unknown-linux-gnu
BIN_NAME=pjconf-adapter-rust-payjoin
export CARGO_TARGET_DIR="$ADAPTER/target/cargo"
LABEL=org.pjconf.inputs-sha256
PYTHON="${PYTHON:-python3}"

if [[ $# -eq 0 ]]; then
  mapfile -t versions < <(find "$VERSIONS_DIR" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V)
else
  versions=("$@")
fi
[[ ${#versions[@]} -gt 0 ]] || { echo "error: no versions under $VERSIONS_DIR" >&2; exit 1; }

# Every input of one version's image, hashed: the adapter source, the template, build.rs, the
# Dockerfile, this script and the patch checker, that version's lock, patch, deps and checksum,
# and the toolchain.
inputs_hash() {
  local v="$1"
  {
    (cd "$ADAPTER" && find src -type f -name '*.rs' | LC_ALL=C sort | xargs sha256sum)
    (cd "$ADAPTER" && sha256sum Cargo.toml.in build.rs Dockerfile)
    (cd "$VERSIONS_DIR/$v" && sha256sum Cargo.lock visibility.patch deps.env payjoin.crate.sha256)
    (cd "$ROOT" && sha256sum ci/build-rust-payjoin.sh ci/visibility_patch.py)
    rustc -V
  } | sha256sum | cut -d' ' -f1
}

# The published crate, checked, extracted and patched into target/src/payjoin-<VERSION>/.
prepare_source() {
  local v="$1" dir="$VERSIONS_DIR/$1"
  local want crate src
  want="$(cut -d' ' -f1 "$dir/payjoin.crate.sha256")"
  mkdir -p "$ADAPTER/target/crates" "$ADAPTER/target/src"
  crate="$ADAPTER/target/crates/payjoin-$v.crate"
  if [[ ! -f "$crate" ]] || [[ "$(sha256sum "$crate" | cut -d' ' -f1)" != "$want" ]]; then
    local cached
    cached="$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"payjoin-$v.crate" 2>/dev/null | head -1 || true)"
    if [[ -n "$cached" ]]; then
      cp "$cached" "$crate.part"
    else
      curl -fsSL --retry 3 -o "$crate.part" "https://static.crates.io/crates/payjoin/payjoin-$v.crate"
    fi
    mv "$crate.part" "$crate"
  fi
  local got
  got="$(sha256sum "$crate" | cut -d' ' -f1)"
  if [[ "$got" != "$want" ]]; then
    echo "error: payjoin-$v.crate has sha256 $got, versions/$v/payjoin.crate.sha256 says $want" >&2
    exit 1
  fi
  "$PYTHON" "$ROOT/ci/visibility_patch.py" check "$dir/visibility.patch"
  src="$ADAPTER/target/src/payjoin-$v"
  # Extract and patch again only when the crate or the patch changed: fresh mtimes would make
  # cargo rebuild payjoin and relink the adapter (LTO) for nothing.
  local stamp
  stamp="$want $(sha256sum "$dir/visibility.patch" | cut -d' ' -f1)"
  if [[ -d "$src" && "$(cat "$src.stamp" 2>/dev/null || true)" == "$stamp" ]]; then
    return
  fi
  rm -rf "$src" "$src.tmp" "$src.stamp" && mkdir -p "$src.tmp"
  tar -xzf "$crate" -C "$src.tmp" --strip-components=1
  patch -s -p1 --no-backup-if-mismatch -d "$src.tmp" < "$dir/visibility.patch"
  mv "$src.tmp" "$src"
  echo "$stamp" > "$src.stamp"
}

# target/build/<VERSION>/{Cargo.toml,Cargo.lock} from the template and the committed lock.
generate_manifest() {
  local v="$1" dir="$VERSIONS_DIR/$1" build="$ADAPTER/target/build/$1"
  mkdir -p "$build"
  # shellcheck disable=SC1091
  local HPKE_VERSION OHTTP_VERSION BHTTP_VERSION BITCOIN_VERSION FAMILY
  source "$dir/deps.env"
  sed -e "s|@PAYJOIN_VERSION@|$v|g" -e "s|@HPKE_VERSION@|$HPKE_VERSION|g" \
    -e "s|@OHTTP_VERSION@|$OHTTP_VERSION|g" -e "s|@BHTTP_VERSION@|$BHTTP_VERSION|g" \
    -e "s|@BITCOIN_VERSION@|$BITCOIN_VERSION|g" -e "s|@FAMILY@|$FAMILY|g" \
    -e "s|@ADAPTER_DIR@|$ADAPTER|g" -e "s|@PAYJOIN_SRC@|$ADAPTER/target/src/payjoin-$v|g" \
    "$ADAPTER/Cargo.toml.in" > "$build/Cargo.toml.new"
  # Rewrite only on change, so cargo's fingerprints survive a no-change rebuild.
  cmp -s "$build/Cargo.toml.new" "$build/Cargo.toml" 2>/dev/null || cp "$build/Cargo.toml.new" "$build/Cargo.toml"
  rm -f "$build/Cargo.toml.new"
  if [[ "${GENERATE_LOCK:-0}" == 1 ]]; then
    # Once, for a new version (or after editing the template's dependencies): resolve, starting
    # from the committed lock when there is one so that only what must change changes, then commit
    # versions/<VERSION>/Cargo.lock.
    rm -f "$build/Cargo.lock"
    [[ -f "$dir/Cargo.lock" ]] && cp "$dir/Cargo.lock" "$build/Cargo.lock"
    (cd "$build" && cargo metadata --format-version 1 >/dev/null)
    cp "$build/Cargo.lock" "$dir/Cargo.lock"
    echo "wrote versions/$v/Cargo.lock: commit it"
  elif [[ -f "$dir/Cargo.lock" ]]; then
    cmp -s "$dir/Cargo.lock" "$build/Cargo.lock" 2>/dev/null || cp "$dir/Cargo.lock" "$build/Cargo.lock"
  else
    echo "error: no versions/$v/Cargo.lock (GENERATE_LOCK=1 resolves one, once)" >&2
    exit 1
  fi
}

build_one() {
  local v="$1" image="pjconf/rust-payjoin:$1"
  [[ -d "$VERSIONS_DIR/$v" ]] || { echo "error: no $VERSIONS_DIR/$v" >&2; exit 1; }
  local start hash
  start=$(date +%s)
  hash="$(inputs_hash "$v")"
  if [[ "${SKIP_DOCKER:-0}" != 1 ]] \
    && [[ "$(docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$image" 2>/dev/null || true)" == "$hash" ]]; then
    echo "== $image: up to date (inputs sha256 $hash)"
    return
  fi
  echo "== $image: building (inputs sha256 $hash)"
  prepare_source "$v"
  generate_manifest "$v"
  local build="$ADAPTER/target/build/$v"
  (
    cd "$build"
    # Only the gnu target is installed; +crt-static links glibc statically.
    RUSTFLAGS="-C target-feature=+crt-static" \
      cargo build --locked --release --target "$TARGET"
  )
  local build_end
  build_end=$(date +%s)
  echo "cargo build ($v): $((build_end - start))s"
  # The shared target dir holds the last version's binary; keep each version's own copy.
  local bin="$ADAPTER/target/bin/$v/$BIN_NAME"
  mkdir -p "$(dirname "$bin")"
  cp "$CARGO_TARGET_DIR/$TARGET/release/$BIN_NAME" "$bin"

  # Must be static: the image has no libc. (ldd exits 0 and says "statically linked" on some
  # distributions, "not a dynamic executable" with status 1 on others; check its text.)
  if ! ldd "$bin" 2>&1 | grep -qE 'statically linked|not a dynamic executable'; then
    echo "error: $bin is dynamically linked:" >&2
    ldd "$bin" >&2 || true
    exit 1
  fi
  file "$bin" 2>/dev/null || true
  echo "binary: $bin, $(stat -c %s "$bin") bytes"

  if [[ "${SKIP_DOCKER:-0}" == 1 ]]; then
    return
  fi

  local context
  context="$(mktemp -d)"
  cp "$bin" "$context/$BIN_NAME"
  cp "$ADAPTER/Dockerfile" "$context/Dockerfile"
  docker build -q --label "$LABEL=$hash" --label "org.pjconf.payjoin-version=$v" \
    -t "$image" "$context" >/dev/null
  rm -rf "$context"
  echo "image: $image, $(docker image inspect -f '{{.Size}}' "$image") bytes, $(($(date +%s) - start))s"

  # Smoke test, run as the harness runs it; hello must name the version just built.
  local hello
  hello="$(echo '{"id":1,"op":"hello"}' \
    | docker run -i --rm --network none --read-only --cap-drop ALL --memory 256m "$image" \
    | head -n 1)"
  echo "${hello:0:200}..."
  if ! grep -q "\"version\":\"$v\"" <<<"$hello"; then
    echo "error: $image's hello does not name version $v" >&2
    exit 1
  fi
}

total_start=$(date +%s)
for v in "${versions[@]}"; do
  build_one "$v"
done
echo "total: $(($(date +%s) - total_start))s for ${versions[*]}"
