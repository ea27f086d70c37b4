import { MetaseriesError } from '@metaseries/core';

/**
 * Classification metrics from true class indices and per-class probabilities. Definitions follow
 * scikit-learn (golden-tested against it): macro = unweighted mean over classes, weighted = mean
 * weighted by support, micro = from pooled counts; a class with no predicted (or no true) samples
 * has precision (recall) 0, as scikit-learn's `zero_division=0`.
 */

/** `cm[t][p]`: records of true class t predicted as p. */
export function confusionMatrix(yTrue: readonly number[], yPred: readonly number[], k: number): number[][] {
  const cm = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  yTrue.forEach((t, i) => cm[t]![yPred[i]!]!++);
  return cm;
}

/** Index of the largest probability in each row. */
export function argmaxRows(probabilities: readonly (readonly number[])[]): number[] {
  return probabilities.map((row) => {
    let best = 0;
    for (let k = 1; k < row.length; k++) if (row[k]! > row[best]!) best = k;
    return best;
  });
}

export interface PerClass {
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
}

export function perClass(cm: number[][]): PerClass {
  const k = cm.length;
  const precision: number[] = [];
  const recall: number[] = [];
  const f1: number[] = [];
  const support: number[] = [];
  for (let c = 0; c < k; c++) {
    const tp = cm[c]![c]!;
    const predicted = cm.reduce((a, row) => a + row[c]!, 0);
    const actual = cm[c]!.reduce((a, b) => a + b, 0);
    const p = predicted ? tp / predicted : 0;
    const r = actual ? tp / actual : 0;
    precision.push(p);
    recall.push(r);
    f1.push(p + r ? (2 * p * r) / (p + r) : 0);
    support.push(actual);
  }
  return { precision, recall, f1, support };
}

const mean = (a: number[]) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : 0);
const weighted = (a: number[], w: number[]) => {
  const total = w.reduce((x, y) => x + y, 0);
  return total ? a.reduce((s, v, i) => s + v * w[i]!, 0) / total : 0;
};

/**
 * Area under the ROC curve of scores for a binary target (ties handled by the rank average, the
 * Mann–Whitney U statistic). NaN when one class is absent.
 */
export function auroc(positive: readonly boolean[], scores: readonly number[]): number {
  const n = scores.length;
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && order[j + 1]![0] === order[i]![0]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = r;
    i = j + 1;
  }
  let nPos = 0;
  let sumPos = 0;
  positive.forEach((p, i) => {
    if (p) {
      nPos++;
      sumPos += ranks[i]!;
    }
  });
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (sumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Cumulative true and false positives at each distinct score, from the highest down (tied
 * scores form one threshold): the walk under average precision, the ROC and the PR curve.
 */
function* thresholdSteps(positive: readonly boolean[], scores: readonly number[]): Generator<{ tp: number; fp: number; threshold: number }> {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]);
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) {
      if (positive[order[k]![1]]) tp++;
      else fp++;
    }
    yield { tp, fp, threshold: order[i]![0] };
    i = j + 1;
  }
}

/** Average precision (scikit-learn's `average_precision_score`: step-wise, no interpolation). */
export function averagePrecision(positive: readonly boolean[], scores: readonly number[]): number {
  const nPos = positive.filter(Boolean).length;
  if (nPos === 0) return NaN;
  let ap = 0;
  let prevRecall = 0;
  for (const { tp, fp } of thresholdSteps(positive, scores)) {
    const recall = tp / nPos;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return ap;
}

/** ROC curve points (false-positive rate, true-positive rate) at every distinct threshold. */
export function rocCurve(positive: readonly boolean[], scores: readonly number[]): Array<{ fpr: number; tpr: number; threshold: number }> {
  const nPos = positive.filter(Boolean).length;
  const nNeg = positive.length - nPos;
  const out = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  for (const { tp, fp, threshold } of thresholdSteps(positive, scores)) out.push({ fpr: nNeg ? fp / nNeg : 0, tpr: nPos ? tp / nPos : 0, threshold });
  return out;
}

/** Precision–recall curve points. */
export function prCurve(positive: readonly boolean[], scores: readonly number[]): Array<{ recall: number; precision: number }> {
  const nPos = positive.filter(Boolean).length;
  const out = [{ recall: 0, precision: 1 }];
  for (const { tp, fp } of thresholdSteps(positive, scores)) out.push({ recall: nPos ? tp / nPos : 0, precision: tp / (tp + fp) });
  return out;
}

/** Reliability bins (equal width over [0, 1]) of the top-class confidence, and the expected calibration error. */
export function calibration(correct: readonly boolean[], confidence: readonly number[], bins = 10): { ece: number; curve: Array<{ bin: number; confidence: number; accuracy: number; count: number }> } {
  const sums = Array.from({ length: bins }, () => ({ conf: 0, acc: 0, n: 0 }));
  confidence.forEach((c, i) => {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(c * bins)));
    sums[b]!.conf += c;
    sums[b]!.acc += correct[i] ? 1 : 0;
    sums[b]!.n++;
  });
  const n = confidence.length;
  let ece = 0;
  const curve = sums.map((s, b) => {
    if (s.n) ece += (s.n / n) * Math.abs(s.acc / s.n - s.conf / s.n);
    return { bin: b, confidence: s.n ? s.conf / s.n : NaN, accuracy: s.n ? s.acc / s.n : NaN, count: s.n };
  });
  return { ece, curve };
}

