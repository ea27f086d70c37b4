import { createRng, initBackend, MetaseriesError, type Dataset, type SeriesRecord } from '@metaseries/core';
import { alignDatasetContext, augmentsAnything, generateScenario, loadDataset, splitDataset, type DataConfig as LoaderConfig, type Split } from '@metaseries/data';
import { adaptableLayers, adaptModel, buildModel } from '@metaseries/fusion';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { DataSourcesConfig, RunConfig } from '../config/run-config.js';
import type { ModelBundle } from '../bundle/bundle.js';
import { FittedPreprocessing, type PreprocessingState } from '../preprocess/fitted-preprocessing.js';
import { metricValues, scoreModel } from '../evaluate/evaluate.js';
import { modelOutputs } from '../predict/model-outputs.js';
import { fitTemperature, logitsFromProbabilities } from '@metaseries/eval';
import type { ProgressEvent, ProgressListener } from './progress-event.js';
import { readCheckpoint, trainModel, type BatchSource, type TrainingBatch, type TrainingHistory } from './training-loop.js';
import { solveRidgeHead, type RidgeHeadResult } from './ridge-head.js';

/** Options of {@link fit}. */
export interface FitOptions {
  /** Cancels training between batches; `fit` then rejects with `PIPELINE_ABORTED`. Default: none. */
  signal?: AbortSignal;
  /** Receives every progress event (`phase`, `batch`, `epoch`, `done`). Default: none. */
  onProgress?: ProgressListener;
  /** Called with each event of the given type, after `onProgress`. Default: none. */
  callbacks?: { onBatchEnd?: (e: ProgressEvent) => void; onEpochEnd?: (e: ProgressEvent) => void; onTrainEnd?: (e: ProgressEvent) => void };
  /**
   * Folder of the training checkpoint (written every `train.checkpointEvery` epochs). When it
   * holds a checkpoint, training resumes from it. Default: `train.checkpointDir` of the config.
   */
  checkpointDir?: string;
  /** Use this split (indices into the labelled records) instead of drawing one from `config.split`. Default: drawn. */
  split?: Split;
  /** Metadata or context fields left out of the model (ablation). Default: `[]`. */
  excludeFields?: string[];
  /** Records per prediction batch during validation. Default: `256`. */
  predictBatchSize?: number;
}

/** Metrics of a fitted model on its validation and test splits (eval's snake_case names). */
export interface FitMetrics {
  valid: Record<string, number>;
  /** `null` when the test split is empty. */
  test: Record<string, number> | null;
}

/** What {@link fit} returns. */
export interface FitResult {
  /** The trained model with its fitted preprocessing and metrics, ready for `saveBundle`. */
  bundle: ModelBundle<PreprocessingState>;
  metrics: FitMetrics;
  history: TrainingHistory;
  /** The split used (indices into the dataset's labelled records), so other runs can reuse it. */
  split: Split;
  /** With `train.refit`: the history of the refit on train + validation (the bundle's model). Default: absent. */
  refitHistory?: TrainingHistory;
  /** With `train.solver: ridge`: the penalty chosen per output layer and every penalty's leave-one-out error (the refit's when there is one). Default: absent. */
  ridge?: RidgeHeadResult;
}

/** Metrics (eval's `computeMetrics` plus `loss`) of labelled `records` under `model`. */
export function scoreRecords(model: tfl.LayersModel, prep: FittedPreprocessing, records: readonly SeriesRecord[], batchSize = 256): Record<string, number> {
  return metricValues(scoreModel(model, prep, records, batchSize));
}

