#!/usr/bin/env python3
"""Decision accuracy of the departure feed, end to end (issue 22).

Reads what `docket departures ingest FILE --json --proposals-out P --indexed-out I` wrote and
the generator's `departures-truth.csv`, and prints the five measures of issue 22 with their
counts (text, or one JSON object with --json). Python 3.11, standard library only.

    python3 bench/departure_accuracy.py --ingest ingest.json --truth DIR/departures-truth.csv \
        --proposals proposals.tsv --indexed indexed.txt [--source synth.manifest] [--json]

Definitions (a record's key is `SOURCE/record_id`; the truth gives each record `who`, one of
match|namesake|sibling|twin|stranger, and the docket person it is or is related to):

* true pair: a record with who == match whose person was indexed, that is had an open case
  when ingest built its index (`--indexed`). A traveller whose person has no open case cannot
  be matched and should not be; such records are counted apart ("true, person not indexed"),
  and a clear match of one of them to anyone counts against precision like any wrong one.
  Records the reader refused (never decided) stay in the denominators: the feed missed them.
* candidate recall: true pairs whose person is among the persons blocking proposed for the
  record, before scoring (`--proposals`: `LinkIndex::candidates`, the same call the decision's
  ranking starts from), over the true pairs whose record the reader read (a record refused by
  the reader, a year of birth in the future, never reaches blocking). Also given over every
  true pair, the refused ones counted as missed ("candidate recall, end to end").
* clear precision: verified decisions whose accepted candidate (the first listed) is the
  record's own person (who == match), over verified decisions.
* recall with review: true pairs verified to their own person, or sent to review with their
  own person among the review item's candidates (at most five, at or above the review floor,
  plus the accepted one where there was one), over true pairs.
* review per clear: review items over verified decisions (goal: at most 0.25).
* calibration: every candidate listed by a verified or review decision (so only candidates at
  or above the review floor, at most six per record: what a reviewer sees), in ten
  equal-width probability bands; a candidate is true when it is the record's own person. ECE
  is the sum over bands of (candidates in band / all candidates) * |mean probability - share
  true|. Candidates below the floor and records left unmatched are not seen: this is the
  calibration of what the feed shows, not of the model over all pairs.
"""

import argparse
import csv
import json
import sys
from collections import Counter, defaultdict

BANDS = 10


