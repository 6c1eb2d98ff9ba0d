#!/usr/bin/env bash
# docs/compatibility.md, regenerated and checked: every rust-payjoin version image and the
# reference hand sessions over to each other and replay each other's logs (pjconf compat), beside
# each one's corpus results under both profiles. Run after ci/run-rust-payjoin-corpus.sh, whose
# reports (pjconf-reports/rust-payjoin/) it reads; it runs the reference's own corpus here. From the
# same reports it writes the corpus matrix of all four, per profile (pjconf-reports/matrix-*).
#
#   ci/compat-matrix.sh           # rewrite docs/compatibility.md and fail if it changed
#   ci/compat-matrix.sh --update  # rewrite it and keep the change (then commit it)
set -euo pipefail
cd "$(dirname "$0")/.."
PJCONF=${PJCONF:-.venv/bin/pjconf}
RUST=pjconf-reports/rust-payjoin
REF=pjconf-reports/reference
mkdir -p "$REF"

args=()
versions=()
for dir in adapters/rust-payjoin/versions/*/; do versions+=("$(basename "$dir")"); done
for version in "${versions[@]}"; do
  args+=(--impl "docker:pjconf/rust-payjoin:$version")
done
args+=(--impl reference --notes docs/compat-notes.json)
for version in "${versions[@]}"; do
  for profile in bip77 payjoin-1.0; do
    report="$RUST/$version-$profile.json"
    [ -s "$report" ] || { echo "FAIL: no $report (run ci/run-rust-payjoin-corpus.sh first)"; exit 1; }
    args+=(--corpus "rust-payjoin@$version/$profile=$report")
  done
done
for profile in bip77 payjoin-1.0; do
  "$PJCONF" run --profile "$profile" --json "$REF/$profile.json" >"$REF/$profile.log" 2>&1 \
    || { echo "FAIL: the reference under --profile $profile:"; tail -n 30 "$REF/$profile.log"; exit 1; }
  args+=(--corpus "pjconf-reference/$profile=$REF/$profile.json")
done

# The corpus matrix (docs/matrix.md): the same reports side by side, case by case, one matrix per
# profile; no run of its own. Exit 0 only when every run is ok, which under strict expectations
# means that every disagreement is a listed known failure.
for profile in bip77 payjoin-1.0; do
  reports=("$REF/$profile.json")
  for version in "${versions[@]}"; do reports+=("$RUST/$version-$profile.json"); done
  "$PJCONF" report merge "${reports[@]}" --json "pjconf-reports/matrix-$profile.json" \
    --html "pjconf-reports/matrix-$profile.html" >"pjconf-reports/matrix-$profile.log" 2>&1 \
    || { echo "FAIL: the corpus matrix under --profile $profile:"; tail -n 40 "pjconf-reports/matrix-$profile.log"; exit 1; }
  echo "corpus matrix, --profile $profile: $(tail -n 1 "pjconf-reports/matrix-$profile.log")"
done

"$PJCONF" compat "${args[@]}" --json pjconf-reports/compat.json --markdown docs/compatibility.md -q
if [ "${1:-}" != --update ] && ! git diff --quiet -- docs/compatibility.md; then
  echo "FAIL: docs/compatibility.md is out of date; its difference from the committed page:"
  git --no-pager diff -- docs/compatibility.md
  echo "(regenerate with: bash ci/run-rust-payjoin-corpus.sh && bash ci/compat-matrix.sh --update)"
  exit 1
fi
echo "docs/compatibility.md: up to date"
