#!/usr/bin/env python3
"""Turn the results TSV of `bench/link.sh` into its Markdown table (standard library only).

    report.py results.tsv > results.md

The TSV has a header row; the columns used are tool, dataset, rows_a, rows_b, threshold,
precision, recall, f1, best_f1, wall_s, peak_mb and status. A row whose status is not `ok`
shows the status in place of the scores.
"""

from __future__ import annotations

import csv
import sys

HEADER = [
    "tool",
    "dataset",
    "rows A × B",
    "threshold",
    "precision",
    "recall",
    "F1",
    "best F1 (any threshold)",
    "wall s",
    "peak MB",
]


def score(value: str) -> str:
    try:
        return f"{float(value):.4f}"
    except ValueError:
        return value or "–"


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    with open(sys.argv[1], newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "|".join(["---"] * 2 + ["---:"] * (len(HEADER) - 2)) + "|")
    for r in rows:
        ok = r["status"] == "ok"
        scores = [score(r[k]) if ok else r["status"] for k in ("precision", "recall", "f1")]
        best = score(r["best_f1"]) if ok else "–"
        print(
            "| "
            + " | ".join(
                [
                    r["tool"],
                    r["dataset"],
                    f"{int(r['rows_a']):,} × {int(r['rows_b']):,}",
                    r["threshold"],
                    *scores,
                    best,
                    r["wall_s"],
                    r["peak_mb"],
                ]
            )
            + " |"
        )


if __name__ == "__main__":
    main()
