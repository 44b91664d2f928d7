"""Writes digits01.csv: the digits 0 and 1 of the UCI optical digits (8x8) data set, as
shipped with scikit-learn (sklearn.datasets.load_digits, no download). Reference data only;
kdmc never runs Python.  Usage: python3 make_digits01.py  (from jobs/data)."""
import csv

from sklearn.datasets import load_digits

digits = load_digits()
keep = [i for i, t in enumerate(digits.target) if t in (0, 1)]
with open("digits01.csv", "w", newline="") as f:
    writer = csv.writer(f, lineterminator="\n")
    writer.writerow([f"p{r}{c}" for r in range(8) for c in range(8)] + ["label"])
    for i in keep:
        writer.writerow([int(v) for v in digits.data[i]] + [int(digits.target[i])])
print(f"wrote digits01.csv: {len(keep)} rows, 64 features + label")
