import type { Task } from '@metaseries/core';
import { computeMetrics } from './compute-metrics.js';

type Labels = ReadonlyArray<string | number | readonly (string | number)[]>;
type Outputs = ReadonlyArray<number | readonly number[]>;

/** Metrics that are a mean over records of a per-record value (rmse: the root of one). */
const DECOMPOSABLE = new Set(['accuracy', 'subset_accuracy', 'hamming_loss', 'log_loss', 'brier', 'mae', 'rmse']);

/**
 * A function scoring one metric on any subset (with repeats) of the records, as the bootstrap
 * needs thousands of times. Metrics that are means of per-record values (accuracy, log_loss,
 * brier, mae, rmse, hamming_loss) are computed once per record and averaged — the same value as
 * {@link computeMetrics} on the subset; every other metric calls `computeMetrics` on the subset.
 * NaN when the metric is undefined on the subset (e.g. AUROC with one class).
 */
export function metricScorer(task: Task, yTrue: Labels, outputs: Outputs, metric: string, classes?: string[]): (indices: readonly number[]) => number {
  const pick = (values: Record<string, number | undefined>) => values[metric] ?? NaN;
  if (!DECOMPOSABLE.has(metric)) {
    return (idx) => pick(computeMetrics(task, idx.map((i) => yTrue[i]!), idx.map((i) => outputs[i]!), { classes }).values as Record<string, number>);
  }
  const perRecord = yTrue.map((y, i) => {
    const v = pick(computeMetrics(task, [y], [outputs[i]!], { classes }).values as Record<string, number>);
    return metric === 'rmse' ? v * v : v;
  });
  return (idx) => {
    let s = 0;
    for (const i of idx) s += perRecord[i]!;
    const m = idx.length ? s / idx.length : NaN;
    return metric === 'rmse' ? Math.sqrt(m) : m;
  };
}
