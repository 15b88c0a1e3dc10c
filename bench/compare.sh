#!/usr/bin/env bash
# Import and linkage of two commits, alternated in one run on the same machine: what a
# change costs, measured beside the commit before it.
#
#   bench/compare.sh BASE_COMMIT [CASES] [ROUNDS]
#
# BASE_COMMIT is checked out in a worktree under target/compare-base (built there, in its
# own target directory); the other side is this checkout as it is. Each round runs
# bench/import.sh CASES (default 1000000) for the base, then for this checkout; then
# `docket link` of each build, alternated ROUNDS times (default 2), on the same files: the
# manifest data of `docket link-data --kind manifest --seed 7` and FEBRL4, scored with
# --truth, and the two builds' links.csv compared byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."
HEAD_DIR=$PWD
BASE_COMMIT=${1:?usage: bench/compare.sh BASE_COMMIT [CASES] [ROUNDS]}
CASES=${2:-1000000}
ROUNDS=${3:-2}
BASE_DIR=$HEAD_DIR/target/compare-base
if [ ! -d "$BASE_DIR" ]; then git worktree add -f -q "$BASE_DIR" "$BASE_COMMIT"; fi
git -C "$BASE_DIR" checkout -q "$BASE_COMMIT"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u)"
for round in $(seq "$ROUNDS"); do
  echo "=== import round $round: base $(git -C "$BASE_DIR" rev-parse --short HEAD)"
  (cd "$BASE_DIR" && CARGO_TARGET_DIR=$BASE_DIR/target BENCH_DIR=/tmp/docket-compare-base bash bench/import.sh "$CASES")
  echo "=== import round $round: this checkout $(git rev-parse --short HEAD)"
  (BENCH_DIR=/tmp/docket-compare-head bash bench/import.sh "$CASES")
done
M=/tmp/docket-compare-manifest
[ -f $M/a.csv ] || "$HEAD_DIR/target/release/docket" link-data --kind manifest --seed 7 --out $M >/dev/null
F=$HEAD_DIR/crates/docket-link/tests/data/febrl4
S=$HEAD_DIR/crates/docket-link/settings
for round in $(seq "$ROUNDS"); do
  for side in base head; do
    if [ $side = base ]; then BIN=$BASE_DIR/target/release/docket; else BIN=$HEAD_DIR/target/release/docket; fi
    /usr/bin/time -f "$side round $round manifest seed 7: %e s wall, peak %M KB" \
      "$BIN" link --settings $S/persons.toml $M/a.csv $M/b.csv --truth $M/truth.csv --out /tmp/docket-compare-$side.csv 2>&1 | grep -E "F1|wall"
    /usr/bin/time -f "$side round $round febrl4: %e s wall, peak %M KB" \
      "$BIN" link --settings $S/febrl-link.toml $F/febrl4_a.csv $F/febrl4_b.csv --truth $F/febrl4_links.csv \
      --out /tmp/docket-compare-f-$side.csv 2>&1 | grep -E "F1|wall"
  done
done
cmp /tmp/docket-compare-base.csv /tmp/docket-compare-head.csv && echo "manifest links.csv: byte for byte the same"
cmp /tmp/docket-compare-f-base.csv /tmp/docket-compare-f-head.csv && echo "febrl4 links.csv: byte for byte the same"
rm -rf $M /tmp/docket-compare-*.csv
