#!/usr/bin/env bash
# Build the rust-payjoin 1.0.0 adapter as a static binary and wrap it in a FROM-scratch image.
#
#   ci/build-rust-payjoin.sh            # -> adapters/rust-payjoin/target/.../pjconf-adapter-rust-payjoin
#                                       #    and image pjconf/rust-payjoin:1.0.0
#   SKIP_DOCKER=1 ci/build-rust-payjoin.sh   # binary only
#
# Reproducible from the committed Cargo.lock (--locked); cargo's target dir under
# adapters/rust-payjoin/target is the cache (gitignored).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CRATE="$ROOT/adapters/rust-payjoin"
TARGET=x86_64-unknown-linux-gnu
BIN_NAME=pjconf-adapter-rust-payjoin
IMAGE="${IMAGE:-pjconf/rust-payjoin:1.0.0}"
BIN="$CRATE/target/$TARGET/release/$BIN_NAME"

start=$(date +%s)
(
  cd "$CRATE"
  # Only the gnu target is installed; +crt-static links glibc statically.
  RUSTFLAGS="-C target-feature=+crt-static" \
    cargo build --locked --release --target "$TARGET"
)
build_end=$(date +%s)
echo "cargo build: $((build_end - start))s"

# Must be static: the image has no libc. (ldd exits 0 and says "statically linked" on some
# distributions, "not a dynamic executable" with status 1 on others; check its text.)
if ! ldd "$BIN" 2>&1 | grep -qE 'statically linked|not a dynamic executable'; then
  echo "error: $BIN is dynamically linked:" >&2
  ldd "$BIN" >&2 || true
  exit 1
fi
file "$BIN" 2>/dev/null || true
echo "binary: $(stat -c %s "$BIN") bytes"

if [[ "${SKIP_DOCKER:-0}" == 1 ]]; then
  exit 0
fi

context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
cp "$BIN" "$context/$BIN_NAME"
cp "$CRATE/Dockerfile" "$context/Dockerfile"
docker build -q -t "$IMAGE" "$context" >/dev/null
end=$(date +%s)
echo "image: $IMAGE, $(docker image inspect -f '{{.Size}}' "$IMAGE") bytes"
echo "total: $((end - start))s"

# Smoke test, run as the harness runs it.
echo '{"id":1,"op":"hello"}' \
  | docker run -i --rm --network none --read-only --cap-drop ALL --memory 256m "$IMAGE" \
  | head -c 200
echo
