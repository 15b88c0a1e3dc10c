#!/usr/bin/env python3
"""Precision, recall and F1 of predicted links against a truth file (standard library only).

    evaluate.py --links links.csv --truth truth.csv [--threshold 0.5] [--dedupe] [--tsv]

links.csv: a header, then `id_a,id_b[,probability]`: the first two columns are the ids from
the first and the second file; the probability is the column named `match_probability` or
`probability`, else the third column. Without any, every listed pair counts as predicted with
probability 1 (a tool that only emits its decisions). A pair listed twice keeps its highest
probability.

truth.csv: a header, then the true pairs in its first two columns, in the same order
(`rec_id_a,rec_id_b` for FEBRL4, `record_id_a,record_id_b` for `docket link-data`).

A pair is predicted at threshold t when its probability is >= t (Splink's own rule for
`threshold_match_probability`). The best F1 sweeps every distinct probability as threshold.
Pairs are ordered (id from the first file, id from the second) unless --dedupe, where both
ids come from one file and (x, y) is the same pair as (y, x); pairs of a record with itself
are then ignored.

Prints one line of `key=value` (or, with --tsv, the values tab-separated in this order):
threshold, predicted, true, tp, precision, recall, f1, best_f1, best_threshold.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

FIELDS = [
    "threshold",
    "predicted",
    "true",
    "tp",
    "precision",
    "recall",
    "f1",
    "best_f1",
    "best_threshold",
]


def pair_key(a: str, b: str, dedupe: bool) -> tuple[str, str] | None:
    if not dedupe:
        return (a, b)
    if a == b:
        return None
    return (a, b) if a < b else (b, a)


def read_links(path: Path, dedupe: bool) -> dict[tuple[str, str], float]:
    links: dict[tuple[str, str], float] = {}
    with path.open(newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            return links
        lower = [h.strip().lower() for h in header]
        if "match_probability" in lower:
            p_col = lower.index("match_probability")
        elif "probability" in lower:
            p_col = lower.index("probability")
        elif len(header) >= 3:
            p_col = 2
        else:
            p_col = None
        for line, row in enumerate(reader, start=2):
            if not row:
                continue
            key = pair_key(row[0], row[1], dedupe)
            if key is None:
                continue
            try:
                p = 1.0 if p_col is None else float(row[p_col])
            except (ValueError, IndexError):
                raise SystemExit(f"{path}:{line}: no probability in {row!r}") from None
            if p > links.get(key, -1.0):
                links[key] = p
    return links


def read_truth(path: Path, dedupe: bool) -> set[tuple[str, str]]:
    with path.open(newline="") as f:
        reader = csv.reader(f)
        next(reader, None)
        truth = {pair_key(row[0], row[1], dedupe) for row in reader if row}
    truth.discard(None)
    return truth


def f1_of(tp: int, predicted: int, true: int) -> float:
    return 2 * tp / (predicted + true) if predicted + true else 0.0


def evaluate(links: dict, truth: set, threshold: float) -> dict:
    chosen = [k for k, p in links.items() if p >= threshold]
    tp = sum(1 for k in chosen if k in truth)
    result = {
        "threshold": threshold,
        "predicted": len(chosen),
        "true": len(truth),
        "tp": tp,
        "precision": tp / len(chosen) if chosen else 0.0,
        "recall": tp / len(truth) if truth else 0.0,
        "f1": f1_of(tp, len(chosen), len(truth)),
    }
    # Sweep: walk pairs from the most to the least probable; at the end of each run of equal
    # probabilities, the predicted set is exactly "probability >= that value".
    ranked = sorted(links.items(), key=lambda kv: kv[1], reverse=True)
    best_f1, best_t, tp_run = 0.0, float("nan"), 0
    for i, (key, p) in enumerate(ranked):
        tp_run += key in truth
        if i + 1 == len(ranked) or ranked[i + 1][1] != p:
            f1 = f1_of(tp_run, i + 1, len(truth))
            if f1 > best_f1:
                best_f1, best_t = f1, p
    result["best_f1"] = best_f1
    result["best_threshold"] = best_t
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", required=True, type=Path)
    parser.add_argument("--truth", required=True, type=Path)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--dedupe", action="store_true", help="pairs are unordered")
    parser.add_argument("--tsv", action="store_true", help="values only, tab-separated")
    args = parser.parse_args()

    truth = read_truth(args.truth, args.dedupe)
    links = read_links(args.links, args.dedupe)
    r = evaluate(links, truth, args.threshold)
    shown = {
        k: (f"{v:.6f}" if isinstance(v, float) and k not in ("threshold", "best_threshold") else v)
        for k, v in r.items()
    }
    shown["best_threshold"] = f"{r['best_threshold']:.6g}"
    shown["threshold"] = f"{r['threshold']:g}"
    if args.tsv:
        print("\t".join(str(shown[k]) for k in FIELDS))
    else:
        print(" ".join(f"{k}={shown[k]}" for k in FIELDS))
    if not truth:
        print("warning: the truth file has no pairs", file=sys.stderr)


if __name__ == "__main__":
    main()
