#!/usr/bin/env bash
# Record linkage, side by side: every tool on the same two files in the same run, scored against
# the same truth: Splink 5 (DuckDB backend, from PyPI) and `docket link` (built here in
# release mode first).
#
#   bench/link.sh [DATASET...]          (default: febrl4)
#
# A DATASET is
#   NAME            a directory $DOCKET_BENCH_DATA/linkage/NAME
#   PATH            a directory (anything with a slash, or an existing directory)
#   KIND:NAME|PATH  the same, with the Splink settings kind given (febrl or manifest)
# and the directory holds either
#   a.csv, b.csv, truth.csv            the layout of `docket link-data --out DIR`
#                                      (truth header record_id_a,record_id_b), or
#   NAME_a.csv, NAME_b.csv, NAME_links.csv   the FEBRL4 layout (febrl4_links.csv: rec_id_a,rec_id_b).
# Without a KIND the kind is read from a.csv's header: `given_names` means manifest,
# `given_name` with `soc_sec_id` means febrl. A febrl dataset runs both models of Splink's
# FEBRL4 example (`febrl`, `febrl-extended`); see bench/link/splink_link.py.
#
# Each tool is scored at its own label-free threshold (Splink: match probability 0.5) for
# precision, recall and F1, plus the best F1 over all thresholds of its scores. Wall time is
# the whole process (start-up, loading, training, scoring, writing the links); peak memory is
# the maximum resident set size that GNU `/usr/bin/time -v` reports for the process (from
# wait4's rusage: the largest single process of the tree, not a sum).
#
# Writes target/bench-link/results.tsv and results.md (the Markdown table is also printed);
# links and logs of each tool go to target/bench-link/work/.
#
# Environment:
#   DOCKET_BENCH_DATA  data directory (default: ../shared/data from the repository root)
#   BENCH_LINK_OUT     output directory (default: target/bench-link under the repository root)
#   PYTHON             interpreter that creates the virtual environment (default: python3)
#
# The virtual environment target/bench-venv is created on first use and holds the exact
# versions in SPLINK_REQUIREMENTS; it is reinstalled when that list changes.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE=$ROOT/bench/link
DATA=${DOCKET_BENCH_DATA:-$ROOT/../shared/data}
OUT=${BENCH_LINK_OUT:-$ROOT/target/bench-link}
WORK=$OUT/work
VENV=$ROOT/target/bench-venv
VPY=$VENV/bin/python
TSV=$OUT/results.tsv

SPLINK_VERSION=5.0.0
# Splink pinned, and with it the versions of its dependencies that this harness was checked
# with, so that two runs of the benchmark run the same code.
SPLINK_REQUIREMENTS=(splink==$SPLINK_VERSION duckdb==2.0.0 pyarrow==26.0.1 sqlglot==30.30.0)
SPLINK_THRESHOLD=0.5

log() { echo "bench/link: $*" >&2; }
die() { log "$*"; exit 1; }

# --- set-up --------------------------------------------------------------------------------

ensure_time() {
  [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1 && return
  log "installing GNU time (Debian package 'time') for peak memory"
  command -v apt-get >/dev/null || die "/usr/bin/time is missing and there is no apt-get"
  apt-get install -y -q time >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q time >/dev/null; }
}

ensure_venv() {
  local stamp=$VENV/.bench-link-requirements
  if [[ ! -x $VPY ]]; then
    log "creating $VENV"
    "${PYTHON:-python3}" -m venv "$VENV"
  fi
  if [[ ! -f $stamp || $(cat "$stamp") != "${SPLINK_REQUIREMENTS[*]}" ]]; then
    log "installing ${SPLINK_REQUIREMENTS[*]}"
    "$VPY" -m pip install -q --disable-pip-version-check "${SPLINK_REQUIREMENTS[@]}"
    echo "${SPLINK_REQUIREMENTS[*]}" > "$stamp"
  fi
  local got
  got=$("$VPY" -c 'import splink; print(splink.__version__)')
  [[ $got == "$SPLINK_VERSION" ]] || die "splink $got in $VENV, expected $SPLINK_VERSION"
}

# --- measuring -----------------------------------------------------------------------------

# Set by bench_dataset for run_tool: the dataset's name, its two files, truth and row counts.
DATASET= A= B= TRUTH= ROWS_A= ROWS_B=

