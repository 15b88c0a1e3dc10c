#!/usr/bin/env bash
# The persons import of two commits, alternated in one run on the same machine, on SQLite and
# PostgreSQL: what storing persons costs now, measured beside the commit before.
#
#   bench/persons.sh BASE_COMMIT [PERSONS] [ROUNDS]
#
# BASE_COMMIT is checked out in a worktree under target/persons-base and built there, in its
# own target directory; the other side is this checkout as it is (release builds of both).
# This checkout's `docket synth --cases PERSONS --seed 1 --as-of 2026-11-01` writes the
# persons file (one person per case; PERSONS defaults to 1000000), which both builds import.
# Each of ROUNDS rounds (default 2) imports it with the base, then with this checkout, into a
# fresh SQLite database (`sync` first), then the same into a fresh PostgreSQL database; every
# database is created with `docket init` of the build that imports into it. /usr/bin/time
# gives wall, user and system time and peak memory; `uptime` before each run gives the load,
# since other work may share the machine (both sides see the same load by alternating).
# After the first round the two builds' SQLite `persons` tables are compared row for row.
# Needs: sqlite3 and psql clients, PostgreSQL at $PGURL_ADMIN (default
# postgres://postgres@127.0.0.1:5432/test). Work files go to $BENCH_DIR (default
# /tmp/docket-persons) and are removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
HEAD_DIR=$PWD
BASE_COMMIT=${1:?usage: bench/persons.sh BASE_COMMIT [PERSONS] [ROUNDS]}
PERSONS=${2:-1000000}
ROUNDS=${3:-2}
BASE_DIR=$HEAD_DIR/target/persons-base
DIR=${BENCH_DIR:-/tmp/docket-persons}
ADMIN=${PGURL_ADMIN:-postgres://postgres@127.0.0.1:5432/test}
PGBASE=${ADMIN%/*}
PGDB=docket_persons_$$
export PGOPTIONS="-c client_min_messages=warning"
rm -rf "$DIR" && mkdir -p "$DIR"
trap 'psql "$ADMIN" -qc "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT

if [ ! -d "$BASE_DIR" ]; then git worktree add -f -q --detach "$BASE_DIR" "$BASE_COMMIT"; fi
git -C "$BASE_DIR" checkout -q --detach "$BASE_COMMIT"
(cd "$BASE_DIR" && CARGO_TARGET_DIR=$BASE_DIR/target cargo build --release -q -p docket)
cargo build --release -q -p docket
BASE_BIN=$BASE_DIR/target/release/docket
HEAD_BIN=$HEAD_DIR/target/release/docket
BASE_REV=$(git -C "$BASE_DIR" rev-parse --short HEAD)
HEAD_REV=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates || echo "+changes")

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(lscpu | sed -n 's/^Model name: *//p' | head -n1); $(date -u)"
echo "base $BASE_REV, head $HEAD_REV, $PERSONS persons, $ROUNDS rounds"
"$HEAD_BIN" synth --cases "$PERSONS" --seed 1 --as-of 2026-11-01 --out "$DIR/data" >/dev/null
rm -f "$DIR/data/events.jsonl"
echo "persons file: $(($(wc -l < "$DIR/data/persons.csv") - 1)) rows, $(du -h "$DIR/data/persons.csv" | cut -f1)"

# run SIDE BACKEND ROUND URL: imports the persons file with SIDE's build into the database at
# URL (already initialized) and prints one line of figures.
run() {
  local side=$1 backend=$2 round=$3 url=$4 bin
  if [ "$side" = base ]; then bin=$BASE_BIN; else bin=$HEAD_BIN; fi
  local load
  rm -f "$DIR/rejects-$side.jsonl"
  load=$(uptime | sed 's/.*load average: //')
  # In the run's own directory: PostgreSQL's ledger key and checkpoints default to the
  # working directory's docket-ledger.key and docket-ledger.checkpoints.
  (cd "$DIR/run" && /usr/bin/time -o "$DIR/time" -f "%e %U %S %M" \
    "$bin" --db "$url" --actor bench import --rejects "$DIR/rejects-$side.jsonl" "$DIR/data/persons.csv" >/dev/null)
  read -r wall user sys peak < "$DIR/time"
  printf "round %s %-8s %-4s wall %6.1f s  user %6.1f s  sys %5.1f s  peak %5d MB  rejects %s  load before: %s\n" \
    "$round" "$backend" "$side" "$wall" "$user" "$sys" $((peak / 1024)) \
    "$(cat "$DIR/rejects-$side.jsonl" 2>/dev/null | wc -l)" "$load"
}

for round in $(seq "$ROUNDS"); do
  for side in base head; do
    if [ "$side" = base ]; then bin=$BASE_BIN; else bin=$HEAD_BIN; fi
    DB="$DIR/$side.db"
    rm -f "$DB" "$DB-wal" "$DB-shm"
    rm -rf "$DIR/run" "$DB".* && mkdir "$DIR/run"
    "$bin" --db "sqlite://$DB" init >/dev/null
    sync
    run "$side" sqlite "$round" "sqlite://$DB"
  done
  if [ "$round" = 1 ]; then
    for side in base head; do
      sqlite3 "$DIR/$side.db" "SELECT * FROM persons ORDER BY person_id" | sha256sum | cut -c1-16 > "$DIR/persons-$side"
    done
    if cmp -s "$DIR/persons-base" "$DIR/persons-head"; then
      echo "sqlite persons tables: the same rows ($(cat "$DIR/persons-head"))"
    else
      echo "sqlite persons tables DIFFER"
    fi
  fi
  rm -f "$DIR"/*.db "$DIR"/*.db-wal "$DIR"/*.db-shm
  for side in base head; do
    if [ "$side" = base ]; then bin=$BASE_BIN; else bin=$HEAD_BIN; fi
    psql "$ADMIN" -qc "DROP DATABASE IF EXISTS $PGDB" >/dev/null
    psql "$ADMIN" -qc "CREATE DATABASE $PGDB" >/dev/null
    rm -rf "$DIR/run" && mkdir "$DIR/run"
    (cd "$DIR/run" && "$bin" --db "$PGBASE/$PGDB" init >/dev/null)
    run "$side" postgres "$round" "$PGBASE/$PGDB"
  done
  psql "$ADMIN" -qc "DROP DATABASE IF EXISTS $PGDB" >/dev/null
done
