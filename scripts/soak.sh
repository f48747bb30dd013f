#!/usr/bin/env bash
# Soak mode (not part of the test suite's default run): rounds of acknowledged events with
# datagram noise, each ended by kill -9 right after a rotation, a retention deletion, a
# digest write, during a reload or at a random instant, for SECONDS (default 600); then
# checks that every acknowledged event is in the trail exactly once and that trailctl
# verify accepts it. The seed is printed to replay a failure's schedule.
#   bash scripts/soak.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
bash scripts/build.sh
TRAILD_SOAK_SECONDS="$seconds" build/tests/integration_tests --gtest_filter='Soak.*'
