#!/usr/bin/env bash
# Builds everything and runs the whole test suite (unit and integration) with ctest.
# In CI (CI=true), or with TRAILD_FULL_TESTS=1, it first also runs the suite under
# ASan+UBSan and under TSan and each libFuzzer target for 45 s (about 20 more minutes on
# two cores); the plain suite's summary comes last.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
if [ "${CI:-}" = true ] || [ "${TRAILD_FULL_TESTS:-}" = 1 ]; then
  bash scripts/sanitize.sh address
  bash scripts/sanitize.sh thread
  bash scripts/fuzz.sh 45
fi
cd build
ctest --output-on-failure -j "${JOBS:-2}" --timeout 600
