#!/usr/bin/python3
"""Check a refugesim results file with h5py: layout, attributes, values.

usage: check_results.py RESULTS.h5 EXPECTED.tsv

EXPECTED.tsv holds what the writer was given, one check per line
(tab-separated):
    attr    OBJECT  NAME  VALUE          root or object attribute
    value   DATASET INDEX VALUE          numeric array, flat index (nan allowed)
    shape   DATASET D0[,D1]
    cell    TABLE   ROW   COLUMN VALUE   compound table cell (number or text)
    rows    TABLE   N                    number of rows
    text    DATASET FILE                 string dataset equals FILE's content
Exit status 0 when every check passes; the failures are printed otherwise.
"""
import math
import sys

import h5py
import numpy as np

ROOT_ATTRS = ["format", "format_version", "refugesim_version", "git_commit",
              "created_utc", "command_line", "rng", "seed", "threads", "ranks",
              "complete", "n_points"]
POINT_ITEMS = ["done", "metrics", "replications", "outcomes", "summary", "ratio_parts",
               "services", "groups", "monthly"]

failures = []


def fail(msg):
    failures.append(msg)


def as_text(v):
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, np.bytes_):
        return bytes(v).decode("utf-8")
    return v


def same(got, want):
    got = as_text(got)
    if isinstance(got, str):
        return got == want
    try:
        w = float(want)
    except ValueError:
        return str(got) == want
    g = float(got)
    if math.isnan(w):
        return math.isnan(g)
    return g == w or abs(g - w) <= 1e-12 * max(1.0, abs(w))


def check_layout(f):
    for a in ROOT_ATTRS:
        if a not in f.attrs:
            fail(f"root attribute {a} missing")
    if as_text(f.attrs.get("format")) != "refugesim-results":
        fail("format attribute is not refugesim-results")
    n = int(f.attrs["n_points"])
    names = list(f["points"].keys())
    if names != [str(i) for i in range(n)]:
        fail(f"/points lists {names}, expected 0..{n - 1} in order")
    if len(f["point_table"]) != n:
        fail("point_table rows != n_points")
    for i in range(n):
        g = f["points"][str(i)]
        for item in POINT_ITEMS:
            if item not in g:
                fail(f"/points/{i}/{item} missing")
        nreps = int(f["point_table"]["n_reps"][i])
        for name, ds in g["metrics"].items():
            if ds.shape != (nreps,) or ds.dtype != np.float64:
                fail(f"/points/{i}/metrics/{name}: shape {ds.shape} dtype {ds.dtype}")
        for m in ("occupied", "waiting"):
            ds = g["monthly"][m]
            if ds.ndim != 2 or ds.shape[0] != nreps:
                fail(f"/points/{i}/monthly/{m}: shape {ds.shape}")
            if as_text(ds.attrs.get("axes")) != "replication,month":
                fail(f"/points/{i}/monthly/{m}: axes attribute")

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            for a in ("units", "description"):
                if a not in obj.attrs:
                    fail(f"/{name}: attribute {a} missing")
                elif not isinstance(obj.attrs[a], str):
                    fail(f"/{name}: attribute {a} is not a text string")
            if obj.dtype.names:
                cu = obj.attrs.get("column_units")
                if cu is None or len(cu) != len(obj.dtype.names):
                    fail(f"/{name}: column_units does not match the columns")
    f.visititems(visit)


def check_expected(f, lines):
    n = 0
    for line in lines:
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        kind, *a = line.split("\t")
        n += 1
        try:
            if kind == "attr":
                obj = f[a[0]]
                if a[1] not in obj.attrs:
                    fail(f"{a[0]}: attribute {a[1]} missing")
                elif not same(obj.attrs[a[1]], a[2]):
                    fail(f"{a[0]}@{a[1]} = {obj.attrs[a[1]]!r}, expected {a[2]!r}")
            elif kind == "value":
                got = f[a[0]][()].reshape(-1)[int(a[1])]
                if not same(got, a[2]):
                    fail(f"{a[0]}[{a[1]}] = {got!r}, expected {a[2]}")
            elif kind == "shape":
                want = tuple(int(x) for x in a[1].split(","))
                if f[a[0]].shape != want:
                    fail(f"{a[0]} shape {f[a[0]].shape}, expected {want}")
            elif kind == "cell":
                tab = f[a[0]][()]
                got = tab[a[2]][int(a[1])]
                if not same(got, a[3]):
                    fail(f"{a[0]}[{a[1]}].{a[2]} = {got!r}, expected {a[3]!r}")
            elif kind == "rows":
                if len(f[a[0]]) != int(a[1]):
                    fail(f"{a[0]} has {len(f[a[0]])} rows, expected {a[1]}")
            elif kind == "text":
                want = open(a[1], encoding="utf-8").read()
                got = f[a[0]].asstr()[()]
                if got != want:
                    fail(f"{a[0]} text differs from {a[1]}")
            else:
                fail(f"unknown check {kind}")
        except KeyError as e:
            fail(f"{line}: {e}")
    return n


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with h5py.File(sys.argv[1], "r") as f, open(sys.argv[2], encoding="utf-8") as e:
        check_layout(f)
        n = check_expected(f, e.readlines())
    for m in failures:
        print("FAIL:", m)
    print(f"{n} value checks, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
