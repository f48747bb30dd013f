#!/usr/bin/env bash
# Runs the load generator over the matrix docs/performance.md reports: write and fsync
# durability, 1 and 8 pipelining connections. Build first (scripts/build.sh).
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
