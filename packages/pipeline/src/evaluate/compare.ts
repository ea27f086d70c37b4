import { MetaseriesError, type Dataset } from '@metaseries/core';
import type { Split } from '@metaseries/data';
import { ablationTable, ablationVariants, bootstrapInterval, computeMetrics, type AblationRow, type ComparisonRow, type EvaluationReport, type VariantPredictions } from '@metaseries/eval';
import type { RunConfig } from '../config/run-config.js';
import { preprocessingOf } from '../predict/predict.js';
import type { ProgressListener } from '../train/progress-event.js';
import { fit, splitRunData } from '../train/fit.js';
import { scoreModel, type ScoredRecords } from './evaluate.js';

type FusionName = RunConfig['model']['fusion'];

/** Options of {@link compare}. */
export interface CompareOptions {
  /** Fusion strategies to train and compare on the same split. Default: `[config.model.fusion]`. */
  fusions?: FusionName[];
  /**
   * Also train the metadata ablation: series only, all fields, and all fields but each one in
   * turn (with `config.model.fusion`). Default: `false`.
   */
  ablate?: boolean;
  /** Training seeds; each strategy is trained once per seed. Default: `[config.train.seed]`. */
  seeds?: number[];
  /** Metric of the intervals and the ablation table. Default: `accuracy` (classification) or `rmse` (regression). */
  metric?: string;
  /** Bootstrap resamples of the intervals. Default: `500`. */
  resamples?: number;
  /** The dataset; default: loaded from `config.data`. */
  dataset?: Dataset;
  /** Name of the dataset in the report. Default: the scenario name or the series file name. */
  datasetName?: string;
  /** Cancels between batches (`PIPELINE_ABORTED`). Default: none. */
  signal?: AbortSignal;
  /** Progress of every training run (their `message` names the run). Default: none. */
  onProgress?: ProgressListener;
}

/** What {@link compare} returns. */
export interface CompareResult {
  /** One row per strategy (and seed): test metrics with a bootstrap interval of the metric, training seconds. */
  rows: ComparisonRow[];
  /** The ablation table when `ablate` was set. */
  ablation?: AblationRow[];
  /** The split every run used. */
  split: Split;
  /** A report for eval's `renderHtmlReport` / `renderMarkdownReport` / `renderJsonReport`. */
  report: EvaluationReport;
}

/**
 * Trains several fusion strategies (and seeds) on the SAME split of the same data, scores each on
 * the test split with bootstrap intervals, and optionally runs the metadata ablation (each
 * field removed in turn, through eval's ablation table with paired bootstrap differences).
 */
export async function compare(config: RunConfig, options: CompareOptions = {}): Promise<CompareResult> {
  const fusions = options.fusions ?? [config.model.fusion];
  const seeds = options.seeds ?? [config.train.seed];
  const { schema, labelled, split, test } = await splitRunData(config, options.dataset);
  const data = { schema };
  const dataset: Dataset = { schema, records: labelled };
  if (test.length === 0) throw new MetaseriesError('PIPELINE_SPLIT_EMPTY', 'compare needs a test split', { field: 'split.test', value: config.split.test, expected: '> 0' });
  const task = data.schema.label.task;
  const metric = options.metric ?? (task === 'regression' ? 'rmse' : 'accuracy');
  const resamples = options.resamples ?? 500;
  const name = options.datasetName ?? config.data.scenario?.name ?? config.data.series?.path.split(/[\\/]/).pop() ?? 'dataset';
  const learningCurves: NonNullable<EvaluationReport['learningCurves']> = [];

  const run = async (label: string, cfg: RunConfig, excludeFields: string[] = []): Promise<{ scored: ScoredRecords; seconds: number }> => {
    const t0 = Date.now();
    const result = await fit(cfg, dataset, {
      split,
      excludeFields,
      signal: options.signal,
      onProgress: options.onProgress && ((e) => options.onProgress!({ ...e, message: `${label}: ${e.message}` })),
    });
    const seconds = (Date.now() - t0) / 1000;
    for (const e of result.history.epochs) for (const [k, v] of Object.entries(e)) if (k !== 'epoch' && k !== 'lr') learningCurves.push({ run: label, epoch: e.epoch!, name: k, value: v });
    const scored = scoreModel(result.bundle.model, preprocessingOf(result.bundle), test);
    result.bundle.model.dispose();
    return { scored, seconds };
  };

  const rows: ComparisonRow[] = [];
  for (const fusion of fusions) {
    for (const seed of seeds) {
      const label = seeds.length > 1 ? `${fusion} (seed ${seed})` : fusion;
      const { scored, seconds } = await run(label, { ...config, model: { ...config.model, fusion }, train: { ...config.train, seed } });
      const opts = task === 'regression' ? {} : { classes: scored.classes };
      const values = computeMetrics(task, scored.yTrue, scored.outputs, opts).values as Record<string, number>;
      const interval = bootstrapInterval(test.length, (idx) => (computeMetrics(task, idx.map((i) => scored.yTrue[i]!), idx.map((i) => scored.outputs[i]!), opts).values as Record<string, number>)[metric] ?? NaN, {
        resamples,
        seed: config.split.seed,
      });
      rows.push({ dataset: name, model: label, values, intervals: { [metric]: interval }, seconds });
    }
  }

  let ablation: AblationRow[] | undefined;
  if (options.ablate) {
    const fields = [...Object.keys(data.schema.metadata), ...Object.keys(data.schema.context)];
    const staticFields = new Set(Object.keys(data.schema.metadata));
    const runs: VariantPredictions[] = [];
    let yTrue: ScoredRecords['yTrue'] = [];
    let classes: string[] = [];
    for (const variant of ablationVariants(fields, { single: false })) {
      const exclude = fields.filter((f) => !variant.useFields.includes(f));
      // A strategy that fuses static metadata has nothing to fuse once every static field is out.
      const fusion = variant.useFields.some((f) => staticFields.has(f)) ? config.model.fusion : 'none';
      const { scored } = await run(`ablation: ${variant.name}`, { ...config, model: { ...config.model, fusion } }, exclude);
      runs.push({ variant, outputs: scored.outputs });
      yTrue = scored.yTrue;
      classes = scored.classes;
    }
    ablation = ablationTable(yTrue, runs, { task, ...(task !== 'regression' && { classes }), metric, resamples, seed: config.split.seed });
  }

  const report: EvaluationReport = {
    title: `metaseries comparison on ${name}`,
    summary: { dataset: name, task, records: labelled.length, train: split.train.length, valid: split.valid.length, test: split.test.length, seeds: seeds.join(', '), encoder: config.model.encoder },
    comparison: rows,
    primaryMetric: metric,
    ...(ablation && { ablation: [{ dataset: name, metric, rows: ablation }] }),
    learningCurves,
  };
  return { rows, ...(ablation && { ablation }), split, report };
}
