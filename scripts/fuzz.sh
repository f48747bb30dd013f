#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) in build-fuzz and runs each for
# SECONDS (default 60) from its seed corpus in fuzz/corpus/NAME. Fails on any crash, leak
# or timeout; a crashing input is left in build-fuzz/artifacts/ to become a regression test.
#   bash scripts/fuzz.sh [SECONDS]        (CI runs 45 s per target; run longer locally)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
bash scripts/install-deps.sh fuzz
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DTRAILD_SANITIZE=address,undefined -DTRAILD_FUZZ=ON -DTRAILD_BUILD_TESTS=OFF -DTRAILD_BUILD_BENCH=OFF >/dev/null
targets=(framer syslog parser config dialect import query ui_url verify)
cmake --build build-fuzz -j "${JOBS:-2}" --target "${targets[@]/%/_fuzz}"
mkdir -p build-fuzz/artifacts
for t in "${targets[@]}"; do
  work="build-fuzz/corpus/$t"
  mkdir -p "$work"
  echo "fuzzing $t for ${seconds}s"
  build-fuzz/fuzz/${t}_fuzz -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix=build-fuzz/artifacts/${t}- "$work" "fuzz/corpus/$t" 2>&1 | tail -n 12
done
echo "fuzz: every target ran ${seconds}s without a crash, leak or timeout"