# run_tool TOOL THRESHOLD LINKS -- CMD...
# Runs CMD (which must write LINKS: id_a,id_b[,match_probability]) under /usr/bin/time -v,
# then scores LINKS against the current dataset's truth at THRESHOLD and appends one row to
# the results TSV. A failing command is recorded as failed and the run goes on.
run_tool() {
  local tool=$1 threshold=$2 links=$3
  shift 3
  [[ ${1:-} == -- ]] && shift
  local slug=${DATASET}.${tool//[^A-Za-z0-9.-]/_}
  local timing=$WORK/$slug.time log=$WORK/$slug.log
  rm -f "$links"
  log "$DATASET: $tool"
  local t0 t1 status=ok
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$timing" "$@" >"$log" 2>&1 || status=failed
  t1=$(date +%s.%N)
  local wall peak_mb
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  peak_mb=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$timing")
  local scores=$threshold$'\t\t\t\t\t\t\t\t'
  if [[ $status == ok && -f $links ]]; then
    scores=$("$VPY" "$HERE/evaluate.py" --links "$links" --truth "$TRUTH" --threshold "$threshold" --tsv)
  else
    status=failed
    log "$tool failed on $DATASET; the end of $log:"
    tail -n 20 "$log" >&2
  fi
  # scores: threshold predicted true tp precision recall f1 best_f1 best_threshold
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$DATASET" "$ROWS_A" "$ROWS_B" \
    "$scores" "$wall" "${peak_mb:-}" "$status" >> "$TSV"
  if [[ $status == ok ]]; then
    log "$tool on $DATASET: $(cut -f5-8 <<<"$scores" | tr '\t' ' ') (precision recall F1 best-F1), $wall s, ${peak_mb} MB"
  fi
}

count_rows() { "$VPY" -c 'import csv, sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))) - 1)' "$1"; }

# --- datasets ------------------------------------------------------------------------------

# bench_dataset NAME KIND A B TRUTH: every tool on one dataset.
bench_dataset() {
  DATASET=$1
  local kind=$2
  A=$3 B=$4 TRUTH=$5
  ROWS_A=$(count_rows "$A") ROWS_B=$(count_rows "$B")
  log "$DATASET ($kind): $ROWS_A x $ROWS_B rows, $(count_rows "$TRUTH") true pairs"

  local id splink_kinds
  case $kind in
    febrl) id=rec_id splink_kinds=(febrl febrl-extended) ;;
    manifest) id=record_id splink_kinds=(manifest) ;;
    *) die "unknown kind $kind" ;;
  esac
  local k
  for k in "${splink_kinds[@]}"; do
    run_tool "splink $SPLINK_VERSION ($k)" "$SPLINK_THRESHOLD" "$WORK/$DATASET.splink-$k.csv" -- \
      "$VPY" "$HERE/splink_link.py" --kind "$k" --a "$A" --b "$B" --id "$id" \
      --out "$WORK/$DATASET.splink-$k.csv"
  done
  # Docket at its own label-free threshold: links.csv holds only the pairs it accepted, so
  # every row counts (threshold 0) and there is no "best F1 over thresholds" for it.
  local settings
  case $kind in
    febrl) settings=febrl-link.toml ;;
    manifest) settings=persons.toml ;;
  esac
  run_tool "docket $(git -C "$ROOT" rev-parse --short HEAD)" 0 "$WORK/$DATASET.docket.csv" -- \
    "$ROOT/target/release/docket" link --settings "$ROOT/crates/docket-link/settings/$settings" \
    "$A" "$B" --out "$WORK/$DATASET.docket.csv"
}

# resolve DATASET-ARG: runs bench_dataset on it.
resolve() {
  local arg=$1 kind= dir
  if [[ $arg =~ ^(febrl|manifest):(.+)$ ]]; then
    kind=${BASH_REMATCH[1]} arg=${BASH_REMATCH[2]}
  fi
  if [[ $arg == */* || -d $arg ]]; then dir=$arg; else dir=$DATA/linkage/$arg; fi
  [[ -d $dir ]] || die "no dataset directory $dir"
  dir=$(cd "$dir" && pwd)
  local name a b truth
  name=$(basename "$dir")
  if [[ -f $dir/a.csv && -f $dir/b.csv && -f $dir/truth.csv ]]; then
    a=$dir/a.csv b=$dir/b.csv truth=$dir/truth.csv
  elif [[ -f $dir/${name}_a.csv && -f $dir/${name}_b.csv && -f $dir/${name}_links.csv ]]; then
    a=$dir/${name}_a.csv b=$dir/${name}_b.csv truth=$dir/${name}_links.csv
  else
    die "$dir has neither a.csv, b.csv, truth.csv nor ${name}_a.csv, ${name}_b.csv, ${name}_links.csv"
  fi
  if [[ -z $kind ]]; then
    local header
    header=,$(head -n1 "$a" | tr -d '\r"'),
    if [[ $header == *,given_names,* ]]; then kind=manifest
    elif [[ $header == *,given_name,* && $header == *,soc_sec_id,* ]]; then kind=febrl
    else die "cannot tell the kind of $a from its header; name it: febrl:$arg or manifest:$arg"
    fi
  fi
  bench_dataset "$name" "$kind" "$a" "$b" "$truth"
}

# --- main ----------------------------------------------------------------------------------

main() {
  (($#)) || set -- febrl4
  ensure_time
  ensure_venv
  log "building docket (release)"
  (cd "$ROOT" && cargo build --release -q -p docket)
  mkdir -p "$WORK"
  printf 'tool\tdataset\trows_a\trows_b\tthreshold\tpredicted\ttrue\ttp\tprecision\trecall\tf1\tbest_f1\tbest_threshold\twall_s\tpeak_mb\tstatus\n' > "$TSV"
  local cpu
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') || cpu=unknown
  local machine
  machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $cpu"
  log "machine: $machine"
  local d
  for d in "$@"; do resolve "$d"; done
  {
    echo "Record linkage, $(date -u +%Y-%m-%d), docket $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'),"
    echo "splink $SPLINK_VERSION (duckdb $("$VPY" -c 'import duckdb; print(duckdb.__version__)')), $machine."
    echo "Wall: whole process. Peak: maximum RSS from /usr/bin/time -v."
    echo
    "$VPY" "$HERE/report.py" "$TSV"
  } > "$OUT/results.md"
  cat "$OUT/results.md"
  ! grep -q $'\tfailed$' "$TSV"
}

main "$@"
