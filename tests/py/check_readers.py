#!/usr/bin/python3
"""Check that readers of a results file get what `refugesim report --csv` writes.

  check_readers.py python README.md DIR     run README's h5py reader example
  check_readers.py pytables README.md DIR   run README's PyTables reader example
  check_readers.py table-layout DIR         every table in the HDF5 Table layout

The examples run in DIR, which holds sweep.h5 and csv/ (report --csv of it).
Each example is the ```python block after the line `<!-- reader example:
NAME ...` of README.md, run as written.  Its data frame `reps` (point 0's
replications) and `monthly` (point 0's monthly arrays, long; built here
from its `arrays` of monthly series if it has no `monthly`) must have
the columns of replications.csv / monthly.csv for point 0, after the point
and varied-key columns, and the same values: every number, printed as
report prints it (%.15g), is the text in the CSV file.  Its data frame
`summary` (the file's /summary) must have the columns point, label, one per
varied key (the key made safe: referrals.per_year -> referrals_per_year),
metric, units, mean, lo, hi, half_width, n, and a row for every point and
metric of summary.csv with its label (points.csv), varied values, mean,
mean -/+ ci95, ci95 and n (to the 15 digits the CSV keeps).  The PyTables
example must run without a warning.

table-layout: every compound dataset is a PyTables Table with CLASS=TABLE,
TITLE and FIELD_n_NAME attributes, read without a warning, holding what
h5py reads.  Prints "ok".
"""
import csv
import os
import re
import sys


def example(readme, name):
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^<!-- reader example: %s .*?-->\n```python\n(.*?)^```" % name, text, re.S | re.M)
    if not m:
        sys.exit("%s: no '<!-- reader example: %s' python block" % (readme, name))
    return m.group(1)


def long_monthly(arrays):
    """The long form of the monthly arrays (name -> replications x months),
    in the example's order."""
    import numpy as np
    import pandas as pd
    names = list(arrays)
    n_reps, n_months = arrays[names[0]].shape
    df = pd.DataFrame({"rep": np.repeat(np.arange(n_reps), n_months),
                       "month": np.tile(np.arange(1, n_months + 1), n_reps)})
    for name in names:
        df[name] = arrays[name].ravel()
    return df.dropna(subset=names, how="all")


def table_layout():
    """Every compound dataset in the HDF5 Table layout, as PyTables writes it."""
    import warnings
    import h5py
    import numpy as np
    import tables
    paths = []
    with h5py.File("sweep.h5", "r") as f:
        f.visititems(lambda p, o: paths.append("/" + p)
                     if isinstance(o, h5py.Dataset) and o.dtype.names else None)
        want = {p: f[p][()] for p in paths}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with tables.open_file("sweep.h5", "r") as t:
            for p in paths:
                node = t.get_node(p)
                a = node._v_attrs
                if not isinstance(node, tables.Table) or getattr(a, "CLASS", None) != "TABLE":
                    sys.exit("%s: not a table with CLASS=TABLE" % p)
                names = [getattr(a, "FIELD_%d_NAME" % i, None) for i in range(len(node.colnames))]
                if names != list(node.colnames) or not hasattr(a, "TITLE"):
                    sys.exit("%s: FIELD_n_NAME or TITLE attributes missing" % p)
                got = node.read()
                for c in node.colnames:
                    if not np.array_equal(got[c], want[p][c]):
                        sys.exit("%s: column %s differs from h5py's" % (p, c))


def csv_point0(path, n_vary):
    """Header and rows of a report CSV file for point 0, prefix columns dropped."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    keep = [r[1 + n_vary:] for r in rows[1:] if r[0] == "0"]
    return head[1 + n_vary:], keep


def cell(v):
    if isinstance(v, (bytes, bytearray)):
        v = v.decode("utf-8")
    if isinstance(v, str):
        return v
    v = float(v)
    return "" if v != v else "%.15g" % v


def same(name, df, head, rows):
    cols = [str(c) for c in df.columns]
    if cols != head:
        sys.exit("%s: columns %s, report --csv has %s" % (name, cols, head))
    got = [[cell(v) for v in r] for r in df.itertuples(index=False)]
    if len(got) != len(rows):
        sys.exit("%s: %d rows, report --csv has %d" % (name, len(got), len(rows)))
    for i, (a, b) in enumerate(zip(got, rows)):
        if a != b:
            bad = [(c, x, y) for c, x, y in zip(head, a, b) if x != y][:3]
            sys.exit("%s row %d differs (column, read, csv): %s" % (name, i, bad))


def vary_keys(directory):
    import h5py
    with h5py.File(os.path.join(directory, "sweep.h5"), "r") as f:
        return [k.decode() if isinstance(k, bytes) else str(k) for k in f.attrs["vary_keys"]]


def safe(key):
    """A column name as the results file makes it: letters, digits, '_'."""
    return re.sub(r"[^A-Za-z0-9_]+", "_", key).strip("_")


def number(text):
    return float(text) if text != "" else float("nan")


def expected_summary(keys):
    """/summary as summary.csv and points.csv say it must be."""
    with open("csv/points.csv", newline="") as f:
        labels = {r["index"]: r["label"] for r in csv.DictReader(f)}
    with open("csv/summary.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    head = ["point", "label"] + [safe(k) for k in keys] + \
        ["metric", "units", "mean", "lo", "hi", "half_width", "n"]
    want = []
    for r in rows:
        mean, ci = number(r["mean"]), number(r["ci95"])
        want.append([int(r["point"]), labels[r["point"]]] + [number(r[k]) for k in keys] +
                    [r["metric"], r["units"], mean, mean - ci, mean + ci, ci, int(r["n"])])
    return head, want


def close(a, b):
    if isinstance(b, str):
        return cell(a) == b
    a = float(a)
    if b != b:
        return a != a
    return abs(a - b) <= 1e-12 * max(1.0, abs(b))


def same_summary(df, keys):
    head, want = expected_summary(keys)
    cols = [str(c) for c in df.columns]
    if cols != head:
        sys.exit("summary: columns %s, expected %s" % (cols, head))
    got = list(df.itertuples(index=False))
    if len(got) != len(want):
        sys.exit("summary: %d rows, summary.csv has %d" % (len(got), len(want)))
    for i, (a, b) in enumerate(zip(got, want)):
        bad = [(c, x, y) for c, x, y in zip(head, a, b) if not close(x, y)][:3]
        if bad:
            sys.exit("summary row %d differs (column, read, expected): %s" % (i, bad))


def main():
    import warnings
    mode = sys.argv[1]
    directory = sys.argv[-1]
    keys = vary_keys(directory)
    nv = len(keys)
    os.chdir(directory)
    if mode == "table-layout":
        table_layout()
        print("ok")
        return
    if mode not in ("python", "pytables"):
        sys.exit(__doc__)
    env = {}
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        exec(compile(example(sys.argv[2], mode), "README.md %s example" % mode, "exec"), env)
    if mode == "pytables" and seen:
        sys.exit("the PyTables example warns: %s" % "; ".join(str(w.message) for w in seen))
    same_summary(env["summary"], keys)
    reps = env["reps"]
    monthly = env["monthly"] if "monthly" in env else long_monthly(env["arrays"])
    same("replications", reps, *csv_point0("csv/replications.csv", nv))
    same("monthly", monthly, *csv_point0("csv/monthly.csv", nv))
    print("ok")


if __name__ == "__main__":
    main()
