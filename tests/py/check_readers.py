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
report prints it (%.15g), is the text in the CSV file.

table-layout: every compound dataset is a PyTables Table with CLASS=TABLE,
TITLE and FIELD_n_NAME attributes, read without a warning, holding what
h5py reads.  Prints "ok".
"""
import csv
import os
import re
import sys


def example(readme, name):
    text = open(readme, encoding="utf-8").read()
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


def n_vary(directory):
    import h5py
    with h5py.File(os.path.join(directory, "sweep.h5"), "r") as f:
        return len(f.attrs["vary_keys"])


def main():
    mode = sys.argv[1]
    directory = sys.argv[-1]
    nv = n_vary(directory)
    os.chdir(directory)
    if mode == "table-layout":
        table_layout()
        print("ok")
        return
    if mode not in ("python", "pytables"):
        sys.exit(__doc__)
    env = {}
    exec(compile(example(sys.argv[2], mode), "README.md %s example" % mode, "exec"), env)
    reps = env["reps"]
    monthly = env["monthly"] if "monthly" in env else long_monthly(env["arrays"])
    same("replications", reps, *csv_point0("csv/replications.csv", nv))
    same("monthly", monthly, *csv_point0("csv/monthly.csv", nv))
    print("ok")


if __name__ == "__main__":
    main()
