#!/usr/bin/env bash
# Builds everything and runs the whole test suite (unit and integration) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ctest --output-on-failure -j "${JOBS:-2}" --timeout 600
