"""The machine's matrix-product peak as PyTorch reaches it: GFLOP/s of a 1024^3 float32 matmul
with N threads (default 2), BLAS and PyTorch both allowed N threads. Prints one JSON line.

Run with Debian's PyTorch: /usr/bin/python3 tools/bench/reference/matmul_peak.py [--threads 2]
"""
import argparse
import json
import os
import time

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--n", type=int, default=1024)
a = ap.parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(a.threads)

import torch  # noqa: E402

torch.set_num_threads(a.threads)
x = torch.randn(a.n, a.n)
y = torch.randn(a.n, a.n)
for _ in range(3):
    torch.mm(x, y)
times = []
for _ in range(7):
    t0 = time.perf_counter()
    torch.mm(x, y)
    times.append(time.perf_counter() - t0)
times.sort()
gflops = 2 * a.n ** 3 / times[len(times) // 2] / 1e9
print(json.dumps({"impl": "pytorch", "threads": a.threads, "n": a.n, "gflops": gflops}))
