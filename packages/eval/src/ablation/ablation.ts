import { createRng, type Rng, type Task } from '@metaseries/core';
import { computeMetrics, higherIsBetter } from '../metrics/compute-metrics.js';
import { metricScorer } from '../metrics/metric-scorer.js';
import { bootstrapInterval, pairedBootstrap, type Interval, type PairedComparison } from '../stats/bootstrap.js';

/**
 * Which metadata a model variant may read. `useFields` always lists the fields explicitly:
 * `[]` is series only, every field is "all metadata".
 */
export type AblationVariant = {
  name: string;
  useFields: string[];
  /** `none` (series only), `all`, `minus` (all but `field`) or `only` (`field` alone). */
  kind?: 'none' | 'all' | 'minus' | 'only';
  /** The field removed (`minus`) or kept (`only`). */
  field?: string;
};

/** Options of {@link ablationVariants}. */
export interface AblationVariantsOptions {
  /** Also list each field alone. Default: `true`. */
  single?: boolean;
}

/**
 * The variants of a metadata ablation: series only, all, all minus each field, each field alone
 * (the last two only with more than one field, where they differ from the first two).
 */
export function ablationVariants(fields: readonly string[], options: AblationVariantsOptions = {}): AblationVariant[] {
  const out: AblationVariant[] = [
    { name: 'series only', useFields: [], kind: 'none' },
    { name: 'all metadata', useFields: [...fields], kind: 'all' },
  ];
  if (fields.length > 1) for (const f of fields) out.push({ name: `all − ${f}`, useFields: fields.filter((x) => x !== f), kind: 'minus', field: f });
  if ((options.single ?? true) && fields.length > 1) for (const f of fields) out.push({ name: `only ${f}`, useFields: [f], kind: 'only', field: f });
  return out;
}

/** Predictions of one variant on the evaluation records, in a fixed record order. */
export interface VariantPredictions {
  variant: AblationVariant;
  /** Probability rows (classification) or predicted numbers (regression), aligned with `yTrue`. */
  outputs: Array<number | number[]>;
}

/** One row of the ablation table. */
export interface AblationRow {
  variant: string;
  useFields: string[];
  metric: Interval;
  /** The variant minus `series only` on the same records (paired bootstrap). */
  versusSeriesOnly?: PairedComparison;
  /** The variant minus `all metadata` (what removing fields costs). */
  versusAll?: PairedComparison;
}

/** Options of {@link ablationTable}. */
export interface AblationOptions {
  task: Task;
  classes?: string[];
  /** Metric of the table. Default: `accuracy` (classification) or `rmse`. */
  metric?: string;
  resamples?: number;
  seed?: number;
}

/**
 * The ablation table: each variant's metric with a bootstrap interval, and its paired difference
 * to `series only` and to `all metadata` on the same records. The variants' predictions come
 * from the caller (the pipeline trains one model per variant on the same split and seed).
 */
export function ablationTable(yTrue: ReadonlyArray<string | number | readonly (string | number)[]>, runs: readonly VariantPredictions[], options: AblationOptions): AblationRow[] {
  const metric = options.metric ?? (options.task === 'regression' ? 'rmse' : 'accuracy');
  const score = (outputs: Array<number | number[]>) => metricScorer(options.task, yTrue, outputs, metric, options.classes);
  const base = runs.find((r) => r.variant.useFields.length === 0);
  const all = runs.reduce<VariantPredictions | undefined>((best, r) => (!best || r.variant.useFields.length > best.variant.useFields.length ? r : best), undefined);
  const n = yTrue.length;
  const bo = { resamples: options.resamples ?? 500, seed: options.seed ?? 42 };
  return runs.map((r) => ({
    variant: r.variant.name,
    useFields: r.variant.useFields,
    metric: bootstrapInterval(n, score(r.outputs), bo),
    ...(base && base !== r ? { versusSeriesOnly: signed(pairedBootstrap(n, score(base.outputs), score(r.outputs), bo), metric) } : {}),
    ...(all && all !== r ? { versusAll: signed(pairedBootstrap(n, score(all.outputs), score(r.outputs), bo), metric) } : {}),
  }));
}

