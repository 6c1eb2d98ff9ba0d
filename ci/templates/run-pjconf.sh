#!/bin/sh
# pjconf in any CI: install a pinned pjconf into its own virtualenv, run the corpus against your
# adapter, write JSON, JUnit, HTML and Markdown reports, and exit with pjconf's status (0 ok,
# 1 conformance failures, 2 could not run). Plain POSIX sh; the only prerequisite is Python 3.11+.
#
#   PJCONF_IMPL=cmd:./target/release/my-adapter sh run-pjconf.sh
#
# Variables (all optional but PJCONF_PIP_SPEC outside a pjconf checkout):
#   PJCONF_PIP_SPEC            what pip installs: pin a release, e.g.
#                              'pjconf @ git+https://github.com/OWNER/pjconf@v0.1.0'
#                              (default: the pjconf checkout this script sits in, if it does)
#   PJCONF_IMPL                reference | cmd:<adapter command line> | docker:<image>  (reference)
#                              (for docker:<image>, pin pjconf with its extra: 'pjconf[docker] @ ...')
#   PJCONF_EXPECTATIONS        expectations file with your known failures           (none)
#   PJCONF_PROFILE             bip77 (the specifications) | payjoin-1.0 (also payjoin
#                              1.0's choices, kinds and reasons)                    (bip77)
#   PJCONF_STRICT_EXPECTATIONS true: a known failure that now passes fails the run  (true)
#   PJCONF_SHARD               i/n, for a CI matrix; merge the shards' JSON with
#                              'pjconf report merge' in a later job                   (whole corpus)
#   PJCONF_SEED                seed of the fresh variants; the same for every shard  (random)
#   PJCONF_MIN_VERIFIED        percent of the corpus that must verify (not per shard) (none)
#   PJCONF_ARGS                more 'pjconf run' arguments, split on spaces          (none)
#   PJCONF_REPORTS             report directory                          (pjconf-reports)
#   PJCONF_VENV                virtualenv directory                      (.pjconf-venv)
#   PJCONF_PYTHON              the Python that makes the virtualenv      (python3)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${PJCONF_PIP_SPEC:-}" ]; then
  if [ -f "$here/../../pyproject.toml" ] && grep -q '^name = "pjconf"' "$here/../../pyproject.toml"; then
    PJCONF_PIP_SPEC=$(cd "$here/../.." && pwd)
    # The docker client is an extra: only a docker:IMAGE adapter needs it.
    case "${PJCONF_IMPL:-}" in docker:*) PJCONF_PIP_SPEC="$PJCONF_PIP_SPEC[docker]" ;; esac
  else
    echo "run-pjconf.sh: set PJCONF_PIP_SPEC to a pinned pjconf, e.g. 'pjconf @ git+https://github.com/OWNER/pjconf@v0.1.0'" >&2
    exit 2
  fi
fi
impl=${PJCONF_IMPL:-reference}
strict=${PJCONF_STRICT_EXPECTATIONS:-true}
profile=${PJCONF_PROFILE:-bip77}
reports=${PJCONF_REPORTS:-pjconf-reports}
venv=${PJCONF_VENV:-.pjconf-venv}
shard=${PJCONF_SHARD:-}
case "$profile" in
  bip77 | payjoin-1.0) ;;
  *) echo "run-pjconf.sh: PJCONF_PROFILE is '$profile'; use bip77 or payjoin-1.0" >&2; exit 2 ;;
esac
case "$strict" in
  true | false) ;;
  *) echo "run-pjconf.sh: PJCONF_STRICT_EXPECTATIONS is '$strict'; use true or false" >&2; exit 2 ;;
esac
if [ -n "${PJCONF_MIN_VERIFIED:-}" ] && [ -n "$shard" ]; then
  echo "run-pjconf.sh: PJCONF_MIN_VERIFIED with PJCONF_SHARD: a shard verifies only its part; apply it to the merged report ('pjconf report merge --min-verified')" >&2
  exit 2
fi

echo "== installing $PJCONF_PIP_SPEC into $venv"
"${PJCONF_PYTHON:-python3}" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$PJCONF_PIP_SPEC"
"$venv/bin/pjconf" --version

# Reports of a shard are named after it, so the shards' artifacts can sit in one directory.
name=pjconf
[ -n "$shard" ] && name="pjconf-shard-$(echo "$shard" | sed 's|/|-of-|')"
mkdir -p "$reports"
rm -f "$reports/$name.json" "$reports/$name.xml" "$reports/$name.html" "$reports/$name.md"

set -- run --impl "$impl" --profile "$profile" -q \
  --json "$reports/$name.json" --junit "$reports/$name.xml" --html "$reports/$name.html"
[ -n "${PJCONF_EXPECTATIONS:-}" ] && set -- "$@" --expectations "$PJCONF_EXPECTATIONS"
[ "$strict" = true ] && set -- "$@" --strict-expectations
[ -n "$shard" ] && set -- "$@" --shard "$shard"
[ -n "${PJCONF_SEED:-}" ] && set -- "$@" --seed "$PJCONF_SEED"
[ -n "${PJCONF_MIN_VERIFIED:-}" ] && set -- "$@" --min-verified "$PJCONF_MIN_VERIFIED"
# shellcheck disable=SC2086 # PJCONF_ARGS is a list of words on purpose
set -- "$@" ${PJCONF_ARGS:-}

echo "== pjconf $*"
status=0
"$venv/bin/pjconf" "$@" || status=$?
if [ -s "$reports/$name.json" ]; then
  "$venv/bin/pjconf" report summary --markdown "$reports/$name.json" > "$reports/$name.md"
fi
echo "== pjconf exit status $status; reports in $reports/$name.*"
exit "$status"