/** Extra, structured results beside the scalar metrics. */
export interface ClassificationDetails {
  confusionMatrix: number[][];
  perClass: PerClass;
  roc?: Array<{ fpr: number; tpr: number; threshold: number }>;
  pr?: Array<{ recall: number; precision: number }>;
  /** Multiclass: one-vs-rest AUROC of each class (NaN for a class absent from `yTrue`); their mean is `auroc`. */
  perClassAuroc?: number[];
  /** Multiclass: one-vs-rest average precision of each class (NaN when absent); their mean is `pr_auc`. */
  perClassPrAuc?: number[];
  reliability: Array<{ bin: number; confidence: number; accuracy: number; count: number }>;
}

/** Probabilities are clipped to [EPS, 1 − EPS] in log losses: float64 machine epsilon, as scikit-learn (`eps="auto"`). */
const EPS = Number.EPSILON;

/**
 * Binary and multiclass metrics. `probabilities[i][k]` = P(class k | record i), rows summing to 1;
 * `yTrue[i]` the true class index.
 */
export function classificationMetrics(yTrue: readonly number[], probabilities: readonly (readonly number[])[]): { values: Record<string, number>; details: ClassificationDetails } {
  const n = yTrue.length;
  if (n === 0) throw new MetaseriesError('EVAL_EMPTY', 'no records to score', {});
  const k = probabilities[0]!.length;
  if (probabilities.some((r) => r.length !== k)) throw new MetaseriesError('EVAL_SHAPE_MISMATCH', 'probability rows differ in length', { expected: `${k} per row` });
  yTrue.forEach((t) => {
    if (!(Number.isInteger(t) && t >= 0 && t < k)) throw new MetaseriesError('EVAL_BAD_LABEL', 'a true class index is outside the classes', { value: t, expected: `0..${k - 1}` });
  });
  const yPred = argmaxRows(probabilities);
  const cm = confusionMatrix(yTrue, yPred, k);
  const pc = perClass(cm);
  const correct = yTrue.map((t, i) => t === yPred[i]);
  const accuracy = correct.filter(Boolean).length / n;
  const present = pc.support.map((s) => s > 0);
  const values: Record<string, number> = {
    accuracy,
    balanced_accuracy: mean(pc.recall.filter((_, c) => present[c])),
    precision_macro: mean(pc.precision),
    recall_macro: mean(pc.recall),
    f1_macro: mean(pc.f1),
    precision_weighted: weighted(pc.precision, pc.support),
    recall_weighted: weighted(pc.recall, pc.support),
    f1_weighted: weighted(pc.f1, pc.support),
    // single-label: micro precision = micro recall = micro F1 = accuracy
    precision_micro: accuracy,
    recall_micro: accuracy,
    f1_micro: accuracy,
    log_loss: -yTrue.reduce((s, t, i) => s + Math.log(Math.min(1 - EPS, Math.max(EPS, probabilities[i]![t]! / probabilities[i]!.reduce((a, b) => a + b, 0)))), 0) / n,
  };
  const details: ClassificationDetails = { confusionMatrix: cm, perClass: pc, reliability: [] };
  if (k === 2) {
    const pos = yTrue.map((t) => t === 1);
    const s = probabilities.map((r) => r[1]!);
    values.auroc = auroc(pos, s);
    values.pr_auc = averagePrecision(pos, s);
    values.brier = s.reduce((a, p, i) => a + (p - (pos[i] ? 1 : 0)) ** 2, 0) / n;
    values.precision = pc.precision[1]!;
    values.recall = pc.recall[1]!;
    values.f1 = pc.f1[1]!;
    details.roc = rocCurve(pos, s);
    details.pr = prCurve(pos, s);
  } else {
    const aucs = new Array<number>(k).fill(NaN);
    const aps = new Array<number>(k).fill(NaN);
    for (let c = 0; c < k; c++) {
      if (!present[c]) continue;
      const pos = yTrue.map((t) => t === c);
      const s = probabilities.map((r) => r[c]!);
      aucs[c] = auroc(pos, s);
      aps[c] = averagePrecision(pos, s);
    }
    values.auroc = mean(aucs.filter((a) => !Number.isNaN(a)));
    values.pr_auc = mean(aps.filter((a) => !Number.isNaN(a)));
    details.perClassAuroc = aucs;
    details.perClassPrAuc = aps;
    // multiclass Brier: mean over records of the squared distance to the one-hot target
    values.brier = probabilities.reduce((a, r, i) => a + r.reduce((s, p, c) => s + (p - (c === yTrue[i] ? 1 : 0)) ** 2, 0), 0) / n;
  }
  const cal = calibration(correct, probabilities.map((r, i) => r[yPred[i]!]!));
  values.ece = cal.ece;
  details.reliability = cal.curve;
  return { values, details };
}

