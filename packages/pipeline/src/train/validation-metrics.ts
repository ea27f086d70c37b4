import type { Task } from '@metaseries/core';

/**
 * Metrics of one split from targets and model outputs, both `[N, K]` row-major as the model
 * sees them (binary: K = 1; regression: scaled targets, `scale` maps back to label units).
 * Names are eval's snake_case names: `loss`, `accuracy`, `f1_macro`, `auroc` (binary, and
 * macro one-vs-rest for multiclass and multilabel), `rmse`, `mae` (regression, label units).
 */
export function validationMetrics(task: Task, y: Float32Array, p: Float32Array, K: number, scale = 1): Record<string, number> {
  const N = K ? y.length / K : 0;
  const eps = 1e-7;
  if (task === 'regression') {
    let se = 0;
    let ae = 0;
    for (let i = 0; i < N; i++) {
      const d = (p[i]! - y[i]!) * scale;
      se += d * d;
      ae += Math.abs(d);
    }
    return { loss: N ? se / N / (scale * scale) : NaN, rmse: Math.sqrt(se / N), mae: ae / N };
  }
  let loss = 0;
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < K; k++) {
      const q = Math.min(1 - eps, Math.max(eps, p[i * K + k]!));
      const t = y[i * K + k]!;
      loss -= task === 'multiclass' ? t * Math.log(q) : (t * Math.log(q) + (1 - t) * Math.log(1 - q)) / K;
    }
  }
  // Predicted and true class per record (multiclass: argmax; binary/multilabel: per label > 0.5).
  const pairs: Array<[number, number]> = [];
  if (task === 'multiclass') {
    for (let i = 0; i < N; i++) {
      let a = 0;
      let b = 0;
      for (let k = 1; k < K; k++) {
        if (p[i * K + k]! > p[i * K + a]!) a = k;
        if (y[i * K + k]! > y[i * K + b]!) b = k;
      }
      pairs.push([b, a]);
    }
  }
  const classes = task === 'multiclass' ? K : 2;
  const perLabel = task === 'multiclass' ? 1 : K;
  let correct = 0;
  let f1Sum = 0;
  let aucSum = 0;
  let aucN = 0;
  for (let k = 0; k < perLabel; k++) {
    const pk: Array<[number, number]> = task === 'multiclass' ? pairs : Array.from({ length: N }, (_, i) => [y[i * K + k]! > 0.5 ? 1 : 0, p[i * K + k]! >= 0.5 ? 1 : 0]);
    correct += pk.filter(([t, q]) => t === q).length;
    for (let c = task === 'multiclass' ? 0 : 1; c < classes; c++) {
      const tp = pk.filter(([t, q]) => t === c && q === c).length;
      const fp = pk.filter(([t, q]) => t !== c && q === c).length;
      const fn = pk.filter(([t, q]) => t === c && q !== c).length;
      f1Sum += tp + fp + fn ? (2 * tp) / (2 * tp + fp + fn) : 0;
    }
  }
  for (let k = 0; k < (task === 'binary' ? 1 : K); k++) {
    const a = auroc(Array.from({ length: N }, (_, i) => p[i * K + k]!), Array.from({ length: N }, (_, i) => y[i * K + k]! > 0.5));
    if (Number.isFinite(a)) {
      aucSum += a;
      aucN++;
    }
  }
  const f1Count = task === 'multiclass' ? K : perLabel;
  return {
    loss: N ? loss / N : NaN,
    accuracy: N ? correct / (N * perLabel) : NaN,
    f1_macro: f1Count ? f1Sum / f1Count : NaN,
    auroc: aucN ? aucSum / aucN : NaN,
  };
}

/** Area under the ROC curve by ranks (ties get their average rank); NaN with one class only. */
function auroc(scores: number[], positive: boolean[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Float64Array(scores.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let nPos = 0;
  let rankSum = 0;
  positive.forEach((p, i) => {
    if (p) {
      nPos++;
      rankSum += ranks[i]!;
    }
  });
  const nNeg = positive.length - nPos;
  if (!nPos || !nNeg) return NaN;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
