#!/usr/bin/python3
"""Read a refugesim results file with h5py (and pandas if installed).

usage: read_results.py results.h5

Shows the run's provenance, the scenario points, the tidy /summary of
every point, each point's summary table and the monthly waiting list.
With PyTables installed, pandas.read_hdf(path, "/summary") reads any table
too; h5py, as below, needs nothing but numpy.
"""
import sys

import h5py
import numpy as np

try:
    import pandas as pd
except ImportError:  # the tables are numpy structured arrays either way
    pd = None


def text(v):
    """Fixed-length strings in tables come back as bytes."""
    return v.decode("utf-8") if isinstance(v, (bytes, np.bytes_)) else v


def table(ds):
    """A compound table as a DataFrame (or a structured array without pandas)."""
    rows = ds[()]
    if pd is None:
        return rows
    df = pd.DataFrame(rows)
    for col in df.columns:
        if df[col].dtype == object:
            df[col] = df[col].map(text)
    return df


def main(path):
    with h5py.File(path, "r") as f:
        a = f.attrs
        print(f"refugesim {a['refugesim_version']} ({a['git_commit']}), "
              f"created {a['created_utc']}, seed {a['seed']}, complete={a['complete']}")
        print("command:", a["command_line"])
        scenario = f["scenario"].asstr()[()]
        print(f"scenario: {len(scenario.splitlines())} lines of YAML")

        points = table(f["point_table"])
        print("\npoints:\n", points)

        if "summary" in f:   # format 2: every point and metric in one table
            summary = table(f["summary"])
            print("\nrefused for lack of space, every point (mean, 95% CI):")
            print(summary[summary["metric"] == "refused_no_space"][["label", "mean", "lo", "hi"]]
                  if pd is not None else summary)

        for i in range(int(a["n_points"])):
            g = f["points"][str(i)]
            label = text(f["point_table"]["label"][i])
            print(f"\n== point {i}: {label}")
            # mean is the estimate: for a share the ratio of sums over the
            # replications (estimator "ratio_of_sums"), ci95 its half-width
            print(table(g["summary"])[["metric", "units", "estimator", "mean", "ci95", "p10", "p90"]]
                  if pd is not None else g["summary"][()])

            # one value per replication, NaN where a replication did not finish
            refused = g["metrics"]["refused_no_space"][()]
            print("refused share by replication:", np.round(refused, 3))

            # the pooled share from its parts: total refused / total referrals
            parts = g["ratio_parts"][()]
            pooled = parts["refused_no_space_num"].sum() / parts["refused_no_space_den"].sum()
            print(f"refused share, pooled over replications: {pooled:.4f}"
                  f" (mean of the replications' own shares: {np.nanmean(refused):.4f})")

            # replications x months
            waiting = g["monthly"]["waiting"][()]
            if waiting.size:
                print("mean waiting list, months 1-12:",
                      np.round(np.nanmean(waiting, axis=0)[:12], 1))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
