#!/usr/bin/env bash
# Import throughput of `docket import` beside the databases' own bulk loaders (the ceiling)
# for the same rows, on SQLite and PostgreSQL; and peak memory of `docket synth`.
#
#   bench/import.sh [CASES] [SYNTH_MEMORY_CASES]
#
# CASES defaults to 1000000. SYNTH_MEMORY_CASES (default 0: skipped) runs `docket synth` at
# that size under /usr/bin/time to record its peak memory; 10000000 writes about 22 GB.
# Needs: sqlite3 and psql clients, PostgreSQL at $PGURL_ADMIN (default
# postgres://postgres@127.0.0.1:5432/test). Work files go to $BENCH_DIR (default
# /tmp/docket-bench) and are removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
CASES=${1:-1000000}
SYNTH_MEMORY_CASES=${2:-0}
DIR=${BENCH_DIR:-/tmp/docket-bench}
ADMIN=${PGURL_ADMIN:-postgres://postgres@127.0.0.1:5432/test}
BASE=${ADMIN%/*}
PGDB=docket_bench_$$
rm -rf "$DIR" && mkdir -p "$DIR"
trap 'psql "$ADMIN" -qc "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true; psql "$ADMIN" -qc "DROP DATABASE IF EXISTS ${PGDB}_ceiling" >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT

cargo build --release -q -p docket
DOCKET=$PWD/target/release/docket
CEILING_BIN=$(cargo bench -q -p docket --bench sqlite_ceiling --no-run --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*sqlite_ceiling[^"]*\)".*/\1/p' | tail -n1)
now() { date +%s.%N; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "docket $(git rev-parse --short HEAD), $CASES cases"

t0=$(now)
"$DOCKET" synth --cases "$CASES" --seed 1 --as-of 2026-11-01 --out "$DIR/data" >/dev/null
t1=$(now)
EVENTS=$(wc -l < "$DIR/data/events.jsonl")
echo "synth: $EVENTS events in $(secs "$t0" "$t1") s"

# --- SQLite: docket import ---------------------------------------------------------------
DB="$DIR/docket.db"
"$DOCKET" --db "sqlite://$DB" init >/dev/null
t0=$(now); "$DOCKET" --db "sqlite://$DB" import "$DIR/data/persons.csv" >/dev/null; t1=$(now)
echo "sqlite docket import persons: $CASES in $(secs "$t0" "$t1") s"
t0=$(now); "$DOCKET" --db "sqlite://$DB" import "$DIR/data/events.jsonl" >/dev/null; t1=$(now)
S_DOCKET=$(secs "$t0" "$t1")
echo "sqlite docket import events: $EVENTS in $S_DOCKET s = $(rate "$EVENTS" "$S_DOCKET") events/s"

# The audit ledger: verify recomputes every leaf from its event and the whole tree; one
# inclusion proof against the latest checkpoint (whole process, including opening the file).
t0=$(now); "$DOCKET" --db "sqlite://$DB" ledger verify >/dev/null; t1=$(now)
echo "sqlite ledger verify: $EVENTS leaves in $(secs "$t0" "$t1") s"
EID=$(sqlite3 "$DB" "SELECT event_id FROM events WHERE position = $((EVENTS / 2))")
t0=$(now); for _ in $(seq 20); do "$DOCKET" --db "sqlite://$DB" ledger prove "$EID" >/dev/null; done; t1=$(now)
echo "sqlite ledger prove (one event of $EVENTS, whole process): $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 / 20 }') ms"

# The same rows, as the database stores them, for the bulk loaders.
sqlite3 -csv "$DB" "SELECT * FROM events ORDER BY position" > "$DIR/events.csv"
sqlite3 -csv "$DB" "SELECT * FROM case_projection" > "$DIR/projection.csv"
rm -f "$DB" "$DB-wal" "$DB-shm"

# --- SQLite ceiling: the sqlite3 shell's .import (a prepared-statement loop in one
# transaction) into the same schema, with the same pragmas -------------------------------
CEIL="$DIR/ceiling.db"
"$DOCKET" --db "sqlite://$CEIL" init >/dev/null
t0=$(now)
sqlite3 "$CEIL" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
PRAGMA cache_size=-262144;
PRAGMA wal_autocheckpoint=16384;
.mode csv
.import $DIR/events.csv events
.import $DIR/projection.csv case_projection
SQL
t1=$(now)
S_CEIL=$(secs "$t0" "$t1")
echo "sqlite ceiling (sqlite3 .import, events + projections): $EVENTS in $S_CEIL s = $(rate "$EVENTS" "$S_CEIL") events/s"
rm -f "$CEIL" "$CEIL-wal" "$CEIL-shm"

# --- SQLite ceiling 2: a prepared-statement loop in Rust, same transaction size ------------
"$DOCKET" --db "sqlite://$CEIL" init >/dev/null
t0=$(now)
"$CEILING_BIN" "$CEIL" "$DIR/events.csv" "$DIR/projection.csv" >/dev/null
t1=$(now)
S_CEIL2=$(secs "$t0" "$t1")
echo "sqlite ceiling (prepared-statement loop, events + projections): $EVENTS in $S_CEIL2 s = $(rate "$EVENTS" "$S_CEIL2") events/s"
rm -f "$CEIL" "$CEIL-wal" "$CEIL-shm"

# --- PostgreSQL: docket import ---------------------------------------------------------
psql "$ADMIN" -qc "CREATE DATABASE $PGDB" >/dev/null
PG="$BASE/$PGDB"
# The key (and the checkpoints kept beside it) in the work directory, not the checkout's.
PGKEY="$DIR/pg.ledger-key"
"$DOCKET" --db "$PG" --ledger-key "$PGKEY" init >/dev/null
t0=$(now); "$DOCKET" --db "$PG" --ledger-key "$PGKEY" import "$DIR/data/persons.csv" >/dev/null; t1=$(now)
echo "postgres docket import persons: $CASES in $(secs "$t0" "$t1") s"
t0=$(now); "$DOCKET" --db "$PG" --ledger-key "$PGKEY" import "$DIR/data/events.jsonl" >/dev/null; t1=$(now)
P_DOCKET=$(secs "$t0" "$t1")
echo "postgres docket import events: $EVENTS in $P_DOCKET s = $(rate "$EVENTS" "$P_DOCKET") events/s"
psql "$ADMIN" -qc "DROP DATABASE $PGDB" >/dev/null

# --- PostgreSQL ceiling: COPY of the same rows into the same schema ----------------------
psql "$ADMIN" -qc "CREATE DATABASE ${PGDB}_ceiling" >/dev/null
PGC="$BASE/${PGDB}_ceiling"
"$DOCKET" --db "$PGC" --ledger-key "$DIR/pgc.ledger-key" init >/dev/null
t0=$(now)
psql "$PGC" -q <<SQL
\copy events FROM '$DIR/events.csv' CSV
\copy case_projection FROM '$DIR/projection.csv' CSV
SQL
t1=$(now)
P_CEIL=$(secs "$t0" "$t1")
echo "postgres ceiling (COPY, events + projections): $EVENTS in $P_CEIL s = $(rate "$EVENTS" "$P_CEIL") events/s"

if [ "$SYNTH_MEMORY_CASES" != 0 ]; then
  /usr/bin/time -f "synth $SYNTH_MEMORY_CASES cases: %e s, peak RSS %M KB" \
    "$DOCKET" synth --cases "$SYNTH_MEMORY_CASES" --seed 1 --as-of 2026-11-01 --out "$DIR/big" >/dev/null
  du -sh "$DIR/big"
  rm -rf "$DIR/big"
fi
