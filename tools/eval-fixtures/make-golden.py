"""Golden values for @metaseries/eval's metrics, computed once with scikit-learn.

Run: /usr/bin/python3 tools/eval-fixtures/make-golden.py  (Debian python3-sklearn:
`apt-get install -y python3-sklearn`). Writes packages/eval/src/fixtures/golden.json; the jest test
(packages/eval/src/metrics/golden.test.ts) compares ours to it and needs no Python.

Every expected value is computed from the inputs exactly as stored in the JSON (probabilities
rounded to 6 decimals, then renormalised), so rounding cannot hide a difference. Metrics that
scikit-learn 1.2 does not have (multiclass Brier, ECE, the PHM08 score) are computed here with
numpy from their textbook definitions; `reference` in each fixture names the source of each value.
"""
import json
import os

import numpy as np
import sklearn
from sklearn import metrics as M
from sklearn.preprocessing import label_binarize

rng = np.random.default_rng(20261125)
out = {"sklearn": sklearn.__version__, "fixtures": []}


def probs(n, k, signal):
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y] += signal
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    return y, p


def stored(p, decimals=6):
    """The probabilities as the JSON holds them: rounded, rows renormalised."""
    pr = np.array(p).round(decimals)
    return pr / pr.sum(1, keepdims=True)


def ece(y, p, bins=10):
    """Expected calibration error of the top-class confidence, equal-width bins over [0, 1]."""
    conf = p.max(1)
    correct = (p.argmax(1) == y).astype(float)
    b = np.clip(np.floor(conf * bins).astype(int), 0, bins - 1)
    total = 0.0
    for i in range(bins):
        m = b == i
        if m.any():
            total += m.sum() / len(y) * abs(correct[m].mean() - conf[m].mean())
    return float(total)


def classification(name, y, p):
    k = p.shape[1]
    pred = p.argmax(1)
    labels = list(range(k))
    v = {
        "accuracy": M.accuracy_score(y, pred),
        "balanced_accuracy": M.balanced_accuracy_score(y, pred),
        "precision_macro": M.precision_score(y, pred, average="macro", zero_division=0),
        "recall_macro": M.recall_score(y, pred, average="macro", zero_division=0),
        "f1_macro": M.f1_score(y, pred, average="macro", zero_division=0),
        "precision_weighted": M.precision_score(y, pred, average="weighted", zero_division=0),
        "recall_weighted": M.recall_score(y, pred, average="weighted", zero_division=0),
        "f1_weighted": M.f1_score(y, pred, average="weighted", zero_division=0),
        "precision_micro": M.precision_score(y, pred, average="micro", zero_division=0),
        "recall_micro": M.recall_score(y, pred, average="micro", zero_division=0),
        "f1_micro": M.f1_score(y, pred, average="micro", zero_division=0),
        "log_loss": M.log_loss(y, p, labels=labels),
    }
    ref = {key: "sklearn" for key in v}
    if k == 2:
        v["auroc"] = M.roc_auc_score(y, p[:, 1])
        v["pr_auc"] = M.average_precision_score(y, p[:, 1])
        v["brier"] = M.brier_score_loss(y, p[:, 1])
        v["precision"] = M.precision_score(y, pred, zero_division=0)
        v["recall"] = M.recall_score(y, pred, zero_division=0)
        v["f1"] = M.f1_score(y, pred, zero_division=0)
        ref.update({key: "sklearn" for key in ("auroc", "pr_auc", "brier", "precision", "recall", "f1")})
    else:
        onehot = label_binarize(y, classes=labels)
        v["auroc"] = M.roc_auc_score(y, p, multi_class="ovr", average="macro")
        v["pr_auc"] = M.average_precision_score(onehot, p, average="macro")
        v["brier"] = float(((p - onehot) ** 2).sum(1).mean())
        ref.update({"auroc": "sklearn", "pr_auc": "sklearn", "brier": "numpy: mean over records of sum over classes (p - onehot)^2"})
    v["ece"] = ece(y, p)
    ref["ece"] = "numpy: 10 equal-width bins of the top-class confidence"
    out["fixtures"].append({
        "name": name,
        "task": "binary" if k == 2 else "multiclass",
        "yTrue": y.tolist(),
        "probabilities": p.tolist(),
        "expected": {key: float(val) for key, val in v.items()},
        "reference": ref,
        "confusionMatrix": M.confusion_matrix(y, pred, labels=labels).tolist(),
    })


