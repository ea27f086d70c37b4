import { crossValidate, defaultMetric, type CrossValidateOptions, type CrossValidationResult, type Fold, type FoldContext, type Labels, type PredictFn } from '../cross-validation/cross-validate.js';
import { ablationTable, ablationVariants, type AblationRow, type AblationVariant, type VariantPredictions } from './ablation.js';

/** Options of {@link runAblation}: those of `crossValidate`, plus which variants to train. */
export interface RunAblationOptions<B> extends CrossValidateOptions<B> {
  /** Metadata fields to ablate. */
  fields: readonly string[];
  /** Also train each field alone. Default: `true`. */
  single?: boolean;
  /** Train exactly these variants instead of {@link ablationVariants}`(fields)`. */
  variants?: AblationVariant[];
  /** Called after each variant is cross-validated (progress). */
  onVariant?: (variant: AblationVariant, result: CrossValidationResult) => void;
}

/** What {@link runAblation} returns. */
export interface AblationResult {
  metric: string;
  /** One row per variant: pooled out-of-fold metric with its interval, paired differences to series only and to all metadata. */
  rows: AblationRow[];
  /** Each variant's full cross-validation result (per-fold metrics, out-of-fold predictions). */
  runs: Array<{ variant: AblationVariant; cv: CrossValidationResult }>;
}

/**
 * The metadata ablation: trains every variant (series only, all metadata, all minus each
 * field, each field alone) on the SAME folds with the SAME per-fold seeds through the caller's
 * `train(variant, fold, context)`, and tabulates the pooled out-of-fold metric of each with a
 * bootstrap interval and paired bootstrap differences (same resampled records for every variant).
 */
export async function runAblation<B = number[]>(
  folds: readonly Fold[],
  yTrue: Labels,
  train: (variant: AblationVariant, fold: Fold, context: FoldContext) => Promise<PredictFn<B>> | PredictFn<B>,
  options: RunAblationOptions<B>,
): Promise<AblationResult> {
  const metric = options.metric ?? defaultMetric(options.task);
  const variants = options.variants ?? ablationVariants(options.fields, { single: options.single ?? true });
  const runs: AblationResult['runs'] = [];
  for (const variant of variants) {
    const cv = await crossValidate(folds, yTrue, (fold, context) => train(variant, fold, context), { ...options, metric });
    options.onVariant?.(variant, cv);
    runs.push({ variant, cv });
  }
  const indices = runs[0]?.cv.outOfFold.indices ?? [];
  const predictions: VariantPredictions[] = runs.map((r) => ({ variant: r.variant, outputs: r.cv.outOfFold.outputs as Array<number | number[]> }));
  const rows = ablationTable(
    indices.map((i) => yTrue[i]!),
    predictions,
    { task: options.task, classes: options.classes, metric, resamples: options.resamples ?? 500, seed: options.seed ?? 42 },
  );
  return { metric, rows, runs };
}
