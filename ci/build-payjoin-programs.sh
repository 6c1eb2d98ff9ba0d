#!/usr/bin/env bash
# Build rust-payjoin's own programs, payjoin-mailroom (BIP 77 directory + OHTTP relay) and
# payjoin-cli (a wallet-backed sender/receiver), as published on crates.io, into FROM-scratch images.
#
#   ci/build-payjoin-programs.sh                            # every entry under adapters/payjoin-programs/versions/
#   ci/build-payjoin-programs.sh payjoin-mailroom-0.1.3     # just this one -> pjconf/payjoin-mailroom:0.1.3
#   SKIP_DOCKER=1 ci/build-payjoin-programs.sh              # binaries only (no image, no input-hash cache)
#
# Per entry <PROGRAM>-<VERSION> (adapters/payjoin-programs/README.md):
#   1. <PROGRAM>-<VERSION>.crate from cargo's registry cache or static.crates.io, its sha256 checked
#      against versions/<ENTRY>/crate.sha256 (the crates.io index cksum), extracted under target/src/;
#   2. versions/<ENTRY>/Cargo.lock (the lock the crate was published with, committed here) copied
#      over the extracted one; cargo build --locked --release with versions/<ENTRY>/features, static
#      glibc (+crt-static), in one cargo target dir shared by every entry;
#   3. the image <PROGRAM>.Dockerfile, labelled with the sha256 of all its inputs. When an image
#      with that tag already carries that label, steps 1-3 are skipped ("up to date").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROGRAMS="$ROOT/adapters/payjoin-programs"
VERSIONS_DIR="$PROGRAMS/versions"
TARGET=x86_64-unknown-linux-gnu
export CARGO_TARGET_DIR="$PROGRAMS/target/cargo"
LABEL=org.pjconf.inputs-sha256

