#!/usr/bin/python3
"""Exit 0 when two refugesim results files hold the same results.

Every dataset (scenario text, point table, every point's metrics, tables and
monthly arrays) must be equal bit for bit, and so must every attribute
except those that describe how and when the file was made (creation time,
command line, thread and rank counts).  Usage: same_results.py A.h5 B.h5
"""
import sys

import h5py
import numpy as np

# How, when and by which build the file was made; not the results.
VOLATILE = {"created_utc", "command_line", "threads", "ranks", "git_commit", "refugesim_version"}


def attrs(obj):
    return {k: v for k, v in obj.attrs.items() if k not in VOLATILE}


def same_value(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        if a.dtype.names:                     # compound table: column by column
            return all(same_value(a[n], b[n]) for n in a.dtype.names)
        if a.dtype.kind == "f":
            return np.array_equal(a, b, equal_nan=True)
        return np.array_equal(a, b)
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return a == b


def compare(fa, fb):
    problems = []
    names_a, names_b = [], []
    fa.visit(names_a.append)
    fb.visit(names_b.append)
    if sorted(names_a) != sorted(names_b):
        problems.append("different objects: %s" % sorted(set(names_a) ^ set(names_b))[:10])
    for obj_a, obj_b, name in [(fa, fb, "/")] + [(fa[n], fb[n], n) for n in names_a if n in fb]:
        aa, ab = attrs(obj_a), attrs(obj_b)
        if aa.keys() != ab.keys():
            problems.append("%s: attributes differ: %s" % (name, sorted(set(aa) ^ set(ab))))
        for k in aa.keys() & ab.keys():
            if not same_value(aa[k], ab[k]):
                problems.append("%s: attribute %s differs" % (name, k))
        if isinstance(obj_a, h5py.Dataset) and not same_value(obj_a[()], obj_b[()]):
            problems.append("%s: values differ" % name)
    return problems


def main():
    with h5py.File(sys.argv[1], "r") as fa, h5py.File(sys.argv[2], "r") as fb:
        problems = compare(fa, fb)
    for p in problems[:20]:
        print(p)
    print("same" if not problems else "DIFFERENT (%d problems)" % len(problems))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