function classWeightsOf(config: RunConfig, prep: FittedPreprocessing, train: readonly SeriesRecord[]): ((r: SeriesRecord) => number) | undefined {
  const cw = config.train.classWeights;
  const task = prep.state.encoded.task;
  if (cw === 'none') return undefined;
  if (task !== 'binary' && task !== 'multiclass') {
    throw new MetaseriesError('CONFIG_INVALID', `class weights apply to binary and multiclass tasks, not ${task}`, { field: 'train.classWeights', value: cw, expected: "'none'" });
  }
  const classes = prep.label.classes;
  let weights: number[];
  if (cw === 'balanced') {
    const counts = classes.map(() => 0);
    for (const r of train) counts[prep.label.classIndex(r.label ?? null, r.id)]!++;
    weights = counts.map((c) => (c ? train.length / (classes.length * c) : 0));
  } else {
    for (const k of Object.keys(cw)) {
      if (!classes.includes(k)) throw new MetaseriesError('CONFIG_INVALID', `class weight for a class the labels do not have`, { field: `train.classWeights.${k}`, value: k, expected: classes.join(', ') });
    }
    weights = classes.map((c) => cw[c] ?? 1);
  }
  return (r) => weights[prep.label.classIndex(r.label ?? null, r.id)]!;
}

function toLoaderConfig(d: DataSourcesConfig): LoaderConfig {
  if (!d.series) throw new MetaseriesError('CONFIG_INVALID', 'data needs series files', { field: 'data.series', expected: '{ path, format }' });
  const s = d.series;
  const format = s.format ?? (s.path.endsWith('.ts') ? 'ts' : s.path.endsWith('.jsonl') ? 'jsonl' : 'long');
  return {
    series: { path: s.path, format, id: s.id, time: s.time, ...(s.channels && { channels: s.channels }), ...(s.label && { label: s.label }) },
    ...(d.metadata && {
      metadata: {
        path: d.metadata.path,
        id: d.metadata.id,
        fields: Object.fromEntries(Object.entries(d.metadata.fields).map(([k, f]) => [k, typeof f === 'string' ? f : f.kind])),
        ...(d.metadata.group && { group: d.metadata.group }),
      },
    }),
    ...(d.context && { context: { path: d.context.path, id: d.context.id, time: d.context.time, fields: d.context.fields, align: d.context.align, ...(d.context.tolerance !== undefined && { tolerance: d.context.tolerance }) } }),
    ...(d.labels && { labels: { path: d.labels.path, id: d.labels.id, label: d.labels.label, ...(d.labels.task && { task: d.labels.task }) } }),
  };
}

function withConfiguredSchema(ds: Dataset, d: DataSourcesConfig): Dataset {
  const embedding = Object.entries(d.metadata?.fields ?? {}).filter(([, f]) => typeof f !== 'string' && f.embedding !== undefined);
  const classes = d.labels?.classes;
  if (!embedding.length && !classes) return ds;
  const metadata = { ...ds.schema.metadata };
  for (const [k, f] of embedding) if (metadata[k]) metadata[k] = { ...metadata[k]!, embedding: (f as { embedding: number }).embedding };
  return { ...ds, schema: { ...ds.schema, metadata, label: { ...ds.schema.label, ...(classes && { classes }) } } };
}

/** Loads the dataset (and the separate test set) a run config names: files through data's `loadDataset`, or a synthetic scenario. */
export async function loadRunData(config: RunConfig): Promise<{ dataset: Dataset; test?: Dataset }> {
  const d = config.data;
  if (d.scenario) {
    const { name, n, seed, length, noise, groups } = d.scenario;
    const { info: _info, ...dataset } = generateScenario(name, { n, seed, length, noise, groups });
    return { dataset };
  }
  const { test: testSources, engine, ...main } = d;
  const loaded = await loadDataset({ ...toLoaderConfig(main), ...(testSources && { test: toLoaderConfig(testSources) }) }, { engine });
  return { dataset: withConfiguredSchema(loaded.dataset, main), ...(loaded.test && testSources && { test: withConfiguredSchema(loaded.test, testSources) }) };
}

/** The records of a run, split as `fit` splits them. */
export interface RunDataSplit {
  schema: Dataset['schema'];
  /** Labelled records of the main dataset, context aligned; `split` indexes into them. */
  labelled: SeriesRecord[];
  split: Split;
  train: SeriesRecord[];
  valid: SeriesRecord[];
  /** The test split, or the separate test set (`data.test`) when there is one. */
  test: SeriesRecord[];
}

/**
 * Loads (unless `dataset` is given), aligns and splits the data of a run exactly as {@link fit}
 * does — what `evaluate` needs to score a bundle on the test split of its config.
 */