for name, n, k, signal in (("binary", 60, 2, 1.2), ("multiclass", 80, 4, 1.5), ("multiclass-weak", 50, 3, 0.3)):
    y, p = probs(n, k, signal)
    classification(name, y, stored(p))

# Ties: scores rounded to one decimal, so many records share a score (ROC/AP tie handling).
y, p = probs(70, 2, 1.0)
classification("binary-ties", y, stored(p, 1))

# Imbalance: 10 % positives.
y = (rng.random(90) < 0.1).astype(int)
y[:2] = 1
s = 1 / (1 + np.exp(-(rng.normal(size=90) + 1.5 * y - 1.0)))
classification("binary-imbalanced", y, stored(np.stack([1 - s, s], 1)))

# Regression, with the PHM08 score (d = pred - true; e^(-d/13) - 1 early, e^(d/10) - 1 late).
yt = rng.normal(50, 20, 40).round(4)
yp = (yt + rng.normal(0, 8, 40)).round(4)
d = yp - yt
out["fixtures"].append({
    "name": "regression", "task": "regression", "yTrue": yt.tolist(), "predictions": yp.tolist(),
    "expected": {
        "rmse": float(np.sqrt(M.mean_squared_error(yt, yp))),
        "mae": M.mean_absolute_error(yt, yp),
        "r2": M.r2_score(yt, yp),
        "phm08_score": float(np.where(d < 0, np.exp(-d / 13) - 1, np.exp(d / 10) - 1).sum()),
    },
    "reference": {"rmse": "sklearn", "mae": "sklearn", "r2": "sklearn", "phm08_score": "numpy: PHM08 definition"},
})

# Multilabel: 5 labels of different frequency, independent sigmoid outputs, threshold 0.5.
n, k = 120, 5
Y = (rng.random((n, k)) < np.array([0.5, 0.3, 0.2, 0.6, 0.15])).astype(int)
Y[:2, :] = [[1, 1, 1, 1, 1], [0, 0, 0, 0, 0]]
P = (1 / (1 + np.exp(-(rng.normal(size=(n, k)) * 1.2 + 2.0 * Y - 1.0)))).round(6)
pred = (P >= 0.5).astype(int)
v = {
    "subset_accuracy": M.accuracy_score(Y, pred),
    "accuracy": M.accuracy_score(Y, pred),
    "hamming_loss": M.hamming_loss(Y, pred),
    "log_loss": float(np.mean([M.log_loss(Y[:, c], P[:, c], labels=[0, 1]) for c in range(k)])),
    "brier": float(np.mean([M.brier_score_loss(Y[:, c], P[:, c]) for c in range(k)])),
    "auroc": M.roc_auc_score(Y, P, average="macro"),
    "pr_auc": M.average_precision_score(Y, P, average="macro"),
}
for avg in ("macro", "micro", "weighted"):
    v[f"precision_{avg}"] = M.precision_score(Y, pred, average=avg, zero_division=0)
    v[f"recall_{avg}"] = M.recall_score(Y, pred, average=avg, zero_division=0)
    v[f"f1_{avg}"] = M.f1_score(Y, pred, average=avg, zero_division=0)
pp, rr, ff, ss = M.precision_recall_fscore_support(Y, pred, average=None, zero_division=0)
out["fixtures"].append({
    "name": "multilabel", "task": "multilabel", "yTrue": Y.tolist(), "probabilities": P.tolist(),
    "expected": {key: float(val) for key, val in v.items()},
    "reference": {key: ("numpy: mean over labels of sklearn's binary value" if key in ("log_loss", "brier") else "sklearn") for key in v},
    "perLabel": {
        "precision": pp.tolist(), "recall": rr.tolist(), "f1": ff.tolist(), "support": ss.tolist(),
        "auroc": M.roc_auc_score(Y, P, average=None).tolist(),
        "pr_auc": M.average_precision_score(Y, P, average=None).tolist(),
    },
})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../packages/eval/src/fixtures/golden.json")
with open(path, "w") as fh:
    json.dump(out, fh, indent=1)
    fh.write("\n")
print("wrote", os.path.normpath(path), "with", len(out["fixtures"]), "fixtures")
