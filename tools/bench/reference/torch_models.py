"""PyTorch reference implementations of the DESIGN benchmark workloads (M0-M3, C1).

Run with Debian's PyTorch: /usr/bin/python3 tools/bench/reference/torch_models.py --json out.json
Threads: torch.set_num_threads(N) and the BLAS pinned to one thread (OMP/OPENBLAS/MKL env set
before torch is imported), otherwise their thread pools fight on a 2-core machine.

Workload (DESIGN.md): B=64, T=100, F=3 channels, one categorical field (10 categories -> 8) and
3 numeric fields, 5 classes, Adam.
"""
import argparse
import json
import os
import sys
import time

THREADS = int(os.environ.get("BENCH_THREADS", "2"))
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

torch.set_num_threads(THREADS)
torch.manual_seed(0)

B, T, F, CATS, EMB, NUM, CLASSES, UNITS = 64, 100, 3, 10, 8, 3, 5, 64
META = EMB + NUM


class Meta(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(CATS + 2, EMB)

    def forward(self, cat, num):
        return torch.cat([self.embed(cat), num], dim=-1)  # [B, META]


class M0(nn.Module):  # series-only LSTM(64)
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(F, UNITS, batch_first=True)
        self.head = nn.Linear(UNITS, CLASSES)

    def forward(self, x, cat, num):
        _, (h, _) = self.lstm(x)
        return self.head(h[-1])


class M1(nn.Module):  # early fusion: metadata repeated over time, concatenated to every step
    def __init__(self):
        super().__init__()
        self.meta = Meta()
        self.lstm = nn.LSTM(F + META, UNITS, batch_first=True)
        self.head = nn.Linear(UNITS, CLASSES)

    def forward(self, x, cat, num):
        m = self.meta(cat, num).unsqueeze(1).expand(-1, x.shape[1], -1)
        _, (h, _) = self.lstm(torch.cat([x, m], dim=-1))
        return self.head(h[-1])


class M2(nn.Module):  # metadata-query attention over the LSTM's steps
    def __init__(self):
        super().__init__()
        self.meta = Meta()
        self.lstm = nn.LSTM(F, UNITS, batch_first=True)
        self.q = nn.Linear(META, UNITS)
        self.k = nn.Linear(UNITS, UNITS)
        self.v = nn.Linear(UNITS, UNITS)
        self.head = nn.Linear(2 * UNITS, CLASSES)

    def forward(self, x, cat, num):
        seq, _ = self.lstm(x)  # [B, T, U]
        q = self.q(self.meta(cat, num))  # [B, U]
        scores = torch.einsum("bu,btu->bt", q, self.k(seq)) / (UNITS ** 0.5)
        w = torch.softmax(scores, dim=-1)
        ctx = torch.einsum("bt,btu->bu", w, self.v(seq))
        return self.head(torch.cat([ctx, q], dim=-1))


class M3(nn.Module):  # late fusion: separate encoders merged before the head
    def __init__(self, meta_units=32):
        super().__init__()
        self.meta = Meta()
        self.lstm = nn.LSTM(F, UNITS, batch_first=True)
        self.meta_mlp = nn.Sequential(nn.Linear(META, meta_units), nn.ReLU())
        self.head = nn.Linear(UNITS + meta_units, CLASSES)

    def forward(self, x, cat, num):
        _, (h, _) = self.lstm(x)
        return self.head(torch.cat([h[-1], self.meta_mlp(self.meta(cat, num))], dim=-1))


class C1(nn.Module):  # FCN (128/256/128, k 8/5/3, batch norm) with late fusion
    def __init__(self, meta_units=32):
        super().__init__()
        self.meta = Meta()
        layers, cin = [], F
        for cout, k in ((128, 8), (256, 5), (128, 3)):
            layers += [nn.Conv1d(cin, cout, k, padding="same"), nn.BatchNorm1d(cout), nn.ReLU()]
            cin = cout
        self.fcn = nn.Sequential(*layers)
        self.meta_mlp = nn.Sequential(nn.Linear(META, meta_units), nn.ReLU())
        self.head = nn.Linear(128 + meta_units, CLASSES)

    def forward(self, x, cat, num):
        h = self.fcn(x.transpose(1, 2)).mean(dim=-1)
        return self.head(torch.cat([h, self.meta_mlp(self.meta(cat, num))], dim=-1))


MODELS = {"M0": M0, "M1": M1, "M2": M2, "M3": M3, "C1": C1}


def batch(bs):
    return (torch.randn(bs, T, F), torch.randint(0, CATS + 2, (bs,)), torch.randn(bs, NUM),
            torch.randint(0, CLASSES, (bs,)))


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def peak_rss_mb():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(name, train_batches, infer_batches, latency_calls, repeats):
    model = MODELS[name]()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x, c, n, y = batch(B)
    # warm-up
    for _ in range(2):
        opt.zero_grad(); loss_fn(model(x, c, n), y).backward(); opt.step()
    train, infer, lat = [], [], []
    for _ in range(repeats):
        model.train()
        t0 = time.perf_counter()
        for _ in range(train_batches):
            opt.zero_grad(); loss_fn(model(x, c, n), y).backward(); opt.step()
        train.append(train_batches * B / (time.perf_counter() - t0))
        model.eval()
        with torch.no_grad():
            model(x, c, n)
            t0 = time.perf_counter()
            for _ in range(infer_batches):
                model(x, c, n)
            infer.append(infer_batches * B / (time.perf_counter() - t0))
            x1, c1, n1, _ = batch(1)
            model(x1, c1, n1)
            t0 = time.perf_counter()
            for _ in range(latency_calls):
                model(x1, c1, n1)
            lat.append((time.perf_counter() - t0) * 1000 / latency_calls)
    return {"model": name, "impl": "pytorch", "backend": f"torch-{torch.__version__}-cpu-{THREADS}t",
            "trainSamplesPerSec": median(train), "inferSamplesPerSec": median(infer),
            "latencyMsB1": median(lat), "peakRssMb": peak_rss_mb(),
            "params": sum(p.numel() for p in model.parameters())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="M0,M1,M2,M3,C1")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args()
    tb, ib, lc, rep = (3, 5, 20, 3) if a.quick else (10, 20, 100, 3)
    rows = [bench(m, tb, ib, lc, rep) for m in a.models.split(",")]
    out = json.dumps({"rows": rows}, indent=2)
    if a.json:
        open(a.json, "w").write(out)
    else:
        sys.stdout.write(out + "\n")


if __name__ == "__main__":
    main()