export async function splitRunData(config: RunConfig, dataset?: Dataset, fixedSplit?: Split): Promise<RunDataSplit> {
  const loaded = dataset ? { dataset, test: undefined } : await loadRunData(config);
  const all = alignDatasetContext(loaded.dataset);
  const separateTest = loaded.test ? alignDatasetContext(loaded.test).records : undefined;
  const labelled = all.records.filter((r) => r.label !== null && r.label !== undefined);
  const split =
    fixedSplit ??
    splitDataset(labelled, { strategy: config.split.strategy, groupBy: config.split.groupBy, valid: config.split.valid, test: separateTest ? 0 : config.split.test, seed: config.split.seed });
  const pick = (idx: readonly number[]) => idx.map((i) => labelled[i]!);
  const test = separateTest ? separateTest.filter((r) => r.label !== null && r.label !== undefined) : pick(split.test);
  return { schema: all.schema, labelled, split, train: pick(split.train), valid: pick(split.valid), test };
}

/**
 * Trains a model from a run config: split (`config.split`, or `options.split`), preprocessing
 * fitted on the training split only, the model built by fusion's `buildModel`, then the
 * training loop (early stopping, LR schedule, class weights, clipNorm, checkpoints and resume,
 * cancellation, progress). Returns the bundle, validation and test metrics, and the history.
 *
 * Without `dataset`, the data is loaded from `config.data` (files or a synthetic scenario).
 */
