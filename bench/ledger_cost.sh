#!/usr/bin/env bash
# What the audit ledger costs `docket import`: the same events imported by the same code with
# the ledger on (the normal build) and off (a build with `--cfg docket_bench_ledger_off`, which
# writes no leaves, no tree nodes and no leaf index, and hashes nothing), alternately, into a
# fresh database each time, on SQLite and on PostgreSQL.
#
#   bench/ledger_cost.sh [CASES] [RUNS]
#
# CASES defaults to 300000 (about 2.2 million events), RUNS (per build and database) to 5.
# Needs PostgreSQL at $PGURL_ADMIN (default postgres://postgres@127.0.0.1:5432/test). Work
# files go to $BENCH_DIR (default /tmp/docket-ledger-cost) and are removed at the end. The
# ledger-off build goes to target/bench-ledger-off; it is for this measurement only (its
# databases fail `docket ledger verify`, as they should).
set -euo pipefail
cd "$(dirname "$0")/.."
CASES=${1:-300000}
RUNS=${2:-5}
DIR=${BENCH_DIR:-/tmp/docket-ledger-cost}
ADMIN=${PGURL_ADMIN:-postgres://postgres@127.0.0.1:5432/test}
BASE=${ADMIN%/*}
PGDB=docket_ledger_cost_$$
rm -rf "$DIR" && mkdir -p "$DIR"
trap 'psql "$ADMIN" -qc "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT

cargo build --release -q -p docket
RUSTFLAGS="--cfg docket_bench_ledger_off" cargo build --release -q -p docket --target-dir target/bench-ledger-off
ON=$PWD/target/release/docket
OFF=$PWD/target/bench-ledger-off/release/docket

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "docket $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates || echo ' (with uncommitted changes)'), $CASES cases, $RUNS runs per build and database"
"$ON" synth --cases "$CASES" --seed 1 --as-of 2026-11-01 --out "$DIR/data" >/dev/null
EVENTS=$(wc -l < "$DIR/data/events.jsonl")
echo "events: $EVENTS"

# One import of the events into a fresh database; prints "wall user+sys" seconds.
import_once() {
  local bin=$1 url=$2
  "$bin" --db "$url" --ledger-key "$DIR/key" init >/dev/null
  "$bin" --db "$url" --ledger-key "$DIR/key" import "$DIR/data/persons.csv" >/dev/null
  /usr/bin/time -f "%e %U %S" -o "$DIR/time" "$bin" --db "$url" --ledger-key "$DIR/key" import "$DIR/data/events.jsonl" >/dev/null
  awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$DIR/time"
}

fresh_sqlite() { rm -f "$DIR/db" "$DIR/db-wal" "$DIR/db-shm" "$DIR/key"; echo "sqlite://$DIR/db"; }
fresh_postgres() {
  rm -f "$DIR/key"
  psql "$ADMIN" -qc "DROP DATABASE IF EXISTS $PGDB" >/dev/null
  psql "$ADMIN" -qc "CREATE DATABASE $PGDB" >/dev/null
  echo "$BASE/$PGDB"
}

for database in sqlite postgres; do
  : > "$DIR/on"; : > "$DIR/off"
  for run in $(seq "$RUNS"); do
    for build in on off; do
      bin=$ON; [ "$build" = off ] && bin=$OFF
      url=$("fresh_$database")
      read -r wall cpu < <(import_once "$bin" "$url")
      echo "$wall $cpu" >> "$DIR/$build"
      echo "$database run $run ledger $build: $wall s wall, $cpu s CPU ($(awk -v n="$EVENTS" -v s="$wall" 'BEGIN { printf "%.0f", n / s }') events/s)"
    done
  done
  # Means, and the median of the cost measured within each pair of runs (on, then off, one
  # after the other), which drifts of the machine's speed between pairs do not move.
  MEDIAN=$(paste "$DIR/on" "$DIR/off" | awk '{ print ($1 - $3) * 100 / $3 }' | sort -g \
    | awk '{ r[NR] = $1 } END { print (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2 }')
  paste "$DIR/on" "$DIR/off" | awk -v db="$database" -v med="$MEDIAN" '
    { won += $1; con += $2; woff += $3; coff += $4; n++ }
    END {
      printf "%s: ledger on %.2f s wall (%.2f s CPU), off %.2f s wall (%.2f s CPU), means of %d runs: the ledger costs %.1f %% of wall time (median of the pairs %.1f %%), %.1f %% of CPU time\n",
        db, won / n, con / n, woff / n, coff / n, n, (won - woff) * 100 / woff, med, (con - coff) * 100 / coff
    }'
done