def read_truth(path):
    truth = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            truth[row["record_id"]] = (row["who"], row["person_id"])
    return truth


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ingest", required=True, help="`departures ingest --json` output")
    ap.add_argument("--truth", required=True, help="departures-truth.csv")
    ap.add_argument("--proposals", required=True, help="`departures ingest --proposals-out` file")
    ap.add_argument("--indexed", required=True, help="`departures ingest --indexed-out` file")
    ap.add_argument("--source", default="synth.manifest", help="the records' source")
    ap.add_argument("--label", default="", help="a name for the run, echoed in the output")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()

    truth = read_truth(a.truth)
    with open(a.indexed) as f:
        indexed = {line.strip() for line in f if line.strip()}
    with open(a.ingest) as f:
        ingest = json.load(f)
    prefix = a.source + "/"

    def rid(key):
        return key[len(prefix):] if key.startswith(prefix) else key

    true_pairs = {r for r, (who, p) in truth.items() if who == "match" and p in indexed}
    true_unindexed = sum(1 for who, p in truth.values() if who == "match" and p not in indexed)

    # Blocking's proposals.
    proposed_true = 0
    seen = 0
    true_read = 0
    blocks_left = Counter()  # records with a block skipped / held back
    blocks_left_true = Counter()
    with open(a.proposals) as f:
        for line in f:
            key, skipped, held_back, persons = line.rstrip("\n").split("\t", 3)
            seen += 1
            r = rid(key)
            kinds = [k for k, n in (("skipped", skipped), ("held_back", held_back)) if n != "0"]
            for k in kinds:
                blocks_left[k] += 1
            if r in true_pairs:
                true_read += 1
                for k in kinds:
                    blocks_left_true[k] += 1
                if truth[r][1] in persons.split(" "):
                    proposed_true += 1

    outcomes = ingest["outcomes"]
    verified = review = 0
    verified_right = 0
    found = set()  # true pairs verified to their own person or reviewed with it among candidates
    why_who = Counter()
    verified_wrong_who = Counter()
    bands = [[0, 0.0, 0] for _ in range(BANDS)]  # candidates, sum of probabilities, true
    review_true_rank = Counter()
    for d in ingest["decisions"]:
        r = rid(d["record"])
        who, person = truth.get(r, ("?", ""))
        cands = d["candidates"]
        own = [i for i, c in enumerate(cands) if who == "match" and c["person_id"] == person]
        for i, c in enumerate(cands):
            p = c["probability"]
            b = min(int(p * BANDS), BANDS - 1)
            bands[b][0] += 1
            bands[b][1] += p
            bands[b][2] += 1 if i in own else 0
        if d["outcome"] == "verified":
            verified += 1
            if own and own[0] == 0:
                verified_right += 1
                found.add(r)
            else:
                verified_wrong_who[who] += 1
        elif d["outcome"] == "review":
            review += 1
            why_who[(d.get("why") or "", who, "own person listed" if own else "own person not listed")] += 1
            if own:
                found.add(r)
                review_true_rank[own[0]] += 1
    found &= true_pairs
    n_cands = sum(b[0] for b in bands)
    ece = sum(abs(b[1] / b[0] - b[2] / b[0]) * b[0] / n_cands for b in bands if b[0]) if n_cands else 0.0

    t = len(true_pairs)
    out = {
        "label": a.label,
        "records": ingest["records"],
        "rejected_by_reader": ingest["rejected"],
        "persons_indexed": ingest["persons_indexed"],
        "outcomes": outcomes,
        "true_pairs": t,
        "true_person_not_indexed": true_unindexed,
        "true_pairs_read": true_read,
        "candidate_recall": proposed_true / true_read if true_read else None,
        "candidate_recall_end_to_end": proposed_true / t if t else None,
        "proposed_true": proposed_true,
        "proposals_lines": seen,
        "records_with_a_block_left_out": dict(blocks_left),
        "true_pairs_with_a_block_left_out": dict(blocks_left_true),
        "verified": verified,
        "verified_right": verified_right,
        "clear_precision": verified_right / verified if verified else None,
        "review": review,
        "review_per_clear": review / verified if verified else None,
        "recall_with_review": len(found) / t if t else None,
        "found": len(found),
        "ece": ece,
        "candidates_listed": n_cands,
        "bands": [
            {"band": f"{i / BANDS:.1f}-{(i + 1) / BANDS:.1f}", "candidates": b[0],
             "mean_probability": b[1] / b[0] if b[0] else None, "share_true": b[2] / b[0] if b[0] else None}
            for i, b in enumerate(bands)
        ],
        "wrong_clear_by_who": dict(verified_wrong_who),
        "review_by_why_who": [
            {"why": k[0], "who": k[1], "own": k[2], "n": n} for k, n in sorted(why_who.items(), key=lambda x: -x[1])
        ],
        "review_own_person_rank": {str(k): v for k, v in sorted(review_true_rank.items())},
        "index_seconds": ingest.get("index_seconds"),
        "decide_seconds": ingest.get("decide_seconds"),
    }
    if a.json:
        json.dump(out, sys.stdout, indent=1)
        print()
        return
    f = lambda x: "n/a" if x is None else f"{x:.4f}"
    print(f"{a.label}: {out['records']} records ({out['rejected_by_reader']} refused by the reader), "
          f"{out['persons_indexed']} persons indexed, outcomes {outcomes}")
    print(f"true pairs {t} (and {true_unindexed} true travellers whose person has no open case)")
    print(f"candidate recall      {f(out['candidate_recall'])}  ({proposed_true} of {true_read} read; "
          f"end to end {f(out['candidate_recall_end_to_end'])}, of {t}; "
          f"records with a block left out {dict(blocks_left)}, of them true pairs {dict(blocks_left_true)})")
    print(f"clear precision       {f(out['clear_precision'])}  ({verified_right} of {verified})")
    print(f"recall with review    {f(out['recall_with_review'])}  ({len(found)} of {t})")
    print(f"review per clear      {f(out['review_per_clear'])}  ({review} / {verified})")
    print(f"ECE                   {f(ece)}  over {n_cands} candidates listed")
    for b in out["bands"]:
        if b["candidates"]:
            print(f"  {b['band']}: {b['candidates']:>8}  mean p {b['mean_probability']:.4f}  true {b['share_true']:.4f}")
    print(f"wrong clear matches by who: {dict(verified_wrong_who)}")
    print("review items by why, who:")
    for k, n in sorted(why_who.items(), key=lambda x: -x[1]):
        print(f"  {n:>7}  {k[1]:<9} {k[2]:<22} {k[0]}")


if __name__ == "__main__":
    main()