export async function fit(config: RunConfig, dataset?: Dataset, options: FitOptions = {}): Promise<FitResult> {
  const emit = (e: ProgressEvent) => {
    options.onProgress?.(e);
    if (e.type === 'batch') options.callbacks?.onBatchEnd?.(e);
    if (e.type === 'epoch') options.callbacks?.onEpochEnd?.(e);
    if (e.type === 'done') options.callbacks?.onTrainEnd?.(e);
  };
  const phase = (message: string) => emit({ type: 'phase', epoch: 0, epochs: config.train.epochs, batch: 0, batches: 0, metrics: {}, etaSeconds: null, message });
  await initBackend(config.train.backend === 'auto' ? {} : { backend: config.train.backend });
  phase('loading data');
  const { schema, labelled, split, train, valid, test } = await splitRunData(config, dataset, options.split);
  if (train.length === 0 || (valid.length === 0 && config.split.valid > 0)) {
    throw new MetaseriesError('PIPELINE_SPLIT_EMPTY', `the split left ${train.length} training and ${valid.length} validation records`, { field: 'split', value: labelled.length, expected: 'enough labelled records for train and valid' });
  }
  if (valid.length === 0) checkNothingWatchesValidation(config);

  const checkpointDir = options.checkpointDir ?? config.train.checkpointDir ?? undefined;
  const resume = checkpointDir ? await readCheckpoint(checkpointDir) : undefined;
  phase(resume ? `resuming after epoch ${resume.epoch}` : 'fitting preprocessing on the training split');
  const prep = resume
    ? FittedPreprocessing.fromJSON(resume.bundle.preprocessing as PreprocessingState)
    : FittedPreprocessing.fit({ schema, records: labelled }, split.train, config.model, { excludeFields: options.excludeFields, normalise: config.data.normalise });

  phase('building the model');
  let model = resume ? resume.bundle.model : buildModel(prep.state.model, prep.state.encoded, { seed: config.train.seed, learningRate: config.train.learningRate });
  const predictBatch = options.predictBatchSize ?? 256;
  if (!resume) adaptOnTraining(model, prep, train, predictBatch, phase);
  const source = batchSource(config, prep, train);
  const task = prep.state.encoded.task;
  const ridge = config.train.solver === 'ridge';
  // train.solver ridge: the output layer in closed form on `records`, no epochs
  const solveRidge = (m: tfl.LayersModel, p: FittedPreprocessing, records: readonly SeriesRecord[]) =>
    solveRidgeHead(m, batchSource(config, p, records).batches(0), { task, outputName: p.state.outputName, alphas: config.train.ridgeAlphas });
  let ridgeResult: RidgeHeadResult | undefined;
  if (ridge) {
    phase(`solving the output layer (ridge) on ${train.length} training records`);
    ridgeResult = await solveRidge(model, prep, train);
  } else {
    phase('training');
  }
  const history: TrainingHistory = ridge ? noEpochs() : await trainModel(model, {
    task: prep.state.encoded.task,
    train: config.train,
    source,
    outputName: prep.state.outputName,
    validate: async (m) => (valid.length ? scoreRecords(m, prep, valid, predictBatch) : {}),
    signal: options.signal,
    onProgress: emit,
    ...(checkpointDir && config.train.checkpointEvery > 0 && { checkpoint: { dir: checkpointDir, every: config.train.checkpointEvery, preprocessing: prep.toJSON() } }),
    ...(resume && { resume }),
  });
  if (config.train.calibrate && valid.length > 0 && (task === 'binary' || task === 'multiclass')) {
    phase('calibrating');
    prep.state.temperature = 1;
    const out = modelOutputs(model, prep, valid, predictBatch);
    const K = out.width;
    const rows = Array.from({ length: valid.length }, (_, i) => Array.from(out.predictions.subarray(i * K, (i + 1) * K)));
    const yTrue = valid.map((r) => prep.label.classIndex(r.label ?? null, r.id));
    const fitted = fitTemperature(logitsFromProbabilities(rows), yTrue);
    // With no validation errors the NLL falls as T → 0, so the fit runs to its bound and would make
    // every later mistake almost certain: a perfect validation split may soften (T > 1), never sharpen.
    const argmax = (r: number[]) => (r.length === 1 ? (r[0]! > 0.5 ? 1 : 0) : r.indexOf(Math.max(...r)));
    const noErrors = rows.every((r, i) => argmax(r) === yTrue[i]);
    // keep T = 1 unless it lowers the validation NLL (it always should; guards degenerate splits)
    if (Number.isFinite(fitted.temperature) && fitted.nllAfter < fitted.nllBefore && !(noErrors && fitted.temperature < 1)) prep.state.temperature = fitted.temperature;
  }
  const validMetrics = valid.length ? scoreRecords(model, prep, valid, predictBatch) : {};
  let refitHistory: TrainingHistory | undefined;
  let finalPrep = prep;
  if (config.train.refit) {
    // Same initial weights (seed), train + valid, the first run's best epoch count and rates.
    const epochs = history.bestEpoch;
    phase(ridge ? 'refitting on train + validation (ridge)' : `refitting on train + validation for ${epochs} epochs`);
    const both = [...split.train, ...split.valid];
    const all = [...train, ...valid];
    finalPrep = FittedPreprocessing.fit({ schema, records: labelled }, both, config.model, { excludeFields: options.excludeFields, normalise: config.data.normalise });
    finalPrep.state.temperature = prep.state.temperature;
    const first = model;
    model = buildModel(finalPrep.state.model, finalPrep.state.encoded, { seed: config.train.seed, learningRate: config.train.learningRate });
    first.dispose();
    adaptOnTraining(model, finalPrep, all, predictBatch, phase);
    if (ridge) ridgeResult = await solveRidge(model, finalPrep, all);
    refitHistory = ridge ? noEpochs() : await trainModel(model, {
      task,
      // no schedule or early stopping: the rates are replayed, and there is no validation split to watch
      train: { ...config.train, epochs, minEpochs: 0, earlyStopping: false, lrSchedule: { ...config.train.lrSchedule, type: 'none' } },
      source: batchSource(config, finalPrep, all),
      outputName: finalPrep.state.outputName,
      validate: async () => ({}),
      learningRates: history.epochs.slice(0, epochs).map((e) => e.lr!),
      signal: options.signal,
      onProgress: emit,
    });
  }
  phase('scoring');
  const metrics: FitMetrics = {
    valid: validMetrics,
    test: test.length ? scoreRecords(model, finalPrep, test, predictBatch) : null,
  };
  const bundle: ModelBundle<PreprocessingState> = {
    model,
    preprocessing: finalPrep.toJSON(),
    metrics: {
      task: prep.state.encoded.task,
      ...metrics,
      records: { train: train.length, valid: valid.length, test: test.length },
      bestEpoch: history.bestEpoch,
      epochs: history.epochs.length,
      stoppedEarly: history.stoppedEarly,
      history: history.epochs,
      ...(refitHistory && { refit: { epochs: refitHistory.epochs.length, records: train.length + valid.length, history: refitHistory.epochs } }),
      ...(ridgeResult && { ridge: { alphas: ridgeResult.alphas, records: ridgeResult.records } }),
    },
  };
  emit({ type: 'done', epoch: history.epochs.length, epochs: config.train.epochs, batch: 0, batches: source.batchCount, metrics: metrics.valid, etaSeconds: 0, message: 'done' });
  return { bundle, metrics, history, split, ...(refitHistory && { refitHistory }), ...(ridgeResult && { ridge: ridgeResult }) };
}

