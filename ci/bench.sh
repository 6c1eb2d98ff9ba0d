#!/usr/bin/env bash
# Benchmarks: every operation beside its libsecp256k1 floor, then the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p reports
python -m pytest tests/bench -p no:cacheprovider -p no:xdist --benchmark-only \
  --benchmark-json=reports/bench.json --benchmark-min-rounds=200 --benchmark-sort=name -q "$@"
python -m pjconf.harness.reports.bench reports/bench.json
