#!/usr/bin/env bash
# `case show` with every action's gate and the priority, on a SQLite docket of CASES synthetic
# cases under the shipped 2021 priority policy and the custody-restraint gate policy: the
# latency through the application layer (read folded, the statutory gates, the agency gate and
# the priority answered by Cedar, the read's ledger leaves committed and synced) over random
# cases, then whole-docket `evaluate`, worklists and a `policy diff` for scale.
#
#   bench/case_show.sh [CASES] [READS]
#
# CASES defaults to 1000000, READS to 2000. Work files go to $BENCH_DIR (default
# /tmp/docket-case-show) and are kept, so that a second run with KEEP=1 skips synth and import.
set -euo pipefail
cd "$(dirname "$0")/.."
CASES=${1:-1000000}
READS=${2:-2000}
DIR=${BENCH_DIR:-/tmp/docket-case-show}
cargo build --release -q -p docket
cargo build --release -q -p docket-app --example case_show_latency
DOCKET=$PWD/target/release/docket
LATENCY=$PWD/target/release/examples/case_show_latency
export DOCKET_DATABASE_URL="sqlite://$DIR/docket.db" DOCKET_ACTOR=bench
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "docket $(git rev-parse --short HEAD), $CASES cases"
if [ "${KEEP:-0}" != 1 ]; then
  rm -rf "$DIR" && mkdir -p "$DIR"
  /usr/bin/time -f "synth: %e s" "$DOCKET" synth --cases "$CASES" --seed 1 --as-of 2026-11-01 --out "$DIR/data" >/dev/null
  "$DOCKET" init >/dev/null
  /usr/bin/time -f "import: %e s" "$DOCKET" import --rejects "$DIR/rejects.jsonl" "$DIR/data/persons.csv" "$DIR/data/events.jsonl" | tail -1
  for p in dhs-2021-guidelines custody-restraint; do
    "$DOCKET" policy adopt "crates/docket-policy/policies/$p.cedar" --effective 2026-01-01T00:00:00Z | head -1
  done
fi
echo "database: $(du -h "$DIR/docket.db" | cut -f1)"
# Warm the page cache as a running service would have it, then measure.
"$LATENCY" "$DOCKET_DATABASE_URL" "$CASES" 200 >/dev/null
"$LATENCY" "$DOCKET_DATABASE_URL" "$CASES" "$READS"
# The command line end to end (process start, open, schema check, read, render), 20 runs.
start=$(date +%s.%N)
for i in $(seq 1 20); do "$DOCKET" case show "C$(printf %09d $((i * 48271 % CASES)))" --purpose case_work >/dev/null; done
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" 'BEGIN { printf "docket case show, end to end: %.1f ms a run (mean of 20)\n", (b - a) * 50 }'
/usr/bin/time -f "evaluate: %e s, %M KB peak" "$DOCKET" evaluate --purpose oversight --as-of 2026-11-01T12:00:00Z | head -1
/usr/bin/time -f "worklist blocked: %e s, %M KB peak" "$DOCKET" worklist blocked --purpose case_work --as-of 2026-11-01T12:00:00Z --limit 10 | head -1
/usr/bin/time -f "worklist priority: %e s, %M KB peak" "$DOCKET" worklist priority --purpose case_work --as-of 2026-11-01T12:00:00Z --limit 10 | head -1
/usr/bin/time -f "policy diff 2014 -> 2021: %e s, %M KB peak" "$DOCKET" policy diff crates/docket-policy/policies/dhs-2014-priorities.cedar crates/docket-policy/policies/dhs-2021-guidelines.cedar --purpose oversight --as-of 2026-11-01T12:00:00Z | head -2