if [[ $# -eq 0 ]]; then
  mapfile -t entries < <(find "$VERSIONS_DIR" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V)
else
  entries=("$@")
fi
[[ ${#entries[@]} -gt 0 ]] || { echo "error: no entries under $VERSIONS_DIR" >&2; exit 1; }

# "payjoin-mailroom-0.1.3" -> program "payjoin-mailroom", version "0.1.3".
program_of() { sed -E 's/-[0-9]+\.[0-9]+\.[0-9]+.*$//' <<<"$1"; }
version_of() { sed -E 's/^.*-([0-9]+\.[0-9]+\.[0-9]+.*)$/\1/' <<<"$1"; }

# Every input of one image: the entry's lock, checksum and features, the Dockerfile, this script
# and the toolchain.
inputs_hash() {
  local entry="$1" program="$2"
  {
    (cd "$VERSIONS_DIR/$entry" && sha256sum Cargo.lock crate.sha256 features)
    (cd "$PROGRAMS" && sha256sum "$program.Dockerfile")
    (cd "$ROOT" && sha256sum ci/build-payjoin-programs.sh)
    rustc -V
  } | sha256sum | cut -d' ' -f1
}

# The published crate, checked and extracted into target/src/<ENTRY>/ (again only when it changed:
# fresh mtimes would make cargo rebuild and relink for nothing).
prepare_source() {
  local entry="$1" want crate src cached got
  want="$(cut -d' ' -f1 "$VERSIONS_DIR/$entry/crate.sha256")"
  mkdir -p "$PROGRAMS/target/crates" "$PROGRAMS/target/src"
  crate="$PROGRAMS/target/crates/$entry.crate"
  if [[ ! -f "$crate" ]] || [[ "$(sha256sum "$crate" | cut -d' ' -f1)" != "$want" ]]; then
    cached="$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"$entry.crate" 2>/dev/null | head -1 || true)"
    if [[ -n "$cached" ]]; then
      cp "$cached" "$crate.part"
    else
      curl -fsSL --retry 3 -o "$crate.part" \
        "https://static.crates.io/crates/$(program_of "$entry")/$entry.crate"
    fi
    mv "$crate.part" "$crate"
  fi
  got="$(sha256sum "$crate" | cut -d' ' -f1)"
  if [[ "$got" != "$want" ]]; then
    echo "error: $entry.crate has sha256 $got, versions/$entry/crate.sha256 says $want" >&2
    exit 1
  fi
  src="$PROGRAMS/target/src/$entry"
  if [[ ! -d "$src" || "$(cat "$src.stamp" 2>/dev/null || true)" != "$want" ]]; then
    rm -rf "$src" "$src.tmp" "$src.stamp" && mkdir -p "$src.tmp"
    tar -xzf "$crate" -C "$src.tmp" --strip-components=1
    mv "$src.tmp" "$src"
    echo "$want" > "$src.stamp"
  fi
  cmp -s "$VERSIONS_DIR/$entry/Cargo.lock" "$src/Cargo.lock" || cp "$VERSIONS_DIR/$entry/Cargo.lock" "$src/Cargo.lock"
}

build_one() {
  local entry="$1" program version image start hash
  [[ -d "$VERSIONS_DIR/$entry" ]] || { echo "error: no $VERSIONS_DIR/$entry" >&2; exit 1; }
  program="$(program_of "$entry")"
  version="$(version_of "$entry")"
  image="pjconf/$program:$version"
  start=$(date +%s)
  hash="$(inputs_hash "$entry" "$program")"
  if [[ "${SKIP_DOCKER:-0}" != 1 ]] \
    && [[ "$(docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$image" 2>/dev/null || true)" == "$hash" ]]; then
    echo "== $image: up to date (inputs sha256 $hash)"
    return
  fi
  echo "== $image: building (inputs sha256 $hash)"
  prepare_source "$entry"
  local features
  features="$({ grep -v '^#' "$VERSIONS_DIR/$entry/features" || true; } | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')"
  (
    cd "$PROGRAMS/target/src/$entry"
    # Only the gnu target is installed; +crt-static links glibc statically. The crate's build.rs
    # may ask git for a commit: the ceiling keeps it from finding this repository's.
    # shellcheck disable=SC2086
    GIT_CEILING_DIRECTORIES="$PROGRAMS/target/src" RUSTFLAGS="-C target-feature=+crt-static" \
      cargo build --locked --release --target "$TARGET" --bin "$program" $features
  )
  echo "cargo build ($entry): $(($(date +%s) - start))s"
  local bin="$PROGRAMS/target/bin/$entry/$program"
  mkdir -p "$(dirname "$bin")"
  cp "$CARGO_TARGET_DIR/$TARGET/release/$program" "$bin"
  if ! ldd "$bin" 2>&1 | grep -qE 'statically linked|not a dynamic executable'; then
    echo "error: $bin is dynamically linked:" >&2
    ldd "$bin" >&2 || true
    exit 1
  fi
  echo "binary: $bin, $(stat -c %s "$bin") bytes"
  [[ "${SKIP_DOCKER:-0}" == 1 ]] && return

  local context
  context="$(mktemp -d)"
  cp "$bin" "$context/$program"
  cp "$PROGRAMS/$program.Dockerfile" "$context/Dockerfile"
  mkdir -m 0700 "$context/data"
  docker build -q --label "$LABEL=$hash" --label "org.pjconf.$program-version=$version" \
    -t "$image" "$context" >/dev/null
  rm -rf "$context"
  echo "image: $image, $(docker image inspect -f '{{.Size}}' "$image") bytes, $(($(date +%s) - start))s"

  # Smoke test, locked down as the harness runs it: --version must name the version just built.
  local said
  said="$(docker run --rm --network none --read-only --cap-drop ALL --memory 128m \
    --security-opt no-new-privileges "$image" --version 2>&1 | head -n 1)"
  echo "$said"
  if ! grep -qF "$version" <<<"$said"; then
    echo "error: $image --version does not name version $version" >&2
    exit 1
  fi
}

total_start=$(date +%s)
for entry in "${entries[@]}"; do
  build_one "$entry"
done
echo "total: $(($(date +%s) - total_start))s for ${entries[*]}"