function signed(c: PairedComparison, metric: string): PairedComparison {
  // p-value reads "B is not better than A" in the metric's own direction
  return higherIsBetter(metric) ? c : { ...c, pValue: 1 - c.pValue };
}

/** Options of {@link permutationImportance}. */
export interface PermutationOptions {
  task: Task;
  classes?: string[];
  metric?: string;
  /** Shuffles per feature (averaged). Default: `5`. */
  repeats?: number;
  seed?: number;
  rng?: Rng;
}

/**
 * Permutation importance: the drop of a metric when one feature (a metadata field or a channel)
 * is shuffled across records, averaged over repeats. `predict` scores a batch; `permute`
 * returns a copy of the batch with the named feature shuffled.
 */
export async function permutationImportance<B>(
  batch: B,
  yTrue: ReadonlyArray<string | number | readonly (string | number)[]>,
  features: readonly string[],
  predict: (batch: B) => Promise<Array<number | number[]>> | Array<number | number[]>,
  permute: (batch: B, feature: string, rng: Rng) => B,
  options: PermutationOptions,
): Promise<Array<{ feature: string; importance: number; sd: number }>> {
  const metric = options.metric ?? (options.task === 'regression' ? 'rmse' : 'accuracy');
  const rng = options.rng ?? createRng(options.seed ?? 42);
  const score = async (b: B) => computeMetrics(options.task, yTrue, await predict(b), { classes: options.classes }).values[metric as 'accuracy'] ?? NaN;
  const base = await score(batch);
  const sign = higherIsBetter(metric) ? 1 : -1;
  const out: Array<{ feature: string; importance: number; sd: number }> = [];
  for (const f of features) {
    const drops: number[] = [];
    for (let r = 0; r < (options.repeats ?? 5); r++) drops.push(sign * (base - (await score(permute(batch, f, rng)))));
    const m = drops.reduce((a, b) => a + b, 0) / drops.length;
    const sd = Math.sqrt(drops.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, drops.length - 1));
    out.push({ feature: f, importance: m, sd });
  }
  return out.sort((a, b) => b.importance - a.importance);
}

/** Metrics per value of a categorical field (e.g. per ward, per machine model). */
export function sliceMetrics(
  task: Task,
  yTrue: ReadonlyArray<string | number | readonly (string | number)[]>,
  outputs: ReadonlyArray<number | readonly number[]>,
  slices: readonly (string | null)[],
  options: { classes?: string[]; minCount?: number } = {},
): Array<{ slice: string; n: number; values: Record<string, number> }> {
  const groups = new Map<string, number[]>();
  slices.forEach((s, i) => {
    const k = s ?? '(missing)';
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(i);
  });
  return [...groups.entries()]
    .filter(([, idx]) => idx.length >= (options.minCount ?? 1))
    .map(([slice, idx]) => ({
      slice,
      n: idx.length,
      values: computeMetrics(task, idx.map((i) => yTrue[i]!), idx.map((i) => outputs[i]!), { classes: options.classes }).values as Record<string, number>,
    }))
    .sort((a, b) => a.slice.localeCompare(b.slice));
}

/** Cross-validation summary: the metric of each fold and the mean with a bootstrap interval over folds' records. */
export function crossValidationSummary(
  folds: ReadonlyArray<{ yTrue: ReadonlyArray<string | number | readonly (string | number)[]>; outputs: ReadonlyArray<number | readonly number[]> }>,
  options: AblationOptions,
): { perFold: number[]; pooled: Interval } {
  const metric = options.metric ?? (options.task === 'regression' ? 'rmse' : 'accuracy');
  const perFold = folds.map((f) => computeMetrics(options.task, f.yTrue, f.outputs, { classes: options.classes }).values[metric as 'accuracy'] ?? NaN);
  const yTrue = folds.flatMap((f) => [...f.yTrue]);
  const outputs = folds.flatMap((f) => [...f.outputs]);
  const pooled = bootstrapInterval(yTrue.length, metricScorer(options.task, yTrue, outputs, metric, options.classes), {
    resamples: options.resamples ?? 500,
    seed: options.seed ?? 42,
  });
  return { perFold, pooled };
}
