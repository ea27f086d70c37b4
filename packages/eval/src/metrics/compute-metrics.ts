import { MetaseriesError, type Task } from '@metaseries/core';
import { classificationMetrics, multilabelMetrics, type ClassificationDetails, type MultilabelDetails } from './classification.js';
import { regressionMetrics } from './regression.js';

/** Every metric name metaseries reports, in snake_case, the same in JSON, reports, CLI and server. */
export const METRIC_NAMES = [
  'accuracy',
  'balanced_accuracy',
  'precision',
  'recall',
  'f1',
  'precision_macro',
  'recall_macro',
  'f1_macro',
  'precision_weighted',
  'recall_weighted',
  'f1_weighted',
  'precision_micro',
  'recall_micro',
  'f1_micro',
  'subset_accuracy',
  'hamming_loss',
  'auroc',
  'pr_auc',
  'log_loss',
  'brier',
  'ece',
  'rmse',
  'mae',
  'r2',
  'phm08_score',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** Whether a larger value of the metric is better. */
export function higherIsBetter(metric: string): boolean {
  return !/(log_loss|brier|ece|rmse|mae|phm08_score|hamming_loss|loss)$/.test(metric);
}

/** What {@link computeMetrics} returns. */
export interface MetricReport {
  task: Task;
  n: number;
  /** Scalar metrics by snake_case name. */
  values: Partial<Record<MetricName, number>>;
  /** Confusion matrix, per-class scores, ROC/PR and reliability curves (classification). */
  details?: ClassificationDetails;
  /** Per-label precision, recall, F1, support, AUROC, PR-AUC and Brier (multilabel). */
  labelDetails?: MultilabelDetails;
  classes?: string[];
}

/** Options of {@link computeMetrics}. */
export interface ComputeMetricsOptions {
  /** Class names in output order (classification); used to read `yTrue` given as names. */
  classes?: string[];
}

/**
 * Scores predictions. `yTrue`: class names or indices (binary, multiclass), arrays of class names
 * or 0/1 rows (multilabel), numbers (regression). `outputs`: per-record probability rows
 * (binary may be one probability of the positive class `classes[1]`), or predicted numbers.
 */
export function computeMetrics(
  task: Task,
  yTrue: ReadonlyArray<string | number | readonly (string | number)[]>,
  outputs: ReadonlyArray<number | readonly number[]>,
  options: ComputeMetricsOptions = {},
): MetricReport {
  if (yTrue.length !== outputs.length) {
    throw new MetaseriesError('EVAL_SHAPE_MISMATCH', 'labels and predictions differ in number', { value: outputs.length, expected: String(yTrue.length) });
  }
  const n = yTrue.length;
  if (task === 'regression') {
    const t = yTrue.map((v) => Number(v));
    const p = outputs.map((o) => (typeof o === 'number' ? o : o[0]!));
    return { task, n, values: regressionMetrics(t, p).values };
  }
  const classes = options.classes;
  const index = (v: string | number): number => {
    if (typeof v === 'number' && (!classes || !classes.includes(String(v)))) return v;
    const i = classes?.indexOf(String(v)) ?? -1;
    if (i < 0) throw new MetaseriesError('EVAL_BAD_LABEL', 'a true label is not one of the classes', { value: v, expected: classes?.join(', ') ?? 'class indices' });
    return i;
  };
  if (task === 'multilabel') {
    const k = (outputs[0] as readonly number[]).length;
    const t = yTrue.map((v) => {
      const row = new Array<number>(k).fill(0);
      if (Array.isArray(v) && v.length === k && v.every((x) => x === 0 || x === 1) && typeof v[0] === 'number') return v as number[];
      for (const c of v as readonly (string | number)[]) row[index(c)] = 1;
      return row;
    });
    const { values, details } = multilabelMetrics(t, outputs as number[][]);
    return { task, n, values, labelDetails: details, ...(classes ? { classes } : {}) };
  }
  const probs = outputs.map((o) => (typeof o === 'number' ? [1 - o, o] : o.length === 1 && task === 'binary' ? [1 - o[0]!, o[0]!] : (o as number[])));
  const { values, details } = classificationMetrics(
    yTrue.map((v) => index(v as string | number)),
    probs,
  );
  return { task, n, values, details, ...(classes ? { classes } : {}) };
}
