import { MetaseriesError, type Task } from '@metaseries/core';
import { computeMetrics, higherIsBetter } from '../metrics/compute-metrics.js';
import { metricScorer } from '../metrics/metric-scorer.js';
import { bootstrapInterval, mcnemar, pairedBootstrap, type Interval, type PairedComparison } from '../stats/bootstrap.js';

/** Record indices of one fold, as `@metaseries/data`'s `kFold` / `splitDataset` make them. */
export interface Fold {
  train: number[];
  test: number[];
}

/** True labels, one per record: a class name or index, a list of labels (multilabel), or a number. */
export type Labels = ReadonlyArray<string | number | readonly (string | number)[]>;

/** Model outputs, one per record: a probability row (classification) or a predicted number. */
export type Outputs = ReadonlyArray<number | readonly number[]>;

/** A trained model as eval sees it: a batch in, one output per record out. */
export type PredictFn<B> = (batch: B) => Promise<Outputs> | Outputs;

/** What a `train` callback receives besides the fold. */
export interface FoldContext {
  /** Position of the fold in `folds`. */
  foldIndex: number;
  /** Seed for this fold: `seed + foldIndex`, the same for every model or variant trained on it. */
  seed: number;
}

/** Options of {@link crossValidate}. */
export interface CrossValidateOptions<B> {
  task: Task;
  /** Class names in output order (classification). */
  classes?: string[];
  /** Metric of the interval. Default: `accuracy` (classification) or `rmse` (regression). */
  metric?: string;
  /**
   * Builds a model's input batch from record indices (a fold's test records). Default: the
   * indices themselves, so `predict` receives `number[]`.
   */
  makeBatch?: (indices: number[]) => B | Promise<B>;
  /** Bootstrap resamples of the pooled interval. Default: `1000`. */
  resamples?: number;
  /** Confidence level. Default: `0.95`. */
  level?: number;
  /** Base seed: fold i is trained with `seed + i`, and the bootstrap uses `seed`. Default: `42`. */
  seed?: number;
}

/** Defaults of {@link CrossValidateOptions}. */
export const defaultCrossValidateOptions = { resamples: 1000, level: 0.95, seed: 42 } as const;

/** What {@link crossValidate} returns. */
export interface CrossValidationResult {
  metric: string;
  /** Every metric on each fold's test records. */
  perFold: Array<{ fold: number; n: number; values: Record<string, number> }>;
  /** Mean and sample standard deviation of `metric` over folds. */
  mean: number;
  sd: number;
  /** `metric` on all out-of-fold predictions pooled, with a percentile bootstrap interval over records. */
  pooled: Interval;
  /** Every metric on the pooled out-of-fold predictions. */
  pooledValues: Record<string, number>;
  /** Out-of-fold predictions in fold order: `indices[j]` is the record of `outputs[j]`. */
  outOfFold: { indices: number[]; outputs: Outputs };
}

/** The metric used when none is named: `rmse` for regression, else `accuracy`. */
export function defaultMetric(task: Task): string {
  return task === 'regression' ? 'rmse' : 'accuracy';
}



/**
 * Cross-validation over given folds: for each fold, `train` fits a model on `fold.train` (with
 * the fold's seed) and returns its predict function, which scores `fold.test`. Returns every
 * metric per fold, the mean ± sd over folds, and the pooled out-of-fold metric with a bootstrap
 * interval. The folds come from the caller (e.g. `kFold` of `@metaseries/data`), so two models
 * cross-validated on the same folds can be compared with {@link compareCrossValidated}.
 */
