"""How far labels could take a linker on the same candidates: a supervised upper estimate.

    cargo run --release -p docket-link --example scored_pairs -- SETTINGS DIR/a.csv DIR/b.csv PAIRS.csv
    python3 bench/link/supervised.py DIR PAIRS.csv      (needs scikit-learn and pandas)

DIR is from `docket link-data --kind manifest --out DIR`; PAIRS.csv is what the example wrote
with settings whose threshold is low (`policy = "probability"`, `probability = 0.01`), so
that it holds every pair the one-to-one assignment kept, doubtful ones included.

A gradient-boosted classifier is trained on the true labels, with five-fold cross-validation
so that every pair is scored by a model that never saw it, on two feature sets:

- the engine's evidence: each comparison's level (one-hot) and weight, and the total weight;
- that, plus raw features of the two records the engine's levels do not expose: the year
  difference, whether month and day agree, whether the docket date is partial, the name token
  counts, whether the first given and first family tokens agree, how many tokens each name
  shares, and whether each side has a document number and their first characters agree.

For each the best F1 over all thresholds is printed, with the engine's own probabilities
ranked the same way. This is no linker (it reads the labels), only an estimate of how much
the evidence in these candidate pairs can separate; recall is capped by the true pairs the
file holds.
"""

import csv
import re
import sys
import unicodedata

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import KFold


def fold(s):
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z ]", " ", s).split()


def date_parts(s):
    try:
        return [int(x) for x in s.split("-")]
    except ValueError:
        return [0, 0, 0]


def best_f1(scores, labels, true_pairs):
    order = np.argsort(-scores, kind="stable")
    tp = np.cumsum(labels[order])
    k = np.arange(1, len(labels) + 1)
    f1 = 2 * tp / (k + true_pairs)
    i = int(f1.argmax())
    return f1[i], i + 1, int(tp[i])


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    d, pairs = sys.argv[1], sys.argv[2]
    a = {r["record_id"]: r for r in csv.DictReader(open(f"{d}/a.csv", encoding="utf-8"))}
    b = {r["record_id"]: r for r in csv.DictReader(open(f"{d}/b.csv", encoding="utf-8"))}
    truth = {(r["record_id_a"], r["record_id_b"]) for r in csv.DictReader(open(f"{d}/truth.csv", encoding="utf-8"))}
    df = pd.read_csv(pairs, dtype=str, keep_default_na=False)
    y = np.array([(x, z) in truth for x, z in zip(df.id_a, df.id_b)])
    comparisons = [c for c in df.columns if c not in ("id_a", "id_b", "p", "w") and not c.endswith("_w")]
    engine = pd.get_dummies(df[comparisons]).astype(float)
    for c in comparisons:
        engine[c + "_w"] = df[c + "_w"].astype(float)
    engine["w"] = df.w.astype(float)
    raw = []
    for x, z in zip(df.id_a, df.id_b):
        ra, rb = a[x], b[z]
        da, db = date_parts(ra["date_of_birth"]), date_parts(rb["date_of_birth"])
        ga, gb = fold(ra["given_names"]), fold(rb["given_names"])
        fa, fb = fold(ra["family_names"]), fold(rb["family_names"])
        raw.append([
            da[0] - db[0], da[1] == db[1], da[2] == db[2], da[1] == 0 or da[2] == 0,
            len(ga), len(gb), len(fa), len(fb), ga[:1] == gb[:1], fa[:1] == fb[:1],
            len(set(ga) & set(gb)), len(set(fa) & set(fb)),
            ra["document_number"] == "", rb["document_number"] == "",
            ra["document_number"][:1] == rb["document_number"][:1],
        ])
    raw = np.array(raw, dtype=float)
    t = len(truth)
    print(f"{len(df)} pairs, {int(y.sum())} of the {t} true pairs among them")
    f1, k, tp = best_f1(df.p.astype(float).values, y, t)
    print(f"engine's probabilities:          best F1 {f1:.4f} ({k} pairs, {tp} true)")
    for name, x in (("engine's levels and weights", engine.values), ("... and raw features", np.hstack([engine.values, raw]))):
        p = np.zeros(len(y))
        for train, test in KFold(5, shuffle=True, random_state=1).split(x):
            model = HistGradientBoostingClassifier(max_iter=300, random_state=1).fit(x[train], y[train])
            p[test] = model.predict_proba(x[test])[:, 1]
        f1, k, tp = best_f1(p, y, t)
        print(f"supervised, {name + ':':29s} best F1 {f1:.4f} ({k} pairs, {tp} true)")


if __name__ == "__main__":
    main()
