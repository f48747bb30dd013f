#!/usr/bin/env bash
# Runs the load generator over the matrix docs/performance.md reports: write and fsync
# durability, 1 and 8 pipelining connections; then the floor (traild_floor), the bare
# read-validate-write loop on the same events, with and without SHA-256 per line, which the
# daemon's figures are read against. Build first (scripts/build.sh).
# Usage: bash bench/run.sh [EVENTS]   (default 2,000,000 per case)
set -euo pipefail
cd "$(dirname "$0")/.."
events="${1:-2000000}"
for durability in write fsync; do
  for connections in 1 8; do
    build/bench/traild_loadgen --traild build/traild --durability "$durability" \
      --connections "$connections" --events "$events"
  done
done
build/bench/traild_floor --events "$events"