export async function crossValidate<B = number[]>(
  folds: readonly Fold[],
  yTrue: Labels,
  train: (fold: Fold, context: FoldContext) => Promise<PredictFn<B>> | PredictFn<B>,
  options: CrossValidateOptions<B>,
): Promise<CrossValidationResult> {
  const o = { ...defaultCrossValidateOptions, ...options };
  if (folds.length === 0) throw new MetaseriesError('EVAL_NO_FOLDS', 'cross-validation needs at least one fold', { expected: '≥ 1 fold' });
  const metric = o.metric ?? defaultMetric(o.task);
  const makeBatch = o.makeBatch ?? ((indices: number[]) => indices as unknown as B);
  const perFold: CrossValidationResult['perFold'] = [];
  const indices: number[] = [];
  const outputs: Array<number | readonly number[]> = [];
  for (let f = 0; f < folds.length; f++) {
    const fold = folds[f]!;
    if (fold.test.length === 0) throw new MetaseriesError('EVAL_EMPTY_FOLD', `fold ${f} has no test records`, { value: f });
    for (const i of fold.test) {
      if (!(Number.isInteger(i) && i >= 0 && i < yTrue.length)) throw new MetaseriesError('EVAL_BAD_INDEX', `fold ${f} names a record that is not there`, { value: i, expected: `0..${yTrue.length - 1}` });
    }
    const predict = await train(fold, { foldIndex: f, seed: o.seed + f });
    const out = await predict(await makeBatch([...fold.test]));
    if (out.length !== fold.test.length) {
      throw new MetaseriesError('EVAL_SHAPE_MISMATCH', `fold ${f}: predict returned ${out.length} outputs for ${fold.test.length} records`, { value: out.length, expected: String(fold.test.length) });
    }
    const y = fold.test.map((i) => yTrue[i]!);
    perFold.push({ fold: f, n: fold.test.length, values: computeMetrics(o.task, y, out, { classes: o.classes }).values as Record<string, number> });
    indices.push(...fold.test);
    outputs.push(...out);
  }
  const scores = perFold.map((p) => p.values[metric] ?? NaN);
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const sd = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, scores.length - 1));
  const yPooled = indices.map((i) => yTrue[i]!);
  const pooled = bootstrapInterval(indices.length, metricScorer(o.task, yPooled, outputs, metric, o.classes), { resamples: o.resamples, level: o.level, seed: o.seed });
  return {
    metric,
    perFold,
    mean,
    sd,
    pooled,
    pooledValues: computeMetrics(o.task, yPooled, outputs, { classes: o.classes }).values as Record<string, number>,
    outOfFold: { indices, outputs },
  };
}

/** Options of {@link compareCrossValidated}. */
export interface CompareOptions {
  task: Task;
  classes?: string[];
  /** Default: the metric both results were computed for. */
  metric?: string;
  /** Default: `1000`. */
  resamples?: number;
  /** Default: `0.95`. */
  level?: number;
  /** Default: `42`. */
  seed?: number;
}

/** What {@link compareCrossValidated} returns: model B against model A on the same records. */
export interface CrossValidatedComparison extends PairedComparison {
  metric: string;
  /** B − A on each fold, oriented so that a positive number means B is better. */
  perFoldImprovement: number[];
  /** McNemar's test on per-record correctness (classification only). */
  mcnemar?: ReturnType<typeof mcnemar>;
}

/** Whether each prediction is right: top class = true class (subset-exact for multilabel). */
export function correctness(task: Task, yTrue: Labels, outputs: Outputs, classes?: string[]): boolean[] {
  return yTrue.map((_, i) => computeMetrics(task, [yTrue[i]!], [outputs[i]!], { classes }).values.accuracy === 1);
}

/**
 * Paired comparison of two models cross-validated on the SAME folds (same out-of-fold record
 * order): a paired bootstrap of the metric difference B − A over the pooled records, the
 * per-fold differences, and McNemar's test (exact binomial below 25 discordant records) for
 * classification. `pValue` is the bootstrap share of resamples in which B is not better than A,
 * in the metric's own direction (lower is better for losses and errors).
 */
export function compareCrossValidated(yTrue: Labels, a: CrossValidationResult, b: CrossValidationResult, options: CompareOptions): CrossValidatedComparison {
  const ia = a.outOfFold.indices;
  const ib = b.outOfFold.indices;
  if (ia.length !== ib.length || ia.some((v, j) => v !== ib[j])) {
    throw new MetaseriesError('EVAL_FOLDS_MISMATCH', 'the two models were not cross-validated on the same folds; pass the same folds to crossValidate', { value: `${ia.length} vs ${ib.length} out-of-fold records` });
  }
  const metric = options.metric ?? a.metric;
  const sign = higherIsBetter(metric) ? 1 : -1;
  const y = ia.map((i) => yTrue[i]!);
  const cmp = pairedBootstrap(ia.length, metricScorer(options.task, y, a.outOfFold.outputs, metric, options.classes), metricScorer(options.task, y, b.outOfFold.outputs, metric, options.classes), {
    resamples: options.resamples ?? defaultCrossValidateOptions.resamples,
    level: options.level ?? defaultCrossValidateOptions.level,
    seed: options.seed ?? defaultCrossValidateOptions.seed,
  });
  const perFoldImprovement = a.perFold.map((fa, f) => sign * ((b.perFold[f]?.values[metric] ?? NaN) - (fa.values[metric] ?? NaN)));
  return {
    metric,
    difference: cmp.difference,
    pValue: sign > 0 ? cmp.pValue : 1 - cmp.pValue,
    perFoldImprovement,
    ...(options.task === 'regression'
      ? {}
      : { mcnemar: mcnemar(correctness(options.task, y, a.outOfFold.outputs, options.classes), correctness(options.task, y, b.outOfFold.outputs, options.classes)) }),
  };
}
