#!/usr/bin/env bash
# Builds and runs the whole test suite under a sanitizer: `address` (ASan+UBSan, in
# build-asan) or `thread` (TSan, in build-tsan). Any report fails the run.
#   bash scripts/sanitize.sh address|thread
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:?usage: sanitize.sh address|thread}"
case "$kind" in
  address) dir=build-asan; flags=address,undefined ;;
  thread) dir=build-tsan; flags=thread ;;
  *) echo "sanitize.sh: expected address or thread, got $kind" >&2; exit 2 ;;
esac
bash scripts/install-deps.sh fuzz
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DTRAILD_SANITIZE="$flags" -DTRAILD_BUILD_BENCH=OFF >/dev/null
cmake --build "$dir" -j "${JOBS:-2}"
# Every process the tests start (traild, trailctl, the test binaries) writes its reports to
# one directory, so a report from a daemon whose test still passed fails the run too.
reports="$PWD/$dir/sanitizer-reports"
rm -rf "$reports" && mkdir -p "$reports"
# ASan keeps freed memory in a quarantine of up to 256 MiB by default, and it counts in
# VmRSS/VmHWM: the tests' memory bounds would measure the quarantine, not traild (CI saw
# DiskFull's HWM at 216 MiB under ASan, 18 MiB without). 16 MiB still catches a use of
# memory freed in the last several thousand allocations.
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:quarantine_size_mb=16:log_path=$reports/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$reports/tsan"
status=0
(cd "$dir" && ctest --output-on-failure -j "${JOBS:-2}" --timeout 900) || status=$?
if compgen -G "$reports/*" >/dev/null; then
  echo "sanitizer reports ($kind):"
  cat "$reports"/*
  exit 1
fi
echo "$kind sanitizer: no reports"
exit "$status"
