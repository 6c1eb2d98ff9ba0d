#!/usr/bin/env bash
# The directory family (pjconf run --directory, docs/directory.md "Conformance") against
# `pjconf directory serve` started as a process, as a user points it at payjoin-mailroom.
# Reports in pjconf-reports/directory.{json,xml}. About 5 s on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
PJCONF=${PJCONF:-.venv/bin/pjconf}
mkdir -p pjconf-reports
out=$(mktemp)
"$PJCONF" directory serve --log-format text >"$out" 2>pjconf-reports/directory-serve.log &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do
  grep -q '^listening ' "$out" && break
  kill -0 "$server" 2>/dev/null || { echo "FAIL: pjconf directory serve did not start"; exit 1; }
  sleep 0.1
done
url=$(awk '/^listening /{print $2}' "$out")
[ -n "$url" ] || { echo "FAIL: pjconf directory serve printed no listening line"; exit 1; }
"$PJCONF" run --directory "$url" --quiet \
  --json pjconf-reports/directory.json --junit pjconf-reports/directory.xml
