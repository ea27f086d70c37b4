"""Golden values for @metaseries/eval's metrics, computed once with scikit-learn.

Run: /usr/bin/python3 tools/eval-fixtures/make-golden.py  (Debian python3-sklearn)
Writes packages/eval/src/fixtures/golden.json; the jest test compares ours to it without Python.
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


for name, n, k, signal in (("binary", 60, 2, 1.2), ("multiclass", 80, 4, 1.5), ("multiclass-weak", 50, 3, 0.3)):
    y, p = probs(n, k, signal)
    pred = p.argmax(1)
    v = {
        "accuracy": M.accuracy_score(y, pred),
        "balanced_accuracy": M.balanced_accuracy_score(y, pred),
        "precision_macro": M.precision_score(y, pred, average="macro", zero_division=0),
        "recall_macro": M.recall_score(y, pred, average="macro", zero_division=0),
        "f1_macro": M.f1_score(y, pred, average="macro", zero_division=0),
        "precision_weighted": M.precision_score(y, pred, average="weighted", zero_division=0),
        "recall_weighted": M.recall_score(y, pred, average="weighted", zero_division=0),
        "f1_weighted": M.f1_score(y, pred, average="weighted", zero_division=0),
        "f1_micro": M.f1_score(y, pred, average="micro", zero_division=0),
        "log_loss": M.log_loss(y, p, labels=list(range(k))),
    }
    if k == 2:
        v["auroc"] = M.roc_auc_score(y, p[:, 1])
        v["pr_auc"] = M.average_precision_score(y, p[:, 1])
        v["brier"] = M.brier_score_loss(y, p[:, 1])
        v["precision"] = M.precision_score(y, pred, zero_division=0)
        v["recall"] = M.recall_score(y, pred, zero_division=0)
        v["f1"] = M.f1_score(y, pred, zero_division=0)
    else:
        v["auroc"] = M.roc_auc_score(y, p, multi_class="ovr", average="macro")
        v["pr_auc"] = M.average_precision_score(label_binarize(y, classes=list(range(k))), p, average="macro")
    out["fixtures"].append({"name": name, "task": "binary" if k == 2 else "multiclass", "yTrue": y.tolist(), "probabilities": p.round(6).tolist(), "expected": v,
                            "confusionMatrix": M.confusion_matrix(y, pred, labels=list(range(k))).tolist()})
    # recompute with the rounded probabilities actually stored
    pr = np.array(out["fixtures"][-1]["probabilities"])
    pr = pr / pr.sum(1, keepdims=True)
    f = out["fixtures"][-1]
    f["probabilities"] = pr.tolist()
    pred = pr.argmax(1)
    for key in list(v):
        pass
    f["expected"]["log_loss"] = M.log_loss(y, pr, labels=list(range(k)))
    if k == 2:
        f["expected"]["auroc"] = M.roc_auc_score(y, pr[:, 1])
        f["expected"]["pr_auc"] = M.average_precision_score(y, pr[:, 1])
        f["expected"]["brier"] = M.brier_score_loss(y, pr[:, 1])
    else:
        f["expected"]["auroc"] = M.roc_auc_score(y, pr, multi_class="ovr", average="macro")
        f["expected"]["pr_auc"] = M.average_precision_score(label_binarize(y, classes=list(range(k))), pr, average="macro")

yt = rng.normal(50, 20, 40)
yp = yt + rng.normal(0, 8, 40)
out["fixtures"].append({"name": "regression", "task": "regression", "yTrue": yt.round(4).tolist(), "predictions": yp.round(4).tolist(), "expected": {
    "rmse": float(np.sqrt(M.mean_squared_error(yt.round(4), yp.round(4)))),
    "mae": M.mean_absolute_error(yt.round(4), yp.round(4)),
    "r2": M.r2_score(yt.round(4), yp.round(4)),
}})

path = os.path.join(os.path.dirname(__file__), "../../packages/eval/src/fixtures/golden.json")
with open(path, "w") as fh:
    json.dump(out, fh, indent=1)
print("wrote", os.path.normpath(path))
