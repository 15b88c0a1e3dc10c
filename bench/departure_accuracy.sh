#!/usr/bin/env bash
# Decision accuracy of the departure feed end to end (issue 22): a synthetic docket and a day
# of departures, imported, fitted and ingested as an operator would, then measured against the
# generator's truth by bench/departure_accuracy.py.
#
#   bench/departure_accuracy.sh SEED [VARIANT] [INGEST OPTIONS...]
#
# SEED: synth seed; VARIANT: `--departures-variant` (default `default`). CASES (default
# 1000000) and DEPARTURES (default 350000) from the environment. Work files go to
# $BENCH_DIR/s$SEED-$VARIANT (default /tmp/docket-acc); the database after import is kept as
# import.db and after fit as fit.db, so that `INGEST_ONLY=1` reruns only the ingest (on a copy
# of fit.db) with other ingest options, e.g. `--review-floor 0.2`; `IMPORT_DB=PATH` takes the
# same seed's import.db instead of importing again (a variant changes the departures only;
# the script checks that the docket files are the same); `REUSE_DATA=1` keeps the files synth
# wrote before. Wall times by /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
SEED=${1:?seed}
VARIANT=${2:-default}
shift $(( $# >= 2 ? 2 : 1 ))
CASES=${CASES:-1000000}
DEPARTURES=${DEPARTURES:-350000}
AS_OF=${AS_OF:-2026-11-01}
W=${BENCH_DIR:-/tmp/docket-acc}/s$SEED-$VARIANT
DOCKET=${DOCKET:-$PWD/target/release/docket}
mkdir -p "$W"
# One ledger key and checkpoint directory for every copy of the database.
SIGN=(--ledger-key "$W/ledger.key" --checkpoint-dir "$W/checkpoints")
timed() { local what=$1; shift; /usr/bin/time -f "$what wall %e s, user %U s, sys %S s, peak RSS %M KB" -a -o "$W/times.txt" "$@"; }

# Who imports, fits and ingests, for the ledger.
export DOCKET_ACTOR=${DOCKET_ACTOR:-analyst.one}

if [ "${INGEST_ONLY:-0}" != 1 ]; then
  rm -rf "$W"/*.db "$W"/*.db-* "$W/ledger.key" "$W/checkpoints"
  if [ "${REUSE_DATA:-0}" != 1 ] || [ ! -s "$W/synth.json" ]; then
    rm -f "$W/times.txt"
    timed synth "$DOCKET" --json synth --cases "$CASES" --seed "$SEED" --as-of "$AS_OF" \
      --departures "$DEPARTURES" --departures-variant "$VARIANT" --out "$W/data" > "$W/synth.json"
  fi
  if [ -n "${IMPORT_DB:-}" ]; then
    # The same seed's docket imported before (the variant changes the departures only).
    cmp "$W/data/persons.csv" "$(dirname "$IMPORT_DB")/data/persons.csv"
    if [ -e "$(dirname "$IMPORT_DB")/data/events.jsonl" ]; then
      cmp "$W/data/events.jsonl" "$(dirname "$IMPORT_DB")/data/events.jsonl"
    fi
    cp "$IMPORT_DB" "$W/import.db"
    cp "$(dirname "$IMPORT_DB")/ledger.key" "$W/ledger.key"
    rm -rf "$W/checkpoints" && cp -r "$(dirname "$IMPORT_DB")/checkpoints" "$W/checkpoints" 2>/dev/null || true
  else
    "$DOCKET" "${SIGN[@]}" --db "sqlite://$W/import.db" init > /dev/null
    timed import "$DOCKET" "${SIGN[@]}" --db "sqlite://$W/import.db" --json import --rejects "$W/rejects.jsonl" \
      "$W/data/persons.csv" "$W/data/events.jsonl" > "$W/import.json"
  fi
  cp "$W/import.db" "$W/fit.db"
  timed fit "$DOCKET" "${SIGN[@]}" --db "sqlite://$W/fit.db" --json departures fit \
    "$W/data/departures.jsonl" > "$W/fit.json"
fi
TAG=${TAG:-run}
cp "$W/fit.db" "$W/ingest-$TAG.db"
timed "ingest $TAG $*" "$DOCKET" "${SIGN[@]}" --db "sqlite://$W/ingest-$TAG.db" --json departures ingest "$W/data/departures.jsonl" \
  --proposals-out "$W/proposals-$TAG.tsv" --indexed-out "$W/indexed-$TAG.txt" "$@" > "$W/ingest-$TAG.json"
rm -f "$W/ingest-$TAG.db" "$W/ingest-$TAG.db"-*
python3 bench/departure_accuracy.py --label "seed $SEED, $VARIANT, $TAG $*" --ingest "$W/ingest-$TAG.json" \
  --truth "$W/data/departures-truth.csv" --proposals "$W/proposals-$TAG.tsv" --indexed "$W/indexed-$TAG.txt" \
  | tee "$W/accuracy-$TAG.txt"
python3 bench/departure_accuracy.py --label "seed $SEED, $VARIANT, $TAG $*" --ingest "$W/ingest-$TAG.json" \
  --truth "$W/data/departures-truth.csv" --proposals "$W/proposals-$TAG.tsv" --indexed "$W/indexed-$TAG.txt" \
  --json > "$W/accuracy-$TAG.json"
cat "$W/times.txt"