/**
 * Fits the layers whose state comes from the training data rather than gradients (fusion's
 * `adaptModel`: the minirocket encoder's biases) on `records`, the training split only.
 */
function adaptOnTraining(model: tfl.LayersModel, prep: FittedPreprocessing, records: readonly SeriesRecord[], batchSize: number, phase: (message: string) => void): void {
  if (adaptableLayers(model).length === 0) return; // nothing to fit: no batch is encoded
  phase(`fitting the encoder's data-dependent weights on ${records.length} training records`);
  function* batches() {
    for (let s = 0; s < records.length; s += batchSize) yield prep.inputs(records.slice(s, s + batchSize));
  }
  adaptModel(model, batches());
}

/** The history of `solver: ridge`, which trains no epoch. */
function noEpochs(): TrainingHistory {
  return { epochs: [], bestEpoch: 0, stoppedEarly: false, resumedFromEpoch: 0 };
}

/**
 * With `split.valid: 0` there is no validation split: early stopping and the schedule (unused by
 * `solver: ridge`) may watch only the training loss (`CONFIG_INVALID` names the key that watches a validation metric), and
 * a refit would repeat the same training.
 */
function checkNothingWatchesValidation(config: RunConfig): void {
  const { earlyStopping: es, lrSchedule, refit, solver } = config.train;
  if (refit) throw new MetaseriesError('CONFIG_INVALID', 'split.valid is 0: every training record is already in the training split, so refit would repeat the same training', { field: 'train.refit', value: true, expected: 'false' });
  if (solver === 'ridge') return; // no epochs: nothing is watched
  const noSplitFor = (field: string, monitor: string) =>
    new MetaseriesError('CONFIG_INVALID', `split.valid is 0, so there is no validation split for ${monitor}: watch the training loss (monitor: loss) or keep a validation share`, { field, value: monitor, expected: 'loss' });
  if (es && es.monitor !== 'loss') throw noSplitFor('train.earlyStopping.monitor', es.monitor);
  if (lrSchedule.type === 'reduce-on-plateau' && lrSchedule.monitor !== 'loss') throw noSplitFor('train.lrSchedule.monitor', lrSchedule.monitor);
}

/** The training batches of `records`: seeded shuffle and augmentation per epoch, class weights from `config`. */
function batchSource(config: RunConfig, prep: FittedPreprocessing, records: readonly SeriesRecord[]): BatchSource {
  const weightOf = classWeightsOf(config, prep, records);
  const { batchSize, shuffle, seed, augment } = config.train;
  const augmenting = augmentsAnything(augment);
  return {
    batchCount: Math.ceil(records.length / batchSize),
    *batches(epoch: number): Iterable<TrainingBatch> {
      const order = records.map((_, i) => i);
      if (shuffle) createRng(seed * 7919 + epoch).shuffle(order);
      // its own stream per epoch, so a run resumed from a checkpoint draws what the first run drew
      const rng = augmenting ? createRng(seed * 104729 + epoch * 31 + 17) : undefined;
      for (let s = 0; s < order.length; s += batchSize) {
        const recs = order.slice(s, s + batchSize).map((i) => records[i]!);
        yield { inputs: rng ? prep.inputs(recs, { augment, rng }) : prep.inputs(recs), y: prep.targets(recs), ...(weightOf && { weights: Float32Array.from(recs, weightOf) }) };
      }
    },
  };
}
