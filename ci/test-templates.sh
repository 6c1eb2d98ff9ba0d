#!/usr/bin/env bash
# The CI templates, run on this machine as their CI would run them, each installing pjconf from
# this checkout for real (tests/ci_templates/local_ci.py does the GitHub and GitLab parts):
#   1. ci/templates/run-pjconf.sh end to end against the reference, and its exit status passed on;
#   2. ci/templates/gitlab-ci.yml: both parallel nodes of the pjconf job, then pjconf-merge;
#   3. action.yml: the reference; the workflow of ci/github-actions.yml by hand (two shards,
#      their artifacts laid out as download-artifact does, the merge); rust-payjoin's image with
#      its expectations. The uses: steps (setup-python, upload-artifact) need GitHub and are
#      skipped (the machine's python3 is used; the reports stay in the work directory).
# Each action run prints the job summary it wrote. Needs a Docker engine with the image built
# by ci/build-rust-payjoin.sh; without one the rust-payjoin run fails on CI and is skipped
# elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
PY=${PJCONF_PY:-$repo/.venv/bin/python}
IMAGE=pjconf/rust-payjoin:1.0.0
# The templates' plumbing is what runs here; the whole corpus runs in .ci/test (twice) and against
# every image in ci/run-rust-payjoin-corpus.sh. Leaving out the two slowest families keeps each
# template run to seconds, and the verified share they reach (about 65%) is what is required.
FEWER="--exclude-family sessions --exclude-family replay"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
local_ci() { "$PY" "$repo/tests/ci_templates/local_ci.py" "$@"; }
timed() { local start=$SECONDS; "$@"; echo "-- took $((SECONDS - start))s"; }
expect_status() {  # expect_status WANTED command...: run, and fail unless it exits WANTED
  local wanted=$1 status=0
  shift
  "$@" || status=$?
  [ "$status" = "$wanted" ] || { echo "FAIL: exit status $status, expected $wanted: $*"; exit 1; }
}

echo "== 1. run-pjconf.sh against the reference (shard 1/2)"
mkdir "$work/shell"
(cd "$work/shell" && timed env PJCONF_PIP_SPEC="$repo" PJCONF_SHARD=1/2 PJCONF_SEED=templates \
  PJCONF_ARGS="$FEWER" \
  sh "$repo/ci/templates/run-pjconf.sh")
for ext in json xml html md; do test -s "$work/shell/pjconf-reports/pjconf-shard-1-of-2.$ext"; done
echo "== 1b. run-pjconf.sh passes a failing run's exit status on (a stale expectation: 1)"
printf '%s\n' '{"format": "pjconf/expectations/v1", "implementations": {"pjconf-reference":' \
  '{"known_failures": {"uri/99999": "no such case"}}}}' > "$work/shell/stale.json"
(cd "$work/shell" && expect_status 1 env PJCONF_PIP_SPEC="$repo" \
  PJCONF_EXPECTATIONS=stale.json PJCONF_ARGS="--family uri --no-variants" \
  sh "$repo/ci/templates/run-pjconf.sh")

echo "== 2. gitlab-ci.yml: pjconf (parallel: 2), then pjconf-merge"
mkdir "$work/gitlab"
printf '%s\n' '{"format": "pjconf/expectations/v1", "implementations": {"pjconf-reference": {}}}' \
  > "$work/gitlab/pjconf-expectations.json"
timed local_ci gitlab ci/templates/gitlab-ci.yml --workdir "$work/gitlab" \
  --var PJCONF_PIP_SPEC="$repo" --var PJCONF_IMPL=reference \
  --var PJCONF_ARGS="$FEWER" --var PJCONF_MIN_VERIFIED=60
head -n 20 "$work/gitlab/pjconf-merged/pjconf.md"

temp="$work/runner-temp"  # one $RUNNER_TEMP, as for the steps of one job: installs are reused
echo "== 3. action.yml, the reference"
timed local_ci action --workdir "$work/action-reference" --runner-temp "$temp" \
  --input python-version= --input args="$FEWER"

echo "== 3b. ci/github-actions.yml by hand: two shards of one seed, download-artifact, merge"
for shard in 1/2 2/2; do
  dir="$work/action-shard-${shard%/*}"
  timed local_ci action --workdir "$dir" --runner-temp "$temp" --outputs "$dir.outputs" \
    --input python-version= --input shard="$shard" --input seed=templates \
    --input args="$FEWER"
  name=$(sed -n 's/^artifact-name=//p' "$dir.outputs")
  mkdir -p "$work/action-merge/pjconf-shards/$name"
  cp "$dir"/pjconf-reports/* "$work/action-merge/pjconf-shards/$name/"
done
ls "$work/action-merge/pjconf-shards"
timed local_ci action --workdir "$work/action-merge" --runner-temp "$temp" \
  --input python-version= --input merge=pjconf-shards --input min-verified=60

echo "== 3c. action.yml, rust-payjoin 1.0 with its expectations, under --profile payjoin-1.0"
# One profile and no sessions family here: ci/run-rust-payjoin-corpus.sh runs every version's
# whole corpus under both profiles; this run checks the action's impl, profile, args and
# expectations inputs end to end (the sessions family alone takes ~45 s of container restarts).
if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  for profile in payjoin-1.0; do
    timed local_ci action --workdir "$work/action-rust-$profile" --runner-temp "$temp" \
      --input python-version= --input impl="docker:$IMAGE" --input profile="$profile" \
      --input args="--exclude-family sessions" \
      --input expectations="$repo/ci/expectations/rust-payjoin-1.0.0.json"
  done
elif [ "${CI:-}" = true ]; then
  echo "FAIL: no Docker image $IMAGE (ci/build-rust-payjoin.sh builds it)"
  exit 1
else
  echo "SKIP: no Docker image $IMAGE (ci/build-rust-payjoin.sh builds it)"
fi
echo "== CI templates: ok"
