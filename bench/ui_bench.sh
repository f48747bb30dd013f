#!/usr/bin/env bash
# How trailctl ui answers on a large trail: makes a synthetic trail of EVENTS events over 30
# days (default 10,000,000, ~4.5 GB; kept in DIR and reused), starts trailctl ui on it, and
# times what the page asks for: the first page, a filter matching many events, one matching
# few, the next page by cursor, and a sort on another field. Prints seconds per request
# (median of 3, warm page cache) and trailctl ui's peak RSS. Build first (scripts/build.sh).
# Usage: bash bench/ui_bench.sh [EVENTS] [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
events="${1:-10000000}"
dir="${2:-/tmp/traild-ui-bench-$events}"
if [ ! -f "$dir/audit.index" ]; then
  rm -rf "$dir"
  build/bench/traild_make_trail "$dir" "$events" --days 30 --users 5000
fi
du -sh "$dir"
log=$(mktemp)
build/trailctl ui "$dir" --listen 127.0.0.1:0 --socket /nonexistent >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q '^open http' "$log" && break; sleep 0.05; done
url=$(sed -n 's/^open //p' "$log")
base=${url%%/?token=*}
token=${url##*token=}
get() { curl -sS -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$base$1"; }
median() { sort -n | sed -n 2p; }
measure() {
  local label=$1 target=$2
  printf '%-58s %s s\n' "$label" "$( (get "$target"; get "$target"; get "$target") | median)"
}
cat "$dir"/*.jsonl > /dev/null  # warm the page cache, as a trail being written is
measure "first page (50, newest first, last 30 days)" "/api/events"
prev=$(curl -sS -H "Authorization: Bearer $token" "$base/api/events" | python3 -c 'import json,sys; print(json.load(sys.stdin)["prev"])')
measure "next page by cursor" "/api/events?before=$prev"
measure "page 100 by offset (--page 100)" "/api/events?page=100"
measure "filter: outcome failure (1 in 7)" "/api/events?outcome=failure"
measure "filter: one user of 5,000 (2,000 events)" "/api/events?actor=user4242"
measure "filter: user and outcome" "/api/events?actor=user4242&outcome=failure"
measure "filter matching nothing (scans the window)" "/api/events?actor=nobody"
measure "sort by entity.target.id (reads the window)" "/api/events?sort=entity.target.id"
measure "last 24 hours, first page" "/api/events?since=24h"
printf '%-58s %s\n' "trailctl ui peak RSS" "$(grep VmHWM /proc/$pid/status | awk '{print $2, $3}')"
