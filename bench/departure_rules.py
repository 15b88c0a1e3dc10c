#!/usr/bin/env python3
"""What other decision rules would have decided, from one ingest run's listed candidates
(issue 22: tuning the feed's rule on seed 1 only). Python 3.11, standard library only.

    python3 bench/departure_rules.py --ingest ingest.json --truth DIR/departures-truth.csv \
        --proposals proposals.tsv --indexed indexed.txt

Each verified or review decision of the run is decided again under each rule below from the
candidates the run listed (those at or above the run's review floor, at most six) and the
record's skipped and held-back blocks (`--proposals`). A rule can only be stricter than the
run about what it sees: a floor at or above the run's, a competitor ignored, a left-out block
not counted. Records the run left unmatched stay unmatched. Review items whose reason was a
refused verification or a person without open case stay review items. The measures are
bench/departure_accuracy.py's.

Rules (each a combination):
  floor F        candidates below F are not listed and do not compete (F >= the run's floor);
  gap G          a runner-up competes only if its weight is within G bits of the best's
                 (None: every runner-up at or above the floor competes);
  held_back H    whether a tokens block held back for the budget sends a clear match to review;
  skipped S      whether a block skipped for its size does.
"""

import argparse
import csv
import itertools
import json
import math


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ingest", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--proposals", required=True)
    ap.add_argument("--indexed", required=True)
    ap.add_argument("--source", default="synth.manifest")
    ap.add_argument("--accept-from", type=float, default=0.999)
    a = ap.parse_args()
    truth = {}
    with open(a.truth, newline="") as f:
        for row in csv.DictReader(f):
            truth[row["record_id"]] = (row["who"], row["person_id"])
    with open(a.indexed) as f:
        indexed = {line.strip() for line in f if line.strip()}
    prefix = a.source + "/"
    rid = lambda k: k[len(prefix):] if k.startswith(prefix) else k
    left = {}
    with open(a.proposals) as f:
        for line in f:
            key, skipped, held, _ = line.split("\t", 3)
            if skipped != "0" or held != "0":
                left[rid(key)] = (skipped != "0", held != "0")
    with open(a.ingest) as f:
        ingest = json.load(f)
    true_pairs = {r for r, (who, p) in truth.items() if who == "match" and p in indexed}
    decisions = [d for d in ingest["decisions"] if d["outcome"] in ("verified", "review")]

    rows = []
    for floor, gap, held_counts, skipped_counts in itertools.product(
        (0.1, 0.2, 0.3, 0.5), (None, 20.0, 15.0, 10.0), (True, False), (True, False)
    ):
        verified = right = review = 0
        found = set()
        for d in decisions:
            r = rid(d["record"])
            who, person = truth.get(r, ("?", ""))
            cands = [c for c in d["candidates"] if c["probability"] >= floor]
            why = d.get("why") or ""
            fixed = why.startswith("the verification was refused") or why.startswith("the person has no open")
            if fixed:
                outcome = "review"
            elif not cands:
                outcome = "unmatched"
            else:
                best = cands[0]
                rivals = [c for c in cands[1:] if gap is None or best["weight"] - c["weight"] < gap]
                sk, hb = left.get(r, (False, False))
                blocks = (sk and skipped_counts) or (hb and held_counts)
                if best["probability"] >= a.accept_from and not rivals and not blocks:
                    outcome = "verified"
                else:
                    outcome = "review"
            own = [i for i, c in enumerate(cands) if who == "match" and c["person_id"] == person]
            if outcome == "verified":
                verified += 1
                if own and own[0] == 0:
                    right += 1
                    found.add(r)
            elif outcome == "review":
                review += 1
                if own and own[0] < 6:
                    found.add(r)
        found &= true_pairs
        rows.append((floor, gap, held_counts, skipped_counts, verified, right / verified if verified else math.nan,
                     review, review / verified if verified else math.nan, len(found) / len(true_pairs)))
    print("floor  gap   held_back skipped  verified  precision  review  review/clear  recall+review")
    for r in rows:
        print(f"{r[0]:<6} {str(r[1]):<5} {str(r[2]):<9} {str(r[3]):<8} {r[4]:>8}  {r[5]:.5f}  {r[6]:>7}  {r[7]:.4f}  {r[8]:.4f}")


if __name__ == "__main__":
    main()
