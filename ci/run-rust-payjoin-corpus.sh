#!/usr/bin/env bash
# The whole corpus against every rust-payjoin image, each with its own expectations file and
# --strict-expectations, so a new failure or an upstream fix turns CI red for that version.
#
#   ci/run-rust-payjoin-corpus.sh [--profile P ...] [VERSION ...]
#
# Versions default to every adapters/rust-payjoin/versions/*, profiles to both (bip77 and
# payjoin-1.0). Reports go to ${PJCONF_REPORTS:-pjconf-reports/rust-payjoin}/<version>-<profile>.{json,log};
# docs/compatibility.md's corpus rows are read from those JSON reports. Two runs go at a time,
# each with -j 2 (two worker processes, one container each; crashes respawn inside it): a run is
# now mostly the harness's Python, and two runs of two workers kept a 2-core machine busiest
# (49 s for the six runs, against 68 s with -j 1 and 73 s one run at a time; 253 s before respawn
# and worker processes, all under other load).
# PJCONF_JOBS sets the runs at a time, PJCONF_RUN_JOBS each run's -j.
set -euo pipefail
cd "$(dirname "$0")/.."
PJCONF=${PJCONF:-.venv/bin/pjconf}
OUT=${PJCONF_REPORTS:-pjconf-reports/rust-payjoin}
JOBS=${PJCONF_JOBS:-2}
RUN_JOBS=${PJCONF_RUN_JOBS:-2}

profiles=()
versions=()
while [ $# -gt 0 ]; do
  case $1 in
    --profile) profiles+=("$2"); shift 2 ;;
    -*) echo "usage: $0 [--profile P ...] [VERSION ...]" >&2; exit 2 ;;
    *) versions+=("$1"); shift ;;
  esac
done
[ ${#profiles[@]} -gt 0 ] || profiles=(bip77 payjoin-1.0)
if [ ${#versions[@]} -eq 0 ]; then
  for dir in adapters/rust-payjoin/versions/*/; do versions+=("$(basename "$dir")"); done
fi
mkdir -p "$OUT"

run_one() {  # run_one VERSION PROFILE: one strict run; its console output goes to a log file
  local version=$1 profile=$2 start=$SECONDS status=0 variants=()
  # Fresh variants (which catch an adapter that memorised the corpus) once per version: under
  # the default profile. The second profile's run judges the committed cases only.
  [ "$profile" = bip77 ] || variants=(--no-variants)
  "$PJCONF" run --impl "docker:pjconf/rust-payjoin:$version" --profile "$profile" "${variants[@]}" \
    -j "$RUN_JOBS" \
    --expectations "ci/expectations/rust-payjoin-$version.json" --strict-expectations \
    --json "$OUT/$version-$profile.json" >"$OUT/$version-$profile.log" 2>&1 || status=$?
  echo "rust-payjoin $version, --profile $profile: exit $status in $((SECONDS - start))s" \
    "($(grep -m1 '^total' "$OUT/$version-$profile.log" | tr -s ' ' || echo 'no total line'))"
  return "$status"
}

pids=()
labels=()
failed=0
for version in "${versions[@]}"; do
  for profile in "${profiles[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 0.2; done
    run_one "$version" "$profile" &
    pids+=($!)
    labels+=("$version $profile")
  done
done
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    failed=1
    set -- ${labels[$i]}
    echo "== FAILED: rust-payjoin $1 under --profile $2; its run:"
    tail -n 40 "$OUT/$1-$2.log"
  fi
done
[ "$failed" = 0 ] && echo "rust-payjoin corpus: every version ok under: ${profiles[*]}"
exit "$failed"