/** Scores of one label of a multilabel task (threshold 0.5 on its probability). */
export interface LabelScores {
  precision: number;
  recall: number;
  f1: number;
  /** Records carrying the label. */
  support: number;
  /** NaN when the label is present in every record or in none. */
  auroc: number;
  /** NaN when no record carries the label. */
  pr_auc: number;
  brier: number;
}

/** Extra, structured results of a multilabel task: one entry per label, in output order. */
export interface MultilabelDetails {
  perLabel: LabelScores[];
}

/**
 * Multilabel metrics: `yTrue[i][k]` ∈ {0,1}, `probabilities[i][k]` independent sigmoids, a label
 * predicted when its probability is ≥ 0.5. Definitions follow scikit-learn on the label-indicator
 * matrix (golden-tested): `subset_accuracy` (= `accuracy`) needs every label right;
 * `hamming_loss` is the share of wrong (record, label) cells; `*_macro` averages the per-label
 * scores unweighted, `*_weighted` by label support, `*_micro` pools the counts of all labels;
 * `auroc` and `pr_auc` are macro over the labels where they are defined; `log_loss` and `brier`
 * are the mean binary cross-entropy and squared error over all cells. Per-label scores are in
 * `details.perLabel`.
 */
export function multilabelMetrics(yTrue: readonly (readonly number[])[], probabilities: readonly (readonly number[])[]): { values: Record<string, number>; details: MultilabelDetails } {
  const n = yTrue.length;
  if (n === 0) throw new MetaseriesError('EVAL_EMPTY', 'no records to score', {});
  const k = probabilities[0]!.length;
  if (probabilities.some((r) => r.length !== k) || yTrue.some((r) => r.length !== k)) {
    throw new MetaseriesError('EVAL_SHAPE_MISMATCH', 'multilabel rows differ in length', { expected: `${k} labels per row` });
  }
  let exact = 0;
  let wrongCells = 0;
  for (let i = 0; i < n; i++) {
    let all = true;
    for (let c = 0; c < k; c++) {
      if ((probabilities[i]![c]! >= 0.5 ? 1 : 0) !== yTrue[i]![c]) {
        all = false;
        wrongCells++;
      }
    }
    if (all) exact++;
  }
  const perLabel: LabelScores[] = [];
  let tpAll = 0;
  let fpAll = 0;
  let fnAll = 0;
  let loss = 0;
  let squared = 0;
  for (let c = 0; c < k; c++) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let labelSquared = 0;
    for (let i = 0; i < n; i++) {
      const q = probabilities[i]![c]!;
      const p = q >= 0.5;
      const t = yTrue[i]![c] === 1;
      if (p && t) tp++;
      else if (p) fp++;
      else if (t) fn++;
      const clipped = Math.min(1 - EPS, Math.max(EPS, q));
      loss -= t ? Math.log(clipped) : Math.log(1 - clipped);
      labelSquared += (q - (t ? 1 : 0)) ** 2;
    }
    tpAll += tp;
    fpAll += fp;
    fnAll += fn;
    squared += labelSquared;
    const pos = yTrue.map((r) => r[c] === 1);
    const scores = probabilities.map((r) => r[c]!);
    perLabel.push({
      precision: tp + fp ? tp / (tp + fp) : 0,
      recall: tp + fn ? tp / (tp + fn) : 0,
      f1: tp ? (2 * tp) / (2 * tp + fp + fn) : 0,
      support: tp + fn,
      auroc: auroc(pos, scores),
      pr_auc: averagePrecision(pos, scores),
      brier: labelSquared / n,
    });
  }
  const pick = (key: keyof LabelScores) => perLabel.map((l) => l[key]);
  const support = pick('support');
  const defined = (a: number[]) => a.filter((v) => !Number.isNaN(v));
  return {
    values: {
      subset_accuracy: exact / n,
      accuracy: exact / n,
      hamming_loss: wrongCells / (n * k),
      precision_macro: mean(pick('precision')),
      recall_macro: mean(pick('recall')),
      f1_macro: mean(pick('f1')),
      precision_weighted: weighted(pick('precision'), support),
      recall_weighted: weighted(pick('recall'), support),
      f1_weighted: weighted(pick('f1'), support),
      precision_micro: tpAll + fpAll ? tpAll / (tpAll + fpAll) : 0,
      recall_micro: tpAll + fnAll ? tpAll / (tpAll + fnAll) : 0,
      f1_micro: tpAll ? (2 * tpAll) / (2 * tpAll + fpAll + fnAll) : 0,
      auroc: mean(defined(pick('auroc'))),
      pr_auc: mean(defined(pick('pr_auc'))),
      log_loss: loss / (n * k),
      brier: squared / (n * k),
    },
    details: { perLabel },
  };
}
