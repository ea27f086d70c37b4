"""The pandas side of the data benchmark: read_csv + merge_asof + groupby z-score.

Reads series.csv (id,time,c0..c3), context.csv (id,time,regime,load) and labels.csv, joins the
context as-of (backward, exact matches allowed: the last row at or before each step, the last of
equal stamps, as metaseries does), and z-scores each channel per regime (population standard
deviation, ddof=0, as metaseries). Prints one JSON line: seconds, cpu, stages, peakRssMb, rows, checksum.
Usage: /usr/bin/python3 pandas_pipeline.py --dir DIR [--format long|parquet]
"""
import argparse
import json
import resource
import time

t0 = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--dir", default="/tmp/metaseries-bench-data")
ap.add_argument("--format", default="long", choices=["long", "parquet"])
args = ap.parse_args()
chans = ["c0", "c1", "c2", "c3"]
stages = {}
mark = t0


def stage(name):
    global mark
    now = time.perf_counter()
    stages[name] = now - mark
    mark = now


series = pd.read_parquet(f"{args.dir}/series.parquet") if args.format == "parquet" else pd.read_csv(f"{args.dir}/series.csv")
context = pd.read_csv(f"{args.dir}/context.csv")
labels = pd.read_csv(f"{args.dir}/labels.csv")
stage("load")
# merge_asof needs both sides sorted on the time key; stable sorts keep file order among equal stamps
series = series.sort_values("time", kind="stable")
context = context.sort_values("time", kind="stable")
merged = pd.merge_asof(series, context, on="time", by="id", direction="backward", allow_exact_matches=True)
del series
stage("align")
groups = merged.groupby("regime")[chans]
z = (merged[chans] - groups.transform("mean")) / groups.transform("std", ddof=0)
stage("zscore")
seconds = time.perf_counter() - t0

z0 = z["c0"].to_numpy()
weights = (merged["time"].to_numpy() % 7).astype(np.float64)
ok = ~np.isnan(z0)
checksum = float(np.sum(z0[ok] * weights[ok]))
usage = resource.getrusage(resource.RUSAGE_SELF)
peak = usage.ru_maxrss / 1024
cpu = usage.ru_utime + usage.ru_stime
print(json.dumps({"impl": "pandas", "format": args.format, "seconds": seconds, "cpu": cpu, "stages": stages, "peakRssMb": peak, "rows": int(len(merged)), "records": int(labels.shape[0]), "checksum": checksum, "groups": int(merged["regime"].nunique())}))
