import type { Dataset, LabelValue, SeriesRecord, Task } from '@metaseries/core';
import { bootstrapInterval, computeMetrics, type Interval, type MetricReport } from '@metaseries/eval';
import type { ModelBundle } from '../bundle/bundle.js';
import type { FittedPreprocessing } from '../preprocess/fitted-preprocessing.js';
import { modelOutputs } from '../predict/model-outputs.js';
import { preprocessingOf } from '../predict/predict.js';
import { meanTaskLoss } from '../train/validation-metrics.js';
import type * as tfl from '@tensorflow/tfjs-layers';

/** True labels and model outputs of scored records, in the form eval's functions take. */
export interface ScoredRecords {
  task: Task;
  classes: string[];
  /** Class names (binary, multiclass), arrays of class names (multilabel) or numbers (regression). */
  yTrue: Array<string | number | string[]>;
  /** Probability rows (classification) or predicted values in label units (regression). */
  outputs: Array<number | number[]>;
  /** The training loss on these records. */
  loss: number;
}

function trueLabel(task: Task, v: LabelValue | undefined): string | number | string[] {
  if (task === 'regression') return Number(v);
  if (task === 'multilabel') return Array.isArray(v) ? v : String(v ?? '').split('|').map((s) => s.trim()).filter(Boolean);
  return String(v);
}

/** Runs the model over labelled `records` in batches and pairs its outputs with the true labels. */
export function scoreModel(model: tfl.LayersModel, prep: FittedPreprocessing, records: readonly SeriesRecord[], batchSize = 256): ScoredRecords {
  const task = prep.state.encoded.task;
  const { predictions, width } = modelOutputs(model, prep, records, batchSize);
  const targets = prep.targets(records).data as Float32Array;
  const outputs: Array<number | number[]> = records.map((_, i) => {
    const row = predictions.subarray(i * width, (i + 1) * width);
    return task === 'regression' ? (prep.label.decode(row) as number) : prep.label.probabilities(row);
  });
  return { task, classes: prep.label.classes, yTrue: records.map((r) => trueLabel(task, r.label)), outputs, loss: meanTaskLoss(task, targets, predictions, width) };
}

/** eval's metrics of scored records plus `loss`, as one flat map (what validation and `fit` report). */
export function metricValues(s: ScoredRecords): Record<string, number> {
  const report = computeMetrics(s.task, s.yTrue, s.outputs, s.task === 'regression' ? {} : { classes: s.classes });
  const out: Record<string, number> = { loss: s.loss };
  for (const [k, v] of Object.entries(report.values)) if (typeof v === 'number') out[k] = v;
  return out;
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Records per model call. Default: `256`. */
  batchSize?: number;
  /** Bootstrap resamples for the confidence intervals (0 = none). Default: `1000`. */
  resamples?: number;
  /** Confidence level of the intervals. Default: `0.95`. */
  level?: number;
  /** Seed of the bootstrap. Default: `42`. */
  seed?: number;
  /** Metrics that get an interval. Default: `accuracy`, `f1_macro`, `auroc` (classification); `rmse`, `mae` (regression). */
  intervalMetrics?: string[];
}

/** Defaults of {@link EvaluateOptions}. */
export const defaultEvaluateOptions: Required<Omit<EvaluateOptions, 'intervalMetrics'>> = { batchSize: 256, resamples: 1000, level: 0.95, seed: 42 };

/** What {@link evaluate} returns. */
export interface EvaluationResult {
  /** Every metric by snake_case name, and `loss`. */
  metrics: Record<string, number>;
  /** eval's full report (confusion matrix, curves, per-class scores for classification). */
  report: MetricReport;
  /** Bootstrap confidence interval of each of `intervalMetrics`. */
  intervals: Record<string, Interval>;
  /** Records scored (labelled ones). */
  n: number;
  /** The scored labels and outputs, for further analysis with eval. */
  scored: ScoredRecords;
}

/**
 * Scores a bundle on the labelled records of `dataset` (records without a label are skipped)
 * with exactly its fitted preprocessing: every metric of eval's `computeMetrics`, the loss, and
 * a percentile-bootstrap confidence interval of each metric.
 */
export async function evaluate(bundle: ModelBundle<object>, dataset: Dataset | readonly SeriesRecord[], options: EvaluateOptions = {}): Promise<EvaluationResult> {
  const o = { ...defaultEvaluateOptions, ...options };
  const prep = preprocessingOf(bundle);
  const all = Array.isArray(dataset) ? (dataset as readonly SeriesRecord[]) : (dataset as Dataset).records;
  const records = prep.alignRecords(all.filter((r) => r.label !== null && r.label !== undefined));
  prep.checkRecords(records);
  const scored = scoreModel(bundle.model, prep, records, o.batchSize);
  const opts = scored.task === 'regression' ? {} : { classes: scored.classes };
  const report = computeMetrics(scored.task, scored.yTrue, scored.outputs, opts);
  const metrics = metricValues(scored);
  const intervals: Record<string, Interval> = {};
  if (o.resamples > 0) {
    const names = o.intervalMetrics ?? (scored.task === 'regression' ? ['rmse', 'mae'] : ['accuracy', 'f1_macro', 'auroc']);
    for (const name of names.filter((n) => n in report.values)) {
      intervals[name] = bootstrapInterval(
        records.length,
        (idx) => (computeMetrics(scored.task, idx.map((i) => scored.yTrue[i]!), idx.map((i) => scored.outputs[i]!), opts).values as Record<string, number>)[name] ?? NaN,
        { resamples: o.resamples, level: o.level, seed: o.seed },
      );
    }
  }
  return { metrics, report, intervals, n: records.length, scored };
}
