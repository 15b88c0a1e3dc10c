"""The best F1 any linker can reach on a manifest data set, from the pairs it cannot tell apart.

    python3 bench/link/ceiling.py DIR      (DIR from `docket link-data --kind manifest --out DIR`)

A pair of a docket person (table A) and a traveller (table B) whose folded given names, folded
family names and date of birth are identical is compared on what else the two records hold:
whether the nationality and the sex agree (a missing sex agrees with anything) and how the
document numbers relate (equal, one edit apart, different, or missing on a side). Pairs with
the same answers to all of these are the same evidence to any linker that reads these
columns; within such a group, whatever it decides for a pair it decides for all, so it makes
at least min(true pairs, false pairs) errors there. With E the sum of those minima over the
groups and T the true pairs in the data, F1 = 2 TP / (2 TP + FP + FN) is at most
2 T / (2 T + E), however well everything else is linked.

The bound is sound only if nothing else in the records tells the pairs of a group apart. In
the generator (docs/linkage-data.md) every traveller, matching or not, goes through the same
recording steps, so the names' own values, their spelling and the document number's format
carry no evidence of identity. Since December 2026 a namesake is never born the same day as
the docket person whose name they carry, so the false pairs counted here are strangers whose
common names and dates of birth coincide by chance; before, 15 % of namesakes were such copies
and dominated the count.
"""

import collections
import csv
import re
import sys
import unicodedata


def fold(text):
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['\u2019`]", "", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def one_edit(x, y):
    """Damerau-Levenshtein distance at most 1."""
    if x == y:
        return True
    if abs(len(x) - len(y)) > 1:
        return False
    if len(x) == len(y):
        diff = [i for i in range(len(x)) if x[i] != y[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and x[diff[0]] == y[diff[1]] and x[diff[1]] == y[diff[0]])
    short, long_ = (x, y) if len(x) < len(y) else (y, x)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def documents(a, b):
    x, y = a["document_number"].upper(), b["document_number"].upper()
    if not x or not y:
        return "missing"
    if x == y:
        return "equal"
    return "one edit" if one_edit(x, y) else "different"


def main(directory):
    by_key = collections.defaultdict(list)
    with open(f"{directory}/a.csv", newline="", encoding="utf-8") as f:
        for a in csv.DictReader(f):
            by_key[(fold(a["given_names"]), fold(a["family_names"]), a["date_of_birth"])].append(a)
    with open(f"{directory}/truth.csv", newline="", encoding="utf-8") as f:
        truth = {r["record_id_b"]: r["record_id_a"] for r in csv.DictReader(f)}
    groups = collections.Counter()
    with open(f"{directory}/b.csv", newline="", encoding="utf-8") as f:
        for b in csv.DictReader(f):
            key = (fold(b["given_names"]), fold(b["family_names"]), b["date_of_birth"])
            for a in by_key.get(key, ()):
                nationality = "same" if a["nationality"] == b["nationality"] else "other"
                sex = "agrees" if not a["sex"] or not b["sex"] or a["sex"] == b["sex"] else "differs"
                group = (documents(a, b), nationality, sex)
                groups[group, truth.get(b["record_id"]) == a["record_id"]] += 1
    print("pairs with identical folded given names, family names and date of birth:")
    print(f"{'documents':>10} {'nationality':>11} {'sex':>8} {'true':>6} {'false':>6} {'errors at least':>15}")
    errors = 0
    for group in sorted({g for g, _ in groups}):
        t, f = groups[group, True], groups[group, False]
        errors += min(t, f)
        print(f"{group[0]:>10} {group[1]:>11} {group[2]:>8} {t:>6} {f:>6} {min(t, f):>15}")
    total = len(truth)
    print(f"true pairs in the data: {total}; errors no linker can avoid: at least {errors}")
    print(f"F1 of any linker on these columns: at most {2 * total / (2 * total + errors):.4f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
